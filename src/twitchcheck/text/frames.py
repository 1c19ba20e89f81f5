"""Findings named by their parts: a body part or task near a word for what went wrong with it.

A list of whole phrases covers the phrasing of whoever wrote it; people combine the same few
parts in endless ways ("her face has dropped", "his smile's gone lopsided", "mouth drooping on the
left"). A frame (knowledge base: ``Finding.frames``) pairs any of its part words with any of its
change phrases within a few words of each other, in either order, inside one clause. The match
becomes a target span like a synonym's, so negation, other people, history and questions apply
to it unchanged. Matching is linear: change phrases are found with a trie, and each looks only a
bounded window either side for a part, stopping at a clause break or another body part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from twitchcheck.text.tokens import hesitation, token_strings

# Tokens a frame never reaches across: they start another clause or statement.
CLAUSE_BREAKS = frozenset(
    {",", ";", ":", "(", ")", "but", "although", "though", "whereas", "while", "except", "apart", "otherwise"}
)


def _label_colon(norms: Sequence[str], i: int) -> bool:
    """``norms[i]`` is the colon of a one-word label opening a line of a form ("Pee: like cola", "Legs:
    weak"): the label names what the line is about, so the line is one statement."""
    if i < 1 or not norms[i - 1].isalpha():
        return False
    return i == 1 or not norms[i - 2].strip() or norms[i - 2] in (".", "!", "?", "•", "*", "-")


# The most words a bracket may hold and still be an aside inside a statement ("found Mr P (91) on the floor").
_ASIDE_WORDS = 3
_NOT_ASIDE = frozenset(
    {".", "!", "?", "no", "not", "n't", "nt", "never", "without", "nil", "none", "nothing"}
)


def _short_aside(norms: Sequence[str], i: int) -> bool:
    """``norms[i]`` is a bracket of a short aside, a name, an age or a side ("(91)", "(my dad)", "(L)"): the
    statement goes on across it. Not one with a denial in it ("face (no pain) drooping"): the frame's words
    would take the denial for their own."""
    step, close = (1, ")") if norms[i] == "(" else (-1, "(")
    for k in range(1, _ASIDE_WORDS + 2):
        j = i + step * k
        if not 0 <= j < len(norms) or norms[j] in CLAUSE_BREAKS - {close} or norms[j] in _NOT_ASIDE:
            return False
        if norms[j] == close:
            return k > 1
    return False


@dataclass(frozen=True)
class FrameRule:
    """One change phrase of one frame; ``key`` is the span label's hash."""

    key: int
    parts: frozenset[str]
    change: tuple[str, ...]
    window: int
    before: int
    # Words that stop the search for a part (other body parts, for frames about a body part).
    blockers: frozenset[str] = frozenset()
    # A comma does not end the search (a march told as a list: "thumb started jerking, then his hand").
    across_commas: bool = False
    # When set, a part must also be written as one of these (normal forms make "legs" and "leg" one word).
    exact: frozenset[str] = frozenset()


class _Node:
    __slots__ = ("children", "rules")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.rules: list[FrameRule] = []


class FrameMatcher:
    """All frame matches in a document as ``(key, start, end)`` token spans."""

    def __init__(self, rules: Iterable[FrameRule]) -> None:
        self._root = _Node()
        for rule in rules:
            node = self._root
            for word in rule.change:
                node = node.children.setdefault(word, _Node())
            node.rules.append(rule)

    def __bool__(self) -> bool:
        return bool(self._root.children)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        strings = token_strings(doc)
        for lo, hi in strings.sentences:
            norms = strings.norm[lo:hi]
            lowers = strings.lower[lo:hi]
            for start in range(len(norms)):
                node = self._root.children.get(norms[start])
                at = start
                while node is not None:
                    for rule in node.rules:
                        found = self._pair(norms, lowers, start, at + 1, rule)
                        if found is not None:
                            out.append((rule.key, lo + found[0], lo + found[1]))
                    at += 1
                    node = node.children.get(norms[at]) if at < len(norms) else None
        return out

    def _pair(
        self, norms: Sequence[str], lowers: Sequence[str], start: int, end: int, rule: FrameRule
    ) -> tuple[int, int] | None:
        """The span from the nearest part of ``rule`` to the change ``norms[start:end]``."""
        left = self._reach(norms, lowers, range(start - 1, max(-1, start - 2 - rule.window), -1), rule)
        right = (
            self._reach(norms, lowers, range(end, min(len(norms), end + 1 + rule.before)), rule)
            if rule.before >= 0
            else None
        )
        if left is None and right is None:
            return None
        if right is None or (left is not None and start - left <= right - end + 1):
            return (left, end) if left is not None else None
        return start, right + 1

    def _reach(
        self, norms: Sequence[str], lowers: Sequence[str], steps: range, rule: FrameRule
    ) -> int | None:
        for i in steps:
            word = norms[i]
            if word in rule.parts:
                return None if rule.exact and lowers[i] not in rule.exact else i
            if word == "," and rule.across_commas:
                continue
            if word == ":" and _label_colon(norms, i):
                continue
            if word in ("(", ")") and _short_aside(norms, i):
                continue
            if (word in CLAUSE_BREAKS and not hesitation(norms, i)) or word in rule.blockers:
                return None
        return None
