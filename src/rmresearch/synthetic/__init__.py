"""The synthetic demo cohort, generated with a known truth.

:func:`generate_demo` writes a complete, invented cohort (programme records,
institutional records, surveys and interview transcripts) in the layout of
``data/demo_cohort.yml``, plus the truth every analysis should recover
(``data/demo/ground_truth/``):

- ``effects.json``: every effect injected into the tables (model coefficients,
  hazard ratios, relative likelihoods, survey changes) with the rates realised
  in this draw;
- ``identifiers.jsonl``: one line per transcript, doccano-style (``text`` and
  ``label``) with richer ``spans`` (who each name refers to, and its origin)
  and ``turns`` (speaker, times, theme codes).

Everything is deterministic: the same ``seed`` gives byte-identical files,
Word documents included (fixed zip timestamps and core properties). Each table
draws from its own random stream, ``numpy.random.default_rng([seed, k])``, so
changing ``n_students`` does not change the transcripts or the staff records.

Every name is invented by combining a first name and a surname from the pools
in ``rmresearch/data/demo/names.json``; phone numbers come from Ofcom's ranges reserved for drama; emails use
the fictional ``anytown.ac.uk``; postcodes use the non-existent ``AN`` area.

Span conventions in ``identifiers.jsonl``: offsets are 0-based, end-exclusive
character offsets into the canonical text ``"\\n".join(f"{speaker}: {text}")``;
spans never overlap; a title is not part of a PERSON span (``Professor
Okonkwo`` marks ``Okonkwo``) and neither is a possessive ``'s``; a building or
street named after a person is one LOCATION span, not a PERSON.

The package's modules, one per part of the cohort: ``people`` (the roster and
the people it mentions), ``programme`` (participants, pairs, meetings,
sessions, record linkage), ``surveys``, ``students``, ``staff`` (snapshots and
recruitment), ``interviews`` (what is said) and ``writers`` (.txt, .docx and
.vtt files with their spans), ``institution`` (faculties, roles and the
injected models), ``texts`` (the name pools and interview text, read from
``rmresearch/data/demo/``) and ``cohort`` (:func:`generate_demo`).

:func:`generate_pilot` (module ``pilot``) writes a second, pilot-shaped cohort beside it
(``cohorts/pilot.yml``, ``data/pilot/``): 12 pairs, four interviews (one of a participant without interview consent), exports with title
and totals rows, labels instead of codes and UK dates.

:func:`generate_stemm` (module ``stemm``) writes the reverse-mentoring STEMM cohort (``cohorts/stemm.yml``,
``data/stemm/``): 14 pairs of junior reverse mentors from under-represented groups and senior reverse mentees,
staff and students carrying disability, sex, sexual orientation and ethnicity codes, with an injected promotion
gap for disabled staff and a disability x sex attainment gap (``effects.json``, part ``stemm``).
"""

from .cohort import generate_demo
from .pilot import generate_pilot
from .stemm import generate_stemm
from .surveys import REVERSE_KEYED, SCALES
from .texts import THEMES

__all__ = ["generate_demo", "generate_pilot", "generate_stemm", "THEMES", "SCALES", "REVERSE_KEYED"]
