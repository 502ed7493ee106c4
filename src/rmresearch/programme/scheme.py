"""The scheme's words: who the two sides of a pair are, and who counts as from an under-represented group.

A reciprocal scheme pairs a *senior leader* with a *partner* (staff, student or community partner); a reverse
scheme (``programme_type: reverse``) pairs a *reverse mentor* (the junior partner) with a *reverse mentee* (the
senior colleague) (:func:`rmresearch.characteristics.role_label`). Tables, captions, legends and sentences of the
programme report take their role words from :func:`role_words`, never from the role codes.
"""

from __future__ import annotations

from ..errors import AnalysisError

__all__ = ["role_words", "underrepresented_characteristics", "burden_question", "scheme_sentence",
           "underrepresented_sentence", "results_sentence"]


def role_words(scheme=None, roles=None) -> dict[str, str]:
    """The words for the two sides of a pair, lower case: ``senior``, ``seniors``, ``partner``, ``partners``.

    ``scheme`` is the cohort's config or its ``programme_type`` (None: reciprocal). ``roles`` (the role codes
    taking part) names the partner side by its one role when there is only one: community partners are
    called community partners.

    >>> role_words("reverse")
    {'senior': 'reverse mentee', 'seniors': 'reverse mentees', 'partner': 'reverse mentor', 'partners': 'reverse mentors'}
    >>> role_words()["senior"], role_words()["partners"], role_words(roles=["senior_leader", "community_partner"])["partner"]
    ('senior leader', 'partners', 'community partner')
    """
    from ..characteristics import role_label
    from ..codes import PARTNER_ROLES

    present = [r for r in PARTNER_ROLES if roles is not None and r in set(roles)]
    partner = present[0] if len(present) == 1 else "partner"
    return {"senior": role_label(scheme, "senior_leader"), "seniors": role_label(scheme, "senior_leader", plural=True),
            "partner": role_label(scheme, partner), "partners": role_label(scheme, partner, plural=True)}


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


def burden_question(config, roles=None) -> str:
    """The question the burden flag answers, in the scheme's words, for the report's prose.

    >>> from types import SimpleNamespace
    >>> burden_question(SimpleNamespace(programme_type="reverse", characteristics={}))  # doctest: +NORMALIZE_WHITESPACE
    'Are the reverse mentors (the junior partners, recruited from under-represented groups) carrying the labour of
    educating the reverse mentees (their senior colleagues), beyond the mentoring the scheme asks of them?'
    """
    words = role_words(config, roles)
    if _is_reverse(config):
        return (f"Are the {words['partners']} (the junior partners, recruited from under-represented groups) carrying "
                f"the labour of educating the {words['seniors']} (their senior colleagues), beyond the mentoring the "
                "scheme asks of them?")
    focus = config.focus
    people = _in_sentence(focus.people(focus.aggregate, words["partners"])) if focus.aggregate else words["partners"]
    return (f"Are {people} carrying the labour of educating the {words['seniors']} they are paired with, beyond "
            "the partnership the scheme asks of them?")


def scheme_sentence(config, roles=None) -> str:
    """Who the two sides of each pair are, in one sentence for the top of the programme report.

    ``roles`` (the participants' role codes) limits the partner roles named to those taking part.

    >>> from types import SimpleNamespace
    >>> scheme_sentence(SimpleNamespace(programme_type="reverse"))  # doctest: +NORMALIZE_WHITESPACE
    'This is a reverse mentoring scheme: the reverse mentor is the junior partner, from an under-represented group,
    who mentors the reverse mentee, a senior colleague. Tables and figures use these words.'
    >>> scheme_sentence(SimpleNamespace(programme_type="reciprocal"))  # doctest: +NORMALIZE_WHITESPACE
    'This is a reciprocal mentoring scheme: each pair joins a senior leader and a partner (staff partner, student
    partner or community partner), who learn from each other.'
    >>> scheme_sentence(SimpleNamespace(programme_type="reciprocal"), roles=["senior_leader", "community_partner"])
    'This is a reciprocal mentoring scheme: each pair joins a senior leader and a community partner, who learn from each other.'
    """
    words = role_words(config, roles)
    if _is_reverse(config):
        return (f"This is a reverse mentoring scheme: the {words['partner']} is the junior partner, from an "
                f"under-represented group, who mentors the {words['senior']}, a senior colleague. Tables and figures "
                "use these words.")
    from ..characteristics import role_label

    present = set(roles) if roles is not None else None
    kinds = [role_label(config, r) for r in ("staff_partner", "student_partner", "community_partner")
             if present is None or r in present]
    listed = f" ({', '.join(kinds[:-1])} or {kinds[-1]})" if len(kinds) > 1 else ""
    return (f"This is a reciprocal mentoring scheme: each pair joins a {words['senior']} and a {words['partner']}"
            f"{listed}, who learn from each other.")


def underrepresented_sentence(config, roles=None) -> str:
    """Who counts as 'from an under-represented group' in the burden flag, from the cohort file's groups."""
    chosen = underrepresented_characteristics(config)
    partner = role_words(config, roles)["partner"]
    if len(chosen) == 1:
        ch = chosen[0]
        return (f"A {partner} counts as from an under-represented group when their {ch.title.lower()} is known and "
                f"is not in the reference group ({ch.label(ch.reference)}).")
    names = ", ".join(c.title.lower() for c in chosen[:-1]) + f" or {chosen[-1].title.lower()}"
    references = "; ".join(c.label(c.reference) for c in chosen)
    return (f"A {partner} counts as from an under-represented group when, on any of {names}, they are known to be "
            f"outside the reference group ({references}).")


def results_sentence(config) -> str:
    """Where the institutional results of the Kirkpatrick summary are, for this cohort's inputs.

    >>> from types import SimpleNamespace
    >>> results_sentence(SimpleNamespace(inputs={"students": "s.csv", "staff": "t.csv"}))
    'The institutional results (the awarding gap, staff progression) are in the attainment and progression reports.'
    >>> results_sentence(SimpleNamespace(inputs={}))  # doctest: +NORMALIZE_WHITESPACE
    'This cohort has no student or staff records (its partners may have no institutional record at all), so its
    institutional results are the actions and policy changes above.'
    """
    inputs = getattr(config, "inputs", {}) or {}
    found = [what for key, what in (("students", "the awarding gap"), ("staff", "staff progression")) if key in inputs]
    if not found:
        return ("This cohort has no student or staff records (its partners may have no institutional record at all), "
                "so its institutional results are the actions and policy changes above.")
    reports = " and ".join(r for key, r in (("students", "attainment"), ("staff", "progression")) if key in inputs)
    return f"The institutional results ({', '.join(found)}) are in the {reports} report{'s' if len(found) > 1 else ''}."
