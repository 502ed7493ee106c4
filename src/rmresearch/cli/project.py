"""``rmresearch demo | validate | report | schema``: the project's own commands.

Thin wrappers: each parses, calls the package (:mod:`rmresearch.synthetic`, :mod:`rmresearch.inputs`,
:mod:`rmresearch.report`, :mod:`rmresearch.schemas`) and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .common import EXIT_USER_ERROR, add_cohort_args, add_command, load_config

__all__ = ["add_commands", "cmd_demo", "cmd_validate", "cmd_report", "cmd_schema"]

DEMO = """\
    Write a realistic, entirely synthetic institution and mentoring cohort:
    about 20,000 student records, 3,000 staff over eight yearly snapshots,
    26 mentoring pairs with meetings, pre and post surveys and about 15
    interview transcripts (.txt, .docx, WebVTT). The same seed always gives
    identical files. The injected truth (effects, every identifier's span)
    is written to data/demo/ground_truth/ so analyses can be checked.

    Files written below OUT: cohorts/demo.yml, data/demo/, surveys/demo/,
    interviews/demo/raw/. Beside it, one cohort per other scheme shape, each
    with its own ground truth: a reverse-mentoring STEMM cohort (14 pairs,
    about 4,000 students and 1,200 staff over six censuses, studied by
    disability, sex, sexual orientation and ethnicity: cohorts/stemm.yml,
    data/stemm/, surveys/stemm/, interviews/stemm/raw/) and a community-leaders
    cohort (senior leaders and external partners, an outcomes log, no student
    or staff records: cohorts/community.yml, data/community/, ...).

    With --pilot, a pilot-shaped cohort instead: 12 pairs (24 participants),
    4 interviews (one of a participant without interview consent), exports with
    title and totals rows, labels and UK dates,
    in cohorts/pilot.yml, data/pilot/, surveys/pilot/, interviews/pilot/raw/.
    """

VALIDATE = """\
    Read the cohort configuration and every input it names, check each table
    against its schema (columns, types, codes, unique IDs) and the references
    between tables, and list every problem at once with file, row and column.
    Exit status 0 when there are no errors (warnings are listed), 2 otherwise.
    """

REPORT = """\
    Validate the cohort's inputs, then execute every numbered notebook in
    notebooks/ with papermill for the cohort and write reports/<cohort>/:
    report.html (title page, executive summary, a section per notebook
    without code, figures with alt text, methods and data-quality appendix,
    reproducibility record), a page per notebook, index.html, each
    notebook's key results (NN_name.results.json) and run.json. Every page
    works offline. A failing notebook is named with its cell; the previous
    report is left unchanged.

    Reruns reuse a notebook's outputs when nothing it depends on changed
    (notebook, cohort file, inputs, rmresearch code, package versions);
    --force runs everything again.

    --cohort all builds every cohort in the cohorts folder, --jobs at a
    time in separate processes, then the cross-cohort trends
    (reports/trends/). A failing cohort is reported and the others go on;
    the exit status is non-zero if any failed.

    --release also runs the release gate: the leak audit over the whole
    report folder, a check that every table shown went through
    disclosure control, disclosure settings at least the HESA minimums
    and no absolute path in any file. The report is marked releasable
    (release.json) only if all pass; otherwise it is not installed (the
    previous report stays), the command says why and exits non-zero.

    report.pdf beside report.html is the same report printed by headless
    Chromium (A4, a new page per section, the draft / releasable / internal
    banner and "Page N of M" on every page). It is written when Chromium is
    found (sudo apt-get install chromium), audited with the report, and, with
    --release, only for a report that passed. --no-pdf leaves it out.
    """


def add_commands(subparsers) -> None:
    """Add ``demo``, ``validate``, ``report`` and ``schema``."""
    from ..schemas import SCHEMAS

    p = add_command(subparsers, "demo", func=cmd_demo, description=DEMO,
                    help="write the synthetic demo cohort (data, transcripts, surveys, ground truth)")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.add_argument("--out", type=Path, default=Path("."), help="project folder to write into (default: current folder)")
    p.add_argument("--students", type=int, default=None,
                   help="number of student records (default 20000; 3000 with --pilot; the STEMM cohort: at most 4000)")
    p.add_argument("--staff", type=int, default=None,
                   help="number of staff (default 3000; 600 with --pilot; the STEMM cohort: at most 1200)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--pilot", action="store_true",
                   help="write the pilot-shaped cohort (12 pairs, cohorts/pilot.yml) instead of the full demo")

    p = add_command(subparsers, "validate", func=cmd_validate, description=VALIDATE,
                    help="check a cohort's configuration and every input table, listing all problems")
    add_cohort_args(p)

    p = add_command(subparsers, "report", func=cmd_report, description=REPORT,
                    help="execute the report notebooks for a cohort into reports/<cohort>/")
    add_cohort_args(p, allow_all=True)
    p.add_argument("--notebooks", type=Path, default=None, help="folder of report notebooks (default: ./notebooks)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: outputs.reports in the cohort file; with --cohort all, "
                        "the folder that gets one subfolder per cohort)")
    p.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="run only these notebooks (e.g. 00 or 00_overview)")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="processes to run side by side: cohorts with --cohort all, else notebooks (default 1)")
    p.add_argument("--force", action="store_true", help="run every notebook, even those whose inputs did not change")
    p.add_argument("--release", action="store_true",
                   help="run the release gate (leak audit, disclosure check) and mark the report releasable")
    p.add_argument("--audience", choices=("public", "internal"), default=None,
                   help="who the report is for; must agree with options.disclosure.audience in the cohort file. "
                        "A release is public unless --release --audience internal asks for an internal one")
    p.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                   help="also write report.pdf (and reports/trends/report.pdf), printed by headless Chromium: the "
                        "status banner and 'Page N of M' on every page. Default: when Chromium is found (else a note "
                        "says how to install it); --pdf fails without one; --no-pdf never")
    p.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    p = add_command(subparsers, "schema", func=cmd_schema, help="describe the columns an input table needs",
                    description="Print the columns, types and allowed codes of an input table, "
                                "e.g. `rmresearch schema students`.")
    p.add_argument("table", choices=sorted(SCHEMAS), help="table name")


def _print_summary(cohort: str, summary: dict | None, args: argparse.Namespace) -> None:
    print(f"Synthetic {cohort} cohort written below {args.out.resolve()} (seed {args.seed}).")
    for key, value in (summary or {}).items():
        if isinstance(value, (int, float, str)):
            print(f"  {key}: {value}")


def cmd_demo(args: argparse.Namespace) -> int:
    from ..synthetic import generate_demo, generate_pilot, generate_stemm

    if getattr(args, "pilot", False):
        sizes = {"n_students": args.students or 3000, "n_staff": args.staff or 600}
        summary = generate_pilot(args.out, seed=args.seed, progress=not args.quiet, **sizes)
        if not args.quiet:
            _print_summary("pilot", summary, args)
            print("Next: rmresearch validate --cohort pilot")
        return 0
    sizes = {"n_students": args.students or 20000, "n_staff": args.staff or 3000}
    summaries = {"demo": generate_demo(args.out, seed=args.seed, progress=not args.quiet, **sizes)}
    # The STEMM cohort keeps its own small default size (about 4,000 students, 1,200 staff a census) unless the
    # sizes asked for are smaller (a quick --students 2000 --staff 300 demo stays quick).
    stemm_sizes = {"n_students": min(4000, sizes["n_students"]), "n_staff": min(1200, sizes["n_staff"])}
    stemm_sizes = {k: max(v, 300) for k, v in stemm_sizes.items()}
    summaries["stemm"] = generate_stemm(args.out, seed=args.seed, progress=not args.quiet, **stemm_sizes)
    from ..synthetic.community import generate_community

    summaries["community"] = generate_community(args.out, seed=args.seed, quiet=args.quiet)
    if not args.quiet:
        for cohort, summary in summaries.items():
            _print_summary(cohort, summary, args)
        print("Next: rmresearch report --cohort all")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ..inputs import validate_cohort

    config = load_config(args)
    tables, problems = validate_cohort(config)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    from ..config import TABLE_INPUTS

    for name in TABLE_INPUTS:  # every configured table, in order; one with errors is named beside its errors
        if name in tables:
            print(f"  {name:<13} {len(tables[name]):>7,} rows  {config.input_path(name)}")
        elif config.inputs.get(name) is not None:
            print(f"  {name:<13} {'errors':>12}  {config.input_path(name)} (below)")
    if "participants" in tables and not any(p.column == "options.withdrawn" for p in errors):
        from ..consent import consent_exclusions, consent_summary

        people = tables["participants"]
        if (people["cohort"].astype(str) == config.cohort).any():
            people = people.loc[people["cohort"].astype(str) == config.cohort]
        print(consent_summary(consent_exclusions(config, people)))
    for p in warnings:
        print(f"warning: {p}")
    for p in errors:
        print(f"error: {p}")
    if errors:
        print(f"{len(errors)} error(s), {len(warnings)} warning(s) in cohort '{config.cohort}'. Fix the files named above; nothing was changed.")
        return EXIT_USER_ERROR
    print(f"Cohort '{config.cohort}' is valid ({len(warnings)} warning(s)).")
    return 0


def _user_error(message: str) -> int:
    print(f"rmresearch report: {message}", file=sys.stderr)
    return EXIT_USER_ERROR


def _report_all(args: argparse.Namespace) -> int:
    """``report --cohort all``: every cohort file, ``--jobs`` at a time, then the trends."""
    from ..config import find_cohort_file, list_cohorts
    from ..report import build_reports

    from ..report.pdf import find_chromium

    names = list_cohorts(args.cohorts_dir)
    if not names:
        return _user_error(f"no cohort files (*.yml) in {args.cohorts_dir}")
    if args.only:
        return _user_error("--only cannot be combined with --cohort all")
    files = [find_cohort_file(n, args.cohorts_dir) for n in names]
    print(f"Building {len(files)} cohort report(s) with {args.jobs} process(es): {', '.join(names)}")

    def done(outcome):
        state = "ok" if outcome.ok else "FAILED"
        print(f"  {outcome.cohort:<16} {state:<7} {outcome.seconds:6.1f} s  {outcome.message.splitlines()[0] if outcome.ok else ''}")
        if not outcome.ok:
            for line in outcome.message.splitlines():
                print(f"      {line}")
        elif outcome.out_dir and find_chromium() is not None:  # Chromium found but could not print: say why
            try:
                note = json.loads((Path(outcome.out_dir) / "run.json").read_text(encoding="utf-8")).get("pdf_note")
            except (OSError, ValueError):
                note = None
            if note:
                print(f"      {note}")

    _pdf_missing_note(args)
    outcomes = build_reports(files, jobs=args.jobs, notebooks_dir=args.notebooks, out_root=args.out,
                             force=args.force, release=args.release, audience=args.audience, on_done=done,
                             pdf=args.pdf)
    failed = [o.cohort for o in outcomes if not o.ok]
    if failed:
        print(f"{len(failed)} of {len(outcomes)} report(s) failed: {', '.join(failed)}. The others were written.",
              file=sys.stderr)
        return 1
    print(f"All {len(outcomes)} report(s) written.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..report import build_report

    if args.jobs < 1:
        return _user_error("--jobs must be at least 1")
    if args.cohort == "all":
        return _report_all(args)
    config = load_config(args)
    results = build_report(
        config, notebooks_dir=args.notebooks, out_dir=args.out, progress=not args.no_progress, only=args.only,
        force=args.force, jobs=args.jobs, release=args.release, audience=args.audience, pdf=args.pdf,
    )
    out = (args.out or config.outputs["reports"]).resolve()
    reused = sum(r.cached for r in results)
    print(f"Report for cohort '{config.cohort}': {len(results)} notebook(s) in {out}"
          + (f" ({reused} reused unchanged from the previous run)" if reused else ""))
    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    for item in record.get("skipped", []):
        print(f"  {item['reason']}")
    if args.release:
        print("Release checks passed: the report is marked releasable (release.json)"
              + (" to an internal audience only: it shows exact small counts and says so on every page."
                 if config.disclosure.audience == "internal" else "."))
    print(f"Open {out / 'report.html'}" + (f" (printed: {out / 'report.pdf'})" if record.get("pdf") else ""))
    if record.get("pdf_note"):
        print(record["pdf_note"])
    return 0


def _pdf_missing_note(args: argparse.Namespace) -> None:
    """``--cohort all`` without --pdf/--no-pdf and no Chromium: one note before the builds, not one per cohort."""
    from ..report.pdf import find_chromium, missing_note

    if args.pdf is None and find_chromium() is None:
        print(missing_note())


def cmd_schema(args: argparse.Namespace) -> int:
    from ..schemas import SCHEMAS

    schema = SCHEMAS[args.table]
    print(f"{schema.name}: {schema.description}")
    if schema.key:
        groups = " + its group column(s)" if schema.group_columns else ""
        print(f"Unique key: {' + '.join(schema.key)}{groups}")
    print()
    for col in schema.columns:
        flags = [col.kind, "required" if col.required else "optional"]
        if col.nullable:
            flags.append("may be empty")
        print(f"  {col.name:<20} {', '.join(flags)}")
        if col.description:
            print(f"  {'':<20} {col.description}")
        if col.allowed:
            print(f"  {'':<20} allowed: {', '.join(map(str, col.allowed))}")
    if schema.group_columns:
        print(f"  {'<group column>':<20} text, required (at least one)")
        print(f"  {'':<20} named like {' or '.join(schema.group_columns)}: ethnicity_group, disability_group, "
              "disability_by_sex")
    return 0
