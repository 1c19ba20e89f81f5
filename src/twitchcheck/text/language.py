"""Is this text in English? The reader reads English only; a text in another language is said to be
not understood, with emergency advice in several languages, instead of being half-read by the typo
corrector into English words it never said."""

from __future__ import annotations

import re
import unicodedata

from twitchcheck.text.grammar import Languages

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


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
