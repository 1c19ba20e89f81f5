"""Calibration: the tempering fit's pieces, and a guard that the engine needs none (docs/calibration.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twitchcheck.calibration import (
    Terms,
    brier,
    development_texts,
    fit,
    log_loss,
    reliability,
    tempered,
    terms,
)
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.pipeline import assess

from .conftest import DATA

BLIND = DATA / "blind"


@pytest.fixture(scope="module")
def gold_terms(kb: KnowledgeBase) -> Terms:
    return terms(kb, development_texts(BLIND), "gold")


def test_only_development_batches_are_read(tmp_path: Path) -> None:
    (tmp_path / "sealed-2099-01-01.jsonl").write_text("not even json\n")
    with pytest.raises(FileNotFoundError, match="dev-"):
        development_texts(tmp_path)


def test_untempered_is_the_engine(kb: KnowledgeBase) -> None:
    texts = development_texts(BLIND)[:5]
    t = terms(kb, texts, "read")
    p = tempered(t)
    for row, text in zip(p, texts, strict=True):
        a = assess(text.text, age=text.age, sex=text.sex, kb=kb, reference=text.written_at)
        engine = [d.probability for d in a.differential]
        got = sorted(row[:-1], reverse=True)
        assert np.allclose(got, engine, atol=1e-9)
        assert row[-1] == pytest.approx(a.other_cause_probability, abs=1e-9)


def test_scores_on_a_hand_made_case() -> None:
    t = Terms(np.log(np.array([0.5, 0.5])), np.log(np.array([[0.8, 0.2], [0.8, 0.2]])), np.array([0, 1]))
    p = tempered(t)
    assert p[0] == pytest.approx([0.8, 0.2])
    w = np.ones(2)
    assert brier(t, p, w) == pytest.approx((0.04 + 0.04 + 0.64 + 0.64) / 2)
    assert log_loss(t, p, w) == pytest.approx(-(np.log(0.8) + np.log(0.2)) / 2)
    # Evidence exponent 0 is the prior; temperature flattens or sharpens.
    assert tempered(t, a=0.0)[0] == pytest.approx([0.5, 0.5])
    assert tempered(t, temperature=0.5)[0][0] > 0.8 > tempered(t, temperature=2.0)[0][0]
    # The case-mix weights put each text at its gold cause's prior over its share of the texts.
    skewed = Terms(np.log(np.array([0.9, 0.1])), t.log_evidence, np.array([0, 1]))
    assert skewed.weights(True) == pytest.approx([1.8, 0.2])


def test_the_fit_recovers_a_known_exponent() -> None:
    """Texts drawn from a model whose evidence is half as strong as claimed: the fit finds a = 0.5."""
    rng = np.random.default_rng(1)
    causes, n = 4, 4000
    true_lik = rng.dirichlet(np.ones(6), size=causes)  # one finding with 6 states
    gold = rng.integers(0, causes, n)
    state = np.array([rng.choice(6, p=true_lik[g]) for g in gold])
    claimed = true_lik**2 / (true_lik**2).sum(axis=1, keepdims=True)  # over-confident likelihoods
    t = Terms(np.log(np.full(causes, 1 / causes)), np.log(claimed[:, state].T), gold)
    f = fit(t, "evidence exponent", case_mix=False)
    assert 0.4 <= f.value <= 0.65
    assert f.log_loss < f.log_loss_engine


def test_engine_needs_no_tempering_on_the_writers_findings(gold_terms: Terms) -> None:
    """The guard: reweighted to the priors' case mix, the fitted evidence exponent on the development texts'
    own findings stays near 1 (1.01, 95% 0.94-1.11 when recorded). If a knowledge-base change moves it out,
    refit with scripts/fit_calibration.py and read docs/calibration.md before tempering anything."""
    f = fit(gold_terms, "evidence exponent", case_mix=True)
    assert 0.85 <= f.value <= 1.2, f
    # Reliability: where the engine says 70-90%, the cause is the writer's gold at least as often.
    bins = {low: (predicted, observed) for low, predicted, observed, _ in reliability(gold_terms)}
    predicted, observed = bins[0.7]
    assert observed >= predicted - 0.05
