from __future__ import annotations

import numpy as np
import pytest

from twitchcheck.engine import interview
from twitchcheck.engine.interview import (
    InterviewState,
    Question,
    Stop,
    _answer_chances,
    _known,
    _overtaken,
    _posterior,
    _tables,
    answer,
    go_back,
    next_step,
    observations,
)
from twitchcheck.engine.model import compile_model
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.loader import iter_leaves
from twitchcheck.knowledge.schema import Level


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
    """Back pain with leg symptoms: ask about cauda equina (saddle area, bladder, bowel, both legs) first."""
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
    cauda_equina = {
        "saddle_numbness",
        "bladder_problems",
        "bowel_problems",
        "sexual_dysfunction",
        "both_legs",
    }
    step = next_step(model, state)
    assert isinstance(step, Question) and step.reason == "red_flag_screen"
    assert step.finding.id in cauda_equina and step.red_flag == "cauda_equina"
    state = answer(model, state, step.finding.id, "unknown")
    step = next_step(model, state)
    assert isinstance(step, Question) and step.finding.id in cauda_equina


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


def test_dont_know_answers_lower_the_chance_of_an_answer_by_kind(kb: KnowledgeBase) -> None:
    """Answers given count for their own kind; "don't know" counts against each kind by its likelihood."""
    model = compile_model(kb)
    seeded = {"age_band": "young_adult", "sex": "female", "loc_calf": "present"}
    fresh = InterviewState(seeded=seeded)
    post = _posterior(model, observations(fresh))
    no, yes = model.column("fever", "absent"), model.column("fever", "present")
    assert _answer_chances(model, fresh, post)[[no, yes]].tolist() == [1.0, 1.0]

    questions = ["fever", "tremor", "palpitations", "weakness", "cramps", "stiffness"]
    says_no = fresh
    shrugs = fresh
    for finding in questions:
        says_no = answer(model, says_no, finding, "absent")
        shrugs = answer(model, shrugs, finding, "unknown")
    assert _answer_chances(model, says_no, post)[[no, yes]].tolist() == [1.0, 1.0]
    chance_no, chance_yes = _answer_chances(model, shrugs, post)[[no, yes]]
    assert chance_no < 0.2  # six "don't know"s, mostly where "no" was the likely answer
    assert chance_no < chance_yes < 1.0


def test_regret_follows_the_triage_thresholds(kb: KnowledgeBase) -> None:
    """Under-triage to a level costs the odds at which the mass rule switches to it; over-triage costs 1 a
    level."""
    model = compile_model(kb)
    regret = _tables(model).regret
    thresholds = {level: t for level, _, t in model.mass_thresholds}
    assert np.all(np.diag(regret) == 0)
    for level in (Level.routine, Level.urgent, Level.emergency):
        t = thresholds[level]
        assert regret[level - 1, level] == pytest.approx((1 - t) / t)
        assert regret[level, level - 1] == 1.0
    assert regret[Level.self_care, Level.emergency] == pytest.approx(
        regret[Level.self_care, Level.urgent] + regret[Level.urgent, Level.emergency]
    )
    assert regret[Level.urgent, Level.emergency] > regret[Level.routine, Level.urgent] > 1.0


def test_real_kb_screens_an_emergency_the_story_has_raised(kb: KnowledgeBase) -> None:
    """Worsening pins and needles with cramps in an older woman raise low calcium: among the warning-sign
    screens asked before any other question is hands or feet locking in a claw (tetany, an emergency on its
    own). The story is routine by itself (an electrolyte cause needs a routine blood test), so the urgent
    screens it raises (weakness for motor neurone disease) are asked alongside it."""
    model = compile_model(kb)
    state = InterviewState(
        seeded={
            "age_band": "older",
            "sex": "female",
            "twitch_duration": "weeks",
            "numbness_tingling": "present",
            "progressive": "present",
            "cramps": "present",
        }
    )
    screens = []
    for _ in range(10):
        step = next_step(model, state)
        if not isinstance(step, Question) or step.reason != "red_flag_screen":
            break
        screens.append((step.finding.id, step.red_flag))
        state = interview.answer(model, state, step.finding.id, "unknown")
    assert ("tetany", "tetany") in screens


def test_keeps_asking_while_the_rest_of_the_interview_could_change_the_top_cause(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twitching for days after an inhaler, no weakness: no likely answer would change the self-care triage,
    but benign twitching leads only narrowly and medicine-pointing answers would change the leader."""
    model = compile_model(kb)
    seeded = {
        "age_band": "young_adult",
        "sex": "female",
        "drug_beta_agonist": "present",
        "trigger_exercise": "present",
        "weakness": "absent",
        "twitch_duration": "days",
    }
    state = InterviewState(seeded=seeded, ticked=[])  # the opening checklist already answered
    post = _posterior(model, observations(state))
    assert model.rows[int(np.argmax(post))] == "benign_fasciculations" and post.max() < interview.SETTLED_TOP
    flips = [
        finding
        for finding in ("tremor", "drug_new_or_changed", "palpitations")
        if np.argmax(_posterior(model, observations(answer(model, state, finding, "present"))))
        != np.argmax(post)
    ]
    assert flips  # a medicine-pointing answer would change the leader
    step = next_step(model, state)
    assert isinstance(step, Question) and step.reason == "information_gain"
    monkeypatch.setattr(interview, "SETTLED_TOP", post.max() - 0.01)  # now the leader counts as settled
    stop = next_step(model, state)
    assert isinstance(stop, Stop) and "settled" in stop.reason


def test_answers_that_each_move_little_keep_the_interview_going_together(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When no single question is worth its cost but the remaining questions together could still
    overturn an uncertain leader, the interview goes on; once that chance is judged small, it stops."""
    model = compile_model(kb)
    state = InterviewState(
        seeded={
            "age_band": "young_adult",
            "sex": "female",
            "loc_calf": "present",
            "fasciculations": "present",
        }
    )
    post = _posterior(model, observations(state))
    assert post.max() < interview.SETTLED_TOP
    monkeypatch.setattr(interview, "MIN_VALUE", 1e9)  # no single question is worth asking on its own
    step = next_step(model, state)
    assert isinstance(step, Question) and step.reason == "information_gain"
    monkeypatch.setattr(interview, "OVERTAKE", 1.0)  # nothing counts as likely enough to overturn it
    assert isinstance(next_step(model, state), Stop)


def test_chance_of_overtaking_grows_with_questions_and_answers(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    state = InterviewState(seeded={"age_band": "young_adult", "sex": "male", "loc_calf": "present"})
    post = _posterior(model, observations(state))
    askable = np.flatnonzero(_known(model, state, state.seeded).askable)
    full = np.ones(model.lik.shape[1])
    few, many = _overtaken(model, post, askable[:3], full), _overtaken(model, post, askable, full)
    assert 0.0 <= few < many <= 1.0 - post.max()
    # A person who can answer nothing cannot overturn anything; one who answers half the time, less often.
    assert _overtaken(model, post, askable, np.zeros_like(full)) == pytest.approx(0.0, abs=1e-6)
    assert _overtaken(model, post, askable, full / 2) < many
    # A leader far ahead is hard to overturn with a few questions.
    confident = InterviewState(
        seeded={**state.seeded, "trigger_caffeine": "present", "twitch_duration": "days"}
    )
    post2 = _posterior(model, observations(confident))
    assert post2.max() > post.max()
    assert _overtaken(model, post2, askable[:3], full) <= few + 1e-9


def test_lay_mode_asks_results_only_once_the_person_reports_one(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    tables = _tables(model)
    tsh = tables.finding_index["tsh"]
    plain = InterviewState(seeded={"age_band": "young_adult", "sex": "male", "loc_calf": "present"})
    assert not _known(model, plain, plain.seeded).askable[tsh]
    tested = InterviewState(seeded={**plain.seeded, "emg_denervation": "none"})
    assert _known(model, tested, tested.seeded).askable[tsh]
    clinician = plain.model_copy(update={"mode": "clinician"})
    assert _known(model, clinician, clinician.seeded).askable[tsh]


def test_stop_reasons_are_reported(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    everything = {f: mini_kb.findings[f].state_ids[0] for f in mini_kb.findings}
    stop = next_step(model, InterviewState(seeded=everything))
    assert isinstance(stop, Stop) and stop.reason


WEAKNESS_FOLLOW_UPS = {"weakness_progressive", "weakness_rapid", "weakness_one_side"}


def _run(model: object, state: InterviewState, reply: dict[str, str], steps: int = 25) -> list[str]:
    """Questions asked, answering from ``reply`` and "don't know" to the rest."""
    asked = []
    for _ in range(steps):
        step = next_step(model, state)  # type: ignore[arg-type]
        if not isinstance(step, Question):
            break
        asked.append(step.finding.id)
        state = answer(model, state, step.finding.id, reply.get(step.finding.id, "unknown"))  # type: ignore[arg-type]
    return asked


def test_premises_in_the_knowledge_base(kb: KnowledgeBase) -> None:
    """Every question whose wording takes another finding as given names it; 'the weakness' is weakness."""
    premised = {f.id: f.premise for f in kb.findings.values() if f.premise}
    assert {f: premised[f] for f in WEAKNESS_FOLLOW_UPS} == dict.fromkeys(WEAKNESS_FOLLOW_UPS, "weakness")
    assert premised["seizure_prolonged"] == "seizure"
    for finding, premise in premised.items():
        assert kb.findings[premise].type == "binary" and premise != finding


def test_no_follow_up_on_a_denied_premise(kb: KnowledgeBase) -> None:
    """After "no" to weakness, nothing is asked about that weakness (how fast, which side, getting worse),
    whether the "no" came in the text or as an answer; a "don't know" leaves the follow-ups open."""
    model = compile_model(kb)
    base = {"age_band": "older", "sex": "male", "loc_hand": "present", "fasciculations": "present"}
    said_no = _run(model, InterviewState(seeded={**base, "weakness": "absent"}), {})
    assert said_no and not WEAKNESS_FOLLOW_UPS & set(said_no)
    answered_no = _run(model, InterviewState(seeded=base), {"weakness": "absent"})
    assert "weakness" in answered_no
    assert not WEAKNESS_FOLLOW_UPS & set(answered_no[answered_no.index("weakness") :])
    shrugged = _run(model, InterviewState(seeded=base), {})
    assert "weakness" in shrugged and WEAKNESS_FOLLOW_UPS & set(shrugged)
    # ...and a doubtful warning sign whose premise was then denied is not asked either.
    doubtful = InterviewState(seeded={**base, "weakness": "absent"}, doubtful=["weakness_one_side"])
    assert "weakness_one_side" not in _run(model, doubtful, {})


FIRST_QUESTION_STORIES = [
    ("my arm twitches", 70),
    ("My arm has been twitching for a week", 45),
    ("my calf twitches", 70),
    ("my eyelid keeps twitching", 70),
    ("My hand has been twitching for 3 weeks", 25),
    ("twitching in my shoulder for 2 months", 45),
    ("stiff legs", 25),
    ("My tongue twitches", 45),
]


@pytest.mark.parametrize(("text", "age"), FIRST_QUESTION_STORIES)
def test_the_first_question_is_about_what_was_said(kb: KnowledgeBase, text: str, age: int) -> None:
    """When the text names something, the first question is about it: how long, how often, where else, or a
    warning sign whose rule includes what was said (a tongue that twitches: weakness, for motor neurone
    disease). A screen this puts off comes straight after, so none is lost."""
    from twitchcheck.pipeline import answer_interview, start_interview

    step = start_interview(text, age, "male", kb=kb)
    first = step.question
    assert first is not None
    finding = kb.findings[first.finding]
    said = {f for f, v in step.state.seeded.items() if v != "absent" and f not in ("age_band", "sex")}
    if first.reason == "red_flag_screen":
        flag = next(f for f in kb.red_flags if f.id == first.red_flag)
        assert said & {leaf["finding"] for leaf in iter_leaves(flag.when)}, (text, first)
    else:
        assert finding.category in ("course", "location") or finding.premise in said, (text, first)
    # The screens the old order asked first still come, right after.
    model = compile_model(kb)
    old_first = next_step(model, step.state.model_copy(update={"ticked": []}))
    second = answer_interview(step.state, first.finding, "unknown", kb=kb).question
    put_off = isinstance(old_first, Question) and old_first.reason == "red_flag_screen"
    if put_off and first.reason != "red_flag_screen":
        assert second is not None and second.reason == "red_flag_screen"


def test_an_arm_twitch_at_70_is_not_first_asked_about_breathing(kb: KnowledgeBase) -> None:
    """Issue 14: the first question for an arm twitch was breathlessness; it is now asked second."""
    from twitchcheck.pipeline import answer_interview, start_interview

    step = start_interview("my arm twitches", 70, "male", kb=kb)
    assert step.question is not None and step.question.finding != "breathless"
    assert kb.findings[step.question.finding].category in ("course", "location")
    second = answer_interview(step.state, step.question.finding, "unknown", kb=kb).question
    assert second is not None and (second.finding, second.reason) == ("breathless", "red_flag_screen")
