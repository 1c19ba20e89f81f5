"""Open warning rules: a sign in ``opens_on`` with the rest of its rule unknown is asked, never dropped."""

from __future__ import annotations

import pytest

from twitchcheck.engine.assessment import assess_observations
from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.model import compile_model
from twitchcheck.engine.triage import open_red_flags, positive_leaves, settled
from twitchcheck.knowledge import load_kb
from twitchcheck.knowledge.schema import Level

KB = load_kb()
MODEL = compile_model(KB)
OPENING = [(flag.id, anchor) for flag in KB.red_flags for anchor in flag.opens_on]


def test_some_rules_open() -> None:
    assert len(OPENING) >= 8


@pytest.mark.parametrize(("rule", "anchor"), OPENING)
def test_sign_alone_opens_its_rule_and_asks_what_would_complete_it(rule: str, anchor: str) -> None:
    sign = Observation(anchor, "present", "text", "the words", 0, 9)
    result = assess_observations(MODEL, [sign])
    if any(f.id == rule for f in result.red_flags):
        pytest.skip(f"{anchor} alone already fires {rule}")
    opened = [p for p in result.possible_red_flags if p.rule == rule]
    assert opened, f"{anchor} alone does not open {rule}"
    assert Level.parse(result.triage.level) >= Level.urgent
    asked = opened[0]
    assert asked.sign and asked.span == "the words" and asked.question == KB.findings[asked.finding].question
    # Confirming the asked finding (in the state the rule wants) fires the rule.
    flag = next(f for f in KB.red_flags if f.id == rule)
    wanted = next(leaf for leaf in positive_leaves(flag.when) if leaf["finding"] == asked.finding)
    state = (wanted.get("states") or [wanted["state"]])[0]
    confirmed = assess_observations(MODEL, [sign, Observation(asked.finding, state)])
    assert rule in {f.id for f in confirmed.red_flags}


def test_a_decided_rule_is_not_open() -> None:
    """Dark urine after no unusual exercise, with no aching or weakness: nothing left to ask for that rule."""
    obs = [
        Observation(f, s)
        for f, s in {
            "dark_urine": "present",
            "extreme_exercise": "absent",
            "ck": "normal",
            "muscle_pain": "absent",
        }.items()
    ]
    assert not [o for o in open_red_flags(MODEL, obs) if o.flag.id == "rhabdomyolysis"]


def test_dark_urine_alone_asks_about_exercise_first() -> None:
    result = assess_observations(
        MODEL, [Observation("dark_urine", "present", "text", "pee like cola", 3, 16)]
    )
    first = next(p for p in result.possible_red_flags if p.rule == "rhabdomyolysis")
    assert first.finding == "extreme_exercise"
    assert any("cola" in r or "urine" in r.lower() for r in result.triage.reasons)


def test_three_valued_logic() -> None:
    rule = {"all": [{"finding": "a", "state": "present"}, {"not": {"finding": "b", "state": "present"}}]}
    assert settled(rule, {}) is None
    assert settled(rule, {"a": "absent"}) is False
    assert settled(rule, {"a": "present", "b": "absent"}) is True
    assert settled(rule, {"a": "present"}) is None
    either = {"any": [{"finding": "a", "state": "present"}, {"finding": "b", "state": "present"}]}
    assert settled(either, {"b": "present"}) is True
    assert settled(either, {"a": "absent", "b": "absent"}) is False
