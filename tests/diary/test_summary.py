"""The database's aggregate summary equals the one computed from the entries, on both backends."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest

from twitchcheck.diary import repository as repo
from twitchcheck.diary.patterns import compute_patterns
from twitchcheck.diary.schemas import EntryCreate, NoteFinding, UserPublic, new_entry, vocabulary
from twitchcheck.diary.series import SUMMED, DiarySummary
from twitchcheck.knowledge import load_kb

KB = load_kb()
START = datetime(2025, 3, 1, tzinfo=UTC)


def random_diary(rng: random.Random, n: int) -> tuple[list[EntryCreate], list[list[NoteFinding]]]:
    regions, symptoms = vocabulary(KB).regions, vocabulary(KB).symptoms
    entries, notes = [], []
    for _ in range(n):
        offset = rng.choice([-600, -300, 0, 60, 330, 600, 840])
        when = START + timedelta(seconds=rng.randrange(0, 200 * 86_400))
        maybe = rng.random
        entries.append(
            new_entry(
                KB,
                {
                    "occurred_at": when.astimezone(timezone(timedelta(minutes=offset))),
                    "kind": rng.choice(["fasciculation", "cramp", "spasm"]),
                    "side": rng.choice([None, "left", "right", "both"]),
                    "regions": rng.sample(regions[:4], rng.randint(0, 2)),
                    "count": rng.randint(0, 30) if maybe() < 0.7 else None,
                    "duration_minutes": rng.choice([None, 1.5, 30.0]),
                    "caffeine_mg": rng.choice([None, 0.0, 95.0, 200.0]),
                    "caffeine_cups": rng.choice([None, 1.0, 2.5]),
                    "alcohol_units": rng.choice([None, 0.0, 3.0]),
                    "sleep_hours": rng.choice([None, 5.5, 7.25, 9.0]),
                    "stress": rng.choice([None, 0, 4, 9]),
                    "exercise_minutes": rng.choice([None, 0.0, 45.0]),
                    "symptoms": rng.sample(symptoms[:5], 1) if maybe() < 0.1 else [],
                    "medications": "new tablets" if maybe() < 0.05 else None,
                    "note": "weak" if maybe() < 0.1 else None,
                },
            )
        )
        notes.append(
            [NoteFinding(finding="weakness", state="present", span="weak", start=0, end=4)]
            if entries[-1].note
            else []
        )
    return entries, notes


def assert_same(a: DiarySummary, b: DiarySummary) -> None:
    assert a.entries == b.entries
    assert a.first_t == pytest.approx(b.first_t, abs=1e-3) and a.last_t == pytest.approx(b.last_t, abs=1e-3)
    assert np.array_equal(a.day, b.day)
    assert np.allclose(a.day_entries, b.day_entries) and np.allclose(a.twitches, b.twitches)
    for name in SUMMED:
        assert np.allclose(a.sums[name], b.sums[name]), name
        assert np.allclose(a.counts[name], b.counts[name]), name
    for name in a.maxima:
        assert np.allclose(a.maxima[name], b.maxima[name], equal_nan=True), name
    key = [(g.kind, g.side, g.regions, g.entries) for g in a.groups]
    assert sorted(key, key=str) == sorted([(g.kind, g.side, g.regions, g.entries) for g in b.groups], key=str)
    assert [(d.id, d.symptoms, d.medications, d.date) for d in a.details] == [
        (d.id, d.symptoms, d.medications, d.date) for d in b.details
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_summary_equals_the_entry_summary(session: Any, alice: UserPublic, seed: int) -> None:
    entries, notes = random_diary(random.Random(seed), 150)
    repo.add_entries(session, alice.id, entries, note_findings=notes, kb=KB)
    from_sql = repo.load_summary(session, alice.id)
    from_entries = repo.load_series(session, alice.id).summary()
    assert_same(from_sql, from_entries)
    a, b = compute_patterns(from_sql, KB).to_json(), compute_patterns(from_entries, KB).to_json()
    for key in ("entries", "active_days", "weekly", "trend", "recent", "new_regions", "triggers", "weakness"):
        assert a[key] == b[key], key
    assert [c["finding"] for c in a["regions"]] == [c["finding"] for c in b["regions"]]


def test_empty_summary(session: Any, alice: UserPublic) -> None:
    assert repo.load_summary(session, alice.id).entries == 0
    assert compute_patterns(repo.load_summary(session, alice.id), KB).entries == 0
