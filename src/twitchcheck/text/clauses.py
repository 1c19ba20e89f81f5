"""Sentences and clauses of a parsed text, by character and token offsets.

Several decisions are clause-local: a body part is a twitch location only if a twitch is said in
the same clause (or the clause says nothing else), and "for 3 weeks" describes the complaint only
if the complaint is in its clause. Without a parser we split clauses at punctuation and at
conjunctions that start a new subject ("..., and my hands shake").
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from twitchcheck.text.tokens import TokenStrings, hesitation, token_strings

_CLAUSE_PUNCT = {",", ";", ":", "(", ")", "-", "–", "—"}
_CONJUNCTIONS = {
    "and",
    "but",
    "then",
    "so",
    "while",
    "whereas",
    "because",
    "although",
    "though",
    "as",
    "when",
}
_NEW_SUBJECT = {
    "my",
    "his",
    "her",
    "their",
    "our",
    "the",
    "i",
    "he",
    "she",
    "it",
    "it's",
    "its",
    "they",
    "we",
    "you",
    "now",
    "then",
    "there",
    "this",
    "that",
    "ever",
    "since",
    "recently",
    "lately",
    "later",
}


@dataclass(frozen=True)
class Segment:
    """A sentence or clause: token range [start, end) and character range [char_start, char_end)."""

    index: int
    start: int
    end: int
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Layout:
    """Sentences and clauses of one doc, with token -> segment and sentence -> clauses lookups."""

    sentences: tuple[Segment, ...]
    clauses: tuple[Segment, ...]
    sentence_of: tuple[int, ...]
    clause_of: tuple[int, ...]
    sentence_clauses: tuple[tuple[Segment, ...], ...]

    def clauses_in(self, sentence: int) -> tuple[Segment, ...]:
        return self.sentence_clauses[sentence]


def _segment(strings: TokenStrings, index: int, start: int, end: int) -> Segment:
    return Segment(index, start, end, strings.idx[start], strings.end_char(end - 1))


def layout(doc: Doc) -> Layout:
    """Split ``doc`` (sentence starts already set) into sentences and clauses."""
    strings = token_strings(doc)
    lower = strings.lower
    sentences: list[Segment] = []
    clauses: list[Segment] = []
    sentence_of = [0] * len(lower)
    clause_of = [0] * len(lower)
    for sent_start, sent_end in strings.sentences:
        s_index = len(sentences)
        sentences.append(_segment(strings, s_index, sent_start, sent_end))
        start = sent_start
        for i in range(sent_start, sent_end):
            sentence_of[i] = s_index
            word = lower[i]
            split_before = False
            if i > start and word in _CONJUNCTIONS and i + 1 < sent_end and lower[i + 1] in _NEW_SUBJECT:
                split_before = True
            if split_before:
                clauses.append(_segment(strings, len(clauses), start, i))
                start = i
            is_hyphen = word in ("-", "–", "—") and i > 0 and not strings.spaced[i - 1]
            if word in _CLAUSE_PUNCT and not is_hyphen and i + 1 < sent_end and i + 1 > start:
                if i > sent_start and hesitation(lower, i):
                    continue
                clauses.append(_segment(strings, len(clauses), start, i + 1))
                start = i + 1
        if start < sent_end:
            clauses.append(_segment(strings, len(clauses), start, sent_end))
    by_sentence: list[list[Segment]] = [[] for _ in sentences]
    for clause in clauses:
        for i in range(clause.start, clause.end):
            clause_of[i] = clause.index
        by_sentence[sentence_of[clause.start]].append(clause)
    return Layout(
        tuple(sentences),
        tuple(clauses),
        tuple(sentence_of),
        tuple(clause_of),
        tuple(tuple(group) for group in by_sentence),
    )
