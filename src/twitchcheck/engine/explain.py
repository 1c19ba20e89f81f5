"""Why each cause ranks where it does: the observed findings with the largest likelihood ratios.

The likelihood ratio of a finding for a condition is P(finding | condition) over
P(finding | any other cause, weighted by the prior). One vectorised ranking serves
every condition; the factor objects are built only for the conditions a view reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.model import Model

MAX_FACTORS = 5
NEUTRAL = 0.05  # |log LR| below this (LR within ~5% of 1) is not worth showing


@dataclass(frozen=True, slots=True)
class Factor:
    finding: str
    label: str
    state: str
    likelihood_ratio: float
    span: str | None
    sources: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "finding": self.finding,
            "label": self.label,
            "state": self.state,
            "likelihood_ratio": round(self.likelihood_ratio, 3),
            "span": self.span,
            "sources": list(self.sources),
        }


class Explainer:
    """Ranks the observed findings by log likelihood ratio for every condition at once."""

    def __init__(self, model: Model, observations: Sequence[Observation], columns: Sequence[int]) -> None:
        self._model = model
        self._observations = observations
        self._log_lr = model.log_lr[:, list(columns)]
        self._order = np.argsort(-self._log_lr, axis=1, kind="stable")

    def _factor(self, row: int, i: int) -> Factor:
        obs = self._observations[i]
        model = self._model
        condition_id = model.rows[row]
        entry = model.kb.likelihood(condition_id, obs.finding)
        finding = model.kb.findings[obs.finding]
        sources = entry.source if entry is not None else finding.base_rate_provenance.source
        lr = float(np.exp(self._log_lr[row, i]))
        return Factor(obs.finding, finding.label, obs.state, lr, obs.span, tuple(sources))

    def supporting(self, row: int) -> list[Factor]:
        order = self._order[row, :MAX_FACTORS]
        return [self._factor(row, int(i)) for i in order if self._log_lr[row, i] > NEUTRAL]

    def opposing(self, row: int) -> list[Factor]:
        order = self._order[row, ::-1][:MAX_FACTORS]
        return [self._factor(row, int(i)) for i in order if self._log_lr[row, i] < -NEUTRAL]
