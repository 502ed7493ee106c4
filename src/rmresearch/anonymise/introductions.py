"""Names in self-introductions and forms of address, whatever their case.

A cohort member whose first name is an English word (*Favour*, *Hope*, *Joy*, *Grace*) is found by the roster
layer only where the word is written as a name. Auto-captions write everything in lower case, so "i'm favour i
study education" would keep the interviewee's name. :func:`name_context` tells the places where such a word can
only be a name: after "my name is", "call me", "i'm called"; after a self-introduction or an address cue
("i'm", "i am", "this is", "it's ... here", "hi", "thanks", "thank you so much", "cheers") or before "here" at
the start of a clause ("favour here") when followed by the end of the clause, a word that starts a new one
("i study...", "and", "from") or a surname. "i'm in favour of it", "a favour", "in good faith" and "thanks, hope you're well"
are not name contexts.

Words that are adjectives first (*Sunny*, *Precious*, *Happy*) are not taken after "i'm", "this is" or "it's"
("it's sunny here"), except after "i'm" or "this is" as the file's own interviewee or interviewer (the interview manifest says whose
interview a file is): in their own file, a cue before the name is enough unless the next word makes it an
ordinary word again ("i'm precious about my time", "thanks hope you're well").

The detector (:func:`introduced_spans`) and the leak audit (``audit/needles.py``) share :func:`name_context`,
so the audit fails on exactly what the detector would have replaced.

Examples
--------
>>> def ctx(s, w, **kw):
...     i = s.index(w)
...     return name_context(s, i, i + len(w), **kw)
>>> ctx("i'm favour i study education", "favour"), ctx("i'm in favour of it", "favour")
(True, False)
>>> ctx("thanks hope you're well", "hope"), ctx("hi joy how are you", "joy")
(False, True)
>>> ctx("it's sunny here today", "sunny"), ctx("it's favour here, hello", "favour")
(False, True)
>>> ctx("thank you so much favour that's been helpful", "favour")
False
>>> ctx("thank you so much favour that's been helpful", "favour", own=True)
True
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Sequence

from .cues import Confidence, Token
from .spans import Span

__all__ = ["ADJECTIVE_NAMES", "VERB_NAMES", "name_context", "addressed", "introduced_spans", "word_names", "surname_like"]

#: Given names that are adjectives first: after "i'm", "this is", "it's" they describe ("i'm happy", "it's sunny").
ADJECTIVE_NAMES = frozenset("""sunny precious happy bright merry rosy fair brave noble honest smart sweet true young
free bold frank gay golden sterling modest clement earnest jolly lucky rich sage sincere candid amiable blessed
patient pleasant royal ready hardy wise""".split())

_APOS = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})
# Cues straight before the name (the text before it ends with one).
_ADDRESS = re.compile(r"(?<![\w'])(?:hi|hiya|hello|hey|dear|bye|cheers|thanks|thank you|many thanks)"
                      r"(?:[ \t]+(?:so|very)[ \t]+much)?[ \t]*,?[ \t]*$")
# Cues after which a word can only be a name.
_NAMING = re.compile(r"(?<![\w'])(?:call me|my name is|my name's|name's|i'm called|im called|i am called)[ \t]*$")
_COPULA = re.compile(r"(?<![\w'])(?:i'm|im|i am|this is|it's|its|it is)[ \t]+$")
_IT_IS = re.compile(r"(?<![\w'])(?:it's|its|it is)[ \t]+$")
# "favour here": the name starts a clause (line start, punctuation, a speaker label, a filler word).
_CLAUSE_START = re.compile(r"(?:^|[.!?;:,\-\u2013\u2014>\]]|(?<![\w'])(?:yeah|yes|ok|okay|so|um|uh|erm|er|oh|right"
                           r"|hi|hello|hey))[ \t]*$")
_HERE = re.compile(r"^[ \t]*,?[ \t]+here(?![\w'])")
# After the name: the clause ends or a new one starts.
_BOUNDARY = re.compile(r"^(?:['\u2019]s(?![\w']))?(?:[ \t]*(?:$|[,.!?;:)\"\u2026\-\u2013\u2014])|[ \t]+(?:i|i'm|im"
                       r"|i've|i'd|i'll|and|from|here|speaking|so|um|uh|er|erm|yeah|yes|ok|okay|how|my|again)"
                       r"(?![\w']))")
# After the name: words that make it an ordinary word again ("hope you're well", "precious about my time").
_CONTINUES = re.compile(r"^[ \t]+(?:of|for|to|in|on|at|with|about|that|this|these|those|it|it's|is|was|are|were"
                        r"|you|your|you're|you've|you'll|we|we're|they|everyone|everybody|all|the|a|an|will|would"
                        r"|can|could|and|or|but|not|be|been|has|had|have)(?![\w'])")
_HERE_GOES_ON = re.compile(r"^[ \t]+(?:that|which|is|was|are|were|in|at|on|of|for|to|with|too|as|and)(?![\w'])")
_NEXT_WORD = re.compile(r"^[ \t]+([^\W\d_][\w'\-]*)")


def _around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(up to 48 characters before, the word, up to 48 after) within the word's line, case-folded."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[max(line_start, start - 48):start].casefold().translate(_APOS)
    after = text[end:min(line_end, end + 48)].casefold().translate(_APOS)
    return before, text[start:end].casefold(), after


def name_context(text: str, start: int, end: int, *, own: bool = False,
                 name_word: Callable[[str], bool] | None = None) -> bool:
    """Whether ``text[start:end]`` (a word) stands where only a name can: after a self-introduction or an address
    cue, or before "here" at a clause start, and before a clause boundary or a surname (``name_word(next word)``).

    ``own``: the word is the file's own interviewee's or interviewer's name; any of the cues is enough unless the
    next word continues an ordinary phrase. Case is ignored throughout.
    """
    before, word, after = _around(text, start, end)
    address = bool(_ADDRESS.search(before))
    copula = bool(_COPULA.search(before))
    if _NAMING.search(before):
        return True
    here = bool(_HERE.match(after)) and (copula or bool(_CLAUSE_START.search(before)))
    if not (address or copula or here):
        return False
    if word in ADJECTIVE_NAMES and not address and (not own or _IT_IS.search(before)):
        return False  # "i'm happy", "it's sunny here"; "i'm sunny" only as the file's own Sunny
    if here:  # "favour here", "it's grace here": a name unless a phrase goes on ("it's hope here that...")
        return not _HERE_GOES_ON.match(after[_HERE.match(after).end():])
    nxt = _NEXT_WORD.match(after)
    boundary = bool(_BOUNDARY.match(after) or nxt and name_word is not None and name_word(nxt.group(1)))
    return boundary or own and not _CONTINUES.match(after)


#: Given names that are verbs first: after "thanks" or "sorry" they start a clause ("thanks, hope you're well",
#: "sorry, will you say that again"). Curated: no installed package tags parts of speech.
VERB_NAMES = frozenset("""hope wish trust will may mark bill grant sue chase pat rob bob wade drew pray bless
love guess mean""".split())
# "thanks rose" / "cheers rose" (a line or clause may start before them).
_THANKS = re.compile(r"(?<![\w'])(?:cheers|thanks|thank you|many thanks|ta)(?:[ \t]+(?:so|very)[ \t]+much)?[ \t]*,?[ \t]*$")
# After the name: what one thanks a person for ("for setting it up", "that was great", "again").
_THANKED_FOR = re.compile(r"^[ \t]+(?:for|that's|that was|it's|it was|again|so much|very much|a lot|everyone"
                          r"|both|all|love|mate)(?![\w'])")
_FOR_DOING = re.compile(r"^[ \t]+for[ \t]+(?:\w+ing|that|this|everything|all)(?![\w'])")
# "ok sunny, so...", "sorry rose, go on": a short word that starts a clause, then the name, then a comma or the end.
_WEAK_ADDRESS = re.compile(r"(?:^|[.!?;:,\-\u2013\u2014>\]]|(?<![\w'])(?:yeah|yes|um|uh|erm|er|oh|so))[ \t]*"
                           r"(?:ok|okay|right|sorry|yes|yeah|no|well|oh|morning|afternoon|evening|night)[ \t]*,?[ \t]+$")
_HARD_BOUNDARY = re.compile(r"^(?:[ \t]*(?:$|[,.!?;:)\"\u2026\-\u2013\u2014]))")


def addressed(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (a word) is spoken to: after "thanks"/"cheers" and before what the person is
    thanked for ("cheers rose that's really helpful", "thanks hope for setting it up"), or after "ok"/"sorry"
    at a clause start and before a comma or the line's end ("sorry rose, go on"). Weaker than
    :func:`name_context`: a name that is a verb first (:data:`VERB_NAMES`) needs "for doing" or punctuation.

    >>> addressed("cheers rose that's great", 7, 11), addressed("thanks, hope for the best", 8, 12)
    (True, False)
    """
    before, word, after = _around(text, start, end)
    if word in ADJECTIVE_NAMES:
        return False  # "thanks happy", "ok sunny" read as words as often as names
    if _THANKS.search(before):
        if word in VERB_NAMES:
            return bool(_FOR_DOING.match(after) or _HARD_BOUNDARY.match(after))
        return bool(_THANKED_FOR.match(after) or _HARD_BOUNDARY.match(after))
    return bool(_WEAK_ADDRESS.search(before)) and bool(_HARD_BOUNDARY.match(after))


def word_names(roster, lexicon) -> frozenset[str]:
    """The casefolded one-word roster first names and aliases that are common English words (not surnames:
    "i'm wood" is no introduction anyone makes)."""
    if roster is None:
        return frozenset()
    return frozenset(k[0] for k, kind in roster.kinds.items()
                     if len(k) == 1 and kind in ("full", "alias", "first") and lexicon.is_common_word(k[0]))


def surname_like(lexicon) -> Callable[[str], bool]:
    """``name_word`` for :func:`name_context`: a word in the name lists that is no common word ("ncube")."""
    return lambda w: lexicon.is_name(w) and not lexicon.is_common_word(w)


def introduced_spans(text: str, tokens: Sequence[Token], words: Iterable[str], *, own: Iterable[str] = (),
                     name_word: Callable[[str], bool] | None = None) -> list[Span]:
    """PERSON spans of ``words`` (:func:`word_names`) and ``own`` (the file's own interviewee's and interviewer's
    first names and aliases, casefolded) in a name context (:func:`name_context`), any case.

    >>> from rmresearch.anonymise.cues import tokenize
    >>> text = "i'm favour i study education, i'm in favour of it"
    >>> [(s.text, s.start) for s in introduced_spans(text, tokenize(text), {"favour"})]
    [('favour', 4)]
    """
    words, own = set(words), {w.casefold() for w in own}
    out = []
    for tok in tokens:
        key = tok.text.casefold()
        if key not in words and key not in own:
            continue
        if key in own and name_context(text, tok.start, tok.end, own=True):
            out.append(Span(tok.start, tok.end, "PERSON", "roster", Confidence.OWN_NAME_INTRODUCED, tok.text))
        elif key in words and name_context(text, tok.start, tok.end, name_word=name_word):
            out.append(Span(tok.start, tok.end, "PERSON", "roster", Confidence.ROSTER_WORD_INTRODUCED, tok.text))
        elif key in words and addressed(text, tok.start, tok.end):
            out.append(Span(tok.start, tok.end, "PERSON", "roster", Confidence.ROSTER_WORD_SPOKEN_TO, tok.text))
    return out
