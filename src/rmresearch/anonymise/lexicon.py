"""Word and name lists the detectors use, built from maintained packages.

- **Given names and surnames** come from Faker's person providers (86 locales,
  including en_GB, ga_IE, yo_NG, ig_NG, ha_NG, tw_GH, zu_ZA, sw, en_KE, en_NG,
  en_IN, en_PK, vi_VN, tr_TR, pl_PL and the romanised ja_JP / zh_TW lists); only
  entries written in Latin script are kept, since transcripts are in English.
- **Ordinary English words** come from the ``english-words`` package (Webster's
  Second International, ``web2``, and GCIDE): a lower-case entry of ``web2`` is
  an ordinary word, a capitalised one a proper noun. Inflections (``teams``,
  ``mentoring``, ``hoped``) are reduced to their stem before lookup.
- **Word frequency** from ``wordfreq`` (its 15,000 most frequent English words)
  tells a common word (``hope``, ``rose``) from a dictionary rarity that is
  mostly met as a name (``begum``).
- A short built-in list adds common romanised Chinese and Korean surnames (the
  Faker lists for those locales are in Han / Hangul script), identity terms
  (``Black``, ``Asian``) and modern words missing from a 1934 dictionary.
- **Words that are not names** (:mod:`.wordlists`): British and other spellings
  (``realisation``, ``paediatric``), prefixed and run-together words
  (``undemanding``, ``kindof``), hyphenated words (``non-judgemental``), places
  (Faker's address data, ``zoneinfo``), languages, territories and demonyms
  (babel), and short curated lists (greetings in other languages, transcript
  headings, HE and NHS bodies, UK regions). None of these rules applies to a
  token that a name list holds, so a name that is also a place (Devon, Kerry)
  stays a possible name.

Building the lists takes several seconds; the result is cached as JSON under
the user cache folder (``platformdirs.user_cache_dir("rmresearch")``, or
``$RMRESEARCH_CACHE_DIR``), keyed by the package versions, so later runs load
it in a fraction of that.

Examples
--------
>>> lex = get_lexicon()
>>> lex.is_given_name("Adaeze"), lex.is_surname("Okonkwo")
(True, True)
>>> lex.is_word("hope"), lex.is_word("mentoring"), lex.is_word("okonkwo")
(True, True, False)
>>> lex.is_name_word("Faith"), lex.is_name_word("Kwame")
(True, False)
>>> lex.is_word("realisation"), lex.is_word("kindof"), lex.is_known_proper("Merseyside"), lex.is_known_proper("Devon")
(True, True, True, False)
"""

from __future__ import annotations

import dataclasses
import gzip
import importlib
import json
import marshal
import os
import pkgutil
import re
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..fileio import atomic_write_bytes
from . import wordlists
from .wordlists import HYPHEN_PREFIXES, PREFIXES, compound_split, spelling_variants

__all__ = ["Lexicon", "get_lexicon", "cache_dir", "NAME_TITLES", "IDENTITY_TERMS"]

CACHE_FORMAT = 24
#: How many of wordfreq's most frequent English words count as "common".
FREQUENT_TOP_N = 15000

#: Titles that announce a name. A title is kept outside the PERSON span.
NAME_TITLES = (
    "Dr", "Doctor", "Prof", "Professor", "Mr", "Mrs", "Ms", "Miss", "Mx", "Sir", "Dame", "Cllr",
    "Councillor", "Rev", "Revd", "Reverend", "Lord", "Lady", "Baroness", "Dean", "Sister", "Brother",
    "Auntie", "Aunty", "Uncle", "Imam", "Rabbi", "Pastor", "Father", "Chief",
)

#: Capitalised words that describe people but never name one (identity and ethnicity terms).
IDENTITY_TERMS = frozenset(
    """black white asian brown mixed caribbean african british english scottish welsh irish
    indian pakistani bangladeshi chinese arab arabic gypsy roma traveller muslim christian jewish
    sikh hindu bame bme global majority minority ethnic west east north south""".split()
)

# Romanised surnames for locales whose Faker lists are not in Latin script.
_EXTRA_SURNAMES = """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Zheng
Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding
Ren Shen Yao Jin Fu Zhong Cui Tan Qiu Qin Jia Xia Fang Hou Bai Meng Long Wan Duan Lei Qian Kong Shi Mao Chan
Cheung Wong Leung Ng Chow Lam Kwok Tsang Yeung Lau Ho Chu Fung Choi Kim Lee Park Jung Kang Cho Yoon Jang Lim Shin
Seo Kwon Hwang Ahn Song Jeon Hong Yoo Ko Moon Yang Son Bae Baek Heo Nam Noh Ha Kwak Sung Cha Joo Woo Min Ryu Na
Jin Ji Uhm Pyo Byun""".split()

# Modern words absent from Webster's Second (1934) that transcripts use in capitals.
_EXTRA_WORDS = """okay ok email emails online offline website webinar internet covid wellbeing mentee mentees
mentoring reverse reciprocal inclusivity microaggression microaggressions intersectional intersectionality
podcast smartphone laptop app apps whatsapp linkedin zoom teams google facebook twitter instagram youtube
tiktok outlook onedrive sharepoint blackboard moodle canvas ucas hesa ofsted erasmus brexit windrush
uni phd postdoc postdocs vc pvc dvc hr hod edi ptsd adhd lgbt lgbtq yeah yep nope hmm um erm uh mm ah oh
cos gonna wanna kinda sorta alright dunno whilst amongst""".split()

# Proper nouns that are not people and that transcripts mention often.
_EXTRA_PROPER = """London Manchester Birmingham Leeds Liverpool Bristol Sheffield Newcastle Nottingham Leicester
Coventry Bradford Cardiff Glasgow Edinburgh Belfast Oxford Cambridge Brighton Croydon Lewisham Brixton Peckham
Hackney Tottenham Southall Wembley Luton Wolverhampton Sunderland Salford Bolton Derby Reading Slough Kent Essex
Surrey Yorkshire Lancashire Midlands Anytown England Scotland Wales Britain Europe Africa Asia America Caribbean
Lagos Accra Nairobi Kingston Karachi Lahore Dhaka Delhi Mumbai Beijing Shanghai Hanoi Seoul Tokyo Dubai Cairo
Harare Kampala Kinshasa Abuja Ibadan Kumasi Jamaica Trinidad Tobago Barbados Grenada Nigeria Ghana Kenya Uganda
Zimbabwe Somalia Sudan Ethiopia Eritrea Pakistan Bangladesh India China Vietnam Korea Japan Poland Romania
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August
September October November December Christmas Easter Eid Diwali Ramadan Hanukkah Vaisakhi Kwanzaa Advance
NHS Teams Zoom LinkedIn WhatsApp Twitter Instagram Facebook YouTube TikTok Microsoft Google Outlook Slack
Covid Brexit Windrush Stormzy Russell Group Charter Mark Bronze Silver Gold Athena Swan Equality Diversity
Inclusion Senate Council Faculty School College University Institute Department Directorate Union Students
Human Resources Vice Chancellor Pro Provost Registrar Office Officer Network Committee Board Programme""".split()

_PREFIXES_BY_START: dict[str, tuple[str, ...]] = {}
for _p in PREFIXES:
    _PREFIXES_BY_START[_p[:2]] = (*_PREFIXES_BY_START.get(_p[:2], ()), _p)
_TRIPLE = re.compile(r"(.)\1{2,}")
_FINAL_HUM = re.compile(r"([mh])\1$")
_ELONGATED = re.compile(r"(.)\1{2,}|([mh])\2$")
_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\u2019\-]*$")
_lock = threading.Lock()


def cache_dir() -> Path:
    """The folder where derived lists are cached (``$RMRESEARCH_CACHE_DIR`` overrides)."""
    env = os.environ.get("RMRESEARCH_CACHE_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("rmresearch"))
    except ImportError:  # pragma: no cover - platformdirs ships with pip/jupyter
        return Path.home() / ".cache" / "rmresearch"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def _values(v):
    if isinstance(v, dict):
        return list(v.keys())
    if isinstance(v, (list, tuple, set, frozenset)):
        return list(v)
    return []


def _faker_names() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Given names and surnames per Faker locale (Latin script only)."""
    try:
        import faker.providers.person as person
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError("The name lexicon needs Faker: pip install faker") from exc
    given: dict[str, list[str]] = {}
    surnames: dict[str, list[str]] = {}
    for mod in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        g: set[str] = set()
        s: set[str] = set()
        for attr in dir(provider):
            if attr.startswith("_"):
                continue
            lower = attr.lower()
            is_given = "first" in lower or "given" in lower
            is_surname = "last" in lower or "surname" in lower or "family" in lower
            if not (is_given or is_surname) or "prefix" in lower or "suffix" in lower:
                continue
            try:
                value = getattr(provider, attr)
            except Exception:  # noqa: BLE001 - properties on the class
                continue
            # Split compound entries ("Mary Jane", "van der Berg") into parts too.
            items = set()
            for x in _values(value):
                if isinstance(x, str):
                    for part in [x, *x.split()]:
                        if _LATIN.match(part) and len(part) > 1:
                            items.add(part)
            (g if is_given else s).update(items)
        if g:
            given[mod.name] = sorted(g)
        if s:
            surnames[mod.name] = sorted(s)
    return given, surnames


def _english_words() -> tuple[list[str], list[str]]:
    """(ordinary lower-case words, capitalised proper nouns) from english-words."""
    from english_words import get_english_words_set

    web2 = get_english_words_set(["web2"], lower=False)
    gcide = get_english_words_set(["gcide"], lower=False)
    words = {w for w in web2 if w.isalpha() and w.islower()}
    words |= {w for w in gcide if w.isalpha() and w.islower()}
    # GCIDE capitalises every headword, so only web2 tells proper nouns apart.
    proper = {w for w in web2 if w.isalpha() and w[:1].isupper() and not w.isupper()}
    return sorted(words), sorted(proper)


def _lorem_words() -> list[str]:
    """Faker's en_US list of about a thousand very common English words."""
    from faker.providers.lorem.en_US import Provider

    return sorted({w for w in Provider.word_list if w.isalpha()})


def _countries() -> list[str]:
    from faker.providers.address.en_US import Provider

    return sorted({c for c in Provider.countries if _LATIN.match(c.replace(" ", "").replace(",", ""))})


_INFLECTIONS = ("s", "es", "ed", "ing", "er", "ers", "ful", "ly", "ness")
_DERIVED = ("ous", "ence", "ance", "ness", "ity", "ment", "tion", "ful", "less", "ive", "ing", "ship", "hood")


def _name_words(names: set[str], words: set[str], proper: set[str]) -> list[str]:
    """Names that are also common English words (hope, faith, rose, young, bishop).

    A name counts as a common word when it is a dictionary word among wordfreq's
    ``FREQUENT_TOP_N`` most frequent English words *and* English uses it as a
    word: an inflection (``hopes``, ``roses``, ``younger``) is frequent too, or
    it carries a derivational suffix (``precious``, ``patience``, ``blessing``).
    Frequency alone would also admit ``khan``-like surnames that are frequent only
    because many people bear them (``singh``, ``wang``, ``murphy``).
    """
    import wordfreq

    ranked = wordfreq.top_n_list("en", 60000)
    rank = {w: i for i, w in enumerate(ranked)}
    out = []
    for name in names:
        w = name.lower()
        if w not in words or rank.get(w, FREQUENT_TOP_N) >= FREQUENT_TOP_N:
            continue
        forms = [w + x for x in _INFLECTIONS]
        if w.endswith("y"):
            forms.append(w[:-1] + "ies")
        if w.endswith("e"):
            forms += [w[:-1] + "ing", w + "d"]
        forms += [w + w[-1] + "ing", w + w[-1] + "ed", w + w[-1] + "er"]
        found = {f for f in forms if f in rank}
        # One plural alone ("marys", "martins") is weak evidence when the dictionary
        # also lists the word as a proper name.
        if w.endswith(_DERIVED) or len(found) >= 2 or (found and name.capitalize() not in proper):
            out.append(w)
    return sorted(out)


def _frequent_words(n: int = 10000) -> list[str]:
    """wordfreq's ``n`` most frequent English words: modern and inflected forms the
    1934 dictionary lacks (``has``, ``held``, ``wellbeing``). Names among them are
    not treated as words (see :meth:`Lexicon.is_word`)."""
    import wordfreq

    return [w for w in wordfreq.top_n_list("en", n) if w.isalpha()]


def _non_names(names: set[str], english: set[str], words: set[str]) -> dict[str, list[str]]:
    """Words and proper nouns that are not people's names (see :mod:`.wordlists`), lower case.

    ``names`` are every list's names, ``english`` the English-speaking lists' ones. ``places``: one-word places,
    languages, territories and peoples (``is_known_proper``); ``extra``: words the dictionaries lack (the
    curated lists); ``parts``: frequent non-name words that may run together into a compound (wordfreq's
    30,000 most frequent; among its 10,000 most frequent a name of a non-English list still counts, as for
    :meth:`Lexicon.is_word`: German ``Kind`` does not stop "kind" being a word).

    wordfreq's words beyond the 10,000 most frequent are not taken wholesale: that band holds thousands of
    surnames (and truncated tokens) that no name list has; its words count only through the rules of
    :meth:`Lexicon.is_word` (spelling variants, prefixes, compounds).
    """
    import wordfreq

    ranked = wordfreq.top_n_list("en", 30000)
    rank = {w: i for i, w in enumerate(ranked)}
    languages, territories = wordlists.babel_names()
    countries = set(_countries()) | territories
    raw = wordlists.place_names() | languages | countries
    places: set[str] = set()
    for entry in raw:
        parts = [p for p in re.split(r"[\s,&()]+", entry) if p]
        if len(parts) == 1:
            places.add(parts[0])
        else:  # "Tyne and Wear", "Dar es Salaam": the parts that are no ordinary word
            places.update(p for p in parts if p[:1].isupper() and len(p) > 2 and p.lower() not in words)
    places = {p.lower() for p in places if _LATIN.match(p)}
    # Attested: about as frequent as wordfreq's 100,000th English word or more (Zipf 1.95).
    places |= wordlists.demonyms(countries | languages, lambda w: wordfreq.zipf_frequency(w, "en") >= 1.95)
    places |= wordlists.UK_REGIONS | wordlists.BODIES | wordlists.SPEECH_LANGUAGES
    places -= names
    extra = wordlists.GREETINGS | wordlists.VARIETY_WORDS | wordlists.HEADINGS | wordlists.SPEECH_FORMS
    parts = {w for w in ranked if w.isalpha() and len(w) > 2 and w not in english
             and (rank[w] < 10000 or w in words and w not in names)}
    return {"places": sorted(places), "extra": sorted(extra - names), "parts": sorted(parts)}


def _build() -> dict:
    given, surnames = _faker_names()
    words, proper = _english_words()
    names = {n.lower() for v in (*given.values(), *surnames.values()) for n in v} | {n.lower() for n in _EXTRA_SURNAMES}
    english = {n.lower() for loc, v in (*given.items(), *surnames.items()) if loc.startswith("en") or loc == "ga_IE"
               for n in v}
    return {
        "non_names": _non_names(names, english, set(words)),
        "format": CACHE_FORMAT,
        "given": given,
        "surnames": surnames,
        "words": words,
        "proper": proper,
        "common": _lorem_words(),
        "countries": _countries(),
        "name_words": _name_words(names, set(words), set(proper)),
        "frequent": _frequent_words(),
    }


def _cache_file() -> Path:
    key = (f"f{CACHE_FORMAT}-faker{_version('faker')}-ew{_version('english-words')}"
           f"-wf{_version('wordfreq')}-babel{_version('babel')}-n{FREQUENT_TOP_N}")
    return cache_dir() / f"lexicon-{key}.json.gz"


def _load_data() -> dict:
    path = _cache_file()
    if path.is_file():
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
            if data.get("format") == CACHE_FORMAT:
                return data
        except (OSError, ValueError):
            pass  # a damaged cache is rebuilt
    data = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, gzip.compress(json.dumps(data).encode("utf-8"), mtime=0))
    except OSError:
        pass  # a read-only home folder only costs the build time next run
    return data


def _stems(word: str, comparative: bool = True) -> list[str]:
    """Candidate stems of an inflected English word (crude, for dictionary lookup).

    ``comparative=False`` leaves ``-er``/``-est`` on (for a spelling variant, whose ``-er`` is the rule's:
    "pierre" -> "pierer" must not make "pier").
    """
    out = []
    if word.endswith("'s") or word.endswith("\u2019s"):
        word = word[:-2]
        out.append(word)
    if len(word) > 3 and word.endswith("s"):
        out.append(word[:-1])
        if word.endswith("ies"):
            out.append(word[:-3] + "y")
        if word.endswith("es"):
            out.append(word[:-2])
    for suffix in ("ing", "ed", "er", "est") if comparative else ("ing", "ed"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            out += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                out.append(stem[:-1])
            if stem.endswith("i"):
                out.append(stem[:-1] + "y")
    for suffix in ("al", "ally"):  # organisational, judgemental (only after -ion / -ment: not "Jamal")
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and stem.endswith(("ion", "ment")):
            out.append(stem)
    for suffix in ("ly", "ness", "ment", "ful", "less", "ity", "ation", "ise", "ised", "ize", "ized", "ism", "ist", "ists"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            out.append(word[: -len(suffix)])
    return out


@dataclass
class Lexicon:
    """Name and word lists with the questions the detectors ask of them."""

    given: frozenset[str]
    surnames: frozenset[str]
    words: frozenset[str]
    proper: frozenset[str]
    common: frozenset[str]
    name_words: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    parts: frozenset[str] = frozenset()
    exact: frozenset[str] = frozenset()
    given_by_locale: dict[str, tuple[str, ...]] = field(repr=False, default_factory=dict)
    surnames_by_locale: dict[str, tuple[str, ...]] = field(repr=False, default_factory=dict)
    _word_cache: dict[str, bool] = field(repr=False, default_factory=dict)

    @classmethod
    def from_data(cls, data: dict) -> "Lexicon":
        given = {n for names in data["given"].values() for n in names}
        surnames = {n for names in data["surnames"].values() for n in names} | set(_EXTRA_SURNAMES)
        # A frequent word stops being a word only if English-speaking name lists hold it
        # ("mark", "bill"); that German lists hold "Held" does not make "held" a name.
        english = {n.casefold() for loc, names in (*data["given"].items(), *data["surnames"].items())
                   if loc.startswith("en") or loc == "ga_IE" for n in names}
        frequent = {w for w in data["frequent"] if w not in english}
        non_names = data["non_names"]
        words = set(data["words"]) | set(_EXTRA_WORDS) | set(data["common"]) | frequent
        proper = set(data["proper"]) | set(_EXTRA_PROPER)
        return cls(
            given=frozenset(n.casefold() for n in given),
            surnames=frozenset(n.casefold() for n in surnames),
            words=frozenset(words),
            proper=frozenset(p.casefold() for p in proper),
            common=frozenset(data["common"]),
            name_words=frozenset(data["name_words"]),
            # Whole one-word names only: "Saint Martin" must not make "Martin" a place.
            places=frozenset([c.casefold() for c in data["countries"] + _EXTRA_PROPER if " " not in c]
                             + non_names["places"]),
            parts=frozenset(non_names["parts"]),
            # Taken as written, never stemmed: "Titus" is no plural of a place "Titu".
            exact=frozenset(non_names["extra"] + non_names["places"]),
            given_by_locale={k: tuple(v) for k, v in data["given"].items()},
            surnames_by_locale={k: tuple(v) for k, v in data["surnames"].items()},
        )

    # -- names
    def is_given_name(self, token: str) -> bool:
        return token.casefold() in self.given

    def is_surname(self, token: str) -> bool:
        return token.casefold() in self.surnames

    def is_name(self, token: str) -> bool:
        """In any given-name or surname list (each part of a hyphenated name counts)."""
        key = token.casefold()
        if key in self.given or key in self.surnames:
            return True
        if "-" in key:
            parts = [p for p in key.split("-") if p]
            return bool(parts) and all(p in self.given or p in self.surnames for p in parts)
        return False

    # -- words
    def is_word(self, token: str) -> bool:
        """Whether ``token`` (any case) is an ordinary English word or an inflection of one.

        Beyond the dictionaries: British and other spellings (``realisation``, ``paediatric``), a prefix on a
        word (``cosponsor``), two words run together (``kindof``, ``wellbeing``), hyphenated words
        (``non-judgemental``), places, languages and peoples (``merseyside``, ``yoruba``, ``ghanaian``). Those
        extra rules never apply to a token that a name list holds: it is a word only if a dictionary says so.
        """
        key = token.lower()
        hit = self._word_cache.get(key)
        if hit is None:
            hit = self._lookup(key)
            if len(self._word_cache) < 500_000:
                self._word_cache[key] = hit
        return hit

    def _in_words(self, key: str) -> bool:
        return key in self.words or any(s in self.words for s in _stems(key))

    def _variant_in_words(self, key: str) -> bool:
        """A spelling variant of ``key`` is a word (its stems of four letters or more: not "haering" -> "her")."""
        return any(v in self.words or any(len(s) > 3 and s in self.words for s in _stems(v, comparative=False))
                   for v in spelling_variants(key))

    def _lookup(self, key: str) -> bool:
        if key in self.exact or self._in_words(key):
            return True
        if "-" in key:
            parts = [p for p in key.split("-") if p]
            # Each part a word as written, a prefix, or (not in a name list) a spelling variant of a word: no
            # stemming of parts, or "Al-Sayed" would be al + say-ed.
            return bool(parts) and all(
                p in self.words or p in self.exact or p in HYPHEN_PREFIXES
                or p not in self.given and p not in self.surnames and p.isalpha() and self._variant_in_words(p)
                for p in parts)
        if key in self.given or key in self.surnames or not key.isalpha():
            return False
        if self._variant_in_words(key):
            return True
        if _ELONGATED.search(key):  # speech written as heard: "sooo", "hmmm", "ermm" (not Webb, Penn: letters m, h)
            shorter = {_TRIPLE.sub(r"\1\1", key), _TRIPLE.sub(r"\1", key), _FINAL_HUM.sub(r"\1", key)} - {key}
            if any(v in self.exact or self._in_words(v) for v in shorter):
                return True
        for prefix in _PREFIXES_BY_START.get(key[:2], ()):
            rest = key[len(prefix):]
            if key.startswith(prefix) and len(rest) >= 5 and rest not in self.given and rest not in self.surnames \
                    and (self._in_words(rest) or self._variant_in_words(rest)):
                return True
        return compound_split(key, self.parts) is not None

    def is_common_word(self, token: str) -> bool:
        """An ordinary word that is mainly a word, not mainly a name.

        ``hope``, ``faith``, ``rose``, ``will`` are; ``emma`` or ``harry`` (which
        Webster's also lists in lower case, with rare meanings) are not, because
        the dictionary lists them as proper names too and they are not among the
        thousand most common English words; ``khan``-like surnames are not (see
        :func:`_name_words`).
        """
        key = token.lower()
        if key in self.common:
            return True
        if self.is_name(key):
            return key in self.name_words
        return self.is_word(key)

    def is_name_word(self, token: str) -> bool:
        """A name that is also a common word (Faith, Hope, Young, Bishop...)."""
        return self.is_name(token) and self.is_common_word(token)

    def is_known_proper(self, token: str) -> bool:
        """A capitalised word the dictionary knows that is not a person's name (London, Monday)."""
        # Webster's capitalised entries mix places with people of myth and scripture
        # (Jocasta), so only the curated gazetteer and country names count here.
        return token.casefold() in self.places

    def origin_locales(self, token: str) -> list[str]:
        """Faker locales whose lists contain ``token`` (given names first)."""
        t = token.casefold()
        out = [loc for loc, names in self.given_by_locale.items() if any(n.casefold() == t for n in names)]
        out += [loc for loc, names in self.surnames_by_locale.items() if any(n.casefold() == t for n in names) and loc not in out]
        return out


_LEXICON: Lexicon | None = None


def _ready_file() -> Path:
    """The ready-made sets, in Python's ``marshal`` format (specific to the Python version, hence the key)."""
    return _cache_file().with_name(_cache_file().name.replace(".json.gz", f"-py{sys.version_info[0]}{sys.version_info[1]}.marshal"))


def _load_lexicon() -> Lexicon:
    """The lexicon from its ready-made sets when cached (about half the time of rebuilding them from the JSON
    lists), else from :func:`_load_data`, caching the sets for next time. ``marshal`` holds plain data only
    (sets, tuples, dicts of strings), and a damaged file is rebuilt."""
    fields_ = [f.name for f in dataclasses.fields(Lexicon) if f.name != "_word_cache"]
    path = _ready_file()
    if path.is_file():
        try:
            state = marshal.loads(path.read_bytes())
            if isinstance(state, dict) and sorted(state) == sorted(fields_):
                return Lexicon(**state)
        except (OSError, ValueError, EOFError, TypeError):
            pass
    lex = Lexicon.from_data(_load_data())
    try:
        atomic_write_bytes(path, marshal.dumps({name: getattr(lex, name) for name in fields_}))
    except (OSError, ValueError):
        pass  # a read-only cache folder only costs the rebuild next run
    return lex


def get_lexicon() -> Lexicon:
    """The shared :class:`Lexicon`, built (or loaded from the cache) on first use."""
    global _LEXICON
    with _lock:
        if _LEXICON is None:
            _LEXICON = _load_lexicon()
        return _LEXICON
