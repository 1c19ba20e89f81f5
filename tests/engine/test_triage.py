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
