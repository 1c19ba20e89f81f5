"""Meaning from parts (frames), who the text is about, and calendar time against a fixed moment."""

from __future__ import annotations

from datetime import datetime

import pytest

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.pipeline import assess
from twitchcheck.text import extract

# A Wednesday afternoon.
WRITTEN = datetime(2026, 12, 9, 15, 30)


def read(kb: KnowledgeBase, text: str, when: datetime = WRITTEN) -> dict[str, str]:
    return extract(text, kb, reference=when).as_evidence()


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        ("mums face has dropped on one side", "face_droop", "present"),
        ("his smile's gone all lopsided", "face_droop", "present"),
        ("her mouth is drooping on the left", "face_droop", "present"),
        ("her face is not drooping", "face_droop", "absent"),
        ("no droop in his face", "face_droop", "absent"),
        ("his words are all jumbled", "slurred_speech", "present"),
        ("she's talking gibberish", "slurred_speech", "present"),
        ("I can't open jars anymore", "weak_grip", "present"),
        ("struggling to get up off the toilet", "weakness_proximal", "present"),
        ("my foot keeps slapping when I walk", "tripping", "present"),
        ("cant start peeing", "bladder_problems", "present"),
        ("I can't pee", "bladder_problems", "present"),
        ("no problems peeing", "bladder_problems", "absent"),
        ("numb when i wipe", "saddle_numbness", "present"),
        ("he can't lie flat at night", "breathless", "present"),
        ("she won't wake up properly", "confusion", "present"),
        ("food keeps going down the wrong way", "dysphagia", "present"),
        ("his legs keep giving way", "weakness", "present"),
    ],
)
def test_frames(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert read(kb, text).get(finding) == state


@pytest.mark.parametrize(
    "text",
    [
        "my eyelid twitches and my leg dropped the cup",  # another body part stands between
        "my face twitches, but my arm dropped",  # a clause break stands between
        "I dropped my phone on my face",
    ],
)
def test_frames_do_not_reach_across(kb: KnowledgeBase, text: str) -> None:
    assert "face_droop" not in extract(text, kb, readers=frozenset({"rules"})).as_evidence()
    # The learned reader may read "dropped ... face" as a droop: only the rules' reading is evidence,
    # so the product asks instead of deciding.
    result = assess(text, kb=kb)
    assert "face_droop" not in {o.finding for o in result.observations}


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("my calf has been twitching since sunday", "days"),  # 3 days before Wednesday
        ("twitching in my eyelid since august", "months"),  # about 4 months
        ("my thumb keeps twitching since xmas", "months"),  # about 50 weeks
        ("my thumb keeps twitching since november", "weeks"),  # about 3 weeks
        ("calf twitching since 10am", "days"),
        ("eyelid twitching since lunchtime", "days"),
        ("Started 2 days ago. My calf keeps twitching.", "days"),
    ],
)
def test_calendar_time_against_the_moment_of_writing(kb: KnowledgeBase, text: str, state: str) -> None:
    assert read(kb, text).get("twitch_duration") == state


def test_the_same_words_on_another_day(kb: KnowledgeBase) -> None:
    text = "my calf has been twitching since monday"
    assert read(kb, text, datetime(2026, 12, 8, 9, 0))["twitch_duration"] == "days"  # Tuesday: 1 day
    assert read(kb, text, datetime(2026, 12, 7, 9, 0))["twitch_duration"] == "days"  # Monday: a week
    assert read(kb, "twitching since august", datetime(2027, 3, 1))["twitch_duration"] == "months"


def test_sudden_onset_from_a_clock_time(kb: KnowledgeBase) -> None:
    got = read(kb, "dad's face has dropped and his speech is slurred since 2pm")
    assert got["face_droop"] == "present"
    assert got.get("sudden_onset") == "present"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("my husband is having a fit", "seizure"),
        ("about 40 minutes ago mum (80) - her face dropped on the left", "face_droop"),
        ("Please help, my dad is confused and his face has dropped", "face_droop"),
        ("my flatmate is jerking all over and wont wake up", "confusion"),
    ],
)
def test_someone_described_now_is_the_person_assessed(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert read(kb, text).get(finding) == "present"


def test_a_relative_with_a_diagnosis_is_family_history(kb: KnowledgeBase) -> None:
    got = read(kb, "my dad had MND and now my calf twitches")
    assert got["fh_als"] == "present"
    assert "muscle_wasting" not in got


@pytest.mark.parametrize("word", ["cant", "wont", "dont", "doesnt"])
def test_contractions_without_apostrophes(kb: KnowledgeBase, word: str) -> None:
    assert read(kb, f"I {word} have any weakness").get("weakness") in ("absent", None)
    assert read(kb, "i cant swallow properly").get("dysphagia") == "present"
