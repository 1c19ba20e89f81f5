"""Light, predictable word normalisation shared by synonyms and text.

A full stemmer (Porter) merges unrelated words ("general"/"generous"); we only need inflection
folded ("twitches", "twitched", "twitching" -> "twitch"; "calves" -> "calf") so that one synonym
in the knowledge base covers the forms people type. Both sides go through the same function,
so the exact stems do not matter, only that they agree.
"""

from __future__ import annotations

from twitchcheck.text.grammar import Normalize

_VOWELS = set("aeiouy")
_NO_UNDOUBLE = set("lsz")


class Normalizer:
    """Maps a lower-cased word to its normal form (see module docstring)."""

    def __init__(self, rules: Normalize) -> None:
        self._irregular = {k.lower(): v.lower() for k, v in rules.irregular.items()}
        self._keep = {w.lower() for w in rules.keep}
        self._min = rules.min_stem
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        word = word.lower()
        cached = self._cache.get(word)
        if cached is None:
            cached = self._normalize(word)
            if len(self._cache) < 50_000:
                self._cache[word] = cached
        return cached

    def _normalize(self, word: str) -> str:
        if word in self._irregular:
            return self._strip_e(self._irregular[word])
        if word in self._keep or not word.isalpha() or len(word) <= self._min:
            return word
        stem = self._plural(word)
        stem = self._verb(stem)
        return self._strip_e(stem)

    def _plural(self, word: str) -> str:
        if word.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        if word.endswith(("sses", "shes", "ches", "xes", "zes")):
            return word[:-2]
        if word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")) and len(word) > self._min:
            return word[:-1]
        return word

    def _verb(self, word: str) -> str:
        for suffix in ("ing", "ed"):
            if word.endswith(suffix) and len(word) - len(suffix) >= self._min:
                stem = word[: -len(suffix)]
                if suffix == "ed" and stem.endswith("e"):
                    return stem
                if not any(c in _VOWELS for c in stem):
                    return word
                if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS | _NO_UNDOUBLE:
                    stem = stem[:-1]
                if stem.endswith("i") and suffix == "ed":
                    stem = stem[:-1] + "y"
                return stem
        return word

    def _strip_e(self, word: str) -> str:
        if len(word) > self._min + 1 and word.endswith("e") and not word.endswith("ee"):
            return word[:-1]
        return word
