"""Exact posterior over mutually exclusive causes (plus the leak)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.model import FloatArray, Model

BoolArray = npt.NDArray[np.bool_]


def evidence_columns(model: Model, observations: Sequence[Observation]) -> list[int]:
    return [model.column(o.finding, o.state) for o in observations]


def weighed(model: Model, observations: Sequence[Observation]) -> tuple[Observation, ...]:
    """The observations the causes are weighed on: a finding that another present finding accounts for
    (``Finding.explained_by``: hands cramping while over-breathing) is left to the red flags."""
    present = {o.finding for o in observations if o.state == "present"}
    findings = model.kb.findings
    return tuple(
        o
        for o in observations
        if o.state != "present" or not present.intersection(findings[o.finding].explained_by)
    )


def gate_open(model: Model, columns: Sequence[int]) -> BoolArray:
    """Per row: True unless it has an exposure gate and no evidence column opens it."""
    result: BoolArray = model.gate[:, list(columns)].any(axis=1) | (model.log_unexposed == 0.0)
    return result


def reopen_factor(model: Model, columns: Sequence[int], candidates: Sequence[int]) -> FloatArray:
    """(rows, candidates): how a hypothetical answer multiplies each cause's weight through the gates.

    An answer in a column that opens a gate still closed under ``columns`` removes that cause's
    unexposed factor (times 1 / factor); every other answer leaves the weight as it is (times 1).
    """
    closed = ~gate_open(model, columns)
    opens = model.gate[:, list(candidates)] & closed[:, None]
    result: FloatArray = np.where(opens, np.exp(-model.log_unexposed)[:, None], 1.0)
    return result


def log_evidence(model: Model, columns: Sequence[int]) -> FloatArray:
    """log P(evidence | cause) per row: the evidence columns' log-likelihoods, plus log(unexposed factor)
    for a cause whose exposure gate no evidence opens. Unknown findings are simply absent."""
    cols = list(columns)
    result: FloatArray = model.log_lik[:, cols].sum(axis=1)
    result += np.where(model.gate[:, cols].any(axis=1), 0.0, model.log_unexposed)
    return result


def posterior_from_columns(model: Model, columns: Sequence[int]) -> FloatArray:
    """P(cause | evidence) by Bayes' rule in log space (see :func:`log_evidence`)."""
    log_joint = model.log_prior + log_evidence(model, columns)
    log_joint -= log_joint.max()
    weights = np.exp(log_joint)
    result: FloatArray = weights / weights.sum()
    return result


def posterior(model: Model, observations: Sequence[Observation]) -> FloatArray:
    return posterior_from_columns(model, evidence_columns(model, weighed(model, observations)))
