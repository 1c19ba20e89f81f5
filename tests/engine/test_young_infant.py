"""A baby under 3 months with a temperature is seen urgently (NHS 'Fever in children', NICE NG143): the age
decides the yes/no finding ``young_infant`` (``Finding.age_below``), which the red flag reads."""

from __future__ import annotations

import pytest

from twitchcheck.engine.evidence import demographics
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Level
from twitchcheck.pipeline import assess
from twitchcheck.text.people import infant_age


def test_the_age_decides_young_infant(kb: KnowledgeBase) -> None:
    states = {o.finding: o.state for o in demographics(kb, 0.1, None)}
    assert states["young_infant"] == "present" and states["age_band"] == "child"
    assert {o.finding: o.state for o in demographics(kb, 0.25, None)}["young_infant"] == "absent"
    assert "young_infant" not in {o.finding for o in demographics(kb, None, "female")}


@pytest.mark.parametrize(("age", "lowest"), [(0.1, "urgent"), (0.2, "urgent")])
def test_a_feverish_young_baby_is_seen_urgently(kb: KnowledgeBase, age: float, lowest: str) -> None:
    result = assess(evidence={"fever": "present", "fasciculations": "present"}, age=age, kb=kb)
    assert Level[result.triage.level] >= Level[lowest]
    assert "young_infant_fever" in {flag.id for flag in result.red_flags}


def test_an_older_child_with_a_fever_is_not_flagged(kb: KnowledgeBase) -> None:
    result = assess(evidence={"fever": "present", "fasciculations": "present"}, age=0.5, kb=kb)
    assert "young_infant_fever" not in {flag.id for flag in result.red_flags}


def test_a_baby_age_in_weeks_is_read_from_the_text(kb: KnowledgeBase) -> None:
    assert infant_age("our 6 week old has a temp of 38.4") == pytest.approx(6 / 52)
    assert infant_age("he's only 10 weeks old") == pytest.approx(10 / 52)
    assert infant_age("my 2-month-old son keeps jerking") == pytest.approx(2 / 12)
    for text in ("a 2 week old cut on my hand", "the bruise is 3 weeks old", "my 6 week old tattoo itches"):
        assert infant_age(text) is None, text
    text = "my 7 week old has a temperature and her arms keep twitching"
    assert Level[assess(text, kb=kb).triage.level] >= Level.urgent
