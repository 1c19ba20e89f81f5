"""Whose symptoms: family history, other people, worry about named conditions, reporters, age, sex."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from twitchcheck.text import Extraction

Read = Callable[[str], dict[str, str]]
Extract = Callable[[str], Extraction]


def test_relative_with_condition_is_family_history(read: Read) -> None:
    assert read("My uncle had ALS") == {"fh_als": "present"}


def test_family_history_phrase_needs_no_relative(read: Read) -> None:
    assert read("Family history of ALS.") == {"fh_als": "present"}


def test_relative_in_wheelchair_is_neuromuscular_history(read: Read) -> None:
    assert read("My mum's brother ended up in a wheelchair with some muscle problem.") == {
        "fh_neuromuscular": "present"
    }


def test_negated_family_history(read: Read) -> None:
    assert read("No one in my family has had ALS.") == {"fh_als": "absent"}


def test_relatives_symptoms_are_not_the_patients(read: Read) -> None:
    got = read("My aunt had ALS and she had terrible cramps and twitching before she was diagnosed.")
    assert got == {"fh_als": "present"}


def test_first_person_ends_the_relatives_scope(read: Read) -> None:
    got = read("My mum has MS and my left eye has been twitching for 3 days.")
    assert got["fasciculations"] == "present"
    assert got["loc_eyelid"] == "present"
    assert "hx_ms" not in got


@pytest.mark.parametrize(
    "text",
    [
        "I'm scared it's ALS",
        "could this be MS?",
        "I'm terrified its MND",
        "Is it possible this is ALS or MS?",
    ],
)
def test_condition_names_in_worry_are_not_findings(read: Read, text: str) -> None:
    assert read(text) == {}


def test_other_people_are_not_evidence_when_i_speak_of_myself(read: Read) -> None:
    got = read("My calf twitches. My friend has terrible cramps")
    assert got["fasciculations"] == "present"
    assert "cramps" not in got


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("My friend has terrible cramps", "cramps"),
        ("my husband is very confused", "confusion"),
        ("Please help, my dad is confused", "confusion"),
        ("our son keeps twitching", "fasciculations"),
    ],
)
def test_someone_described_alone_is_the_person_assessed(read: Read, text: str, finding: str) -> None:
    """A writer who says nothing of themselves is asking about the person they describe."""
    assert read(text).get(finding) == "present"


def test_family_history_stays_family_history(read: Read) -> None:
    got = read("my dad had MND and now my calf twitches")
    assert got.get("fh_als") == "present"
    assert got.get("fasciculations") == "present"


def test_someone_elses_observation_of_me_counts(read: Read) -> None:
    assert read("My husband says my legs jerk all night.").get("weakness") is None
    assert read("My wife thinks I'm confused")["confusion"] == "present"


def test_third_person_reporter_is_the_patient(extraction: Extract) -> None:
    result = extraction("My mum (63) has twitching in her left arm and she is confused.")
    got = result.as_evidence()
    assert got["fasciculations"] == "present"
    assert got["loc_arm"] == "present"
    assert got["confusion"] == "present"
    assert result.age == 63
    assert result.sex == "female"


def test_reporter_without_age(extraction: Extract) -> None:
    result = extraction("My son keeps twitching and his eyelid jumps.")
    assert result.as_evidence()["fasciculations"] == "present"
    assert result.sex == "male"


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("45M with twitching", 45, "male"),
        ("30F. Twitching", 30, "female"),
        ("I'm a 30 year old woman with twitching", 30, "female"),
        ("I'm 28 and my calf twitches", 28, None),
        ("My wife (48) has been confused", 48, "female"),
        ("I'm 28 weeks pregnant with cramps", None, None),
    ],
)
def test_age_and_sex(extraction: Extract, text: str, age: int | None, sex: str | None) -> None:
    result = extraction(text)
    assert (result.age, result.sex) == (age, sex)


def test_history_of_a_condition(read: Read) -> None:
    assert read("I had polio as a child") == {"hx_polio": "present"}
    assert read("I have multiple sclerosis")["hx_ms"] == "present"


def test_resolved_symptom_is_not_current(read: Read) -> None:
    assert "numbness_tingling" not in read("Two years ago I had numbness in my leg that went away by itself.")


def test_hypothetical_is_not_evidence(read: Read) -> None:
    assert read("If I start getting weak should I see someone?") == {}
    assert read("I read that twitching can be the first sign of MND") == {}
