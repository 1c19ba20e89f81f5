"""Is this text in English? The reader reads English only; a text in another language is said to be
not understood, with emergency advice in several languages, instead of being half-read by the typo
corrector into English words it never said."""

from __future__ import annotations

import re
import unicodedata

from twitchcheck.text.grammar import Languages

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def emergency_words(text: str, rules: Languages, code: str | None = None) -> str | None:
    """The first of the grammar's emergency words for language ``code`` (None: any language) said in
    ``text`` (accents and case ignored), or None."""
    codes = [code] if code is not None else list(rules.emergency)
    plain = _fold(text)
    for lang in codes:
        for phrase in rules.emergency.get(lang, ()):
            if re.search(rf"(?<!\w){re.escape(_fold(phrase))}(?!\w)", plain):
                return phrase
    return None


def _fold(text: str) -> str:
    """Lower case without accents ("convulsión" and "convulsion" are the same word typed twice)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def foreign_language(text: str, rules: Languages) -> str | None:
    """A code for the language ``text`` seems to be in ("es", "pl", ... or "script" for another
    alphabet), or None when it reads as English or is too short to tell."""
    letters = [c for c in text if c.isalpha()]
    if letters:
        latin = sum(1 for c in letters if c.isascii() or "LATIN" in unicodedata.name(c, ""))
        if 1 - latin / len(letters) > rules.script_share:
            return "script"
    words = [w.lower() for w in _WORD.findall(text)]
    english = set(rules.english)
    english_hits = sum(1 for w in words if w in english)
    best, best_hits = None, 0
    for code, vocabulary in rules.others.items():
        own = set(vocabulary) - english
        hits = sum(1 for w in words if w in own)
        if hits > best_hits:
            best, best_hits = code, hits
    if best_hits >= rules.min_hits and best_hits >= rules.ratio * max(english_hits, 1):
        return best
    return None
