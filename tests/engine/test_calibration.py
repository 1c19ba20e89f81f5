"""Triage calibrated to care needed (issue 12): exercise, tongue, care levels, exposure gates, BFS duration,
short-lived triggered twitching, and the engine mechanics behind them (gates, known diagnoses)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from twitchcheck import assess
from twitchcheck.engine.evidence import Observation, from_answers
from twitchcheck.engine.inference import evidence_columns, gate_open, posterior, reopen_factor
from twitchcheck.engine.interview import InterviewState, next_step
from twitchcheck.engine.model import Model, compile_model
from twitchcheck.engine.triage import decide
from twitchcheck.knowledge import KnowledgeBase, KnowledgeError, load_kb
from twitchcheck.knowledge.schema import Level

MINI_KB = Path(__file__).resolve().parents[1] / "data" / "mini_kb"


def _p(model: Model, condition: str, finding: str, state: str = "present") -> float:
    return float(model.lik[model.rows.index(condition), model.column(finding, state)])


def _lr(model: Model, condition: str, finding: str, state: str = "present") -> float:
    return math.exp(float(model.log_lr[model.rows.index(condition), model.column(finding, state)]))


def _post(model: Model, answers: dict[str, str]) -> dict[str, float]:
    post = posterior(model, from_answers(model.kb, answers))
    return dict(zip(model.rows, post.tolist(), strict=True))


def _level(model: Model, answers: dict[str, str]) -> Level:
    obs = from_answers(model.kb, answers)
    return decide(model, posterior(model, obs), obs).level


# 1. Exercise: "started after" is the textbook benign trigger; "worse after" marks the long-lasting kinds.


def test_twitching_that_starts_after_exercise_favours_ordinary_benign_twitching(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    benign = _p(model, "benign_fasciculations", "trigger_exercise")
    for other in (
        "benign_fasciculation_syndrome",
        "cramp_fasciculation_syndrome",
        "isaacs_syndrome",
        "myopathy",
    ):
        assert benign > _p(model, other, "trigger_exercise"), other
    # ...while twitching that is worse after exercise favours the long-lasting syndromes.
    for chronic in ("benign_fasciculation_syndrome", "cramp_fasciculation_syndrome"):
        assert _p(model, chronic, "worse_after_exercise") > _p(
            model, "benign_fasciculations", "worse_after_exercise"
        )
    started = _post(
        model, {"fasciculations": "present", "loc_calf": "present", "trigger_exercise": "present"}
    )
    assert started["benign_fasciculations"] > 2 * started["benign_fasciculation_syndrome"]
    assert started["benign_fasciculations"] > 5 * started["cramp_fasciculation_syndrome"]


def test_worse_after_exercise_is_read_from_text(kb: KnowledgeBase) -> None:
    result = assess("for two years my calves cramp and twitch, it gets worse after exercise", kb=kb)
    found = {o.finding: o.state for o in result.observations}
    assert found.get("worse_after_exercise") == "present"


# 2. Tongue twitching is a motor neurone disease warning sign, never evidence for BFS.


def test_tongue_twitching_is_not_evidence_for_bfs(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    bfs = _p(model, "benign_fasciculation_syndrome", "loc_tongue")
    base = kb.findings["loc_tongue"].base_rate
    assert isinstance(base, float) and bfs <= base
    assert _lr(model, "benign_fasciculation_syndrome", "loc_tongue") < 1.5
    for bulbar in ("als", "kennedy_disease", "progressive_muscular_atrophy"):
        assert _p(model, bulbar, "loc_tongue") >= 5 * bfs, bulbar
    # The strongest supporting finding of BFS is no longer the tongue.
    row = model.rows.index("benign_fasciculation_syndrome")
    strongest = max(model.columns, key=lambda col: model.log_lr[row, model.columns[col]])
    assert strongest != ("loc_tongue", "present")


# 3. Care levels match the care needed.


def test_known_stable_ms_with_usual_spasms_is_routine(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    ms = kb.conditions["multiple_sclerosis"]
    assert ms.care.known is not None and ms.care.known.finding == "hx_ms" and ms.care.known.level == "routine"
    known = {"hx_ms": "present", "spasms": "present", "stiffness": "present", "twitch_duration": "years"}
    assert _post(model, known)["multiple_sclerosis"] > 0.9
    assert _level(model, known) == Level.routine
    result = assess(evidence=known, kb=kb)
    item = next(d for d in result.differential if d.condition == "multiple_sclerosis")
    assert item.care == "routine"  # the differential shows the care this evidence needs
    # A relapse in known MS is still urgent, through the red-flag rules.
    relapse = {**known, "twitch_duration": "days", "weakness": "present", "poor_balance": "present"}
    assert _level(model, relapse) >= Level.urgent


def test_electrolyte_and_long_term_ppi_cramps_are_routine_without_severe_signs(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    assert kb.conditions["electrolyte_imbalance"].care.level == "routine"
    ppi = {
        "drug_ppi_long_term": "present",
        "cramps": "present",
        "twitch_duration": "months",
        "age_band": "older",
    }
    assert _level(model, ppi) <= Level.routine
    # Severe signs still escalate through red flags.
    severe = {**ppi, "potassium": "very_low"}
    assert _level(model, severe) == Level.emergency


# 4. Exposure gates.


def test_medication_induced_gets_little_mass_when_no_drug_is_named(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    plain = {
        "fasciculations": "present",
        "loc_calf": "present",
        "loc_arm": "present",
        "twitch_duration": "days",
    }
    assert _post(model, plain)["medication_induced"] < 0.06
    # Even a story that fits a medicine well (shaky, racing heart) leaves it behind until a drug is named.
    story = {**plain, "tremor": "present", "palpitations": "present", "twitch_spread": "several_sites"}
    unnamed = _post(model, story)
    named = _post(model, {**story, "drug_beta_agonist": "present"})["medication_induced"]
    assert unnamed["medication_induced"] < 0.15 and named > 0.6
    assert max(unnamed, key=unnamed.__getitem__) != "medication_induced"
    # Denying a drug keeps the gate closed (and the likelihood of 'absent' lowers it further).
    denied = _post(model, {**story, "drug_new_or_changed": "absent"})
    assert denied["medication_induced"] < unnamed["medication_induced"]
    text = assess("my calves and arms keep twitching, no weakness", kb=kb)
    assert next(d.probability for d in text.differential if d.condition == "medication_induced") < 0.06


def test_serotonin_syndrome_needs_a_recent_change_to_take_the_lead(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    steady = {"serotonergic_drug": "present", "fever": "present", "fasciculations": "present"}
    changed = {**steady, "serotonergic_recent_change": "present"}
    assert _post(model, steady)["serotonin_syndrome"] < 0.1
    assert _post(model, changed)["serotonin_syndrome"] > 3 * _post(model, steady)["serotonin_syndrome"]


def test_every_gate_is_sourced_and_names_yes_no_findings(kb: KnowledgeBase) -> None:
    gated = [c for c in kb.conditions.values() if c.requires_any]
    assert {"medication_induced", "serotonin_syndrome"} <= {c.id for c in gated}
    for condition in gated:
        factor = condition.unexposed_factor
        assert factor is not None and 0 < factor.value < 1 and factor.source and len(factor.note) > 20
        for finding_id in condition.requires_any:
            assert kb.findings[finding_id].type == "binary"


def test_gate_multiplies_the_likelihood_exactly(gated_mini_kb: KnowledgeBase) -> None:
    model = compile_model(gated_mini_kb)
    benign = model.rows.index("benign")
    for answers, factor in (
        ({}, 0.2),
        ({"weakness": "present"}, 0.2),
        ({"trigger_caffeine": "absent"}, 0.2),
        ({"trigger_caffeine": "present"}, 1.0),
    ):
        obs = from_answers(gated_mini_kb, answers)
        cols = evidence_columns(model, obs)
        joint = model.prior * np.prod(model.lik[:, cols], axis=1)
        joint[benign] *= factor
        np.testing.assert_allclose(posterior(model, obs), joint / joint.sum(), rtol=0, atol=1e-12)
        assert bool(gate_open(model, cols)[benign]) == (factor == 1.0)


def test_interview_lookahead_matches_the_posterior_after_each_answer(gated_mini_kb: KnowledgeBase) -> None:
    model = compile_model(gated_mini_kb)
    obs = from_answers(gated_mini_kb, {"fasciculations": "present"})
    cols = evidence_columns(model, obs)
    post = posterior(model, obs)
    candidates = list(range(model.lik.shape[1]))
    lifted = post[:, None] * model.lik[:, candidates] * reopen_factor(model, cols, candidates)
    lifted /= lifted.sum(axis=0)
    for (finding, state), col in model.columns.items():
        if finding == "fasciculations":
            continue
        after = posterior(model, [*obs, Observation(finding, state)])
        np.testing.assert_allclose(lifted[:, col], after, rtol=0, atol=1e-12)


def test_the_interview_asks_about_medicines_when_a_gated_cause_could_matter(kb: KnowledgeBase) -> None:
    """The gate is lifted in the question value, so a drug question can still be worth asking."""
    model = compile_model(kb)
    state = InterviewState(
        seeded={"fasciculations": "present", "tremor": "present", "age_band": "young_adult", "sex": "female"},
        ticked=[],
    )
    asked: list[str] = []
    for _ in range(12):
        step = next_step(model, state)
        if not hasattr(step, "finding"):
            break
        asked.append(step.finding.id)
        state = state.model_copy(update={"answers": {**state.answers, step.finding.id: "unknown"}})
    drugs = set(kb.conditions["medication_induced"].requires_any)
    assert drugs & set(asked), asked


def test_gate_schema_and_loader_errors(tmp_path: Path) -> None:
    def variant(extra: str) -> Path:
        root = tmp_path / str(abs(hash(extra)))
        shutil.copytree(MINI_KB, root)
        path = root / "conditions" / "benign.yaml"
        path.write_text(path.read_text() + extra)
        return root

    with pytest.raises(KnowledgeError, match="give both or neither"):
        load_kb(variant("requires_any: [trigger_caffeine]\n"))
    factor = "unexposed_factor: {value: 0.2, basis: estimate, source: [test_source], note: synthetic}\n"
    with pytest.raises(KnowledgeError, match="unknown finding id 'no_such'"):
        load_kb(variant("requires_any: [no_such]\n" + factor))
    with pytest.raises(KnowledgeError, match="must be a yes/no finding"):
        load_kb(variant("requires_any: [twitch_duration]\n" + factor))
    with pytest.raises(KnowledgeError, match="unknown source id"):
        load_kb(variant("requires_any: [trigger_caffeine]\n" + factor.replace("test_source", "nope")))


# 5. BFS is persistent by definition: weeks of twitching is not BFS.


def test_three_weeks_of_twitching_is_not_bfs(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    bfs = kb.conditions["benign_fasciculation_syndrome"].likelihoods["twitch_duration"].states
    assert bfs is not None and bfs["days"] + bfs["weeks"] <= 0.1
    assert _p(model, "benign_fasciculation_syndrome", "twitch_duration", "weeks") < _p(
        model, "benign_fasciculations", "twitch_duration", "weeks"
    )
    weeks = {"fasciculations": "present", "twitch_spread": "several_sites", "twitch_duration": "weeks"}
    post = _post(model, weeks)
    assert post["benign_fasciculations"] > post["benign_fasciculation_syndrome"]
    months = _post(model, {**weeks, "twitch_duration": "months"})
    assert months["benign_fasciculation_syndrome"] > months["benign_fasciculations"]


# 6. Short-lived trigger-linked twitching with no warning sign is self-care.


@pytest.mark.parametrize(
    "text",
    [
        "calf twitching since my run 2 days ago, no weakness",
        "my thigh keeps twitching after a hard leg day at the gym yesterday",
        "My GP gave me a salbutamol inhaler 3 days ago and now my arms keep twitching, no weakness",
        "started a new inhaler last week and my legs twitch, no weakness",
        "exams this week, lots of coffee, my eyelid keeps twitching for 4 days",
    ],
)
def test_short_lived_triggered_twitching_is_self_care(kb: KnowledgeBase, text: str) -> None:
    result = assess(text, kb=kb)
    assert result.triage.level == "self_care", (text, result.triage.reasons)
    assert result.differential[0].condition in {"benign_fasciculations", "medication_induced"}
