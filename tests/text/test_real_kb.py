"""The reader against the packaged knowledge base: the brief's examples, the public vignettes,
and the annotated evaluation set (written independently of this code)."""

from __future__ import annotations

import json

import pytest

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.text import extract

from ..conftest import DATA, SHARED

ANNOTATIONS = DATA / "text_annotations.jsonl"
VIGNETTES = SHARED / "vignettes" / "public.jsonl"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        ("I can still grip fine", "weak_grip", "absent"),
        ("nothing else on my face twitches", "loc_face", "absent"),
        ("my mum's brother ended up in a wheelchair", "fh_neuromuscular", "present"),
        ("my uncle had ALS", "fh_als", "present"),
        ("had polio as a child", "hx_polio", "present"),
        ("EMG only showed twitches, no nerve damage", "emg_denervation", "none"),
        ("Ca 5.1 mg/dL", "calcium", "very_low"),
        ("3+ reflexes", "reflexes", "brisk"),
        ("4 beats ankle clonus", "clonus_beats", "few"),
        ("6-8 shots of espresso a day", "trigger_caffeine", "present"),
    ],
)
def test_brief_examples(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert extract(text, kb).as_evidence().get(finding) == state


@pytest.mark.parametrize("text", ["I'm scared it's ALS", "could this be MS?"])
def test_worry_is_not_evidence(kb: KnowledgeBase, text: str) -> None:
    assert extract(text, kb).mentions == ()


@pytest.mark.skipif(not VIGNETTES.exists(), reason=f"shared vignettes not found at {VIGNETTES}")
def test_public_vignettes_read_cleanly(kb: KnowledgeBase) -> None:
    rows = [json.loads(line) for line in VIGNETTES.read_text().splitlines() if line.strip()]
    for row in rows:
        result = extract(row["text"], kb)
        assert result.mentions, row["id"]
        for mention in result.mentions:
            assert row["text"][mention.start : mention.end] == mention.span
            assert mention.finding in kb.findings
            assert mention.state in kb.findings[mention.finding].state_ids


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@pytest.mark.skipif(not ANNOTATIONS.exists(), reason="no annotated evaluation set")
def test_annotated_set_f1(kb: KnowledgeBase) -> None:
    """Micro F1 over (finding, state) pairs; the floor sits below the measured value (0.97 overall,
    0.95 on negated findings when written) so that only a real regression fails."""
    tp = fp = fn = ntp = nfp = nfn = 0
    for line in ANNOTATIONS.read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        got = extract(row["text"], kb).as_evidence()
        expected: dict[str, str] = row["expected"]
        for finding, state in expected.items():
            hit = got.get(finding) == state
            tp, fn = tp + hit, fn + (not hit)
            if state == "absent":
                ntp, nfn = ntp + hit, nfn + (not hit)
        for finding, state in got.items():
            if expected.get(finding) != state:
                fp += 1
                nfp += state == "absent"
    assert _f1(tp, fp, fn) >= 0.93
    assert _f1(ntp, nfp, nfn) >= 0.90
