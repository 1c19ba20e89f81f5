"""Typos, casing, spans, the public API and speed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from twitchcheck.text import Extraction, Mention, extract

from .kb_double import MiniKB

Read = Callable[[str], dict[str, str]]
Extract = Callable[[str], Extraction]


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("my calfs keep twiching", "fasciculations"),
        ("fasciculatoins in both calves", "fasciculations"),
        ("wekness in my hands", "weakness"),
        ("TWITCHING IN MY CALF", "fasciculations"),
        ("Calves Twitching", "loc_calf"),
    ],
)
def test_typos_and_case(read: Read, text: str, finding: str) -> None:
    assert read(text).get(finding) == "present"


@pytest.mark.parametrize(
    "text", ["I had a crippling week", "the camps were fun", "we went walking", "my sister's wedding"]
)
def test_no_false_typo_matches(read: Read, text: str) -> None:
    assert read(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "My left calf keeps flickering (since Saturday), no weakness; K 2.9 and Ca 5.1 mg/dL.",
        "30F. 10 d intermittent twitching R thenar eminence and L calf, worse in evenings.",
        "I’m 28 and my eyelid won’t stop twitching",  # curly quotes keep their offsets
    ],
)
def test_spans_are_exact(extraction: Extract, text: str) -> None:
    result = extraction(text)
    assert result.mentions
    for mention in result.mentions:
        assert isinstance(mention, Mention)
        assert text[mention.start : mention.end] == mention.span


def test_one_mention_per_finding(extraction: Extract) -> None:
    result = extraction("twitching in my calf. More twitching today. No twitching in the tongue.")
    ids = [m.finding for m in result.mentions]
    assert len(ids) == len(set(ids))


def test_empty_text(tiny_kb: MiniKB) -> None:
    assert extract("", tiny_kb) == Extraction(mentions=())
    assert extract("   ", tiny_kb).mentions == ()


def test_fast_after_warm_up(tiny_kb: MiniKB) -> None:
    extract("warm up", tiny_kb)
    text = "For about 3 months I've had twitching in both calves, no weakness, no cramps, 5 coffees a day."
    start = time.perf_counter()
    for _ in range(20):
        extract(text, tiny_kb)
    per_text = (time.perf_counter() - start) / 20
    assert per_text < 0.05, f"{per_text * 1000:.1f} ms per text"
