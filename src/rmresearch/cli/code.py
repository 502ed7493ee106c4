"""``rmresearch code ...``: suggestions, agreement and REFI-QDA exchange from the command line.

Thin wrappers over :mod:`rmresearch.coding` (cohort loading, suggestions, agreement, REFI-QDA).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .common import add_cohort_args, add_command, add_group, load_config

__all__ = ["add_commands", "cmd_suggest", "cmd_agreement", "cmd_export_qdpx", "cmd_import_qdpx", "cmd_export_qdc",
           "cmd_sheet", "cmd_read_sheet"]

GROUP = """\
    Work with codes on ANONYMISED transcripts (run the anonymiser first):
      rmresearch code suggest --cohort demo          rule-based suggestions for coders
      rmresearch code agreement codings.csv --cohort demo
                                                     agreement between coders, per code
      rmresearch code export-qdpx --cohort demo --out demo.qdpx
                                                     open in NVivo, ATLAS.ti, MAXQDA, QualCoder
      rmresearch code import-qdpx coded.qdpx --out codings.csv
                                                     bring coding done there back
      rmresearch code sheet --cohort demo --out sheet.xlsx --coder ana
                                                     a coding sheet for coders who work in Excel
      rmresearch code read-sheet sheet.xlsx --coder ana --out ana.csv
                                                     the filled sheet as codings (for code agreement)
    """

SHEET = """\
    Write an Excel coding sheet: one row per interviewee segment of the cohort's
    anonymised, consented transcripts (the segments `code suggest` works on) with
    its segment_id, transcript, the speaker's role (never a name) and text, then
    code_1, code_2, code_3 (one code ID a cell, picked from a drop-down list),
    a memo column, and the rule-based suggestions in a grey column marked
    "suggested (not a finding)". A Codes sheet lists the codebook. The sheet is
    checked by the leak audit before it is written; on any finding nothing is
    written.
    """

READ_SHEET = """\
    Read a filled coding sheet (.xlsx, or the .csv Excel saves) as the codings
    of one coder, in the coding CSV layout `code agreement` reads. Codes may be
    typed as IDs or names in any case and spacing, several in one cell
    separated by ';'. Every problem is named with its sheet, row and column.
    With --cohort, segment IDs and texts are checked against the cohort's
    transcripts and consent, and start/end offsets are filled in.
    """

SUGGEST = """\
    Split the cohort's anonymised transcripts into segments and list, for each
    segment, the codes whose rules (phrases, regular expressions) fire, with the
    rule that fired. These are prompts for a human coder to accept or reject,
    never findings. When the cohort has codings, the agreement between the
    suggestions and each coder is shown per code (precision, recall, kappa).
    Writes a CSV (segment_id, document, participant_id, code, rule_type, rule,
    matched_text, start, end, n_matches).
    """

AGREEMENT = """\
    Compare coders like NVivo's coding comparison: for each pair of coders and
    each code, the units both coded, only one coded, neither coded, percentage
    agreement, Cohen's kappa and Krippendorff's alpha, pooled over the sources
    both coders coded (per source with --by-source); then Krippendorff's alpha
    per code across all coders. Units are segments (default) or characters.
    A coder who did not code a document is missing there, not "not coded".
    """

EXPORT_QDPX = """\
    Write the cohort's anonymised transcripts, the codebook (with a set of the
    codes to apply), the codings (if any) and the consenting interviewees (as
    Cases) as a REFI-QDA project that NVivo, ATLAS.ti, MAXQDA and QualCoder open.
    Each coded passage is one selection with one code; a memo is the selection's
    description and a dated note. An attribute (role, each characteristic's
    group) goes out as a case variable only if every value of it describes at
    least the cohort's smallest cell of cases (options.disclosure.min_cell_size;
    stricter for special-category characteristics); the command names each one
    withheld and why. The file validates against the REFI-QDA 1.0 schema; the
    same inputs (and codings file) give an identical file.
    """

IMPORT_QDPX = """\
    Read a REFI-QDA project exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or
    rmresearch and write its codings as a tidy CSV (document, segment_id, start,
    end, code, coder, memo, coding_user). Offsets are 0-based, end-exclusive
    characters (code points) of the source text, converted from NVivo's UTF-16
    units when the project was written by NVivo (checked against the text);
    segment_id is filled where a coding is exactly a speaker turn. The coder is
    who made the selection; coding_user is who the Coding names. Prints the
    producer, the units read, the counts (sources, codes, codings, coders, sets,
    cases, case variables) and whatever was not imported.
    """


def _cohort_args(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    add_cohort_args(p, required=required)
    p.add_argument("--codebook", type=Path, default=None, help="codebook YAML or .qdc (default: the built-in codebook)")


def add_commands(subparsers) -> None:
    """Add ``code`` with its sub-commands ``suggest``, ``agreement``, ``export-qdpx``, ``import-qdpx``, ``export-qdc``."""
    _, sub = add_group(subparsers, "code", dest="code_command", description=GROUP,
                       help="qualitative coding: suggestions, inter-coder agreement, REFI-QDA exchange "
                            "(NVivo, ATLAS.ti, MAXQDA)")

    p = add_command(sub, "suggest", func=cmd_suggest, description=SUGGEST,
                    help="suggest codes for each segment from the codebook's rules (suggestions, not findings)")
    _cohort_args(p)
    p.add_argument("--unit", choices=("turn", "sentence", "paragraph"), default="turn", help="coding unit (default: turn)")
    p.add_argument("--all-speakers", action="store_true", help="also suggest codes for the interviewer's turns")
    p.add_argument("--out", type=Path, default=None,
                   help="CSV to write (default: suggestions.csv beside the anonymised transcripts folder)")

    p = add_command(sub, "agreement", func=cmd_agreement, description=AGREEMENT,
                    help="inter-coder agreement per code (kappa, Krippendorff's alpha, %% agreement)")
    p.add_argument("codings", type=Path, help="coding CSV (segment_id or document,start,end; code; coder; memo)")
    _cohort_args(p)
    p.add_argument("--unit", choices=("segment", "character"), default="segment", help="unit of comparison (default: segment)")
    p.add_argument("--segments", choices=("turn", "sentence", "paragraph"), default="turn",
                   help="segments used as units (default: turn)")
    p.add_argument("--by-source", action="store_true", help="show each source, not only all sources pooled")
    p.add_argument("--all-speakers", action="store_true",
                   help="also count the interviewer's turns as units, as NVivo does (default: the interviewees' only)")
    p.add_argument("--out", type=Path, default=None, help="also write the full comparison table to this CSV")

    p = add_command(sub, "export-qdpx", func=cmd_export_qdpx, description=EXPORT_QDPX,
                    help="write a REFI-QDA project (.qdpx) with transcripts, codebook, codings and participants as cases")
    _cohort_args(p)
    p.add_argument("--out", type=Path, required=True, help=".qdpx file to write")
    p.add_argument("--codings", type=Path, default=None,
                   help="coding CSV to include (default: inputs.codings of the cohort, or data/<cohort>/codings.csv)")
    p.add_argument("--no-codings", action="store_true", help="export transcripts, codebook and cases only")
    p.add_argument("--grouping", default="aggregate",
                   help="ethnicity grouping written for cases (default: aggregate, e.g. BAME/White)")

    p = add_command(sub, "import-qdpx", func=cmd_import_qdpx, description=IMPORT_QDPX,
                    help="read codings from a REFI-QDA project (.qdpx) into a coding CSV")
    p.add_argument("qdpx", type=Path, help="REFI-QDA project file (.qdpx)")
    p.add_argument("--out", type=Path, required=True, help="coding CSV to write")
    p.add_argument("--codebook-out", type=Path, default=None, help="also write the project's codebook as YAML")
    p.add_argument("--validate", action="store_true", help="check project.qde against the REFI-QDA schema first")

    p = add_command(sub, "sheet", func=cmd_sheet, description=SHEET,
                    help="write an Excel coding sheet of the interviewee segments (for coders without NVivo)")
    _cohort_args(p)
    p.add_argument("--out", type=Path, required=True, help=".xlsx file to write")
    p.add_argument("--coder", default=None, help="the coder the sheet is for (named on its About sheet)")
    p.add_argument("--unit", choices=("turn", "sentence", "paragraph"), default="turn", help="coding unit (default: turn)")
    p.add_argument("--code-columns", type=int, default=3, help="how many code columns (default: 3)")
    p.add_argument("--no-suggestions", action="store_true", help="leave out the rule-based suggestions column")

    p = add_command(sub, "read-sheet", func=cmd_read_sheet, description=READ_SHEET,
                    help="read a filled coding sheet back as one coder's codings (a coding CSV)")
    p.add_argument("sheet", type=Path, help="the filled coding sheet (.xlsx, or .csv saved from Excel)")
    _cohort_args(p, required=False)
    p.add_argument("--coder", default=None, help="whose codes these are (default: the coder named in the sheet)")
    p.add_argument("--out", type=Path, required=True, help="coding CSV to write")

    p = add_command(sub, "export-qdc", func=cmd_export_qdc, help="write the codebook as a REFI-QDA codebook (.qdc)",
                    description="Write a codebook (default: the built-in one) in the REFI-QDA codebook exchange format.")
    p.add_argument("--codebook", type=Path, default=None, help="codebook YAML (default: the built-in codebook)")
    p.add_argument("--out", type=Path, required=True, help=".qdc file to write")


def _guard(args: argparse.Namespace, path, *, config=None, inputs=()):
    """Refuse (before anything runs) an --out onto an input, a key or a folder another command owns."""
    from ..guard import check_output

    return check_output(path, owner="code", configs=[config] if config is not None else [],
                        cohorts_dir=getattr(args, "cohorts_dir", None), inputs=inputs)


def _print_table(frame: pd.DataFrame) -> None:
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.max_rows", 500):
        print(frame.to_string(index=False))


def _print_consent(data) -> None:
    """Say what consent withheld (counts only: no IDs of who declined)."""
    if data.excluded:
        print(f"Consent: {len(data.excluded)} participant(s) without consent to interview use (or withdrawn): "
              f"{data.withheld_turns} turn(s) withheld, {data.codings_dropped} coding(s) on them dropped.")


def cmd_suggest(args: argparse.Namespace) -> int:
    from ..coding.cohort import load_coding_data
    from ..coding.suggest import suggest_codes, suggestion_agreement
    from ..fileio import write_csv

    config = load_config(args)
    out = _guard(args, args.out or Path(config.outputs["anonymised"]).parent / "suggestions.csv", config=config,
                 inputs=[args.codebook])
    data = load_coding_data(config, unit=args.unit, codebook=args.codebook)
    suggestions = suggest_codes(data.segments, data.codebook, participants_only=not args.all_speakers)
    write_csv(suggestions, out)
    per_code = suggestions.groupby("code")["segment_id"].nunique()
    print(f"Suggested codes for {suggestions['segment_id'].nunique()} of {len(data.segments)} {args.unit} segments "
          f"in {len(data.texts)} transcripts (codebook: {data.codebook.source}).")
    print("These are suggestions for a coder to accept or reject, not findings.")
    _print_consent(data)
    for name in data.codebook.codable_names:
        print(f"  {name:<26} {int(per_code.get(name, 0)):>5} segment(s)")
    if data.codings is not None and len(data.codings):
        segs = data.segments if args.all_speakers else data.segments.loc[data.segments["participant_id"].notna()]
        table = suggestion_agreement(suggestions, data.codings, segs, codebook=data.codebook)
        print(f"\nAgreement of suggestions with human codings ({data.codings_path}):")
        _print_table(table.round(2))
    print(f"Written: {out}")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from ..coding.agreement import alpha_by_code, coding_comparison
    from ..coding.cohort import load_coding_data
    from ..fileio import write_csv

    config = load_config(args)
    if args.out:
        _guard(args, args.out, config=config, inputs=[args.codings, args.codebook])
    data = load_coding_data(config, unit=args.segments, codebook=args.codebook, codings=args.codings)
    codings = data.codings
    coders = sorted(codings["coder"].unique())
    if len(coders) < 2:
        raise InputError(f"{args.codings}: agreement needs codings from at least two coders; found {len(coders)} ({', '.join(coders)}).")
    speakers = "all" if args.all_speakers else "interviewees"
    table = coding_comparison(codings, data.segments, texts=data.texts, unit=args.unit, speakers=speakers)
    if args.out:
        write_csv(table, args.out)
    shown = table if args.by_source else table.loc[table["document"] == "(all sources)"]
    cols = ["coder_a", "coder_b"] + (["document"] if args.by_source else []) + [
        "code", "units", "a_and_b", "a_not_b", "b_not_a", "agreement_pct", "kappa", "alpha"]
    print(f"Coding comparison by {args.unit} ({args.segments} segments, "
          f"{'every speaker' if args.all_speakers else 'interviewees only'}), {len(coders)} coders: {', '.join(coders)}")
    _print_table(shown[cols].round({"agreement_pct": 1, "kappa": 3, "alpha": 3}))
    if args.unit == "segment":
        print("\nKrippendorff's alpha (nominal) per code across all coders:")
        _print_table(alpha_by_code(codings, data.segments, speakers=speakers).round({"alpha": 3}))
    print("\nkappa/alpha are blank (NaN) where undefined: neither coder used the code in those units.")
    if args.out:
        print(f"Written: {args.out}")
    return 0


def cmd_export_qdpx(args: argparse.Namespace) -> int:
    from ..coding.cohort import load_coding_data
    from ..coding.refi import write_project
    from ..coding.refi_cases import cohort_min_cases, export_lines

    config = load_config(args)
    _guard(args, args.out, config=config, inputs=[args.codings, args.codebook])
    codings_file = None if args.no_codings else args.codings
    data = load_coding_data(config, codebook=args.codebook, grouping=args.grouping, codings=codings_file)
    codings = None if args.no_codings else data.codings
    saved = data.codings_path if codings is not None and data.codings_path is not None else None
    created = datetime.fromtimestamp(Path(saved).stat().st_mtime, timezone.utc) if saved else None  # when the codings were saved
    _, plan = write_project(args.out, texts=data.texts, codebook=data.codebook, codings=codings,
                            participants=data.participants, segments=data.segments, name=f"{config.title}",
                            description=f"rmresearch export of cohort '{config.cohort}'", exclude=data.excluded,
                            created=created, min_cases=cohort_min_cases(config, data.characteristics))
    print("\n".join(export_lines(args.out, plan)))
    _print_consent(data)
    return 0


def _turn_segment_ids(codings: pd.DataFrame, texts) -> list:
    """The segment_id of each coding that is exactly a speaker turn (None for the others)."""
    from ..coding.segments import segment_documents

    turns = segment_documents(texts, unit="turn")
    exact = {(d, int(s), int(e)): sid for sid, d, s, e in zip(turns["segment_id"], turns["document"], turns["start"], turns["end"])}
    return [exact.get((d, int(s), int(e))) for d, s, e in zip(codings["document"], codings["start"], codings["end"])]


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    from ..coding.codebook import write_codebook
    from ..coding.codings import write_codings_csv
    from ..coding.refi import import_qdpx

    out = _guard(args, args.out, inputs=[args.qdpx])
    if args.codebook_out:
        if _guard(args, args.codebook_out, inputs=[args.qdpx]) == out:
            raise InputError(f"--out and --codebook-out are the same file ({args.out}): one would overwrite the other; "
                             "give the codebook a name of its own, e.g. codebook.yml.")
    project = import_qdpx(args.qdpx, validate=args.validate)
    codings = project.codings.copy()
    if len(codings):
        codings["segment_id"] = _turn_segment_ids(codings, project.texts)
    write_codings_csv(codings, args.out)
    if args.codebook_out:
        write_codebook(project.codebook, args.codebook_out)
    _print_qdpx_summary(project, codings)
    print(f"Written: {args.out}" + (f" and {args.codebook_out}" if args.codebook_out else ""))
    return 0


def _print_qdpx_summary(project, codings: pd.DataFrame) -> None:
    """What import-qdpx read: producer and units, counts, who coded, and every warning (what was not imported)."""
    coders = sorted(codings["coder"].unique()) if len(codings) else []
    n_sets = project.sets["set"].nunique() if len(project.sets) else 0
    print(f"Read '{project.name}', written by {project.producer}: positions read as {project.units} "
          f"({project.units_evidence}).")
    print(f"  {len(project.texts)} sources, {len(project.codebook)} codes, {len(codings)} codings by {len(coders)} "
          f"coder(s) ({', '.join(coders)}), {n_sets} sets ({len(project.sets)} members), {len(project.cases)} cases, "
          f"{len(project.cases.columns) - 2} case variables"
          + (f" ({', '.join(map(str, project.cases.columns[1:-1]))})" if len(project.cases.columns) > 2 else "")
          + (f", {len(project.source_variables.columns) - 1} source variables on {len(project.source_variables)} "
             "sources" if len(project.source_variables.columns) > 1 else "") + ".")
    if project.codings_user_differs:
        print(f"  {project.codings_user_differs} coding(s) were applied by someone other than who made the selection: "
              "coder is the selection's creatingUser, the Coding's is in the coding_user column.")
    for warning in project.warnings:
        print(f"Warning: {warning}")


def cmd_sheet(args: argparse.Namespace) -> int:
    from ..coding.sheet import write_coding_sheet

    config = load_config(args)
    out = _guard(args, args.out, config=config, inputs=[args.codebook])
    done = write_coding_sheet(config, out, codebook=args.codebook, coder=args.coder, unit=args.unit,
                              suggestions=not args.no_suggestions, code_columns=args.code_columns)
    surveys = f" and {done.survey_documents} open-text survey question(s)" if done.survey_documents else ""
    print(f"Coding sheet written: {done.path} ({done.segments} interviewee {args.unit} segments in "
          f"{done.transcripts - done.survey_documents} transcript(s){surveys}, {done.codes} codes, "
          f"{args.code_columns} code column(s)"
          + ("" if args.coder is None else f", for {args.coder}") + ").")
    if not args.no_suggestions:
        print(f"Suggestions (rules, not findings) beside {done.suggested} segment(s), in the grey column.")
    print("It holds anonymised text only and passed the leak audit. Read it back with: "
          f"rmresearch code read-sheet {done.path.name} --coder NAME --out codings.csv --cohort {config.cohort}")
    _print_consent(done.data)
    if done.pending:
        print(f"Note: {done.pending} anonymiser candidate(s) still await a decision in the review file: the sheet shows "
              f"the text as anonymised so far. Decide them, run `rmresearch anonymise run --cohort {config.cohort}` "
              "and make the sheet again before sharing it.")
    return 0


def cmd_read_sheet(args: argparse.Namespace) -> int:
    from ..coding.codings import write_codings_csv
    from ..coding.sheet_read import read_coding_sheet

    config = load_config(args) if args.cohort else None
    out = _guard(args, args.out, config=config, inputs=[args.sheet, args.codebook])
    read = read_coding_sheet(args.sheet, coder=args.coder, codebook=args.codebook, config=config)
    for problem in read.warnings:
        print(f"Warning: {problem}")
    write_codings_csv(read.codings, out)
    print(f"Read {read.sheet}: {len(read.codings)} coding(s) of {read.coded_rows} segment(s) by {read.coder} "
          f"({read.rows} row(s), {read.rows - read.coded_rows} without codes, {read.blank_rows} blank row(s) skipped).")
    if config is None:
        print("Segment IDs were checked against the sheet only; add --cohort to check them against the transcripts.")
    print(f"Written: {out}")
    return 0


def cmd_export_qdc(args: argparse.Namespace) -> int:
    from ..coding.codebook import load_codebook, write_qdc

    _guard(args, args.out, inputs=[args.codebook])
    codebook = load_codebook(args.codebook)
    write_qdc(codebook, args.out)
    print(f"REFI-QDA codebook written: {args.out} ({len(codebook)} codes)")
    return 0
