"""Warning signs said with doubt are asked, never dropped; a text with nothing recognised says so."""

from __future__ import annotations

import pytest

from twitchcheck import assess
from twitchcheck.engine.assessment import assess_observations
from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.model import compile_model
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Level


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("I think her face might be drooping a bit?", "face_droop"),
        ("not sure if his face is drooping or if I'm imagining it", "face_droop"),
    ],
)
def test_a_doubtful_warning_sign_is_listed_asked_and_lifts_triage(
    kb: KnowledgeBase, text: str, finding: str
) -> None:
    result = assess(text, kb=kb).to_json()
    possible = {p["finding"]: p for p in result["possible_red_flags"]}
    assert finding in possible
    assert possible[finding]["question"] == kb.findings[finding].question
    assert possible[finding]["span"] and possible[finding]["span"] in text
    assert Level[result["triage"]["level"]] >= Level.urgent
    assert finding not in {e["finding"] for e in result["evidence"]}  # doubt is not evidence
    assert result["understood"] is True


def test_doubt_about_a_harmless_symptom_changes_nothing(kb: KnowledgeBase) -> None:
    result = assess("my eyelid twitches, maybe my calf too?", kb=kb).to_json()
    assert result["possible_red_flags"] == []


def test_structured_possible_findings(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    base = [Observation("fasciculations", "present")]
    plain = assess_observations(model, base)
    doubtful = assess_observations(
        model, base, possible=[Observation("face_droop", "present", "text", "face", 0, 4)]
    )
    assert plain.possible_red_flags == ()
    assert [p.finding for p in doubtful.possible_red_flags] == ["face_droop"]
    assert Level[doubtful.triage.level] >= Level.urgent
    assert doubtful.triage.reasons[0].startswith("You mentioned something that can be a warning sign")
    # A possible finding that is already known is not asked again.
    known = assess_observations(model, [*base, Observation("face_droop", "absent")], possible=doubtful_obs())
    assert known.possible_red_flags == ()


def doubtful_obs() -> list[Observation]:
    return [Observation("face_droop", "present", "text")]


@pytest.mark.parametrize("text", ["hello", "asdf qwerty", "what is this website", "I'm 34"])
def test_nothing_understood_says_so(kb: KnowledgeBase, text: str) -> None:
    result = assess(text, kb=kb).to_json()
    assert result["understood"] is False
    assert result["triage"]["reasons"] == [kb.policy.not_understood]


def test_something_understood(kb: KnowledgeBase) -> None:
    assert assess("my calf twitches", kb=kb).to_json()["understood"] is True
    assert assess(evidence={"weakness": "absent"}, kb=kb).to_json()["understood"] is True


def test_the_interview_asks_a_doubtful_warning_sign_first(kb: KnowledgeBase) -> None:
    from twitchcheck.pipeline import answer_interview, start_interview

    step = start_interview("I think his face might be drooping, and his calf twitches", kb=kb)
    assert step.question is not None and step.question.finding == "face_droop"
    assert step.state.doubtful == ["face_droop"]
    # "Don't know" keeps it a possible red flag to the end.
    step = answer_interview(step.state, "face_droop", "unknown", kb=kb)
    while step.question is not None:
        step = answer_interview(step.state, step.question.finding, "unknown", kb=kb)
    assert step.assessment is not None
    assert [p.finding for p in step.assessment.possible_red_flags] == ["face_droop"]
    assert Level[step.assessment.triage.level] >= Level.urgent


@pytest.mark.parametrize(
    "text",
    [
        "my face feels numb and I have a headache",
        "calf twitching for 3 weeks, no weakness, no trouble swallowing",
        "she has a fever and a stiff neck and is very sleepy",
        "",
    ],
)
def test_the_rules_a_doubtful_sign_would_add_are_found_among_the_rules_naming_it(
    kb: KnowledgeBase, text: str
) -> None:
    """``fired_red_flags_with`` evaluates only the rules that name the sign; the others fire or not as
    before, so it finds exactly what evaluating every rule again adds, in the same order."""
    from twitchcheck.engine.triage import fired_red_flags, fired_red_flags_with
    from twitchcheck.pipeline import gather

    model = compile_model(kb)
    observations = gather(kb, text) if text else []
    known = {o.finding for o in observations}
    before = {f.id for f in fired_red_flags(model, observations)}
    for finding_id, finding in kb.findings.items():
        if finding_id in known:
            continue
        for state in ["present", "absent"] if finding.type == "binary" else finding.state_ids:
            sign = Observation(finding_id, state, "text")
            every = [f for f in fired_red_flags(model, [*observations, sign]) if f.id not in before]
            naming = [f for f in fired_red_flags_with(model, observations, sign) if f.id not in before]
            assert naming == every, (text, finding_id, state)
