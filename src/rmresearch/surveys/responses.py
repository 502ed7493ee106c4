"""Survey responses: an export matched to an instrument and to the participants, every problem named.

:func:`read_responses` reads one export (through :func:`rmresearch.io.surveys.read_export`:
Qualtrics CSV/TSV, Forms ``.xlsx``, SPSS ``.sav``, plain CSV) and matches its
columns to items by item id, then by question text (Qualtrics' second header
row, the Forms header, the SPSS variable label), or by an explicit
``columns=`` mapping. Every problem is reported with the file, row and column:
unknown participants, answers out of range, text answers matching no response
option, columns that are not items of the instrument.

:func:`load_surveys` reads every wave a cohort configures; :func:`survey_problems`
runs the same reads for ``rmresearch validate`` and returns the problems
instead of raising, so validate accepts what the report reads and rejects
what it would refuse.

Open-text answers are returned apart from the scored items
(:attr:`SurveyImport.open_text`): they may name people and must be anonymised
before they are shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError, ConfigError, InputError, Problem, ValidationError
from ..io.surveys import RawExport, cell_text, keep_items, normalise_label as _norm, read_export
from .instruments import WAVES, Instrument, Scale, list_instruments, load_instrument, project_instrument_folder
from .respondents import Link, drop_rows, identify, parse_link, repeated_responses, survey_settings, unfinished_rows

__all__ = ["SurveyImport", "REPORT_SCALES", "read_responses", "load_surveys", "survey_instrument", "survey_problems"]

#: Scales the programme report (notebook 05) cannot do without: the Likert chart draws psychological safety, and
#: reciprocity and burden compare each pair's partners on the reciprocity scale.
REPORT_SCALES = {"psychological_safety": "the chart of answers item by item", "reciprocity": "each side's gains, by pair"}
#: How to map and leave out columns, in both places a user can say it.
_COLUMNS_ADVICE = "--columns ITEM=COLUMN (cohort file: options: surveys: {columns: {ITEM: COLUMN}})"
_IGNORE_ADVICE = "--ignore COLUMN (cohort file: options: surveys: {ignore: [COLUMN]})"


@dataclass
class SurveyImport:
    """Result of :func:`read_responses`.

    Attributes
    ----------
    responses : DataFrame
        ``participant_id, wave`` then one float column per item found (codes of
        the instrument's response options; missing answers are NaN).
    open_text : DataFrame
        ``participant_id, wave, question, answer``: free text, NOT anonymised.
        Pass it through :mod:`rmresearch.anonymise` before showing any of it.
    problems : list of Problem
        Warnings (errors raise :class:`~rmresearch.errors.ValidationError`).
    columns : dict
        Export column -> item or open question id, as matched.
    source, format : str
    link : str
        How respondents were linked to participants (a sentence: which export column, which participants' column).
    unfinished : list of int
        Rows (as a person sees them) of unfinished responses (Qualtrics' Finished false or Progress under 100).
    excluded : list of int
        Rows left out: unfinished responses with ``exclude_unfinished``, repeated ones with ``duplicates="keep_latest"``.
    """

    responses: pd.DataFrame
    open_text: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    source: str = ""
    format: str = ""
    link: str = ""
    unfinished: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)
    platform: str = ""


def _match_columns(raw: RawExport, instrument: Instrument, columns: Mapping[str, str] | None, ignore: Iterable[str], id_index: int, wave_index: int | None, source: str) -> tuple[dict[int, str], list[Problem]]:
    """Column index -> item id / open question id; problems for columns that match nothing."""
    problems: list[Problem] = []
    targets = {i: ("item", i) for i in instrument.item_ids}
    targets.update({q.id: ("open", q.id) for q in instrument.open_questions})
    by_id = {_norm(k): k for k in targets}
    by_text: dict[str, str] = {_norm(instrument.item(i).text): i for i in instrument.item_ids}
    by_text.update({_norm(q.text): q.id for q in instrument.open_questions})
    explicit = {str(k).strip(): v for k, v in (columns or {}).items()}
    for export_col, target in explicit.items():
        if target not in targets:
            raise AnalysisError(f"--columns {target}={export_col}: {target!r} is not an item or open question of instrument "
                                f"{instrument.name!r}; map the export column to one of {', '.join(instrument.item_ids[:8])}"
                                f"{' ...' if len(instrument.item_ids) > 8 else ''}"
                                f"{' or the open questions ' + ', '.join(q.id for q in instrument.open_questions) if instrument.open_questions else ''} "
                                f"({_COLUMNS_ADVICE}).")
    ignored = {_norm(c) for c in ignore}
    explicit_keys = {_norm(k): v for k, v in explicit.items()}
    used: set[str] = set()
    mapping: dict[int, str] = {}
    for index, (col_id, text) in enumerate(zip(raw.ids, raw.texts)):
        if index in (id_index, wave_index) or not col_id:
            continue
        key = _norm(col_id)
        hit = explicit_keys.get(key, explicit_keys.get(_norm(text)) if text else None)  # by header, then question text
        if hit is not None:
            mapping[index] = hit
            used.add(hit)
            continue
        if index in raw.metadata_columns and key not in by_id:  # the platform's own (dates, Points - Q...), unless an item id
            continue
        if key in ignored or (text is not None and _norm(text) in ignored):
            continue
        if key in by_id:
            mapping[index] = by_id[key]
            continue
        if text or col_id:  # a plain CSV's one header row may hold the question's wording itself
            t = _norm(text or col_id)
            hit = by_text.get(t)
            if hit is None:
                # Qualtrics matrix: "Stem - item text"; Forms Likert: "Stem.Item text".
                ends = [v for k, v in by_text.items() if t.endswith(k) and (len(t) == len(k) or t[len(t) - len(k) - 1] in " -.:")]
                hit = ends[0] if len(ends) == 1 else None
            if hit is not None:
                mapping[index] = hit
                continue
        if key in raw.meta or key.startswith("q_") or key in ("wave",):
            continue
        shown = f"'{col_id}'" + (f" ('{text[:60]}')" if text and text != col_id else "")
        problems.append(
            Problem(
                source,
                f"column {shown} is not an item of instrument '{instrument.name}' (items: {', '.join(instrument.item_ids[:6])}"
                f"{' ...' if len(instrument.item_ids) > 6 else ''}). Add the item to the instrument YAML, map it with "
                f"--columns ITEM='{col_id}' (cohort file: options: surveys: {{columns: {{ITEM: '{col_id}'}}}}), or leave "
                f"it out with --ignore '{col_id}' (cohort file: options: surveys: {{ignore: ['{col_id}']}}).",
                column=col_id,
            )
        )
    for export_col, target in explicit.items():
        if target not in used:
            problems.append(Problem(source, f"--columns {target}={export_col}: the export has no column headed or "
                                    f"worded '{export_col}' (columns: {', '.join(c for c in raw.ids[:20] if c)}); "
                                    "correct the column name", column=export_col))
    seen: dict[str, int] = {}
    for index, target in mapping.items():
        if target in seen:
            problems.append(Problem(source, f"columns '{raw.ids[seen[target]]}' and '{raw.ids[index]}' both match item '{target}'; map one explicitly with {_COLUMNS_ADVICE}", column=raw.ids[index]))
        seen[target] = index
    return mapping, problems


def _find_column(raw: RawExport, wanted: str | None, candidates: Sequence[str], what: str, source: str, required: bool) -> int | None:
    names = [_norm(c) for c in raw.ids]
    texts = [_norm(t) if t else "" for t in raw.texts]
    if wanted is not None:
        for pool in (names, texts):
            if _norm(wanted) in pool:
                return pool.index(_norm(wanted))
        raise InputError(f"{source}: no column '{wanted}' for the {what}. Columns: {', '.join(raw.ids[:30])}.")
    for candidate in candidates:
        for pool in (names, texts):
            if candidate in pool:
                return pool.index(candidate)
    if required:
        raise InputError(f"{source}: cannot find the {what} column (looked for {', '.join(candidates)}). "
                         f"Columns: {', '.join(raw.ids[:30])}.")
    return None




def _convert_item(values: pd.Series, scale: Scale, labels: dict[Any, str] | None) -> tuple[pd.Series, dict[str, list[int]]]:
    """Codes for one item column; positions of bad cells by kind of problem."""
    by_label = {_norm(v): k for k, v in scale.options.items()}
    out = np.full(len(values), np.nan)
    bad: dict[str, list[int]] = {"range": [], "text": [], "multi": [], "label": []}
    for pos, value in enumerate(values):
        if labels:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            key = float(value) if isinstance(value, (int, float, np.number)) else value
            label = labels.get(key, labels.get(int(key)) if isinstance(key, float) and key.is_integer() else None)
            if label is None:
                bad["range"].append(pos)
                continue
            code = by_label.get(_norm(label))
            if code is None:
                bad["label"].append(pos)
                continue
            out[pos] = code
            continue
        text = cell_text(value)
        if text is None:
            continue
        if ";" in text.strip(";"):
            bad["multi"].append(pos)
            continue
        text = text.strip(";").strip()
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None:
            if number.is_integer() and int(number) in scale.options:
                out[pos] = number
            else:
                bad["range"].append(pos)
            continue
        code = by_label.get(_norm(text))
        if code is None:
            # "4 - Agree" / "Agree (4)" style labels
            m = re.fullmatch(r"\s*(\d+)\s*[-=:.)]\s*(.+)|(.+?)\s*\(\s*(\d+)\s*\)\s*", text)
            if m:
                num = m.group(1) or m.group(4)
                lab = m.group(2) or m.group(3)
                if int(num) in scale.options and _norm(lab) == _norm(scale.options[int(num)]):
                    code = int(num)
        if code is None:
            bad["text"].append(pos)
        else:
            out[pos] = code
    return pd.Series(out, index=values.index), bad


def _rows_list(rows: list[int], limit: int = 8) -> str:
    shown = ", ".join(map(str, rows[:limit]))
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")



@dataclass
class _Keys:
    """Who answered each response row and in which wave, with the rows a person sees."""

    ids: pd.Series
    waves: pd.Series
    rows: np.ndarray
    id_column: str


def _respondents(raw: RawExport, who, wave_index: int | None, wave: str | None, source: str) -> tuple[_Keys, list[Problem]]:
    """Participant IDs (``who``: :class:`~rmresearch.surveys.respondents.Respondents`) and waves of the responses;
    problems for waves that disagree."""
    problems: list[Problem] = []
    rows = np.asarray(raw.rows)
    ids = who.ids
    if wave_index is None:
        waves = pd.Series([wave] * len(raw.body), index=raw.body.index)
        return _Keys(ids, waves, rows, who.column), problems
    waves = raw.body[wave_index].map(cell_text).str.lower()
    bad_wave = (~waves.isin(WAVES)).to_numpy()
    if bad_wave.any():
        problems.append(Problem(source, f"wave is not one of {', '.join(WAVES)} on row(s) {_rows_list(rows[bad_wave].tolist())}", row=int(rows[bad_wave][0]), column=raw.ids[wave_index]))
    if wave is not None:
        other = (waves.notna() & (waves != wave)).to_numpy() & ~bad_wave
        if other.any():
            problems.append(Problem(source, f"this file is configured as wave '{wave}' but row(s) {_rows_list(rows[other].tolist())} say another wave", row=int(rows[other][0]), column=raw.ids[wave_index]))
    return _Keys(ids, waves, rows, who.column), problems


def _keep(keys: _Keys, raw: RawExport, mask: np.ndarray) -> tuple[_Keys, RawExport]:
    """Keys and export without the rows where ``mask`` is true."""
    keep = ~mask
    kept = _Keys(keys.ids.loc[keep].reset_index(drop=True), keys.waves.loc[keep].reset_index(drop=True), keys.rows[keep], keys.id_column)
    return kept, drop_rows(raw, mask)


def _answer_message(kind: str, target: str, cells: pd.Series, positions: list[int], rows: np.ndarray, scale: Scale, labels: dict | None) -> str:
    """The problem message for the bad answers of one kind in one item column."""
    shown = ", ".join(f"row {rows[p]} ('{cells.iloc[p]}')" for p in positions[:8])
    more = f" and {len(positions) - 8} more" if len(positions) > 8 else ""
    allowed = ", ".join(f"{k} = {v}" for k, v in scale.options.items())
    if kind == "range":
        return f"answer(s) out of range for item {target}: {shown}{more}; allowed codes: {allowed}"
    if kind == "text":
        return f"answer(s) matching no response option of item {target}: {shown}{more}; options: {allowed}"
    if kind == "multi":
        return f"more than one answer to single-answer item {target}: {shown}{more}"
    coded = ", ".join(f"row {rows[p]} (code {cells.iloc[p]!r} = {labels.get(cells.iloc[p])!r})" for p in positions[:8])
    return (f"value label(s) matching no response option of item {target}: {coded}{more}; options: {allowed}. "
            "Fix the labels in SPSS or the instrument's response_options")


def _answers(raw: RawExport, mapping: dict[int, str], instrument: Instrument, keys: _Keys, source: str) -> tuple[pd.DataFrame, list[dict], list[Problem]]:
    """Item codes (one column per matched item), open-text rows and the problems with the answers."""
    responses = pd.DataFrame({"participant_id": keys.ids, "wave": keys.waves})
    open_rows: list[dict] = []
    problems: list[Problem] = []
    for index, target in mapping.items():
        col_name, cells = raw.ids[index], raw.body[index]
        if target not in instrument.item_ids:
            for pid, w, answer in zip(keys.ids, keys.waves, cells.map(cell_text)):
                if answer is not None:
                    open_rows.append({"participant_id": pid, "wave": w, "question": target, "answer": answer})
            continue
        scale = instrument.scale_of(target)
        labels = raw.value_labels.get(col_name)
        converted, bad = _convert_item(cells, scale, labels)
        for kind, positions in bad.items():
            if positions:
                message = _answer_message(kind, target, cells, positions, keys.rows, scale, labels)
                problems.append(Problem(source, message, row=int(keys.rows[positions[0]]), column=col_name))
        responses[target] = converted.to_numpy()
    return responses, open_rows, problems


def _coverage_problems(instrument: Instrument, responses: pd.DataFrame, keys: _Keys, participants: pd.DataFrame | None, source: str) -> list[Problem]:
    """Warnings: scales with items missing from the export; answers from roles a scale is not meant for."""
    problems: list[Problem] = []
    for scale in instrument.scales:
        got = [i for i in scale.item_ids if i in responses.columns]
        if got and len(got) < len(scale.item_ids):
            missing = [i for i in scale.item_ids if i not in got]
            problems.append(Problem(source, f"scale {scale.name}: item(s) {', '.join(missing)} not found in the export; scores use the items present", severity="warning"))
    present = [i for i in instrument.item_ids if i in responses.columns]
    if participants is None or "role" not in participants.columns or not present:
        return problems
    roles = dict(zip(participants["participant_id"].astype(str), participants["role"]))
    role_of = keys.ids.map(roles)
    for scale in instrument.scales:
        got = [i for i in scale.item_ids if i in responses.columns]
        if not got:
            continue
        answered = responses[got].notna().any(axis=1) & role_of.notna() & ~role_of.isin(scale.answered_by)
        if answered.any():
            problems.append(Problem(source, f"{int(answered.sum())} respondent(s) with roles {', '.join(sorted(set(role_of[answered])))} answered scale {scale.name}, which is meant for {', '.join(scale.answered_by)}; their answers are kept", row=int(keys.rows[answered.to_numpy()][0]), severity="warning"))
    return problems


def read_responses(
    path: str | Path,
    instrument: Instrument,
    *,
    format: str = "auto",
    wave: str | None = None,
    participants: pd.DataFrame | None = None,
    id_column: str | None = None,
    columns: Mapping[str, str] | None = None,
    ignore: Iterable[str] = (),
    sheet: str | int = 0,
    link: Link | str | Mapping[str, str] | None = None,
    exclude_unfinished: bool = False,
    duplicates: str = "error",
    encoding: str | None = None,
) -> SurveyImport:
    """Read a survey export and match it to an instrument and to participants.

    Parameters
    ----------
    path
        Qualtrics CSV/TSV export (three header rows; TSV may be UTF-16),
        Microsoft Forms ``.xlsx``, SPSS ``.sav`` or a plain CSV with a header row.
    instrument
        The scales asked (see :func:`load_instrument`); combine several with a list.
    format
        ``"auto"`` (from the extension and content), ``"qualtrics"``, ``"forms"``,
        ``"spss"`` or ``"csv"``.
    encoding
        Codec of a CSV/TSV export that is not UTF-8/UTF-16 (``"cp1252"``; ``--encoding`` on the command line).
    wave
        ``"pre"``, ``"mid"`` or ``"post"``; required unless the file has a ``wave`` column.
    participants
        The participants table: every respondent's ID must be in its
        ``participant_id`` column (else an error names the row). With a ``role``
        column, answers to scales not meant for a role give a warning.
    id_column
        The export column holding participant IDs (the same as ``link=(id_column, "participant_id")``).
    link
        How respondents are linked to participants: a :class:`~rmresearch.surveys.respondents.Link`, or
        ``"RecipientEmail=email"`` (export column = participants' column; values compared ignoring case and
        spaces). By default: a ``participant_id`` column, else ``ExternalReference`` holding participant IDs, else an
        ID column matching the participants' ``survey_id``, else an e-mail column matching their ``email``
        (:func:`rmresearch.surveys.respondents.identify`). The responses carry ``participant_id`` only.
    exclude_unfinished
        Leave out unfinished responses (Qualtrics: Finished false or Progress under 100); they are flagged either way.
    duplicates
        ``"error"`` (a person answering the wave twice is an error naming the rows) or ``"keep_latest"`` (keep each
        person's latest finished response, with a warning naming the rows left out).
    columns
        Explicit mapping of export columns to item ids, for exports whose
        column names and question wording differ from the instrument's.
    ignore
        Export columns to leave out (e.g. demographic questions).

    Returns
    -------
    SurveyImport
        ``responses`` (codes as floats), ``open_text`` (not anonymised),
        warnings in ``problems`` and the column matches.

    Raises
    ------
    InputError
        The file cannot be read or has no ID column.
    ValidationError
        Listing every problem with file, row and column: unknown participant
        IDs, duplicate respondents, answers out of range, text answers that
        match no response option, several answers to a single-answer item,
        columns that are not items of the instrument.

    Notes
    -----
    Answers may be codes (``4``) or labels (``Agree``, matched ignoring case and
    spacing, or ``4 - Agree``). For SPSS files with value labels, each code is
    translated through its label to the instrument's code, so a file coded
    ``1 = Strongly agree`` is read correctly; a label matching no response
    option is an error. Qualtrics preview responses are left out with a
    warning and ``-99`` ("seen but unanswered") is read as missing.
    """
    if wave is not None and wave not in WAVES:
        raise AnalysisError(f"wave must be one of {', '.join(WAVES)}, not {wave!r} (the wave of {path}).")
    if participants is not None and "participant_id" not in participants.columns:
        raise AnalysisError("participants: the table has no participant_id column; pass the validated table "
                            "(rmresearch.inputs.load_table(config, 'participants')).")
    link = parse_link(link) if link is not None else (parse_link(id_column, "--id-column") if id_column else None)
    raw = keep_items(read_export(path, format=format, sheet=sheet, encoding=encoding), instrument.item_ids)
    source = str(Path(path))
    problems: list[Problem] = list(raw.warnings)
    unfinished, flagged = unfinished_rows(raw, exclude_unfinished, source)
    problems += flagged
    unfinished_at = [int(r) for r, u in zip(raw.rows, unfinished) if u]
    excluded = list(unfinished_at) if exclude_unfinished else []
    if exclude_unfinished and unfinished.any():
        raw = drop_rows(raw, unfinished)
        if len(raw.body) == 0:
            raise InputError(f"{source}: every response is unfinished, and --exclude-unfinished "
                             "(options.surveys.exclude_unfinished) leaves them all out.")
    who, link_problems = identify(raw, participants, link, source)
    wave_index = _find_column(raw, None, ("wave",), "wave", source, required=False)
    if wave is None and wave_index is None:
        raise InputError(f"{source}: no 'wave' column; say which wave this file holds with --wave pre (or post).")
    mapping, match_problems = _match_columns(raw, instrument, columns, ignore, who.index, wave_index, source)
    problems += match_problems
    if not mapping:
        problems.append(Problem(source, f"no column matches an item of instrument '{instrument.name}'. Check the instrument, or map columns with {_COLUMNS_ADVICE}."))
    keys, key_problems = _respondents(raw, who, wave_index, wave, source)
    drop, repeat_problems = repeated_responses(raw, keys.ids, keys.waves, duplicates, who.column, source)
    problems += link_problems + key_problems + repeat_problems
    if drop.any():
        excluded += [int(r) for r in keys.rows[drop]]
        keys, raw = _keep(keys, raw, drop)
    responses, open_rows, answer_problems = _answers(raw, mapping, instrument, keys, source)
    problems += answer_problems + _coverage_problems(instrument, responses, keys, participants, source)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
    present = [i for i in instrument.item_ids if i in responses.columns]
    return SurveyImport(
        responses=responses[["participant_id", "wave", *present]].reset_index(drop=True),
        open_text=pd.DataFrame(open_rows, columns=["participant_id", "wave", "question", "answer"]),
        problems=problems,
        columns={raw.ids[i]: t for i, t in mapping.items()},
        source=source,
        format=raw.format,
        link=who.description,
        unfinished=unfinished_at,
        excluded=sorted(excluded),
        set_aside=raw.set_aside,
        platform=raw.platform,
    )


def survey_instrument(config, instrument: Instrument | None = None) -> Instrument:
    """The instrument a cohort's surveys are read with: ``instrument`` if given, else the instruments named in
    ``options.survey_instruments_used``, else every instrument available (shipped and in the project's
    ``surveys/instruments``)."""
    if instrument is not None:
        return instrument
    folder = project_instrument_folder(config)
    names = (config.options or {}).get("survey_instruments_used") or list(list_instruments(folder=folder)["instrument"])
    return load_instrument(list(names), folder=folder)


def _configured_waves(config) -> dict[str, Path]:
    waves = config.inputs.get("surveys") or {}
    if not waves:
        raise InputError(f"{config.path}: no surveys are configured (inputs: surveys: {{pre: ..., post: ...}}).")
    return waves


def load_surveys(config, instrument: Instrument | None = None, *, participants: pd.DataFrame | None = None, **options) -> SurveyImport:
    """Read every survey wave configured for a cohort (``inputs.surveys``) into one import.

    ``instrument`` defaults to :func:`survey_instrument` (the instruments named in
    the cohort's ``options.survey_instruments_used`` or, failing that, every
    instrument available). The cohort file's ``options.surveys`` (link,
    exclude_unfinished, duplicates, columns, ignore: :func:`~rmresearch.surveys.respondents.survey_settings`) and
    other options go to :func:`read_responses`; the lists of rows (``unfinished``, ``excluded``) follow the waves' order.
    """
    waves = _configured_waves(config)
    instrument = survey_instrument(config, instrument)
    options = {**survey_settings(config), **options}
    parts = [read_responses(path, instrument, wave=wave, participants=participants, **options) for wave, path in waves.items()]
    responses = pd.concat([p.responses for p in parts], ignore_index=True)
    ordered = ["participant_id", "wave"] + [i for i in instrument.item_ids if i in responses.columns]
    return SurveyImport(
        responses=responses[ordered],
        open_text=pd.concat([p.open_text for p in parts], ignore_index=True),
        problems=[q for p in parts for q in p.problems],
        columns={k: v for p in parts for k, v in p.columns.items()},
        source="; ".join(p.source for p in parts),
        format="; ".join(sorted({p.format for p in parts})),
        link="; ".join(dict.fromkeys(p.link for p in parts)),
        unfinished=[r for p in parts for r in p.unfinished],
        excluded=[r for p in parts for r in p.excluded],
    )


def _as_problem(exc: Exception, file: str) -> Problem:
    message = str(exc)
    return Problem(file, message.removeprefix(f"{file}: "))


def survey_problems(config, tables: Mapping[str, pd.DataFrame], *, instrument: Instrument | None = None, **options) -> list[Problem]:
    """Every problem :func:`load_surveys` would raise or warn about, for ``rmresearch validate``.

    Each configured wave is read through :func:`read_responses`, exactly as
    the report reads it, with the participants in ``tables`` (the tables
    validate has read; without ``participants`` unknown respondents are not
    checked). Unlike :func:`load_surveys` it does not stop at the first bad
    wave: unreadable exports, respondents not in the participants table,
    answers outside the instrument's scale, duplicate respondents and
    unmatched columns are all returned, with the warnings. When every wave
    reads and the cohort has pairs and meetings (so the programme report
    runs), the scales that report cannot do without (:data:`REPORT_SCALES`)
    must be in the instrument and have answers.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> config = SimpleNamespace(inputs={"surveys": {"pre": Path("no/such/pre.csv")}}, options={},
    ...                          root=Path("."), path=Path("cohort.yml"))
    >>> [str(p) for p in survey_problems(config, {})]
    ['no/such/pre.csv: file not found.']
    """
    waves = config.inputs.get("surveys") or {}
    if not waves:
        return []
    try:
        instrument = survey_instrument(config, instrument)
    except ConfigError as exc:
        return [_as_problem(exc, str(config.path))]
    participants = tables.get("participants")
    problems: list[Problem] = []
    columns: set[str] = set()
    try:
        options = {**survey_settings(config), **options}
    except ConfigError as exc:
        return [_as_problem(exc, str(config.path))]
    for wave, path in waves.items():
        try:
            read = read_responses(path, instrument, wave=wave, participants=participants, **options)
        except ValidationError as exc:
            problems += exc.problems
            continue
        except (InputError, ConfigError) as exc:
            problems.append(_as_problem(exc, str(path)))
            continue
        problems += read.problems
        columns.update(read.responses.columns)
    # the programme report runs when pairs and meetings are configured too (notebook 05's "requires")
    runs_programme_report = all(config.inputs.get(name) is not None for name in ("pairs", "meetings"))
    if runs_programme_report and not any(p.severity == "error" for p in problems):
        problems += _report_problems(config, instrument, columns)
    return problems


def _report_problems(config, instrument: Instrument, columns: set[str]) -> list[Problem]:
    """The scales the programme report needs (:data:`REPORT_SCALES`): in the instrument, with items in the exports."""
    problems = []
    for name, use in REPORT_SCALES.items():
        if name not in instrument.scale_names:
            problems.append(Problem(str(config.path), f"the programme report needs the {name} scale ({use}), but the survey "
                                    f"instruments ({instrument.name}) do not have it; add {name} to "
                                    "options.survey_instruments_used", column="options.survey_instruments_used"))
        elif not set(instrument.scale(name).item_ids) & columns:
            problems.append(Problem("; ".join(map(str, config.inputs["surveys"].values())),
                                    f"the programme report needs answers to the {name} scale ({use}), but no survey "
                                    f"export has its items ({', '.join(instrument.scale(name).item_ids)}); add them to "
                                    "the post-programme survey"))
    return problems
