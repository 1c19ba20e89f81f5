"""Compile the knowledge base into dense numpy tables for exact naive-Bayes inference.

Rows are the conditions followed by the "other cause" leak; columns are every
(finding, state) pair. A binary finding is a two-state finding (present, absent).

Exposure gates: a condition caused by an exposure (a medicine, an injury) may name the yes/no findings
that show it (``requires_any``). While none of them is present in the evidence, its likelihood is
multiplied by its ``unexposed_factor`` (the chance that someone with the condition would not mention the
exposure). ``gate`` marks, per row, the "present" columns that open its gate; ``log_unexposed`` holds
log(factor) for gated rows and 0 for the rest.

Known diagnoses: a condition's care level may be lower when its diagnosis is already known and managed
(``care.known``: known multiple sclerosis with its usual spasms is a routine matter); ``care_levels`` gives
each row's level for the evidence at hand, and the posterior-mass triage rule uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from twitchcheck.knowledge import CACHED_BASES, KnowledgeBase
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
    known_column: npt.NDArray[np.int64]  # (rows,): "present" column of the known-diagnosis finding, or -1
    known_care: npt.NDArray[np.int64]  # (rows,): care level when that finding is present
    gate: npt.NDArray[np.bool_]  # (rows, columns): the column opens the row's exposure gate
    log_unexposed: FloatArray  # (rows,): log(unexposed_factor) of a gated row, 0 otherwise
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

    def care_levels(self, columns: Sequence[int]) -> npt.NDArray[np.int64]:
        """Each row's care level given the evidence columns (a known diagnosis lowers it as declared)."""
        if not (self.known_column >= 0).any():
            return self.care
        known = np.isin(self.known_column, list(columns))
        result: npt.NDArray[np.int64] = np.where(known, self.known_care, self.care)
        return result

    def mass_masks(
        self, care: npt.NDArray[np.int64]
    ) -> tuple[tuple[Level, npt.NDArray[np.bool_], float], ...]:
        """``mass_thresholds`` for the given per-row care levels."""
        if care is self.care:
            return self.mass_thresholds
        return tuple((level, care >= level, threshold) for level, _, threshold in self.mass_thresholds)


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


@lru_cache(maxsize=CACHED_BASES)
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
    known_column = np.full(len(rows), -1, dtype=np.int64)
    known_care = care.copy()
    for r, condition in enumerate(conditions):
        if condition.care.known is not None:
            known_column[r] = columns[(condition.care.known.finding, "present")]
            known_care[r] = Level.parse(condition.care.known.level)
    gate = np.zeros(lik.shape, dtype=bool)
    log_unexposed = np.zeros(len(rows))
    for r, condition in enumerate(conditions):
        if condition.unexposed_factor is not None:
            gate[r, [columns[(f, "present")] for f in condition.requires_any]] = True
            log_unexposed[r] = np.log(condition.unexposed_factor.value)
    # Likelihood ratio of each condition against "any other cause", weighted by the prior.
    mixture = prior @ lik
    rest = (mixture[None, :] - prior[:, None] * lik) / (1.0 - prior[:, None])
    for array in (prior, lik, care, known_column, known_care, gate, log_unexposed):
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
        known_column=known_column,
        known_care=known_care,
        gate=gate,
        log_unexposed=log_unexposed,
        columns=columns,
        conditions=tuple(conditions),
        labels={f.id: f.label for f in kb.findings.values()},
        red_flags=tuple((flag, required_findings(flag.when)) for flag in kb.red_flags),
        mass_thresholds=tuple(
            (Level.parse(t.level), care >= Level.parse(t.level), t.mass)
            for t in sorted(kb.policy.thresholds, key=lambda t: Level.parse(t.level), reverse=True)
        ),
    )
