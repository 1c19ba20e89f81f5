"""Is the posterior calibrated? One global tempering, fitted on the blind development texts.

Two one-number families are fitted (``docs/calibration.md`` has the figures and the decision):

* evidence exponent ``a``: P(cause | evidence) ~ P(cause) x P(evidence | cause) ** a. Below 1 the evidence is
  trusted less (naive Bayes counting correlated findings twice makes it over-confident), above 1 more.
* temperature ``T``: P(cause | evidence) ~ (P(cause) x P(evidence | cause)) ** (1 / T); keeps the ranking.

Each is fitted by minimising the log-loss (the Brier score is reported beside it) on the blind development
texts only (``tests/data/blind/dev-*.jsonl``; a sealed batch is never read), twice: with the writers' own
findings (the knowledge base's error alone) and with the findings read from the text (reading error too).

Case mix: the blind texts were written to cover every condition, so rare causes are far more common in them
than among the people who ask (the priors). Fitted on the texts as they are, a tempering partly learns that
case mix rather than the calibration of the evidence (it prefers ``a`` above 1, to overcome the priors). Each
text is therefore also weighted by prior(gold) / share of its gold cause in the set, the usual correction
for a shifted case mix, so that the fit describes the population the priors describe. Both are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from twitchcheck.blind import BlindText, load_blind
from twitchcheck.engine.inference import evidence_columns, log_evidence, weighed
from twitchcheck.engine.model import FloatArray, compile_model
from twitchcheck.knowledge import KnowledgeBase

Findings = Literal["gold", "read"]
# a and T are searched from 0.3 to 3 in steps of 0.1, then in steps of 0.01 around the best (the log-loss is
# convex in a and in 1 / T, so it has one minimum).
COARSE = np.round(np.arange(0.3, 3.0001, 0.1), 2)


def development_texts(folder: str | Path) -> list[BlindText]:
    """Every development batch in ``folder`` (``dev-*.jsonl``); sealed batches are never opened."""
    paths = sorted(Path(folder).glob("dev-*.jsonl"))
    if not paths:
        raise FileNotFoundError(f"no dev-*.jsonl in {folder}")
    return [t for p in paths for t in load_blind(p)]


@dataclass(frozen=True)
class Terms:
    """Per text: log P(evidence | cause) for every cause (and the leak), and the gold cause's row."""

    log_prior: FloatArray  # (causes,)
    log_evidence: FloatArray  # (texts, causes)
    gold: npt.NDArray[np.intp]  # (texts,)

    def weights(self, case_mix: bool) -> FloatArray:
        """1 per text, or (``case_mix``) prior(gold) / share of the gold cause among the texts."""
        if not case_mix:
            return np.ones(len(self.gold))
        share = np.bincount(self.gold, minlength=len(self.log_prior)) / len(self.gold)
        out: FloatArray = np.exp(self.log_prior)[self.gold] / share[self.gold]
        return out

    def subset(self, rows: npt.NDArray[np.intp]) -> Terms:
        return Terms(self.log_prior, self.log_evidence[rows], self.gold[rows])


def terms(kb: KnowledgeBase, texts: Sequence[BlindText], findings: Findings) -> Terms:
    """Run every text's gold (writer's) or read findings, with its age and sex, through the engine."""
    from twitchcheck.pipeline import assess, gather

    model = compile_model(kb)
    rows = []
    for t in texts:
        if findings == "gold":
            evidence = {g.finding: g.state for g in t.findings if g.finding in kb.findings}
            observations = gather(kb, evidence=evidence, age=t.age, sex=t.sex)
        else:
            observations = list(
                assess(t.text, age=t.age, sex=t.sex, kb=kb, reference=t.written_at).observations
            )
        rows.append(log_evidence(model, evidence_columns(model, weighed(model, observations))))
    gold = np.array([model.rows.index(t.gold) for t in texts], dtype=np.intp)
    return Terms(model.log_prior, np.array(rows), gold)


def tempered(t: Terms, a: float = 1.0, temperature: float = 1.0) -> FloatArray:
    """Posterior per text with evidence exponent ``a`` and ``temperature`` (1 and 1: the engine's own)."""
    log_joint = (t.log_prior[None, :] + a * t.log_evidence) / temperature
    log_joint -= log_joint.max(axis=1, keepdims=True)
    p = np.exp(log_joint)
    out: FloatArray = p / p.sum(axis=1, keepdims=True)
    return out


def brier(t: Terms, p: FloatArray, weights: FloatArray) -> float:
    """Weighted mean multi-class Brier score over every cause and the leak (as ``twitchcheck eval``)."""
    y = np.zeros_like(p)
    y[np.arange(len(t.gold)), t.gold] = 1.0
    return float(((p - y) ** 2).sum(axis=1) @ weights / weights.sum())


def log_loss(t: Terms, p: FloatArray, weights: FloatArray) -> float:
    gold = np.maximum(p[np.arange(len(t.gold)), t.gold], 1e-300)
    return float(-np.log(gold) @ weights / weights.sum())


@dataclass(frozen=True)
class Fit:
    family: Literal["evidence exponent", "temperature"]
    case_mix: bool
    value: float  # the fitted a or T (1.0: the engine as it is)
    interval: tuple[float, float] | None  # bootstrap 95% interval, when asked for
    log_loss: float  # at the fitted value
    log_loss_engine: float  # at 1.0
    brier: float
    brier_engine: float


def _argmin(loss: Callable[[float], float]) -> float:
    best = float(COARSE[int(np.argmin([loss(float(v)) for v in COARSE]))])
    fine = np.round(np.arange(max(0.2, best - 0.1), best + 0.1001, 0.01), 2)
    return float(fine[int(np.argmin([loss(float(v)) for v in fine]))])


def _fit_value(t: Terms, family: str, case_mix: bool) -> float:
    w = t.weights(case_mix)
    if family == "evidence exponent":
        return _argmin(lambda v: log_loss(t, tempered(t, a=v), w))
    return _argmin(lambda v: log_loss(t, tempered(t, temperature=v), w))


def fit(t: Terms, family: Literal["evidence exponent", "temperature"], case_mix: bool, boot: int = 0) -> Fit:
    """The log-loss-minimising value on the texts; ``boot`` > 0 adds a bootstrap 95% interval (seed 0)."""
    value = _fit_value(t, family, case_mix)
    interval = None
    if boot:
        rng = np.random.default_rng(0)
        draws = [
            _fit_value(t.subset(rng.integers(0, len(t.gold), len(t.gold))), family, case_mix)
            for _ in range(boot)
        ]
        low, high = np.percentile(draws, [2.5, 97.5])
        interval = (float(low), float(high))
    w = t.weights(case_mix)
    kwargs = {"a": value} if family == "evidence exponent" else {"temperature": value}
    fitted, engine = tempered(t, **kwargs), tempered(t)
    return Fit(
        family,
        case_mix,
        value,
        interval,
        log_loss(t, fitted, w),
        log_loss(t, engine, w),
        brier(t, fitted, w),
        brier(t, engine, w),
    )


def reliability(
    t: Terms, edges: Sequence[float] = (0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0)
) -> list[tuple[float, float, float, int]]:
    """(low, mean predicted, observed share, count) per bin of every cause's probability (leak left out)."""
    p = tempered(t)[:, :-1]
    y = np.zeros_like(p)
    y[np.arange(len(t.gold)), t.gold] = 1.0
    out = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        mask = (p >= low) & ((p < high) if high < 1.0 else (p <= high))
        if mask.any():
            out.append((float(low), float(p[mask].mean()), float(y[mask].mean()), int(mask.sum())))
    return out
