"""The scheme's words: who the two sides of a pair are, and who counts as from an under-represented group.

A reciprocal scheme pairs a *senior leader* with a *partner* (staff, student or community partner); a reverse
scheme (``programme_type: reverse``) pairs a *reverse mentor* (the junior partner) with a *reverse mentee* (the
senior colleague) (:func:`rmresearch.characteristics.role_label`). Tables, captions, legends and sentences of the
programme report take their role words from :func:`role_words`, never from the role codes.
"""

from __future__ import annotations

from ..errors import AnalysisError

__all__ = ["role_words", "underrepresented_characteristics", "burden_question"]


def role_words(scheme=None) -> dict[str, str]:
    """The words for the two sides of a pair, lower case: ``senior``, ``seniors``, ``partner``, ``partners``.

    ``scheme`` is the cohort's config or its ``programme_type`` (None: reciprocal).

    >>> role_words("reverse")
    {'senior': 'reverse mentee', 'seniors': 'reverse mentees', 'partner': 'reverse mentor', 'partners': 'reverse mentors'}
    >>> role_words()["senior"], role_words()["partners"]
    ('senior leader', 'partners')
    """
    from ..characteristics import role_label

    return {"senior": role_label(scheme, "senior_leader"), "seniors": role_label(scheme, "senior_leader", plural=True),
            "partner": role_label(scheme, "partner"), "partners": role_label(scheme, "partner", plural=True)}


def _is_reverse(scheme) -> bool:
    kind = scheme if isinstance(scheme, str) else getattr(scheme, "programme_type", "reciprocal")
    return kind == "reverse"


def underrepresented_characteristics(config) -> list:
    """The characteristics that make a partner 'from an under-represented group' in the burden question.

    A reciprocal scheme is about its focus characteristic (``cfg.focus``: ethnicity in a race equality scheme):
    a partner in any of its non-reference groups counts. A reverse scheme recruits its reverse mentors from any
    under-represented group (disabled, LGBTQ+, women, global majority staff...): a partner outside the reference
    group of any characteristic the participants carry counts. Intersections add nothing (their parts are there).
    Raises AnalysisError when the participants carry none.
    """
    from ..groups import carried

    studied = [c for c in carried(config.characteristics, "participants") if not c.is_intersection]
    chosen = studied if _is_reverse(config) else [c for c in studied if c.name == config.focus.name]
    if not chosen:
        raise AnalysisError("the participants table carries none of the characteristics the burden question needs "
                            f"(the cohort's focus, {config.focus.title.lower()}; options.characteristics with "
                            "tables: participants), so no partner can be said to be from an under-represented group")
    return chosen


def _in_sentence(text: str) -> str:
    """A label as it reads mid-sentence: 'disabled partners', but 'BAME partners' (an acronym keeps its case).

    >>> _in_sentence("Disabled partners"), _in_sentence("BAME partners"), _in_sentence("Global majority staff")
    ('disabled partners', 'BAME partners', 'global majority staff')
    """
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def burden_question(config) -> str:
    """The question the burden flag answers, in the scheme's words, for the report's prose.

    >>> from types import SimpleNamespace
    >>> burden_question(SimpleNamespace(programme_type="reverse", characteristics={}))  # doctest: +NORMALIZE_WHITESPACE
    'Are the reverse mentors (the junior partners, recruited from under-represented groups) carrying the labour of
    educating the reverse mentees (their senior colleagues), beyond the mentoring the scheme asks of them?'
    """
    words = role_words(config)
    if _is_reverse(config):
        return (f"Are the {words['partners']} (the junior partners, recruited from under-represented groups) carrying "
                f"the labour of educating the {words['seniors']} (their senior colleagues), beyond the mentoring the "
                "scheme asks of them?")
    focus = config.focus
    people = _in_sentence(focus.people(focus.aggregate, words["partners"])) if focus.aggregate else words["partners"]
    return (f"Are {people} carrying the labour of educating the {words['seniors']} they are paired with, beyond "
            "the partnership the scheme asks of them?")
