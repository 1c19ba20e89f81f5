"""Why each cause ranks where it does: the observed findings with the largest likelihood ratios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.model import Model

MAX_FACTORS = 5
NEUTRAL = 0.05  # |log LR| below this (LR within ~5% of 1) is not worth showing


@dataclass(frozen=True)
class Factor:
    finding: str
    state: str
    likelihood_ratio: float
    span: str | None
    sources: tuple[str, ...]


def _sources(model: Model, condition_id: str, finding_id: str) -> tuple[str, ...]:
    entry = model.kb.likelihood(condition_id, finding_id)
    if entry is not None:
        return tuple(entry.source)
    return tuple(model.kb.findings[finding_id].base_rate_provenance.source)


def factors(
    model: Model, row: int, observations: Sequence[Observation], columns: Sequence[int]
) -> tuple[list[Factor], list[Factor]]:
    """Supporting and opposing findings for one condition row, strongest first."""
    if not columns:
        return [], []
    log_lr = model.log_lr[row, list(columns)]
    order = np.argsort(-log_lr, kind="stable")
    condition_id = model.rows[row]

    def make(i: int) -> Factor:
        obs = observations[i]
        return Factor(
            obs.finding,
            obs.state,
            float(np.exp(log_lr[i])),
            obs.span,
            _sources(model, condition_id, obs.finding),
        )

    supporting = [make(i) for i in order[:MAX_FACTORS] if log_lr[i] > NEUTRAL]
    opposing = [make(i) for i in order[::-1][:MAX_FACTORS] if log_lr[i] < -NEUTRAL]
    return supporting, opposing
