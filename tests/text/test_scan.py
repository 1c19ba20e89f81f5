"""Bounded steps for long texts (issue 13): ``guard.scan`` finds what ``finditer`` finds, and the
tokenizer's pieces are joined into the Doc that ``Doc.from_docs`` made.

Both exist so that no one compiled step holds the interpreter lock for long while a text is read
(``/healthz`` waits behind it); neither may change what is read. Nor may the shortcuts that keep
a text of thousands of tiny sentences or never-seen words cheap: the typo lookup searches the
protected words without copying them, the learned reader adds up each different unit once and in
batches, and ConText modifiers get medspaCy's own scopes from the sentence starts.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest
from spacy.tokens import Doc

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.text import guard
from twitchcheck.text import pipeline as text_pipeline
from twitchcheck.text.fuzzy import FuzzyVocabulary

DATA = Path(__file__).resolve().parents[1] / "data"
# Time phrases and the words around them, cut up and glued back with the separators below, so that
# window edges fall inside, before and after phrases (":/" stands for a colon and a line break).
PHRASES = (
    """for 3 weeks|since sunday|about 2-3 months now|how long? a few weeks|How long:/3 weeks|10 d|~1 y|
2/52|R/V 6/52|in 2 weeks' time|an hour ago|since I was 8|since 10am|from 14.30|3rd day now|day 4 of it|
over the past week|last week|this morning|Tuesday my toes went tingly|my mum (72) has|husband, 66, slumped|
4 coffees a day|200mg caffeine|approx. 5 yrs|for 1.5 hours|since xmas|a neurologist checked me|twice a day|
every few mins|since the age of 12|my 8 year old son|at least 4 weeks ago""".replace("\n", "")
    .replace(":/", ":\n")
    .split("|")
)
SEPARATORS = [" ", "  ", "\n", "\n\n", ". ", ", ", "? ", "! ", "; ", " - ", "\t", " " * 40, "...", "$$$"]


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    people = [
        json.loads(line)["text"]
        for line in (DATA / "text_annotations.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < rng.randrange(1500, 4000):
            source = rng.choice(PHRASES) if rng.random() < 0.6 else rng.choice(people)
            cut = rng.randrange(len(source) + 1) if rng.random() < 0.2 else len(source)
            parts.append(source[:cut] + rng.choice(SEPARATORS))
        out.append("".join(parts))
    return out


def _patterns(kb: KnowledgeBase) -> list[re.Pattern[str]]:
    """Every pattern that reading searches with ``scan``."""
    from twitchcheck.text.measures import _CAFFEINE_MG

    extract_module = sys.modules["twitchcheck.text.extract"]
    prepared = extract_module._prepared(text_pipeline.get_pipeline(kb))
    durations = prepared.compiled.durations
    durations.find("since sunday")  # compiles the calendar reader
    found = [v for v in vars(durations).values() if isinstance(v, re.Pattern)]
    found += [v for v in vars(durations._calendar).values() if isinstance(v, re.Pattern)]
    found += [prepared.subjects._relative_age, prepared.compiled.assessment, _CAFFEINE_MG]
    found += [p for _, p in prepared.compiled.frequency] + [p for _, p in prepared.compiled.amounts]
    return found


def _found(matches: object) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in matches]  # type: ignore[attr-defined]


@pytest.mark.slow  # property test over many texts: about 10 s
@pytest.mark.parametrize("window", [1, 7, 60, 400])
def test_scan_finds_what_finditer_finds(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    monkeypatch.setattr(guard, "SCAN_WINDOW", window)
    patterns = _patterns(kb)
    assert len(patterns) > 15
    for text in _texts(12, seed=window):
        for pattern in patterns:
            assert _found(guard.scan(pattern, text)) == _found(pattern.finditer(text)), pattern.pattern[:60]


def test_quick_starts_find_the_same_matches(kb: KnowledgeBase) -> None:
    """The look-ahead for a match's first characters turns positions down, never a match: every
    reading pattern finds the same matches with it, and a pattern whose first character is unknown
    (a negated set, its own flags) or that can match nothing at all is searched as it is."""
    patterns = _patterns(kb)
    quick = [guard.quick(p) for p in patterns]
    assert sum(q is not p for q, p in zip(quick, patterns, strict=True)) > len(patterns) * 3 // 4
    texts = _texts(3, seed=11) + ["K\u212a 12 weeks ago, \u0130stanbul since SUNDAY, 3 WEEKS"]
    for text in texts:
        for pattern, fast in zip(patterns, quick, strict=True):
            assert _found(fast.finditer(text)) == _found(pattern.finditer(text)), pattern.pattern[:60]
    for same in (r"[^a]b", r"(?i:a)b", r"a?", r"(?<=x)\b", r".a"):
        assert guard.quick(re.compile(same)).pattern == same
    ahead = guard.quick(re.compile(r"(?<![\w'])(?:a+|[0-9]\d*|\bfor\s)x", re.IGNORECASE))
    assert ahead.pattern.startswith("(?=[a0-9f])")  # [0-9] starts its branch: \\d* adds nothing
    assert [m.span() for m in ahead.finditer("'ax FOR x 12x xaax")] == [(4, 9), (10, 13)]


def test_quick_starts_need_no_deprecated_module() -> None:
    """``sre_parse`` and ``sre_constants`` warn on import since Python 3.11: the guard reads patterns
    with ``re``'s own parser and imports neither (checked on the module alone, in a fresh interpreter)."""
    script = (
        "import importlib.util, re, sys\n"
        f"spec = importlib.util.spec_from_file_location('guard', {guard.__file__!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert module.quick(re.compile(r'\\bab')).pattern == r'(?=[a])(?:\\bab)'\n"
        "assert not {'sre_parse', 'sre_constants'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", script], check=True)


def test_without_the_parser_every_pattern_is_searched_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where ``re``'s parser is missing, or reads the probe pattern otherwise than expected, no
    pattern gets a look-ahead: the same matches, only without the quick starts."""
    weeks = re.compile(r"\b\d+ weeks")
    monkeypatch.setattr(guard, "_QUICK", {})
    monkeypatch.setattr(guard, "_PROBE_FIRST", (["x"], False))
    assert guard._syntax.__wrapped__() is None
    monkeypatch.setattr(guard, "_syntax", lambda: None)
    assert guard.quick(weeks) is weeks
    assert [m.span() for m in guard.scan(weeks, "for 3 weeks, 12 weeks")] == [(4, 11), (13, 21)]


def test_scan_keeps_every_search_within_a_window() -> None:
    """No one search covers more than a window and its overlap, however long the text."""
    text = "for 3 weeks " * 2000
    weeks = re.compile(r"\d+ weeks")
    calls: list[tuple[int, int]] = []

    class Recording:
        def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
            calls.append((pos, min(endpos, len(string))))
            return weeks.finditer(string, pos, endpos)

    found = guard.scan(Recording(), text)  # type: ignore[arg-type]
    assert [m.span() for m in found] == [m.span() for m in weeks.finditer(text)]
    assert len(calls) > 1
    assert all(end - start <= guard.SCAN_WINDOW + guard.SCAN_OVERLAP for start, end in calls)


def test_joined_pieces_are_the_doc_from_docs_made(kb: KnowledgeBase) -> None:
    tokenizer = text_pipeline.get_pipeline(kb).nlp.tokenizer
    texts = _texts(6, seed=3) + ["a?" * 3000, "$(%[{<#*'\"" * 400, "no twitching in my calf " * 300]
    for text in texts:
        docs = [tokenizer(text[a:b]) for a, b in guard.pieces(text)]
        assert len(docs) > 1
        expected = Doc.from_docs(docs, ensure_whitespace=False)
        joined = text_pipeline._joined(docs)
        assert joined.text == text
        assert [(t.text, t.whitespace_, t.idx, t.norm_) for t in joined] == [
            (t.text, t.whitespace_, t.idx, t.norm_) for t in expected
        ]
        attrs = text_pipeline._TOKEN_ATTRS
        assert (joined.to_array(attrs) == expected.to_array(attrs)).all()


class _Searched(Collection[str]):
    """Words that may be searched but not copied (iterating them fails)."""

    def __init__(self, words: set[str]) -> None:
        self._words = frozenset(words)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def __len__(self) -> int:
        return len(self._words)

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the protected words were copied")


def test_the_typo_lookup_searches_the_protected_words_without_copying_them() -> None:
    """Before: ``set(protected)`` for every unknown word copied some 40,000 words (1-1.5 ms each), and
    20,000 characters of never-seen words took 2.6 s to read (11 times ordinary text)."""
    fuzzy = FuzzyVocabulary({"twitching": "twitch", "gutters": "gutter"})
    protected = _Searched({"guttering"})
    assert fuzzy.correct("twiching", protected) == "twitch"
    assert fuzzy.correct("guttering", protected) is None
    assert fuzzy.correct("qwzxvplk", protected) is None
