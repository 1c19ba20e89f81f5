from __future__ import annotations

import pytest

from twitchcheck.engine.assessment import assess_observations
from twitchcheck.engine.evidence import Observation, from_answers
from twitchcheck.engine.inference import posterior
from twitchcheck.engine.model import compile_model
from twitchcheck.engine.triage import holds, mass_level
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Level


@pytest.mark.parametrize(
    ("expr", "states", "expected"),
    [
        ({"finding": "fever", "state": "present"}, {"fever": "present"}, True),
        ({"finding": "fever", "state": "present"}, {}, False),
        ({"finding": "fever", "state": "absent"}, {}, False),
        ({"not": {"finding": "fever", "state": "present"}}, {}, True),
        ({"finding": "d", "states": ["weeks", "months"]}, {"d": "months"}, True),
        (
            {"all": [{"finding": "a", "state": "present"}, {"finding": "b", "state": "present"}]},
            {"a": "present"},
            False,
        ),
        (
            {"any": [{"finding": "a", "state": "present"}, {"finding": "b", "state": "present"}]},
            {"b": "present"},
            True,
        ),
    ],
)
def test_rule_expressions(expr: dict[str, object], states: dict[str, str], expected: bool) -> None:
    assert holds(expr, states) is expected


def test_red_flag_lifts_triage_even_when_the_cause_is_unlikely(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    # Strong benign evidence, but fever with stiff neck is an emergency whatever the probabilities say.
    answers = {
        "fever": "present",
        "stiff_neck": "present",
        "trigger_caffeine": "present",
        "twitch_duration": "days",
        "fasciculations": "present",
    }
    result = assess_observations(model, from_answers(mini_kb, answers))
    assert result.triage.level == "emergency"
    assert [f.id for f in result.red_flags] == ["meningism"]
    assert result.triage.reasons[0] == "Fever with a stiff neck can be meningitis."


def test_mass_rule_uses_the_highest_level_whose_threshold_is_met(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    benign = [
        Observation("trigger_caffeine", "present"),
        Observation("twitch_duration", "days"),
        Observation("weakness", "absent"),
    ]
    rule = mass_level(model, posterior(model, benign))
    assert rule is None  # self-care mass dominates
    motor = [Observation("weakness", "present"), Observation("twitch_duration", "months")]
    rule = mass_level(model, posterior(model, motor))
    assert rule is not None and rule.level == Level.urgent and rule.mass >= rule.threshold
    assert rule.contributors[0][0] == "motor_neuron"


def test_assessment_json_contract(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    result = assess_observations(model, from_answers(mini_kb, {"weakness": "present"}), "case-1").to_json()
    assert set(result) >= {
        "id",
        "triage",
        "differential",
        "evidence",
        "red_flags",
        "next_steps",
        "disclaimer",
    }
    assert result["id"] == "case-1"
    assert set(result["triage"]) >= {"level", "reasons", "advice"}
    probs = [d["probability"] for d in result["differential"]]
    assert probs == sorted(probs, reverse=True)
    assert {d["condition"] for d in result["differential"]} == set(mini_kb.conditions)
    assert sum(probs) + result["other_cause_probability"] == pytest.approx(1.0)
    top = result["differential"][0]
    assert top["condition"] == "motor_neuron"
    assert top["supporting"][0]["finding"] == "weakness" and top["supporting"][0]["likelihood_ratio"] > 1
    benign = next(d for d in result["differential"] if d["condition"] == "benign")
    assert benign["opposing"][0]["finding"] == "weakness"
    assert result["evidence"] == [
        {
            "finding": "weakness",
            "label": "Muscle weakness",
            "state": "present",
            "span": None,
            "start": None,
            "end": None,
            "origin": "answer",
        }
    ]


# ---- emergency signs in the packaged base: prolonged seizure and non-blanching rash ----------------


PROLONGED = "prolonged_seizure"


def _flags(kb: KnowledgeBase, answers: dict[str, str]) -> tuple[str, list[str]]:
    result = assess_observations(compile_model(kb), from_answers(kb, answers))
    return result.triage.level, [f.id for f in result.red_flags]


@pytest.mark.parametrize(
    ("answers", "flag"),
    [
        # a prolonged seizure is an emergency even in known epilepsy
        ({"seizure_prolonged": "present"}, PROLONGED),
        ({"seizure_prolonged": "present", "seizure": "present", "hx_epilepsy": "present"}, PROLONGED),
        ({"seizure_prolonged": "present", "hx_epilepsy": "present", "twitch_duration": "years"}, PROLONGED),
        # a non-blanching rash is an emergency with or without fever
        ({"rash_nonblanching": "present"}, "non_blanching_rash"),
        ({"rash_nonblanching": "present", "fever": "present"}, "non_blanching_rash"),
        (
            {"rash_nonblanching": "present", "fasciculations": "present", "trigger_caffeine": "present"},
            "non_blanching_rash",
        ),
    ],
)
def test_new_emergency_signs_fire_on_their_own(kb: KnowledgeBase, answers: dict[str, str], flag: str) -> None:
    level, flags = _flags(kb, answers)
    assert level == "emergency"
    assert flag in flags


def test_usual_seizure_in_known_epilepsy_stays_urgent(kb: KnowledgeBase) -> None:
    answers = {"seizure": "present", "hx_epilepsy": "present", "seizure_prolonged": "absent"}
    level, flags = _flags(kb, answers)
    assert "prolonged_seizure" not in flags
    assert "seizure_in_known_epilepsy" in flags
    assert level == "urgent"


def test_non_blanching_rash_raises_cns_infection(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    base = {"fever": "present", "headache": "present"}
    row = model.rows.index("cns_infection")
    without = posterior(model, from_answers(kb, base))[row]
    with_rash = posterior(model, from_answers(kb, {**base, "rash_nonblanching": "present"}))[row]
    assert with_rash > without


@pytest.mark.parametrize("answers", [{"rash_nonblanching": "absent"}, {"seizure_prolonged": "absent"}, {}])
def test_absent_or_unknown_signs_do_not_fire(kb: KnowledgeBase, answers: dict[str, str]) -> None:
    _, flags = _flags(kb, {**answers, "fasciculations": "present", "loc_calf": "present"})
    assert "non_blanching_rash" not in flags and "prolonged_seizure" not in flags


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("My husband (45) has epilepsy and his fit lasted more than 5 minutes.", "prolonged_seizure"),
        ("I have epilepsy and had one seizure after another this morning.", "prolonged_seizure"),
        ("Known epilepsy, convulsive status epilepticus.", "prolonged_seizure"),
        (
            "My son (6) has a high temperature and a rash that is still visible under the glass.",
            "non_blanching_rash",
        ),
        ("Calf twitching for a week, and petechiae on both shins.", "non_blanching_rash"),
        ("I have a fever and a rash that doesn't fade when I press a glass on it.", "non_blanching_rash"),
        ("Known epilepsy. Witnessed seizure lasting 12 min in the waiting room.", "prolonged_seizure"),
    ],
)
def test_text_with_the_sign_fires_emergency(kb: KnowledgeBase, text: str, flag: str) -> None:
    from twitchcheck.text import extract

    level, flags = _flags(kb, extract(text, kb).as_evidence())
    assert level == "emergency"
    assert flag in flags


@pytest.mark.parametrize(
    "text",
    [
        "I have epilepsy but I've never had status epilepticus; my eyelid has been twitching.",
        "My aunt died of status epilepticus; I get twitches in my calves.",
        "No history of prolonged seizures, calf twitching for 3 months.",
        "No petechiae or purpura, just an eyelid twitch for a few days.",
        "My cousin had meningococcal sepsis with purple spots as a baby; I've had calf twitching for a week.",
        "Worried about meningitis but there are no purple spots and no stiff neck, just a twitchy eyelid.",
        "Could a purple rash be meningitis? My eyelid twitches.",
    ],
)
def test_negated_or_someone_elses_sign_does_not_fire(kb: KnowledgeBase, text: str) -> None:
    from twitchcheck.text import extract

    level, flags = _flags(kb, extract(text, kb).as_evidence())
    assert "non_blanching_rash" not in flags and "prolonged_seizure" not in flags
    assert level != "emergency"
