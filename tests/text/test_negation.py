"""Negation, lists under one negation, 'X is fine', and place-only denials."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Read = Callable[[str], dict[str, str]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No weakness.", {"weakness": "absent"}),
        ("Patient denies dysphagia.", {"dysphagia": "absent"}),
        ("I don't have any weakness", {"weakness": "absent"}),
        (
            "No weakness, cramps or sensory sx.",
            {"weakness": "absent", "cramps": "absent", "numbness_tingling": "absent"},
        ),
        ("I'm not weak at all", {"weakness": "absent"}),
        ("never had a cramp in my life", {"cramps": "absent"}),
    ],
)
def test_plain_negation(read: Read, text: str, expected: dict[str, str]) -> None:
    got = read(text)
    for finding, state in expected.items():
        assert got.get(finding) == state, (text, got)


def test_negation_stops_at_new_clause(read: Read) -> None:
    got = read("No pain, no cramps, I can walk fine but my calf keeps twitching.")
    assert got["cramps"] == "absent"
    assert got["fasciculations"] == "present"
    assert got["loc_calf"] == "present"


def test_without_does_not_reach_the_next_statement(read: Read) -> None:
    got = read("Without any weakness or numbness, my thumb has twitched for 9 days.")
    assert got["weakness"] == "absent"
    assert got["numbness_tingling"] == "absent"
    assert got["fasciculations"] == "present"
    assert got["loc_hand"] == "present"


def test_function_is_fine_denies_the_finding(read: Read) -> None:
    got = read("My speech and swallowing are fine.")
    assert got == {"slurred_speech": "absent", "dysphagia": "absent"}


def test_grip_is_fine(read: Read) -> None:
    assert read("I can still grip fine")["weak_grip"] == "absent"


def test_a_head_word_alone_never_asserts(read: Read) -> None:
    # "swallowing" names the function, not a problem with it.
    assert "dysphagia" not in read("I had trouble sleeping after swallowing a big pill")


def test_cannot_is_inability_not_negation(read: Read) -> None:
    got = read("I can't swallow properly and I feel weak")
    assert got.get("weakness") == "present"
    assert got.get("dysphagia") != "absent"


def test_fine_tremor_is_not_a_normal_statement(read: Read) -> None:
    assert read("fine tremor of both hands")["tremor"] == "present"


def test_place_only_denial(read: Read) -> None:
    got = read("My left eyelid has been jumping for 2 days. Nothing else on my face twitches.")
    assert got["fasciculations"] == "present"
    assert got["loc_eyelid"] == "present"
    assert got["loc_face"] == "absent"


def test_affirmed_beats_negated(read: Read) -> None:
    got = read("No weakness in my legs last month. Now my arm is weak.")
    assert got["weakness"] == "present"


def test_lists_of_labs_under_one_normal(read: Read) -> None:
    got = read("Na, K, Ca, Mg and TSH normal.")
    assert got == {
        "sodium": "normal",
        "potassium": "normal",
        "calcium": "normal",
        "magnesium": "normal",
        "tsh": "normal",
    }


def test_normal_does_not_reach_across_a_clause(read: Read) -> None:
    got = read("Twitching in my calf for a week, strength is normal")
    assert got["fasciculations"] == "present"
    assert got["loc_calf"] == "present"
