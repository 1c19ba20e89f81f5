"""Exact posterior over mutually exclusive causes (plus the leak)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.model import FloatArray, Model


def evidence_columns(model: Model, observations: Sequence[Observation]) -> list[int]:
    return [model.column(o.finding, o.state) for o in observations]


def posterior_from_columns(model: Model, columns: Sequence[int]) -> FloatArray:
    """P(cause | evidence) by Bayes' rule in log space; unknown findings are simply absent."""
    log_joint = model.log_prior + model.log_lik[:, list(columns)].sum(axis=1)
    log_joint -= log_joint.max()
    weights = np.exp(log_joint)
    result: FloatArray = weights / weights.sum()
    return result


def posterior(model: Model, observations: Sequence[Observation]) -> FloatArray:
    return posterior_from_columns(model, evidence_columns(model, observations))
