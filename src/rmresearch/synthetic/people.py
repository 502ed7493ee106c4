"""Invented people: the roster of participants, the people they mention, and named places."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import DOMAIN, N_PAIRS, _ascii, _pick, _rng
from .institution import BUILDING_KINDS, DIRECTORATES, EXECUTIVE_ROLES, FACULTIES, FACULTY_NAMES, STREET_KINDS, YEARS_OF_STUDY
from .texts import (ARABIC_SURNAMES, CHINESE_FAMILY, CHINESE_GIVEN_FEMALE, CHINESE_GIVEN_MALE, ENGLISH_NAMES_USED_BY_EAST_ASIAN,
                    IRISH_SURNAMES, NAME_POOLS, NICKNAMES, ORIGINS, SURNAME_VARIANTS, VIETNAMESE_FAMILY,
                    VIETNAMESE_GIVEN_FEMALE, VIETNAMESE_GIVEN_MALE)



@dataclass
class Person:
    pid: str  # P01.. (roster) or X01.. (not on the roster)
    first: str  # the name people use to address them
    surname: str
    full: str  # as written in records and on Teams
    origin: str
    sex: str
    title: str = ""
    aliases: tuple = ()
    email: str = ""
    phone: str = ""  # digits only, national format
    staff_no: str = ""
    student_no: str = ""
    handle: str = ""
    url: str = ""
    role: str = ""
    role_desc: str = ""
    subject: str = ""
    faculty: str = ""
    grade: str = ""
    code: str = ""
    featured: bool = False  # has one of the name shapes the demo must show
    consent_interview: bool = True


class _Names:
    """Draws invented names, never reusing a name token within a cohort."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: set[str] = set(ENGLISH_NAMES_USED_BY_EAST_ASIAN)
        for options in NICKNAMES.values():
            self.used.update(options)
        self.used.update(SURNAME_VARIANTS.values())

    def _take(self, pool, prefer=None) -> str:
        if prefer is not None and prefer not in self.used:
            self.used.add(prefer)
            return prefer
        free = [p for p in pool if p not in self.used]
        if not free:
            raise RuntimeError("name pool exhausted")
        name = _pick(self.rng, free)
        self.used.add(name)
        return name

    def person(self, pid: str, origin: str, sex: str, *, structure: str | None = None, first: str | None = None,
               surname: str | None = None) -> Person:
        rng = self.rng
        aliases: list[str] = []
        if origin == "east_asian":
            vietnamese = structure == "vietnamese" or (structure is None and rng.random() < 0.45)
            if vietnamese:
                family = self._take(VIETNAMESE_FAMILY)
                given = self._take(VIETNAMESE_GIVEN_FEMALE if sex == "F" else VIETNAMESE_GIVEN_MALE)
                middle = "Thi" if sex == "F" else _pick(rng, ("Van", "Duc"))
                full = f"{family} {middle} {given}"
            else:
                family = self._take(CHINESE_FAMILY)
                given = self._take(CHINESE_GIVEN_FEMALE if sex == "F" else CHINESE_GIVEN_MALE)
                full = f"{family} {given}"
                if rng.random() < 0.6:
                    english = _pick(rng, ENGLISH_NAMES_USED_BY_EAST_ASIAN[:2] if sex == "F" else ENGLISH_NAMES_USED_BY_EAST_ASIAN[2:])
                    aliases.append(f"{english} {family}")
            first_name, last = given, family
        else:
            female, male, surnames = NAME_POOLS[origin]
            if structure == "arabic_compound":
                first_name = self._take(("Abdul Rahman", "Abdul Aziz"), "Abdul Rahman")
                last = self._take([s for s in ARABIC_SURNAMES if s.startswith(("Al-", "El-"))])
            elif structure == "irish_o":
                first_name = self._take(female if sex == "F" else male, first)
                last = self._take([s for s in IRISH_SURNAMES if s.startswith("Ó ")], "Ó Súilleabháin")
            else:
                first_name = self._take(female if sex == "F" else male, first)
                last = self._take(surnames, surname)
            full = f"{first_name} {last}"
            aliases.extend(NICKNAMES.get(first_name, ()))
            if last in SURNAME_VARIANTS:
                aliases.append(f"{NICKNAMES.get(first_name, (first_name,))[0]} {SURNAME_VARIANTS[last]}")
        local = f"{_ascii(first_name).replace('-', '')}.{_ascii(last)}"
        person = Person(pid=pid, first=first_name, surname=last, full=full, origin=origin, sex=sex, aliases=tuple(aliases))
        person.email = f"{local}@{DOMAIN}"
        person.handle = f"@{_ascii(first_name).replace('-', '')}_{_ascii(last).replace('-', '')[:5]}{int(rng.integers(10, 99))}"
        person.url = f"https://www.linkedin.com/in/{_ascii(first_name)}-{_ascii(last)}-{int(rng.integers(1000, 9999))}"
        return person


def _origin_code(rng, origin: str, *, student: bool = False) -> str:
    """A HESA code consistent with a name origin."""
    if origin == "british":
        return _pick(rng, ("11", "11", "11", "10", "19"))
    if origin == "irish":
        return _pick(rng, ("12", "12", "19"))
    if origin == "african":
        return "22" if student or rng.random() < 0.85 else "42"
    if origin == "caribbean":
        return _pick(rng, ("21", "21", "29")) if student else _pick(rng, ("21", "21", "21", "41"))
    if origin == "south_asian":
        return _pick(rng, ("31", "32", "33"))
    if origin == "east_asian":
        return _pick(rng, ("34", "39"))
    return "50"


def _make_roster(seed: int, n_pairs: int = N_PAIRS, partner_roles: list | None = None,
                 staff_origins: list | None = None) -> tuple[list[Person], list[Person], dict]:
    """Participants (P01..P52) and people not on the roster (X01.., the first two are evaluators).

    ``n_pairs`` senior leaders and as many partners, whose roles are ``partner_roles`` (default: the plan's);
    ``staff_origins`` (14 name origins, with two east_asian and one arabic) replaces the staff partners' default.
    """
    rng = _rng(seed, "names")
    names = _Names(rng)
    # People who are mentioned but not on the roster; English-word names reserved first.
    evaluators = [names.person("X01", "british", "F"), names.person("X02", "african", "M")]
    outsiders = [names.person("", origin, sex, first=first, surname=surname) for first, surname, origin, sex in _WORD_NAMES]
    plan = _RosterPlan(rng, staff_origins)
    if partner_roles is not None:
        plan.roles = list(partner_roles)
    roster = [_senior_leader(names, rng, plan, k) for k in range(n_pairs)]
    staff_i = student_i = 0
    for k in range(n_pairs):
        pid = f"P{n_pairs + k + 1:02d}"
        if plan.roles[k] == "staff_partner":
            p = _staff_partner(names, rng, plan, staff_i, pid)
            staff_i += 1
        else:
            p = _student_partner(names, rng, plan, student_i, pid)
            student_i += 1
        p.role = plan.roles[k]
        roster.append(p)
    _contact_details(roster, rng)
    # More outsiders (line managers, PAs, students, colleagues) from every origin.
    for i in range(24):
        origin = ORIGINS[i % len(ORIGINS)]
        outsiders.append(names.person("", origin, "F" if rng.random() < 0.5 else "M"))
    for i, p in enumerate(evaluators + outsiders, start=1):
        p.pid = f"X{i:02d}"
        p.title = "Dr" if rng.random() < 0.3 else ("Ms" if p.sex == "F" else "Mr")
    evaluators[0].phone = f"0161496{int(rng.integers(0, 1000)):04d}"
    evaluators[1].phone = f"0207946{int(rng.integers(0, 1000)):04d}"
    return roster, evaluators + outsiders, _places(names, rng)


#: Outsiders whose first names are English words (Hope, Precious...), drawn before anyone else.
_WORD_NAMES = (("Hope", "Bishop", "british", "F"), ("Precious", None, "african", "F"), ("Faith", "Young", "british", "F"),
               ("Blessing", None, "african", "F"), ("Summer", "Bird", "british", "F"), ("Joy", "King", "caribbean", "F"))


class _RosterPlan:
    """The roster's shuffled origins, grades and roles, and where the forced name shapes go."""

    def __init__(self, rng: np.random.Generator, staff_origins: list | None = None):
        def shuffled(values: list) -> list:
            return [values[i] for i in rng.permutation(len(values))]

        # Senior leaders P01..P26, partners P27..P52; pair k joins P(k) and P(26 + k).
        self.leader_origins = shuffled(["british"] * 19 + ["irish"] * 5 + ["south_asian", "african"])
        self.irish_o = self.leader_origins.index("irish")
        self.grades = shuffled(["Professor"] * 12 + ["Director"] * 9 + ["Executive"] * 5)
        self.roles = shuffled(["staff_partner"] * 14 + ["student_partner"] * 12)
        staff_origins = list(staff_origins or ["african"] * 4 + ["caribbean"] * 2 + ["south_asian"] * 3
                             + ["east_asian"] * 3 + ["arabic"] * 2)
        student_origins = ["african"] * 8 + ["caribbean"] * 4
        self.staff_origins = shuffled(staff_origins)
        self.student_origins = shuffled(student_origins)
        # Forced name shapes: a Vietnamese and a Chinese name, a compound Arabic name, a hyphenated name.
        self.forced_staff = {self.staff_origins.index("east_asian"): "vietnamese",
                             len(self.staff_origins) - 1 - self.staff_origins[::-1].index("east_asian"): "chinese",
                             self.staff_origins.index("arabic"): "arabic_compound"}
        self.hyphenated_student = self.student_origins.index("caribbean")
        self.directorates = list(DIRECTORATES)
        self.executives = list(EXECUTIVE_ROLES)


def _senior_leader(names: _Names, rng: np.random.Generator, plan: _RosterPlan, k: int) -> Person:
    origin = plan.leader_origins[k]
    sex = "F" if rng.random() < 0.45 else "M"
    p = names.person(f"P{k + 1:02d}", origin, sex, structure="irish_o" if k == plan.irish_o else None)
    p.featured = k == plan.irish_o
    p.role, p.grade = "senior_leader", plan.grades[k]
    p.code = _origin_code(rng, origin)
    if p.grade == "Professor":
        p.faculty = _pick(rng, FACULTY_NAMES)
        p.subject = _pick(rng, FACULTIES[p.faculty])
        p.title = "Professor"
        p.role_desc = _pick(rng, (f"Head of the School of {p.subject}", f"Professor of {p.subject}", f"Associate Dean in {p.faculty}"))
    elif p.grade == "Director":
        area = plan.directorates.pop(int(rng.integers(len(plan.directorates))))
        p.faculty = area
        p.title = "Dr" if rng.random() < 0.4 else ("Ms" if sex == "F" else "Mr")
        p.role_desc = f"Director of {area}"
    else:
        p.faculty = "Vice-Chancellor's Office"
        p.title = "Professor"
        p.role_desc = plan.executives.pop(int(rng.integers(len(plan.executives))))
    return p


def _staff_partner(names: _Names, rng: np.random.Generator, plan: _RosterPlan, staff_i: int, pid: str) -> Person:
    origin = plan.staff_origins[staff_i]
    structure = plan.forced_staff.get(staff_i)
    sex = "M" if structure == "arabic_compound" else ("F" if rng.random() < 0.55 else "M")
    p = names.person(pid, origin, sex, structure=structure)
    p.featured = structure is not None
    p.grade = str(int(rng.integers(5, 10)))
    p.faculty = _pick(rng, FACULTY_NAMES)
    p.subject = _pick(rng, FACULTIES[p.faculty])
    p.title = "Dr" if int(p.grade) >= 7 and rng.random() < 0.5 else ("Ms" if sex == "F" else "Mr")
    if int(p.grade) <= 6:
        p.role_desc = _pick(rng, (f"a faculty administrator in {p.faculty}", f"a research technician in {p.subject}", "a student support adviser"))
    else:
        p.role_desc = _pick(rng, (f"a lecturer in {p.subject}", f"a senior lecturer in {p.subject}", f"a programme leader in {p.subject}", f"a research fellow in {p.subject}"))
    p.code = _origin_code(rng, origin)
    return p


def _student_partner(names: _Names, rng: np.random.Generator, plan: _RosterPlan, student_i: int, pid: str) -> Person:
    origin = plan.student_origins[student_i]
    forced = student_i == plan.hyphenated_student
    sex = "F" if forced or rng.random() < 0.55 else "M"
    p = names.person(pid, origin, sex, first="Mary-Jane" if forced else None)
    p.featured = forced
    p.faculty = _pick(rng, FACULTY_NAMES)
    p.subject = _pick(rng, FACULTIES[p.faculty])
    p.title = "Ms" if sex == "F" else "Mr"
    year = _pick(rng, YEARS_OF_STUDY)
    p.role_desc = f"a {year} year {p.subject} student"
    p.code = _origin_code(rng, origin, student=True)
    return p


def _contact_details(roster: list[Person], rng: np.random.Generator) -> None:
    """A distinct drama-range mobile number for everyone, and a staff or student number."""
    used_phone = set()
    for p in roster:
        while True:
            n = int(rng.integers(0, 1000))
            if n not in used_phone:
                used_phone.add(n)
                p.phone = f"07700900{n:03d}"
                break
        if p.role == "student_partner":
            p.student_no = f"2{int(rng.integers(10**7, 10**8)):08d}"
        else:
            p.staff_no = f"S{int(rng.integers(100000, 999999)):06d}"


def _places(names: _Names, rng: np.random.Generator) -> dict:
    """Buildings and streets named after (invented) people; postcodes are in the fictional AN area."""
    places = {"buildings": [], "streets": []}
    for kind in BUILDING_KINDS[:3]:
        p = names.person("", _pick(rng, ORIGINS), "F" if rng.random() < 0.5 else "M")
        places["buildings"].append(f"{p.first} {p.surname} {kind}")
    for kind in STREET_KINDS[:3]:
        p = names.person("", _pick(rng, ("british", "caribbean", "irish", "african")), "M")
        places["streets"].append(f"{p.surname} {kind}")
    return places


def _postcode(rng) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"AN{int(rng.integers(1, 20))} {int(rng.integers(1, 10))}{_pick(rng, letters)}{_pick(rng, letters)}"

