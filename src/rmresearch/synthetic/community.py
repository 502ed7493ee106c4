"""A community-leaders demo cohort: :func:`generate_community` writes ``cohorts/community.yml`` and its inputs.

The shape of a later round of a reciprocal scheme: the university's executive team (ten senior leaders, none from
a global-majority background) paired with ten Black leaders from the city (role ``community_partner``: a Member of
Parliament, a former Lord Mayor, a police inspector, founders of community organisations, journalists). The
partners are outside the university: they have no student or staff record, so the cohort has no ``students``,
``staff`` or ``recruitment`` inputs and its participants table no ``staff_id`` or ``student_id``. Its inputs are
the programme's own records (participants, pairs, meetings, sessions with a ``session_type``), pre/post surveys,
three speaker-labelled interviews with their manifest, two coders' codings and the outcomes log
(``data/community/actions.csv``): institutional changes (recruitment and outreach in teacher training, a community
accountability panel...) whose owners are offices and roles, never people. One community partner did not consent
to interview and was not interviewed. The ground truth is in ``data/community/ground_truth/effects.json`` under
``community``. Every name, organisation and record is invented.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .cohort import _finish, _interview_truth, _start, _write_interviews
from .common import COHORT_END, COHORT_START, PLANNED_MEETINGS, actions_log, _pick, _rng
from .interviews import _interview_turns
from .people import _WORD_NAMES, Person, _contact_details, _Names, _places
from .programme import _programme, _sessions
from .surveys import _surveys
from .texts import ORIGINS, QUESTIONS
from .writers import _render_interview

COMMUNITY = "community"
COMMUNITY_PAIRS = 10
#: The executive team (senior leaders, pair k's P(k)): (role as they say it, office).
EXECUTIVE_TEAM = (
    ("the Vice-Chancellor", "Vice-Chancellor's Office"),
    ("Deputy Vice-Chancellor", "Vice-Chancellor's Office"),
    ("Pro Vice-Chancellor for Education", "Education"),
    ("Pro Vice-Chancellor for Research", "Research"),
    ("Pro Vice-Chancellor for Student Experience", "Student Experience"),
    ("Chief Operating Officer", "Operations"),
    ("Chief People Officer", "People and Culture"),
    ("Chief Financial Officer", "Finance"),
    ("the University Secretary", "Governance"),
    ("the Executive Dean of the School of Education", "School of Education"),
)
#: The community partners (pair k's P(10 + k)): (who they are, organisation, title or "" for Ms/Mr).
COMMUNITY_PARTNERS = (
    ("the Member of Parliament for Anytown Central", "House of Commons", ""),
    ("a former Lord Mayor of Anytown", "Anytown City Council", "Councillor"),
    ("an inspector with Anytown Police", "Anytown Police", "Inspector"),
    ("the founder of the Anytown Black Business Network", "Anytown Black Business Network", ""),
    ("the founder of Roots and Routes, a youth mentoring charity", "Roots and Routes", ""),
    ("a journalist at the Anytown Courier", "Anytown Courier", ""),
    ("a broadcast journalist with Radio Anytown", "Radio Anytown", ""),
    ("the chief executive of the Anytown African and Caribbean Centre", "Anytown African and Caribbean Centre", ""),
    ("a headteacher in the city, at Northgate Park Academy", "Northgate Park Academy", ""),
    ("a consultant at Anytown General Hospital and chair of its race equality network", "Anytown General Hospital",
     "Dr"),
)
#: HESA ethnicity codes: leaders White (British, Irish, other White), partners Black (Caribbean, African, other).
LEADER_CODES = {"british": ("10", "11", "11", "11", "19"), "irish": ("12",)}
PARTNER_CODES = {"caribbean": ("21",), "african": ("22",), "other": ("29",)}
#: The group sessions: (name, session_type, date, probability of attending while the pair is active).
COMMUNITY_SESSIONS = (
    ("Joint induction and training", "training", dt.date(2024, 10, 1), 0.95),
    ("Midpoint reflection", "reflection", dt.date(2025, 1, 8), 0.80),
    ("Final reflection and community panel", "reflection", dt.date(2025, 3, 26), 0.75),
)
#: The interviews: (role, format, date as the manifest logs it). The partner without consent is never interviewed.
COMMUNITY_INTERVIEWS = (("senior_leader", "docx", "2025-03-11"), ("community_partner", "txt", "2025-03-13"),
                        ("community_partner", "vtt", "2025-03-18"))
#: The outcomes log: (completed pair raising it, by its place among them; action; area; owner, an office or role;
#: status; evidence; date). Institutional changes, named in the report.
COMMUNITY_ACTIONS = (
    (0, "Recruitment and outreach to Black applicants for teacher training, with the city's schools",
     "teacher training", "School of Education", "implemented", "Initial Teacher Education recruitment plan 2025-26",
     "2025-02-12"),
    (1, "Community accountability panel: the executive team reports progress to the partners twice a year",
     "accountability", "Vice-Chancellor's Office", "implemented", "Terms of reference approved by the Executive Board",
     "2025-03-05"),
    (2, "Placements for trainee teachers in schools serving Black communities", "teacher training",
     "School of Education", "in_progress", "Partnership agreements with four schools in draft", "2025-03-10"),
    (3, "Outreach days for Black sixth-formers run with community organisations", "outreach",
     "Director of Student Recruitment", "in_progress", "", "2025-03-14"),
    (4, "Published race equality action plan with a community commentary", "accountability",
     "Chief People Officer", "implemented", "Race equality action plan on the university website", "2025-03-20"),
    (0, "Joint reporting route for hate incidents, with Anytown Police", "student support",
     "Director of Student Services", "proposed", "", "2025-03-24"),
    (5, "Local supplier diversity target in procurement", "procurement", "Chief Financial Officer", "proposed", "",
     "2025-03-26"),
    (6, "University-funded bursaries for Black trainee teachers", "teacher training",
     "Pro Vice-Chancellor for Education", "not_pursued", "Executive Board minutes, March 2025", "2025-03-28"),
)
#: The order and labels of the outcomes log's statuses (as programme.actions_by_status shows them).
STATUS_ORDER = (("proposed", "Proposed"), ("in_progress", "In progress"), ("implemented", "Implemented"),
                ("not_pursued", "Not pursued"))
#: The interviewer's questions: the bank's, with those asking about staff and students of the university put to
#: a scheme whose partners are the city's leaders.
COMMUNITY_QUESTIONS = QUESTIONS | {
    "understanding_barriers": {
        "any": ("Do you think the programme changed the executive team's understanding of the barriers Black people "
                "in the city face?",),
        "leader": QUESTIONS["understanding_barriers"]["leader"],
        "partner": QUESTIONS["understanding_barriers"]["partner"],
    },
    "career_development": {
        "partner": ("Did your own work, or your organisation's, come into the conversations at all?",),
        "leader": ("Did you talk about your own leadership, and what {other} saw in it?",),
    },
    "sponsorship": {
        "partner": ("Has {other} used {o_their} position to open doors, for you or for the people you work with?",),
        "leader": ("Have you been able to use your position to open doors for {other} or {o_their} organisation?",),
    },
    "labour_of_educating": {
        "partner": ("Some partners describe carrying the labour of educating senior leaders. Did that resonate with "
                    "you?",),
        "leader": QUESTIONS["labour_of_educating"]["leader"],
    },
}
#: What community partners say: their introductions and their answers by theme (the built-in partner bank speaks
#: for staff and students of the university).
PARTNER_INTROS = (
    "I'm {my_role}. I was paired with {other_full}, who is {o_desc}, and I said yes because the university has "
    "never really been part of the city I know.",
    "So I'm {my_role}, I've lived in Anytown all my life. I was paired with {other_title}, {o_desc}, and to be "
    "honest I came in sceptical.",
)
PARTNER_ANSWERS = {
    "lived_experience": (
        "I told {other} what it was like growing up near {street}, when the university was the place on the hill "
        "that people like us cleaned.",
        "I talked about being the only Black face in most rooms I walk into, even now, and {o_they} listened.",
        "{other} had never heard how our young people talk about being stopped and searched, and {o_they} went "
        "very quiet.",
    ),
    "understanding_barriers": (
        "I think {o_they} started to see that the barriers for Black families start long before anyone applies, "
        "in who gets told university is for them.",
        "We talked about why Black teachers leave the profession, and {other} hadn't connected that to the "
        "university's own teacher training.",
        "I explained that outreach that parachutes in for one day does nothing, it has to come through people the "
        "community already trusts.",
    ),
    "career_development": (
        "It wasn't about my career, I'm settled, but I pushed {o_them} on where the next Black leaders at the "
        "university are going to come from.",
        "{other} asked me how I got where I am, and I said: somebody opened a door and then held it open.",
    ),
    "sponsorship": (
        "I asked {o_them} to put the university's weight behind the supplementary schools, and {o_they} did, "
        "{o_they} came to a meeting with {nr1_full}.",
        "I introduced {other} to people in the city {o_they} would never have met, and that goes both ways.",
    ),
    "decision_making_politics": (
        "I learned how slowly a university moves, everything goes through a committee, and {other} was honest "
        "about that.",
        "{other} explained who actually decides things on the executive team, which helped me know who to push.",
    ),
    "safe_space": (
        "We agreed at the start that what we said stayed between us, and {o_they} kept to that.",
        "I could be blunt with {o_them}, I don't work for the university, so I had nothing to lose.",
    ),
    "reciprocity": (
        "It felt two-way, I learned how the place works and {o_they} learned what the city thinks of it.",
        "I was the mentor as much as the mentee, and I think {other} was surprised how much that changed things.",
    ),
    "labour_of_educating": (
        "Some evenings it felt like I was doing the university's homework for free, explaining racism to people "
        "paid far more than me.",
        "It takes something out of you, going back over painful things so a senior leader can learn.",
    ),
    "actions_policy_change": (
        "{other} took what I said about teacher training to the School of Education, and they're now recruiting "
        "with the city's schools, not just advertising.",
        "What I want is change I can see from outside, not a nice report, and some of that is starting.",
    ),
    "accountability": (
        "The community panel is the bit that matters to me: twice a year they have to come and tell us what "
        "changed.",
        "I've told {other} I'll be asking in a year what happened, in public if I have to, and {o_they} knows that.",
        "Being held accountable by the community is new for them, you could see it in the first panel.",
    ),
    "programme_logistics": (
        "Getting time in {o_their} diary was the hardest part, {o_their} office were good though.",
        "We met about once a month, sometimes at the university, sometimes at the {building}, which was "
        "important to me.",
        "{other} gave me {o_their} mobile, {other_phone}, so we could text when things moved.",
    ),
}


def _config_bytes() -> bytes:
    return resources.files("rmresearch").joinpath("data/demo_community_cohort.yml").read_bytes()


def _people(names: _Names, rng: np.random.Generator) -> tuple[list[Person], list[Person]]:
    """People mentioned in the interviews: the two evaluators (X01, X02) and outsiders, as in the other demos."""
    evaluators = [names.person("X01", "british", "F"), names.person("X02", "african", "M")]
    outsiders = [names.person("", origin, sex, first=first, surname=surname)
                 for first, surname, origin, sex in _WORD_NAMES]
    outsiders += [names.person("", ORIGINS[i % len(ORIGINS)], "F" if rng.random() < 0.5 else "M") for i in range(18)]
    for i, p in enumerate(evaluators + outsiders, start=1):
        p.pid = f"X{i:02d}"
        p.title = "Dr" if rng.random() < 0.3 else ("Ms" if p.sex == "F" else "Mr")
    evaluators[0].phone = f"0161496{int(rng.integers(0, 1000)):04d}"
    evaluators[1].phone = f"0207946{int(rng.integers(0, 1000)):04d}"
    return evaluators, outsiders


def _community_roster(seed: int) -> tuple[list[Person], list[Person], dict]:
    """The executive team (P01..P10) and the community partners (P11..P20), the people they mention, and places."""
    rng = _rng(seed, "names")
    names = _Names(rng)
    evaluators, outsiders = _people(names, rng)
    leader_origins = [("british", "irish")[i] for i in rng.permutation([0] * 8 + [1] * 2)]
    partner_origins = [("caribbean", "african", "other")[i] for i in rng.permutation([0] * 4 + [1] * 5 + [2])]
    roster = []
    for k, ((role, office), origin) in enumerate(zip(EXECUTIVE_TEAM, leader_origins)):
        p = names.person(f"P{k + 1:02d}", origin, "F" if rng.random() < 0.5 else "M")
        p.role, p.role_desc, p.grade, p.faculty = "senior_leader", role, "Executive", office
        p.title = "Professor" if k < 5 or k == 9 else ("Ms" if p.sex == "F" else "Mr")
        p.code = _pick(rng, LEADER_CODES[origin])
        roster.append(p)
    for k, ((desc, organisation, title), origin) in enumerate(zip(COMMUNITY_PARTNERS, partner_origins)):
        p = names.person(f"P{COMMUNITY_PAIRS + k + 1:02d}", "african" if origin == "other" else origin,
                         "F" if rng.random() < 0.55 else "M")
        p.role, p.role_desc, p.grade, p.faculty = "community_partner", desc, "", organisation
        p.title = title or ("Ms" if p.sex == "F" else "Mr")
        p.code = PARTNER_CODES[origin][0]
        roster.append(p)
    _contact_details(roster, rng)
    for p in roster[COMMUNITY_PAIRS:]:
        p.staff_no = ""  # outside the university: no staff or student number
    return roster, evaluators + outsiders, _places(names, rng)


def _participants(tables: dict, roster: list[Person], seed: int) -> tuple[pd.DataFrame, str]:
    """The participants table as the scheme keeps it: leaders' offices, partners' organisations, no grade or
    record ids for partners; one partner without interview consent (drawn with its own stream)."""
    rng = np.random.default_rng([seed, 41])
    people = tables["participants"].copy()
    leader = [p.role == "senior_leader" for p in roster]
    people["grade"] = [p.grade for p in roster]
    people["faculty"] = [p.faculty if is_leader else "" for p, is_leader in zip(roster, leader)]
    people.insert(people.columns.get_loc("faculty") + 1, "organisation",
                  ["University of Anytown" if is_leader else p.faculty for p, is_leader in zip(roster, leader)])
    partners = [p for p in roster if p.role == "community_partner"]
    declined = partners[int(rng.integers(len(partners)))]
    people["consent_interview"] = np.where(people["participant_id"] == declined.pid, "no", "yes")
    for p in roster:
        p.consent_interview = p.pid != declined.pid
    return people, declined.pid


def _community_sessions(participants: pd.DataFrame, pairs: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict]:
    """Attendance at the induction (training) and the two reflective sessions, each row with its session_type."""
    table, truth = _sessions(participants, pairs, seed,
                             tuple((name, when, p) for name, _, when, p in COMMUNITY_SESSIONS))
    types = {name: kind for name, kind, _, _ in COMMUNITY_SESSIONS}
    table.insert(2, "session_type", table["session"].map(types))
    return table, truth
#: What the executive team say (the built-in leader bank speaks of partners' careers and the university's staff).
LEADER_ANSWERS = {
    "lived_experience": (
        "Hearing {other} describe growing up a mile from the campus and never once being invited in was genuinely "
        "shocking to me.",
        "I've read the reports, of course, but sitting opposite {other_full} and hearing it first hand is a very "
        "different thing.",
    ),
    "understanding_barriers": (
        "{other} helped me see that our outreach reaches the families who were coming anyway, not the ones we say "
        "we want.",
        "It made me rethink why so few Black trainee teachers come through our School of Education.",
    ),
    "career_development": (
        "We hardly talked about {other_poss} career, {o_they} is further on in {o_their} field than I am in mine.",
        "If anything {o_they} mentored me on leading in public, which I needed.",
    ),
    "sponsorship": (
        "I asked {nr1_full}, who chairs our partnerships board, to meet {other}, which I wouldn't have thought to "
        "do before.",
        "I've become more conscious of using my seat at the table to bring the city's voices into it.",
    ),
    "decision_making_politics": (
        "I tried to be transparent about how the executive team works, including the parts I'm not proud of.",
        "{other} challenged me on why things that look simple take us eighteen months, and I didn't have a good "
        "answer.",
    ),
    "safe_space": (
        "I had to learn not to get defensive, which is harder than it sounds when someone describes your own "
        "institution.",
        "We had one really honest conversation about race that I found difficult, and I think that's what it's for.",
    ),
    "reciprocity": (
        "I genuinely learned more from {other} than I have from most leadership courses.",
        "It was reciprocal: I could explain how the university works, and {other} brought the city into the room.",
    ),
    "labour_of_educating": (
        "I became aware I was asking {other} to do a lot of unpaid emotional work, so I tried to do my own reading.",
        "I worry that schemes like this put the burden on the very people who are already carrying the most.",
    ),
    "actions_policy_change": (
        "As a direct result we've changed how we recruit for teacher training, with the city's schools.",
        "I've put a paper to the Executive Board on placements in schools serving Black communities, and that came "
        "straight from {other}.",
    ),
    "accountability": (
        "I feel accountable to {other} now, and to the panel, which is uncomfortable, and I think that's the point.",
        "We'll be held accountable by the community twice a year at the panel, and that has focused minds.",
    ),
    "programme_logistics": (
        "My diary is a nightmare, and I'm embarrassed to say we had to rearrange at least twice.",
        "We met in the {building} most months, and once at {other_poss} office in the city, which mattered.",
    ),
}


def _community_interviews(roster: list[Person], people: list[Person], places: dict, pairs: pd.DataFrame,
                          seed: int) -> list[dict]:
    """Three speaker-labelled transcripts: a senior leader (docx) and two community partners (txt, vtt), all of
    completed pairs; the partner without interview consent is not among them."""
    rng = _rng(seed, "interviews")
    withdrawn = set(pairs.loc[pairs["status"] == "withdrawn", ["senior_id", "partner_id"]].to_numpy().ravel())
    evaluators, outsiders = people[:2], people[2:]
    records, said = [], set()
    chosen: list[Person] = []
    for i, (role, fmt, date) in enumerate(COMMUNITY_INTERVIEWS):
        pool = [p for p in roster if p.role == role and p.consent_interview and p not in chosen
                and p.pid not in withdrawn]
        me = pool[int(rng.integers(len(pool)))]
        chosen.append(me)
        k = roster.index(me)
        other = roster[(k + COMMUNITY_PAIRS) % len(roster)]
        leader = role == "senior_leader"
        turns = _interview_turns(rng, me, other, evaluators[i % 2], outsiders, places, said=said,
                                 intros=None if leader else PARTNER_INTROS,
                                 answers=LEADER_ANSWERS if leader else PARTNER_ANSWERS, questions=COMMUNITY_QUESTIONS)
        rec = _render_interview(rng, turns, fmt, caption=False, first_names=False)
        rec.update(file=f"interview_{i + 1:02d}.{fmt}", format=fmt, participant_id=me.pid, auto_caption=False,
                   interviewer=evaluators[i % 2].full, date=date)
        records.append(rec)
    return records



def _community_tables(seed: int) -> tuple[dict, dict, tuple]:
    """Every table of the cohort, the programme's truth and the invented people (roster, others, places)."""
    roster, people, places = _community_roster(seed)
    tables, truth = _programme(roster, seed, n_pairs=COMMUNITY_PAIRS, n_withdrawn=1, n_partner_led=3,
                               declined=(0, 0), cohort=COMMUNITY)
    tables["participants"], declined = _participants(tables, roster, seed)
    truth["consent_interview_no"] = [declined]
    tables["sessions"], truth["sessions"] = _community_sessions(tables["participants"], tables["pairs"], seed)
    tables["pre"], tables["post"], survey_truth = _surveys(tables["participants"], tables["pairs"], seed)
    tables["actions"] = actions_log(tables["pairs"], COMMUNITY_ACTIONS)
    return tables, {"programme": truth, "surveys": survey_truth}, (roster, people, places)


def _community_truth(tables: dict, records: list[dict]) -> dict:
    """The cohort's counts: pairs, roles, meetings held, sessions by type, interviews, actions by status."""
    participants, pairs, meetings = tables["participants"], tables["pairs"], tables["meetings"]
    declined = participants.loc[participants["consent_interview"] == "no", "participant_id"].tolist()
    held = meetings.loc[meetings["attended"] == "yes"]
    statuses = Counter(status for *_, status, _, _ in COMMUNITY_ACTIONS)
    raised = {pairs.loc[pairs["status"] == "completed", "pair_id"].iloc[k] for k, *_ in COMMUNITY_ACTIONS}
    return {
        "pairs": int(len(pairs)), "participants": int(len(participants)),
        "roles": {str(k): int(v) for k, v in participants["role"].value_counts().sort_index().items()},
        "record_ids": [], "inputs_absent": ["students", "staff", "recruitment"],
        "pairs_by_status": {str(k): int(v) for k, v in pairs["status"].value_counts().sort_index().items()},
        "meetings_scheduled": int(len(meetings)), "meetings_held": int(len(held)),
        "meetings_held_by_pair": {str(k): int(v) for k, v in held.groupby("pair_id").size().items()},
        "planned_meetings": PLANNED_MEETINGS,
        "sessions_by_type": tables["sessions"].assign(attended=tables["sessions"]["attended"] == "yes")
        .groupby("session_type")["attended"].agg(invited="size", attended="sum").astype(int).to_dict("index"),
        "interviews": len(records),
        "interviews_usable": sum(1 for r in records if r["participant_id"] not in declined),
        "interviewed": [r["participant_id"] for r in records],
        "consent_interview_no": declined,
        "actions": {"actions": len(COMMUNITY_ACTIONS), "pairs": len(raised),
                    "by_status": {label: statuses.get(code, 0) for code, label in STATUS_ORDER}
                    | {"Total": len(COMMUNITY_ACTIONS)},
                    "owners": sorted({owner for _, _, _, owner, *_ in COMMUNITY_ACTIONS})},
    }


def generate_community(out: str | Path = ".", *, seed: int = 2024, quiet: bool = False) -> dict:
    """Write the community-leaders demo cohort and its ground truth under ``out``.

    Writes ``cohorts/community.yml`` and the inputs it names (``data/community``, ``surveys/community``,
    ``interviews/community/raw``), plus ``data/community/ground_truth/effects.json`` (its ``community`` part holds
    the counts: 10 pairs, 20 participants, no record ids, meetings held, sessions by type, 3 interviews, actions by
    status) and ``identifiers.jsonl``. ``quiet=False`` notes progress on stderr. The same ``seed`` gives
    byte-identical files. Returns the same summary as :func:`~rmresearch.synthetic.generate_pilot`.

    >>> import tempfile
    >>> summary = generate_community(tempfile.mkdtemp(), quiet=True)
    >>> summary["counts"]
    {'participants': 20, 'pairs': 10, 'meetings': 56, 'transcripts': 3}
    >>> summary["effects"]["community"]["actions"]["by_status"]
    {'Proposed': 2, 'In progress': 2, 'Implemented': 3, 'Not pursued': 1, 'Total': 8}
    """
    out_dir, inputs, w = _start(out, _config_bytes(), "cohorts/community.yml", not quiet)
    w.note("community tables")
    tables, truth, (roster, people, places) = _community_tables(seed)
    for name in ("participants", "pairs", "meetings", "sessions", "actions"):
        w.table(inputs[name], tables[name])
    w.table(inputs["surveys"]["pre"], tables["pre"])
    w.table(inputs["surveys"]["post"], tables["post"])
    w.note("community interviews")
    truth_dir = Path(inputs["participants"]).parent / "ground_truth"
    interviews = _community_interviews(roster, people, places, tables["pairs"], seed)
    records = _write_interviews(w, inputs, interviews, truth_dir)
    w.table(inputs["interview_manifest"], pd.DataFrame({key: [r[key] for r in records] for key in
                                                       ("file", "participant_id", "interviewer", "date")}))
    interviewed = {r["participant_id"] for r in records}
    declined = truth["programme"]["consent_interview_no"]
    effects = {
        "generator": {"module": "rmresearch.synthetic", "function": "generate_community", "seed": seed},
        "cohort": {"id": COMMUNITY, "start_date": COHORT_START.isoformat(), "end_date": COHORT_END.isoformat(),
                   "pairs": COMMUNITY_PAIRS, "planned_meetings": PLANNED_MEETINGS},
        "community": _community_truth(tables, records),
        **truth,
        "interviews": _interview_truth(records, people, places, [p for p in declined if p not in interviewed])
        | {"interviewed_no_consent": [p for p in declined if p in interviewed]},
    }
    _finish(w, inputs, truth_dir, effects, seed)
    return {
        "out_dir": str(out_dir.resolve()), "config": str((out_dir / "cohorts/community.yml").resolve()),
        "files": sorted(str(p.relative_to(out_dir)) for p in w.written),
        "counts": {"participants": len(tables["participants"]), "pairs": len(tables["pairs"]),
                   "meetings": len(tables["meetings"]), "transcripts": len(records)},
        "effects": effects,
        "seconds": round(time.perf_counter() - w.began, 2),
    }
