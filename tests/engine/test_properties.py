"""Invariants of the engine, checked by hypothesis on random evidence over the mini and real bases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitchcheck.engine.assessment import assess_observations
from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.inference import posterior
from twitchcheck.engine.model import compile_model
from twitchcheck.engine.triage import decide, fired_red_flags
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Level

KBS = ["mini_kb", "kb"]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def evidence(draw: st.DrawFn, kb: KnowledgeBase) -> list[Observation]:
    ids = draw(st.lists(st.sampled_from(sorted(kb.findings)), unique=True, max_size=20))
    return [Observation(f, draw(st.sampled_from(kb.findings[f].state_ids))) for f in ids]


@pytest.mark.parametrize("which", KBS)
def test_posterior_is_a_distribution(which: str, request: pytest.FixtureRequest) -> None:
    kb: KnowledgeBase = request.getfixturevalue(which)
    model = compile_model(kb)

    @SETTINGS
    @given(evidence(kb))
    def check(observations: list[Observation]) -> None:
        post = posterior(model, observations)
        assert math.isclose(post.sum(), 1.0, abs_tol=1e-12)
        assert np.all(post >= 0)

    check()


@pytest.mark.parametrize("which", KBS)
def test_evidence_moves_odds_in_the_direction_of_its_likelihood_ratio(
    which: str, request: pytest.FixtureRequest
) -> None:
    kb: KnowledgeBase = request.getfixturevalue(which)
    model = compile_model(kb)

    @SETTINGS
    @given(evidence(kb), st.data())
    def check(observations: list[Observation], data: st.DataObject) -> None:
        known = {o.finding for o in observations}
        free = sorted(set(kb.findings) - known)
        if not free:
            return
        finding = data.draw(st.sampled_from(free))
        state = data.draw(st.sampled_from(kb.findings[finding].state_ids))
        col = model.column(finding, state)
        before = posterior(model, observations)
        after = posterior(model, [*observations, Observation(finding, state)])
        a, b = data.draw(st.lists(st.integers(0, len(model.rows) - 1), min_size=2, max_size=2, unique=True))
        if model.lik[a, col] > model.lik[b, col]:
            assert after[a] / after[b] >= before[a] / before[b] * (1 - 1e-12)

    check()


@pytest.mark.parametrize("which", KBS)
def test_red_flags_always_hold_the_floor(which: str, request: pytest.FixtureRequest) -> None:
    kb: KnowledgeBase = request.getfixturevalue(which)
    model = compile_model(kb)

    @SETTINGS
    @given(evidence(kb))
    def check(observations: list[Observation]) -> None:
        decision = decide(model, posterior(model, observations), observations)
        for flag in fired_red_flags(model, observations):
            assert decision.level >= Level.parse(flag.level)
        result = assess_observations(model, observations)
        # An open warning rule (a sign said, the rest unknown) holds triage at least at urgent.
        floor = max(decision.level, Level.urgent) if result.possible_red_flags else decision.level
        assert Level.parse(result.triage.level) == floor
        assert result.triage.safety_net and result.disclaimer

    check()
