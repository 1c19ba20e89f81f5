"""Patterns are pure functions of the entries: checked on hand-made diaries and with hypothesis."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitchcheck.diary.patterns import BASELINE_DAYS, compute_patterns, trend, weekly_series
from twitchcheck.diary.schemas import EntryCreate, NoteFinding, new_entry, vocabulary
from twitchcheck.diary.series import EntrySeries
from twitchcheck.diary.statistics import fisher_ci, rankdata, spearman
from twitchcheck.diary.triggers import MIN_ASSOCIATION_DAYS
from twitchcheck.knowledge import load_kb

KB = load_kb()
START = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday


def make(day: float, **fields: Any) -> EntryCreate:
    return new_entry(KB, {"occurred_at": START + timedelta(days=day), **fields})


def series(entries: list[EntryCreate]) -> EntrySeries:
    return EntrySeries.from_entries(entries, [[] for _ in entries])


def test_empty_diary() -> None:
    p = compute_patterns(EntrySeries.empty(), KB)
    assert p.entries == 0 and p.first is None and p.trend.direction == "not enough data"
    assert all(a.status == "not enough data" for a in p.triggers)
    assert p.to_json()["entries"] == 0


def test_span_and_active_days() -> None:
    p = compute_patterns(series([make(0), make(0.1), make(10), make(45)]), KB)
    assert p.span_days == pytest.approx(45)
    assert p.active_days == 3
    assert p.first == START and p.last == START + timedelta(days=45)


def test_local_days_follow_the_writers_time_zone() -> None:
    tz = timezone(timedelta(hours=10))
    late = datetime(2026, 3, 1, 23, 30, tzinfo=tz)  # 13:30 UTC the same day
    early = datetime(2026, 3, 2, 0, 30, tzinfo=tz)  # 14:30 UTC on 1 March, but 2 March locally
    s = series([EntryCreate(occurred_at=late), EntryCreate(occurred_at=early)])
    assert list(np.diff(s.day)) == [1]
    assert compute_patterns(s, KB).active_days == 2


def test_weekly_series_uses_monday_weeks_and_counts() -> None:
    s = series([make(0, count=4), make(6, count=6), make(7), make(15, count=10)])
    weeks = weekly_series(s.summary())
    assert [w.week_start.isoformat() for w in weeks] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert [w.twitches for w in weeks] == [10.0, 1.0, 10.0]
    assert [w.entries for w in weeks] == [2, 1, 1]
    assert weeks[-1].days_covered == 2  # the diary ends on Tuesday 20 January
    assert weeks[-1].twitches_per_day == 5.0


@pytest.mark.parametrize(
    ("slope", "direction"), [(2.0, "rising"), (-2.0, "falling"), (0.0, "no clear trend")]
)
def test_trend_direction(slope: float, direction: str) -> None:
    rng = random.Random(3)
    entries = [make(d, count=max(0, round(30 + slope * d / 7 + rng.gauss(0, 1.5)))) for d in range(12 * 7)]
    t = compute_patterns(series(entries), KB).trend
    assert t.direction == direction
    assert t.ci_low is not None and t.ci_high is not None and t.ci_low <= t.slope_per_week <= t.ci_high  # type: ignore[operator]
    if slope:
        assert t.slope_per_week == pytest.approx(slope, abs=0.5)


def test_trend_needs_four_weeks() -> None:
    assert trend(weekly_series(series([make(d) for d in range(20)]).summary())).direction == "not enough data"


def test_regions_spread_and_new_regions() -> None:
    entries = [make(0, regions=["loc_eyelid"]), make(3, regions=["loc_eyelid", "loc_calf"]),
               make(BASELINE_DAYS + 5, regions=["loc_hand"]), make(40, regions=["loc_calf"])]  # fmt: skip
    p = compute_patterns(series(entries), KB)
    assert [c.finding for c in p.regions] == ["loc_eyelid", "loc_calf", "loc_hand"]
    assert p.new_regions == ["loc_hand"]
    assert [n for _, n in p.spread] == [1, 2, 3]
    calf = p.regions[1]
    assert calf.entries == 2 and calf.last_seen == START + timedelta(days=40)


def test_weakness_new_and_progressive() -> None:
    base = [make(d) for d in range(0, 60, 2)]
    none = compute_patterns(series(base), KB).weakness
    assert not none.reported
    new = compute_patterns(series([*base, make(30, symptoms=["weakness"])]), KB).weakness
    assert new.reported and new.new and not new.progressive
    worsening = [make(20, symptoms=["weakness"]), make(40, symptoms=["weakness"]),
                 make(55, symptoms=["weakness", "weak_grip"]), make(58, symptoms=["weak_grip"])]  # fmt: skip
    prog = compute_patterns(series([*base, *worsening]), KB).weakness
    assert prog.progressive and "getting worse" not in prog.why and "days" in prog.why
    explicit = compute_patterns(series([*base, make(10, symptoms=["weakness_progressive"])]), KB).weakness
    assert explicit.progressive
    steady_early = [make(d, symptoms=["weakness"]) for d in (1, 2, 3, 50)]
    assert not compute_patterns(series([*base, *steady_early]), KB).weakness.progressive


def test_symptoms_from_notes_count() -> None:
    e = make(0, note="weak hand")
    found = NoteFinding(finding="weakness", state="present", span="weak", start=0, end=4)
    s = EntrySeries.from_entries([e], [[found]])
    p = compute_patterns(s, KB)
    assert [c.finding for c in p.symptoms] == ["weakness"] and p.weakness.reported


def test_a_real_caffeine_link_is_found_and_noise_is_not() -> None:
    rng = np.random.default_rng(7)
    cups = rng.integers(0, 6, 60)
    linked = [
        make(d, caffeine_cups=float(c), count=int(5 + 4 * c + rng.integers(0, 4))) for d, c in enumerate(cups)
    ]
    caffeine = next(a for a in compute_patterns(series(linked), KB).triggers if a.factor == "caffeine")
    assert caffeine.status == "ok" and caffeine.supports_trigger and caffeine.rho > 0.7  # type: ignore[operator]
    assert caffeine.n_days == 60 and caffeine.mean_twitches_high > caffeine.mean_twitches_low  # type: ignore[operator]
    assert "not proof of cause" in caffeine.summary
    noise = [make(d, caffeine_cups=float(c), count=int(rng.integers(0, 20))) for d, c in enumerate(cups)]
    caffeine = next(a for a in compute_patterns(series(noise), KB).triggers if a.factor == "caffeine")
    assert not caffeine.supports_trigger and caffeine.ci_low < 0 < caffeine.ci_high  # type: ignore[operator]


def test_less_sleep_more_twitching_supports_the_sleep_trigger() -> None:
    rng = np.random.default_rng(1)
    sleep = rng.uniform(4, 9, 40)
    entries = [
        make(d, sleep_hours=float(h), count=int(40 - 4 * h + rng.integers(0, 3))) for d, h in enumerate(sleep)
    ]
    sleep_assoc = next(a for a in compute_patterns(series(entries), KB).triggers if a.factor == "sleep")
    assert (
        sleep_assoc.rho < 0 and sleep_assoc.supports_trigger and sleep_assoc.finding == "trigger_sleep_loss"
    )  # type: ignore[operator]


def test_too_few_days_gives_no_association() -> None:
    entries = [make(d, stress=d % 10, count=d) for d in range(MIN_ASSOCIATION_DAYS - 1)]
    stress = next(a for a in compute_patterns(series(entries), KB).triggers if a.factor == "stress")
    assert stress.status == "not enough data" and stress.rho is None and not stress.supports_trigger


def test_several_entries_on_one_day_are_summed_per_day() -> None:
    entries = [make(d + h / 24, caffeine_cups=1.0, count=2) for d in range(12) for h in range(d % 3 + 1)]
    p = compute_patterns(series(entries), KB)
    caffeine = next(a for a in p.triggers if a.factor == "caffeine")
    assert caffeine.n_days == 12 and caffeine.rho == pytest.approx(1.0)


def test_spearman_agrees_with_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = rng.integers(0, 5, 30).astype(float)
        y = x + rng.integers(0, 4, 30)
        assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic)
        assert np.allclose(rankdata(x), stats.rankdata(x))


# ---------------------------------------------------------------------------------------------- properties

REGIONS = vocabulary(KB).regions
PROPERTY_START = datetime(2024, 1, 1, tzinfo=UTC)


@st.composite
def diaries(draw: st.DrawFn) -> list[EntryCreate]:
    n = draw(st.integers(0, 40))
    out = []
    for _ in range(n):
        day = draw(st.floats(0, 400, allow_nan=False))
        offset = draw(st.integers(-12, 14))
        out.append(
            new_entry(
                KB,
                {
                    "occurred_at": (PROPERTY_START + timedelta(days=day)).astimezone(
                        timezone(timedelta(hours=offset))
                    ),
                    "regions": draw(st.lists(st.sampled_from(REGIONS), max_size=3)),
                    "count": draw(st.none() | st.integers(0, 200)),
                    "caffeine_cups": draw(st.none() | st.floats(0, 10)),
                    "sleep_hours": draw(st.none() | st.floats(0, 24)),
                    "stress": draw(st.none() | st.integers(0, 10)),
                    "symptoms": draw(
                        st.lists(st.sampled_from(["weakness", "cramps", "dysphagia"]), max_size=2)
                    ),
                },
            )
        )
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(diaries(), st.randoms(use_true_random=False))
def test_patterns_are_sane_for_any_diary(entries: list[EntryCreate], rnd: random.Random) -> None:
    p = compute_patterns(series(entries), KB)
    assert p.entries == len(entries)
    assert p.span_days >= 0
    assert p.active_days <= max(len(entries), 0)
    total = sum(e.count if e.count is not None else 1 for e in entries)
    assert sum(w.twitches for w in p.weekly) == pytest.approx(total)
    assert sum(w.entries for w in p.weekly) == len(entries)
    assert p.distinct_regions == len({r for e in entries for r in e.regions})
    assert [n for _, n in p.spread][-1:] == ([p.distinct_regions] if p.distinct_regions else [])
    for a in p.triggers:
        if a.rho is not None:
            assert -1 <= a.ci_low <= a.rho <= a.ci_high <= 1  # type: ignore[operator]
            assert a.n_days >= MIN_ASSOCIATION_DAYS
    # Order of input does not matter.
    shuffled = entries[:]
    rnd.shuffle(shuffled)
    again = compute_patterns(series(shuffled), KB)
    assert again.to_json() == p.to_json() or _same_up_to_ties(again.to_json(), p.to_json())


def _same_up_to_ties(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Entries at the same instant may be listed in either order; everything numeric must agree."""
    keys = ("entries", "span_days", "active_days", "weekly", "trend", "recent", "new_regions", "triggers")
    return all(a[k] == b[k] for k in keys)


@given(
    st.lists(st.floats(-50, 50), min_size=4, max_size=60),
    st.lists(st.floats(-50, 50), min_size=4, max_size=60),
)
@settings(max_examples=100, deadline=None)
def test_spearman_and_interval_bounds(xs: list[float], ys: list[float]) -> None:
    n = min(len(xs), len(ys))
    x, y = np.array(xs[:n]), np.array(ys[:n])
    rho = spearman(x, y)
    if rho is None:
        assert np.ptp(x) == 0 or np.ptp(y) == 0
        return
    assert -1 <= rho <= 1
    assert spearman(y, x) == pytest.approx(rho)
    assert spearman(x, -y) == pytest.approx(-rho, abs=1e-12)
    low, high = fisher_ci(rho, n)
    assert -1 <= low <= rho <= high <= 1 or math.isclose(abs(rho), 1)
