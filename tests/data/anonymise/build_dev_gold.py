"""Build dev_gold.jsonl from the hand-written passages below and in passages15.py (run from the project root:
``python tests/data/anonymise/build_dev_gold.py``).

Markup
------
``{words|PERSON:origin}`` marks a person's name, ``{words|LABEL}`` any other identifier. Labels:

- direct: PERSON, EMAIL, PHONE, URL, POSTCODE, HANDLE, LOCATION (buildings and roads named after people);
  identity numbers as STAFF_NUMBER, STUDENT_NUMBER or ID_NUMBER (the first passages say STAFF_ID/STUDENT_ID;
  the evaluation scores all five together as ID);
- indirect: ROLE (a job title that singles one person out), UNIT (a small unit or named team), DESCRIPTOR (a
  unique description), SPECIAL_CATEGORY (a disclosure of religion, health, sexuality, gender identity,
  immigration status or ethnicity about an individual).

Conventions (shared with the demo's ground truth and the detector's spans):

- A title or honorific (Dr, Professor, Prof, Ms, Pastor, Sister, Aunty, Imam...) and a possessive ``'s`` stay
  OUTSIDE a PERSON span: ``Pastor {Adeyemi|PERSON:west_african}'s``. A speaker label is a PERSON span without its
  colon, brackets, timestamp or the ``<v >`` of a caption: ``[{Name|PERSON:x}] 11:02:09``. "Surname, Given" in a
  Teams export is two spans. Initials used as a name are a PERSON span: ``call me {KO|PERSON:west_african}``.
- Role words that name no one (Interviewer, Participant, SPEAKER_00, Unknown Speaker, P07) are not spans.
- An identifier said in words is one span over all its spoken words (``{oh seven seven double oh ...|PHONE}``,
  ``{j dot smith at anytown dot ac dot uk|EMAIL}``); a number split by a line break is one span across it; a
  number split by a caption timestamp is two spans, the timestamp outside both. An extension is a PHONE span over
  its digits only (``extension {4412|PHONE}``); an ID given as the answer in the next turn is a span there.
  Years, sums, room numbers, module codes, times and counts are not spans.
- ROLE and UNIT spans leave out the article: ``the {Dean of Law|ROLE}``, ``the {Chemistry technicians'
  team|UNIT}``; a DESCRIPTOR keeps it, as the words that make it unique start there: ``{the only Sikh woman on
  the senior team|DESCRIPTOR}`` (the convention of the indirect layer). A ROLE span covers the whole title phrase
  ("Head of the School of Nursing"). A SPECIAL_CATEGORY span covers
  the words naming the faith, condition, orientation, identity or status, without "practising", "diagnosis" or
  "man" (``I'm a practising {Muslim|SPECIAL_CATEGORY}``, ``my {MS|SPECIAL_CATEGORY} diagnosis``,
  ``my {Skilled Worker visa|SPECIAL_CATEGORY}``). The scheme's own
  vocabulary in general statements ("BAME staff", "disabled colleagues") is not a disclosure, and phrases like
  "head of steam", "the only way", "the first time" are not spans.

Each record's ``meta`` has ``split``, ``shape`` (prose | speaker_turns | teams | zoom | otter | captions |
diarised | heading), ``kind`` (names, wordnames, honorifics, initials, nonnames, speakers, numbers, roles, units,
descriptors, special, locations) and ``spans`` (PERSON spans with their ``origin``).

Splits
------
- ``dev``: passages to develop against; names may be in the detector's lists or the dev roster
  (dev_roster.csv), including names that are words (Joy, Hope, Will, Gift).
- ``heldout``: real names of many origins that appear in no list the detector uses and not in the roster
  (tests/test_anonymise_eval.py checks this), in every shape and kind: the targets are measured here.
- ``nolist``: names, most of them constructed for this file, in no list and no roster (same check): found only
  from their context.
- ``fresh``: written at the end of issue 15's work, after the detector changes were made, so that no detector
  was developed against them: messier speech (false starts, fillers, repairs), names of every kind (rare ones in
  no list, common ones in the lists, the dev roster's word-names), numbers, indirect identifiers and non-names.
  Its names are not checked against the lists. Figures on it are the least optimistic.
Passages without any PERSON span (kind nonnames) measure precision. Never add a passage's name or phrase to a
detector's list: that would make these figures meaningless.
"""

import json
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ among the fixtures
sys.path.insert(0, str(Path(__file__).parent))
from passages15 import DEV15, FRESH15, HELDOUT15, NOLIST15  # noqa: E402

MARK = re.compile(r"\{([^{}|]+)\|([A-Z_]+)(?::([a-z_]+))?\}")

DEV = [
    "Interviewer: How did you first meet {Adaeze|PERSON:african}?\n{Kwame Mensah|PERSON:african}: Through the scheme. Professor {Adaeze Okonkwo-Bello|PERSON:african}'s team runs it, and {Ada|PERSON:african} introduced me to {Siobhan O'Neill|PERSON:irish} at the launch.",
    "I hope the programme continues. {Hope|PERSON:caribbean} said it changed how she sees the place, and {Hope Campbell|PERSON:caribbean}'s mentee agreed. We all hope so.",
    "Young people in the faculty rarely meet the executive. {Daniel Young|PERSON:british} said that {Young|PERSON:british} himself had never been asked before.",
    "My mentor {Faith|PERSON:african} kept me going. I had lost faith in the promotion process, but {Faith Adeyemi|PERSON:african} showed me the criteria line by line.",
    "We met in the {Mary Seacole Building|LOCATION} most weeks, sometimes in the café on {Nelson Mandela Road|LOCATION}. {Priya|PERSON:south_asian} preferred the library.",
    "DR {WEI ZHANG|PERSON:east_asian} - NOTES FROM THE THIRD MEETING. {Zhang Wei|PERSON:east_asian} asked to be called {Wei|PERSON:east_asian} in the write-up.",
    "so i was paired with {precious|PERSON:african} and honestly it took a while um {precious moyo|PERSON:african} is very direct which i needed",
    "You can reach me on {k.mensah@anytown.ac.uk|EMAIL} or {07700 900123|PHONE}, and the scheme page is {https://www.anytown.ac.uk/equality/mentoring|URL}.",
    "My staff number is {S123456|STAFF_ID} and my student number was {212345678|STUDENT_ID} back when I did my masters here.",
    "She lives near {AN3 7XY|POSTCODE}, so the commute was long; she's {@ngozi_writes|HANDLE} on most platforms.",
    "{Fatima Al-Sayed|PERSON:arabic} and {Mohammed|PERSON:arabic} ran the Ramadan sessions. {Mo|PERSON:arabic} is brilliant at getting senior people to turn up.",
    "{Marek|PERSON:eastern_european} told me that {Tomasz Nowak|PERSON:eastern_european} had moved to Leeds. {Marek Kowalczyk|PERSON:eastern_european}'s own view was that the scheme helped.",
    "It was a joy to work with her. {Joy|PERSON:british} always came prepared, and {Joy Bishop|PERSON:british} wrote up every meeting. The bishop of the diocese spoke at the launch too.",
    "A bird flew into the window during our meeting! {Grace Bird|PERSON:british} laughed, and {Grace|PERSON:british} said it was a sign.",
    "The King's speech was on the radio. {Rose King|PERSON:caribbean} told me her mother grew roses. {Rose|PERSON:caribbean} is from Kingston originally.",
    "{Aoife Gallagher|PERSON:irish} chairs the Race Equality Charter panel. {Aoife|PERSON:irish} says Black Lives Matter changed the conversation here.",
    "The Vice-Chancellor came to the final event, and the Head of Department thanked {Blessing Okafor|PERSON:african}. What a blessing that was for {Blessing|PERSON:african}.",
    "interviewer: what did {minh|PERSON:east_asian} bring to the pairing\nparticipant: {nguyen van minh|PERSON:east_asian} brought a lot of patience honestly",
    "{Lucy Summers|PERSON:british} ran the summer school. In the summers we did less, but {Lucy|PERSON:british} kept the pairs in touch.",
    "I wrote to {Dr Priya Raghunathan|PERSON:south_asian} at {priya.r@anytown.ac.uk|EMAIL}; her office line is {0161 496 0123|PHONE}.",
    "My line manager {Chidi|PERSON:african} said I should apply. {Chidi Eze|PERSON:african} had done the scheme himself in 2021.",
    "We were a group: me, {Anjali|PERSON:south_asian}, {Tunde|PERSON:african} and {Declan|PERSON:irish}. {Declan Murphy|PERSON:irish} dropped out after two meetings.",
    "THANKS TO {SIOBHAN|PERSON:irish} AND {KWAME|PERSON:african} FOR ORGANISING THE CLOSING EVENT.",
    "The Stephen Lawrence Day lecture in the {Walter Rodney Lecture Theatre|LOCATION} was packed. {Femi|PERSON:african} sat with me.",
    "i spoke to {hope|PERSON:caribbean} about it after and she said she'd mention it to {dan young|PERSON:british} at the next exam board",
    "Call {+44 20 7946 0958|PHONE} or text {07700 900456|PHONE}. The Zoom link is on {www.anytown.ac.uk/edi|URL}.",
    "{Olumide|PERSON:african} and {Mei Ling|PERSON:east_asian} co-led the workshop. {Mei Ling Tan|PERSON:east_asian}'s slides were excellent.",
    "There was a lot of Windrush history in our conversations; {Winston|PERSON:caribbean}'s grandparents came over in 1955, he said.",
    "{Shiv|PERSON:irish} is what everyone calls {Siobhan|PERSON:irish}. {Shiv|PERSON:irish}'s door is always open.",
    "Her student number, {298765432|STUDENT_ID}, was on every form, and the staff ID {S654321|STAFF_ID} of her supervisor too.",
]

HELDOUT = [
    "Interviewer: Who did you work with?\nParticipant: Mostly {Ngozichukwu Anyaegbunam-Ezeji|PERSON:african}. {Ngozichukwu|PERSON:african} was the one who pushed me to apply for the readership.",
    "My manager {Tendaiishe|PERSON:african} said that the panel had never seen a case like mine. {Tendaiishe Mashingaidze|PERSON:african}'s advice was to write it up anyway.",
    "I was paired with {Kemoy Brissett|PERSON:caribbean}, a second-year pharmacy student. {Kemoy|PERSON:caribbean} told me about commuting from Croydon every day.",
    "{Oshane Pusey|PERSON:caribbean} and {Tashieka Gourzong|PERSON:caribbean} set up the Caribbean society. {Oshane|PERSON:caribbean} chairs it now.",
    "Professor {Venkatraman|PERSON:south_asian} chaired the panel, and {Dhruvika Venkatraman|PERSON:south_asian}'s questions were the sharpest I have had.",
    "so {sukhwinder|PERSON:south_asian} said we should meet off campus and {jaswinder purewal|PERSON:south_asian} agreed it felt safer",
    "{Xiaohui Ouyang|PERSON:east_asian} runs the international office. {Xiaohui|PERSON:east_asian} was blunt: nobody had asked her before.",
    "We met {Haruto Kanzaki|PERSON:east_asian} and {Eunji Pyeon|PERSON:east_asian} at the conference; {Kanzaki|PERSON:east_asian} later visited the lab.",
    "{Nusaybah Al-Qahtani|PERSON:arabic} asked whether {Abdulmalik|PERSON:arabic} could join the last session. {Abdulmalik Bawazir|PERSON:arabic} did, and it was the best one.",
    "Dr {Alshammari|PERSON:arabic} wrote to me at {r.alshammari@anytown.ac.uk|EMAIL} about it; I rang back on {0113 496 0777|PHONE}.",
    "{Tamsin Trevorrow|PERSON:british} is on the executive. Honestly {Tamsin|PERSON:british} had never had a conversation like that with a student.",
    "{Jocasta Pendlebury|PERSON:british}'s office is in the {Olaudah Equiano Building|LOCATION}; {Jocasta|PERSON:british} invited me there twice.",
    "My mentee {Ifeyinwa|PERSON:african} is a nurse. {Ifeyinwa Okoroafor|PERSON:african} taught me more about the wards than any report.",
    "{Lowenna Penhaligon|PERSON:british} and {Ffion Prothero|PERSON:british} sat on the promotions committee; {Ffion|PERSON:british} asked the hardest questions.",
    "i met {tinotenda|PERSON:african} every month and {oyinkansola|PERSON:african} joined us twice which was lovely",
    "{Lubna Ashour|PERSON:arabic} and {Hadeel Qarawi|PERSON:arabic} shared their stories. {Hadeel|PERSON:arabic}'s was about the visa office.",
    "{Qiuyue Zhan|PERSON:east_asian} said {Minjae Seok|PERSON:east_asian} had been overlooked for years. {Minjae|PERSON:east_asian} agreed to speak at the Senate.",
    "Our pair was {Paramjit Sanghera|PERSON:south_asian} and me. {Paramjit|PERSON:south_asian}'s staff number, {S777888|STAFF_ID}, was wrong on the list.",
    "{Shevaughn Dacres|PERSON:caribbean} grew up in Handsworth. {Shevaughn|PERSON:caribbean} says {Shanoya Mcfarquhar-Blagrove|PERSON:caribbean} is her role model.",
    "{Dobromir Hristozov|PERSON:eastern_european} came from Sofia for a postdoc. {Dobromir|PERSON:eastern_european} said the scheme was the first time anyone asked.",
    "{Rhiannedd Gwilym|PERSON:british} runs the Welsh-medium network. I met {Rhiannedd|PERSON:british} at the {Betty Campbell Centre|LOCATION}.",
    "{Siobhra Ní Ghallchobhair|PERSON:irish} leads the Irish studies group. {Siobhra|PERSON:irish} paired with {Clíona Ní Bhroin|PERSON:irish}, a first-year law student.",
    "interviewer: and who else was in the room\nparticipant: {bogumiła|PERSON:eastern_european} from finance and {vesselina dragneva|PERSON:eastern_european} who chairs the network",
    "The minutes say Ms {Ní Bhroin|PERSON:irish} and Dr {Szczygłowska|PERSON:eastern_european} both objected; {Vesselina|PERSON:eastern_european}'s note is attached.",
    "{Tasnuva Chowdhuree-Shikdar|PERSON:south_asian} and {Sunil Tharakan|PERSON:south_asian} co-wrote the report; {Tharakan|PERSON:south_asian} presented it.",
]


#: shape and kind of the first 55 passages (by list position); unlisted ones are prose / names.
OLD_SHAPES = {("dev", 1): "speaker_turns", ("dev", 6): "heading", ("dev", 7): "captions", ("dev", 18): "speaker_turns",
              ("dev", 23): "heading", ("dev", 25): "captions", ("heldout", 1): "speaker_turns",
              ("heldout", 6): "captions", ("heldout", 15): "captions", ("heldout", 23): "speaker_turns"}
OLD_KINDS = {("dev", n): "wordnames" for n in (2, 3, 4, 7, 13, 14, 15, 17, 19, 25)}
OLD_KINDS.update({("dev", n): "numbers" for n in (8, 9, 10, 20, 26, 30)})
OLD_KINDS.update({("dev", 5): "locations", ("dev", 24): "locations", ("heldout", 10): "numbers",
                  ("heldout", 18): "numbers", ("heldout", 12): "locations", ("heldout", 21): "locations"})
#: Indirect labels added to the first passages (the words were always there): (split, position) -> marked text.
OLD_INDIRECT = {("dev", 17): "The {Vice-Chancellor|ROLE} came to the final event, and the {Head of Department|ROLE} "
                             "thanked {Blessing Okafor|PERSON:african}. What a blessing that was for "
                             "{Blessing|PERSON:african}.",
                ("heldout", 7): "{Xiaohui Ouyang|PERSON:east_asian} runs the {international office|UNIT}. "
                                "{Xiaohui|PERSON:east_asian} was blunt: nobody had asked her before.",
                ("heldout", 22): "{Siobhra Ní Ghallchobhair|PERSON:irish} leads the {Irish studies group|UNIT}. "
                                 "{Siobhra|PERSON:irish} paired with {Clíona Ní Bhroin|PERSON:irish}, a first-year law "
                                 "student."}
#: The first passages said "african" and "east_asian"; the finer origins used since, by the name's first word
#: (case-folded), so that recall per origin counts each origin once.
FINER_ORIGINS = {
    "african": {"adaeze": "west_african", "kwame": "west_african", "ada": "west_african", "faith": "west_african",
                "blessing": "west_african", "chidi": "west_african", "tunde": "west_african", "femi": "west_african",
                "olumide": "west_african", "ngozichukwu": "west_african", "ifeyinwa": "west_african",
                "oyinkansola": "west_african", "precious": "southern_african", "tendaiishe": "southern_african",
                "tinotenda": "southern_african"},
    "east_asian": {"wei": "chinese", "zhang": "chinese", "xiaohui": "chinese", "qiuyue": "chinese",
                   "mei": "southeast_asian", "minh": "vietnamese", "nguyen": "vietnamese", "haruto": "japanese",
                   "kanzaki": "japanese", "eunji": "korean", "minjae": "korean"},
}


def finer(spans: list, text: str) -> None:
    for span in spans:
        table = FINER_ORIGINS.get(span.get("origin", ""))
        if table:
            first = text[span["start"]:span["end"]].split()[0].casefold()
            span["origin"] = table[first]


def parse(marked: str) -> tuple[str, list, list]:
    text, labels, spans = [], [], []
    pos = 0
    out_len = 0
    for m in MARK.finditer(marked):
        chunk = marked[pos:m.start()]
        text.append(chunk)
        out_len += len(chunk)
        words, label, origin = m.group(1), m.group(2), m.group(3)
        # A title written inside braces stays outside the span.
        title = re.match(r"(?:Dr|DR|Professor|Prof) ", words)
        if title:
            text.append(title.group())
            out_len += len(title.group())
            words = words[title.end():]
        start = out_len
        text.append(words)
        out_len += len(words)
        labels.append([start, out_len, label])
        span = {"start": start, "end": out_len, "label": label}
        if origin:
            span["origin"] = origin
        spans.append(span)
        pos = m.end()
    text.append(marked[pos:])
    return "".join(text), labels, spans


def passages() -> list[tuple[str, str, str, str]]:
    """Every passage as (split, shape, kind, marked), the first 55 first, in their old order."""
    out = []
    for split, items in (("dev", DEV), ("heldout", HELDOUT)):
        for i, marked in enumerate(items, start=1):
            key = (split, i)
            out.append((split, OLD_SHAPES.get(key, "prose"), OLD_KINDS.get(key, "names"), OLD_INDIRECT.get(key, marked)))
    out += DEV15 + HELDOUT15 + NOLIST15 + FRESH15
    return out


def main() -> None:
    out = Path(__file__).with_name("dev_gold.jsonl")
    lines, counters = [], {}
    for split, shape, kind, marked in passages():
        counters[split] = counters.get(split, 0) + 1
        text, labels, spans = parse(marked)
        finer(spans, text)
        lines.append(json.dumps({"id": f"{split}-{counters[split]:02d}", "text": text, "label": labels,
                                 "meta": {"split": split, "shape": shape, "kind": kind, "spans": spans}},
                                ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} passages written to {out}")


if __name__ == "__main__":
    main()
