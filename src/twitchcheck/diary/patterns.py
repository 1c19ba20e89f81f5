"""Patterns in one person's diary: pure functions over its day summary (``series.py``).

What the issue asks a diary to show, because a one-shot checker cannot: how long the twitching has
gone on, whether it is becoming more frequent, whether it spreads to new body regions, whether
weakness is new or getting worse, and which of the person's own habits go with worse days
(``triggers.py``).

Thresholds here are analysis choices (how much data makes a trend or an association worth
showing), not clinical figures; each is named and explained where it is defined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np

from twitchcheck.diary.schemas import Vocabulary, vocabulary
from twitchcheck.diary.series import DAY, Detail, DiarySummary, EntrySeries, day_to_date
from twitchcheck.diary.statistics import t_critical
from twitchcheck.diary.triggers import CAUSATION_CAUTION, Association, trigger_associations
from twitchcheck.knowledge import KnowledgeBase

FIRST_MONDAY = 4  # 1970-01-05, days after the epoch
# The diary's baseline. Its first two weeks show what is usual for this person: a region or symptom first
# written down after them counts as "new". Before the diary covers them every entry is new, so a change in
# what the diary shows may only mean the diary is still filling in: no "your pattern has changed" headline
# is given on fewer days (diary/retriage.py), and the patterns page says why. One figure for both, so the
# headline and the report never disagree.
BASELINE_DAYS = 14
TREND_WEEKS = 26  # the trend looks at the most recent half year
MIN_TREND_WEEKS = 4  # fewer weeks than this: no trend is claimed
RECENT_DAYS = 28  # the window for "how often lately"
MIN_RECENT_DAYS = 7
PERSISTENT_WEAKNESS_DAYS = 28

WEAKNESS_FINDINGS = (
    "weakness",
    "weakness_progressive",
    "weakness_rapid",
    "weakness_one_side",
    "weakness_proximal",
    "weak_grip",
    "tripping",
)


def covers_baseline(span_days: float) -> bool:
    """Whether a diary spanning ``span_days`` (first to last entry) covers :data:`BASELINE_DAYS`."""
    return span_days >= BASELINE_DAYS


# ---------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class WeekPoint:
    week_start: date
    entries: int
    twitches: float
    days_covered: int
    twitches_per_day: float


@dataclass(frozen=True)
class Trend:
    """Least-squares slope of twitches per day, week by week, over the most recent weeks."""

    direction: Literal["rising", "falling", "no clear trend", "not enough data"]
    slope_per_week: float | None
    ci_low: float | None
    ci_high: float | None
    weeks: int
    unit: str = "change in twitches per day, per week"


@dataclass(frozen=True)
class Recent:
    """How often twitching was logged in the last :data:`RECENT_DAYS` days of the diary."""

    window_days: int
    active_days: int
    fraction: float
    median_minutes_per_day: float | None


@dataclass(frozen=True)
class Course:
    """When a body region or symptom appeared in the diary."""

    finding: str
    label: str
    first_seen: datetime
    last_seen: datetime
    entries: int
    new: bool


@dataclass(frozen=True)
class Weakness:
    reported: bool
    new: bool
    progressive: bool
    first_seen: datetime | None
    last_seen: datetime | None
    entries: int
    why: str


@dataclass(frozen=True)
class Patterns:
    entries: int
    first: datetime | None
    last: datetime | None
    span_days: float
    active_days: int
    weekly: list[WeekPoint]
    trend: Trend
    recent: Recent
    regions: list[Course]
    new_regions: list[str]
    spread: list[tuple[date, int]]
    symptoms: list[Course]
    weakness: Weakness
    triggers: list[Association]
    caution: str = CAUSATION_CAUTION
    notes: list[str] = field(default_factory=list)

    @property
    def distinct_regions(self) -> int:
        return len(self.regions)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        out["distinct_regions"] = self.distinct_regions
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _datetime(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC)


# ---------------------------------------------------------------------------------------------- pieces


def weekly_series(summary: DiarySummary) -> list[WeekPoint]:
    if summary.entries == 0:
        return []
    day = summary.day
    first_day, last_day = int(day[0]), int(day[-1])
    week = np.floor_divide(day - FIRST_MONDAY, 7)
    w0 = int(week[0])
    nweeks = int(week[-1]) - w0 + 1
    idx = week - w0
    entries = np.bincount(idx, weights=summary.day_entries, minlength=nweeks)
    twitches = np.bincount(idx, weights=summary.twitches, minlength=nweeks)
    out = []
    for i in range(nweeks):
        start = FIRST_MONDAY + 7 * (w0 + i)
        covered = min(start + 6, last_day) - max(start, first_day) + 1
        total = float(twitches[i])
        out.append(WeekPoint(day_to_date(start), int(entries[i]), total, covered, total / covered))
    return out


def trend(weeks: Sequence[WeekPoint]) -> Trend:
    recent = list(weeks)[-TREND_WEEKS:]
    n = len(recent)
    if n < MIN_TREND_WEEKS:
        return Trend("not enough data", None, None, None, n)
    x = np.arange(n, dtype=np.float64)
    y = np.array([w.twitches_per_day for w in recent])
    w = np.array([w.days_covered for w in recent], dtype=np.float64)  # part-weeks count for less
    xm = float(np.average(x, weights=w))
    ym = float(np.average(y, weights=w))
    sxx = float(np.sum(w * (x - xm) ** 2))
    slope = float(np.sum(w * (x - xm) * (y - ym))) / sxx
    resid = y - (ym + slope * (x - xm))
    dof = n - 2
    sigma2 = float(np.sum(w * resid**2)) / dof / float(np.mean(w))
    se = math.sqrt(sigma2 / (sxx / float(np.mean(w))))
    half = t_critical(dof) * se
    low, high = slope - half, slope + half
    direction: Literal["rising", "falling", "no clear trend"] = (
        "rising" if low > 0 else "falling" if high < 0 else "no clear trend"
    )
    return Trend(direction, slope, low, high, n)


def recent_activity(summary: DiarySummary) -> Recent:
    if summary.entries == 0:
        return Recent(0, 0, 0.0, None)
    day = summary.day
    last = int(day[-1])
    start = max(int(day[0]), last - RECENT_DAYS + 1)
    window = last - start + 1
    mask = day >= start
    active = int(mask.sum())
    median = None
    if summary.counts["duration_minutes"][mask].sum() > 0:
        median = float(np.median(summary.sums["duration_minutes"][mask]))
    return Recent(window, active, active / window, median)


Tally = dict[str, list[float]]  # finding -> [first time, last time, entries]


def _add(tally: Tally, item: str, first: float, last: float, count: int) -> None:
    seen = tally.get(item)
    if seen is None:
        tally[item] = [first, last, count]
    else:
        seen[0] = min(seen[0], first)
        seen[1] = max(seen[1], last)
        seen[2] += count


def _courses(tally: Tally, labels: dict[str, str], baseline_end: float) -> list[Course]:
    return [
        Course(
            finding=item,
            label=labels.get(item, item),
            first_seen=_datetime(first),
            last_seen=_datetime(last),
            entries=int(count),
            new=bool(first > baseline_end),
        )
        for item, (first, last, count) in sorted(tally.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]


def note_present(detail: Detail, field_name: str = "note") -> set[str]:
    """Findings the entry's note (or medications text) affirms."""
    return {
        f["finding"]
        for f in detail.note_findings
        if f.get("state") == "present" and f.get("field", "note") == field_name
    }


def region_tally(summary: DiarySummary, vocab: Vocabulary) -> Tally:
    """Body regions: the structured ones (by group) plus regions a note affirms."""
    tally: Tally = {}
    for g in summary.groups:
        for region in g.regions:
            _add(tally, region, g.first_t, g.last_t, g.entries)
    regions = set(vocab.regions)
    for d in summary.details:
        for region in (note_present(d) & regions).difference(d.regions):
            _add(tally, region, d.t, d.t, 1)
    return tally


def symptom_sets(summary: DiarySummary, vocab: Vocabulary) -> list[tuple[float, set[str]]]:
    """(time, new symptoms) for entries with any: structured ones plus those the note affirms."""
    allowed = set(vocab.symptoms)
    out = []
    for d in summary.details:
        found = set(d.symptoms) | (note_present(d) & allowed)
        if found:
            out.append((d.t, found))
    return out


def symptom_tally(symptoms: Sequence[tuple[float, set[str]]]) -> Tally:
    tally: Tally = {}
    for t, items in symptoms:
        for item in items:
            _add(tally, item, t, t, 1)
    return tally


def weakness_course(
    symptoms: Sequence[tuple[float, set[str]]], baseline_end: float, vocab: Vocabulary
) -> Weakness:
    known = set(vocab.symptoms)
    group = {f for f in WEAKNESS_FINDINGS if f in known}
    hits = [(t, items & group) for t, items in symptoms if items & group]
    if not hits:
        return Weakness(False, False, False, None, None, 0, "No weakness has been written in the diary.")
    first_t, last_t = hits[0][0], hits[-1][0]
    new = first_t > baseline_end
    explicit = any("weakness_progressive" in items for _, items in hits)
    days = (last_t - first_t) / DAY
    middle = (first_t + last_t) / 2
    early = [items for t, items in hits if t <= middle]
    late = [items for t, items in hits if t > middle]
    early_kinds = set().union(*early) if early else set()
    late_kinds = set().union(*late) if late else set()
    worsening = len(late) > len(early) or bool(late_kinds - early_kinds)
    progressive = explicit or (days >= PERSISTENT_WEAKNESS_DAYS and worsening)
    first_date = _datetime(first_t).date().isoformat()
    if explicit:
        why = "You recorded that weakness is getting worse."
    elif progressive:
        why = (
            f"Weakness has been written down for {days:.0f} days (since {first_date}) and is reported more "
            "often, or in new ways, in the later part of that time."
        )
    elif new:
        why = f"Weakness first appeared in the diary on {first_date}, after it had started without it."
    else:
        why = f"Weakness has been written in {len(hits)} entries since {first_date}."
    return Weakness(True, new, progressive, _datetime(first_t), _datetime(last_t), len(hits), why)


# ---------------------------------------------------------------------------------------------- main


def compute_patterns(data: EntrySeries | DiarySummary, kb: KnowledgeBase) -> Patterns:
    """Everything the diary page and the re-triage need, from one person's entries (or their summary),
    with ``kb``'s regions, symptoms and labels."""
    summary = data.summary() if isinstance(data, EntrySeries) else data
    vocab = vocabulary(kb)
    if summary.entries == 0:
        empty = Weakness(False, False, False, None, None, 0, "No entries yet.")
        return Patterns(
            0, None, None, 0.0, 0, [], trend([]), recent_activity(summary), [], [], [], [], empty,
            trigger_associations(summary), notes=["No entries yet."],
        )  # fmt: skip
    first_t, last_t = summary.first_t, summary.last_t
    baseline_end = first_t + BASELINE_DAYS * DAY
    regions = _courses(region_tally(summary, vocab), vocab.labels, baseline_end)
    symptoms = symptom_sets(summary, vocab)
    symptom_courses = _courses(symptom_tally(symptoms), vocab.labels, baseline_end)
    weeks = weekly_series(summary)
    spread: list[tuple[date, int]] = []
    for course in regions:
        day = course.first_seen.date()
        if spread and spread[-1][0] == day:
            spread[-1] = (day, spread[-1][1] + 1)
        else:
            spread.append((day, (spread[-1][1] if spread else 0) + 1))
    notes = []
    if not covers_baseline((last_t - first_t) / DAY):
        notes.append(
            f"The diary covers less than {BASELINE_DAYS} days, so nothing can be called new yet "
            "and a change in its pattern is not reported."
        )
    return Patterns(
        entries=summary.entries,
        first=_datetime(first_t),
        last=_datetime(last_t),
        span_days=(last_t - first_t) / DAY,
        active_days=int(summary.day.size),
        weekly=weeks,
        trend=trend(weeks),
        recent=recent_activity(summary),
        regions=regions,
        new_regions=[c.finding for c in regions if c.new],
        spread=spread,
        symptoms=symptom_courses,
        weakness=weakness_course(symptoms, baseline_end, vocab),
        triggers=trigger_associations(summary),
        notes=notes,
    )
