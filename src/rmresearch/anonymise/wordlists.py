"""Words that are not names: spelling varieties, places, languages, peoples, greetings, run-together words.

The :class:`~rmresearch.anonymise.lexicon.Lexicon` asks these questions so that a capitalised word of real
speech or web text that is not a person's name stops being taken for one. The data come from maintained
packages wherever one has them:

- **Spelling varieties**: the dictionaries are American (Webster's) or mixed; :func:`spelling_variants`
  maps a British, Irish, Australian, Indian or West African spelling to the American one by the regular
  correspondences (``-ise/-ize``, ``-our/-or``, ``-re/-er``, ``-ence/-ense``, ``ae``/``oe``/``e``,
  doubled ``l``, ``-ogue/-og``, ``-gramme/-gram``, ``judgement``). Irregular pairs are left to wordfreq,
  whose English lists are built from British and other sources too. Speech's dropped g (``workin``) is not
  undone: it would make words of Dustin, Larkin and Wallin.
- **Places**: Faker's address data (UK and Irish counties, Indian cities and states, Australian states,
  Canadian provinces, US states, Bangladeshi cities, Philippine provinces; the regions and cities of
  Poland, Romania, Germany and Portugal, also without accents: Krakow) and the city names of the IANA time-zone
  database (``zoneinfo``). No installed package lists UK towns: a town that no list holds still looks like
  an unknown capitalised word.
- **Languages, territories and peoples**: babel's English locale data (``Locale('en').languages`` that have
  a CLDR locale, ``.territories``; the adjectives of ``.currencies``: "Nigerian Naira"), and demonyms derived
  from country names by the usual endings (Kenya -> Kenyan, Sudan -> Sudanese), kept only when wordfreq
  attests the derived word.
- **Curated short lists** (no package has them; each says so): greetings in other languages, words of other
  Englishes, spoken forms (``lemme``, ``mhm``), transcript headings, university and health-service bodies, UK regions that are not
  administrative counties, and language and people names that babel gives otherwise (Bengali, Scouse).

Any entry that an English-speaking name list holds (Devon, Kerry, Georgia, Chester) is *not* treated as a
non-name: it stays a possible name, found or not by the name rules.

Examples
--------
>>> sorted(spelling_variants("organisational"))
['organizational']
>>> "center" in spelling_variants("centre"), "traveled" in spelling_variants("travelled")
(True, True)
>>> {"kenyan", "sudanese", "somali"} <= demonym_forms("Kenya") | demonym_forms("Sudan") | demonym_forms("Somalia")
True
"""

from __future__ import annotations

import importlib
import re

__all__ = ["spelling_variants", "demonym_forms", "compound_split", "GREETINGS", "VARIETY_WORDS", "HEADINGS",
           "BODIES", "UK_REGIONS", "SPEECH_LANGUAGES", "SPEECH_FORMS", "PREFIXES", "HYPHEN_PREFIXES", "place_names", "babel_names", "demonyms"]

# ---------------------------------------------------------------------------- spelling varieties
# (pattern, replacement) pairs from British (and Commonwealth) spelling to American. Each is tried alone and
# all together; the lexicon then looks the variant up with its usual inflection stemming.
_VARIANT_RULES = [
    (re.compile(r"is(e|es|ed|ing|er|ers|able|ation|ations|ational|ationally)$"), r"iz\1"),
    (re.compile(r"ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{2})our"), "or"),
    (re.compile(r"(?<=[a-z]{2}[tbvgc])re$"), "er"),  # centre, fibre, manoeuvre, meagre, massacre
    (re.compile(r"(?<=[a-z]{2}[tbvgc])res$"), "ers"),
    (re.compile(r"(?<=[a-z]{2}[tbvgc])red$"), "ered"),
    (re.compile(r"ence(s)?$"), r"ense\1"),
    (re.compile(r"(?<=[a-z])ae(?=[bcdfghjklmnpqrstvwxz][a-z]{3})"), "e"),
    (re.compile(r"(?<=[a-z])oe(?=[bcdfghjklmnpqrstvwxz][a-z]{3})"), "e"),
    (re.compile(r"(?<=[a-z]{2})oeuv"), "euv"),  # manoeuvre
    (re.compile(r"(?<=[aeiou])ll(ed|ing|er|ers|or|ors|ery|ation)$"), r"l\1"),
    (re.compile(r"(?<=[aeiou])l(ment|ments|ful|fully)$"), r"ll\1"),
    (re.compile(r"(?<=[a-z]{3}[io])l$"), "ll"),
    (re.compile(r"(?<=[a-z]{3})ogue(s|d)?$"), r"og\1"),
    (re.compile(r"gramme(s|d)?$"), r"gram\1"),
    (re.compile(r"dgement"), "dgment"),
    (re.compile(r"sceptic"), "skeptic"),
    (re.compile(r"ageing$"), "aging"),
]

_ANY_VARIANT = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in _VARIANT_RULES))


def spelling_variants(word: str) -> set[str]:
    """American spellings a (lower-case) British or Commonwealth spelling may stand for.

    >>> sorted(spelling_variants("paediatric")), sorted(spelling_variants("catalogue"))
    (['pediatric'], ['catalog'])
    >>> spelling_variants("okonkwo")
    set()
    """
    out: set[str] = set()
    if _ANY_VARIANT.search(word) is None:  # one search: most words have nothing to vary
        return out
    combined = word
    for rx, repl in _VARIANT_RULES:
        v = rx.sub(repl, word)
        if v != word:
            out.add(v)
        combined = rx.sub(repl, combined)
    if combined != word:
        out.add(combined)
    return out


# ---------------------------------------------------------------------------- run-together words
#: Prefixes that make a new word of an ordinary word run on without a hyphen ("undemanding", "overclock").
#: "de", "re", "co" are left out: run on, they begin too many Romance and Dutch surnames (Delaney, Coleman).
PREFIXES = ("non", "un", "dis", "pre", "post", "over", "under", "out", "anti", "multi", "inter", "sub", "super", "self",
            "micro", "macro", "semi", "cross", "counter", "mid", "hyper", "bio", "geo", "eco", "cyber", "tele",
            "mega", "trans", "neuro", "psycho", "socio", "extra", "intra")
#: Prefixes that stand before a hyphen ("non-judgemental", "co-produce", "re-enter", "ex-colleague").
HYPHEN_PREFIXES = frozenset(PREFIXES) | {"co", "re", "de", "ex", "pro", "mis", "vice", "pseudo", "quasi", "e"}
# The second half of a compound that is a typical English surname or place-name element (Underwood, Newton,
# Goodwin): such a compound stays a possible name. Curated: the common elements of English toponymic surnames.
_NAME_ELEMENTS = frozenset("""wood woods ford ton tons ley leys field fields ham by worth well wells more man mann son
sons mead bury ington land lands hill hills brook brooks stone stones house water berg stein hurst wick dale croft
thorpe shaw ridge cliffe combe den dens win wine ward way lake ing ling ler lock low lowe love well ney bridge gate
fort port mouth stead bourne burn burne church hall haven holm holme hope marsh mill mills moor moore rose shire side
ster thwaite wright smith ville borough burgh caster chester cester minster pool wich""".split())
#: Short function words allowed as the second half ("kindof", "sortof").
_SHORT_SECOND = frozenset(("of",))  # not "on", "in", "to": Brandon, Justin, Modesto


def compound_split(word: str, parts: frozenset[str]) -> tuple[str, str] | None:
    """Two ordinary words run together ("wellbeing", "kindof", "riverbank"), or None.

    ``parts`` are the frequent dictionary words that are not names. Both halves must be in it and of four
    letters or more (the second may be a short function word: "kindof"), and the second half must not be a
    surname or place element ("Underwood", "Newton" stay possible names). Shorter halves split too many names
    no list holds ("Tamsin" is not tam + sin).

    >>> compound_split("kindof", frozenset({"kind", "of"})), compound_split("newton", frozenset({"new", "ton"}))
    (('kind', 'of'), None)
    >>> compound_split("tamsin", frozenset({"tam", "sin"})) is None
    True
    """
    n = len(word)
    if n < 6:
        return None
    for i in range(4, n - 1):
        a, b = word[:i], word[i:]
        if a in parts and (b in parts and len(b) >= 4 or b in _SHORT_SECOND) and b not in _NAME_ELEMENTS:
            return a, b
    return None


# ---------------------------------------------------------------------------- curated short lists
#: Greetings, blessings and stock phrases of other languages said in UK English speech, romanised. Curated:
#: no maintained package lists them. Words that are also common surnames (Asante, Hao) are left out.
GREETINGS = frozenset("""salaam salam salaams assalamu assalam alaikum alaykum walaikum wa namaste namaskar namaskaram
vanakkam sat sri akal habari jambo mambo sawubona sanibonani molo dumela mhoro akwaaba ndewo sannu bawo ekaro ekaaro
ekaabo wagwan wagwaan gwan shalom ciao hola bonjour bonsoir salut konnichiwa annyeong annyeonghaseyo merhaba
selam dzien ahoj privet kia ora aloha ola obrigado obrigada gracias merci danke grazie shukran shukriya dhanyavad
asalaam inshallah insha'allah mashallah alhamdulillah subhanallah bismillah wallahi habibi habibti yalla ameen
jazakallah khuda hafiz ramadan mubarak eid shabbat mazel tov namaskaar""".split())
#: Everyday words of other Englishes (Indian, Nigerian, Ghanaian, Caribbean, London's multicultural English)
#: that a 1934 dictionary lacks. Curated, kept short; words that are names somewhere (Ting, Oga) are left out.
VARIETY_WORDS = frozenset("""lakh lakhs crore crores prepone preponed jollof wahala abeg innit bruv mandem gyaldem peng
bare wasteman ends allow dun sah chale ehn abi sef shey ashawo jugaad yaar arre acha accha haan nahi chai roti naan
jerk ackee callaloo plantain bredrin fam tbh lol omg""".split())
#: Spoken forms that captions and verbatim transcripts write as heard. Curated: wordfreq's frequent words have
#: most (gonna, kinda, dunno); these are the rest.
SPEECH_FORMS = frozenset("""coulda woulda shoulda musta lemme gimme tryna aight lotsa outta betcha gotcha whatcha
dontcha mhm mmhmm mmm umm uhh ohh ooh aww oops meh hiya""".split())
#: Headings and stage directions of transcripts, minutes and caption files. Curated: the words that
#: transcription tools and minute-takers put in capitals.
HEADINGS = frozenset("""transcript transcripts transcription transcribed interviewer interviewee interviewees respondent
respondents participant participants facilitator moderator speaker speakers recording recorded summary agenda
minutes apologies attendees attendance actions matters arising aob crosstalk inaudible unintelligible overlapping
laughter laughs pause redacted timestamp timestamps unknown unidentified chair secretary secretariat notetaker
note-taker verbatim webvtt vtt srt""".split())
#: Committees, boards and bodies of UK universities and the NHS written as one word or acronym. Curated: no
#: package lists them.
BODIES = frozenset("""exco uexec uec ueb ueg ule ult umt slt smt sltm vceg vcet vcg unicom senate court council convocation
exec execs ofs oia qaa ukri jisc ucea ucu unison gmb hefce ucas hesa nus su sabbs sabb ref tef kef nss ptes pres
icb icbs ics ccg ccgs pcn pcns cqc nhse nhsei hee nhsbt nice phe ukhsa gmc nmc hcpc mhra""".split())
#: UK regions and areas that are not administrative counties (Faker's en_GB counties cover those, with Wales's
#: historic counties), and the one-word names of Wales's principal areas and England's metropolitan boroughs and
#: unitary authorities (local government areas, 2023). Curated: no installed package lists them. Names that a
#: name list holds (Bolton, Bury) are dropped when the lexicon is built, as for every place, and so are here the
#: areas named like a common surname no list holds (Wakefield, Telford, Warrington, Windsor, Keynes).
UK_REGIONS = frozenset("""tyneside teesside wearside humberside northumbria cotswolds pennines fens fenland highlands
lowlands potteries wirral fylde wessex mercia anglia ulster munster leinster connacht snowdonia dartmoor exmoor
wealds weald chilterns lakeland cumbria hebrides orkney shetland
bridgend caerphilly cardiff ceredigion conwy gwynedd anglesey powys swansea torfaen wrexham merthyr rhondda
bolton bradford bury calderdale coventry doncaster dudley gateshead kirklees leeds liverpool
manchester oldham rochdale rotherham salford sandwell sheffield solihull stockport sunderland tameside
walsall wigan wolverhampton birmingham newcastle tyneside
bath blackburn blackpool bournemouth bracknell brighton bristol derby hartlepool herefordshire
hull leicester luton medway middlesbrough nottingham peterborough plymouth portsmouth reading
redcar slough southampton southend swindon thurrock torbay maidenhead wokingham
york""".split())


#: Names of languages and dialects heard in UK speech that babel gives under another name (Bangla, Persian) or
#: not at all, and the nicknames of the people of UK cities and regions. Curated.
SPEECH_LANGUAGES = frozenset("""bengali farsi mandarin hokkien teochew hakka sylheti mirpuri pahari potwari hindko
sorani badini kurmanji patois creole pidgin krio berber amazigh fante fanti kosovan bajan filipina twi tagalog
dari luganda gaelic
geordie geordies scouse scouser scousers brummie brummies mancunian mancunians londoner londoners glaswegian
glaswegians liverpudlian liverpudlians cockney cockneys hebridean yorkshireman yorkshirewoman""".split())


# ---------------------------------------------------------------------------- data from packages (build time)
_PLACE_ATTRS = ("counties", "states", "provinces", "regions", "cities", "real_city_names", "distritos", "wilayas",
                "luzon_provinces", "visayas_provinces", "mindanao_provinces")
#: Longer lists are villages and wards (Italy's 16,000 comuni, Slovakia's obce): too many small places that share
#: a spelling with a surname no list holds, for too little gain in UK speech.
_MAX_PLACE_LIST = 500
#: Other locales whose places are taken: the countries of birth of the largest groups of UK residents born
#: abroad after India and Pakistan (ONS): Poland, Romania, Germany, Portugal. Other locales' city lists are
#: mostly small towns that share a spelling with surnames no list holds (Lucic, Sobotka), and importing every
#: locale's address data would slow the one-off build.
_CITY_LOCALES = ("pl_PL", "ro_RO", "de_DE", "pt_PT")


def _fold(name: str) -> str:
    """``Kraków`` -> ``Krakow``: speech-to-text and English writers drop the accents."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def place_names() -> set[str]:
    """Place names from Faker's address providers (English locales' counties, states, provinces and cities; the
    regions and cities of ``_CITY_LOCALES``) and the time-zone database's cities."""
    import pkgutil

    import faker.providers.address as address

    out: set[str] = set()
    for mod in pkgutil.iter_modules(address.__path__):
        if not (mod.name.startswith("en") or mod.name in _CITY_LOCALES):
            continue  # other locales' regions are written in their own language (Niederösterreich)
        provider = importlib.import_module(f"faker.providers.address.{mod.name}").Provider
        for attr in _PLACE_ATTRS:
            value = getattr(provider, attr, ())
            names = [v for v in (value.keys() if isinstance(value, dict) else value) if isinstance(v, str)]
            if mod.name.startswith("en") and "cities" not in attr:
                out.update(n for n in names if len(n) > 3 and not n.isupper())  # "Tyne and Wear": its parts count
            elif mod.name.startswith("en") or len(names) <= _MAX_PLACE_LIST:
                # One-word names only: a part of "Khánh Hòa" may be a given name no list holds.
                out.update(n for name in names if " " not in name and len(name) > 3 and not name.isupper()
                           for n in {name, _fold(name)})
    try:
        import zoneinfo

        for zone in zoneinfo.available_timezones():
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/")) and "_" not in zone:
                out.add(zone.rsplit("/", 1)[1])  # not "Ho_Chi_Minh", "Port_Moresby": parts may be names
    except Exception:  # noqa: BLE001 - no time-zone data on this machine: fewer places, nothing worse
        pass
    return out


def babel_names() -> tuple[set[str], set[str]]:
    """(languages, territories and currency adjectives) in English, from babel's locale data."""
    try:
        from babel import Locale
    except ImportError:  # babel comes with jupyterlab; without it these names are simply not known
        return set(), set()
    from babel import localedata

    en = Locale("en")
    # Languages with a CLDR locale of their own (Yoruba, Gujarati, Amharic; about 320): babel's full list of
    # 670 also names small peoples whose name is a common surname no list holds (Gurung).
    own = {i.split("_")[0] for i in localedata.locale_identifiers()}
    languages = {name for code, name in en.languages.items() if code in own}
    territories = set(en.territories.values())
    for name in en.currencies.values():
        words = re.sub(r"\(.*?\)", "", name).split()
        territories.update(words[:-1])  # "Nigerian Naira" -> "Nigerian"; the unit itself may be a name (Mark)
    return languages, territories


def demonym_forms(country: str) -> set[str]:
    """Candidate adjectives of a one-word country or region name (to be checked against wordfreq)."""
    c = country.lower()
    stems = {c}
    if c[-1:] in "aeiouy":
        stems.add(c[:-1])
    if c.endswith("ia"):
        stems.add(c[:-2])
    return {s + end for s in stems for end in ("n", "an", "ian", "ese", "i", "ish", "ic", "ean")} - {c}


def demonyms(countries: set[str], attested) -> set[str]:
    """Demonyms of ``countries`` that ``attested(word)`` confirms are in use (and their plurals)."""
    out = set()
    for country in countries:
        for part in country.replace("-", " ").split():
            if len(part) < 4 or not part[:1].isupper():
                continue
            for form in demonym_forms(part):
                if attested(form):
                    out.update({form, form + "s"})
    return out
