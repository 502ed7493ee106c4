"""``rmresearch survey instruments | import``: list instruments, import a survey export into the tidy layout.

Thin wrappers over :mod:`rmresearch.surveys` (instruments, export readers).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_cohort_args, add_command, load_config

__all__ = ["add_commands", "cmd_instruments", "cmd_import"]

IMPORT = """\
    Read a Qualtrics CSV/TSV/Excel export (three header rows, or the legacy format),
    a Microsoft Forms .xlsx (quizzes too), an SPSS .sav or a plain CSV, match its
    columns to the instrument's items and its respondents to participants, and write
    the tidy table. The platform's own columns (dates, progress, response IDs,
    e-mails, IP addresses, locations, quiz points...) are set aside and listed, never
    written. Every problem is listed with file, row and column. Open-text answers are
    NOT written: they must be anonymised first (rmresearch anonymise run).
    """

GROUP = """\
    Survey instruments and importers. Instruments are YAML files: shipped ones, and
    your own in surveys/instruments/ (a file there with a shipped name replaces it).
    """


def add_commands(subparsers) -> None:
    """Add the ``survey`` command group to the ``rmresearch`` argument parser."""
    survey = add_command(subparsers, "survey", description=GROUP,
                         help="survey instruments and importers (Qualtrics, Microsoft Forms, SPSS, CSV)")
    commands = survey.add_subparsers(dest="survey_command", metavar="COMMAND")
    commands.required = True

    listing = add_command(commands, "instruments", func=cmd_instruments,
                          help="list the available instruments, or print one's items and their wording",
                          description="List the shipped instruments and those in the project's surveys/instruments\n"
                                      "folder; with a NAME, print that instrument: its source, each scale's items\n"
                                      "(id, wording, response options, reversed?) and its open questions.")
    listing.add_argument("name", nargs="?", metavar="NAME", help="an instrument to print (e.g. mfq9)")
    listing.add_argument("--folder", default="surveys/instruments", help="folder of your own instruments (default: surveys/instruments)")

    imp = add_command(commands, "import", func=cmd_import, description=IMPORT,
                      help="import a survey export into the tidy layout (participant_id, wave, one column per item)")
    imp.add_argument("export", type=Path, help="the survey export file")
    imp.add_argument("--instrument", "-i", nargs="+", required=True, help="instrument name(s) or YAML path(s)")
    imp.add_argument("--wave", choices=("pre", "mid", "post"), help="wave of this file (unless it has a wave column)")
    imp.add_argument("--format", default="auto", choices=("auto", "qualtrics", "forms", "spss", "csv"),
                     help="auto (default: from the file), qualtrics (CSV/TSV/Excel with its header rows, legacy too), "
                          "forms (.xlsx), spss (.sav) or csv (one header row of column names)")
    add_cohort_args(imp, required=False, help="cohort ID or YAML: check respondents against its participants table")
    imp.add_argument("--id-column", help="column holding the participant ID (default: participant_id / ExternalReference)")
    imp.add_argument("--link", metavar="EXPORT_COLUMN=PARTICIPANTS_COLUMN",
                     help="link respondents to participants, e.g. RecipientEmail=email (Qualtrics), Email=email (Forms), "
                          "ExternalReference=participant_id; e-mails compared ignoring case and spaces (default: "
                          "participant_id, ExternalReference, then survey_id / email columns of the participants table)")
    imp.add_argument("--exclude-unfinished", action="store_true", default=None,
                     help="leave out unfinished responses (Qualtrics Finished false or Progress under 100); they are flagged either way")
    imp.add_argument("--keep-latest", action="store_true", default=None,
                     help="someone who answered twice: keep their latest finished response (default: an error naming the rows)")
    imp.add_argument("--columns", nargs="+", default=[], metavar="ITEM=COLUMN",
                     help="map items to export columns, by header or question text, e.g. --columns ps_1=Q7 "
                          "'burden_2=How much time did it take?' (for exports whose headers differ from the instrument)")
    imp.add_argument("--ignore", nargs="*", default=[], help="export columns to leave out")
    imp.add_argument("--encoding", metavar="CODEC",
                     help="codec of a CSV/TSV that is not UTF-8/UTF-16, e.g. cp1252 (older Excel 'CSV (Comma delimited)')")
    imp.add_argument("--folder", default="surveys/instruments", help="folder of your own instruments")
    imp.add_argument("--out", "-o", type=Path, required=True, help="CSV file to write")


def _link_options(args: argparse.Namespace, config) -> dict:
    """The cohort file's options.surveys (when --cohort is given), overridden by the flags given."""
    from ..surveys.respondents import parse_link, survey_settings

    options = survey_settings(config) if config is not None else {}
    if args.link:
        options["link"] = parse_link(args.link)
    if args.exclude_unfinished:
        options["exclude_unfinished"] = True
    if args.keep_latest:
        options["duplicates"] = "keep_latest"
    if args.ignore:
        options["ignore"] = [*options.get("ignore", []), *args.ignore]
    if args.columns:
        options["columns"] = {**options.get("columns", {}), **parse_columns(args.columns)}
    return options


def set_aside_text(headers: list[str], limit: int = 12) -> str:
    """The set-aside headers as a person reads them: Forms' per-question quiz columns counted, not listed.

    >>> set_aside_text(["ID", "Email", "Points - I belong", "Feedback - I belong", "Points - I matter"])
    "ID, Email, 'Points - ...' (2 questions), 'Feedback - ...' (1 question)"
    """
    plain = [h for h in headers if not h.lower().startswith(("points - ", "feedback - "))]
    shown = ", ".join(plain[:limit]) + (f" and {len(plain) - limit} more" if len(plain) > limit else "")
    for prefix in ("Points - ", "Feedback - "):
        n = sum(1 for h in headers if h.lower().startswith(prefix.lower()))
        if n:
            shown += f", '{prefix}...' ({n} question{'s' if n > 1 else ''})"
    return shown.lstrip(", ")


def parse_columns(pairs: list[str]) -> dict[str, str]:
    """``--columns ITEM=COLUMN ...`` as the export column -> item mapping ``read_responses`` takes.

    >>> parse_columns(["ps_1=Q7", "burden_2 = How much time did it take?"])
    {'Q7': 'ps_1', 'How much time did it take?': 'burden_2'}
    """
    from ..errors import ConfigError

    mapping: dict[str, str] = {}
    for pair in pairs:
        item, sep, column = pair.partition("=")
        if not sep or not item.strip() or not column.strip():
            raise ConfigError(f"--columns {pair!r}: write ITEM=COLUMN, the instrument's item id and the export's "
                              "column header or question text, e.g. --columns ps_1=Q7 (quote a column with spaces: "
                              "--columns 'ps_1=I feel safe to speak up').")
        if column.strip() in mapping:
            raise ConfigError(f"--columns: the export column {column.strip()!r} is given twice "
                              f"({mapping[column.strip()]} and {item.strip()}); map each column to one item.")
        mapping[column.strip()] = item.strip()
    return mapping


def cmd_instruments(args: argparse.Namespace) -> int:
    from ..surveys import list_instruments

    if args.name:
        from ..surveys.instruments import instrument_text, load_instrument

        print(instrument_text(load_instrument(args.name, folder=args.folder)))
        return 0
    table = list_instruments(folder=args.folder)
    print(table.to_string(index=False))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..fileio import write_csv
    from ..guard import check_output
    from ..surveys import load_instrument, read_responses

    participants = None
    folder = args.folder
    config = load_config(args, check_files=False) if args.cohort else None
    # before anything is read: never over the export, a configured input (another wave's table...) or a key
    instrument_files = [Path(i) for i in args.instrument if Path(i).suffix in (".yml", ".yaml")]
    out = check_output(args.out, owner="survey", configs=[config] if config else [], inputs=[args.export, *instrument_files])
    if config is not None:
        from ..inputs import load_table
        from ..surveys import project_instrument_folder

        participants = load_table(config, "participants")
        folder = project_instrument_folder(config)
    instrument = load_instrument(args.instrument, folder=folder)
    result = read_responses(args.export, instrument, format=args.format, wave=args.wave, participants=participants,
                            id_column=args.id_column, encoding=args.encoding, **_link_options(args, config))
    if result.set_aside:
        print(f"{len(result.set_aside)} {result.platform} metadata column(s) set aside (never written): {set_aside_text(result.set_aside)}")
    print(result.link[0].upper() + result.link[1:] + ".")
    for problem in result.problems:
        print(f"warning: {problem}")
    items = [c for c in result.responses.columns if c not in ("participant_id", "wave")]
    write_csv(result.responses.astype({c: "Int64" for c in items}), out)
    print(f"{len(result.responses)} response(s), {len(result.responses.columns) - 2} item(s) from a {result.format} export written to {args.out}")
    if len(result.open_text):
        print(f"{len(result.open_text)} open-text answer(s) were not written here: configure this export under "
              "inputs.surveys in the cohort file and `rmresearch anonymise run --cohort C` anonymises them with the "
              "interviews' key into survey_<wave>_<question>.txt for coding.")
    return 0
