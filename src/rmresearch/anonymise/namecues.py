"""Where a word that is also an English word stands as a name: the evidence the name layers weigh for
*Joy*, *Hope*, *Gift* or *Power*, and for initials used as names.

- :func:`predicate_follows`: a verb follows the word, as after the subject of a sentence ("Joy phoned me",
  "Hope emailed it over", "Grace always came early"), not a noun ("Young people", "Rose tinted glasses").
- :func:`from_unit`: "Gift from Finance", "Rose from the Registry", "joy from hr".
- :func:`title_phrase`: an ordinary capitalised word beside it makes a title, not a name ("Staying Power").
- :func:`clause_start`: in caption text, the word starts a clause (line start, punctuation, a filler word).
- :func:`list_linked`: joined by ",", "and", "&" or "or" to a token (``"me, joy and tunde"``).
- :func:`initials_spans`: initials used as names: "Dr B", "Prof A", "call me KO", a quote's "(DC)".

No installed package tags parts of speech without model data (NLTK's tagger data is optional), so the few
closed word classes this needs (irregular past tenses, auxiliaries, object pronouns, adverbs) are short curated
lists here; an open class (regular verbs) is told by its ending and the word list.

Examples
--------
>>> from rmresearch.anonymise.cues import tokenize
>>> from rmresearch.anonymise.lexicon import get_lexicon
>>> lex = get_lexicon()
>>> text = "Joy phoned me first. Young people rarely come."
>>> toks = tokenize(text)
>>> predicate_follows(text, toks, 0, lex), predicate_follows(text, toks, 4, lex)
(True, False)
>>> [s.text for s in initials_spans('I asked Dr B, then Prof A. "It changed me." (DC) The NHS (EDI) team.')]
['B', 'A', 'DC']
"""

from __future__ import annotations

import bisect
import re
from typing import Iterable, Sequence

from .cues import HONORIFICS, NAME_FOLLOWERS, Confidence, Token, sentence_initial
from .spans import Span

__all__ = ["HONORIFICS", "HONORIFIC_PHRASES", "ACRONYMS", "UNIT_WORDS", "predicate_follows", "from_unit", "title_phrase", "clause_start",
           "list_linked", "initials_spans"]

#: Proper nouns that follow an honorific without naming anyone ("Mother Nature", "Father Christmas").
HONORIFIC_PHRASES = frozenset("nature earth christmas time superior tongue church figure".split())

#: Irregular past tenses (a closed class; curated): "Rose rang", "Grace took me aside".
_IRREGULAR_PAST = frozenset("""ate awoke bore beat became began bent bet bit bled blew broke brought built burnt
bought caught chose clung came cost crept cut dealt dug dove drew dreamt drank drove fed felt fought found fled
flew forbade forgot forgave froze got gave went grew hung heard hid held hurt kept knelt knew laid led leant
leapt learnt left lent let lay lit lost made meant met paid put quit read rode rang rose ran said saw sought sold
sent set shook shone shot showed shut sang sank sat slept slid spoke spent spun split spread stood stole stuck
stung struck swore swept swam swung took taught tore told thought threw understood woke wore won wound wrote
rang rung""".split())
#: Auxiliaries and modals after a subject ("Joy will", "Hope can't").
_AUXILIARIES = frozenset("""is was are were has have had does do did will would can could should shall might must
may isn't wasn't aren't weren't haven't don't
hasn't hadn't doesn't didn't won't wouldn't can't couldn't shouldn't mightn't mustn't""".split())
#: Adverbs between a subject and its verb ("Grace always came").
_ADVERBS = frozenset("""always never just also really actually still often then now usually basically literally
definitely probably already sometimes finally eventually immediately once kindly quickly even only both
all""".split())
#: Words after a verb whose subject is a person: objects, particles, prepositions of a message.
_OBJECTS = frozenset("""me us him her them you it everyone everybody someone somebody people the a an my our his
their your this that these those back up in on over out about round around off and to for with every each most
twice again often weekly monthly regularly later early yesterday today""".split())
#: A verb ending in -s is only taken before one of these (plural nouns end in -s too: "Young graduates").
#: Only object pronouns: an abstract noun takes -s verbs and a determiner too ("Hope remains the main thing").
_S_OBJECTS = frozenset("me us him her them everyone everybody".split())

#: Professional-services and academic units a colleague is "from" (curated for UK universities; lower case is
#: enough in caption text, where "gift from finance" has no capitals). A capitalised word after "from" counts too.
UNIT_WORDS = frozenset("""finance hr estates registry admissions library it payroll procurement marketing comms
communications careers security facilities timetabling accommodation wellbeing disability chaplaincy research
admin administration reception legal governance planning strategy quality audit catering alumni development
fundraising international recruitment outreach edi ict digital exams examinations records compliance
chemistry physics biology law maths mathematics history english engineering nursing medicine pharmacy education
business psychology sociology computing economics geography music art arts philosophy politics dentistry
midwifery languages linguistics theology classics drama architecture accounting management health sport
biosciences humanities sciences faculty department school office team unit registry's""".split())
_NOT_UNITS = frozenset("""god heaven above allah jesus christ lord monday tuesday wednesday thursday friday saturday
sunday january february march april may june july august september october november december""".split())
_DETERMINERS = frozenset("a an the my our your his her their this that any some no every each".split())
#: Caption words after which a clause starts ("so joy phoned me").
_FILLERS = frozenset("""so and then but um uh erm er yeah yes ok okay well oh like because cos anyway right
actually basically honestly""".split())

#: Acronyms written in capitals that are never initials of a person (curated: UK higher education, the NHS,
#: common English in capitals). The cue around initials does most of the work; these are the exceptions.
ACRONYMS = frozenset("""NHS EDI HR VC PVC DVC BAME BME HE FE UK US USA EU UN PHD MSC BSC BA MA MBA REF TEF KEF OFS
UCU NUS HESA UCAS IT ICT CEO COO CFO HOD HOS AI PGR PGT UG PG ECR QA SU LGBT LGBTQ ADHD PTSD OK TV PR AGM CPD KPI DBS
GP AE ID PA QTS RA TA UKRI ESRC AHRC EPSRC MRC NERC STFC BLM REC STEM STEMM PDF CV FAQ DM SLT SMT UEB EXCO PS GTA HEA
SFHEA FHEA PFHEA AFHEA PGCERT DPHIL MPHIL LLM LLB MBBS BTEC GCSE NVQ SEN SENCO DSA NI UCL LSE KCL SOAS MIT CCTV BBC
ITV EHCP GDPR DPA FOI MOU UKVI BRP ILR PDR PPE CPR ICU GMC NMC RCN BMA TUC WP BSL ESOL EAL IELTS TOEFL CEO VP
RM RMP PI DOS EPQ HOD SIM PIN ATM SMS USB GPS PC MP MSP QC KC OBE MBE CBE NEU ICO CSV TSV XML JSON HTML API URL
CLI SQL CSS PNG JPG SVG DOI ISBN""".split())
#: Short English words written in capitals ("I said NO"): not initials unless a naming cue says so ("call me TO").
_CAPS_WORDS = frozenset("""AM PM NO SO GO UP ME HI OH WE IF OR ON IN AT TO OF BY AN AS IS BE DO MY US ALL AND THE
FOR BUT NOT YES SEND ARE WAS HAS HAD CAN YOU HER HIM HIS OUR OUT NOW NEW WHO WHY HOW ANY TOO OK""".split())

_SP = r"[ \t]{1,2}"
# One scan finds every run of one to three capitals; the words before and after each decide (a scan per cue
# would cost more than the whole name layer).
_CAPS = re.compile(r"(?<![\w'\u2019&.\-])[A-Z]{1,3}(?![\w'\u2019&\-])")
# "Dr B", "Prof A", "Mr K." (one or two capitals, no word after them that makes "A level").
_TITLE_BEFORE = re.compile(r"(?<![\w.])(?:Dr|Prof|Professor|Mr|Mrs|Ms|Mx|Miss|Sir|Dame|Dean|Doctor)\.?" + _SP + "$")
_LEVEL_AFTER = re.compile(r"[ \t]+levels?\b")
# "call me KO", "known as DC", "goes by JT".
_NAMED_BEFORE = re.compile(r"(?<![\w'])(?:(?:[Cc]all(?:s|ed|ing)?|[Nn]ame[ds]?)" + _SP + r"(?:me|him|her|them)"
                           + r"|[Kk]nown" + _SP + r"as|[Gg]o(?:es)?" + _SP + r"by)" + _SP + "$")
# Initials in brackets after a sentence or quote ('... for me." (DC)') or before a verb ("the notes say (DC)
# agreed"), or ending a quoted line ('..." - KO'). Brackets elsewhere mostly hold acronyms ("the test (ICO)").
_SENTENCE_END_BEFORE = re.compile(r"""(?:[.!?]["'\u201d\u2019]?|["\u201d])[ \t]*$""")
_VERB_AFTER = re.compile(r"[ \t]+(?:[a-z]{2,}ed|said|says|will|would|was|is|has|had|did|does|can|could|wrote|told"
                         r"|took|made|gave|felt|thought|asked|agreed)(?![\w'\u2019])")
_DASH_BEFORE = re.compile(r"""(?:[.!?]["'\u201d\u2019]?|["\u201d])[ \t]*[-\u2013\u2014][ \t]*$""")
_LINE_END = re.compile(r"[ \t]*(?:\n|$)")


def _gap(text: str, a: Token, b: Token) -> str:
    return text[a.full_end:b.start]


def _same_clause(text: str, a: Token, b: Token) -> bool:
    return bool(re.fullmatch(r"[ \t]{1,3}", _gap(text, a, b)))


def predicate_follows(text: str, tokens: Sequence[Token], i: int, lexicon) -> bool:
    """Whether a verb follows ``tokens[i]`` as it follows a sentence's subject: a name follower ("said", "was"),
    an auxiliary, an irregular past tense, or a regular ``-ed`` verb before an object or the clause's end, or an
    ``-s`` verb before an object pronoun ("Joy sends me the minutes"); an adverb may come between ("Grace always came").
    """
    n = len(tokens)
    j = i + 1
    if j >= n or tokens[i].possessive or not _same_clause(text, tokens[i], tokens[j]):
        return False
    if tokens[j].text.casefold() in _ADVERBS and j + 1 < n and _same_clause(text, tokens[j], tokens[j + 1]):
        j += 1
    tok = tokens[j]
    word = tok.text
    if not word.islower():
        return False
    contraction = text[tok.end:tok.full_end].casefold().replace("\u2019", "'")
    key = word + contraction if contraction in ("n't",) else word
    if key in NAME_FOLLOWERS or key in _AUXILIARIES:
        return True
    after = tokens[j + 1] if j + 1 < n else None
    tail = text[tok.full_end:after.start if after is not None else len(text)]
    nxt = after.text.casefold() if after is not None and _same_clause(text, tok, after) else ""
    if word in _IRREGULAR_PAST or len(word) > 4 and word.endswith("ed") and lexicon.is_word(word):
        # "Joy phoned me", "Rose rang back", "Hope emailed." -- not "Joy spread through", "Rose tinted glasses"
        return nxt in _OBJECTS or after is None or bool(re.match(r"[ \t]*[.,;!?\n]", tail))
    if (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ous"))
            and (lexicon.is_word(word[:-1]) or word.endswith("es") and lexicon.is_word(word[:-2]))):
        return nxt in _S_OBJECTS
    return False


def from_unit(text: str, tokens: Sequence[Token], i: int, *, caseless: bool) -> bool:
    """Whether ``tokens[i]`` is followed by "from" and a unit, department or place: "Gift from Finance",
    "Rose from the Registry", "Hope from Leeds" (in caption text only the unit words: "joy from hr")."""
    n = len(tokens)
    if i + 2 >= n or tokens[i].possessive or tokens[i + 1].text.casefold() != "from":
        return False
    if i > 0 and tokens[i - 1].text.casefold() in _DETERMINERS:
        return False  # "a gift from Finance"
    if not (_same_clause(text, tokens[i], tokens[i + 1]) and _same_clause(text, tokens[i + 1], tokens[i + 2])):
        return False
    k = i + 2
    if tokens[k].text.casefold() in ("the", "our") and k + 1 < n and _same_clause(text, tokens[k], tokens[k + 1]):
        k += 1
    word = tokens[k].text
    key = word.casefold()
    if key in _NOT_UNITS:
        return False
    if key in UNIT_WORDS:
        return True
    return not caseless and (word[:1].isupper() and not word.isupper() or word.isupper() and len(word) > 1)


def title_phrase(text: str, tokens: Sequence[Token], i: int, lexicon, *, sentence_start: bool) -> bool:
    """Whether ``tokens[i]`` (a capitalised word) sits in a run of capitalised words with an ordinary word that
    is no name ("Staying Power", "Joy Division"): the title of a book, band or event, not a person. A word
    capitalised only because it starts the sentence does not count ("Meeting Joy changed everything")."""
    def plain(k: int) -> bool:
        w = tokens[k].text
        return (w[:1].isupper() and not w.isupper() and lexicon.is_word(w) and not lexicon.is_name(w)
                and not lexicon.is_known_proper(w))

    if (i > 0 and not sentence_start and _adjacent(text, tokens, i - 1, i) and plain(i - 1)
            and not sentence_initial(text, tokens[i - 1].start)):  # "Did Will tell you?" is no title
        return True
    return i + 1 < len(tokens) and _adjacent(text, tokens, i, i + 1) and plain(i + 1)


def _adjacent(text: str, tokens: Sequence[Token], a: int, b: int) -> bool:
    return not tokens[a].possessive and bool(re.fullmatch(r"[ \t]", _gap(text, tokens[a], tokens[b])))


def clause_start(text: str, tokens: Sequence[Token], i: int) -> bool:
    """Whether ``tokens[i]`` starts a clause: the text's or a line's start, after ``.!?;:,`` or a dash, or
    after a filler word ("so", "um", "yeah") that itself starts one."""
    if i == 0:
        return not text[:tokens[0].start].strip(" \t\"'(")
    gap = _gap(text, tokens[i - 1], tokens[i])
    if "\n" in gap or re.search(r"[.!?;:,\u2013\u2014\-]", gap):
        return True
    return tokens[i - 1].text.casefold() in _FILLERS and (i == 1 or "\n" in _gap(text, tokens[i - 2], tokens[i - 1])
                                                          or bool(re.search(r"[.!?;:,]", _gap(text, tokens[i - 2], tokens[i - 1])))
                                                          or tokens[i - 2].text.casefold() in _FILLERS)


def list_linked(text: str, tokens: Sequence[Token], i: int) -> list[int]:
    """Indices of the tokens joined to ``tokens[i]`` as list items by ",", "and", "&" or "or", on one line."""
    n = len(tokens)
    out = []
    for a, b in ((i, i + 1), (i - 1, i)):
        if 0 <= a and b < n and not tokens[a].possessive and _gap(text, tokens[a], tokens[b]).strip() in (",", "&"):
            out.append(b if a == i else a)
    if i + 2 < n and tokens[i + 1].text.casefold() in ("and", "or") and _same_clause(text, tokens[i], tokens[i + 1]) \
            and _same_clause(text, tokens[i + 1], tokens[i + 2]):
        out.append(i + 2)
    if i - 2 >= 0 and tokens[i - 1].text.casefold() in ("and", "or") and _same_clause(text, tokens[i - 1], tokens[i]) \
            and _gap(text, tokens[i - 2], tokens[i - 1]).strip() in ("", ","):
        out.append(i - 2)
    return [k for k in out if "\n" not in _gap(text, tokens[min(i, k)], tokens[max(i, k)])]


def _acronym_definition(text: str, start: int, letters: str) -> bool:
    """Whether the capitalised words before ``start`` begin with ``letters`` ("Equality, Diversity and
    Inclusion (EDI)"): the letters define an acronym."""
    words = re.findall(r"[A-Z][\w'\-]*", text[max(0, start - 120):start])
    initials = "".join(w[0] for w in words)
    return initials.endswith(letters)


def _not_initials(letters: str, *, named: bool = False) -> bool:
    return letters.upper() in ACRONYMS or not named and letters.upper() in _CAPS_WORDS


def initials_spans(text: str, tokens: Sequence[Token] = (), lexicon=None, *, skip: Iterable[int] = ()) -> list[Span]:
    """PERSON spans of initials used as names: after a title ("Dr B", "Prof A"), after "call me" / "known as"
    / "goes by" ("call me KO"), in brackets ('..." (DC)', "the notes say (DC) agreed"), ending a quoted line
    ('..." - KO'), and, given ``tokens`` and ``lexicon``, capitals as a sentence's subject or its list items
    ("JT and MK met most often"; not for token indices in ``skip``, caption or all-caps lines). Acronyms
    (:data:`ACRONYMS`) and letters that define an acronym from the words before them are left alone."""
    out = []
    subjects = []
    for m in _CAPS.finditer(text):
        s, e, letters = m.start(), m.end(), m.group()
        if letters == "I" or letters.upper() in ACRONYMS:
            continue
        before = text[max(0, s - 24):s]
        conf = None
        if len(letters) <= 2 and _TITLE_BEFORE.search(before) and not _LEVEL_AFTER.match(text, e):
            conf = None if letters in _CAPS_WORDS else Confidence.INITIALS_AFTER_TITLE
        elif len(letters) == 1:
            continue
        elif _NAMED_BEFORE.search(before):
            conf = Confidence.INITIALS_NAMED
        elif letters in _CAPS_WORDS:
            continue
        elif s > 0 and text[s - 1] == "(" and text.startswith(")", e):
            if (_SENTENCE_END_BEFORE.search(before[:-1]) or _VERB_AFTER.match(text, e + 1)) \
                    and not _acronym_definition(text, s - 1, letters):
                conf = Confidence.INITIALS_ATTRIBUTION
        elif _DASH_BEFORE.search(before) and _LINE_END.match(text, e):
            conf = Confidence.INITIALS_ATTRIBUTION
        else:
            subjects.append(s)
        if conf is not None:
            out.append(Span(s, e, "PERSON", "context", conf, letters))
    if lexicon is not None and subjects and tokens:
        out += _subject_initials(text, tokens, lexicon, set(skip), subjects)
    return out


def _subject_initials(text: str, tokens: Sequence[Token], lexicon, skip: set[int], starts: list[int]) -> list[Span]:
    """"JT said", "JT and MK met": two or three capitals (no acronym, no word) before a verb, alone or in a
    list whose last item has the verb."""
    def initials(k: int) -> bool:
        w = tokens[k].text
        return (2 <= len(w) <= 3 and w.isupper() and k not in skip and not _not_initials(w)
                and not lexicon.is_word(w) and not _acronym_definition(text, tokens[k].start, w))

    def verb_after(k: int) -> bool:
        return (k + 1 < len(tokens) and tokens[k + 1].text.casefold() not in ("and", "who", "or")
                and predicate_follows(text, tokens, k, lexicon))

    out = []
    token_starts = [tok.start for tok in tokens]
    for s in starts:
        i = bisect.bisect_left(token_starts, s)
        if i >= len(tokens) or token_starts[i] != s or not initials(i):
            continue
        tok = tokens[i]
        group = [i] + [k for k in list_linked(text, tokens, i) if initials(k)]
        if any(verb_after(k) for k in group):
            out.append(Span(tok.start, tok.end, "PERSON", "context", Confidence.INITIALS_SUBJECT, tok.text))
    return out
