"""The blind set: its shape, its splits, and a floor under reading on the development split."""

from __future__ import annotations

import json

import pytest

from twitchcheck.blind import brief_findings, evaluate_reading, load_blind, red_flag_findings, same_state
from twitchcheck.knowledge import KnowledgeBase

from .conftest import DATA

BLIND = DATA / "blind"
DEV = BLIND / "dev-2026-12-06.jsonl"
DEV_B = BLIND / "dev-2026-12-06b.jsonl"
DEV_C = BLIND / "dev-2026-12-06c.jsonl"
DEV_D = BLIND / "dev-2026-12-06d.jsonl"
DEV_E = BLIND / "dev-2026-12-06e.jsonl"
DEV_F = BLIND / "dev-2026-12-06f.jsonl"
DEV_G = BLIND / "dev-2026-12-06g.jsonl"
DEV_H = BLIND / "dev-2026-12-07h.jsonl"
DEV_I = BLIND / "dev-2026-12-07i.jsonl"
DEV_J = BLIND / "dev-2026-12-07j.jsonl"
DEV_K = BLIND / "dev-2026-12-07k.jsonl"
DEV_L = BLIND / "dev-2026-12-07l.jsonl"
DEV_M = BLIND / "dev-2026-12-07m.jsonl"
DEV_N = BLIND / "dev-2026-12-07n.jsonl"
DEV_O = BLIND / "dev-2026-12-07o.jsonl"
DEV_P = BLIND / "dev-2026-12-07p.jsonl"
DEV_Q = BLIND / "dev-2026-12-07q.jsonl"
DEVS = (
    *(DEV, DEV_B, DEV_C, DEV_D, DEV_E, DEV_F, DEV_G, DEV_H),
    *(DEV_I, DEV_J, DEV_K, DEV_L, DEV_M, DEV_N, DEV_O, DEV_P, DEV_Q),
)
SEALED = BLIND / "sealed-2026-12-07r.jsonl"
SEALED_ROWS = 240
SEALED_CHARS = 73806  # total characters of the sealed texts as committed
# The next sealed batch, written before the current one is scored: sealed from the day it lands.
NEXT_SEALED = BLIND / "sealed-2026-12-07s.jsonl"
NEXT_SEALED_CHARS = 84092


def test_set_shape() -> None:
    dev = [t for path in DEVS for t in load_blind(path)]
    sealed = load_blind(SEALED)
    assert len(dev) >= 4800 and len(sealed) >= 240
    assert not {t.id for t in dev} & {t.id for t in sealed}
    dev_writers = {str(t.writer) for t in dev}
    sealed_writers = {str(t.writer) for t in sealed}
    assert len(dev_writers) >= 73 and len(sealed_writers) >= 4
    # The sealed batch comes from writers whose texts development has never seen.
    assert not dev_writers & sealed_writers
    for t in [*dev, *sealed]:
        for f in t.findings:
            assert f.span in t.text, (t.id, f.span)


def test_sealed_texts_are_unchanged() -> None:
    """The sealed split is never edited: its content is pinned until it is moved to development."""
    for path, chars in ((SEALED, SEALED_CHARS), (NEXT_SEALED, NEXT_SEALED_CHARS)):
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        assert len(rows) == SEALED_ROWS
        assert sum(len(r["text"]) for r in rows) == chars


def test_next_sealed_batches_are_unseen() -> None:
    """Their writers wrote nothing development or an earlier sealed batch holds; same brief findings."""
    seen = {str(t.writer) for path in (*DEVS, SEALED) for t in load_blind(path)}
    for path in (NEXT_SEALED,):
        upcoming = load_blind(path)
        writers = {str(t.writer) for t in upcoming}
        assert len(writers) >= 4
        assert not writers & seen
        seen |= writers
        assert brief_findings(path) == brief_findings(SEALED)
        for t in upcoming:
            for f in t.findings:
                assert f.span in t.text, (t.id, f.span)


def test_each_batch_is_scored_on_its_own_brief() -> None:
    first, second, latest = brief_findings(DEV), brief_findings(DEV_B), brief_findings(SEALED)
    later = {brief_findings(p) for p in DEVS[2:-7]}
    assert later == {second}
    assert first is not None and second is not None and latest is not None
    # the eleventh to seventeenth batches' writers (and the sealed eighteenth's and nineteenth's) also had the
    # two findings added in session 8
    assert {brief_findings(p) for p in (DEV_K, DEV_L, DEV_M, DEV_N, DEV_O, DEV_P, DEV_Q)} == {latest}
    assert latest - second == {"missed_dialysis", "swallowed_medicine_or_poison"}
    assert "face_droop" in first and "trismus" not in first  # written before the new findings
    assert first - {"age_band", "sex"} < second and "trismus" in second


def test_duration_bands_of_the_first_brief() -> None:
    assert same_state("twitch_duration", "weeks", "days")
    assert not same_state("twitch_duration", "days", "weeks")
    assert same_state("weakness", "present", "present")
    assert not same_state("weakness", "present", "absent")


def test_red_flag_findings_are_the_ones_rules_use(kb: KnowledgeBase) -> None:
    found = red_flag_findings(kb)
    assert "face_droop" in found and "saddle_numbness" in found
    assert "trigger_caffeine" not in found


@pytest.fixture(scope="module")
def dev_report(kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    return evaluate_reading(load_blind(DEV), kb, brief_findings(DEV))


@pytest.mark.slow  # reads all 800 development texts
def test_reading_floor_on_the_development_split(dev_report) -> None:  # type: ignore[no-untyped-def]
    """A floor, not a target: reading must not fall back below what this batch measured
    (2026-12-06: 800 texts, recall 0.728, precision 0.760, red-flag recall 0.737)."""
    s = dev_report.summary()
    assert s["overall"]["recall"] >= 0.71
    assert s["overall"]["precision"] >= 0.74
    assert s["red_flag_findings"]["recall"] >= 0.72
