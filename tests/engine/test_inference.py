from __future__ import annotations

import math

import numpy as np
import pytest

from twitchcheck.engine.evidence import EvidenceError, Observation, from_answers
from twitchcheck.engine.inference import posterior
from twitchcheck.engine.model import LEAK_ID, compile_model
from twitchcheck.knowledge import KnowledgeBase


def test_no_evidence_gives_the_prior(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    np.testing.assert_allclose(posterior(model, []), model.prior)
    assert model.rows[-1] == LEAK_ID
    assert math.isclose(model.prior.sum(), 1.0)


def test_posterior_matches_hand_computed_bayes(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    post = posterior(model, [Observation("weakness", "present")])
    # prior x P(weakness | cause): benign .7*.02, meningitis .01*.1 (base), motor .05*.95, other .24*.1
    joint = {"benign": 0.7 * 0.02, "meningitis": 0.01 * 0.1, "motor_neuron": 0.05 * 0.95, "other": 0.24 * 0.1}
    total = sum(joint.values())
    for cause, value in joint.items():
        assert post[model.rows.index(cause)] == pytest.approx(value / total, abs=1e-12)


def test_unknown_is_marginalised_not_absent(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    unknown = posterior(model, from_answers(mini_kb, {"weakness": "unknown"}))
    absent = posterior(model, from_answers(mini_kb, {"weakness": "absent"}))
    np.testing.assert_allclose(unknown, model.prior)
    assert not np.allclose(absent, model.prior)


def test_graded_state_uses_its_column(mini_kb: KnowledgeBase) -> None:
    model = compile_model(mini_kb)
    months = posterior(model, [Observation("twitch_duration", "months")])
    days = posterior(model, [Observation("twitch_duration", "days")])
    motor = model.rows.index("motor_neuron")
    assert months[motor] > model.prior[motor] > days[motor]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"no_such_finding": "present"}, "unknown finding id 'no_such_finding'"),
        ({"weakness": "sometimes"}, "has no state 'sometimes'"),
        ({"twitch_duration": "present"}, "has no state 'present'"),
        ({"no_such_finding": "unknown"}, "unknown finding id"),
    ],
)
def test_bad_evidence_is_a_clear_error(mini_kb: KnowledgeBase, answers: dict[str, str], message: str) -> None:
    with pytest.raises(EvidenceError, match=message):
        from_answers(mini_kb, answers)
