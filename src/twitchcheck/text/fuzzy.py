"""Typo tolerance: map a misspelt word onto a word of the knowledge-base vocabulary.

People type "twiching", "wekness", "fasciculatoins". We compare single unknown words (and two
adjacent words glued together, for "eye lid") with the vocabulary using rapidfuzz, but only
under conditions that keep short everyday words from being "corrected" into findings:
the word is at least ``min_length`` long, shares the first letter (typos rarely hit it, while
real-word neighbours like "crippling"/"rippling" often differ there), differs in length by at
most two, and scores at least ``cutoff`` (higher for words of up to six letters, so "camps" does
not become "cramps").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from rapidfuzz import fuzz, process

DEFAULT_CUTOFF = 88.0
SHORT_WORD_CUTOFF = 92.0  # words of up to six letters: one edit away from many real words
SHORT_WORD = 6
DEFAULT_MIN_LENGTH = 5


class FuzzyVocabulary:
    """Known surface words (lower case) -> their normal form, with a cached typo lookup."""

    def __init__(
        self,
        words: dict[str, str],
        cutoff: float = DEFAULT_CUTOFF,
        min_length: int = DEFAULT_MIN_LENGTH,
    ) -> None:
        self._norm = dict(words)
        self._cutoff = cutoff
        self._min_length = min_length
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self._norm:
            if len(word) >= min_length - 1 and word.isalpha():
                self._by_initial[word[0]].append(word)
        self._cache: dict[str, str | None] = {}

    def __contains__(self, word: object) -> bool:
        return word in self._norm

    def correct(self, word: str, protected: Collection[str] = ()) -> str | None:
        """The normal form of the vocabulary word ``word`` is a typo of, or None.

        ``protected`` is searched, never copied: the pipeline passes its set of some 40,000 words
        for every unknown word, and copying it (1-1.5 ms) made 20,000 characters of never-seen
        words take 2.6 s to read."""
        word = word.lower()
        if word in self._cache:
            return self._cache[word]
        result = self._lookup(word, protected)
        if len(self._cache) < 50_000:
            self._cache[word] = result
        return result

    def _lookup(self, word: str, protected: Collection[str]) -> str | None:
        if len(word) < self._min_length or not word.isalpha() or word in protected:
            return None
        candidates = [w for w in self._by_initial.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
        if not candidates:
            return None
        cutoff = max(self._cutoff, SHORT_WORD_CUTOFF) if len(word) <= SHORT_WORD else self._cutoff
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None:
            return None
        return self._norm[best[0]]
