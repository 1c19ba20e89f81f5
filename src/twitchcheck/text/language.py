"""Is this text in English? The reader reads English only; a text in another language is said to be
not understood, with emergency advice in several languages, instead of being half-read by the typo
corrector into English words it never said."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from twitchcheck.text.grammar import Languages

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def emergency_words(text: str, rules: Languages, codes: Iterable[str] | None = None) -> str | None:
    """The first of the grammar's emergency words for the languages ``codes`` (None: every language)
    said in ``text`` (accents and case ignored), or None."""
    patterns = _index(rules).emergency
    plain = _fold(text)
    for lang in codes if codes is not None else patterns:
        pattern = patterns.get(lang)
        found = pattern.search(plain) if pattern is not None else None
        if found is not None:
            return rules.emergency[lang][found.lastindex - 1 if found.lastindex else 0]
    return None


# Up to two short words (pronouns, particles) may sit between the words of a phrase: "hirap huminga" is
# also said "hirap na siya huminga", "no responde" also "no le responde".
_BETWEEN = r"(?:\W+\w{1,4}){0,2}\W+"


def _spaced(phrase: str) -> str:
    return _BETWEEN.join(re.escape(word) for word in phrase.split())


def _fold(text: str) -> str:
    """Lower case without accents ("convulsión" and "convulsion" are the same word typed twice)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Index:
    """The grammar's word lists as sets, and each other language's own words (not English) by word."""

    english: frozenset[str]
    codes: tuple[str, ...]
    languages_of: dict[str, tuple[int, ...]]  # word -> indexes into ``codes``
    # Per language, one pattern for all its emergency phrases (folded), a group per phrase.
    emergency: dict[str, re.Pattern[str]]


# Per rules object (kept alive here, so its id is not reused): building the sets took longer than
# counting the words of a text.
_INDEXES: dict[int, tuple[Languages, _Index]] = {}


def _index(rules: Languages) -> _Index:
    found = _INDEXES.get(id(rules))
    if found is not None and found[0] is rules:
        return found[1]
    english = frozenset(rules.english)
    languages_of: dict[str, list[int]] = {}
    for k, vocabulary in enumerate(rules.others.values()):
        for word in set(vocabulary) - english:
            languages_of.setdefault(word, []).append(k)
    emergency = {
        lang: re.compile("|".join(rf"(?<!\w)({_spaced(_fold(phrase))})(?!\w)" for phrase in phrases))
        for lang, phrases in rules.emergency.items()
        if phrases
    }
    index = _Index(english, tuple(rules.others), {w: tuple(ks) for w, ks in languages_of.items()}, emergency)
    if len(_INDEXES) >= 8:
        _INDEXES.clear()
    _INDEXES[id(rules)] = (rules, index)
    return index


@dataclass(frozen=True)
class LanguageUse:
    """The language a text seems to be in (None: English or too short to tell), and the other languages
    it uses at least ``min_hits`` of their own words in, however much English is around them ("mi
    hermano tiene fiebre ... his arm just jerked"): a person switching languages may name an emergency in
    either."""

    language: str | None
    mixed: tuple[str, ...]


def language_use(text: str, rules: Languages) -> LanguageUse:
    """How ``text`` uses languages other than English (see :class:`LanguageUse`), its words counted once."""
    english_hits, hits = _hits(text, rules)
    mixed = tuple(code for code, n in hits.items() if n >= rules.min_hits)
    # Every letter of an ASCII text is Latin, and the share of others (0) is never above
    # ``script_share`` (which is above 0): only other texts are looked at letter by letter.
    if not text.isascii():
        letters = [c for c in text if c.isalpha()]
        if letters:
            latin = sum(1 for c in letters if c.isascii() or "LATIN" in unicodedata.name(c, ""))
            if 1 - latin / len(letters) > rules.script_share:
                return LanguageUse("script", mixed)
    best, best_hits = None, 0
    for code, code_hits in hits.items():
        if code_hits > best_hits:
            best, best_hits = code, code_hits
    if best_hits >= rules.min_hits and best_hits >= rules.ratio * max(english_hits, 1):
        return LanguageUse(best, mixed)
    return LanguageUse(None, mixed)


def foreign_language(text: str, rules: Languages) -> str | None:
    """A code for the language ``text`` seems to be in ("es", "pl", ... or "script" for another
    alphabet), or None when it reads as English or is too short to tell."""
    return language_use(text, rules).language


def _hits(text: str, rules: Languages) -> tuple[int, dict[str, int]]:
    """English function words in ``text``, and each other language's own words."""
    index = _index(rules)
    words = [w.lower() for w in _WORD.findall(text)]
    english_hits = sum(1 for w in words if w in index.english)
    hits = [0] * len(index.codes)
    for w in words:
        for k in index.languages_of.get(w, ()):
            hits[k] += 1
    return english_hits, dict(zip(index.codes, hits, strict=True))
