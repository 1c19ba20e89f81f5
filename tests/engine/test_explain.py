"""Explanations: the JSON path and the factor objects agree, and both follow the model's ratios."""

from __future__ import annotations

import math

import pytest

from twitchcheck.engine.assessment import assess_observations
from twitchcheck.engine.evidence import from_answers
from twitchcheck.engine.explain import MAX_FACTORS, NEUTRAL
from twitchcheck.engine.model import compile_model
from twitchcheck.knowledge import KnowledgeBase

ANSWERS = {
    "fasciculations": "present",
    "loc_calf": "present",
    "twitch_duration": "weeks",
    "trigger_caffeine": "present",
    "weakness": "absent",
    "muscle_wasting": "absent",
    "cramps": "present",
    "fever": "absent",
}


def test_factor_json_matches_the_factors_and_the_model(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    observations = from_answers(kb, {f: s for f, s in ANSWERS.items() if f in kb.findings})
    result = assess_observations(model, observations)
    row_of = {cid: row for row, cid in enumerate(model.rows)}
    for item, data in zip(result.differential, result.to_json()["differential"], strict=True):
        assert data["supporting"] == [f.to_json() for f in item.supporting]
        assert data["opposing"] == [f.to_json() for f in item.opposing]
        ratios = {
            o.finding: math.exp(model.log_lr[row_of[item.condition], model.column(o.finding, o.state)])
            for o in observations
        }
        for factors, sign in ((item.supporting, 1), (item.opposing, -1)):
            assert len(factors) <= MAX_FACTORS
            logs = [sign * math.log(f.likelihood_ratio) for f in factors]
            assert logs == sorted(logs, reverse=True)
            assert all(value > NEUTRAL for value in logs)
            for f in factors:
                assert f.likelihood_ratio == pytest.approx(ratios[f.finding])
        shown = {f.finding for f in (*item.supporting, *item.opposing)}
        strong = [f for f, r in ratios.items() if abs(math.log(r)) > NEUTRAL]
        if len(strong) <= MAX_FACTORS:
            assert shown == set(strong)
