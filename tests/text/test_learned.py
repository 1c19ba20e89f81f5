"""The learned second reader: its features, its training, its arrays, and how its hits are read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.text import extract
from twitchcheck.text.learned import (
    DATA,
    DENIED,
    OTHER,
    corpus_files,
    features,
    load_model,
    read_corpus,
    save_model,
    units,
)
from twitchcheck.text.learned_train import train
from twitchcheck.text.pipeline import get_pipeline

from ..conftest import DATA as TEST_DATA

MINI_CORPUS = TEST_DATA / "learned_mini.jsonl"
LEARNED = frozenset({"learned"})
CONFIG = yaml.safe_load((DATA / "config.yaml").read_text("utf-8"))


def test_features_are_words_pairs_and_letter_ngrams() -> None:
    got = features(["my", "legs", ",", "jelly"])
    assert "w:legs" in got and "b:my_legs" in got and "c:<le" in got and "c:gs>" in got
    assert not any("," in f for f in got)
    assert features(["my", "legs"]) == features(["my", "legs"])  # deterministic, no duplicates
    assert len(set(got)) == len(got)


def test_units_are_clauses_joined_while_short(kb: KnowledgeBase) -> None:
    doc = get_pipeline(kb)("my legs are weak. " + "and then " * 20 + "but the jaw is locked")
    spans = units(doc)
    assert spans[0] == (0, 5)  # the first sentence
    assert all(b > a for a, b in spans) and all(b - a <= 45 for a, b in spans)


def test_training_is_deterministic_and_round_trips(kb: KnowledgeBase, tmp_path: Path) -> None:
    rows = read_corpus([MINI_CORPUS])
    config = {**CONFIG, "min_count": 1, "prune": 0.0}
    norms = get_pipeline(kb).norms
    first, second = train(rows, kb.findings, norms, config), train(rows, kb.findings, norms, config)
    assert first.outputs == second.outputs == ("both_legs", "dark_urine", "trismus", DENIED, OTHER)
    assert first.vocabulary == second.vocabulary
    assert np.array_equal(first.weights, second.weights) and np.array_equal(first.bias, second.bias)
    path = tmp_path / "model.npz"
    save_model(first, path)
    loaded = load_model(path)
    assert loaded is not None and loaded.outputs == first.outputs and loaded.vocabulary == first.vocabulary
    assert np.allclose(loaded.weights, first.weights, atol=1e-3)
    # What it learned: a clause about dark urine scores dark urine above the others.
    p = loaded.probabilities([get_pipeline(kb).norms("pee looks like cola")])[0]
    assert int(np.argmax(p[:3])) == loaded.outputs.index("dark_urine")


def test_the_model_file_is_plain_arrays() -> None:
    """No pickle: the shipped model loads with allow_pickle=False (load_model would fail otherwise)."""
    model = load_model()
    assert model is not None, "run `make train`"
    assert 0 < model.doubtful <= model.sure < 1
    assert len(model.findings) >= 150
    assert model.weights.shape == (len(model.vocabulary), len(model.outputs))


def test_the_corpus_is_large_written_in_many_voices_and_never_the_blind_set() -> None:
    rows = read_corpus(corpus_files())
    assert len(rows) >= 20_000 and len(corpus_files()) >= 8
    blind = {
        json.loads(line)["text"]
        for path in (TEST_DATA / "blind").glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    }
    assert not {str(r["text"]) for r in rows} & blind


def test_a_learned_hit_goes_through_context(kb: KnowledgeBase) -> None:
    """Whatever the learned reader finds, denial, other people and doubt apply as for a synonym."""
    said = extract("my jaw has locked and i can barely open my mouth", kb, readers=LEARNED).as_evidence()
    assert said.get("trismus") == "present"
    denied = extract("no problem opening my jaw, it is not locked", kb, readers=LEARNED).as_evidence()
    assert denied.get("trismus") != "present"
    other = extract("my friend's jaw locked up last year", kb, readers=LEARNED).as_evidence()
    assert other.get("trismus") != "present"


def test_each_reader_alone_and_both(kb: KnowledgeBase) -> None:
    text = "her face has dropped on one side"
    rules = extract(text, kb, readers=frozenset({"rules"})).as_evidence()
    both = extract(text, kb).as_evidence()
    assert rules.get("face_droop") == "present" and both.get("face_droop") == "present"
    assert "face_droop" not in extract(text, kb, readers=frozenset()).as_evidence()


@pytest.mark.parametrize(
    "text",
    ["thanks for reading", "I have read far too much about ALS on the internet", "sorry for the long post"],
)
def test_small_talk_gives_no_learned_findings(kb: KnowledgeBase, text: str) -> None:
    assert extract(text, kb, readers=LEARNED).as_evidence() == {}
