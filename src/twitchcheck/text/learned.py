"""The learned second reader: a linear multi-label model that names the findings a clause talks about.

Rules (synonyms, heads, frames) read the phrasing their authors thought of. The second reader was
trained (``scripts/train_reader.py``, ``make train``) on clauses that briefed writers wrote in many
voices (phone typing, non-native English, relatives, clinicians, dialects), never on the blind set.
It reads each clause's normal forms as words, word pairs and letter n-grams and scores every finding
it knows. A finding the rules did not find becomes a target span like a synonym's: on the clause's
word that weighs most for it, so negation, other people, history and doubt apply through the same
ConText. Its own estimate of whether the clause denies something decides the state ConText cannot see
from one word ("my jaw is not locked", "jaw opens fine" deny; a "not" just before the word is part of the
problem when the clause does not deny: "can't get a breath in").
Hits below the sure threshold are marked doubtful: never evidence, only asked.

The model is plain arrays (``data/learned/model.npz``): no pickle, no scikit-learn at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from spacy.tokens import Doc

from twitchcheck.text.frames import CLAUSE_BREAKS
from twitchcheck.text.tokens import token_strings

DATA = Path(__file__).parent / "data" / "learned"
MODEL_PATH = DATA / "model.npz"
# Outputs besides the findings: the clause denies what it names; the clause is about someone else.
DENIED = "__denied__"
OTHER = "__other__"
# A unit the model reads: clauses joined up to this many tokens (the training clauses are 3-30 words).
UNIT_TOKENS = 25
CHAR_NGRAMS = (3, 4)
WORD_CACHE = 8_192  # words whose columns are remembered (a few MB at most: new words must not grow memory)


def features(norms: Sequence[str]) -> list[str]:
    """Words, word pairs and letter n-grams of a clause's normal forms (the same in training)."""
    words = [n.lower() for n in norms if any(c.isalnum() for c in n)]
    out = [f"w:{w}" for w in words]
    out += [f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    for w in words:
        if len(w) < 3 or w.isdigit():
            continue
        padded = f"<{w}>"
        for n in CHAR_NGRAMS:
            out += [f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1)]
    return list(dict.fromkeys(out))


def token_features(norm: str) -> list[str]:
    """The features one word contributes (to find the word that carries a finding)."""
    w = norm.lower()
    out = [f"w:{w}"]
    if len(w) >= 3 and not w.isdigit():
        padded = f"<{w}>"
        for n in CHAR_NGRAMS:
            out += [f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1)]
    return out


@dataclass(frozen=True, eq=False)
class LearnedModel:
    """Weights (features x outputs), biases and thresholds, as trained."""

    vocabulary: dict[str, int]
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    outputs: tuple[str, ...]
    sure: float  # a hit at or above this is read like a synonym
    doubtful: float  # between this and ``sure``: marked doubtful (asked, never evidence)
    denied_above: float  # the clause's denial estimate above which a "not" before the word denies
    other_above: float  # the clause is about someone else: no hits from it
    _word_cache: dict[str, tuple[str, tuple[int, ...]]] = field(default_factory=dict, repr=False)

    @property
    def findings(self) -> tuple[str, ...]:
        return tuple(o for o in self.outputs if not o.startswith("__"))

    def columns(self, feats: Sequence[str]) -> list[int]:
        vocab = self.vocabulary
        return [vocab[f] for f in feats if f in vocab]

    def word(self, norm: str) -> tuple[str, tuple[int, ...]]:
        """A normal form as the model reads it: lower-cased, with the known columns of its
        ``token_features``; ("", ()) when it has no letter or digit (the model reads no punctuation).
        Remembered in a bounded cache: the units and the anchor search read the same words, and
        building their n-gram strings again each time cost more than adding up their weights."""
        known = self._word_cache.get(norm)
        if known is None:
            if len(self._word_cache) >= WORD_CACHE:
                self._word_cache.clear()
            if any(c.isalnum() for c in norm):
                lower = norm.lower()
                known = (lower, tuple(self.columns(token_features(lower))))
            else:
                known = ("", ())
            self._word_cache[norm] = known
        return known

    def unit_columns(self, norms: Sequence[str]) -> list[int]:
        """The columns of ``features(norms)`` that the model knows."""
        read = [self.word(n) for n in norms]
        words = [w for w, _ in read if w]
        vocab = self.vocabulary
        cols: list[int] = []
        for _, word_cols in read:
            cols.extend(word_cols)
        for a, b in zip(words, words[1:], strict=False):
            col = vocab.get(f"b:{a}_{b}")
            if col is not None:
                cols.append(col)
        return list(dict.fromkeys(cols))

    def probabilities(self, units: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
        """Units (lists of normal forms) -> probability of each output (rows: units).

        A unit's logit is the bias plus the sum of its columns' weights over the square root of their
        number. The rows of all units are gathered at once, made float64 (exact) and summed unit by unit
        with ``np.add.reduceat``, which adds them in the same order as a per-unit
        ``sum(axis=0, dtype=np.float64)``: the same numbers to the bit, in a third of the time (a dozen
        small numpy calls per text, and a cast done in small buffers inside the sum).
        """
        columns = [self.unit_columns(norms) for norms in units]
        counts = np.array([len(c) for c in columns], dtype=np.int64)
        out = np.repeat(self.bias.astype(np.float64)[None, :], len(units), axis=0)
        read = counts > 0
        if read.any():
            starts = (np.cumsum(counts) - counts)[read]
            rows = self.weights[[c for cols in columns for c in cols]].astype(np.float64)
            sums = np.add.reduceat(rows, starts, axis=0)
            out[read] = out[read] + sums / np.sqrt(counts[read].astype(np.float64))[:, None]
        return np.asarray(1.0 / (1.0 + np.exp(-out)))

    def anchor(self, norms: Sequence[str], output: int, taken: frozenset[int] = frozenset()) -> int | None:
        """The index of the word in ``norms`` that weighs most for ``output``, outside ``taken``
        (words the rules already read as another finding); None if there is none."""
        best: int | None = None
        best_weight = -math.inf
        for i, norm in enumerate(norms):
            if i in taken:
                continue
            word, cols = self.word(norm)
            if not word:
                continue
            weight = float(self.weights[cols, output].sum(dtype=np.float64)) if cols else 0.0
            if weight > best_weight:
                best, best_weight = i, weight
        return best


# Words that, just before the anchor, are either part of the problem ("can't get a breath") or deny it.
_NEGATIONS = frozenset({"n't", "not", "no", "never", "nt", "cannot", "without", "unable"})
_NEGATION_REACH = 3


@dataclass(frozen=True)
class LearnedHit:
    finding: str
    start: int  # token offsets in the document
    end: int
    doubtful: bool
    denied: bool  # the reader judges the clause a denial ("jaw opens fine", "it is not locked")


def units(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges the model reads: each sentence's clauses, joined while short enough."""
    strings = token_strings(doc)
    norm = strings.norm
    out: list[tuple[int, int]] = []
    for sent_start, sent_end in strings.sentences:
        start = sent_start
        pieces = []
        for i in range(sent_start, sent_end):
            if norm[i] in CLAUSE_BREAKS and i > start:
                pieces.append((start, i))
                start = i
        pieces.append((start, sent_end))
        current = pieces[0]
        for piece in pieces[1:]:
            if piece[1] - current[0] <= UNIT_TOKENS:
                current = (current[0], piece[1])
            else:
                out.append(current)
                current = piece
        out.append(current)
    return [u for u in out if u[1] > u[0]]


def learned_spans(
    model: LearnedModel,
    doc: Doc,
    found: frozenset[str] | set[str],
    readable: frozenset[str],
    covered: frozenset[int] = frozenset(),
) -> list[LearnedHit]:
    """Hits for findings the rules did not find anywhere in ``doc`` (one per finding, most likely),
    never on a word the rules read (``covered``: token indices)."""
    ranges = units(doc)
    if not ranges:
        return []
    norm = token_strings(doc).norm
    norms = [norm[a:b] for a, b in ranges]
    probs = model.probabilities(norms)
    index = {o: i for i, o in enumerate(model.outputs)}
    denied, other = probs[:, index[DENIED]], probs[:, index[OTHER]]
    wanted = [j for j, o in enumerate(model.outputs) if o in readable and o not in found]
    if not wanted:
        return []
    # Each finding's most likely unit, among units not about someone else.
    scores = probs[:, wanted] * (other < model.other_above)[:, None]
    best_unit = scores.argmax(axis=0)
    best_p = scores[best_unit, np.arange(len(wanted))]
    hits = []
    for k in np.flatnonzero(best_p >= model.doubtful):
        finding, p, u = model.outputs[wanted[k]], float(best_p[k]), int(best_unit[k])
        a, b = ranges[u]
        at = model.anchor(norms[u], index[finding], frozenset(i - a for i in covered if a <= i < b))
        if at is None:
            continue
        anchor = a + at
        start = anchor
        denial = bool(denied[u] >= model.denied_above)
        if not denial:
            for i in range(anchor - 1, max(a, anchor - _NEGATION_REACH) - 1, -1):
                if norm[i].lower() in _NEGATIONS:
                    start = i  # the "not" is part of the problem, not a denial
                    break
        hits.append(LearnedHit(finding, start, anchor + 1, p < model.sure, denial))
    return hits


def save_model(model: LearnedModel, path: Path = MODEL_PATH) -> None:
    order = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    np.savez_compressed(
        path,
        vocabulary=np.array(order),
        weights=model.weights.astype(np.float16),
        bias=model.bias.astype(np.float32),
        outputs=np.array(model.outputs),
        thresholds=np.array([model.sure, model.doubtful, model.denied_above, model.other_above]),
    )


@lru_cache(maxsize=2)  # the shipped model, and one other (a test's)
def load_model(path: Path = MODEL_PATH) -> LearnedModel | None:
    """The shipped model, or None when it has not been trained (the rules then read alone)."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        vocabulary = {str(f): i for i, f in enumerate(data["vocabulary"])}
        sure, doubtful, denied_above, other_above = (float(x) for x in data["thresholds"])
        return LearnedModel(
            vocabulary=vocabulary,
            weights=data["weights"].astype(np.float32),  # float16 on disk, float32 to add up fast
            bias=data["bias"],
            outputs=tuple(str(o) for o in data["outputs"]),
            sure=sure,
            doubtful=doubtful,
            denied_above=denied_above,
            other_above=other_above,
        )


def corpus_files(root: Path = DATA / "corpus") -> list[Path]:
    return sorted(root.glob("*.jsonl"))


def read_corpus(paths: Sequence[Path]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows
