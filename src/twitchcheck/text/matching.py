"""Rule matching that only tries the rules that can match where they are tried.

spaCy's token ``Matcher`` starts every pattern at every token, so it costs tokens x patterns:
with our 2,500 multi-word target patterns and ConText's 100 modifier patterns, about 2 ms for a
twenty-word text. All our patterns are sequences of tokens that must take one of a few values
of one attribute, once, optionally or a bounded number of times, so they are matched here
directly, and only from tokens whose value can start them:

* synonyms (fixed words with the same optional filler words between them, "muscle ... twitch")
  share one trie per filler set, walked word by word;
* other sequences (ConText's "no|denies", "may"? "be ruled out") are indexed by the values a match
  can start with and walked depth-first from each such token.

Both report every (start, end) spaCy's Matcher reports for the pattern (a test compares them).
A step may also repeat without bound ("*", "+") or, on lower case or text, ask for a number
(``LIKE_NUM``: spaCy's own test, run on the word); any other pattern goes to a spaCy Matcher,
which tries every pattern from every token (ConText's two such rules cost more than its hundred
others together). Phrase rules of one token are a dict lookup, longer ones
go to spaCy's ``PhraseMatcher`` (a hash lookup), as in medspaCy's ``MedspacyMatcher``, whose results
this reproduces up to order.

The compiled rules do not depend on a spaCy vocabulary: :meth:`RuleMatcher.rebind` serves them to
a fresh pipeline (see ``pipeline.py``, which renews its pipeline as the vocabulary grows).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from typing import Any, cast

from spacy.attrs import LIKE_NUM
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from twitchcheck.text.tokens import token_strings

Match = tuple[int, int, int]  # (rule key hash, start token, end token)
Pattern = Sequence[Mapping[str, Any]]
Step = tuple[Container[str], int, int]  # allowed values (a set, or a test), fewest and most tokens
# A pattern as tried from a token: its steps, and the values of its leading steps of exactly one token.
Walk = tuple[tuple[Step, ...], tuple[Container[str], ...]]

_REPEAT = re.compile(r"\{(\d*)(,?)(\d*)\}")  # {n}, {n,m}, {,m}, {n,}
UNBOUNDED = sys.maxsize  # the most tokens of "*", "+" and {n,}: as many as there are
# Attributes whose value is the word or its lower case: spaCy's LIKE_NUM reads the same on either.
_WORD_ATTRS = frozenset({"LOWER", "ORTH"})


class _LikeNumber:
    """Words spaCy's ``LIKE_NUM`` holds for (``like_num`` of the text, which reads lower case alike)."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        self._test = test

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(self._test(word))


def steps(
    pattern: Pattern, attr: str, like_num: Callable[[str], bool] | None = None
) -> tuple[Step, ...] | None:
    """The pattern as steps, or None if it uses anything but ``attr`` values, repeats and (given
    spaCy's ``like_num`` and an ``attr`` of the word or its lower case) ``{"LIKE_NUM": True}``."""
    out: list[Step] = []
    for token in pattern:
        value = token.get(attr)
        keys = set(token) - {"OP"}
        values: Container[str]
        number = keys == {"LIKE_NUM"} and token["LIKE_NUM"] is True
        if number and like_num is not None and attr in _WORD_ATTRS:
            values = _LikeNumber(like_num)
        elif keys != {attr}:
            return None
        elif isinstance(value, str):
            values = frozenset({value})
        elif isinstance(value, Mapping) and set(value) == {"IN"}:
            values = frozenset(str(v) for v in value["IN"])
        else:
            return None
        bounds = _bounds(token.get("OP"))
        if bounds is None:
            return None
        out.append((values, *bounds))
    return tuple(out)


def _bounds(op: Any) -> tuple[int, int] | None:
    if op is None:
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, UNBOUNDED
    if op == "+":
        return 1, UNBOUNDED
    repeat = _REPEAT.fullmatch(str(op))
    if repeat is None:
        return None
    low = int(repeat[1] or 0)
    if not repeat[2]:
        return low, low
    return low, int(repeat[3]) if repeat[3] else UNBOUNDED


def first_words(pattern: Sequence[Step]) -> frozenset[str] | None:
    """The values a match can start with (an optional step adds the next one's), or None if any
    (or if a test, not a set of words, can start it)."""
    words: set[str] = set()
    for values, low, _ in pattern:
        if not isinstance(values, frozenset):
            return None
        words |= values
        if low > 0:
            return frozenset(words)
    return None


def chain(pattern: Sequence[Step]) -> tuple[tuple[str, ...], frozenset[str], int] | None:
    """(words, fillers, gap) if the steps are single words with the same ``{,gap}`` filler step
    between each two (how synonyms are written)."""
    if len(pattern) % 2 == 0:
        return None
    words: list[str] = []
    if not all(isinstance(values, frozenset) for values, _, _ in pattern):
        return None
    for values, low, high in pattern[::2]:
        if (low, high) != (1, 1) or len(cast(frozenset[str], values)) != 1:
            return None
        words.extend(cast(frozenset[str], values))
    fills = set(pattern[1::2])
    if not fills:
        return tuple(words), frozenset(), 0
    if len(fills) != 1:
        return None
    fillers, low, gap = fills.pop()
    return (tuple(words), cast(frozenset[str], fillers), gap) if low == 0 and gap < UNBOUNDED else None


class _Node:
    __slots__ = ("children", "keys")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.keys: list[int] = []


class _Chains:
    """Chains with one filler set as a trie: every way of reaching a last word, with up to
    ``gap`` filler words before each next word (a filler can also be that word)."""

    def __init__(self, fillers: frozenset[str], gap: int) -> None:
        self._fillers = fillers
        self._gap = gap
        self._root = _Node()

    def add(self, key: int, words: Sequence[str]) -> None:
        node = self._root
        for word in words:
            node = node.children.setdefault(word, _Node())
        node.keys.append(key)

    def matches(self, words: Sequence[str]) -> list[Match]:
        out: list[Match] = []
        n = len(words)
        for start, word in enumerate(words):
            first = self._root.children.get(word)
            if first is None:
                continue
            stack = [(first, start)]
            while stack:
                node, at = stack.pop()
                out.extend((key, start, at + 1) for key in node.keys)
                j = at + 1
                for _ in range(self._gap + 1 if node.children else 0):
                    if j >= n:
                        break
                    child = node.children.get(words[j])
                    if child is not None:
                        stack.append((child, j))
                    if words[j] not in self._fillers:
                        break
                    j += 1
        return out


def _walk(pattern: tuple[Step, ...]) -> Walk:
    required: list[Container[str]] = []
    for values, low, high in pattern:
        if (low, high) != (1, 1):
            break
        required.append(values)
    return pattern, tuple(required)


def _walk_ends(walk: Walk, words: Sequence[str], start: int) -> Collection[int]:
    """:func:`_ends`, after checking the leading one-token steps word by word: most tries of
    ConText's hundred rules a text fail on their second word, and the search costs more than that."""
    pattern, required = walk
    at = start
    for values in required:
        if at >= len(words) or words[at] not in values:
            return ()
        at += 1
    if len(required) == len(pattern):
        return (at,) if at > start else ()
    return _ends(pattern, words, start)


def _ends(pattern: Sequence[Step], words: Sequence[str], start: int) -> set[int]:
    """Every end of a match of ``pattern`` starting at ``start`` (empty matches excluded)."""
    ends: set[int] = set()
    seen: set[tuple[int, int]] = set()
    stack = [(0, start)]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        k, at = state
        if k == len(pattern):
            if at > start:
                ends.add(at)
            continue
        values, low, high = pattern[k]
        taken = 0
        while True:  # (``high`` may be UNBOUNDED: the words run out first)
            if taken >= low:
                stack.append((k + 1, at))
            if taken == high or at >= len(words) or words[at] not in values:
                break
            at += 1
            taken += 1
    return ends


class RuleMatcher:
    """Phrase and token-pattern rules over one token attribute; see the module docstring.

    ``attr`` is the token attribute the rules are written against ("NORM" or "LOWER");
    ``make_doc`` tokenises a phrase rule (medspaCy uses the bare tokenizer).
    """

    def __init__(self, vocab: Vocab, attr: str, make_doc: Callable[[str], Doc]) -> None:
        self._vocab = vocab
        self._attr = attr
        self._token_attr = attr.lower() + "_"  # Token.norm_ / Token.lower_
        self._make_doc = make_doc
        getters: dict[int, Callable[[str], Any]] = getattr(vocab, "lex_attr_getters", {})
        self._like_num = getters.get(LIKE_NUM)
        self._phrases = PhraseMatcher(vocab, attr=attr)
        self._words: dict[str, list[int]] = {}  # one-token phrases: a dict lookup, no spaCy matcher
        self._chains: dict[tuple[frozenset[str], int], _Chains] = {}
        self._by_word: dict[str, list[tuple[int, Walk]]] = {}
        self._anywhere: list[tuple[int, Walk]] = []
        self._other: Matcher | None = None
        self._order: dict[int, int] = {}
        self._keys: list[str] = []
        self._phrase_rules: list[tuple[str, str]] = []  # phrases of more than one token
        self._other_rules: list[tuple[str, Pattern]] = []

    def add(self, key: str, pattern: Pattern | None, literal: str) -> None:
        """A rule named ``key``: a token pattern, or (when ``pattern`` is None) a literal phrase."""
        key_hash = self._vocab.strings.add(key)
        self._order[key_hash] = len(self._order)
        self._keys.append(key)
        if pattern is None:
            self._add_phrase(key, key_hash, literal)
            return
        walk = steps(pattern, self._attr, self._like_num)
        if walk is None:
            self._other_rules.append((key, pattern))
            self._other = self._other or Matcher(self._vocab)
            self._other.add(key, [[dict(token) for token in pattern]])
            return
        shape = chain(walk)
        if shape is not None:
            words, fillers, gap = shape
            self._chains.setdefault((fillers, gap), _Chains(fillers, gap)).add(key_hash, words)
            return
        starts = first_words(walk)
        for word in starts or ():
            self._by_word.setdefault(word, []).append((key_hash, _walk(walk)))
        if starts is None:
            self._anywhere.append((key_hash, _walk(walk)))

    def _add_phrase(self, key: str, key_hash: int, literal: str) -> None:
        phrase = self._make_doc(literal)
        if len(phrase) == 1:
            keys = self._words.setdefault(getattr(phrase[0], self._token_attr), [])
            if key_hash not in keys:
                keys.append(key_hash)
        else:
            self._phrase_rules.append((key, literal))
            self._phrases.add(key, [phrase])

    def rebind(self, vocab: Vocab, make_doc: Callable[[str], Doc]) -> RuleMatcher:
        """The same rules for documents of another vocabulary, without compiling them again: the
        compiled token patterns are shared (neither matcher may be given more rules), phrases and
        patterns for spaCy's own matchers are added again. Keys hash alike in every vocabulary (a
        match's key string enters the new vocabulary when something asks for it)."""
        other = RuleMatcher(vocab, self._attr, make_doc)
        other._chains, other._by_word, other._anywhere = self._chains, self._by_word, self._anywhere
        other._order, other._keys, other._words = self._order, self._keys, self._words
        other._phrase_rules, other._other_rules = self._phrase_rules, self._other_rules
        for key, literal in self._phrase_rules:
            other._phrases.add(key, [make_doc(literal)])
        if self._other_rules:
            other._other = Matcher(vocab)
            for key, pattern in self._other_rules:
                other._other.add(key, [[dict(token) for token in pattern]])
        return other

    def _words_of(self, doc: Doc) -> list[str]:
        """Each token's value of the matched attribute (the pipeline's kept strings where it has them)."""
        if self._attr == "NORM":
            return token_strings(doc).norm
        if self._attr == "LOWER":
            return token_strings(doc).lower
        return [getattr(token, self._token_attr) for token in doc]

    def __call__(self, doc: Doc) -> list[Match]:
        """Token-pattern matches, then phrase matches, each ordered by (start, end, rule order).

        (medspaCy keeps spaCy's internal order; only matches on the very same tokens could
        differ, and the readers downstream sort or compare by position.)
        """
        words = self._words_of(doc)
        tokens = [m for chains in self._chains.values() for m in chains.matches(words)]
        for start, word in enumerate(words):
            for key, walk in self._by_word.get(word, ()):
                ends = _walk_ends(walk, words, start)
                if ends:  # (most tries find none)
                    tokens.extend((key, start, end) for end in ends)
            for key, walk in self._anywhere:
                ends = _walk_ends(walk, words, start)
                if ends:
                    tokens.extend((key, start, end) for end in ends)
        if self._other is not None:
            tokens.extend(self._other(doc))
        order = self._order
        phrases = [(key, i, i + 1) for i, word in enumerate(words) for key in self._words.get(word, ())]
        if len(self._phrases):
            phrases.extend(self._phrases(doc))
        return sorted(tokens, key=lambda m: (m[1], m[2], order[m[0]])) + sorted(
            phrases, key=lambda m: (m[1], m[2], order[m[0]])
        )
