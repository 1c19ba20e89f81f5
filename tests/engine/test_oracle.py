"""The numpy engine must agree with pgmpy's exact variable elimination on the same network.

Exposure gates are extra factors: one yes/no node per gated condition, a child of Dx that is "closed"
with probability unexposed_factor under that condition and surely "closed" under every other cause. It is
observed "closed" when no finding that opens the gate is present, and left out (summed to 1) otherwise.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.inference import posterior, weighed
from twitchcheck.engine.model import Model, compile_model
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Condition

pgmpy_models = pytest.importorskip("pgmpy.models")
from pgmpy.factors.discrete import TabularCPD  # noqa: E402
from pgmpy.inference import VariableElimination  # noqa: E402


def _gate_node(condition: Condition) -> str:
    return f"gate__{condition.id}"


def _gated(model: Model) -> list[Condition]:
    return [c for c in model.conditions if c.unexposed_factor is not None]


def _pgmpy_network(model: Model) -> tuple[object, list[str]]:
    kb = model.kb
    findings = list(kb.findings.values())
    gated = _gated(model)
    network = pgmpy_models.DiscreteBayesianNetwork(
        [("Dx", f.id) for f in findings] + [("Dx", _gate_node(c)) for c in gated]
    )
    cpds = [
        TabularCPD("Dx", len(model.rows), model.prior.reshape(-1, 1), state_names={"Dx": list(model.rows)})
    ]
    for finding in findings:
        states = finding.state_ids
        cols = [model.column(finding.id, s) for s in states]
        table = model.lik[:, cols].T  # states x causes
        cpds.append(
            TabularCPD(
                finding.id,
                len(states),
                table,
                evidence=["Dx"],
                evidence_card=[len(model.rows)],
                state_names={finding.id: states, "Dx": list(model.rows)},
            )
        )
    for condition in gated:
        assert condition.unexposed_factor is not None
        closed = np.array(
            [condition.unexposed_factor.value if row == condition.id else 1.0 for row in model.rows]
        )
        cpds.append(
            TabularCPD(
                _gate_node(condition),
                2,
                np.vstack([closed, 1.0 - closed]),
                evidence=["Dx"],
                evidence_card=[len(model.rows)],
                state_names={_gate_node(condition): ["closed", "open"], "Dx": list(model.rows)},
            )
        )
    network.add_cpds(*cpds)
    network.check_model()
    return network, list(model.rows)


def _random_evidence(kb: KnowledgeBase, rng: random.Random) -> list[Observation]:
    findings = rng.sample(list(kb.findings.values()), k=rng.randint(0, min(12, len(kb.findings))))
    observations = [Observation(f.id, rng.choice(f.state_ids)) for f in findings]
    gates = [f for c in kb.conditions.values() for f in c.requires_any]
    if gates and rng.random() < 0.3:  # open a gate often enough to test both branches
        opener = rng.choice(gates)
        observations = [o for o in observations if o.finding != opener] + [Observation(opener, "present")]
    return observations


def _gate_evidence(model: Model, observations: list[Observation]) -> dict[str, str]:
    present = {o.finding for o in observations if o.state == "present"}
    return {_gate_node(c): "closed" for c in _gated(model) if present.isdisjoint(c.requires_any)}


@pytest.mark.parametrize("which", ["mini_kb", "gated_mini_kb", "kb"])
def test_posteriors_agree_with_pgmpy(which: str, request: pytest.FixtureRequest) -> None:
    kb: KnowledgeBase = request.getfixturevalue(which)
    model = compile_model(kb)
    network, rows = _pgmpy_network(model)
    engine = VariableElimination(network)
    rng = random.Random(20261125)
    for _ in range(200):
        observations = _random_evidence(kb, rng)
        ours = posterior(model, observations)
        # a finding another present finding accounts for is no evidence (Finding.explained_by)
        kept = weighed(model, observations)
        evidence = {o.finding: o.state for o in kept} | _gate_evidence(model, list(kept))
        result = engine.query(["Dx"], evidence=evidence, show_progress=False)
        theirs = np.array([result.get_value(Dx=row) for row in rows])
        np.testing.assert_allclose(ours, theirs, atol=1e-9, rtol=0)
