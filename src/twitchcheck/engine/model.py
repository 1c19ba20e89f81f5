"""Compile the knowledge base into dense numpy tables for exact naive-Bayes inference.

Rows are the conditions followed by the "other cause" leak; columns are every
(finding, state) pair. A binary finding is a two-state finding (present, absent).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.loader import required_findings
from twitchcheck.knowledge.schema import Condition, Finding, Level, RedFlag

LEAK_ID = "other"
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Model:
    kb: KnowledgeBase
    rows: tuple[str, ...]
    prior: FloatArray
    lik: FloatArray
    log_prior: FloatArray
    log_lik: FloatArray
    log_lr: FloatArray
    care: npt.NDArray[np.int64]
    columns: dict[tuple[str, str], int]
    conditions: tuple[Condition, ...]
    labels: dict[str, str]
    red_flags: tuple[tuple[RedFlag, frozenset[str] | None], ...]
    mass_thresholds: tuple[tuple[Level, npt.NDArray[np.bool_], float], ...]

    @property
    def n_conditions(self) -> int:
        return len(self.rows) - 1

    def column(self, finding_id: str, state: str) -> int:
        return self.columns[(finding_id, state)]


def _distribution(finding: Finding, p: float | None, states: dict[str, float] | None) -> list[float]:
    if finding.type == "binary":
        assert p is not None
        return [p, 1.0 - p]
    assert states is not None
    return [states[s] for s in finding.state_ids]


def _base(finding: Finding) -> list[float]:
    if isinstance(finding.base_rate, float):
        return _distribution(finding, finding.base_rate, None)
    return _distribution(finding, None, finding.base_rate)


@cache
def compile_model(kb: KnowledgeBase) -> Model:
    conditions = list(kb.conditions.values())
    rows = tuple([c.id for c in conditions] + [LEAK_ID])
    columns: dict[tuple[str, str], int] = {}
    blocks = []
    for finding in kb.findings.values():
        block = np.empty((len(rows), len(finding.state_ids)))
        for r, condition in enumerate(conditions):
            entry = kb.likelihood(condition.id, finding.id)
            block[r] = _base(finding) if entry is None else _distribution(finding, entry.p, entry.states)
        block[-1] = _base(finding)
        for state in finding.state_ids:
            columns[(finding.id, state)] = len(columns)
        blocks.append(block)
    lik = np.hstack(blocks)
    prior = np.array([c.prior.value for c in conditions] + [0.0])
    prior[-1] = 1.0 - prior.sum()
    care = np.array(
        [Level.parse(c.care.level) for c in conditions] + [Level.parse(kb.policy.leak_care)], dtype=np.int64
    )
    # Likelihood ratio of each condition against "any other cause", weighted by the prior.
    mixture = prior @ lik
    rest = (mixture[None, :] - prior[:, None] * lik) / (1.0 - prior[:, None])
    for array in (prior, lik):
        array.setflags(write=False)
    return Model(
        kb=kb,
        rows=rows,
        prior=prior,
        lik=lik,
        log_prior=np.log(prior),
        log_lik=np.log(lik),
        log_lr=np.log(lik) - np.log(rest),
        care=care,
        columns=columns,
        conditions=tuple(conditions),
        labels={f.id: f.label for f in kb.findings.values()},
        red_flags=tuple((flag, required_findings(flag.when)) for flag in kb.red_flags),
        mass_thresholds=tuple(
            (Level.parse(t.level), care >= Level.parse(t.level), t.mass)
            for t in sorted(kb.policy.thresholds, key=lambda t: Level.parse(t.level), reverse=True)
        ),
    )
