"""Detection quality on the development gold set, and detection speed (one core, and end to end).

Run: .venv/bin/python benchmarks/bench_anonymise.py [--words 500000] [--skip-speed] [--skip-gold]

Quality: tests/data/anonymise/dev_gold.jsonl scored as `rmresearch anonymise evaluate` scores it (default
detector options), with the dev roster and without: PERSON token recall and precision per split (dev, heldout,
nolist, fresh), PERSON recall per name origin (lowest origin named), EMAIL/PHONE/URL/ID/POSTCODE token recall (and on
their spoken forms alone), the indirect identifiers' "flagged" recall by label, PERSON recall by transcript shape
and by passage kind.

Speed: the END-TO-END figure runs the real command, `rmresearch anonymise detect IN.jsonl --out OUT.jsonl`, as a
subprocess on a JSONL of the requested size (start-up, lexicon load, reading and writing included), words/s.
The per-layer figures time Detector.detect in this process on the same text: the gold passages and a synthetic
demo cohort's transcripts, repeated to the requested size and split into interview-sized documents. Also prints
the lexicon's load time (cold build and cached) and memory, and NLTK's NE chunker when its data is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests/data/anonymise/dev_gold.jsonl"
ROSTER = ROOT / "tests/data/anonymise/dev_roster.csv"
IDENTIFIERS = ("EMAIL", "PHONE", "URL", "ID", "POSTCODE", "HANDLE")
INDIRECT = ("ROLE", "UNIT", "DESCRIPTOR", "SPECIAL_CATEGORY", "INDIRECT")
_SPOKEN = re.compile(r"\b(?:oh|zero|one|two|three|four|five|six|seven|eight|nine|double|treble|dot|at|underscore)\b",
                     re.IGNORECASE)


def corpus(n_words: int) -> list[str]:
    from rmresearch.synthetic import generate_demo

    texts = [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()]
    with tempfile.TemporaryDirectory() as tmp:
        generate_demo(tmp, seed=11, n_students=3000, n_staff=500)
        texts += [json.loads(line)["text"] for line in
                  (Path(tmp) / "data/demo/ground_truth/identifiers.jsonl").read_text(encoding="utf-8").splitlines()]
    blob = "\n".join(texts)
    words = len(blob.split())
    blob = "\n".join([blob] * (n_words // words + 1))
    # Interview-sized documents of about 5,000 words, up to the requested size.
    docs, cur, size, total = [], [], 0, 0
    for line in blob.split("\n"):
        cur.append(line)
        size += len(line.split())
        if size >= 5000:
            docs.append("\n".join(cur))
            total += size
            cur, size = [], 0
            if total >= n_words:
                break
    if cur and total < n_words:
        docs.append("\n".join(cur))
    return docs


def _spoken_only(gold: list[dict]) -> list[dict]:
    """The gold records with only their spoken identifier spans (said in words) kept."""
    out = []
    for g in gold:
        keep = [s for s in g["label"] if s[2] != "PERSON" and _SPOKEN.search(g["text"][s[0]:s[1]])
                and not re.search(r"\w@\w", g["text"][s[0]:s[1]])]
        out.append({**g, "label": keep})
    return out


def _fmt(x: float) -> str:
    return "  -  " if x != x else f"{x:.3f}"


def gold_figures() -> None:
    from rmresearch.anonymise import Detector, Roster
    from rmresearch.anonymise.evaluate import (detect_records, evaluate_records, leak_rate, read_records,
                                               recall_by_origin, scores_by)

    gold = read_records(GOLD)
    roster = Roster.from_csv(ROSTER)
    print(f"Development gold set: {len(gold)} passages ({GOLD.relative_to(ROOT)}), default detector options")
    preds = {}
    for name, det in (("with roster", Detector(roster)), ("no roster", Detector(None))):
        preds[name] = pred = detect_records(gold, det)
        print(f"\n[{name}]")
        print(f"  {'split':<9}{'passages':>9}{'PERSON R':>10}{'PERSON P':>10}{'leak':>7}   lowest origin")
        splits = sorted({(g.get("meta") or {}).get("split", "-") for g in gold}, key=lambda x: (x != "dev", x))
        for split in (*splits, "all"):
            idx = [i for i, g in enumerate(gold) if split == "all" or (g.get("meta") or {}).get("split") == split]
            g, p = [gold[i] for i in idx], [pred[i] for i in idx]
            sc = evaluate_records(g, p)
            tok = sc[sc["level"] == "token"].set_index("label")
            o = recall_by_origin(g, p)
            low = o.loc[o["recall"].idxmin()] if len(o) else None
            lowest = f"{low.origin} {low.recall:.3f} of {len(o)} origins" if low is not None else "-"
            print(f"  {split:<9}{len(idx):>9}{_fmt(tok.loc['PERSON', 'recall']):>10}"
                  f"{_fmt(tok.loc['PERSON', 'precision']):>10}{leak_rate(g, p):>7.3f}   {lowest}")
    pred = preds["no roster"]
    sc = evaluate_records(gold, pred)
    tok = sc[sc["level"] == "token"].set_index("label")
    spoken = evaluate_records(_spoken_only(gold), pred)
    spoken_tok = spoken[spoken["level"] == "token"].set_index("label")
    print("\nIdentifiers (all passages, no roster): token recall, all forms | spoken forms only")
    for label in IDENTIFIERS:
        if label in tok.index:
            sp = spoken_tok.loc[label] if label in spoken_tok.index and spoken_tok.loc[label, "support"] else None
            sp_text = f"{_fmt(sp.recall)} ({int(sp.support)} tokens)" if sp is not None else "-"
            print(f"  {label:<10}{_fmt(tok.loc[label, 'recall']):>7} ({int(tok.loc[label, 'support'])} tokens, "
                  f"precision {_fmt(tok.loc[label, 'precision'])}) | {sp_text}")
    flag = sc[sc["level"] == "flagged"].set_index("label")
    print("Indirect identifiers (all passages): flagged recall (any indirect span covers the token), "
          "flagged precision, strict token recall")
    for label in INDIRECT:
        if label in flag.index:
            strict = _fmt(tok.loc[label, "recall"]) if label in tok.index else "  -  "
            print(f"  {label:<18}{_fmt(flag.loc[label, 'recall']):>7} ({int(flag.loc[label, 'support'])} tokens)  "
                  f"P {_fmt(flag.loc[label, 'precision'])}  strict R {strict}")
    for key in ("shape", "kind"):
        for name in ("with roster", "no roster"):
            table = scores_by(gold, preds[name], key)
            person = table[(table["label"] == "PERSON") & (table["level"] == "token")]
            cells = [f"{k} {_fmt(r)}/{_fmt(p)}" + (f" ({fp} false)" if fp else "")
                     for k, r, p, fp in zip(person["key"], person["recall"], person["precision"], person["fp"])]
            print(f"PERSON recall/precision by {key} ({name}): " + ", ".join(cells))
    o = recall_by_origin(gold, preds["no roster"])
    print("PERSON recall by origin (no roster): " + ", ".join(f"{r.origin} {r.recall:.2f}" for r in o.itertuples()))


def end_to_end(docs: list[str], n: int) -> None:
    exe = Path(sys.executable).with_name("rmresearch")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from rmresearch.cli import main; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        # A first run on one line builds the lexicon cache if this version has none yet (a one-off, timed apart).
        src.write_text(json.dumps({"text": "Ask Kwame Mensah."}) + "\n", encoding="utf-8")
        t = time.perf_counter()
        subprocess.run([*cmd, "anonymise", "detect", str(src), "--out", str(out)], capture_output=True, text=True)
        print(f"END TO END warm-up (one line; builds the lexicon cache when missing): {time.perf_counter() - t:.2f} s")
        src.write_text("".join(json.dumps({"text": d}, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
        t = time.perf_counter()
        run = subprocess.run([*cmd, "anonymise", "detect", str(src), "--out", str(out), "--roster", str(ROSTER)],
                             capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        if run.returncode:
            print(f"END TO END: the command failed ({run.returncode}): {run.stderr.strip()[-400:]}")
            return
        spans = sum(len(json.loads(line)["label"]) for line in out.read_text(encoding="utf-8").splitlines())
    print(f"END TO END `rmresearch anonymise detect` (subprocess, start-up included, roster): {n:,} words in "
          f"{elapsed:.2f} s = {n / elapsed:,.0f} words/s ({spans:,} spans, {len(docs)} lines); target >= 50,000")


def layer_speeds(docs: list[str], n: int) -> None:
    from rmresearch.anonymise import Detector, DetectorOptions, Roster
    from rmresearch.anonymise.detectors import nltk_available

    roster = Roster.from_csv(ROSTER)
    ids = {"staff_number": r"\bS\d{6}\b", "student_number": r"\b2\d{8}\b"}
    layers = tuple(x for x in DetectorOptions().layers if x != "nltk")
    detector = Detector(roster, options=DetectorOptions(layers=layers, identifiers=ids))
    detector.detect(docs[0])  # warm caches
    t = time.perf_counter()
    spans = sum(len(detector.detect(d)) for d in docs)
    elapsed = time.perf_counter() - t
    print(f"{'+'.join(layers)}: {n:,} words in {elapsed:.2f} s = {n / elapsed:,.0f} words/s "
          f"({spans:,} spans, {len(docs)} documents, one core, in process)")
    for subset in (("roster", "patterns", "speakers", "context", "lexicon"), ("roster", "patterns", "lexicon"),
                   ("patterns",), ("roster",), ("indirect",)):
        if not set(subset) <= set(layers):
            continue
        d = Detector(roster, options=DetectorOptions(layers=subset, identifiers=ids))
        t = time.perf_counter()
        for doc in docs:
            d.detect(doc)
        e = time.perf_counter() - t
        print(f"  {'+'.join(subset):<40} {n / e:>12,.0f} words/s")
    if nltk_available():
        d = Detector(roster, options=DetectorOptions(layers=("nltk",)))
        sample = docs[: max(1, len(docs) // 10)]
        m = sum(len(x.split()) for x in sample)
        t = time.perf_counter()
        for doc in sample:
            d._nltk_layer(doc)
        e = time.perf_counter() - t
        print(f"NLTK NE chunker layer alone: {m / e:,.0f} words/s")
    else:
        print("NLTK NE chunker layer: data not installed (rmresearch setup-nltk); not measured")


def lexicon_load() -> None:
    from rmresearch.anonymise import lexicon as lexmod

    with tempfile.TemporaryDirectory() as cache:
        old = os.environ.get("RMRESEARCH_CACHE_DIR")
        os.environ["RMRESEARCH_CACHE_DIR"] = cache
        try:
            tracemalloc.start()
            t = time.perf_counter()
            lexmod._LEXICON = None
            lexmod.get_lexicon()
            cold = time.perf_counter() - t
            lexmod._LEXICON = None
            t = time.perf_counter()
            lexmod.get_lexicon()
            warm = time.perf_counter() - t
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        finally:
            if old is None:
                os.environ.pop("RMRESEARCH_CACHE_DIR", None)
            else:
                os.environ["RMRESEARCH_CACHE_DIR"] = old
    print(f"lexicon: build {cold:.2f} s (first use), load from cache {warm:.2f} s, peak memory {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=500_000)
    parser.add_argument("--skip-speed", action="store_true", help="print the gold set's figures only")
    parser.add_argument("--skip-gold", action="store_true", help="print the speed figures only")
    args = parser.parse_args()
    if not args.skip_gold:
        gold_figures()
        print()
    if args.skip_speed:
        return
    docs = corpus(args.words)
    n = sum(len(d.split()) for d in docs)
    end_to_end(docs, n)
    lexicon_load()
    layer_speeds(docs, n)


if __name__ == "__main__":
    sys.exit(main())
