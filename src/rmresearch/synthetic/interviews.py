"""Interview transcripts: who is interviewed, and what they say (templates filled with invented identifiers)."""

from __future__ import annotations

import re

from .common import N_PAIRS, _pick, _rng
from .institution import MONTHS, SCHEME_URL
from .people import Person, _postcode
from .texts import (ACKNOWLEDGEMENTS, ANSWERS, CLOSING_ANSWERS, CLOSING_QUESTIONS, CONSENT_REPLIES, FILLERS, FOLLOW_UPS,
                    INTRO_QUESTIONS, INTROS, LAST_WORDS, OPENERS, QUESTIONS, THANKS, THEMES)
from .writers import _render_interview

# A segment is (text, label, person, origin); label None for plain text.


def _role_phrase(p: Person) -> str:
    desc = p.role_desc
    if desc.startswith(("Director", "Pro ", "Deputy", "Chief", "Head")):
        return "the " + desc
    if desc.startswith("Associate"):
        return "an " + desc
    return desc


class _Speech:
    """Fills templates for one interview: the interviewee, their partner, the evaluator."""

    def __init__(self, rng, me: Person, other: Person, evaluator: Person, outsiders: list[Person], places: dict):
        # outsiders: the people with English-word names first, then the rest
        self.rng, self.me, self.other, self.evaluator = rng, me, other, evaluator
        self.outsiders, self.places = outsiders, places
        self.used: set[str] = set()
        self.bank: dict | None = None  # {theme: sentences} said instead of ANSWERS (a scheme's own answers)

    # --- name forms
    def _name(self, p: Person, text: str) -> list:
        return [(text, "PERSON", p.pid, p.origin)]

    def _first(self, p: Person, informal: float = 0.15) -> list:
        nick = [a for a in p.aliases if " " not in a]
        if nick and self.rng.random() < informal:
            return self._name(p, _pick(self.rng, nick))
        return self._name(p, p.first)

    def _full(self, p: Person) -> list:
        longer = [a for a in p.aliases if " " in a]
        if longer and self.rng.random() < 0.25:
            return self._name(p, _pick(self.rng, longer))
        return self._name(p, p.full)

    def _title(self, p: Person) -> list:
        title = p.title or ("Ms" if p.sex == "F" else "Mr")
        return [(f"{title} ", None, None, None)] + self._name(p, p.surname)

    def _ident(self, text: str, label: str, p: Person | None) -> list:
        return [(text, label, p.pid if p else None, None)]

    def _phone(self, p: Person) -> list:
        d = p.phone
        if d.startswith("07"):
            forms = (f"{d[:5]} {d[5:]}", d, f"+44 {d[1:5]} {d[5:]}", f"+44 (0){d[1:5]} {d[5:]}")
        elif d.startswith("0161"):
            forms = (f"{d[:4]} {d[4:7]} {d[7:]}", f"+44 {d[1:4]} {d[4:7]} {d[7:]}")
        else:
            forms = (f"{d[:3]} {d[3:7]} {d[7:]}", f"+44 {d[1:3]} {d[3:7]} {d[7:]}")
        return self._ident(_pick(self.rng, forms), "PHONE", p)

    def slot(self, name: str, nr: Person) -> list:
        me, other, ev, rng = self.me, self.other, self.evaluator, self.rng
        pron = {"F": ("she", "her", "her"), "M": ("he", "him", "his")}[other.sex]
        plain = {
            "o_they": pron[0], "O_they": pron[0].capitalize(), "o_them": pron[1], "o_their": pron[2],
            "month": _pick(rng, MONTHS), "subject": me.subject or "Law", "faculty": me.faculty,
            "my_role": _role_phrase(me), "o_desc": _role_phrase(other), "years": str(int(rng.integers(3, 22))),
            "year_of_study": me.role_desc.split(" ")[1] if me.role == "student_partner" else "",
        }
        if name in plain:
            return [(plain[name], None, None, None)]
        table = {
            "me": lambda: self._first(me),
            "other": lambda: self._full(other) if rng.random() < 0.1 else self._first(other),
            "other_full": lambda: self._full(other),
            "other_title": lambda: self._title(other),
            "other_poss": lambda: self._first(other, 0.1) + [("'s", None, None, None)],
            "other_email": lambda: self._ident(other.email, "EMAIL", other),
            "other_phone": lambda: self._phone(other),
            "my_email": lambda: self._ident(me.email, "EMAIL", me),
            "my_phone": lambda: self._phone(me),
            "my_staff_no": lambda: self._ident(me.staff_no, "STAFF_ID", me),
            "my_student_no": lambda: self._ident(me.student_no, "STUDENT_ID", me),
            "my_handle": lambda: self._ident(me.handle, "HANDLE", me),
            "my_url": lambda: self._ident(me.url, "URL", me),
            "int_first": lambda: self._name(ev, ev.first),
            "int_full": lambda: self._name(ev, ev.full),
            "int_email": lambda: self._ident(ev.email, "EMAIL", ev),
            "int_phone": lambda: self._phone(ev),
            "nr1_full": lambda: self._name(nr, nr.full),
            "nr1_first": lambda: self._name(nr, nr.first),
            "nr1_title": lambda: self._title(nr),
            "building": lambda: self._ident(_pick(rng, self.places["buildings"]), "LOCATION", None),
            "street": lambda: self._ident(_pick(rng, self.places["streets"]), "LOCATION", None),
            "postcode": lambda: self._ident(_postcode(rng), "POSTCODE", None),
            "url": lambda: self._ident(SCHEME_URL, "URL", None),
        }
        return table[name]()

    def expand(self, template: str) -> list:
        # People with English-word names (Hope, Precious, Bishop...) come first in the list: favour them.
        nr = _pick(self.rng, self.outsiders[:6] if self.rng.random() < 0.35 else self.outsiders)
        segs, pos = [], 0
        for m in re.finditer(r"\{(\w+)\}", template):
            if m.start() > pos:
                segs.append((template[pos:m.start()], None, None, None))
            segs.extend(self.slot(m.group(1), nr))
            pos = m.end()
        if pos < len(template):
            segs.append((template[pos:], None, None, None))
        return segs

    def sentences(self, theme: str, group: str, sub: str | None, k: int, *, repeat: bool = True) -> list:
        """Up to k sentences on a theme, not yet said in this interview (empty if none left and not repeat)."""
        if self.bank is not None:
            bank = tuple(self.bank.get(theme, ()))
        else:
            bank = ANSWERS[theme][group] + (ANSWERS[theme].get(sub, ()) if sub else ())
        fresh = [s for s in bank if s not in self.used] or (list(bank) if repeat else [])
        if not fresh:
            return []
        chosen = [fresh[i] for i in sorted(self.rng.choice(len(fresh), size=min(k, len(fresh)), replace=False))]
        self.used.update(chosen)
        segs = []
        for i, s in enumerate(chosen):
            if i:
                segs.append((" ", None, None, None))
            segs.extend(self.expand(s))
        return segs


def _interview_turns(rng, me: Person, other: Person, evaluator: Person, outsiders, places,
                     said: set[str] | None = None, intros=None, answers: dict | None = None,
                     questions: dict | None = None) -> list[tuple]:
    """(speaker Person, segments, themes) for one end-of-programme interview.

    ``said``, when given, holds the answer sentences (templates) already said in other interviews: they are not
    said again while the bank has others, and this interview's are added to it. ``intros`` (templates) and
    ``answers`` ({theme: templates}) replace the built-in ones for an interviewee the bank does not speak for
    (a community partner with no staff or student role); ``questions`` ({theme: {any/leader/partner: questions}})
    the interviewer's (a scheme whose questions are not about race alone).
    """
    say = _Speech(rng, me, other, evaluator, outsiders, places)
    say.bank = answers
    if said is not None:
        say.used = said
    group = "leader" if me.role == "senior_leader" else "partner"
    sub = {"staff_partner": "staff", "student_partner": "student"}.get(me.role)
    intro_key = "leader" if group == "leader" else sub
    plain = lambda text: [(text, None, None, None)]  # noqa: E731
    turns = [
        (evaluator, say.expand(_pick(rng, OPENERS)), []),
        (me, plain(_pick(rng, CONSENT_REPLIES)), []),
        (evaluator, say.expand(_pick(rng, INTRO_QUESTIONS)), []),
        (me, say.expand(_pick(rng, INTROS[intro_key] if intros is None else intros)), []),
    ]
    themes = [THEMES[i] for i in rng.permutation(len(THEMES))][: int(rng.integers(8, 12))]
    if "programme_logistics" in themes and rng.random() < 0.5:
        themes.remove("programme_logistics")
        themes.insert(0, "programme_logistics")
    for theme in themes:
        asked = QUESTIONS if questions is None else questions
        options = asked[theme].get("any", ()) + asked[theme].get(group, ())
        turns.append((evaluator, say.expand(_pick(rng, ACKNOWLEDGEMENTS) + _pick(rng, options)), []))
        answer = plain(_pick(rng, FILLERS)) + say.sentences(theme, group, sub, int(rng.choice([1, 2, 3], p=[0.25, 0.5, 0.25])))
        codes = [theme]
        if rng.random() < 0.2:
            second = _pick(rng, [t for t in THEMES if t != theme])
            extra = say.sentences(second, group, sub, 1, repeat=False)
            if extra:
                answer += plain(" ") + extra
                codes.append(second)
        turns.append((me, answer, sorted(codes, key=THEMES.index)))
        more = say.sentences(theme, group, sub, int(rng.integers(1, 3)), repeat=False) if rng.random() < 0.35 else []
        if more:
            turns.append((evaluator, say.expand(_pick(rng, FOLLOW_UPS)), []))
            turns.append((me, more, [theme]))
    turns.append((evaluator, say.expand(_pick(rng, CLOSING_QUESTIONS)), []))
    theme = _pick(rng, ("actions_policy_change", "accountability", "reciprocity"))
    last = say.sentences(theme, group, sub, 1, repeat=False) if rng.random() < 0.5 else []
    turns.append((me, last, [theme]) if last else (me, plain(_pick(rng, CLOSING_ANSWERS)), []))
    turns.append((evaluator, say.expand(_pick(rng, THANKS)), []))
    turns.append((me, say.expand(_pick(rng, LAST_WORDS)), []))
    return turns


def _interviews(roster: list[Person], people: list[Person], places: dict, seed: int) -> list[dict]:
    """About 15 transcripts (6 txt, 5 docx, 4 vtt, one vtt auto-captioned) with their ground truth."""
    rng = _rng(seed, "interviews")
    evaluators, outsiders = people[:2], people[2:]
    consenting = [p for p in roster if p.consent_interview]
    featured = [p for p in consenting if p.featured]
    leaders = [p for p in consenting if not p.featured and p.role == "senior_leader"]
    partners = [p for p in consenting if not p.featured and p.role != "senior_leader"]
    n_leaders = 7 - sum(p.role == "senior_leader" for p in featured)
    n_partners = 15 - len(featured) - n_leaders
    chosen = (featured + [leaders[i] for i in rng.choice(len(leaders), n_leaders, replace=False)]
              + [partners[i] for i in rng.choice(len(partners), n_partners, replace=False)])
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    formats = ["txt"] * 6 + ["docx"] * 5 + ["vtt"] * 4
    formats = [formats[i] for i in rng.permutation(len(formats))]
    caption_at = formats.index("vtt")
    first_names_at = formats.index("txt")
    index = {p.pid: i for i, p in enumerate(roster)}
    records = []
    for i, (me, fmt) in enumerate(zip(chosen, formats)):
        k = index[me.pid]
        other = roster[k + N_PAIRS] if k < N_PAIRS else roster[k - N_PAIRS]
        evaluator = evaluators[i % 2]
        turns = _interview_turns(rng, me, other, evaluator, outsiders, places)
        rec = _render_interview(rng, turns, fmt, caption=i == caption_at, first_names=i == first_names_at)
        rec.update(file=f"interview_{i + 1:02d}.{fmt}", format=fmt, participant_id=me.pid, auto_caption=i == caption_at)
        records.append(rec)
    return records

