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

Every name is invented by combining a first name and a surname from the lists
below; phone numbers come from Ofcom's ranges reserved for drama; emails use
the fictional ``anytown.ac.uk``; postcodes use the non-existent ``AN`` area.

Span conventions in ``identifiers.jsonl``: offsets are 0-based, end-exclusive
character offsets into the canonical text ``"\\n".join(f"{speaker}: {text}")``;
spans never overlap; a title is not part of a PERSON span (``Professor
Okonkwo`` marks ``Okonkwo``) and neither is a possessive ``'s``; a building or
street named after a person is one LOCATION span, not a PERSON.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import load_ethnicity_map
from .fileio import atomic_write_bytes

__all__ = ["generate_demo", "THEMES", "SCALES", "REVERSE_KEYED"]

COHORT = "demo"
COHORT_START = dt.date(2024, 10, 1)
COHORT_END = dt.date(2025, 3, 31)
PLANNED_MEETINGS = 6
N_PAIRS = 26
FIXED_TIMESTAMP = dt.datetime(2025, 4, 1, 9, 0, 0)
DOMAIN = "anytown.ac.uk"

# Independent random streams, one per part of the cohort.
_STREAMS = {"names": 1, "programme": 2, "surveys": 3, "interviews": 4, "students": 5, "staff": 6, "recruitment": 7,
            "sessions": 8, "linkage": 9}

#: The programme's group sessions: (name, date, probability of attending while the pair is active).
SESSIONS = (
    ("Introductory training", dt.date(2024, 10, 1), 0.92),
    ("Midpoint reflection", dt.date(2025, 1, 8), 0.78),
    ("Final reflection", dt.date(2025, 3, 26), 0.70),
)

GRADE_SCALE = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "Professor", "Director", "Executive")

# --------------------------------------------------------------------------- names
# Invented people are combinations of these. Each name token is used by at most
# one person in a cohort, so a bare first name or surname identifies one person.
# Multi-part names (Abdul Rahman, Mary-Jane, Ó Súilleabháin) are one token.

AFRICAN_FEMALE = (
    "Adaeze", "Chiamaka", "Ngozi", "Folake", "Yetunde", "Funmilayo", "Ifeoma", "Abena", "Akosua", "Efua",
    "Tendai", "Rutendo", "Nyasha", "Hodan", "Ayaan", "Wanjiru", "Zawadi", "Oluwatoyin", "Blessing",
    "Precious", "Favour", "Comfort",
)
AFRICAN_MALE = (
    "Chinedu", "Emeka", "Obinna", "Oluwaseun", "Babatunde", "Kwame", "Kofi", "Yaw", "Kwabena", "Tafadzwa",
    "Tinashe", "Farai", "Abdirahman", "Kamau", "Godwin", "Ikechukwu", "Segun",
)
AFRICAN_SURNAMES = (
    "Okonkwo", "Adeyemi", "Okafor", "Eze", "Nwosu", "Oyelaran", "Adebayo", "Ogunleye", "Mensah", "Owusu",
    "Boateng", "Asante", "Agyeman", "Moyo", "Chikwanha", "Mutasa", "Ncube", "Warsame", "Abdi", "Mwangi",
    "Odhiambo", "Nwachukwu", "Olaniyan", "Osei",
)
CARIBBEAN_FEMALE = (
    "Marcia", "Claudette", "Shanice", "Beverley", "Sharlene", "Joy", "Mary-Jane", "Paulette", "Keisha",
    "Yvonne", "Hyacinth", "Donna",
)
CARIBBEAN_MALE = ("Jerome", "Delroy", "Winston", "Errol", "Tyrone", "Marlon", "Leroy", "Denzel", "Kadeem", "Courtney", "Clive")
CARIBBEAN_SURNAMES = (
    "Campbell", "Francis", "Thompson", "Grant", "McKenzie", "Forbes", "Spence", "Brathwaite", "Gayle",
    "Bailey", "Reid", "Lindo", "Beckford", "Small",
)
SOUTH_ASIAN_FEMALE = (
    "Priya", "Anjali", "Harpreet", "Sunita", "Nusrat", "Ayesha", "Rukhsana", "Deepa", "Kavita", "Shabnam",
    "Meera", "Jaspreet", "Tahmina",
)
SOUTH_ASIAN_MALE = ("Rajesh", "Arjun", "Imran", "Sanjay", "Gurpreet", "Harjit", "Vikram", "Asif", "Rohan", "Zubair", "Faisal", "Sukhwinder")
SOUTH_ASIAN_SURNAMES = (
    "Patel", "Sharma", "Chaudhry", "Hussain", "Rahman", "Gill", "Sandhu", "Mistry", "Iyer", "Banerjee",
    "Chowdhury", "Mahmood", "Bhatt", "Desai", "Qureshi", "Malik",
)
# East Asian names are written family name first ("Chen Jiahui", "Nguyen Thi Lan").
CHINESE_FAMILY = ("Chen", "Wang", "Zhang", "Liu", "Huang", "Zhou", "Lin", "Xu")
CHINESE_GIVEN_FEMALE = ("Xiaoling", "Jiahui", "Yutong", "Meiling", "Ruoxi")
CHINESE_GIVEN_MALE = ("Haoran", "Zhiwei", "Junjie", "Mingyu", "Yifan")
VIETNAMESE_FAMILY = ("Nguyen", "Tran", "Pham", "Hoang", "Vu")
VIETNAMESE_GIVEN_FEMALE = ("Lan", "Hoa", "Linh", "Thuy", "Ngoc")
VIETNAMESE_GIVEN_MALE = ("Minh", "Tuan", "Quang", "Hieu", "Khanh")
ENGLISH_NAMES_USED_BY_EAST_ASIAN = ("Grace", "Vivian", "Kevin", "Jason")
ARABIC_FEMALE = ("Layla", "Fatima", "Noor", "Yasmin", "Mariam", "Huda", "Rania", "Salma", "Dalia", "Amal")
ARABIC_MALE = ("Omar", "Khalid", "Youssef", "Abdul Rahman", "Karim", "Hamza", "Tariq", "Samir", "Bilal", "Abdul Aziz")
ARABIC_SURNAMES = ("Al-Sayed", "Haddad", "Mansour", "Khalil", "Nasser", "El-Amin", "Al-Rashid", "Darwish", "Saleh", "Al-Hashimi", "Bakri", "Suleiman")
BRITISH_FEMALE = (
    "Sarah", "Helen", "Claire", "Rachel", "Emma", "Catherine", "Faith", "Hope", "Rose", "Summer", "Alison",
    "Fiona", "Harriet", "Gillian", "Penelope", "Lucy", "Joanna", "Susan", "Victoria", "Eleanor", "Anne-Marie",
)
BRITISH_MALE = (
    "James", "David", "Richard", "Andrew", "Mark", "Simon", "Philip", "Nicholas", "Robert", "Jonathan",
    "Graham", "Stuart", "Martin", "Peter", "Timothy", "Hugh", "Matthew", "Christopher",
)
BRITISH_SURNAMES = (
    "Young", "Bishop", "Bird", "King", "Summers", "Fletcher", "Whitfield", "Harrington", "Ashworth",
    "Pemberton", "Holloway", "Marsh", "Thornton", "Baxter", "Gardner", "Shepherd", "Fox", "Wood", "Hill",
    "Cartwright", "Dunmore", "Lockwood", "Rowntree", "Underwood", "Hale", "Sutcliffe", "Kershaw",
    "Pickering", "Newby", "Hartley", "Cresswell", "Oakes",
)
IRISH_FEMALE = ("Siobhán", "Aoife", "Niamh", "Orla", "Caoimhe", "Saoirse", "Gráinne", "Róisín")
IRISH_MALE = ("Ciarán", "Seán", "Pádraig", "Eoin", "Cathal", "Dónal", "Colm", "Diarmuid")
IRISH_SURNAMES = ("Ó Súilleabháin", "Ó Murchú", "Ó Ceallaigh", "O'Brien", "Kavanagh", "McCarthy", "Gallagher", "Doyle", "Fitzgerald", "Nolan", "Brennan")

NAME_POOLS = {
    "african": (AFRICAN_FEMALE, AFRICAN_MALE, AFRICAN_SURNAMES),
    "caribbean": (CARIBBEAN_FEMALE, CARIBBEAN_MALE, CARIBBEAN_SURNAMES),
    "south_asian": (SOUTH_ASIAN_FEMALE, SOUTH_ASIAN_MALE, SOUTH_ASIAN_SURNAMES),
    "arabic": (ARABIC_FEMALE, ARABIC_MALE, ARABIC_SURNAMES),
    "british": (BRITISH_FEMALE, BRITISH_MALE, BRITISH_SURNAMES),
    "irish": (IRISH_FEMALE, IRISH_MALE, IRISH_SURNAMES),
}
ORIGINS = ("african", "caribbean", "south_asian", "east_asian", "arabic", "british", "irish")

# Nicknames and alternative spellings (the participants table's `aliases`).
NICKNAMES = {
    "Oluwaseun": ("Seun",), "Babatunde": ("Tunde",), "Funmilayo": ("Funmi",), "Oluwatoyin": ("Toyin",),
    "Ikechukwu": ("Ike",), "Kwabena": ("Kobby",), "Catherine": ("Kate", "Cath"), "Jonathan": ("Jon",),
    "Nicholas": ("Nick",), "Christopher": ("Chris",), "Timothy": ("Tim",), "Victoria": ("Vicky",),
    "Penelope": ("Penny",), "Siobhán": ("Siobhan",), "Ciarán": ("Ciaran",), "Seán": ("Sean",),
    "Pádraig": ("Padraig", "Paddy"), "Róisín": ("Roisin",), "Gráinne": ("Grainne",), "Dónal": ("Donal",),
    "Abdul Rahman": ("Abdulrahman",), "Abdul Aziz": ("Abdulaziz",), "Youssef": ("Yusuf",), "Mary-Jane": ("MJ",),
    "Anne-Marie": ("Annie",),
}
SURNAME_VARIANTS = {"Ó Súilleabháin": "O'Sullivan", "Ó Murchú": "Murphy", "Ó Ceallaigh": "O'Kelly", "Al-Sayed": "Alsayed"}

# --------------------------------------------------------------------------- places and roles

FACULTIES = {
    "Arts and Humanities": ("English", "History", "Music", "Philosophy", "Modern Languages"),
    "Business and Law": ("Law", "Accounting", "Business Management", "Economics"),
    "Health and Life Sciences": ("Nursing", "Pharmacy", "Biomedical Science", "Psychology", "Midwifery"),
    "Science and Engineering": ("Computer Science", "Mechanical Engineering", "Chemistry", "Physics", "Mathematics"),
    "Social Sciences": ("Sociology", "Education", "Social Work", "Politics", "Criminology"),
}
FACULTY_NAMES = tuple(FACULTIES)
DIRECTORATES = (
    "Estates", "Human Resources", "Student Services", "Finance", "Library Services", "Marketing and Recruitment",
    "Research Services", "Digital Services", "Academic Registry",
)
EXECUTIVE_ROLES = (
    "Pro Vice-Chancellor for Education", "Pro Vice-Chancellor for Research", "Deputy Vice-Chancellor",
    "Chief Operating Officer", "Pro Vice-Chancellor for Student Experience", "Chief People Officer",
)
BUILDING_KINDS = ("Building", "Library", "Centre", "Lecture Theatre")
STREET_KINDS = ("Road", "Street", "Avenue", "Lane")
MONTHS = ("November", "December", "January", "February", "March")
YEARS_OF_STUDY = ("first", "second", "third", "final")
SCHEME_URL = f"https://www.{DOMAIN}/equality/reciprocal-mentoring"

# --------------------------------------------------------------------------- interview templates
# Slots in braces are filled per sentence. {other} is the interviewee's partner,
# {me} the interviewee, {nr1_...} a person not on the roster (new each sentence),
# {int_...} the evaluator. Plain slots: {o_they} {O_they} {o_them} {o_their}.

THEMES = (
    "lived_experience", "understanding_barriers", "career_development", "sponsorship",
    "decision_making_politics", "safe_space", "reciprocity", "labour_of_educating",
    "actions_policy_change", "accountability", "programme_logistics",
)

# theme -> speaker group -> sentences. Groups: leader, partner (staff or student), staff, student.
ANSWERS = {
    "lived_experience": {
        "partner": (
            "The first time we met I told {other} about being the only Black person in my team for years, and how tiring it is to be the one everyone looks at when race comes up.",
            "I talked about the little things, people touching my hair, people asking where I'm really from, and {other} just listened, which honestly I didn't expect.",
            "I told {o_them} about a time a visitor walked straight past me to ask my white colleague who was in charge, when I was the one in charge.",
            "There was one session where I described being followed round a shop on {street} after a seminar, and {other} went very quiet.",
            "You get used to being mixed up with the other Black colleague in the building, but saying that out loud to someone that senior was a big thing for me.",
            "I shared some of the stuff from when I started here, like people moving seats, and {other_poss} face said a lot.",
            "A student called {nr1_first} had exactly the same thing happen to them last term, so I know it's not just me.",
            "Even {nr1_title}, who's lovely, still calls me by the wrong name, and I explained why that matters more than people think.",
        ),
        "student": (
            "I told {o_them} that in my first year a tutor got my name wrong every single week, and nobody said anything.",
            "A lot of what I talked about was being one of three Black students on my course, and how you end up speaking for everyone.",
        ),
        "staff": (
            "I explained what it's like when a manager tells you your accent is unprofessional, which happened to me in my last job.",
        ),
        "leader": (
            "Hearing {other} describe being asked to prove {o_they} belonged every time {o_they} went into the {building} was genuinely shocking to me.",
            "I thought I understood microaggressions in the abstract, but listening to {other_poss} stories made it concrete in a way no training ever has.",
            "{other} told me about a comment a colleague made in a meeting I was actually chairing, and I hadn't noticed it at the time, which was uncomfortable to hear.",
            "What stayed with me was how ordinary it all was for {o_them}, the constant low-level stuff that I simply never have to think about.",
            "I've read the reports, of course, but sitting opposite {other_full} and hearing it first hand is a very different thing.",
            "{O_they} described being the only person of colour on a panel and being asked to speak for everyone, and I realised I had done exactly that to people.",
            "A student called {nr1_first} came to see me afterwards and said much the same thing, which I wouldn't have heard before.",
        ),
    },
    "understanding_barriers": {
        "partner": (
            "I think {o_they} started to see that the barriers aren't one big thing, it's the accumulation, the informal networks, who gets invited to the dinner.",
            "We talked a lot about why people like me don't apply for promotion, and it isn't confidence, it's that we've seen what happens when we do.",
            "{other} asked really good questions about why Black students don't come to office hours, and I could explain some of the reasons.",
            "I tried to explain that the barriers are in the culture as much as the policies, and I think by the end {o_they} got that.",
        ),
        "student": (
            "I explained that a lot of Black students work two jobs, so things like unpaid placements just aren't possible for us.",
            "We talked about the awarding gap and I said it's not about us trying less, it's about who feels they belong here.",
        ),
        "staff": (
            "I showed {o_them} how the workload model works on the ground, because from the top it looks fair and from where I sit it really isn't.",
        ),
        "leader": (
            "I came to understand that our processes look neutral on paper but the informal bits, who gets mentored, who gets the visible projects, are where it goes wrong.",
            "{other} helped me see why the promotion criteria disadvantage people who do a lot of the pastoral work, which is disproportionately our BAME colleagues.",
            "It made me rethink the awarding gap data, I'd always looked at it as a student problem rather than an institutional one.",
            "We walked round the campus together once and {other} pointed out things, the portraits in the {building}, for example, that I had never registered.",
            "I hadn't appreciated how much the cost of living affects our Black students, who are more likely to be commuting and working.",
        ),
    },
    "career_development": {
        "partner": (
            "{other} went through my CV with me and was very direct about what was missing, which nobody had done before.",
            "The career advice was good, practical stuff, how to write a case for promotion, how to talk about impact.",
            "Honestly my confidence about applying for things has gone up a lot, I applied for something in {month} because of those conversations.",
            "We talked about where I want to be in five years, and {o_they} was the first person to say the senior roles were realistic for me.",
        ),
        "student": (
            "{other} helped me think about postgraduate study, which I had never really considered because nobody in my family has done it.",
            "I got advice on applying for graduate schemes and {o_they} read over my personal statement.",
        ),
        "staff": (
            "We mapped out what I'd need for promotion and it was the first time it felt achievable.",
            "{other} told me to talk to {nr1_full} in HR about the leadership programme, which I've now applied for.",
        ),
        "leader": (
            "A lot of our time was spent on {other_poss} plans, and I tried to be honest about how panels actually read applications.",
            "I offered to look at {o_their} application before it went in, and I think that helped, {o_they} got an interview.",
            "I'm not sure I'm the best career adviser for {o_them}, but I could at least explain how the process works behind the scenes.",
            "We talked about careers a lot, and I found myself giving advice I wish someone had given me at that stage.",
        ),
    },
    "sponsorship": {
        "partner": (
            "There's a difference between advice and sponsorship, and I think {o_they} moved to actually using {o_their} influence, which is what we need.",
            "Being introduced to people by {other_title} opened doors, people answer your emails differently after that.",
            "I wanted {o_them} to speak up for me in the rooms I'm not in, and by the end I think {o_they} was doing that.",
            "{other} put my name forward for a working group I would never have heard about otherwise.",
        ),
        "student": (
            "{O_they} introduced me to {nr1_full}, who runs the summer internships, and now I've got a placement.",
        ),
        "staff": (
            "When an acting head of department role came up, {other} mentioned my name to the Dean, and I know that mattered.",
        ),
        "leader": (
            "I nominated {other} for the institutional working group on recruitment, and {o_they} has already changed how we write adverts.",
            "I've become much more conscious of sponsoring rather than just mentoring, using my seat at the table to name people.",
            "I asked {nr1_full}, who chairs the promotions committee, to meet {other}, which I probably wouldn't have thought to do before.",
        ),
    },
    "decision_making_politics": {
        "partner": (
            "It was eye-opening to hear how decisions actually get made, a lot of it is conversations before the meeting, not in it.",
            "{other} explained the committee structure to me, who you need to get on side before a paper goes to the executive board.",
            "I learned that the politics matter as much as the evidence, which is frustrating but useful to know.",
        ),
        "student": (
            "I had no idea how the university actually decides things, like who sets the accommodation fees, so that was really interesting.",
        ),
        "staff": (
            "I now understand why my proposal went nowhere last year, it never got to the right people before the planning round.",
        ),
        "leader": (
            "I tried to be transparent about how the executive team works, including the parts I'm not proud of.",
            "{other} was quite surprised by how few people are actually in the room when big decisions get made, and frankly so was I, saying it out loud.",
            "I explained the budget cycle and why things that look simple take eighteen months, and {o_they} challenged me on whether that's really necessary.",
        ),
    },
    "safe_space": {
        "partner": (
            "It felt like a safe space, I could say things to {other} that I would never say in a staff meeting.",
            "At first I was careful, you don't know how a senior person will react, but after the second meeting I relaxed.",
            "We agreed at the start that what we said stayed between us, and {o_they} stuck to that.",
            "There were moments I held back, to be honest, because {o_they} is still very senior and I have to work here.",
        ),
        "student": (
            "I wasn't sure I could be honest with someone that senior, but {other} made it easy, we met in the cafe in the {building} rather than {o_their} office.",
        ),
        "staff": (
            "I was worried about it getting back to my line manager, {nr1_full}, so I needed to trust that it wouldn't.",
        ),
        "leader": (
            "I tried hard to make it a space where {other} could say anything, including things about me and my decisions.",
            "We had one really honest conversation about race that I found difficult, and I think that's exactly what it's for.",
            "I had to learn not to get defensive, which is harder than it sounds when someone is describing your own institution.",
        ),
    },
    "reciprocity": {
        "partner": (
            "It did feel two-way, {o_they} learned from me and I learned a lot about how the place works.",
            "I liked that I was the mentor in this, it changes the power dynamic, at least for an hour a month.",
            "Some weeks it felt more like I was giving than getting, but overall I think it balanced out.",
        ),
        "student": (
            "I was surprised that {other} actually wanted to learn from me, a student.",
        ),
        "staff": (
            "We both came away with things, I got a window into the senior team and {o_they} got a window into the shop floor.",
        ),
        "leader": (
            "I genuinely learned more from {other} than I have from most leadership courses.",
            "It was reciprocal, I think, I brought some knowledge of how the system works and {other} brought a perspective I just don't have.",
            "Being the mentee at my stage of career was humbling, in a good way.",
            "{other_poss} idea of a reverse shadowing day was brilliant, I spent a day seeing what {o_their} week actually involves.",
        ),
    },
    "labour_of_educating": {
        "partner": (
            "Sometimes it felt like I was doing the work of educating {o_them} on top of my actual job, and that's tiring.",
            "I'm happy to share my experience, but there were days I came out of a meeting exhausted, it takes something out of you.",
            "It's emotional labour, going back over painful things so a white leader can learn, and I don't think that's always recognised.",
            "I had to be careful not to become the spokesperson for every Black person in the university.",
            "Nobody counts this in my workload, so the hours with {other} came out of my evenings really.",
        ),
        "student": (
            "It was a lot, on top of exams and my job, and I did wonder why it's always us who have to explain.",
        ),
        "staff": (
            "I raised it with {nr1_full}, who coordinates the scheme, that partners should get workload allocation for this.",
        ),
        "leader": (
            "I became aware that I was asking {other} to do a lot of emotional work, and I tried to do my own reading so {o_they} didn't have to teach me everything.",
            "{other} told me quite directly that it's not {o_their} job to educate me, which was fair, and I changed how I approached the meetings.",
            "I worry that schemes like this put the burden on the very people who are already carrying the most.",
        ),
    },
    "actions_policy_change": {
        "partner": (
            "What I want to see is actual change, not just a nice conversation, and I think some of that is happening.",
            "{other} took what I said about interview panels to the recruitment committee, and they're now requiring diverse panels for senior posts.",
            "The change to the extenuating circumstances process came partly out of our conversations, so that felt real.",
        ),
        "student": (
            "{O_they} took my point about the hardship fund to the student experience committee and it's being reviewed.",
        ),
        "staff": (
            "After we talked, {o_they} got the staff network a standing slot at the equality committee, which we've asked for for years.",
        ),
        "leader": (
            "As a direct result I've asked for the awarding gap data to be broken down by programme at every exam board.",
            "We've changed the shortlisting guidance in my area, we now anonymise applications for professional services roles.",
            "I've committed to reviewing the portraits and building names, starting with the {building}, which {other} raised.",
            "I set up a reverse mentoring slot on the agenda of our senior team meeting, so it's not just me who hears this.",
            "I've put a paper to the Executive Board on workload credit for staff who do race equality work, and that came straight from {other}.",
        ),
    },
    "accountability": {
        "partner": (
            "I want to know in a year's time whether anything actually changed, otherwise what was it for.",
            "I think {o_they} felt accountable to me by the end, {o_they} would come back and tell me what had happened with things.",
            "There should be some way of holding senior leaders to what they promised, maybe reporting back to the staff network.",
        ),
        "student": (
            "I'd like the university to publish what the leaders actually did, so students can see it.",
        ),
        "staff": (
            "If nothing's changed by next year I'll be asking {other_title} about it, and {o_they} knows that.",
        ),
        "leader": (
            "I feel accountable to {other} now, which is uncomfortable, and I think that's the point.",
            "I've told {other} I will report back in six months on the three things I committed to, and I mean it.",
            "The facilitated reflection session made it clear we'll be asked what changed, and that has focused minds on the executive team.",
        ),
    },
    "programme_logistics": {
        "partner": (
            "The matching was fine, though I only found out who I'd been paired with a week before the first meeting.",
            "Getting time in {o_their} diary was the hardest part, {o_their} PA, {nr1_full}, was brilliant though.",
            "We met about once a month, usually for an hour, sometimes longer if we got into something.",
            "The introductory training was useful, especially the session on boundaries and confidentiality.",
            "A couple of meetings got cancelled at short notice because of {o_their} commitments, which was frustrating.",
            "{other} gave me {o_their} mobile, {other_phone}, so we could text if things changed.",
            "I live out near {street}, {postcode}, so getting in for the early meetings was hard.",
            "There's a page about the scheme at {url} but it's quite out of date.",
        ),
        "student": (
            "Meetings were hard to fit around lectures and my shifts, so we ended up doing a couple on Teams.",
            "I had to email {other_email} a few times before we got a date in the diary.",
            "The programme office kept asking for my student number, {my_student_no}, for the travel bursary, which was a bit of a faff.",
        ),
        "staff": (
            "My line manager, {nr1_full}, was supportive about the time, but not everyone's manager is.",
            "I had to give the programme office my staff number, {my_staff_no}, three times before the workload credit went through.",
        ),
        "leader": (
            "My diary is a nightmare, and I'm embarrassed to say we had to rearrange at least twice.",
            "I'd suggest the programme office sends the meeting invites, rather than leaving it to partners to chase senior people.",
            "The pre-reading was good, though I'll confess I didn't do all of it.",
            "We met in the {building} most months, which was neutral ground, away from my office.",
            "If I'm honest the six months went very quickly, I'd have liked a couple more meetings.",
            "My PA, {nr1_full}, set up the meetings, and I'd copy in {other_email} so nothing got lost.",
        ),
    },
}

QUESTIONS = {
    "lived_experience": {
        "any": (
            "What kinds of experiences did you talk about in the meetings?",
            "Did conversations about lived experience of race come up, and how did that go?",
            "Can you tell me about a conversation with {other} that stayed with you?",
        ),
    },
    "understanding_barriers": {
        "any": ("Do you think the programme changed understanding of the barriers BAME staff and students face here?",),
        "leader": ("What did you learn about the barriers {other} and people like {o_them} face?",),
        "partner": ("How much do you think {other} understood about the barriers you face?",),
    },
    "career_development": {
        "partner": ("Did the pairing help with your career development at all?", "What about careers and progression, did that come up?"),
        "leader": ("Did you talk about {other_poss} career and progression?",),
    },
    "sponsorship": {
        "partner": ("Has {other} done anything to put you forward or open doors for you?",),
        "leader": ("Have you been able to use your position to put {other} forward for anything?",),
    },
    "decision_making_politics": {
        "any": ("Did you talk about how decisions get made in the university?", "What about the politics of the place, how things really work?"),
    },
    "safe_space": {
        "any": ("How safe did it feel to have honest conversations about race?", "Could you be honest with each other, do you think?"),
    },
    "reciprocity": {
        "any": ("Did it feel like a two-way relationship?", "Who do you think learned more, you or {other}?"),
    },
    "labour_of_educating": {
        "partner": ("Some people describe carrying the labour of educating white colleagues. Did that resonate with you?",),
        "leader": ("Did you worry about the burden the scheme puts on {other}?",),
    },
    "actions_policy_change": {
        "any": ("Has anything changed as a result, in practice or in policy?", "Can you point to anything concrete that's come out of it?"),
    },
    "accountability": {
        "any": ("Do you feel senior leaders are being held to account through the scheme?",),
    },
    "programme_logistics": {
        "any": (
            "Let's talk practicalities. How did the matching, the meetings and the training work for you?",
            "How did you find fitting the meetings in?",
        ),
    },
}

FOLLOW_UPS = (
    "Can you say a bit more about that?", "What did that feel like at the time?", "Mm-hmm. And then what happened?",
    "How did {other} respond to that?", "Why do you think that was?", "Was that typical, would you say?",
)
ACKNOWLEDGEMENTS = ("", "", "Thank you. ", "That's really interesting. ", "Mm. ", "Okay. ", "Right. ")
FILLERS = ("", "", "", "Yeah. ", "So, yeah. ", "Mm. ", "Good question. ", "Um, let me think. ", "Right. ", "Oh, that's a big one. ")

OPENERS = (
    "Hi {me}, thanks for making time for this. I'm {int_first}, from the evaluation team. Everything you say will be anonymised before it's analysed. Is it okay if I record?",
    "Thanks for joining, {me}. As you know, I'm {int_full} and I'm doing the interviews for the evaluation of the mentoring programme. Are you happy for me to record?",
    "Hello {me}. So this is the end-of-programme interview. I'm {int_first}, we met at the training day. It'll be anonymised, but can I check you're okay with the recording?",
)
CONSENT_REPLIES = ("Yes, that's fine.", "Yeah, go ahead.", "Of course, no problem.", "Yes, that's okay with me.")
INTRO_QUESTIONS = (
    "Could you start by telling me a bit about your role and how you came to the programme?",
    "To start with, can you tell me who you are, in your own words, and who you were paired with?",
)
INTROS = {
    "leader": (
        "I'm {my_role}, I've been at Anytown for about {years} years. I signed up because I felt I needed to understand race equality beyond the data. I was paired with {other_full}, who is {o_desc}.",
        "So I'm {my_role}. I was paired with {other_full}, {o_desc}, and I think I came in fairly naive, to be honest.",
    ),
    "staff": (
        "I'm {my_role}, my staff number's {my_staff_no} if you need it for the records. I was paired with {other_title}, who is {o_desc}.",
        "I'm {my_role}, I've been here {years} years. A colleague, {nr1_full}, suggested I apply, and I was paired with {other_full}.",
    ),
    "student": (
        "I'm a {year_of_study} year {subject} student, my student number is {my_student_no}. I was paired with {other_title}, who is {o_desc}.",
        "I'm {me}, I study {subject}, I'm in my {year_of_study} year. My student number's {my_student_no}, they said you'd need it. I got an email from {nr1_full} in the students' union about the scheme and I was paired with {other_full}.",
    ),
}
CLOSING_QUESTIONS = (
    "We're nearly out of time. Is there anything else you'd like to add?",
    "Last question: if you could change one thing about the programme, what would it be?",
)
CLOSING_ANSWERS = ("No, I think that's everything.", "Just that I'd do it again, despite everything.", "I think I've said it all, thank you.")
THANKS = (
    "Thank you so much, {me}, that's been really helpful. If anything else comes to mind, email me at {int_email} or ring me on {int_phone}.",
    "Brilliant, thank you. The best number for me is {int_phone}, or {int_email}.",
)
LAST_WORDS = (
    "Thanks. And if you need me, my mobile is {my_phone}.",
    "No problem. My email's {my_email} if you want to check anything.",
    "Thanks, it was good to reflect. I'm on LinkedIn too, {my_url}.",
    "Cheers. I'm {my_handle} on most platforms if you want to share the report.",
    "Thank you. You can ring me on {my_phone} or email {my_email}.",
)

# --------------------------------------------------------------------------- surveys

SCALES = {  # scale -> (items, waves)
    "lived_experience": (4, ("pre", "post")),
    "inclusive_leadership": (4, ("pre", "post")),
    "career_confidence": (4, ("pre", "post")),
    "sponsorship": (3, ("pre", "post")),
    "psychological_safety": (4, ("pre", "post")),
    "reciprocity": (3, ("post",)),
    "burden": (3, ("post",)),
    "mfq_career": (3, ("post",)),
    "mfq_psychosocial": (3, ("post",)),
    "mfq_role_model": (3, ("post",)),
}
REVERSE_KEYED = ("psychological_safety_3",)
# Latent means on the 1-5 scale: (pre, true change) by role group; post-only scales: post mean.
SURVEY_TRUTH = {
    "senior_leader": {
        "lived_experience": (2.8, 0.8), "inclusive_leadership": (3.1, 0.8), "career_confidence": (4.0, 0.0),
        "sponsorship": (3.6, 0.1), "psychological_safety": (3.6, 0.3),
        "reciprocity": 4.0, "burden": 2.1, "mfq_career": 3.0, "mfq_psychosocial": 3.9, "mfq_role_model": 3.4,
    },
    "partner": {
        "lived_experience": (4.1, 0.1), "inclusive_leadership": (3.0, 0.2), "career_confidence": (3.0, 0.5),
        "sponsorship": (2.6, 0.5), "psychological_safety": (3.0, 0.3),
        "reciprocity": 3.6, "burden": 3.3, "mfq_career": 3.8, "mfq_psychosocial": 3.9, "mfq_role_model": 3.8,
    },
}

# --------------------------------------------------------------------------- institutional truth

STUDENT_ETHNICITY = (
    ("10", 0.06), ("11", 0.55), ("12", 0.015), ("13", 0.01), ("15", 0.002), ("19", 0.063),
    ("21", 0.02), ("22", 0.05), ("29", 0.01),
    ("31", 0.04), ("32", 0.035), ("33", 0.015), ("34", 0.02), ("39", 0.02),
    ("41", 0.015), ("42", 0.01), ("43", 0.015), ("49", 0.01),
    ("50", 0.008), ("80", 0.012),
    ("90", 0.012), ("98", 0.008),
)
GROUPS = ("White", "Asian", "Black", "Mixed", "Other", "Unknown")
BAME_GROUPS = ("Asian", "Black", "Mixed", "Other")
IMD_PROBS = {  # P(quintile 1..5) by group
    "White": (0.15, 0.18, 0.20, 0.22, 0.25), "Asian": (0.30, 0.25, 0.18, 0.15, 0.12),
    "Black": (0.38, 0.26, 0.16, 0.12, 0.08), "Mixed": (0.25, 0.22, 0.20, 0.18, 0.15),
    "Other": (0.30, 0.25, 0.18, 0.15, 0.12), "Unknown": (0.18, 0.19, 0.20, 0.21, 0.22),
}
TARIFF = {"mean": 128.0, "sd": 28.0, "per_imd_quintile": 6.0, "mature": -10.0,
          "group_shift": {"White": 0.0, "Asian": -12.0, "Black": -24.0, "Mixed": -6.0, "Other": -12.0, "Unknown": -3.0}}
FACULTY_PROBS = (0.20, 0.22, 0.20, 0.20, 0.18)
# Logistic models. Covariates: tariff_z = (tariff - 128) / 28 (the true tariff, also where the
# record is missing), age10 = (age_on_entry - 18) / 10, female, disability, imd_c = quintile - 3,
# faculty and ethnicity-group indicators (reference: first faculty, White), mentored.
GOOD_HONOURS_MODEL = {
    "intercept": 1.30, "tariff_z": 0.55, "age10": -0.20, "female": 0.20, "disability": -0.15, "imd_c": 0.12,
    "faculty": {"Arts and Humanities": 0.0, "Business and Law": -0.25, "Health and Life Sciences": 0.10,
                "Science and Engineering": -0.10, "Social Sciences": 0.05},
    "group": {"White": 0.0, "Asian": -0.30, "Black": -0.50, "Mixed": -0.15, "Other": -0.30, "Unknown": -0.10},
    "mentored": 0.70,
}
CONTINUATION_MODEL = {
    "intercept": 2.40, "tariff_z": 0.40, "age10": -0.25, "female": 0.10, "disability": -0.15, "imd_c": 0.08,
    "group": {"White": 0.0, "Asian": 0.0, "Black": -0.35, "Mixed": -0.15, "Other": -0.10, "Unknown": 0.0},
}
COMPLETION_MODEL = {  # among continuers
    "intercept": 2.00, "tariff_z": 0.30, "age10": -0.20, "female": 0.10, "disability": -0.20, "imd_c": 0.05,
    "group": {"White": 0.0, "Asian": -0.10, "Black": -0.30, "Mixed": -0.10, "Other": -0.10, "Unknown": 0.0},
    "mentored": 0.40,
}
MENTORED_STUDENT_PROBS = {"White": 0.01, "Asian": 0.24, "Black": 0.45, "Mixed": 0.12, "Other": 0.10, "Unknown": 0.0}

STAFF_GRADE_SHARE = (0.04, 0.06, 0.09, 0.10, 0.12, 0.13, 0.14, 0.11, 0.08, 0.05, 0.05, 0.02, 0.01)
STAFF_HIRE_SHARE = (0.07, 0.09, 0.12, 0.12, 0.13, 0.13, 0.12, 0.09, 0.06, 0.03, 0.03, 0.008, 0.002)
STAFF_BAME_SHARE = (0.22, 0.22, 0.21, 0.20, 0.18, 0.17, 0.16, 0.13, 0.11, 0.09, 0.08, 0.05, 0.04)
STAFF_ACADEMIC_SHARE = (0.0, 0.0, 0.0, 0.0, 0.2, 0.6, 0.6, 0.6, 0.6, 0.8, 1.0, 0.2, 0.5)
STAFF_UNKNOWN_RATE = 0.015
STAFF_WHITE_CODES = (("10", 0.10), ("11", 0.70), ("12", 0.05), ("19", 0.15))
STAFF_BAME_CODES = (
    ("21", 0.08), ("22", 0.16), ("29", 0.02), ("31", 0.18), ("32", 0.08), ("33", 0.04), ("34", 0.14),
    ("39", 0.06), ("41", 0.04), ("42", 0.03), ("43", 0.05), ("49", 0.03), ("50", 0.04), ("80", 0.05),
)
STAFF_UNKNOWN_CODES = (("90", 0.6), ("98", 0.4))
# Discrete-time grouped proportional hazards: P(event in a year) = 1 - exp(-exp(b0 + b.x)).
# Baseline yearly probabilities by grade; x = (bame, mentored). Unknown ethnicity has x_bame = 0.
STAFF_PROMOTION_BASE = (0.10, 0.10, 0.10, 0.10, 0.08, 0.08, 0.08, 0.08, 0.07, 0.05, 0.02, 0.03, 0.0)
STAFF_LEAVING_BASE = 0.09
STAFF_PROMOTION_LOG_HR = {"bame": float(np.log(0.7)), "mentored": float(np.log(1.4))}
STAFF_LEAVING_LOG_HR = {"bame": float(np.log(1.3)), "mentored": float(np.log(0.8))}
STAFF_YEARS = tuple(range(2017, 2025))
STAFF_MENTORING_COHORTS = (2021, 2022, 2023, 2024)  # cohort start years; 2024 is this (demo) cohort
STAFF_MENTORED_PER_COHORT = 12

RECRUITMENT_GRADES = ("3", "4", "5", "6", "7", "8", "9", "10", "Professor")
RECRUITMENT_APPLICANTS = (840, 760, 600, 520, 480, 320, 180, 90, 60)  # per year at n_staff = 3000
RECRUITMENT_APPLICANT_SHARE = {"White": 0.56, "Asian": 0.21, "Black": 0.13, "Mixed": 0.05, "Other": 0.05}
RECRUITMENT_SHORTLIST_RATE = {"White": 0.22, "Asian": 0.17, "Black": 0.15, "Mixed": 0.19, "Other": 0.17}
RECRUITMENT_APPOINT_RATE = {"White": 0.30, "Asian": 0.20, "Black": 0.20, "Mixed": 0.20, "Other": 0.20}


# =========================================================================== helpers


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream]])


def _pick(rng: np.random.Generator, options):
    """One element of a sequence (deterministic for a given generator state)."""
    return options[int(rng.integers(len(options)))]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z\-]", "", folded).lower()


def _yes(values) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "yes", "no")


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _cloglog_prob(eta):
    return 1.0 - np.exp(-np.exp(eta))


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")


def _round(value, digits: int = 4):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else round(float(value), digits)


# =========================================================================== people


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


def _make_roster(seed: int) -> tuple[list[Person], list[Person], dict]:
    """Participants (P01..P52) and people not on the roster (X01.., the first two are evaluators)."""
    rng = _rng(seed, "names")
    names = _Names(rng)
    # People who are mentioned but not on the roster; English-word names reserved first.
    outsiders: list[Person] = []
    word_names = (("Hope", "Bishop", "british", "F"), ("Precious", None, "african", "F"), ("Faith", "Young", "british", "F"),
                  ("Blessing", None, "african", "F"), ("Summer", "Bird", "british", "F"), ("Joy", "King", "caribbean", "F"))
    evaluators = [names.person("X01", "british", "F"), names.person("X02", "african", "M")]
    for first, surname, origin, sex in word_names:
        outsiders.append(names.person("", origin, sex, first=first, surname=surname))

    # Senior leaders P01..P26, partners P27..P52; pair k joins P(k) and P(26 + k).
    leader_origins = ["british"] * 19 + ["irish"] * 5 + ["south_asian", "african"]
    leader_origins = [leader_origins[i] for i in rng.permutation(len(leader_origins))]
    irish_o = leader_origins.index("irish")
    grades = ["Professor"] * 12 + ["Director"] * 9 + ["Executive"] * 5
    grades = [grades[i] for i in rng.permutation(len(grades))]
    roles = ["staff_partner"] * 14 + ["student_partner"] * 12
    roles = [roles[i] for i in rng.permutation(len(roles))]
    staff_origins = ["african"] * 4 + ["caribbean"] * 2 + ["south_asian"] * 3 + ["east_asian"] * 3 + ["arabic"] * 2
    student_origins = ["african"] * 8 + ["caribbean"] * 4
    staff_origins = [staff_origins[i] for i in rng.permutation(len(staff_origins))]
    student_origins = [student_origins[i] for i in rng.permutation(len(student_origins))]
    # Forced name shapes: a Vietnamese and a Chinese name, a compound Arabic name, a hyphenated name.
    forced_staff = {staff_origins.index("east_asian"): "vietnamese",
                    len(staff_origins) - 1 - staff_origins[::-1].index("east_asian"): "chinese",
                    staff_origins.index("arabic"): "arabic_compound"}
    hyphenated_student = student_origins.index("caribbean")
    directorates = list(DIRECTORATES)
    executives = list(EXECUTIVE_ROLES)
    roster: list[Person] = []
    used_phone = set()

    def phone() -> str:
        while True:
            n = int(rng.integers(0, 1000))
            if n not in used_phone:
                used_phone.add(n)
                return f"07700900{n:03d}"

    for k in range(N_PAIRS):
        origin = leader_origins[k]
        sex = "F" if rng.random() < 0.45 else "M"
        p = names.person(f"P{k + 1:02d}", origin, sex, structure="irish_o" if k == irish_o else None)
        p.featured = k == irish_o
        p.role, p.grade = "senior_leader", grades[k]
        p.code = _origin_code(rng, origin)
        if p.grade == "Professor":
            p.faculty = _pick(rng, FACULTY_NAMES)
            p.subject = _pick(rng, FACULTIES[p.faculty])
            p.title = "Professor"
            p.role_desc = _pick(rng, (f"Head of the School of {p.subject}", f"Professor of {p.subject}", f"Associate Dean in {p.faculty}"))
        elif p.grade == "Director":
            area = directorates.pop(int(rng.integers(len(directorates))))
            p.faculty = area
            p.title = "Dr" if rng.random() < 0.4 else ("Ms" if sex == "F" else "Mr")
            p.role_desc = f"Director of {area}"
        else:
            p.faculty = "Vice-Chancellor's Office"
            p.title = "Professor"
            p.role_desc = executives.pop(int(rng.integers(len(executives))))
        roster.append(p)
    staff_i = student_i = 0
    for k in range(N_PAIRS):
        role = roles[k]
        pid = f"P{N_PAIRS + k + 1:02d}"
        if role == "staff_partner":
            origin = staff_origins[staff_i]
            structure = forced_staff.get(staff_i)
            sex = "M" if structure == "arabic_compound" else ("F" if rng.random() < 0.55 else "M")
            p = names.person(pid, origin, sex, structure=structure)
            p.featured = structure is not None
            staff_i += 1
            p.grade = str(int(rng.integers(5, 10)))
            p.faculty = _pick(rng, FACULTY_NAMES)
            p.subject = _pick(rng, FACULTIES[p.faculty])
            p.title = "Dr" if int(p.grade) >= 7 and rng.random() < 0.5 else ("Ms" if sex == "F" else "Mr")
            if int(p.grade) <= 6:
                p.role_desc = _pick(rng, (f"a faculty administrator in {p.faculty}", f"a research technician in {p.subject}", "a student support adviser"))
            else:
                p.role_desc = _pick(rng, (f"a lecturer in {p.subject}", f"a senior lecturer in {p.subject}", f"a programme leader in {p.subject}", f"a research fellow in {p.subject}"))
            p.code = _origin_code(rng, origin)
        else:
            origin = student_origins[student_i]
            forced = student_i == hyphenated_student
            student_i += 1
            sex = "F" if forced or rng.random() < 0.55 else "M"
            p = names.person(pid, origin, sex, first="Mary-Jane" if forced else None)
            p.featured = forced
            p.faculty = _pick(rng, FACULTY_NAMES)
            p.subject = _pick(rng, FACULTIES[p.faculty])
            p.title = "Ms" if sex == "F" else "Mr"
            year = _pick(rng, YEARS_OF_STUDY)
            p.role_desc = f"a {year} year {p.subject} student"
            p.code = _origin_code(rng, origin, student=True)
        p.role = role
        roster.append(p)
    for p in roster:
        p.phone = phone()
        if p.role == "student_partner":
            p.student_no = f"2{int(rng.integers(10**7, 10**8)):08d}"
        else:
            p.staff_no = f"S{int(rng.integers(100000, 999999)):06d}"
    # More outsiders (line managers, PAs, students, colleagues) from every origin.
    for i in range(24):
        origin = ORIGINS[i % len(ORIGINS)]
        outsiders.append(names.person("", origin, "F" if rng.random() < 0.5 else "M"))
    for i, p in enumerate(evaluators + outsiders, start=1):
        p.pid = f"X{i:02d}"
        p.title = "Dr" if rng.random() < 0.3 else ("Ms" if p.sex == "F" else "Mr")
    evaluators[0].phone = f"0161496{int(rng.integers(0, 1000)):04d}"
    evaluators[1].phone = f"0207946{int(rng.integers(0, 1000)):04d}"
    # Buildings and streets named after (invented) people; postcodes in the fictional AN area.
    places = {"buildings": [], "streets": []}
    for kind in BUILDING_KINDS[:3]:
        p = names.person("", _pick(rng, ORIGINS), "F" if rng.random() < 0.5 else "M")
        places["buildings"].append(f"{p.first} {p.surname} {kind}")
    for kind in STREET_KINDS[:3]:
        p = names.person("", _pick(rng, ("british", "caribbean", "irish", "african")), "M")
        places["streets"].append(f"{p.surname} {kind}")
    return roster, evaluators + outsiders, places


def _postcode(rng) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"AN{int(rng.integers(1, 20))} {int(rng.integers(1, 10))}{_pick(rng, letters)}{_pick(rng, letters)}"


def _participants_table(roster: list[Person], rng: np.random.Generator) -> pd.DataFrame:
    consent_interview = np.ones(len(roster), dtype=bool)
    consent_records = np.ones(len(roster), dtype=bool)
    # Two people declined interviews (not the featured name shapes), three declined record linkage.
    featured_pairs = {int(p.pid[1:]) % N_PAIRS for p in roster if p.featured}
    eligible = [i for i, p in enumerate(roster) if int(p.pid[1:]) % N_PAIRS not in featured_pairs]
    declined = rng.choice(eligible, size=2, replace=False)
    consent_interview[declined] = False
    consent_records[rng.choice(len(roster), size=3, replace=False)] = False
    for p, c in zip(roster, consent_interview):
        p.consent_interview = bool(c)
    return pd.DataFrame({
        "participant_id": [p.pid for p in roster],
        "name": [p.full for p in roster],
        "aliases": ["; ".join(p.aliases) for p in roster],
        "cohort": COHORT,
        "role": [p.role for p in roster],
        "ethnicity_code": [p.code for p in roster],
        "sex": [p.sex for p in roster],
        "grade": [p.grade for p in roster],
        "faculty": [p.faculty for p in roster],
        "consent_interview": _yes(consent_interview),
        "consent_records": _yes(consent_records),
    })

# =========================================================================== programme records


def _sessions(participants: pd.DataFrame, pairs: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict]:
    """Attendance at training and reflective sessions; people in withdrawn pairs miss sessions after withdrawal."""
    rng = _rng(seed, "sessions")
    ended = {}
    for row in pairs.itertuples():
        if row.status == "withdrawn":
            ended[row.senior_id] = ended[row.partner_id] = dt.date.fromisoformat(str(row.end_date))
    rows = []
    for name, when, p_attend in SESSIONS:
        for pid in participants["participant_id"]:
            active = pid not in ended or ended[pid] >= when
            attended = bool(active and rng.random() < p_attend)
            rows.append({"participant_id": pid, "session": name, "date": when.isoformat(), "attended": "yes" if attended else "no"})
    table = pd.DataFrame(rows)
    realised = table.assign(attended=table["attended"] == "yes").groupby("session", sort=False)["attended"].mean()
    truth = {"sessions": [{"session": n, "date": d.isoformat(), "p_attend_while_active": p} for n, d, p in SESSIONS],
             "realised_attendance": {k: _round(v) for k, v in realised.items()}}
    return table, truth


def _programme(roster: list[Person], seed: int) -> tuple[dict[str, pd.DataFrame], dict]:
    """Participants, pairs and meetings, with the programme's truth."""
    rng = _rng(seed, "programme")
    participants = _participants_table(roster, rng)
    start = np.datetime64(COHORT_START) + rng.integers(0, 21, N_PAIRS)
    featured_pairs = {int(p.pid[1:]) % N_PAIRS for p in roster if p.featured}
    candidates = [k for k in range(N_PAIRS) if (k + 1) % N_PAIRS not in featured_pairs]
    withdrawn = sorted(int(k) for k in rng.choice(candidates, size=3, replace=False))
    # Pairs where the partner arranges most meetings (a burden signal).
    partner_led = sorted(int(k) for k in rng.choice(N_PAIRS, size=6, replace=False))
    end_of_cohort = np.datetime64(COHORT_END)
    pairs_rows, meeting_rows, withdrawals = [], [], []
    for k in range(N_PAIRS):
        pair_id = f"R{k + 1:02d}"
        offsets = np.arange(PLANNED_MEETINGS) * 28 + np.concatenate([[int(rng.integers(3, 10))], rng.integers(-4, 8, PLANNED_MEETINGS - 1)])
        dates = np.minimum(start[k] + offsets, end_of_cohort - 1)
        attended = rng.random(PLANNED_MEETINGS) < 0.88
        p_partner = 0.7 if k in partner_led else 0.25
        initiated = rng.choice(["senior", "partner", "facilitator"], size=PLANNED_MEETINGS,
                               p=[0.85 - p_partner, p_partner, 0.15])
        minutes = rng.choice(np.arange(45, 101, 5), size=PLANNED_MEETINGS).astype(float)
        end_date, status = COHORT_END.isoformat(), "completed"
        if k in withdrawn:
            held = int(rng.integers(2, 5))  # meetings scheduled before the pair stopped
            attended[held - 1] = held == 2  # the last one before withdrawing often fell through
            end = dates[held - 1] + int(rng.integers(7, 21))
            dates, attended, initiated, minutes = dates[:held], attended[:held], initiated[:held], minutes[:held]
            end_date, status = str(end), "withdrawn"
            withdrawals.append({"pair_id": pair_id, "end_date": str(end), "meetings_scheduled": held,
                                "meetings_attended": int(attended.sum())})
        pairs_rows.append({"pair_id": pair_id, "senior_id": roster[k].pid, "partner_id": roster[N_PAIRS + k].pid,
                           "start_date": str(start[k]), "end_date": end_date, "status": status})
        for d, a, i, m in zip(dates, attended, initiated, minutes):
            meeting_rows.append({"pair_id": pair_id, "date": str(d), "minutes": int(m) if a else None,
                                 "attended": "yes" if a else "no", "initiated_by": i})
    pairs = pd.DataFrame(pairs_rows)
    meetings = pd.DataFrame(meeting_rows)
    meetings["minutes"] = meetings["minutes"].astype("Int64")
    attended = meetings[meetings["attended"] == "yes"]
    truth = {
        "planned_meetings": PLANNED_MEETINGS,
        "attendance_probability": 0.88,
        "minutes_uniform": [45, 100],
        "withdrawn_pairs": withdrawals,
        "partner_led_pairs": {"pair_ids": [f"R{k + 1:02d}" for k in partner_led],
                              "p_initiated_by": {"partner": 0.7, "senior": 0.15, "facilitator": 0.15}},
        "other_pairs_p_initiated_by": {"partner": 0.25, "senior": 0.6, "facilitator": 0.15},
        "realised": {
            "meetings_scheduled": int(len(meetings)),
            "meetings_attended": int(len(attended)),
            "mean_minutes_attended": _round(attended["minutes"].astype(float).mean(), 2),
            "share_initiated_by_partner": _round((meetings["initiated_by"] == "partner").mean()),
        },
        "consent_interview_no": participants.loc[participants["consent_interview"] == "no", "participant_id"].tolist(),
        "consent_records_no": participants.loc[participants["consent_records"] == "no", "participant_id"].tolist(),
    }
    return {"participants": participants, "pairs": pairs, "meetings": meetings}, truth


def _link_records(participants: pd.DataFrame, students: pd.DataFrame, staff: pd.DataFrame,
                  seed: int) -> tuple[pd.DataFrame, dict]:
    """Each participant's ``student_id``/``staff_id``: the record that links them to the institution's tables.

    Student partners are mentored students; staff partners are staff flagged as mentored in the last snapshot;
    senior leaders are senior staff who are not. Participants without consent to records linkage keep their link
    here (the institution knows it) and rmresearch must leave it unused.
    """
    rng = _rng(seed, "linkage")
    last = staff.loc[staff["year"] == staff["year"].max()]
    pools = {
        "student_partner": ("student_id", students.loc[students["mentored"] == "yes", "student_id"].unique()),
        "staff_partner": ("staff_id", last.loc[last["mentored"] == "yes", "staff_id"].unique()),
        "senior_leader": ("staff_id", last.loc[(last["mentored"] == "no")
                                               & last["grade"].isin(["Professor", "Director", "Executive"]), "staff_id"].unique()),
    }
    seniors = int((participants["role"] == "senior_leader").sum())
    if len(pools["senior_leader"][1]) < seniors:  # a small demo: senior leaders from the other staff not mentored
        others = last.loc[(last["mentored"] == "no") & ~last["staff_id"].isin(pools["senior_leader"][1]), "staff_id"].unique()
        pools["senior_leader"] = ("staff_id", np.concatenate([pools["senior_leader"][1], others[:seniors]]))
    out = participants.copy()
    out["student_id"] = ""
    out["staff_id"] = ""
    for role, (column, pool) in pools.items():
        rows = np.flatnonzero((out["role"] == role).to_numpy())
        chosen = rng.choice(np.sort(pool), size=min(len(rows), len(pool)), replace=False)
        out.loc[out.index[rows[:len(chosen)]], column] = chosen
    no_records = out["consent_records"] == "no"
    truth = {
        "columns": ["student_id", "staff_id"],
        "mentored_records_of_no_consent": sorted(
            [str(v) for v in out.loc[no_records & (out["role"] != "senior_leader"), ["student_id", "staff_id"]].to_numpy().ravel() if v]),
    }
    return out, truth


# =========================================================================== surveys


def _surveys(participants: pd.DataFrame, pairs: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    rng = _rng(seed, "surveys")
    n = len(participants)
    ids = participants["participant_id"].to_numpy()
    group = np.where(participants["role"] == "senior_leader", "senior_leader", "partner")
    withdrawn_people = set(pairs.loc[pairs["status"] == "withdrawn", ["senior_id", "partner_id"]].to_numpy().ravel())
    pre_done = rng.random(n) > 0.04
    p_post = np.where(np.isin(ids, list(withdrawn_people)), 0.2, 0.88)
    post_done = rng.random(n) < p_post
    person_sd, wave_sd, item_sd = 0.5, 0.35, 0.6
    pre_cols, post_cols = {}, {}
    for scale, (n_items, waves) in SCALES.items():
        truth = [SURVEY_TRUTH[g][scale] for g in group]
        person = rng.normal(0, person_sd, n)
        if waves == ("pre", "post"):
            base = np.array([t[0] for t in truth]) + person
            change = np.array([t[1] for t in truth])
            latents = {"pre": base + rng.normal(0, wave_sd, n), "post": base + change + rng.normal(0, wave_sd, n)}
        else:
            latents = {"post": np.array(truth, dtype=float) + person}
        for wave, latent in latents.items():
            for j in range(1, n_items + 1):
                name = f"{scale}_{j}"
                item = np.clip(np.rint(latent + rng.normal(0, item_sd, n)), 1, 5)
                if name in REVERSE_KEYED:
                    item = 6 - item
                item = pd.array(item.astype(int), dtype="Int64")
                item[rng.random(n) < 0.02] = pd.NA  # item non-response
                (pre_cols if wave == "pre" else post_cols)[name] = item
    pre = pd.DataFrame({"participant_id": ids, "wave": "pre", **pre_cols})[pre_done].reset_index(drop=True)
    post = pd.DataFrame({"participant_id": ids, "wave": "post", **post_cols})[post_done].reset_index(drop=True)
    truth = {
        "scale": "Likert 1-5; scale score = mean of items after reverse-scoring (6 - x)",
        "items": {s: [f"{s}_{j}" for j in range(1, k + 1)] for s, (k, _) in SCALES.items()},
        "waves": {s: list(w) for s, (_, w) in SCALES.items()},
        "reverse_keyed": list(REVERSE_KEYED),
        "true_change": {g: {s: v[1] for s, v in t.items() if isinstance(v, tuple)} for g, t in SURVEY_TRUTH.items()},
        "true_pre_mean": {g: {s: v[0] for s, v in t.items() if isinstance(v, tuple)} for g, t in SURVEY_TRUTH.items()},
        "true_post_mean_post_only_scales": {g: {s: v for s, v in t.items() if not isinstance(v, tuple)} for g, t in SURVEY_TRUTH.items()},
        "groups": "senior_leader = role senior_leader; partner = staff_partner and student_partner",
        "noise_sd": {"person": person_sd, "wave": wave_sd, "item": item_sd},
        "item_missing_probability": 0.02,
        "respondents": {"pre": int(pre_done.sum()), "post": int(post_done.sum()), "both": int((pre_done & post_done).sum())},
        "non_respondents": {"pre": ids[~pre_done].tolist(), "post": ids[~post_done].tolist()},
        "realised_change": _realised_survey_change(pre, post, participants),
    }
    return pre, post, truth


def _scale_scores(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"participant_id": frame["participant_id"]})
    for scale, (n_items, _) in SCALES.items():
        cols = [f"{scale}_{j}" for j in range(1, n_items + 1)]
        if not set(cols) <= set(frame.columns):
            continue
        items = frame[cols].astype(float)
        for c in cols:
            if c in REVERSE_KEYED:
                items[c] = 6 - items[c]
        out[scale] = items.mean(axis=1)
    return out


def _realised_survey_change(pre, post, participants) -> dict:
    role = participants.set_index("participant_id")["role"].map(lambda r: "senior_leader" if r == "senior_leader" else "partner")
    a, b = _scale_scores(pre).set_index("participant_id"), _scale_scores(post).set_index("participant_id")
    both = a.index.intersection(b.index)
    diff = (b.loc[both, a.columns] - a.loc[both]).assign(group=role.loc[both])
    result = {g: {s: _round(v, 3) for s, v in d.drop(columns="group").mean().items()} for g, d in diff.groupby("group")}
    post_means = b.assign(group=role.loc[b.index]).groupby("group").mean()
    result["post_means"] = {g: {s: _round(v, 3) for s, v in row.items()} for g, row in post_means.iterrows()}
    return result


# =========================================================================== students


def _draw_categorical(rng, probs: np.ndarray) -> np.ndarray:
    """Row-wise categorical draws: probs has one row of probabilities per draw."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    return (u > cum).sum(axis=1)


def _linear(model: dict, x: dict, group: np.ndarray, faculty: np.ndarray | None = None,
            mentored: np.ndarray | None = None, with_group: bool = True) -> np.ndarray:
    eta = np.full(len(group), model["intercept"], dtype=float)
    for name in ("tariff_z", "age10", "female", "disability", "imd_c"):
        eta += model[name] * x[name]
    if with_group:
        eta += pd.Series(group).map(model["group"]).to_numpy(dtype=float)
    if faculty is not None and "faculty" in model:
        eta += pd.Series(faculty).map(model["faculty"]).to_numpy(dtype=float)
    if mentored is not None and "mentored" in model:
        eta += model["mentored"] * mentored
    return eta


def _students(n: int, seed: int, emap) -> tuple[pd.DataFrame, dict]:
    rng = _rng(seed, "students")
    codes, probs = zip(*STUDENT_ETHNICITY)
    probs = np.array(probs) / np.sum(probs)
    code = rng.choice(np.array(codes), size=n, p=probs)
    group = emap.group(pd.Series(code), "ofs_group").to_numpy()
    entry = rng.integers(2017, 2023, n)
    female = rng.random(n) < 0.56
    mature = rng.random(n) < 0.18
    age = np.where(mature, 21 + np.minimum(rng.gamma(2.0, 4.0, n), 40), 18 + rng.choice([0, 1, 2], n, p=[0.6, 0.3, 0.1]))
    age = np.floor(age).astype(int)
    disability = rng.random(n) < 0.16
    imd_table = np.array([IMD_PROBS[g] for g in GROUPS])
    imd = _draw_categorical(rng, imd_table[pd.Series(group).map({g: i for i, g in enumerate(GROUPS)}).to_numpy()]) + 1
    tariff_true = (TARIFF["mean"] + TARIFF["per_imd_quintile"] * (imd - 3) + TARIFF["mature"] * mature
                   + pd.Series(group).map(TARIFF["group_shift"]).to_numpy() + rng.normal(0, TARIFF["sd"], n))
    tariff_true = np.clip(np.rint(tariff_true), 40, 224)
    tariff = np.where(rng.random(n) < np.where(mature, 0.25, 0.02), np.nan, tariff_true)  # missing in the record only
    fac_i = rng.choice(len(FACULTY_NAMES), size=n, p=FACULTY_PROBS)
    faculty = np.array(FACULTY_NAMES)[fac_i]
    sizes = np.array([len(FACULTIES[f]) for f in FACULTY_NAMES])
    subj_i = np.floor(rng.random(n) * sizes[fac_i]).astype(int)
    subjects = np.array([s for f in FACULTY_NAMES for s in FACULTIES[f]])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    subject = subjects[offsets[fac_i] + subj_i]
    x = {"tariff_z": (tariff_true - TARIFF["mean"]) / TARIFF["sd"], "age10": (age - 18) / 10, "female": female.astype(float),
         "disability": disability.astype(float), "imd_c": imd - 3.0}

    continued = rng.random(n) < _logistic(_linear(CONTINUATION_MODEL, x, group))
    p_mentored = pd.Series(group).map(MENTORED_STUDENT_PROBS).to_numpy(dtype=float)
    mentored = continued & (entry >= 2019) & (rng.random(n) < p_mentored)
    length = np.where(rng.random(n) < 0.12, 4, 3)
    qual_year = entry + length - 1
    still_studying = continued & (qual_year > 2024)
    completed = continued & ~still_studying & (rng.random(n) < _logistic(_linear(COMPLETION_MODEL, x, group, mentored=mentored)))
    eta_good = _linear(GOOD_HONOURS_MODEL, x, group, faculty, mentored)
    p_good = _logistic(eta_good)
    good = rng.random(n) < p_good
    first = rng.random(n) < _logistic(-0.7 + 0.6 * x["tariff_z"])
    third = rng.random(n) < 0.18
    unclassified = rng.random(n) < 0.02
    degree = np.where(good, np.where(first, "First", "2:1"), np.where(third, "Third", "2:2"))
    degree = np.where(unclassified, np.where(rng.random(n) < 0.7, "Pass", "Unclassified"), degree)
    degree = np.where(completed, degree, "")

    ids = 200000000 + rng.choice(10**8, size=n, replace=False)
    frame = pd.DataFrame({
        "student_id": ids.astype(str),
        "ethnicity_code": code,
        "ethnicity_group": group,
        "sex": np.where(female, "F", "M"),
        "age_on_entry": age,
        "disability": _yes(disability),
        "imd_quintile": imd,
        "tariff": pd.array(tariff, dtype="Float64").astype("Int64"),
        "faculty": faculty,
        "subject": subject,
        "entry_year": entry,
        "qualification_year": pd.array(np.where(completed, qual_year, 0), dtype="Int64"),
        "degree_class": degree,
        "continued": _yes(continued),
        "completed": np.where(still_studying, "", _yes(completed)),
        "mentored": _yes(mentored),
    })
    frame.loc[~completed, "qualification_year"] = pd.NA
    frame = frame.sort_values("student_id", kind="stable").reset_index(drop=True)
    truth = _student_truth(frame, x, group, faculty, mentored, completed, degree, still_studying, continued)
    return frame, truth


def _rate_by(outcome, by) -> dict:
    g = pd.Series(np.asarray(outcome, dtype=float)).groupby(np.asarray(by))
    return {str(k): {"rate": _round(v.mean()), "n": int(v.size)} for k, v in g}


def _student_truth(frame, x, group, faculty, mentored, completed, degree, still_studying, continued) -> dict:
    classified = completed & np.isin(degree, ("First", "2:1", "2:2", "Third"))
    good = np.isin(degree, ("First", "2:1"))
    bame = np.isin(group, BAME_GROUPS)
    white = group == "White"
    rate = lambda mask: float(good[classified & mask].mean())  # noqa: E731
    gap = rate(white) - rate(bame)
    gap_mentored = rate(white) - rate(bame & mentored)
    gap_not_mentored = rate(white) - rate(bame & ~mentored)
    # Model-based split of the White-BAME gap (Fairlie-style, with the true coefficients):
    # unexplained = mean over BAME of F(x b, own group effect set to White) - F(x b).
    eta = _linear(GOOD_HONOURS_MODEL, x, group, faculty, mentored)
    eta_no_group = _linear(GOOD_HONOURS_MODEL, x, group, faculty, mentored, with_group=False)
    m = classified & bame
    expected_gap = float(_logistic(eta)[classified & white].mean() - _logistic(eta)[m].mean())
    unexplained = float((_logistic(eta_no_group)[m] - _logistic(eta)[m]).mean())
    ofs = pd.Series(group)
    return {
        "n": int(len(frame)),
        "entry_years": [2017, 2022],
        "ethnicity_code_probabilities": {c: p for c, p in STUDENT_ETHNICITY},
        "imd_quintile_probabilities": {g: list(v) for g, v in IMD_PROBS.items()},
        "tariff_model": TARIFF | {"note": "tariff = mean + per_imd_quintile*(imd-3) + mature + group_shift + N(0, sd), clipped 40..224, rounded; missing in the record for 2% (25% of mature students) but the models use the true value"},
        "good_honours_model": GOOD_HONOURS_MODEL | {
            "link": "logit", "outcome": "First or 2:1 among qualifiers with a classified degree",
            "covariates": "tariff_z = (true tariff - 128)/28; age10 = (age_on_entry - 18)/10; female; disability; imd_c = imd_quintile - 3; faculty and group indicators; mentored",
            "degree_split": "good: First with P = logistic(-0.7 + 0.6 tariff_z) else 2:1; not good: Third with P = 0.18 else 2:2; 2% of qualifiers Pass (70%) or Unclassified",
        },
        "continuation_model": CONTINUATION_MODEL | {"link": "logit", "note": "mentored students are chosen among continuers"},
        "completion_model": COMPLETION_MODEL | {"link": "logit", "note": "among continuers; course length 3 years (12% 4 years); qualification_year = entry_year + length - 1; those due after 2024 are still studying (completed empty)"},
        "mentored_selection": {"eligible": "continued and entry_year >= 2019", "probability_by_group": MENTORED_STUDENT_PROBS},
        "gap_target_range_pp": [10, 13],
        "gap_target_note": "raw White-BAME good-honours gap at the default size (20,000 students); about half explained by tariff and IMD",
        "realised": {
            "good_honours_rate_by_group": _rate_by(good[classified], group[classified]),
            "good_honours_rate_white": _round(rate(white)),
            "good_honours_rate_bame": _round(rate(bame)),
            "gap_white_bame_pp": _round(100 * gap, 2),
            "gap_white_bame_expected_pp": _round(100 * expected_gap, 2),
            "gap_unexplained_pp": _round(100 * unexplained, 2),
            "gap_explained_pp": _round(100 * (expected_gap - unexplained), 2),
            "gap_white_vs_mentored_bame_pp": _round(100 * gap_mentored, 2),
            "gap_white_vs_not_mentored_bame_pp": _round(100 * gap_not_mentored, 2),
            "mentored_share": _round(mentored.mean()),
            "mentored_n_by_group": {str(k): int(v) for k, v in ofs[mentored].value_counts().sort_index().items()},
            "continuation_rate_by_group": _rate_by(continued, group),
            "completion_rate_by_group_among_continuers_finished": _rate_by(
                completed[continued & ~still_studying], group[continued & ~still_studying]),
        },
    }


# =========================================================================== staff


def _staff(n_staff: int, seed: int) -> tuple[pd.DataFrame, dict]:
    rng = _rng(seed, "staff")
    n_grades = len(GRADE_SCALE)
    capacity = n_staff * 3 + 1000
    id_pool = iter((100000 + rng.choice(900000, size=min(capacity, 900000), replace=False)).tolist())
    white_codes, white_p = zip(*STAFF_WHITE_CODES)
    bame_codes, bame_p = zip(*STAFF_BAME_CODES)
    unknown_codes, unknown_p = zip(*STAFF_UNKNOWN_CODES)

    def new_people(grades: np.ndarray, bame_boost: float = 1.0) -> dict:
        k = len(grades)
        unknown = rng.random(k) < STAFF_UNKNOWN_RATE
        bame = ~unknown & (rng.random(k) < np.array(STAFF_BAME_SHARE)[grades] * bame_boost)
        code = np.where(unknown, rng.choice(unknown_codes, k, p=unknown_p),
                        np.where(bame, rng.choice(bame_codes, k, p=np.array(bame_p) / sum(bame_p)),
                                 rng.choice(white_codes, k, p=white_p)))
        academic = rng.random(k) < np.array(STAFF_ACADEMIC_SHARE)[grades]
        faculty = np.where(academic | (rng.random(k) < 0.4), np.array(FACULTY_NAMES)[rng.integers(0, len(FACULTY_NAMES), k)], "Professional Services")
        return {
            "staff_id": np.array([f"S{next(id_pool):06d}" for _ in range(k)], dtype=object),
            "grade": grades.astype(int), "bame": bame, "code": code,
            "sex": np.where(rng.random(k) < 0.55, "F", "M"),
            "faculty": faculty, "contract": np.where(academic, "academic", "professional services"),
            "mentored_since": np.zeros(k, dtype=int),
        }

    people = new_people(rng.choice(n_grades, size=n_staff, p=STAFF_GRADE_SHARE))
    promo_base = np.log(-np.log(1 - np.array(STAFF_PROMOTION_BASE).clip(1e-12, None)))
    leave_base = np.log(-np.log(1 - STAFF_LEAVING_BASE))
    snapshots, events = [], []
    eligible_grades = np.arange(4, 9)  # grades "5".."9"
    for year in STAFF_YEARS:
        if year in STAFF_MENTORING_COHORTS:
            pool = np.flatnonzero(people["bame"] & np.isin(people["grade"], eligible_grades) & (people["mentored_since"] == 0))
            k = min(STAFF_MENTORED_PER_COHORT, len(pool) // 3)
            people["mentored_since"][rng.choice(pool, size=k, replace=False)] = year
        mentored = (people["mentored_since"] > 0) & (people["mentored_since"] <= year)
        x_bame, x_m = people["bame"].astype(float), mentored.astype(float)
        p_leave = _cloglog_prob(leave_base + STAFF_LEAVING_LOG_HR["bame"] * x_bame + STAFF_LEAVING_LOG_HR["mentored"] * x_m)
        left = rng.random(len(x_bame)) < p_leave
        can_promote = people["grade"] < n_grades - 1
        p_promo = np.where(can_promote, _cloglog_prob(promo_base[people["grade"]] + STAFF_PROMOTION_LOG_HR["bame"] * x_bame
                                                      + STAFF_PROMOTION_LOG_HR["mentored"] * x_m), 0.0)
        promoted = ~left & (rng.random(len(x_bame)) < p_promo)
        snapshots.append(pd.DataFrame({
            "staff_id": people["staff_id"], "year": year, "grade": np.array(GRADE_SCALE)[people["grade"]],
            "ethnicity_code": people["code"], "sex": people["sex"], "faculty": people["faculty"],
            "contract": people["contract"], "left": _yes(left), "mentored": _yes(mentored),
        }))
        events.append(pd.DataFrame({"year": year, "bame": people["bame"], "mentored": mentored, "left": left,
                                    "promoted": promoted, "at_risk_promotion": ~left & can_promote}))
        # Next year's staff: stayers (promoted ones one grade up) and new hires replacing leavers.
        stay = ~left
        people = {k: v[stay] for k, v in people.items()}
        people["grade"] = people["grade"] + promoted[stay]
        people["contract"] = np.where(np.array(GRADE_SCALE)[people["grade"]] == "Professor", "academic", people["contract"])
        hires = new_people(rng.choice(n_grades, size=int(left.sum()), p=STAFF_HIRE_SHARE), bame_boost=1.15)
        people = {k: np.concatenate([people[k], hires[k]]) for k in people}
    frame = pd.concat(snapshots, ignore_index=True).sort_values(["year", "staff_id"], kind="stable").reset_index(drop=True)
    ev = pd.concat(events, ignore_index=True)
    ev = ev[ev["year"] < STAFF_YEARS[-1]]  # promotions are seen in the following snapshot

    def rates(mask):
        sub = ev[mask]
        risk = sub[sub["at_risk_promotion"]]
        return {"person_years": int(len(sub)), "promotion_rate": _round(risk["promoted"].mean()), "leaving_rate": _round(sub["left"].mean())}

    truth = {
        "model": "discrete-time grouped proportional hazards (complementary log-log): P(event in year) = 1 - exp(-exp(b0_grade + b.x)); leaving drawn first, promotion (up one grade on the scale) among stayers; Unknown ethnicity has bame = 0",
        "grade_scale": list(GRADE_SCALE),
        "promotion_baseline_probability_by_grade": dict(zip(GRADE_SCALE, STAFF_PROMOTION_BASE)),
        "leaving_baseline_probability": STAFF_LEAVING_BASE,
        "promotion_log_hr": STAFF_PROMOTION_LOG_HR,
        "promotion_hr": {k: _round(np.exp(v)) for k, v in STAFF_PROMOTION_LOG_HR.items()},
        "leaving_log_hr": STAFF_LEAVING_LOG_HR,
        "leaving_hr": {k: _round(np.exp(v)) for k, v in STAFF_LEAVING_LOG_HR.items()},
        "bame_share_by_grade": dict(zip(GRADE_SCALE, STAFF_BAME_SHARE)),
        "hires": "one new hire per leaver; hire grades skew junior; BAME share of hires = 1.15 x the grade's share",
        "mentored": f"{STAFF_MENTORED_PER_COHORT} BAME staff in grades 5-9 per cohort starting {list(STAFF_MENTORING_COHORTS)}; mentored = yes from that year on",
        "realised": {
            "headcount_by_year": {str(k): int(v) for k, v in frame.groupby("year").size().items()},
            "white": rates(~ev["bame"]), "bame": rates(ev["bame"]),
            "mentored": rates(ev["mentored"]), "not_mentored_bame": rates(ev["bame"] & ~ev["mentored"]),
            "mentored_people": int(frame.loc[frame["mentored"] == "yes", "staff_id"].nunique()),
        },
    }
    return frame, truth


# =========================================================================== recruitment


def _recruitment(n_staff: int, seed: int) -> tuple[pd.DataFrame, dict]:
    rng = _rng(seed, "recruitment")
    scale = n_staff / 3000
    groups = list(RECRUITMENT_APPLICANT_SHARE)
    years, grades, gs = np.meshgrid(np.arange(2017, 2025), np.arange(len(RECRUITMENT_GRADES)), np.arange(len(groups)), indexing="ij")
    years, grades, gs = years.ravel(), grades.ravel(), gs.ravel()
    lam = np.array(RECRUITMENT_APPLICANTS)[grades] * np.array(list(RECRUITMENT_APPLICANT_SHARE.values()))[gs] * scale
    applied = rng.poisson(lam)
    shortlisted = rng.binomial(applied, np.array(list(RECRUITMENT_SHORTLIST_RATE.values()))[gs])
    appointed = rng.binomial(shortlisted, np.array(list(RECRUITMENT_APPOINT_RATE.values()))[gs])
    frame = pd.DataFrame({"year": years, "post_grade": np.array(RECRUITMENT_GRADES)[grades], "ethnicity_group": np.array(groups)[gs],
                          "applied": applied, "shortlisted": shortlisted, "appointed": appointed})
    w = frame[frame["ethnicity_group"] == "White"]
    b = frame[frame["ethnicity_group"] != "White"]
    realised = (w["appointed"].sum() / w["shortlisted"].sum()) / (b["appointed"].sum() / b["shortlisted"].sum())
    truth = {
        "applicant_share": RECRUITMENT_APPLICANT_SHARE,
        "p_shortlisted_given_applied": RECRUITMENT_SHORTLIST_RATE,
        "p_appointed_given_shortlisted": RECRUITMENT_APPOINT_RATE,
        "true_relative_likelihood_appointed_from_shortlisting_white_vs_bame": 1.5,
        "true_relative_likelihood_shortlisted_from_applying_white_vs_bame": _round(
            0.22 / (sum(RECRUITMENT_SHORTLIST_RATE[g] * RECRUITMENT_APPLICANT_SHARE[g] for g in BAME_GROUPS)
                    / sum(RECRUITMENT_APPLICANT_SHARE[g] for g in BAME_GROUPS))),
        "realised_relative_likelihood_appointed": _round(realised),
    }
    return frame, truth


# =========================================================================== interviews
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


def _interview_turns(rng, me: Person, other: Person, evaluator: Person, outsiders, places) -> list[tuple]:
    """(speaker Person, segments, themes) for one end-of-programme interview."""
    say = _Speech(rng, me, other, evaluator, outsiders, places)
    group = "leader" if me.role == "senior_leader" else "partner"
    sub = {"staff_partner": "staff", "student_partner": "student"}.get(me.role)
    intro_key = "leader" if group == "leader" else sub
    plain = lambda text: [(text, None, None, None)]  # noqa: E731
    turns = [
        (evaluator, say.expand(_pick(rng, OPENERS)), []),
        (me, plain(_pick(rng, CONSENT_REPLIES)), []),
        (evaluator, say.expand(_pick(rng, INTRO_QUESTIONS)), []),
        (me, say.expand(_pick(rng, INTROS[intro_key])), []),
    ]
    themes = [THEMES[i] for i in rng.permutation(len(THEMES))][: int(rng.integers(8, 12))]
    if "programme_logistics" in themes and rng.random() < 0.5:
        themes.remove("programme_logistics")
        themes.insert(0, "programme_logistics")
    for theme in themes:
        options = QUESTIONS[theme].get("any", ()) + QUESTIONS[theme].get(group, ())
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


_CAPTION_DROP = re.compile(r"[.,;:!?\"()\u2018\u2019\u201c\u201d\u2013\u2014]")


def _caption(seg: tuple) -> tuple:
    """Auto-caption style: lower case, no punctuation, identifiers as spoken."""
    text, label, person, origin = seg
    if label == "EMAIL":
        local, domain = text.split("@")
        text = f"{local.replace('.', ' dot ')} at {domain.replace('.', ' dot ')}"
    elif label == "URL":
        text = re.sub(r"^https?://", "", text).replace(".", " dot ").replace("/", " slash ")
    elif label == "HANDLE":
        text = "at " + text[1:].replace("_", " underscore ")
    elif label == "PHONE":
        text = re.sub(r"[+()]", "", text).replace("(0)", "")
    else:
        text = _CAPTION_DROP.sub(" ", text)
        text = re.sub(r"(?<=\s)-(?=\s)", " ", text)
    text = re.sub(r"\s+", " ", text.lower())
    if label:
        text = text.strip()
    return (text, label, person, origin)


def _join(segs: list) -> tuple[str, list]:
    """Turn text and its spans (start, end, label, person, origin), with single spaces only."""
    text, spans = "", []
    for seg_text, label, person, origin in segs:
        seg_text = re.sub(r" +", " ", seg_text)
        if not text or text.endswith(" "):
            seg_text = seg_text.lstrip(" ")
        if not seg_text:
            continue
        if label:
            spans.append((len(text), len(text) + len(seg_text), label, person, origin))
        text += seg_text
    stripped = text.rstrip(" ")
    return stripped, spans


def _cue_chunks(rng, text: str, spans: list) -> list[str]:
    """Split a turn into caption cues at spaces outside any span (rejoined with single spaces)."""
    inside = np.zeros(len(text) + 1, dtype=bool)
    for s, e, *_ in spans:
        inside[s:e] = True
    words, start = [], 0
    for i, ch in enumerate(text):
        if ch == " " and not inside[i]:
            words.append(text[start:i])
            start = i + 1
    words.append(text[start:])
    chunks, current, limit = [], [], int(rng.integers(9, 16))
    for w in words:
        current.append(w)
        n_words = sum(len(c.split(" ")) for c in current)
        if n_words >= limit or (n_words >= 5 and w.endswith((".", "?", "!")) and rng.random() < 0.6):
            chunks.append(" ".join(current))
            current, limit = [], int(rng.integers(9, 16))
    if current:
        chunks.append(" ".join(current))
    return chunks


def _clock(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _render_interview(rng, turns: list, fmt: str, caption: bool, first_names: bool) -> dict:
    """Write one transcript in memory: the file content and its ground-truth record."""
    rendered = []
    for speaker, segs, themes in turns:
        if caption:
            segs = [_caption(s) for s in segs]
        text, spans = _join(segs)
        if fmt == "txt" and speaker.pid.startswith("X"):
            label = "Interviewer"
        else:
            label = speaker.first if first_names else speaker.full
        rendered.append({"speaker": label, "person": speaker, "text": text, "spans": spans, "themes": themes})

    clock = float(rng.uniform(1.0, 4.0))
    cues_by_turn = []
    for i, r in enumerate(rendered):
        chunks = _cue_chunks(rng, r["text"], r["spans"]) if fmt == "vtt" else [r["text"]]
        cues = []
        for chunk in chunks:
            dur = max(1.2, len(chunk.split(" ")) / 2.6 * float(rng.uniform(0.85, 1.2)))
            cues.append((clock, clock + dur, chunk))
            clock += dur + float(rng.uniform(0.0, 0.25))
        cues_by_turn.append(cues)
        r["start_time"], r["end_time"] = cues[0][0], cues[-1][1]
        clock += float(rng.uniform(0.3, 1.5))

    lines, all_spans, truth_turns, offset = [], [], [], 0
    for r in rendered:
        person = r["person"]
        if r["speaker"] != "Interviewer":
            all_spans.append((offset, offset + len(r["speaker"]), "PERSON", person.pid, person.origin))
        body = offset + len(r["speaker"]) + 2
        all_spans.extend((body + s, body + e, lab, who, org) for s, e, lab, who, org in r["spans"])
        lines.append(f"{r['speaker']}: {r['text']}")
        offset += len(lines[-1]) + 1
        if fmt == "txt":
            start, end = None, None
        elif fmt == "docx":
            start, end = int(r["start_time"]), None
        else:
            start, end = round(r["start_time"], 3), round(r["end_time"], 3)
        truth_turns.append({"speaker": r["speaker"], "speaker_id": person.pid, "start_time": start, "end_time": end,
                            "text": r["text"], "themes": r["themes"]})
    canonical = "\n".join(lines)

    if fmt == "txt":
        content = (canonical + "\n").encode("utf-8")
    elif fmt == "docx":
        content = _docx_bytes([(r["speaker"], int(r["start_time"]), r["text"]) for r in rendered])
    else:
        out = ["WEBVTT", ""]
        counter = int(rng.integers(3, 20))
        for r, cues in zip(rendered, cues_by_turn):
            guid = "-".join("".join(_pick(rng, "0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12))
            for part, (a, b, chunk) in enumerate(cues):
                out += [f"{guid}/{counter}-{part}", f"{_clock(a)} --> {_clock(b)}", f"<v {r['speaker']}>{chunk}</v>", ""]
            counter += int(rng.integers(1, 4))
        content = "\n".join(out).encode("utf-8")

    spans = [{"start": s, "end": e, "label": lab, "text": canonical[s:e], "person": who, "origin": org if lab == "PERSON" else None}
             for s, e, lab, who, org in sorted(all_spans)]
    return {"content": content, "text": canonical, "spans": spans, "turns": truth_turns}


def _docx_bytes(turns: list[tuple[str, int, str]]) -> bytes:
    """A Teams-style transcript: 'Name   m:ss' then the spoken text, per turn; byte-for-byte reproducible."""
    from docx import Document

    doc = Document()
    for speaker, seconds, text in turns:
        m, s = divmod(seconds, 60)
        doc.add_paragraph(f"{speaker}   {m}:{s:02d}")
        doc.add_paragraph(text)
    props = doc.core_properties
    props.author = "rmresearch demo"
    props.last_modified_by = "rmresearch demo"
    props.title = "Transcript"
    props.comments = "Synthetic transcript generated by rmresearch"
    props.revision = 1
    props.created = props.modified = props.last_printed = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    doc.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, [Content_Types].xml first."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    names = sorted(names, key=lambda n: (n != "[Content_Types].xml", names.index(n)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()


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


# =========================================================================== entry point


def _config_bytes() -> bytes:
    return resources.files("rmresearch").joinpath("data/demo_cohort.yml").read_bytes()


def generate_demo(out_dir: str | Path = ".", *, seed: int = 2024, n_students: int = 20000, n_staff: int = 3000,
                  progress: bool = False) -> dict:
    """Write the synthetic demo cohort and its ground truth under ``out_dir``.

    Writes ``cohorts/demo.yml`` (a copy of the packaged configuration) and every
    input it names: programme records, students, staff snapshots, recruitment,
    pre/post surveys and about 15 interview transcripts (.txt, Teams .docx and
    Teams .vtt), plus ``data/demo/ground_truth/effects.json`` and
    ``identifiers.jsonl``. The same ``seed`` gives byte-identical files.

    Returns a summary: the output folder, the files written (relative paths),
    row counts and the injected effects (the content of ``effects.json``).
    """
    if n_students < 100 or n_staff < 100:
        raise ValueError("n_students and n_staff must each be at least 100")
    began = time.perf_counter()
    out = Path(out_dir)
    import yaml

    config_bytes = _config_bytes()
    config = yaml.safe_load(config_bytes.decode("utf-8"))
    inputs = config["inputs"]
    written: list[Path] = []
    from .guard import check_demo_output

    # never over a real project's files: only new paths, or those of a previous demo (its effects.json says so)
    truth_rel = Path(inputs["participants"]).parent / "ground_truth"
    targets = ["cohorts/demo.yml", *(v for k, v in inputs.items() if k not in ("surveys", "interviews")),
               *inputs["surveys"].values()]
    check_demo_output(out, targets, folders=[truth_rel, inputs["interviews"]], previous_marker=truth_rel / "effects.json",
                      unchanged={"cohorts/demo.yml": config_bytes})

    def note(message: str) -> None:
        if progress:
            print(f"[{time.perf_counter() - began:5.1f}s] {message}", file=sys.stderr, flush=True)

    def write_bytes(rel: str | Path, data: bytes) -> None:
        path = out / rel
        atomic_write_bytes(path, data)
        written.append(path)

    def write_table(rel: str, frame: pd.DataFrame) -> None:
        write_bytes(rel, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))

    write_bytes("cohorts/demo.yml", config_bytes)
    emap = load_ethnicity_map()

    note("participants, pairs, meetings")
    roster, people, places = _make_roster(seed)
    tables, programme_truth = _programme(roster, seed)
    for name in ("pairs", "meetings"):
        write_table(inputs[name], tables[name])
    sessions, programme_truth["sessions"] = _sessions(tables["participants"], tables["pairs"], seed)
    write_table(inputs["sessions"], sessions)

    note("surveys")
    pre, post, survey_truth = _surveys(tables["participants"], tables["pairs"], seed)
    write_table(inputs["surveys"]["pre"], pre)
    write_table(inputs["surveys"]["post"], post)

    note(f"students ({n_students})")
    students, student_truth = _students(n_students, seed, emap)
    write_table(inputs["students"], students)

    note(f"staff ({n_staff} a year, {len(STAFF_YEARS)} snapshots)")
    staff, staff_truth = _staff(n_staff, seed)
    write_table(inputs["staff"], staff)

    # participants are written once their student/staff records exist: each links to their record
    tables["participants"], programme_truth["records_linkage"] = _link_records(tables["participants"], students, staff, seed)
    write_table(inputs["participants"], tables["participants"])

    note("recruitment")
    recruitment, recruitment_truth = _recruitment(n_staff, seed)
    write_table(inputs["recruitment"], recruitment)

    note("interview transcripts")
    records = _interviews(roster, people, places, seed)
    raw = Path(inputs["interviews"])
    lines = []
    for rec in records:
        write_bytes(raw / rec["file"], rec["content"])
        lines.append(json.dumps({
            "file": rec["file"], "format": rec["format"], "participant_id": rec["participant_id"],
            "auto_caption": rec["auto_caption"], "text": rec["text"],
            "label": [[s["start"], s["end"], s["label"]] for s in rec["spans"]],
            "spans": rec["spans"], "turns": rec["turns"],
        }, ensure_ascii=False))
    truth_dir = Path(inputs["participants"]).parent / "ground_truth"
    write_bytes(truth_dir / "identifiers.jsonl", ("\n".join(lines) + "\n").encode("utf-8"))

    mentioned = sorted({s["person"] for r in records for s in r["spans"] if s["person"] and s["person"].startswith("X")})
    effects = {
        "generator": {"module": "rmresearch.synthetic", "seed": seed, "n_students": n_students, "n_staff": n_staff},
        "cohort": {"id": COHORT, "start_date": COHORT_START.isoformat(), "end_date": COHORT_END.isoformat(),
                   "pairs": N_PAIRS, "planned_meetings": PLANNED_MEETINGS},
        "programme": programme_truth,
        "students": student_truth,
        "staff": staff_truth,
        "recruitment": recruitment_truth,
        "surveys": survey_truth,
        "interviews": {
            "files": [{"file": r["file"], "format": r["format"], "participant_id": r["participant_id"],
                       "auto_caption": r["auto_caption"]} for r in records],
            "not_interviewed_no_consent": programme_truth["consent_interview_no"],
            "themes": list(THEMES),
            "labels": ["PERSON", "EMAIL", "PHONE", "URL", "POSTCODE", "STAFF_ID", "STUDENT_ID", "HANDLE", "LOCATION"],
            "non_roster_people": {p.pid: {"name": p.full, "origin": p.origin, "evaluator": i < 2}
                                  for i, p in enumerate(people) if p.pid in mentioned},
            "places": places,
            "conventions": "offsets 0-based, end-exclusive, into '\\n'.join(f'{speaker}: {text}'); titles and possessive 's are outside PERSON spans; buildings/streets named after people are LOCATION",
        },
    }
    write_bytes(truth_dir / "effects.json", (json.dumps(effects, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

    # Two synthetic coders' codings of the interview turns, so the agreement section runs.
    from .coding.demo import simulate_codings

    simulate_codings(out / truth_dir / "identifiers.jsonl", seed=seed, out=out / inputs["codings"])
    written.append(out / inputs["codings"])
    note(f"done: {len(written)} files in {out.resolve()}")
    return {
        "out_dir": str(out.resolve()),
        "config": str((out / "cohorts/demo.yml").resolve()),
        "files": sorted(str(p.relative_to(out)) for p in written),
        "counts": {"participants": len(tables["participants"]), "pairs": len(tables["pairs"]),
                   "meetings": len(tables["meetings"]), "students": len(students), "staff_rows": len(staff),
                   "recruitment_rows": len(recruitment), "survey_pre": len(pre), "survey_post": len(post),
                   "transcripts": len(records)},
        "effects": effects,
        "seconds": round(time.perf_counter() - began, 2),
    }
