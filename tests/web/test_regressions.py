"""Regressions found by the web tests in code outside the web layer.

Schemathesis's boundary-length string ('0' x 19,999) took minutes: the duration regex tried a
number at every position of the digit run, and several readers scanned all targets per target.
Ordinary text must be read in time proportional to its length, and every shape below, at the
API's maximum length, about as fast as ordinary text of the same length. Bounds relative to
ordinary text measured in the same process keep the tests meaningful on a slow or busy machine.
"""

from __future__ import annotations

import time

import pytest

from twitchcheck.pipeline import MAX_TEXT_CHARS, assess

ORDINARY = (
    "I'm 34 and my left calf has been twitching on and off for about three weeks, mostly in the "
    "evening after work. I drink 4 cups of coffee a day and I've been sleeping badly. No weakness, "
    "no cramps, my mum (63) has thyroid problems. Could this be ALS? "
)
SHAPES = {
    "digits": "0",
    "letters": "a",
    "dots": ".",
    "dashes": "-",
    "spaces then text": " ",
    "line breaks": "\n",
    "dotted numbers": "1.",
    "slashed numbers": "1/",
    "number and unit": "1 day ",
    "qualifiers": "about ",
    "negations": "no ",
    "commas": ", ",
    "lab values": "K 4.1 ",
    "relatives": "my mum ",
    "negated twitches": "no twitching in my calf ",
    "spaced lab values": "K" + " " * 45 + "4 ",
    "spaced age": "I'm 30 years" + " " * 300,
    "spaced counts": "clonus" + " " * 30 + "~ ",
}


def _fill(unit: str, length: int = MAX_TEXT_CHARS) -> str:
    return (unit * (length // len(unit) + 1))[: length - 5] + " calf"


def _seconds(text: str) -> float:
    started = time.process_time()
    assess(text)
    return time.process_time() - started


@pytest.fixture(scope="module")
def ordinary_seconds() -> float:
    assess("warm up")
    return min(_seconds(_fill(ORDINARY)) for _ in range(2))


def test_ordinary_text_is_read_in_linear_time(ordinary_seconds: float) -> None:
    """Ten times the text, at most about ten times the time (it took 30 times as long before the fix)."""
    tenth = min(_seconds(_fill(ORDINARY, MAX_TEXT_CHARS // 10)) for _ in range(2))
    assert ordinary_seconds < 20 * tenth + 0.1


@pytest.mark.parametrize("unit", SHAPES.values(), ids=SHAPES.keys())
def test_pathological_text_is_read_in_linear_time(unit: str, ordinary_seconds: float) -> None:
    assert _seconds(_fill(unit)) < 10 * ordinary_seconds + 0.2
