"""Command-line wiring: ``rmresearch anonymise run|detect|evaluate``, ``rmresearch audit``,
``rmresearch setup-nltk``. The lead calls :func:`add_commands` from ``cli.py``."""

from __future__ import annotations

import json
import math
import sys
import textwrap
from pathlib import Path

from ..errors import InputError, RMResearchError

__all__ = ["add_commands", "cmd_run", "cmd_detect", "cmd_evaluate", "cmd_audit", "cmd_setup_nltk", "NLTK_PACKAGES"]

#: NLTK data the optional NE layer needs.
NLTK_PACKAGES = ("averaged_perceptron_tagger_eng", "maxent_ne_chunker_tab", "words")


from ..cliargs import add_cohort_args as _cohort
from ..cliargs import formatter as _fmt


def add_commands(subparsers) -> None:
    """Add ``anonymise`` (run, detect, evaluate), ``audit`` and ``setup-nltk``."""
    p = subparsers.add_parser(
        "anonymise", help="find and replace names and identifiers in interview transcripts",
        formatter_class=_fmt,
        description=textwrap.dedent("""\
            Anonymise interview transcripts. Subcommands:
              run       anonymise every raw transcript of a cohort
              detect    find identifiers in a doccano-style JSONL file
              evaluate  score detections against gold spans
            """),
    )
    sub = p.add_subparsers(dest="anonymise_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])

    r = sub.add_parser(
        "run", help="anonymise every raw transcript of a cohort", formatter_class=_fmt,
        description=textwrap.dedent("""\
            Read every transcript in the cohort's interviews folder (.txt, .docx, .vtt,
            .srt, .jsonl), find names (roster, context, name lists, capitalised unknown
            words) and identifiers (e-mail, phone, URL, postcode, handles, staff and
            student numbers), and write for each transcript:
              outputs.anonymised/<document>.txt      the anonymised text
              outputs.anonymised/<document>.log.csv  label, pseudonym, positions (no originals)
            where <document> is its document pseudonym (interview_01, interview_02...,
            given in sorted order of raw file names when first seen): a raw file name,
            which may name a person, never reaches the anonymised folder.
            The pseudonym key (0600) is kept in outputs.keys and reused, so everyone keeps
            the same pseudonym across transcripts and reruns; it also maps raw file names
            to document pseudonyms. Uncertain candidates go to review.csv beside the raw
            folder: mark 'accept' or 'reject' and run again. Turns of participants without
            interview consent (or withdrawn) are withheld. The folder, key and review file
            are replaced together: an interrupted run is finished or undone by the next.
            Raw files are never modified. Options: options.anonymise in the cohort file.
            """),
    )
    _cohort(r)
    r.add_argument("--roster", type=Path, help="roster CSV to use instead of the participants table")
    r.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    r.set_defaults(func=cmd_run)

    d = sub.add_parser(
        "detect", help="detect identifiers in doccano-style JSONL", formatter_class=_fmt,
        description=textwrap.dedent("""\
            Read IN.jsonl (one {"text": ..., ...} per line), detect identifiers and write
            OUT.jsonl with each line's "label" set to [[start, end, "LABEL"], ...] and every
            other field kept, ready to correct in doccano or Label Studio.
            """),
    )
    d.add_argument("input", type=Path, metavar="IN.jsonl")
    d.add_argument("--out", type=Path, required=True, metavar="PRED.jsonl")
    d.add_argument("--roster", type=Path, help="roster CSV (name, optional participant_id, aliases)")
    _cohort(d, required=False)
    d.set_defaults(func=cmd_detect)

    e = sub.add_parser(
        "evaluate", help="precision, recall and leak rate against gold spans", formatter_class=_fmt,
        description=textwrap.dedent("""\
            Score predictions (PRED.jsonl from `anonymise detect`, or fresh detections
            when --pred is not given) against GOLD.jsonl. Prints per-label precision,
            recall and F1 at entity level (strict: same start, end and label) and token
            level, the token leak rate, and PERSON token recall per name origin when the
            gold lines carry "spans" with an "origin".
            """),
    )
    e.add_argument("gold", type=Path, metavar="GOLD.jsonl")
    src = e.add_mutually_exclusive_group()
    src.add_argument("--pred", type=Path, metavar="PRED.jsonl", help="predictions to score")
    src.add_argument("--roster", type=Path, help="roster CSV for fresh detections")
    e.add_argument("--split", help="score only lines whose meta.split equals this (e.g. heldout)")
    e.add_argument("--no-roster", action="store_true", help="detect without any roster (with --cohort: its options only)")
    _cohort(e, required=False)
    e.set_defaults(func=cmd_evaluate)

    a = subparsers.add_parser(
        "audit", help="check files for any leaked name or identifier", formatter_class=_fmt,
        description=textwrap.dedent("""\
            Scan files and folders for any roster name or alias (whole word, any casing),
            any original in the cohort's pseudonym key and any e-mail, phone number,
            postcode, handle or configured identifier. Every file is read as its reader
            sees it: HTML and XML text and attribute values, every JSON string, every CSV
            cell, notebook sources and outputs (figures through the texts drawn in them,
            never image data), .qdpx/.docx archives member by member, and file names.
            A pseudonym key or review file inside PATH, a figure whose texts were not
            recorded and a file that cannot be read as text are findings too.
            Lists file and line with the identifier partly masked and exits with status 1
            if anything is found, 0 if the files are clean.
            With --residual, the detector's second pass lists what still looks like a name
            (not a pseudonym, ID or category word) for a person to confirm, in a private
            CSV beside the cohort's review file; it does not change the exit status.
            """),
    )
    a.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _cohort(a, required=False)
    a.add_argument("--roster", type=Path, help="roster CSV (when not auditing for a cohort)")
    a.add_argument("--residual", action="store_true",
                   help="also list remaining name-like candidates to confirm (needs --cohort)")
    a.set_defaults(func=cmd_audit)

    s = subparsers.add_parser(
        "setup-nltk", help="download the NLTK data the optional name-entity layer uses", formatter_class=_fmt,
        description=textwrap.dedent(f"""\
            Download NLTK's POS tagger and named-entity chunker data ({', '.join(NLTK_PACKAGES)})
            so the anonymiser can add NLTK's NE chunker as one more layer. Needs a network;
            everything else works without it.
            """),
    )
    s.add_argument("--dir", type=Path, default=None, help="download folder (default: NLTK's own choice)")
    s.set_defaults(func=cmd_setup_nltk)


# --------------------------------------------------------------------------- commands


def _config(args):
    from ..config import load_cohort

    return load_cohort(args.cohort, cohorts_dir=args.cohorts_dir)


def cmd_run(args) -> int:
    from .pipeline import anonymise_cohort
    from .pseudonyms import key_path
    from .review import review_path
    from .roster import load_roster

    config = _config(args)
    roster = load_roster(config, path=args.roster) if args.roster else None
    summary = anonymise_cohort(config, roster=roster, progress=not args.no_progress)
    pending = int(summary["review"].sum()) if len(summary) else 0
    print(f"Anonymised {len(summary)} transcript(s) of cohort '{config.cohort}' into {config.outputs['anonymised']}")
    labels = [c for c in summary.columns if c not in ("document", "output", "spans", "review", "WITHHELD")]
    for label in labels:
        print(f"  {label:<14} {int(summary[label].sum()):>6} replaced")
    if "WITHHELD" in summary.columns and summary["WITHHELD"].sum():
        print(f"  {int(summary['WITHHELD'].sum())} turn(s) withheld: their speaker did not consent to interview use "
              "or was withdrawn (consent_interview, options.withdrawn)")
    print(f"Key: {key_path(config)} (keep it private)")
    unmatched = summary.attrs.get("unmatched_decisions", 0)
    if unmatched:
        print(f"Warning: {unmatched} decision(s) in {review_path(config)} match no candidate of this run (their text, "
              "start or end was edited, or the transcript changed) and were not applied; those candidates are listed "
              "again, undecided.", file=sys.stderr)
    if pending:
        print(f"{pending} uncertain candidate(s) await a decision in {review_path(config)}; "
              "mark accept/reject there and run again.")
    return 0


def _detector(args):
    from .detectors import Detector
    from .pipeline import detector_for
    from .roster import load_roster

    no_roster = getattr(args, "no_roster", False)
    if getattr(args, "cohort", None):
        config = _config(args)
        if no_roster:
            from .pipeline import settings_from_config

            return Detector(None, options=settings_from_config(config)[1])
        roster = load_roster(config, path=args.roster) if args.roster else None
        return detector_for(config, roster=roster)
    return Detector(load_roster(path=args.roster) if args.roster and not no_roster else None)


def cmd_detect(args) -> int:
    from ..fileio import atomic_write
    from ..guard import check_output
    from .evaluate import detect_records, read_records

    check_output(args.out, owner="detect", configs=[_config(args)] if getattr(args, "cohort", None) else [],
                 cohorts_dir=getattr(args, "cohorts_dir", None), inputs=[args.input, args.roster])
    records = read_records(args.input)
    pred = detect_records(records, _detector(args))
    with atomic_write(args.out) as fh:
        for r in pred:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    n = sum(len(r["label"]) for r in pred)
    print(f"{n} span(s) in {len(pred)} line(s) written to {args.out}")
    return 0


def _num(x: float) -> str:
    return "   -  " if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:6.3f}"


def cmd_evaluate(args) -> int:
    from .evaluate import detect_records, evaluate_records, leak_rate, read_records, recall_by_origin

    gold = read_records(args.gold)
    if args.pred:
        pred = read_records(args.pred)
        if len(pred) != len(gold):
            raise InputError(f"{args.pred}: {len(pred)} lines but {args.gold} has {len(gold)}; they must align.")
    else:
        pred = detect_records(gold, _detector(args))
    if args.split:
        keep = [i for i, g in enumerate(gold) if (g.get("meta") or {}).get("split") == args.split]
        if not keep:
            raise InputError(f"{args.gold}: no line has meta.split == {args.split!r}.")
        gold = [gold[i] for i in keep]
        pred = [pred[i] for i in keep]
    scores = evaluate_records(gold, pred)
    print(f"{len(gold)} line(s) scored")
    print(f"{'label':<16}{'level':<8}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for row in scores.itertuples():
        print(f"{row.label:<16}{row.level:<8}{_num(row.precision):>10}{_num(row.recall):>8}{_num(row.f1):>8}{row.support:>9}")
    print(f"token leak rate: {leak_rate(gold, pred):.4f}")
    origins = recall_by_origin(gold, pred)
    if len(origins):
        print("PERSON token recall by name origin:")
        for row in origins.itertuples():
            print(f"  {row.origin:<24}{row.recall:7.3f}  ({row.found}/{row.tokens} tokens)")
        gap = origins["recall"].max() - origins["recall"].min()
        print(f"  largest gap between origins: {gap * 100:.1f} points")
    return 0


def cmd_audit(args) -> int:
    from .audit import audit_paths, audit_shareable, format_findings, residual_candidates, write_residual
    from .roster import load_roster

    config = None
    if args.residual and not args.cohort:
        raise InputError("audit --residual needs --cohort: the candidates are written beside the cohort's review file.")
    if args.cohort:
        config = _config(args)
        for p in args.paths:
            if not Path(p).exists():
                raise InputError(f"{p}: no such file or folder to audit.")
        findings = audit_shareable(config, args.paths)
        if args.roster:
            findings += audit_paths(args.paths, roster=load_roster(config, path=args.roster))
    elif args.roster:
        findings = audit_paths(args.paths, roster=load_roster(path=args.roster))
    else:
        raise InputError("audit needs --cohort (roster, key and identifier formats) or --roster.")
    if config is not None and args.residual:
        candidates = residual_candidates(config, args.paths)
        target = write_residual(config, candidates)
        print(f"{len(candidates)} name-like candidate(s) await confirmation: {target} (private: it quotes the text; "
              "mark each row's 'confirmed' as name or not, and anonymise again if any is a name).")
    if findings:
        print(format_findings(findings))
        files = len({f.file for f in findings})
        print(f"LEAK: {len(findings)} identifier(s) found in {files} file(s). Do not share these files.")
        return 1
    print(f"Audit passed: no roster name, key original or pattern identifier in {', '.join(map(str, args.paths))}.")
    return 0


def cmd_setup_nltk(args) -> int:
    try:
        import nltk
    except ImportError:  # pragma: no cover
        print("NLTK is not installed: pip install nltk", file=sys.stderr)
        return 1
    failed = []
    for package in NLTK_PACKAGES:
        try:
            ok = nltk.download(package, download_dir=str(args.dir) if args.dir else None, quiet=True, raise_on_error=True)
        except Exception as exc:  # noqa: BLE001 - urllib and socket errors of every kind
            ok = False
            reason = str(exc)
        else:
            reason = ""
        if not ok:
            failed.append((package, reason))
    if failed:
        print("Could not download NLTK data: the network (or the NLTK data server) is unreachable from this machine.",
              file=sys.stderr)
        for package, reason in failed:
            print(f"  {package}: {reason or 'download failed'}", file=sys.stderr)
        print("Anonymisation works without it (roster, patterns, context and name lists); the NLTK layer stays off. "
              "On a machine with a network, run `rmresearch setup-nltk` again, or copy an nltk_data folder here.",
              file=sys.stderr)
        return 1
    print(f"NLTK data installed: {', '.join(NLTK_PACKAGES)}. The anonymiser will now use NLTK's NE chunker too.")
    return 0
