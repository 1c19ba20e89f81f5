"""The opening checklist: asked once when the opening names no symptom, red-flag screens still first."""

from __future__ import annotations

import pytest

from twitchcheck.engine.evidence import EvidenceError
from twitchcheck.engine.interview import (
    ChecklistQuestion,
    InterviewState,
    Question,
    _answer_chances,
    _posterior,
    answer,
    answer_checklist,
    go_back,
    next_step,
    observations,
)
from twitchcheck.engine.model import Model, compile_model
from twitchcheck.knowledge import KnowledgeBase

BARE = {"age_band": "young_adult", "sex": "male"}


@pytest.fixture(scope="module")
def model(kb: KnowledgeBase) -> Model:
    return compile_model(kb)


def test_an_opening_without_a_symptom_gets_the_checklist_after_the_demographics(model: Model) -> None:
    step = next_step(model, InterviewState())
    assert isinstance(step, Question) and step.finding.id == "age_band"
    step = next_step(model, InterviewState(seeded=BARE))
    assert isinstance(step, ChecklistQuestion)
    assert model.kb.checklist is not None and step.checklist is model.kb.checklist


@pytest.mark.parametrize("symptom", ["fasciculations", "cramps", "weakness", "loc_eyelid"])
def test_an_opening_that_names_a_symptom_skips_it(model: Model, symptom: str) -> None:
    step = next_step(model, InterviewState(seeded={**BARE, symptom: "present"}))
    assert isinstance(step, Question)


def test_a_warning_sign_alone_does_not_skip_it_but_its_screen_comes_first(model: Model) -> None:
    """Fever is on the checklist's warning-sign list, not a symptom of the twitch family: the meningitis
    screen it opens is asked before the checklist."""
    state = InterviewState(seeded={**BARE, "fever": "present"})
    step = next_step(model, state)
    assert isinstance(step, Question) and step.reason == "red_flag_screen"
    state = answer(model, state, step.finding.id, "absent")
    while isinstance(step := next_step(model, state), Question) and step.reason == "red_flag_screen":
        state = answer(model, state, step.finding.id, "absent")
    assert isinstance(step, ChecklistQuestion)


def test_ticks_are_evidence_and_change_the_differential(model: Model) -> None:
    state = InterviewState(seeded={"age_band": "older", "sex": "male"})
    before = _posterior(model, observations(state))
    ticked = answer_checklist(model, state, ["weakness", "muscle_wasting", "fasciculations"])
    assert ticked.ticked == ["fasciculations", "weakness", "muscle_wasting"]  # checklist order
    assert ticked.asked == [model.kb.checklist.id]  # type: ignore[union-attr]
    assert {(o.finding, o.state) for o in observations(ticked)} >= {
        ("weakness", "present"),
        ("muscle_wasting", "present"),
        ("fasciculations", "present"),
    }
    after = _posterior(model, observations(ticked))
    als = model.rows.index("als")
    assert after[als] > 5 * before[als]
    step = next_step(model, ticked)
    assert isinstance(step, Question) and step.finding.id not in ticked.ticked  # type: ignore[operator]


def test_nothing_ticked_is_no_evidence_and_the_checklist_is_not_asked_again(model: Model) -> None:
    state = InterviewState(seeded=BARE)
    none = answer_checklist(model, state, [])
    assert none.ticked == [] and observations(none) == observations(state)
    assert not isinstance(next_step(model, none), ChecklistQuestion)
    # Unticked items stay open: the interview may still ask one of them on its own.
    seen = []
    for _ in range(6):
        step = next_step(model, none)
        if not isinstance(step, Question):
            break
        seen.append(step.finding.id)
        none = answer(model, none, step.finding.id, "unknown")
    assert seen


def test_back_undoes_the_checklist_and_the_answer_after_it(model: Model) -> None:
    state = answer_checklist(model, InterviewState(seeded=BARE), ["cramps"])
    step = next_step(model, state)
    assert isinstance(step, Question)
    later = answer(model, state, step.finding.id, step.finding.state_ids[0])
    assert go_back(later) == state
    undone = go_back(state)
    assert undone.ticked is None and undone.asked == []
    assert isinstance(next_step(model, undone), ChecklistQuestion)
    assert InterviewState.model_validate_json(state.model_dump_json()) == state


def test_ticking_something_not_on_the_checklist_is_refused(model: Model) -> None:
    with pytest.raises(EvidenceError, match="not on the checklist"):
        answer_checklist(model, InterviewState(seeded=BARE), ["reflexes"])


def test_the_checklist_does_not_count_as_an_unanswered_question(model: Model) -> None:
    """The chance that this person can answer is learnt from real questions only."""
    state = InterviewState(seeded=BARE)
    post = _posterior(model, observations(state))
    fresh = _answer_chances(model, state, post)
    after_none = _answer_chances(model, answer_checklist(model, state, []), post)
    assert (fresh == after_none).all()
