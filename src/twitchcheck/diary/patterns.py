"""Patterns in one person's diary: pure functions over an :class:`EntrySeries` (numpy columns).

What the issue asks a diary to show, because a one-shot checker cannot: how long the twitching has
gone on, whether it is becoming more frequent, whether it spreads to new body regions, whether
weakness is new or getting worse, and which of the person's own habits go with worse days.

Thresholds here are analysis choices (how much data makes a trend or an association worth
showing), not clinical figures; each is named and explained where it is defined.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from twitchcheck.diary.schemas import EntryBase, EntryPublic, NoteFinding, Vocabulary, vocabulary
from twitchcheck.knowledge import KnowledgeBase

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DAY = 86_400
EPOCH = date(1970, 1, 1)
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
MIN_ASSOCIATION_DAYS = 10  # fewer diary days than this: no association is computed
PERSISTENT_WEAKNESS_DAYS = 28
Z_975 = 1.959963984540054
SPEARMAN_SE_FACTOR = 1.06  # Fieller, Hartley & Pearson (1957): var(atanh(rho_s)) ~ 1.06 / (n - 3)

# Two-sided 95% Student t critical values for df = 1..30 (standard table); normal beyond.
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip

WEAKNESS_FINDINGS = (
    "weakness",
    "weakness_progressive",
    "weakness_rapid",
    "weakness_one_side",
    "weakness_proximal",
    "weak_grip",
    "tripping",
)

CAUSATION_CAUTION = (
    "These are associations in your own diary, not proof of cause. Things that change on the same days "
    "(sleep, stress, illness, what you chose to write down) can explain them, and with few days a "
    "pattern can appear by chance. Use them as ideas to test, for example by cutting down one thing "
    "for a couple of weeks and seeing whether the diary changes."
)


_NO_ITEMS: tuple[Any, ...] = ()


def _floats(column: Sequence[Any], missing: float | None = None) -> FloatArray:
    """A column with None (or the ``missing`` sentinel) -> float array with NaN, without per-item Python."""
    try:
        values = np.array(column, dtype=np.float64)
    except TypeError:  # None present
        objects = np.array(column, dtype=object)
        objects[objects == None] = np.nan  # noqa: E711 - elementwise comparison
        values = objects.astype(np.float64)
    if missing is not None:
        values[values == missing] = np.nan
    return values


def _lists(column: Sequence[Any]) -> list[Any]:
    """JSON-array texts (or lists) -> sequences; each distinct text is parsed once and shared."""
    if column and set(map(type, column)) <= {str, type(None)}:
        parsed: dict[Any, Any] = {
            v: _NO_ITEMS if v is None or v == "[]" else tuple(json.loads(v)) for v in set(column)
        }
        return [parsed[v] for v in column]
    return [v if v else _NO_ITEMS for v in column]


def covers_baseline(span_days: float) -> bool:
    """Whether a diary spanning ``span_days`` (first to last entry) covers :data:`BASELINE_DAYS`."""
    return span_days >= BASELINE_DAYS


def t_critical(df: int) -> float:
    if df < 1:
        return math.inf
    return _T_975[df - 1] if df <= len(_T_975) else Z_975


# How a day's entries add up, by field name: the one mapping of the fields the patterns read per day
# ("sum": the day's total, with how many entries recorded it; "max": the day's highest). Checked on import.
PER_DAY: dict[str, Literal["sum", "max"]] = {
    "duration_minutes": "sum",
    "caffeine_mg": "sum",
    "caffeine_cups": "sum",
    "alcohol_units": "sum",
    "sleep_hours": "sum",
    "exercise_minutes": "sum",
    "stress": "max",
    "exercised": "max",
}
SUMMED = tuple(name for name, how in PER_DAY.items() if how == "sum")
HIGHEST = tuple(name for name, how in PER_DAY.items() if how == "max")
if not set(PER_DAY) <= set(EntryBase.fields_of("number", "flag")):
    raise TypeError(f"PER_DAY names fields an entry does not have as numbers: {sorted(PER_DAY)}")

# An entry's fields as the series holds them, read from the model. The note's words are left out: what
# they say is in note_findings, and no pattern reads the words themselves.
NUMBER_COLUMNS = EntryBase.fields_of("number", "flag")  # floats, NaN when not recorded; yes/no as 1/0
VALUE_COLUMNS = tuple(name for name in EntryBase.fields_of("choice", "text") if name != "note")
LIST_COLUMNS = (*EntryBase.fields_of("ids"), *EntryPublic.fields_of("records"))


@dataclass(frozen=True)
class EntrySeries:
    """One person's entries as columns, sorted by time, each under its field's name."""

    ids: IntArray
    t: FloatArray  # seconds since the epoch, UTC
    offset: IntArray  # the writer's UTC offset in minutes
    numbers: dict[str, FloatArray]  # NUMBER_COLUMNS
    values: dict[str, list[Any]]  # VALUE_COLUMNS
    lists: dict[str, list[Sequence[Any]]]  # LIST_COLUMNS; identical lists may be one shared object

    # The row a query or an entry gives: its id, when (and in which UTC offset), then its fields.
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id",
        *EntryBase.fields_of("time"),
        "utc_offset_minutes",
        *NUMBER_COLUMNS,
        *VALUE_COLUMNS,
        *LIST_COLUMNS,
    )

    @property
    def n(self) -> int:
        return int(self.t.size)

    @cached_property
    def day(self) -> IntArray:
        """Local calendar day of each entry (days since 1970-01-01 in the writer's own time zone)."""
        return np.floor_divide(np.floor(self.t).astype(np.int64) + self.offset * 60, DAY)

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]], missing: float | None = None) -> EntrySeries:
        """Rows in :attr:`COLUMNS` order. ``occurred_at`` may be an aware datetime or epoch seconds;
        list columns may be lists or their JSON text (identical texts are parsed once and shared);
        numbers equal to ``missing`` (a sentinel the query used for NULL) become NaN."""
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [()] * len(cls.COLUMNS)
        column = dict(zip(cls.COLUMNS, columns, strict=True))
        when = column["occurred_at"]
        t = (
            np.array([w.timestamp() for w in when], dtype=np.float64)
            if when and isinstance(when[0], datetime)
            else np.array(when, dtype=np.float64)
        )
        ids = np.array(column["id"], dtype=np.int64)
        order = np.lexsort((ids, t))
        if np.any(order != np.arange(order.size)):
            column = {name: [col[i] for i in order] for name, col in column.items()}
            t, ids = t[order], ids[order]
        return cls(
            ids=ids,
            t=t,
            offset=np.array(column["utc_offset_minutes"], dtype=np.int64),
            numbers={name: _floats(column[name], missing) for name in NUMBER_COLUMNS},
            values={name: list(column[name]) for name in VALUE_COLUMNS},
            lists={name: _lists(column[name]) for name in LIST_COLUMNS},
        )

    @classmethod
    def from_entries(
        cls, entries: Iterable[EntryBase], note_findings: Sequence[Sequence[NoteFinding]] | None = None
    ) -> EntrySeries:
        """Build from validated entries (tests, imports, previews before saving)."""
        items = list(entries)
        notes = note_findings or [getattr(e, "note_findings", []) for e in items]
        rows = []
        for index, (e, found) in enumerate(zip(items, notes, strict=True)):
            offset = e.occurred_at.utcoffset() or timedelta(0)
            row = {
                "id": getattr(e, "id", index + 1),
                "utc_offset_minutes": int(offset.total_seconds() // 60),
                "note_findings": [f.model_dump() for f in found],
            }
            rows.append(tuple(row[name] if name in row else getattr(e, name) for name in cls.COLUMNS))
        return cls.from_rows(rows)

    @classmethod
    def empty(cls) -> EntrySeries:
        return cls.from_rows([])

    def summary(self) -> DiarySummary:
        """Aggregate to what the patterns need: per local day, per (kind, side, regions), and the
        few entries that carry symptoms, note findings or a medicine change."""
        if self.n == 0:
            return DiarySummary.empty()
        days, inverse = np.unique(self.day, return_inverse=True)
        ndays = days.size
        sums: dict[str, FloatArray] = {}
        counts: dict[str, FloatArray] = {}
        for name in SUMMED:
            values = self.numbers[name]
            have = ~np.isnan(values)
            sums[name] = np.bincount(inverse, weights=np.where(have, values, 0.0), minlength=ndays).astype(
                np.float64
            )
            counts[name] = np.bincount(inverse, weights=have.astype(np.float64), minlength=ndays).astype(
                np.float64
            )
        maxima: dict[str, FloatArray] = {}
        for name in HIGHEST:
            values = self.numbers[name]
            have = ~np.isnan(values)
            top = np.full(ndays, -np.inf)
            np.maximum.at(top, inverse[have], values[have])
            maxima[name] = np.where(np.isneginf(top), np.nan, top)
        kinds, sides, medications = self.values["kind"], self.values["side"], self.values["medications"]
        regions, symptoms, notes = self.lists["regions"], self.lists["symptoms"], self.lists["note_findings"]
        grouped: dict[tuple[str, str | None, tuple[str, ...]], list[float]] = {}
        for i, key in enumerate(zip(kinds, sides, map(tuple, regions), strict=True)):
            t = float(self.t[i])
            seen = grouped.get(key)
            if seen is None:
                grouped[key] = [1, t, t]
            else:
                seen[0] += 1
                seen[2] = t
        groups = [Group(k, sd, r, int(n), first, last) for (k, sd, r), (n, first, last) in grouped.items()]
        details = [
            Detail(
                int(self.ids[i]), float(self.t[i]), int(self.offset[i]), tuple(regions[i]),
                tuple(symptoms[i]), tuple(notes[i]), medications[i],
            )
            for i in range(self.n)
            if symptoms[i] or notes[i] or medications[i]
        ]  # fmt: skip
        return DiarySummary(
            entries=self.n,
            first_t=float(self.t[0]),
            last_t=float(self.t[-1]),
            day=days.astype(np.int64),
            day_entries=np.bincount(inverse, minlength=ndays).astype(np.float64),
            twitches=np.bincount(inverse, weights=burden(self), minlength=ndays).astype(np.float64),
            sums=sums,
            counts=counts,
            maxima=maxima,
            groups=sort_groups(groups),
            details=details,
        )


@dataclass(frozen=True)
class Group:
    """Entries that share kind, side and body regions: how many, first and last time."""

    kind: str
    side: str | None
    regions: tuple[str, ...]
    entries: int
    first_t: float
    last_t: float


@dataclass(frozen=True)
class Detail:
    """An entry that carries new symptoms, note findings or a medicine change."""

    id: int
    t: float
    offset: int
    regions: tuple[str, ...]
    symptoms: tuple[str, ...]
    note_findings: tuple[dict[str, Any], ...]
    medications: str | None

    @property
    def date(self) -> date:
        return day_to_date((int(math.floor(self.t)) + self.offset * 60) // DAY)


def sort_groups(groups: list[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (g.first_t, g.kind, g.side or "", g.regions))


@dataclass(frozen=True)
class DiarySummary:
    """A diary reduced to what the patterns need. Its size grows with days and distinct (kind, side,
    regions) combinations, not with entries, so a long diary loads as fast as a short one.

    Built from entries by :meth:`EntrySeries.summary`, or straight from the database by
    ``repository.load_summary`` (SQL aggregates); tests check the two agree.
    """

    entries: int
    first_t: float
    last_t: float
    day: IntArray  # local calendar days with entries (days since 1970-01-01), ascending
    day_entries: FloatArray
    twitches: FloatArray  # the count when given, otherwise 1 per entry
    sums: dict[str, FloatArray]  # SUMMED fields per day (0 where nothing was recorded)
    counts: dict[str, FloatArray]  # how many entries recorded each SUMMED field that day
    maxima: dict[str, FloatArray]  # HIGHEST fields per day (NaN where nothing was recorded)
    groups: list[Group]
    details: list[Detail]  # in time order

    @classmethod
    def empty(cls) -> DiarySummary:
        none = np.empty(0, dtype=np.float64)
        return cls(
            0, 0.0, 0.0, np.empty(0, dtype=np.int64), none, none, dict.fromkeys(SUMMED, none),
            dict.fromkeys(SUMMED, none), dict.fromkeys(HIGHEST, none), [], [],
        )  # fmt: skip


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
class Association:
    """Spearman correlation between a factor and twitches, over diary days that record both."""

    factor: str
    finding: str
    unit: str
    expected: Literal["positive", "negative"]
    n_days: int
    rho: float | None
    ci_low: float | None
    ci_high: float | None
    mean_twitches_high: float | None
    mean_twitches_low: float | None
    supports_trigger: bool
    status: Literal["ok", "not enough data", "no variation"]
    summary: str


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


# ---------------------------------------------------------------------------------------------- helpers


def burden(series: EntrySeries) -> FloatArray:
    """Twitches per entry: the count when given, otherwise 1 (the entry itself)."""
    count = series.numbers["count"]
    return np.where(np.isnan(count), 1.0, count)


def day_to_date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def rankdata(values: FloatArray) -> FloatArray:
    """Average ranks (ties share the mean rank), as ``scipy.stats.rankdata``."""
    sorter = np.argsort(values, kind="mergesort")
    inverse = np.empty(sorter.size, dtype=np.intp)
    inverse[sorter] = np.arange(sorter.size)
    ordered = values[sorter]
    obs = np.r_[True, ordered[1:] != ordered[:-1]]
    dense = obs.cumsum()[inverse]
    bounds = np.r_[np.nonzero(obs)[0], len(obs)]
    ranks: FloatArray = 0.5 * (bounds[dense] + bounds[dense - 1] + 1)
    return ranks


def spearman(x: FloatArray, y: FloatArray) -> float | None:
    """Spearman's rho, or None when either side has no variation."""
    rx, ry = rankdata(x), rankdata(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denom = math.sqrt(float(rx @ rx) * float(ry @ ry))
    if denom == 0.0:
        return None
    return max(-1.0, min(1.0, float(rx @ ry) / denom))


def fisher_ci(rho: float, n: int) -> tuple[float, float]:
    """95% interval for Spearman's rho through Fisher's z with the Fieller et al. variance."""
    if n <= 3:
        return -1.0, 1.0
    z = math.atanh(max(-0.999999, min(0.999999, rho)))
    half = Z_975 * math.sqrt(SPEARMAN_SE_FACTOR / (n - 3))
    return math.tanh(z - half), math.tanh(z + half)


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


# Factor name -> (knowledge-base trigger finding, expected sign, unit).
FACTORS: dict[str, tuple[str, Literal["positive", "negative"], str]] = {
    "caffeine": ("trigger_caffeine", "positive", "mg or cups per day"),
    "alcohol": ("trigger_alcohol", "positive", "units per day"),
    "sleep": ("trigger_sleep_loss", "negative", "hours of sleep"),
    "stress": ("trigger_stress", "positive", "stress 0-10"),
    "exercise": ("trigger_exercise", "positive", "minutes of exercise (or yes/no)"),
}
_WORDS = {
    "caffeine": ("more caffeine", "less caffeine"),
    "alcohol": ("more alcohol", "less alcohol"),
    "sleep": ("less sleep", "more sleep"),
    "stress": ("more stress", "less stress"),
    "exercise": ("more exercise", "less exercise"),
}


def _recorded(summary: DiarySummary, name: str, mean: bool = False) -> FloatArray:
    counts = summary.counts[name]
    values = summary.sums[name] / np.maximum(counts, 1) if mean else summary.sums[name]
    return np.where(counts > 0, values, np.nan)


def daily_table(summary: DiarySummary) -> tuple[IntArray, FloatArray, dict[str, tuple[FloatArray, str]]]:
    """Diary days (local day numbers), twitches per day, and each factor per day (NaN if not recorded)."""
    mg, cups = _recorded(summary, "caffeine_mg"), _recorded(summary, "caffeine_cups")
    # One unit per person: whichever the diary uses on more days (no mg-per-cup conversion is assumed).
    caffeine, caffeine_unit = (
        (mg, "mg per day") if np.sum(~np.isnan(mg)) >= np.sum(~np.isnan(cups)) else (cups, "cups per day")
    )
    minutes, did = _recorded(summary, "exercise_minutes"), summary.maxima["exercised"]
    exercise, exercise_unit = (
        (minutes, "minutes of exercise per day")
        if np.sum(~np.isnan(minutes)) >= np.sum(~np.isnan(did))
        else (did, "exercised (yes = 1)")
    )
    factors = {
        "caffeine": (caffeine, caffeine_unit),
        "alcohol": (_recorded(summary, "alcohol_units"), "units per day"),
        "sleep": (_recorded(summary, "sleep_hours", mean=True), "hours of sleep"),
        "stress": (summary.maxima["stress"], "stress 0-10 (highest that day)"),
        "exercise": (exercise, exercise_unit),
    }
    return summary.day, summary.twitches, factors


def association(factor: str, x: FloatArray, y: FloatArray, unit: str) -> Association:
    finding, expected, _ = FACTORS[factor]
    keep = ~np.isnan(x)
    x, y = x[keep], y[keep]
    n = int(x.size)
    more, less = _WORDS[factor]

    def result(status: Literal["not enough data", "no variation"], summary: str) -> Association:
        return Association(
            factor, finding, unit, expected, n, None, None, None, None, None, False, status, summary
        )

    if n < MIN_ASSOCIATION_DAYS:
        return result(
            "not enough data",
            f"Only {n} diary day(s) record {factor}; at least {MIN_ASSOCIATION_DAYS} are needed "
            "to look for a link.",
        )
    rho = spearman(x, y)
    if rho is None:
        return result(
            "no variation", f"{factor.capitalize()} or twitching did not vary across your diary days."
        )
    low, high = fisher_ci(rho, n)
    median = float(np.median(x))
    high_days, low_days = (x > median, x <= median) if expected == "positive" else (x < median, x >= median)
    mean_high = float(y[high_days].mean()) if high_days.any() else None
    mean_low = float(y[low_days].mean()) if low_days.any() else None
    supports = low > 0 if expected == "positive" else high < 0
    if supports:
        lead = f"On days with {more} you logged more twitches"
    elif (expected == "positive" and high < 0) or (expected == "negative" and low > 0):
        lead = f"On days with {more} you logged fewer twitches, not more"
    else:
        lead = f"No clear link between {factor} and twitching in your diary"
    figures = f"Spearman rho {rho:+.2f}, 95% CI {low:+.2f} to {high:+.2f}, {n} days"
    if mean_high is not None and mean_low is not None:
        figures += f"; average twitches {mean_high:.1f} on {more} days vs {mean_low:.1f} on {less} days"
    summary = f"{lead} ({figures}). An association is not proof of cause."
    return Association(
        factor, finding, unit, expected, n, rho, low, high, mean_high, mean_low, supports, "ok", summary
    )


def trigger_associations(summary: DiarySummary) -> list[Association]:
    _, twitches, factors = daily_table(summary)
    return [association(name, values, twitches, unit) for name, (values, unit) in factors.items()]


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
