"""Numbers, units, durations, grades and counts -> graded states."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Read = Callable[[str], dict[str, str]]


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("calf twitching for 3 months", "months"),
        ("twitching since last week", "days"),
        ("eye twitch 2 days", "days"),
        ("10 d intermittent twitching", "days"),
        ("~1 y calf fasciculations", "years"),
        ("twitching on and off for years", "years"),
        ("twitching over the past year", "months"),  # within the past year: at most 12 months
        ("twitching for over a year", "years"),
        ("twitching for the last 2 months", "weeks"),
        ("3/12 hx of twitching", "months"),
        ("2/52 twitching R eyelid", "weeks"),
        ("My calf has been twitching for a fortnight", "weeks"),
    ],
)
def test_duration(read: Read, text: str, state: str) -> None:
    assert read(text).get("twitch_duration") == state


@pytest.mark.parametrize(
    "text",
    [
        "my thigh muscles twitch for an hour or so after training",  # one episode, not the course
        "I drink coffee every day for years",  # not about the complaint
        "I quit coffee 2 weeks ago and the twitches are still there",
    ],
)
def test_time_phrases_that_are_not_the_complaints_duration(read: Read, text: str) -> None:
    assert "twitch_duration" not in read(text)


def test_duration_in_a_following_sentence(read: Read) -> None:
    assert read("My calf twitches when I sit. Been like this for a year or so.")["twitch_duration"] == "years"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("my eyelid has been twitching non-stop", "constant"),
        ("my calf twitches every evening", "daily"),
        ("the twitches come and go", "occasional"),
    ],
)
def test_frequency(read: Read, text: str, state: str) -> None:
    assert read(text).get("twitch_frequency") == state


def test_spread_counts_regions(read: Read) -> None:
    got = read("I've had twitches in my calves and feet and arms")
    assert got["twitch_spread"] == "several_sites"
    assert {got["loc_calf"], got["loc_foot"], got["loc_arm"]} == {"present"}


def test_spread_all_over(read: Read) -> None:
    assert read("muscle twitches all over my body")["twitch_spread"] == "widespread"


def test_laterality(read: Read) -> None:
    assert read("twitches in my left arm and left leg")["one_sided"] == "present"
    assert read("twitching R thenar and L calf").get("one_sided") in (None, "absent")
    assert "one_sided" not in read("twitching in my right calf")


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("I probably have 6-8 shots of espresso a day and my calf twitches", "present"),
        ("5 coffees a day", "present"),
        ("one coffee in the morning", "absent"),
        ("I quit coffee", "absent"),
    ],
)
def test_caffeine_amounts(read: Read, text: str, state: str) -> None:
    assert read(text).get("trigger_caffeine") == state


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        ("K 2.9", "potassium", "low"),
        ("K 2.1", "potassium", "very_low"),
        ("potassium 6.1 mmol/L", "potassium", "high"),
        ("Ca 5.1 mg/dL", "calcium", "very_low"),
        ("Corrected calcium 2.05 mmol/L", "calcium", "low"),
        ("Na 131", "sodium", "low"),
        ("Mg 1.2 mg/dL", "magnesium", "low"),
        ("PTH 3.4 pg/mL", "pth", "low"),
        ("PTH 25 pmol/L", "pth", "high"),
        ("TSH <0.01", "tsh", "low"),
        ("my calcium came back at 2.8", "calcium", "high"),
        ("low potassium", "potassium", "low"),
    ],
)
def test_labs(read: Read, text: str, finding: str, state: str) -> None:
    assert read(text).get(finding) == state


def test_units_are_not_lab_names(read: Read) -> None:
    got = read("I take 40 mg of prednisolone and did a couch to 5k, I can't walk far")
    assert not {"magnesium", "potassium", "calcium"} & set(got)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("3+ reflexes", "brisk"),
        ("reflexes 2+ and symmetrical", "normal"),
        ("hyperreflexia", "brisk"),
        ("depressed reflexes", "reduced"),
        ("ankle jerks absent bilaterally", "reduced"),
        ("reflexes normal", "normal"),
    ],
)
def test_reflexes(read: Read, text: str, state: str) -> None:
    assert read(text).get("reflexes") == state


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("4 beats ankle clonus", "few"),
        ("ankle clonus >10 beats", "sustained"),
        ("sustained clonus", "sustained"),
        ("no clonus", "none"),
    ],
)
def test_clonus(read: Read, text: str, state: str) -> None:
    assert read(text).get("clonus_beats") == state


def test_plantars_and_power(read: Read) -> None:
    assert read("extensor plantars")["babinski"] == "present"
    assert read("power 5/5 throughout")["weakness"] == "absent"
    assert read("hip flexion MRC 4/5")["weakness"] == "present"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("EMG: fibs/fascs in 3 regions", "multiple_regions"),
        ("EMG only showed twitches, no nerve damage", "none"),
        ("EMG normal", "none"),
        ("EMG: active denervation confined to C7 myotome", "one_region"),
    ],
)
def test_emg(read: Read, text: str, state: str) -> None:
    assert read(text).get("emg_denervation") == state


def test_fever_threshold(read: Read) -> None:
    assert read("temp 39.5")["fever"] == "present"


def test_alternation_grouped_by_first_letter_matches_as_the_plain_one() -> None:
    """Grouping the words under their first letter is for speed only: the same matches, longest
    first, with and without IGNORECASE (and a first character that does not group falls back)."""
    import re

    from twitchcheck.text.values import alternation

    words = ["mum", "mother", "my mum", "m", "dad", "daddy", "o'clock", "2nd", "a", "an", "and"]
    grouped = alternation(words)
    assert "m(?:" in grouped and "d(?:" in grouped  # (equal lengths come in any order)
    plain = "|".join(
        re.escape(w).replace(r"\ ", r"\s+").replace("'", "'?")
        for w in sorted({w.lower() for w in words}, key=len, reverse=True)
    )
    text = "My  Mum and mother, Daddy's dad at 2nd o clock oclock an and a M KİD"
    for flags in (0, re.I):
        for wrap in ("{}", r"\b(?:{})\b", r"(?:{})s?\b"):
            ours = re.compile(wrap.format(grouped), flags)
            theirs = re.compile(wrap.format(plain), flags)
            assert [m.span() for m in ours.finditer(text)] == [m.span() for m in theirs.finditer(text)]
    assert alternation(["-ish", "x"]) == r"\-ish|x"
