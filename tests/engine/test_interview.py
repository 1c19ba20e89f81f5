from __future__ import annotations

from twitchcheck.engine.interview import InterviewState, Question, Stop, answer, go_back, next_step
from twitchcheck.engine.model import compile_model
from twitchcheck.knowledge import KnowledgeBase


def test_demographics_first_then_a_real_question(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    state = InterviewState()
    step = next_step(model, state)
    assert isinstance(step, Question) and step.finding.id == "age_band"
    state = answer(model, state, "age_band", "young_adult")
    state = answer(model, state, "sex", "female")
    step = next_step(model, state)
    assert isinstance(step, Question)
    assert step.finding.id not in {"age_band", "sex"}
    assert step.reason == "information_gain"


def test_open_red_flag_is_screened_first(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    state = InterviewState(seeded={"fever": "present", "age_band": "young_adult", "sex": "male"})
    step = next_step(model, state)
    assert isinstance(step, Question)
    assert (step.finding.id, step.reason, step.red_flag) == ("stiff_neck", "red_flag_screen", "meningism")


def test_unknown_answers_are_allowed_and_not_asked_again(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    state = InterviewState(seeded={"age_band": "older", "sex": "male"})
    seen = set()
    for _ in range(10):
        step = next_step(model, state)
        if isinstance(step, Stop):
            break
        assert step.finding.id not in seen
        seen.add(step.finding.id)
        state = answer(model, state, step.finding.id, "unknown")
    assert isinstance(step, Stop) and step.reason


def test_stops_at_the_cap(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    state = InterviewState(max_questions=1, seeded={"age_band": "older", "sex": "male"})
    step = next_step(model, state)
    assert isinstance(step, Question)
    state = answer(model, state, step.finding.id, "unknown")
    stop = next_step(model, state)
    assert isinstance(stop, Stop) and "limit" in stop.reason


def test_back_undoes_the_last_answer_and_state_round_trips(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    state = answer(model, InterviewState(), "weakness", "present")
    state = answer(model, state, "fever", "absent")
    restored = InterviewState.model_validate_json(state.model_dump_json())
    assert restored == state
    back = go_back(restored)
    assert back.asked == ["weakness"] and back.answers == {"weakness": "present"}
    assert go_back(go_back(back)) == InterviewState()


def test_settles_when_the_answer_is_clear(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    state = InterviewState(
        seeded={
            "age_band": "young_adult",
            "sex": "female",
            "trigger_caffeine": "present",
            "twitch_duration": "days",
            "weakness": "absent",
            "fever": "absent",
            "stiff_neck": "absent",
            "fasciculations": "present",
        }
    )
    step = next_step(model, state)
    assert isinstance(step, Stop)


def test_real_kb_screens_an_emergency_one_answer_away(kb: KnowledgeBase) -> None:
    """Back pain with leg symptoms: ask about the saddle area and bladder (cauda equina) first."""
    model = compile_model(kb)
    state = InterviewState(
        seeded={
            "age_band": "young_adult",
            "sex": "male",
            "back_pain": "present",
            "loc_thigh": "present",
            "fasciculations": "present",
        }
    )
    step = next_step(model, state)
    assert isinstance(step, Question) and step.reason == "red_flag_screen"
    assert step.finding.id in {"saddle_numbness", "bladder_problems"}
    state = answer(model, state, step.finding.id, "unknown")
    step = next_step(model, state)
    assert isinstance(step, Question) and step.finding.id in {"saddle_numbness", "bladder_problems"}


def test_real_kb_benign_story_settles_quickly_at_self_care(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    truth = {
        "twitch_duration": "days",
        "weakness": "absent",
        "fasciculations": "present",
        "trigger_caffeine": "present",
        "trigger_sleep_loss": "present",
    }
    state = InterviewState(seeded={"age_band": "young_adult", "sex": "female", "loc_eyelid": "present"})
    for _ in range(20):
        step = next_step(model, state)
        if isinstance(step, Stop):
            break
        default = "absent" if step.finding.type == "binary" else step.finding.state_ids[0]
        state = answer(model, state, step.finding.id, truth.get(step.finding.id, default))
    assert isinstance(step, Stop)
    assert len(state.asked) <= 10
