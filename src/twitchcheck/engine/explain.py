"""Why each cause ranks where it does: the observed findings with the largest likelihood ratios.

The likelihood ratio of a finding for a condition is P(finding | condition) over
P(finding | any other cause, weighted by the prior). One vectorised ranking serves
every condition; the factors (objects for views, or straight JSON for the API) are built
only for the conditions that are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.model import Model
from twitchcheck.knowledge import CACHED_BASES

MAX_FACTORS = 5
NEUTRAL = 0.05  # |log LR| below this (LR within ~5% of 1) is not worth showing


class Factor(NamedTuple):
    """One observed finding's pull on one cause. A named tuple: every assessment makes about 200
    of them, and a frozen dataclass takes four times as long to build."""

    finding: str
    label: str
    state: str
    likelihood_ratio: float
    span: str | None
    sources: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return factor_json(
            self.finding, self.label, self.state, round(self.likelihood_ratio, 3), self.span, self.sources
        )


def factor_json(
    finding: str, label: str, state: str, ratio: float, span: str | None, sources: tuple[str, ...]
) -> dict[str, Any]:
    """The JSON of one factor (``ratio`` already rounded to three decimals)."""
    return {
        "finding": finding,
        "label": label,
        "state": state,
        "likelihood_ratio": ratio,
        "span": span,
        "sources": list(sources),
    }


class Explainer:
    """Ranks the observed findings by log likelihood ratio for every condition at once.

    The ranking and the cut at ``NEUTRAL`` are numpy operations over all conditions together, and
    the ratios (exact and as shown) come from a table computed once per model; per condition only
    the few factors a view shows are built, as objects or straight as JSON.
    """

    def __init__(self, model: Model, observations: Sequence[Observation], columns: Sequence[int]) -> None:
        self._model = model
        self._observations = observations
        self._columns = list(columns)
        self._log_lr = model.log_lr[:, self._columns]
        self._order = np.argsort(-self._log_lr, axis=1, kind="stable")
        self._table = _ratio_table(model)

    @cached_property
    def _supporting(self) -> list[list[int]]:
        return self._shown(self._order[:, :MAX_FACTORS], 1.0)

    @cached_property
    def _opposing(self) -> list[list[int]]:
        return self._shown(self._order[:, ::-1][:, :MAX_FACTORS], -1.0)

    def _shown(self, picked: npt.NDArray[np.intp], sign: float) -> list[list[int]]:
        """Per condition, the picked observations past ``NEUTRAL`` in ``sign``'s direction."""
        keep = sign * np.take_along_axis(self._log_lr, picked, axis=1) > NEUTRAL
        return [
            [i for i, shown in zip(row, mask, strict=True) if shown]
            for row, mask in zip(picked.tolist(), keep.tolist(), strict=True)
        ]

    def _factor(self, row: int, i: int) -> Factor:
        obs = self._observations[i]
        label, sources = _described(self._model, row, obs.finding)
        ratio = self._table.ratios[row][self._columns[i]]
        return Factor(obs.finding, label, obs.state, ratio, obs.span, sources)

    def _json(self, row: int, i: int) -> dict[str, Any]:
        obs = self._observations[i]
        label, sources = _described(self._model, row, obs.finding)
        ratio = self._table.shown[row][self._columns[i]]
        return factor_json(obs.finding, label, obs.state, ratio, obs.span, sources)

    def supporting(self, row: int) -> list[Factor]:
        return [self._factor(row, i) for i in self._supporting[row]]

    def opposing(self, row: int) -> list[Factor]:
        return [self._factor(row, i) for i in self._opposing[row]]

    def supporting_json(self, row: int) -> list[dict[str, Any]]:
        """``[f.to_json() for f in self.supporting(row)]``, without building the factors."""
        return [self._json(row, i) for i in self._supporting[row]]

    def opposing_json(self, row: int) -> list[dict[str, Any]]:
        return [self._json(row, i) for i in self._opposing[row]]


class _RatioTable(NamedTuple):
    ratios: list[list[float]]  # likelihood ratio, condition row x (finding, state) column
    shown: list[list[float]]  # the same rounded as the JSON shows it


@lru_cache(maxsize=CACHED_BASES)
def _ratio_table(model: Model) -> _RatioTable:
    ratios = np.exp(model.log_lr).tolist()
    return _RatioTable(ratios, [[round(x, 3) for x in row] for row in ratios])


@lru_cache(maxsize=4096)
def _described(model: Model, row: int, finding_id: str) -> tuple[str, tuple[str, ...]]:
    """A finding's label and the sources of its likelihood for the condition in ``row``."""
    kb = model.kb
    entry = kb.likelihood(model.rows[row], finding_id)
    finding = kb.findings[finding_id]
    sources = entry.source if entry is not None else finding.base_rate_provenance.source
    return finding.label, tuple(sources)
