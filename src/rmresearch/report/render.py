"""Rendering executed notebooks to self-contained HTML: sections, pages, the cohort report and its index."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import CohortConfig
from ..display import fewer_than
from ..fileio import atomic_write_text
from ..results import _project_relative
from ..stats.exact import METHODS_TEXT
from .common import TITLE_KEYS, ReleaseCheck
from .notebooks import notebook_title
from .pdf import print_css
from .provenance import _now, _versions

_TEMPLATES = Path(__file__).parent.parent / "templates"  # rmresearch/templates
_TABLE = re.compile(r"<table\b", re.IGNORECASE)
_MD_TABLE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.MULTILINE)
_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


@dataclass
class RenderedNotebook:
    id: str
    name: str
    title: str
    body: str
    tables: int = 0
    figures: int = 0
    figures_without_alt: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)  # sections that could not be shown (rmresearch.sections)


def _markdown(text: str) -> str:
    from nbconvert.filters import markdown2html

    return markdown2html(text)


def _shift_headings(body: str, by: int) -> str:
    if not by:
        return body
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + by)}", body)


def _output_meta(output) -> dict:
    meta = output.get("metadata") or {}
    value = meta.get("rmresearch") if isinstance(meta, dict) else None
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def render_notebook(nb, *, name: str, heading_shift: int = 1) -> RenderedNotebook:
    """An executed notebook as an HTML fragment: prose, tables, figures; no code, no scripts.

    The first ``# Title`` heading is dropped (the caller prints it) and the other
    headings are moved down ``heading_shift`` levels. Figures become
    ``<figure><img alt><figcaption>``: alt text and caption come from
    :func:`rmresearch.plots.finish`; a figure shown without it gets a generic alt
    text and is counted in ``figures_without_alt``. Standard-error output
    (warnings) is collected in ``warnings`` instead of being shown.
    """
    title = notebook_title(nb) or name
    section = RenderedNotebook(id=f"s-{name}", name=name, title=title, body="")
    parts: list[str] = []
    dropped_title = False
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown":
            source = cell.source
            if not dropped_title:
                lines = source.splitlines()
                for i, line in enumerate(lines):
                    if line.startswith("# "):
                        source = "\n".join(lines[:i] + lines[i + 1:])
                        dropped_title = True
                        break
            if source.strip():
                parts.append(_shift_headings(_markdown(source), heading_shift))
            continue
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []) \
                or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                text = _text(output.get("text", "")).strip()
                if not text:
                    continue
                if output.get("name") == "stderr":
                    section.warnings.append(f"cell {index}: {text[:400]}")
                else:
                    parts.append(f"<pre>{html.escape(text)}</pre>")
                continue
            if kind == "error":
                section.warnings.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
                continue
            data = output.get("data") or {}
            meta = _output_meta(output)
            if "image/png" in data:
                section.figures += 1
                alt = meta.get("alt")
                if not alt:
                    section.figures_without_alt += 1
                    alt = f"Figure in the section \u201c{title}\u201d (no description was given)."
                png = _text(data["image/png"]).replace("\n", "")
                caption = meta.get("caption")
                parts.append(
                    f'<figure><img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}">'
                    + (f"<figcaption>{html.escape(caption)}</figcaption>" if caption else "")
                    + "</figure>"
                )
            elif "text/html" in data:
                body = _text(data["text/html"])
                if _TABLE.search(body):
                    section.tables += 1
                    if 'class="table-wrap' not in body:  # show_table's container scrolls already (display.table_html)
                        body = f'<div class="table-wrap">{body}</div>'
                body = re.sub(r"<script\b.*?</script\s*>", "", body, flags=re.IGNORECASE | re.DOTALL)
                parts.append(body)
            elif "text/markdown" in data:
                if isinstance(meta.get("note"), dict):
                    section.notes.append(meta["note"])
                parts.append(_shift_headings(_markdown(_text(data["text/markdown"])), heading_shift))
            elif "text/plain" in data:
                parts.append(f"<pre>{html.escape(_text(data['text/plain']))}</pre>")
    section.body = "\n".join(parts)
    return section


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _css() -> str:
    return _TEMPLATES.joinpath("report.css").read_text(encoding="utf-8")


def export_html(nb, *, title: str | None = None, name: str = "notebook", heading: str = "Report",
                record: dict | None = None) -> str:
    """A notebook as a self-contained page without code (no external assets, no scripts)."""
    section = render_notebook(nb, name=name, heading_shift=0)
    if title:
        section.title = title
    record = record or {"finished": _now()}
    return _environment().get_template("notebook.html.j2").render(
        css=_css(), section=section, title=section.title, heading=heading, record=record, versions=_versions()
    )
def _page_section(s: RenderedNotebook) -> RenderedNotebook:
    """The section for a page of its own: headings one level up again (the title is the page's h1)."""
    return RenderedNotebook(id=s.id, name=s.name, title=s.title, body=_HEADING.sub(
        lambda m: f"<{m.group(1)}h{max(2, int(m.group(2)) - 1)}", s.body))


# --------------------------------------------------------------------------- the cohort report


def _read_results_files(folder: Path) -> dict[str, dict]:
    from ..results import RESULTS_SUFFIX, read_results

    out = {}
    for f in sorted(folder.glob(f"*{RESULTS_SUFFIX}")):
        out[f.name.removesuffix(RESULTS_SUFFIX)] = read_results(f)
    return out


def _summary(sections: list[RenderedNotebook], results: dict[str, dict]) -> list[dict]:
    from ..results import sentence

    groups = []
    for s in sections:
        recorded = results.get(s.name, {}).get("results", [])
        chosen = [r for r in recorded if r.get("headline")] or recorded[:3]
        if chosen:
            groups.append({"title": s.title, "sentences": [sentence(r) for r in chosen]})
    return groups


_ACTIVITY_TEXT = ("Counts of programme activity (participants in total, pairs, meetings held, transcripts "
                  "anonymised, identifiers replaced) are shown exactly for every audience.")
#: Inputs whose rows are people by characteristic or outcome: their row counts are rounded in a public report.
PEOPLE_INPUTS = ("students", "staff", "recruitment")


def _rules_text(rules) -> str:
    """The methods appendix's disclosure paragraph: the rule of each kind of table for this report's audience."""
    marker = f"\u201c{rules.suppressed_marker}\u201d"
    if rules.audience == "internal":
        return (f"This is an internal report for readers under confidentiality (options.disclosure.audience: "
                f"internal); it is not for publication. {_ACTIVITY_TEXT} Counts of people by characteristic or outcome "
                f"are exact, with cells of 1 to {rules.min_cell_size - 1} people shown as {marker}, and rates and "
                f"averages resting on fewer than {rules.min_cell_size} people (or on such a cell) suppressed. "
                "Qualitative code counts (themes by role or group) are exact, and the framework matrix shows each "
                "participant's role and group. A public report of the same cohort rounds and suppresses more.")
    return (f"This report is for a public audience (options.disclosure.audience: public). {_ACTIVITY_TEXT} "
            + _people_rules_text(rules)
            + f" Qualitative code counts (themes by role or group) are exact where the group they describe (the "
              f"participants interviewed in that role or group) has at least {rules.min_cell_size} people, and "
              f"{marker} otherwise. The framework matrix shows a participant's role or group only where every "
              f"combination shown holds at least {rules.min_cell_size} people.")


def _people_rules_text(rules) -> str:
    if rules.style == "ofs":
        return (f"Small numbers are controlled in the Office for Students style: counts are rounded to the nearest "
                f"{rules.round_to}; rates are suppressed and shown with a code ([none], [low], [DPL], [DPH]) when "
                f"they rest on fewer than {rules.ofs_min_denominator} people or on numerators within "
                f"{rules.ofs_max_numerator_suppressed} of zero or of the denominator.")
    return (f"Small numbers are controlled in the HESA style: counts of people are rounded to the nearest "
            f"{rules.round_to}, percentages based on {fewer_than(rules)} and "
            f"averages based on {rules.max_mean_suppressed_n} or fewer are suppressed (shown as "
            f"\u201c{rules.suppressed_marker}\u201d), and totals are rounded on their own, so rows need not add up.")


def _thresholds_text(rules) -> str:
    """What is suppressed in a table by one characteristic, under its own (possibly stricter) rules."""
    if rules.audience == "internal":
        return (f"cells of 1 to {rules.min_cell_size - 1} people suppressed, and rates resting on fewer than "
                f"{rules.min_cell_size}")
    if rules.style == "ofs":
        return f"rates resting on fewer than {rules.ofs_min_denominator} people suppressed"
    return (f"percentages resting on {fewer_than(rules)} suppressed; theme counts shown for groups of at least "
            f"{rules.min_cell_size}")


def _characteristic_rows(config: CohortConfig) -> list[dict]:
    """The methods appendix's characteristics: each one studied and each intersection, its groups (labels as the
    report uses them), the comparison the analyses make, whether it is special-category data and its thresholds."""
    rows = []
    for ch in [*config.characteristics.values(), *config.intersections]:
        rules = config.disclosure.for_characteristic(ch)
        kind = ("intersection" if ch.is_intersection else "special category" if ch.special_category
                else "not special category")
        rows.append({"title": ch.title or ch.name, "focus": ch.name == config.focus.name,
                     "groups": "; ".join(ch.label(g) for g in ch.group_names()),  # an intersection's hold commas
                     "compared": (f"{ch.label(ch.aggregate)} with {ch.label(ch.reference)}" if ch.aggregate
                                  else f"each group with {ch.label(ch.reference)}"),
                     "kind": kind, "thresholds": _thresholds_text(rules)})
    return rows


def _studied_fact(config: CohortConfig) -> str:
    """The title page's "Characteristics" line: ``'Disability (headline comparisons), sex; disability by sex'``."""
    names = [(ch.title or ch.name) + (" (headline comparisons)" if ch.name == config.focus.name else "")
             for ch in config.characteristics.values()]
    text = ", ".join(n if i == 0 else n[:1].lower() + n[1:] for i, n in enumerate(names))
    crossed = [(ch.title or ch.name) for ch in config.intersections]
    return text + (f"; {', '.join(c[:1].lower() + c[1:] for c in crossed)}" if crossed else "")


def _characteristics_text(config: CohortConfig) -> str:
    """The sentence above the characteristics table: where the groups come from and which one leads."""
    focus = config.focus
    source = ("the cohort file's options.characteristics" if config.characteristics_declared
              else "the cohort file's ethnicity options (it names no options.characteristics)")
    compared = focus.people(focus.aggregate) if focus.aggregate else "each group"
    return (f"The groups this report compares, and the words it uses for them, come from {source}. The headline "
            f"comparisons are by {(focus.title or focus.name).lower()}: {compared} "
            f"compared with {focus.people(focus.reference)}. Unknown counts people whose record says not known or "
            "prefer not to say, or is blank: they are counted and shown, never dropped. Tables by a special-category "
            "characteristic, and by an intersection of two, use stricter disclosure thresholds than the rest.")


#: The title pages' "Audience" line.
_AUDIENCE_FACT = {"public": "Public: counts of people rounded and small numbers suppressed",
                  "internal": "Internal: exact small counts, for readers under confidentiality; not for publication"}


def _validation_rows(problems) -> list[dict]:
    groups: dict[tuple, list] = {}
    for p in problems:
        if getattr(p, "severity", "error") == "error":
            continue
        key = (Path(str(getattr(p, "file", "") or "")).name, str(getattr(p, "column", "") or ""))
        groups.setdefault(key, []).append(p)
    rows = []
    for (file, column), items in sorted(groups.items()):
        rows.append({"file": file or "(configuration)", "column": column or "(whole table)", "count": len(items),
                     "message": str(getattr(items[0], "message", items[0]))[:300]})
    return rows


def _input_rows(config: CohortConfig, tables: dict, hashes: dict[str, str]) -> list[dict]:
    """The appendix's input files: row counts of programme inputs exact, of people tables rounded in public."""
    from ..disclosure import hesa_round

    rules = config.disclosure

    def row_count(name: str, frame) -> str:
        if frame is None:
            return ""
        if name in PEOPLE_INPUTS and rules.audience == "public":
            return f"{hesa_round(len(frame), base=rules.round_to):,}"
        return f"{len(frame):,}"

    rows = []
    for key, sha in hashes.items():
        name = key.split("/")[0]
        path = key.split("/", 1)[1] if "/" in key else None
        try:
            value = config.inputs[name.split(".")[0]]
            if isinstance(value, dict):
                value = value[name.split(".", 1)[1]]
            file = Path(value) / path if path else Path(value)
            shown = _project_relative(file, config.root)  # outside the project: its name only (a relative
            # path up and out would spell the machine's folders, e.g. ../../home/<user>/...)
        except (KeyError, IndexError, ValueError):
            shown = key
        frame = tables.get(name)
        rows.append({"name": key, "file": shown, "sha": sha[:12],
                     "rows": row_count(name, frame)})
    return rows


def _inputs_caption(config: CohortConfig) -> str:
    """The caption of the appendix's input files: which row counts are rounded, naming only inputs the cohort has."""
    if config.disclosure.audience == "internal":
        return "Input files (exact row counts)"
    people = [name for name in PEOPLE_INPUTS if config.inputs.get(name) is not None]
    if not people:
        return "Input files (exact row counts: every input is a programme record)"
    named = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
    return (f"Input files (row counts of {named} rounded to the nearest {config.disclosure.round_to}; of programme "
            "inputs exact)")


def _note_rows(section: RenderedNotebook) -> list[dict]:
    """The appendix's "Notes from the analyses" rows for the parts of a section shown as a note (rmresearch.sections)."""
    return [{"title": section.title, "text": f"{n.get('title')} not shown: {n.get('reason')} It needs {n.get('needs')}."}
            for n in section.notes]


def _render_report(config: CohortConfig, folder: Path, sections: list[RenderedNotebook], record: dict,
                   problems, tables: dict, release: ReleaseCheck | None) -> tuple[str, str]:
    """report.html and index.html for a cohort folder."""
    results = _read_results_files(folder)
    summary = _summary(sections, results)
    env = _environment()
    numbers = []
    for r in results.get(sections[0].name, {}).get("results", []) if sections else []:
        if r["key"] in TITLE_KEYS and not r.get("suppressed"):
            numbers.append(r)
    disclosure = []
    notes = []
    for s in sections:
        log = results.get(s.name, {}).get("disclosure_log", [])
        disclosure.append({"title": s.title, "disclosed": len(log), "shown": s.tables,
                           "suppressed": sum(int(e.get("suppressed_cells", 0)) for e in log),
                           "figures": s.figures if not s.figures_without_alt
                           else f"{s.figures} ({s.figures_without_alt} without a description)"})
        if s.name not in results:
            notes.append({"title": s.title, "text": "recorded no key results and no disclosure log "
                                                    "(see the instructions in rmresearch.results)."})
        notes += _note_rows(s)
        for w in s.warnings[:10]:
            notes.append({"title": s.title, "text": w})
        if len(s.warnings) > 10:
            notes.append({"title": s.title, "text": f"... and {len(s.warnings) - 10} more warnings"})
    period = f"{config.start_date:%d %B %Y} to {config.end_date:%d %B %Y}"
    common = dict(css=_css(), versions=record["versions"], release=release, rules_text=_rules_text(config.disclosure),
                  audience=config.disclosure.audience)
    report = env.get_template("report.html.j2").render(
        config=config, record=record, sections=sections, summary=summary, numbers=numbers, period=period,
        inputs=_input_rows(config, tables, record["inputs_sha256"]), validation=_validation_rows(problems),
        disclosure=disclosure, notes=notes, rules=config.disclosure, intervals_text=METHODS_TEXT,
        characteristics=_characteristic_rows(config), characteristics_text=_characteristics_text(config),
        inputs_caption=_inputs_caption(config),
        studied=_studied_fact(config), **(common | {"css": _css() + print_css(release, config.disclosure.audience)}),
    )
    index = env.get_template("index.html.j2").render(
        title=config.title, subtitle=f"Evaluation report, {config.institution}",
        facts=[("Cohort", config.cohort), ("Programme", f"{config.programme_type.capitalize()} mentoring, {period}, "
                                                        f"{config.planned_meetings} planned meetings per pair"),
               ("Characteristics", _studied_fact(config)), ("Audience", _AUDIENCE_FACT[config.disclosure.audience]),
               ("Report built", record["finished"])],
        summary=summary, sections=[{"page": f"{s.name}.html", "title": s.title, "name": s.name} for s in sections],
        commit=record.get("git_commit"), **common,
    )
    return report, index


def _write_section_pages(folder: Path, sections: list[RenderedNotebook], heading: str, record: dict) -> None:
    """``NN_name.html``: each section as a page of its own, under ``heading`` (an internal report says so on each)."""
    template = _environment().get_template("notebook.html.j2")
    for s in sections:
        atomic_write_text(folder / f"{s.name}.html", template.render(
            css=_css(), section=_page_section(s), title=s.title, heading=heading, record=record, versions=record["versions"],
            audience=record.get("audience", "public")))


def _rendered_sections(folder: Path, notebooks: list[Path]) -> list[RenderedNotebook]:
    """Each executed notebook in ``folder`` (named as in ``notebooks``) rendered as a report section."""
    import nbformat

    return [render_notebook(nbformat.read(folder / p.name, as_version=4), name=p.stem) for p in notebooks]
