"""The strings of a parsed text's tokens and its sentences, read from spaCy once.

Every ``doc[i]`` makes a new spaCy ``Token``, and every ``token.norm_`` looks its string up again:
about 0.4 µs a token each time, and the matchers, frames, the learned reader, the layout and the
document readers walked the tokens some twenty times a text (a tenth of the reading time). Once the
normaliser has written the normal forms and the sentence splitter the sentence starts, nothing changes
a token's strings, so the splitter reads them into plain lists (:func:`keep`) and every later step
takes them from there (:func:`token_strings`). The lists hold no reference to the ``Doc``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

_KEY = "twitchcheck_tokens"


@dataclass(frozen=True, eq=False)
class TokenStrings:
    """Per token: its text, lower case, normal form, character offset and whether a space follows;
    and the sentences as ``(start, end)`` token ranges."""

    text: list[str]
    lower: list[str]
    norm: list[str]
    idx: list[int]
    spaced: list[bool]
    sentences: list[tuple[int, int]]

    def end_char(self, i: int) -> int:
        """The character offset just after token ``i``."""
        return self.idx[i] + len(self.text[i])


def read(doc: Doc, sentences: list[tuple[int, int]] | None = None) -> TokenStrings:
    """The token strings of ``doc`` as they are now, with ``sentences`` (default: spaCy's, if set)."""
    text: list[str] = []
    lower: list[str] = []
    norm: list[str] = []
    idx: list[int] = []
    spaced: list[bool] = []
    for token in doc:
        text.append(token.text)
        lower.append(token.lower_)
        norm.append(token.norm_)
        idx.append(token.idx)
        spaced.append(bool(token.whitespace_))
    if sentences is None:
        sentences = [(s.start, s.end) for s in doc.sents] if doc.has_annotation("SENT_START") else []
    return TokenStrings(text, lower, norm, idx, spaced, sentences)


def keep(doc: Doc, strings: TokenStrings) -> None:
    """Keep ``strings`` for ``doc`` (read once its normal forms and sentences are final)."""
    doc.user_data[_KEY] = strings


def token_strings(doc: Doc) -> TokenStrings:
    """The strings kept for ``doc``, or (for a document that did not go through the pipeline) read
    now and not kept."""
    kept = doc.user_data.get(_KEY)
    return kept if isinstance(kept, TokenStrings) else read(doc)


def hesitation(words: Sequence[str], i: int) -> bool:
    """``words[i]`` is a comma between a word said twice ("came out like, like coke", "he, he fell"):
    a hesitation of speech written down, not the start of a new clause."""
    return (
        words[i] == "," and 0 < i < len(words) - 1 and words[i - 1] == words[i + 1] and words[i + 1].isalpha()
    )
