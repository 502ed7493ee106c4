"""rmresearch: evaluate reciprocal and reverse mentoring schemes for race equality.

Reproducible, privacy-safe evaluation: anonymise interview transcripts, code
qualitative themes, analyse awarding gaps, staff progression and the programme
itself, and report each cohort through parameterised notebooks.
"""

__version__ = "0.1.0"
