"""Training the learned second reader (``make train``; scikit-learn is needed only here).

Each corpus line is a clause a briefed writer wrote (never the blind set) with the findings it talks
about, in any state, and whether it is about the patient. Features come from the same tokenizer and
normaliser the reader uses at run time (``norms_of``), so training and reading see the same words.
One liblinear logistic regression per output, seeded: the same corpus and config give the same model.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from twitchcheck.knowledge.schema import Finding
from twitchcheck.text.learned import DENIED, OTHER, LearnedModel, features

# Findings read by other means: body sites go through the location reader, graded states through
# the value and time readers.
_NOT_LEARNED = frozenset({"location", "demographic"})


def outputs_for(rows: Sequence[Mapping[str, Any]], findings: Mapping[str, Finding]) -> tuple[str, ...]:
    readable = sorted(
        {
            str(label["finding"])
            for row in rows
            for label in row["labels"]
            if label["finding"] in findings
            and findings[label["finding"]].type == "binary"
            and findings[label["finding"]].category not in _NOT_LEARNED
        }
    )
    return (*readable, DENIED, OTHER)


def train(
    rows: Sequence[Mapping[str, Any]],
    findings: Mapping[str, Finding],
    norms_of: Callable[[str], list[str]],
    config: Mapping[str, Any],
) -> LearnedModel:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    outputs = outputs_for(rows, findings)
    index = {o: i for i, o in enumerate(outputs)}
    feats = [features(norms_of(str(row["text"]))) for row in rows]
    targets = np.zeros((len(rows), len(outputs)), dtype=np.int8)
    for r, row in enumerate(rows):
        labels = row["labels"]
        for label in labels:
            if label["finding"] in index:
                targets[r, index[label["finding"]]] = 1
        if labels and all(label["state"] == "absent" for label in labels):
            targets[r, index[DENIED]] = 1
        if row.get("who") == "other":
            targets[r, index[OTHER]] = 1
    counts = Counter(f for fs in feats for f in fs)
    kept = sorted(f for f, c in counts.items() if c >= config["min_count"])
    vocab = {f: i for i, f in enumerate(kept)}
    indptr, indices, values = [0], [], []
    for fs in feats:
        cols = [vocab[f] for f in fs if f in vocab]
        indices += cols
        values += [1.0 / math.sqrt(len(cols))] * len(cols)
        indptr.append(len(indices))
    x = sparse.csr_matrix((values, indices, indptr), shape=(len(rows), len(kept)))
    weights = np.zeros((len(kept), len(outputs)), dtype=np.float32)
    bias = np.full(len(outputs), -10.0, dtype=np.float32)  # an output never seen never fires
    for j in range(len(outputs)):
        y = targets[:, j]
        if 0 < y.sum() < len(y):
            fit = LogisticRegression(C=config["C"], solver="liblinear", random_state=config["seed"])
            fit.fit(x, y)
            weights[:, j] = fit.coef_[0]
            bias[j] = fit.intercept_[0]
    weights[np.abs(weights) < config["prune"]] = 0.0
    # Every kept feature stays (some with no weight left): the run-time scale 1/sqrt(n) counts them
    # as training did.
    return LearnedModel(
        vocabulary=vocab,
        weights=weights.astype(np.float16),
        bias=bias,
        outputs=outputs,
        sure=config["sure"],
        doubtful=config["doubtful"],
        denied_above=config["denied_above"],
        other_above=config["other_above"],
    )
