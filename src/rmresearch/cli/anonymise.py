"""``rmresearch anonymise run | detect | evaluate``: the anonymiser from the command line.

Thin wrappers over :mod:`rmresearch.anonymise` (pipeline, detectors, evaluation).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

from ..errors import InputError
from .common import add_cohort_args, add_command, add_group, load_config

__all__ = ["add_commands", "cmd_run", "cmd_detect", "cmd_evaluate"]

GROUP = """\
    Anonymise interview transcripts. Subcommands:
      run       anonymise every raw transcript of a cohort
      detect    find identifiers in a doccano-style JSONL file
      evaluate  score detections against gold spans
    """

RUN = """\
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
    folder: mark 'accept' or 'reject' and run again. Indirect identifiers (roles
    such as "the Dean of Law", small units, unique descriptors, special-category
    disclosures) always go there with a suggested generalisation ("[a senior
    leader]"): accept replaces the words by it (edit it first to change them),
    reject keeps them; undecided, the labels in options.anonymise.generalise
    (default ROLE, UNIT, DESCRIPTOR) are generalised and special categories
    kept. Turns of participants without
    interview consent (or withdrawn) are withheld. The folder, key and review file
    are replaced together: an interrupted run is finished or undone by the next.
    Raw files are never modified. Options: options.anonymise in the cohort file.
    Text transcripts must be UTF-8 (or carry a byte-order mark); one saved in
    another encoding (old Windows software: cp1252) is refused with the line
    and byte where it stops being UTF-8. Name its encoding with --encoding
    cp1252 for one run, or for good (validate and report read it too) in the
    cohort file: 'inputs: interviews: {path: interviews/raw, encoding: cp1252}'.
    Files of that folder that are valid UTF-8 are still read as UTF-8.
    """

DETECT = """\
    Read IN.jsonl (one {"text": ..., ...} per line), detect identifiers and write
    OUT.jsonl with each line's "label" set to [[start, end, "LABEL"], ...] and every
    other field kept, ready to correct in doccano or Label Studio. Labels: PERSON,
    EMAIL, PHONE, URL, POSTCODE, HANDLE, STAFF_NUMBER, STUDENT_NUMBER, ID_NUMBER, and
    the indirect identifiers ROLE, UNIT, DESCRIPTOR and SPECIAL_CATEGORY, whose
    suggested generalisations go in "meta": {"suggestions": [[start, end,
    "[a senior leader]", kind], ...]}.
    """

EVALUATE = """\
    Score predictions (PRED.jsonl from `anonymise detect`, or fresh detections
    when --pred is not given) against GOLD.jsonl. Prints per-label precision,
    recall and F1 at entity level (strict: same start, end and label) and token
    level (staff, student and other ID numbers together as ID), the indirect
    identifiers (ROLE, UNIT, DESCRIPTOR, SPECIAL_CATEGORY) as "flagged" (a gold
    token counts as found when any indirect span covers it), the token leak rate,
    PERSON token recall per name origin when the gold lines carry "spans" with an
    "origin", and the token scores by meta.shape, meta.kind and meta.split when
    the gold lines carry them.
    """


def add_commands(subparsers) -> None:
    """Add ``anonymise`` with its subcommands ``run``, ``detect`` and ``evaluate``."""
    _, sub = add_group(subparsers, "anonymise", dest="anonymise_command", description=GROUP,
                       help="find and replace names and identifiers in interview transcripts")

    r = add_command(sub, "run", func=cmd_run, description=RUN, help="anonymise every raw transcript of a cohort")
    add_cohort_args(r)
    r.add_argument("--roster", type=Path, help="roster CSV to use instead of the participants table")
    r.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    r.add_argument("--encoding", type=_encoding, metavar="CODEC",
                   help="encoding of text transcripts that are not UTF-8, e.g. cp1252, for this run only (overrides "
                        "the cohort file's inputs.interviews.encoding, which validate and report read)")

    d = add_command(sub, "detect", func=cmd_detect, description=DETECT, help="detect identifiers in doccano-style JSONL")
    d.add_argument("input", type=Path, metavar="IN.jsonl")
    d.add_argument("--out", type=Path, required=True, metavar="PRED.jsonl")
    d.add_argument("--roster", type=Path, help="roster CSV (name, optional participant_id, aliases)")
    add_cohort_args(d, required=False)

    e = add_command(sub, "evaluate", func=cmd_evaluate, description=EVALUATE,
                    help="precision, recall and leak rate against gold spans")
    e.add_argument("gold", type=Path, metavar="GOLD.jsonl")
    src = e.add_mutually_exclusive_group()
    src.add_argument("--pred", type=Path, metavar="PRED.jsonl", help="predictions to score")
    src.add_argument("--roster", type=Path, help="roster CSV for fresh detections")
    e.add_argument("--split", help="score only lines whose meta.split equals this (e.g. heldout)")
    e.add_argument("--no-roster", action="store_true", help="detect without any roster (with --cohort: its options only)")
    add_cohort_args(e, required=False)


def _encoding(value: str) -> str:
    """``--encoding``: a text encoding's codec name, or the usage error naming it."""
    from ..errors import ConfigError
    from ..io.text import check_encoding

    try:
        return check_encoding(value, "--encoding")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--encoding: ")) from None


def cmd_run(args: argparse.Namespace) -> int:
    from ..anonymise.pipeline import anonymise_cohort, indirect_sentence
    from ..anonymise.pseudonyms import key_path
    from ..anonymise.review import review_path
    from ..anonymise.roster import load_roster
    from ..anonymise.spans import INDIRECT_LABELS

    config = load_config(args)
    if args.encoding:
        config = dataclasses.replace(config, encodings={**config.encodings, "interviews": args.encoding})
    roster = load_roster(config, path=args.roster) if args.roster else None
    summary = anonymise_cohort(config, roster=roster, progress=not args.no_progress)
    pending = int(summary["review"].sum()) if len(summary) else 0
    open_text = summary.attrs.get("open_text")
    surveys = len(open_text.documents) if open_text is not None else 0
    print(f"Anonymised {len(summary) - surveys} transcript(s)" + (f" and {surveys} survey document(s)" if surveys else "")
          + f" of cohort '{config.cohort}' into {config.outputs['anonymised']}")
    labels = [c for c in summary.columns
              if c not in ("document", "output", "spans", "review", "kept", "WITHHELD", *INDIRECT_LABELS)]
    for label in labels:
        print(f"  {label:<14} {int(summary[label].sum()):>6} replaced")
    indirect = summary.attrs.get("indirect")
    if indirect is not None and len(indirect):
        print(f"  {indirect_sentence(indirect)}")
        for label, rows in indirect.groupby("label", sort=False):
            print(f"    {label:<18}" + ", ".join(f"{int(r.mentions)} {r.outcome}" for r in rows.itertuples()))
    if "WITHHELD" in summary.columns and summary["WITHHELD"].sum():
        print(f"  {int(summary['WITHHELD'].sum())} turn(s) withheld: their speaker did not consent to interview use "
              "or was withdrawn (consent_interview, options.withdrawn)")
    if open_text is not None:  # the cohort configures surveys: what became of their open-text answers
        from ..surveys.opentext import open_text_sentence

        sentence = open_text_sentence(open_text)
        if open_text.problem:
            print(f"Warning: {sentence}", file=sys.stderr)
        elif sentence:
            print(f"  {sentence}")
    print(f"Key: {key_path(config)} (keep it private)")
    unmatched = summary.attrs.get("unmatched_decisions", 0)
    if unmatched:
        print(f"Warning: {unmatched} decision(s) in {review_path(config)} match no candidate of this run (their text, "
              "start or end was edited, or the transcript changed) and were not applied; those candidates are listed "
              "again, undecided.", file=sys.stderr)
    for line in summary.attrs.get("no_speakers", []):  # transcripts in which no speaker is found, by name
        print(f"Warning: {line}", file=sys.stderr)
    for line in summary.attrs.get("suggestion_conflicts", []):
        print(f"Warning: {line}", file=sys.stderr)
    waiting = int(indirect.loc[indirect["outcome"].str.endswith("awaiting review"), "mentions"].sum()) \
        if indirect is not None and len(indirect) else 0
    if pending:
        print(f"{pending} candidate(s) await a decision in {review_path(config)}; mark accept/reject there and run again."
              + (f" Of these, {waiting} {'is an indirect identifier' if waiting == 1 else 'are indirect identifiers'} "
                 "(roles, units, unique descriptors, special categories): accept replaces the words by the "
                 "suggestion column (edit it to change the words used), reject keeps them." if waiting else ""))
    return 0


def _detector(args: argparse.Namespace):
    from ..anonymise.detectors import Detector
    from ..anonymise.pipeline import detector_for
    from ..anonymise.roster import load_roster

    no_roster = getattr(args, "no_roster", False)
    if getattr(args, "cohort", None):
        config = load_config(args)
        if no_roster:
            from ..anonymise.pipeline import settings_from_config

            return Detector(None, options=settings_from_config(config)[1])
        roster = load_roster(config, path=args.roster) if args.roster else None
        return detector_for(config, roster=roster)
    return Detector(load_roster(path=args.roster) if args.roster and not no_roster else None)


def cmd_detect(args: argparse.Namespace) -> int:
    from ..anonymise.evaluate import detect_records, read_records
    from ..fileio import atomic_write
    from ..guard import check_output

    check_output(args.out, owner="detect", configs=[load_config(args)] if getattr(args, "cohort", None) else [],
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


def _print_scores_by(gold: list, pred: list, key: str) -> None:
    from ..anonymise.evaluate import scores_by

    if not any(key in (g.get("meta") or {}) for g in gold):
        return
    table = scores_by(gold, pred, key)
    print(f"by {key}: PERSON token recall/precision, identifiers (other labels) recall, indirect flagged recall")
    for value, rows in table.groupby("key", sort=True):
        tok = rows[rows["level"] == "token"].set_index("label")
        parts = []
        if "PERSON" in tok.index:
            r = tok.loc["PERSON"]
            parts.append(f"PERSON R {_num(r.recall).strip()} P {_num(r.precision).strip()} ({r.support} tokens, "
                         f"{r.fp} false)")
        others = tok.drop(index=[x for x in ("PERSON", "ROLE", "UNIT", "DESCRIPTOR", "SPECIAL_CATEGORY",
                                             "LOCATION", "ORG") if x in tok.index])
        if len(others) and others["support"].sum():
            tp, n = int(others["tp"].sum()), int(others["support"].sum())
            parts.append(f"identifiers R {tp / n:.3f} ({n})")
        flag = rows[(rows["level"] == "flagged") & (rows["label"] == "INDIRECT")]
        if len(flag) and flag["support"].iloc[0]:
            parts.append(f"indirect flagged R {_num(flag['recall'].iloc[0]).strip()} ({flag['support'].iloc[0]})")
        print(f"  {value:<16}{int(rows['passages'].iloc[0]):>4} passages  " + "; ".join(parts or ["no gold spans"]))


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..anonymise.evaluate import detect_records, evaluate_records, leak_rate, read_records, recall_by_origin

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
    print(f"{'label':<18}{'level':<9}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for row in scores.itertuples():
        print(f"{row.label:<18}{row.level:<9}{_num(row.precision):>10}{_num(row.recall):>8}{_num(row.f1):>8}"
              f"{row.support:>9}")
    print(f"token leak rate: {leak_rate(gold, pred):.4f}")
    origins = recall_by_origin(gold, pred)
    if len(origins):
        print("PERSON token recall by name origin:")
        for row in origins.itertuples():
            print(f"  {row.origin:<24}{row.recall:7.3f}  ({row.found}/{row.tokens} tokens)")
        low = origins.loc[origins["recall"].idxmin()]
        gap = origins["recall"].max() - origins["recall"].min()
        print(f"  lowest origin: {low.origin} {low.recall:.3f}; largest gap between origins: {gap * 100:.1f} points")
    for key in ("shape", "kind", "split"):
        _print_scores_by(gold, pred, key)
    return 0
