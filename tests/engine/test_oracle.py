"""The numpy engine must agree with pgmpy's exact variable elimination on the same network."""

from __future__ import annotations

import random

import numpy as np
import pytest

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.inference import posterior
from twitchcheck.engine.model import Model, compile_model
from twitchcheck.knowledge import KnowledgeBase

pgmpy_models = pytest.importorskip("pgmpy.models")
from pgmpy.factors.discrete import TabularCPD  # noqa: E402
from pgmpy.inference import VariableElimination  # noqa: E402


def _pgmpy_network(model: Model) -> tuple[object, list[str]]:
    kb = model.kb
    findings = list(kb.findings.values())
    network = pgmpy_models.DiscreteBayesianNetwork([("Dx", f.id) for f in findings])
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
    network.add_cpds(*cpds)
    network.check_model()
    return network, list(model.rows)


def _random_evidence(kb: KnowledgeBase, rng: random.Random) -> list[Observation]:
    findings = rng.sample(list(kb.findings.values()), k=rng.randint(0, min(12, len(kb.findings))))
    return [Observation(f.id, rng.choice(f.state_ids)) for f in findings]


@pytest.mark.parametrize("which", ["mini_kb", "kb"])
def test_posteriors_agree_with_pgmpy(which: str, request: pytest.FixtureRequest) -> None:
    kb: KnowledgeBase = request.getfixturevalue(which)
    model = compile_model(kb)
    network, rows = _pgmpy_network(model)
    engine = VariableElimination(network)
    rng = random.Random(20261125)
    for _ in range(200):
        observations = _random_evidence(kb, rng)
        ours = posterior(model, observations)
        result = engine.query(
            ["Dx"], evidence={o.finding: o.state for o in observations}, show_progress=False
        )
        theirs = np.array([result.get_value(Dx=row) for row in rows])
        np.testing.assert_allclose(ours, theirs, atol=1e-9, rtol=0)
