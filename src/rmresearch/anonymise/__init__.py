"""Anonymisation of interview transcripts: detect, pseudonymise, review, audit, evaluate.

Typical use::

    rmresearch anonymise run --cohort demo
    rmresearch audit interviews/demo/anonymised --cohort demo

From Python:

>>> from rmresearch.anonymise import Detector, PseudonymKey, anonymise_text
>>> text, log = anonymise_text("Thanks, Dr Nkemdirim, for the call.", Detector(), PseudonymKey())
>>> text
'Thanks, Dr [PERSON_1], for the call.'
"""

from .audit import Finding, audit_cohort, audit_paths, mask
from .detectors import Detector, DetectorOptions, nltk_available, tokenize
from .evaluate import detect_records, evaluate_records, leak_rate, recall_by_origin
from .indirect import SUGGESTIONS, find_indirect, merge_indirect
from .lexicon import Lexicon, get_lexicon
from .pipeline import AnonymiseSettings, anonymisation_summary, check_anonymised, anonymise_cohort, anonymise_text, settings_from_config
from .pseudonyms import PseudonymKey, key_path
from .review import ReviewQueue, review_path
from .roster import Person, Roster, load_roster
from .spans import Span, merge_spans

__all__ = [
    "Span", "merge_spans", "Detector", "DetectorOptions", "tokenize", "nltk_available", "Lexicon", "get_lexicon",
    "Roster", "Person", "load_roster", "PseudonymKey", "key_path", "ReviewQueue", "review_path",
    "AnonymiseSettings", "anonymise_text", "anonymise_cohort", "anonymisation_summary", "check_anonymised", "settings_from_config",
    "Finding", "audit_paths", "audit_cohort", "mask", "evaluate_records", "leak_rate", "recall_by_origin", "detect_records",
    "find_indirect", "merge_indirect", "SUGGESTIONS",
]
