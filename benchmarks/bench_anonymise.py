"""Detection speed: words per second on one core.

Run: .venv/bin/python benchmarks/bench_anonymise.py [--words 500000]

Text: the hand-written gold passages and a synthetic demo cohort's transcripts,
repeated to the requested size and split into interview-sized documents. Prints
words/s for the roster + patterns + lexicon (+ context, speakers) layers, and for
NLTK's NE chunker separately when its data is installed. Also prints the lexicon's
load time (cold build and cached) and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus(n_words: int) -> list[str]:
    from rmresearch.synthetic import generate_demo

    texts = [json.loads(line)["text"] for line in (ROOT / "tests/data/anonymise/dev_gold.jsonl").read_text().splitlines()]
    with tempfile.TemporaryDirectory() as tmp:
        generate_demo(tmp, seed=11, n_students=3000, n_staff=500)
        texts += [json.loads(line)["text"] for line in
                  (Path(tmp) / "data/demo/ground_truth/identifiers.jsonl").read_text().splitlines()]
    blob = "\n".join(texts)
    words = len(blob.split())
    blob = "\n".join([blob] * (n_words // words + 1))
    # Interview-sized documents of about 5,000 words.
    lines = blob.split("\n")
    docs, cur, size = [], [], 0
    for line in lines:
        cur.append(line)
        size += len(line.split())
        if size >= 5000:
            docs.append("\n".join(cur))
            cur, size = [], 0
    if cur:
        docs.append("\n".join(cur))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=500_000)
    args = parser.parse_args()
    from rmresearch.anonymise import lexicon as lexmod

    with tempfile.TemporaryDirectory() as cache:
        os.environ["RMRESEARCH_CACHE_DIR"] = cache
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
    print(f"lexicon: build {cold:.2f} s (first use), load from cache {warm:.2f} s, peak memory {peak:.0f} MB")

    from rmresearch.anonymise import Detector, DetectorOptions, Roster
    from rmresearch.anonymise.detectors import nltk_available

    roster = Roster.from_csv(ROOT / "tests/data/anonymise/dev_roster.csv")
    docs = corpus(args.words)
    n = sum(len(d.split()) for d in docs)
    ids = {"staff_number": r"\bS\d{6}\b", "student_number": r"\b2\d{8}\b"}
    layers = ("roster", "patterns", "speakers", "context", "lexicon")
    detector = Detector(roster, options=DetectorOptions(layers=layers, identifiers=ids))
    detector.detect(docs[0])  # warm caches
    t = time.perf_counter()
    spans = sum(len(detector.detect(d)) for d in docs)
    elapsed = time.perf_counter() - t
    print(f"roster+patterns+speakers+context+lexicon: {n:,} words in {elapsed:.2f} s = {n / elapsed:,.0f} words/s "
          f"({spans:,} spans, {len(docs)} documents, one core)")
    for subset in (("roster", "patterns", "lexicon"), ("patterns",), ("roster",)):
        d = Detector(roster, options=DetectorOptions(layers=subset, identifiers=ids))
        t = time.perf_counter()
        for doc in docs:
            d.detect(doc)
        e = time.perf_counter() - t
        print(f"  {'+'.join(subset):<28} {n / e:>12,.0f} words/s")
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


if __name__ == "__main__":
    sys.exit(main())
