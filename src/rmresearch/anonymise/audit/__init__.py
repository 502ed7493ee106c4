"""Leak audit: look for any identifier in files meant to be shared.

Every file is read as what a reader of it sees:

- HTML, XML, SVG, ``.qdc``: text nodes, comments and every attribute value
  (``title=``, ``alt=``, ``name=``...), entities decoded; CSS and image data skipped;
- JSON and JSONL: every string, keys included (numbers are not text, except whole
  numbers, which may be IDs); notebooks: cell sources, text, HTML and Markdown
  outputs and the figure texts :mod:`rmresearch.plots` records (titles, labels,
  ticks, legends, annotations, alt text), never the image data; a figure whose
  texts were not recorded cannot be checked and is a finding;
- CSV and TSV: every cell;
- zip archives (``.qdpx``, ``.docx``, ``.xlsx``, ``.zip``): every member by its
  kind (``project.qde`` as XML: source, code, user, case and project names,
  notes, descriptions, variable values; ``sources/*.txt`` as text);
- file and folder names (``interview_Kwame_Mensah.txt`` names a person);
- a pseudonym key, a review file or a residual-candidates file inside an audited
  folder is a finding; so is a file whose content cannot be read as text (an
  image, a PDF), because nobody can say it is clean.

It looks for

- every roster name and alias, whole word, in any casing (a name part that is
  also a common word, like *Hope* or *Young*, only where written as a name:
  capitalised inside a sentence, together with the person's other name, or in a
  self-introduction or address in any case, "i'm favour i study"; one
  that is also an ethnicity or colour word, like *White* or *Black*, only in a
  name context: after a title, before *said* or a possessive, as a speaker label);
- every original recorded in the cohort's pseudonym key;
- every pattern identifier (e-mail, phone, postcode, handle, configured IDs).

Base64 data, ``data:`` URIs, hashes, UUIDs, timestamps and long decimals are
blanked first: they are not text and read like phone numbers.

Findings name file and line and show the identifier partly masked
(``K**** M*****``), so the audit report is itself safe to share.

:func:`residual_candidates` is the second pass: the detector run over the same
text lists what still looks like a name, for a person to confirm.

Examples
--------
>>> mask("Kwame Mensah"), mask("k.mensah@anytown.ac.uk")
('K**** M*****', 'k.m*****@a******.a*.u*')
"""

from .findings import Finding, format_findings, mask
from .needles import CATEGORY_WORDS
from .reading import AUDIT_SUFFIXES, FIGURE_TEXT_KEY, MAX_AUDIT_BYTES, text_units
from .residual import RESIDUAL_COLUMNS, residual_candidates, residual_path, write_residual
from .scan import audit_cohort, audit_paths, audit_shareable, audit_texts

__all__ = ["Finding", "audit_paths", "audit_cohort", "audit_shareable", "audit_texts", "mask", "AUDIT_SUFFIXES",
           "format_findings", "text_units", "residual_candidates", "residual_path", "write_residual", "FIGURE_TEXT_KEY",
           "MAX_AUDIT_BYTES", "CATEGORY_WORDS", "RESIDUAL_COLUMNS"]
