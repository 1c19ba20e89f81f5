"""One person's diary as columns, and the same reduced to days: what the patterns and the plots read.

:class:`EntrySeries` holds the entries as numpy columns under their fields' names (read from the entry
model); :class:`DiarySummary` holds what the patterns need per local day, per (kind, side, regions) and for
the few entries with symptoms, note findings or a medicine change. The database builds the summary with
SQL aggregates (``repository.load_summary``); :meth:`EntrySeries.summary` builds the same from entries.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from twitchcheck.diary.schemas import EntryBase, EntryPublic, NoteFinding

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DAY = 86_400
EPOCH = date(1970, 1, 1)


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


def burden(series: EntrySeries) -> FloatArray:
    """Twitches per entry: the count when given, otherwise 1 (the entry itself)."""
    count = series.numbers["count"]
    return np.where(np.isnan(count), 1.0, count)


def day_to_date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))
