"""Diary entries, always scoped to one user.

Every function takes the user id and puts it in every query, so an entry id belonging to someone
else behaves exactly like an id that does not exist (:class:`NotFound`). Write functions commit
before they return: a returned id is an acknowledged, durable entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Dialect,
    Float,
    Integer,
    Text,
    bindparam,
    cast,
    delete,
    extract,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from twitchcheck.diary.db import writing
from twitchcheck.diary.models import MAX_ID, Entry, User, utcnow
from twitchcheck.diary.schemas import (
    EntryBase,
    EntryCreate,
    EntryPublic,
    EntryUpdate,
    NoteFinding,
    local_time,
    new_entry,
    offset_minutes,
)
from twitchcheck.diary.series import (
    HIGHEST,
    LIST_COLUMNS,
    NUMBER_COLUMNS,
    SUMMED,
    Detail,
    DiarySummary,
    EntrySeries,
    Group,
    sort_groups,
)
from twitchcheck.knowledge import KnowledgeBase

NoteExtractor = Callable[[str], Sequence[NoteFinding]]
MEDICATION_CATEGORIES = ("medication",)
FLAGS = EntryBase.fields_of("flag")  # yes/no, stored as booleans, read as 1/0


class NotFound(LookupError):
    """No such entry or user for this user (deliberately the same error either way)."""


def text_extractor(kb: KnowledgeBase) -> NoteExtractor:
    """The default note reader: ``twitchcheck.text.extract`` on ``kb`` (spaCy loads on first use)."""

    def run(text: str) -> list[NoteFinding]:
        from twitchcheck.text import extract

        extraction = extract(text, kb)
        return [
            NoteFinding(finding=m.finding, state=m.state, span=m.span, start=m.start, end=m.end)
            for m in extraction.mentions
        ]

    return run


def read_texts(entry: EntryCreate, kb: KnowledgeBase, extractor: NoteExtractor | None) -> list[NoteFinding]:
    """Findings from the free note, plus medicine findings from the medications text: only ``kb``'s,
    whichever reader found them (``extractor``, default :func:`text_extractor` on ``kb``)."""
    if entry.note is None and entry.medications is None:
        return []
    reader = extractor or text_extractor(kb)
    found: list[NoteFinding] = []
    if entry.note:
        found.extend(f for f in reader(entry.note) if f.finding in kb.findings)
    if entry.medications:
        found.extend(
            f.model_copy(update={"field": "medications"})
            for f in reader(entry.medications)
            if f.finding in kb.findings and kb.findings[f.finding].category in MEDICATION_CATEGORIES
        )
    for f in found:
        text = entry.note if f.field == "note" else entry.medications
        if text is None or text[f.start : f.end] != f.span:
            raise ValueError(
                f"extractor returned a span {f.span!r} that is not at {f.start}:{f.end} of the text"
            )
    return found


def _row_values(user_id: int, entry: EntryCreate, found: Sequence[NoteFinding]) -> dict[str, Any]:
    now = utcnow()
    data = entry.model_dump(exclude={"occurred_at"})
    return {
        **data,
        "user_id": user_id,
        "occurred_at": entry.occurred_at,
        "utc_offset_minutes": offset_minutes(entry.occurred_at),
        "note_findings": [f.model_dump() for f in found],
        "created_at": now,
        "updated_at": now,
    }


def to_public(row: Entry) -> EntryPublic:
    """A stored row as the model: every field of ``EntryPublic``, the time in the writer's own offset."""
    values = {name: getattr(row, name) for name in EntryPublic.model_fields}
    values["occurred_at"] = local_time(row.occurred_at, row.utc_offset_minutes)
    return EntryPublic.model_validate(values)


def _require_user(session: Session, user_id: int) -> None:
    if session.scalar(select(User.id).where(User.id == user_id)) is None:
        raise NotFound(f"no user {user_id}")


def add_entry(
    session: Session,
    user_id: int,
    entry: EntryCreate,
    *,
    kb: KnowledgeBase,
    extractor: NoteExtractor | None = None,
    note_findings: Sequence[NoteFinding] | None = None,
) -> EntryPublic:
    """Store one entry (the note is read first, outside the transaction) and commit."""
    found = list(note_findings) if note_findings is not None else read_texts(entry, kb, extractor)
    with writing(session):
        _require_user(session, user_id)
        row = Entry(**_row_values(user_id, entry, found))
        session.add(row)
    return to_public(row)


def add_entries(
    session: Session,
    user_id: int,
    entries: Sequence[EntryCreate],
    *,
    kb: KnowledgeBase,
    extractor: NoteExtractor | None = None,
    note_findings: Sequence[Sequence[NoteFinding] | None] | None = None,
) -> list[int]:
    """Store many entries in one transaction: all of them or none. Returns their ids in order."""
    if note_findings is not None and len(note_findings) != len(entries):
        raise ValueError("note_findings must have one item per entry")
    found = [
        list(given) if given is not None else read_texts(entry, kb, extractor)
        for entry, given in zip(entries, note_findings or [None] * len(entries), strict=True)
    ]
    if not entries:
        return []
    with writing(session):
        _require_user(session, user_id)
        rows = [_row_values(user_id, e, f) for e, f in zip(entries, found, strict=True)]
        ids = list(session.scalars(insert(Entry).returning(Entry.id, sort_by_parameter_order=True), rows))
    return ids


def _check_id(entry_id: int) -> None:
    """Ids beyond the column's range cannot exist (and PostgreSQL refuses them in a query)."""
    if not 1 <= entry_id <= MAX_ID:
        raise NotFound(f"no entry {entry_id}")


def _owned(session: Session, user_id: int, entry_id: int) -> Entry:
    _check_id(entry_id)
    row = session.scalar(select(Entry).where(Entry.user_id == user_id, Entry.id == entry_id))
    if row is None:
        raise NotFound(f"no entry {entry_id}")
    return row


def get_entry(session: Session, user_id: int, entry_id: int) -> EntryPublic:
    return to_public(_owned(session, user_id, entry_id))


def list_entries(
    session: Session,
    user_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = True,
) -> list[EntryPublic]:
    """Entries in time order (newest first by default); ``since`` inclusive, ``until`` exclusive."""
    query = select(Entry).where(Entry.user_id == user_id)
    if since is not None:
        query = query.where(Entry.occurred_at >= since)
    if until is not None:
        query = query.where(Entry.occurred_at < until)
    order = (Entry.occurred_at.desc(), Entry.id.desc()) if newest_first else (Entry.occurred_at, Entry.id)
    query = query.order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [to_public(row) for row in session.scalars(query)]


def count_entries(session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Entry).where(Entry.user_id == user_id)) or 0)


def update_entry(
    session: Session,
    user_id: int,
    entry_id: int,
    patch: EntryUpdate,
    *,
    kb: KnowledgeBase,
    extractor: NoteExtractor | None = None,
) -> EntryPublic:
    """Change the given fields; the merged entry is validated as a whole against ``kb``; the note is
    re-read if changed."""
    current = to_public(_owned(session, user_id, entry_id))
    session.rollback()  # end the read: the note may take a while to read
    changes = patch.changes()
    merged = new_entry(
        kb, {**current.model_dump(exclude={"id", "note_findings", "created_at", "updated_at"}), **changes}
    )
    texts_changed = merged.note != current.note or merged.medications != current.medications
    found = read_texts(merged, kb, extractor) if texts_changed else current.note_findings
    with writing(session):
        row = _owned(session, user_id, entry_id)
        values = _row_values(user_id, merged, found)
        values.pop("created_at")
        for key, value in values.items():
            setattr(row, key, value)
    return to_public(row)


def delete_entry(session: Session, user_id: int, entry_id: int) -> None:
    _check_id(entry_id)
    with writing(session):
        result = session.execute(delete(Entry).where(Entry.user_id == user_id, Entry.id == entry_id))
        if getattr(result, "rowcount", 0) != 1:
            raise NotFound(f"no entry {entry_id}")


# Queries are compiled once per dialect object, and each opened database has its own: keep a few.
DIALECTS = 8
MISSING = -1.0  # every number column is checked >= 0, so -1 can stand for NULL in the fast path


def _epoch_seconds(dialect: str) -> ColumnElement[float]:
    """Seconds since the epoch (SQLite stores UTC text; julianday keeps milliseconds)."""
    return _epoch_of(dialect, Entry.occurred_at)


def load_series(session: Session, user_id: int) -> EntrySeries:
    """One user's entries as numpy columns for :mod:`patterns`.

    One query straight through the driver (no ORM objects, no per-row type processing): times come
    back as epoch seconds and list columns as JSON text (each distinct text parsed once), so 10,000
    entries load in a few tens of milliseconds.
    """
    compiled = _series_query(session.get_bind().dialect)
    params = compiled.construct_params({"user_id": user_id})
    args: Any = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, args)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return EntrySeries.from_rows(rows, missing=MISSING)


@lru_cache(maxsize=DIALECTS)
def _series_query(dialect: Dialect) -> SQLCompiler:
    columns: list[Any] = []
    for name in EntrySeries.COLUMNS:
        if name == "occurred_at":
            columns.append(_epoch_seconds(dialect.name))
        elif name in LIST_COLUMNS:
            columns.append(cast(getattr(Entry, name), Text))
        elif name in NUMBER_COLUMNS:
            column = getattr(Entry, name)
            value = cast(column, Integer) if name in FLAGS else column
            # float8 on PostgreSQL (never Decimal, which numpy converts slowly); REAL on SQLite
            columns.append(cast(func.coalesce(value, literal_column(str(int(MISSING)))), Float))
        else:
            columns.append(getattr(Entry, name))
    query = (
        select(*columns).where(Entry.user_id == bindparam("user_id")).order_by(Entry.occurred_at, Entry.id)
    )
    compiled = query.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    return compiled


def _epoch_of(dialect: str, value: Any) -> ColumnElement[float]:
    if dialect == "sqlite":
        return func.round((func.julianday(value) - 2440587.5) * 86400.0, 3)
    return cast(extract("epoch", value), Float)


def _local_day(dialect: str) -> ColumnElement[int]:
    """The entry's calendar day in the writer's own time zone, as days since 1970-01-01.

    Arithmetic rather than date functions (several times faster per row); shifting by a million
    days before truncating makes SQLite's CAST a floor for dates before 1970 too."""
    shift: ColumnElement[int] = literal_column("1000000", Integer)
    if dialect == "sqlite":
        local = (
            func.julianday(Entry.occurred_at)
            - 2440587.5
            + Entry.utc_offset_minutes / literal_column("1440.0")
        )
        return cast(local + shift, Integer) - shift
    seconds = extract("epoch", Entry.occurred_at) + cast(Entry.utc_offset_minutes, Integer) * literal_column(
        "60"
    )
    return cast(func.floor(seconds / 86400), Integer)


@lru_cache(maxsize=DIALECTS)
def _summary_queries(dialect: Dialect) -> tuple[SQLCompiler, SQLCompiler, SQLCompiler]:
    user = Entry.user_id == bindparam("user_id")
    epoch = _epoch_seconds(dialect.name)
    day = _local_day(dialect.name).label("day")
    per_day: list[Any] = [day, func.count(), cast(func.sum(func.coalesce(Entry.count, 1)), Float)]
    for name in DAILY_COLUMNS[3:]:
        how, field = name.split(":")
        column = getattr(Entry, field)
        if how == "sum":
            per_day.append(cast(func.coalesce(func.sum(column), 0), Float))
        elif how == "count":
            per_day.append(cast(func.count(column), Float))
        else:
            per_day.append(cast(func.max(cast(column, Integer) if field in FLAGS else column), Float))
    daily = select(*per_day).where(user).group_by(day).order_by(day)
    regions = cast(Entry.regions, Text)
    groups = (
        select(
            Entry.kind,
            Entry.side,
            regions,
            func.count(),
            _epoch_of(dialect.name, func.min(Entry.occurred_at)),
            _epoch_of(dialect.name, func.max(Entry.occurred_at)),
        )
        .where(user)
        .group_by(Entry.kind, Entry.side, regions)
    )
    symptoms, notes = cast(Entry.symptoms, Text), cast(Entry.note_findings, Text)
    details = (
        select(Entry.id, epoch, Entry.utc_offset_minutes, regions, symptoms, notes, Entry.medications)
        .where(user, or_(symptoms != "[]", notes != "[]", Entry.medications.is_not(None)))
        .order_by(Entry.occurred_at, Entry.id)
    )
    compiled = tuple(q.compile(dialect=dialect) for q in (daily, groups, details))
    assert all(isinstance(c, SQLCompiler) for c in compiled)
    return compiled  # type: ignore[return-value]


# The per-day query's columns by name: the day, its entries and twitches, then each PER_DAY field's total
# and how many entries recorded it ("sum"), or its highest ("max").
DAILY_COLUMNS = (
    "day",
    "entries",
    "twitches",
    *(f"{how}:{name}" for name in SUMMED for how in ("sum", "count")),
    *(f"max:{name}" for name in HIGHEST),
)


def _run(session: Session, compiled: SQLCompiler, user_id: int) -> list[Any]:
    params = compiled.construct_params({"user_id": user_id})
    args: Any = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def load_summary(session: Session, user_id: int) -> DiarySummary:
    """One user's diary as a :class:`DiarySummary`, aggregated by the database.

    Three small queries (per local day; per kind, side and regions; entries with symptoms, note
    findings or medicines), so the cost grows with days, not entries: a 10,000-entry diary loads
    about as fast as a 100-entry one. Equal to ``load_series(...).summary()`` (tests check it).
    """
    daily_sql, groups_sql, details_sql = _summary_queries(session.get_bind().dialect)
    daily = _run(session, daily_sql, user_id)
    if not daily:
        return DiarySummary.empty()
    columns = dict(zip(DAILY_COLUMNS, zip(*daily, strict=True), strict=True))
    numbers = {name: np.array(column, dtype=np.float64) for name, column in columns.items()}
    groups = [
        Group(kind, side, tuple(json.loads(regions)) if regions else (), int(n), float(first), float(last))
        for kind, side, regions, n, first, last in _run(session, groups_sql, user_id)
    ]
    details = [
        Detail(int(i), float(t), int(offset), _tuple(regions), _tuple(symptoms), _tuple(notes), medications)
        for i, t, offset, regions, symptoms, notes, medications in _run(session, details_sql, user_id)
    ]
    return DiarySummary(
        entries=sum(g.entries for g in groups),
        first_t=min(g.first_t for g in groups),
        last_t=max(g.last_t for g in groups),
        day=np.array(columns["day"], dtype=np.int64),
        day_entries=numbers["entries"],
        twitches=numbers["twitches"],
        sums={name: numbers[f"sum:{name}"] for name in SUMMED},
        counts={name: numbers[f"count:{name}"] for name in SUMMED},
        maxima={name: numbers[f"max:{name}"] for name in HIGHEST},
        groups=sort_groups(groups),
        details=details,
    )


def _tuple(text: str | None) -> tuple[Any, ...]:
    return tuple(json.loads(text)) if text and text != "[]" else ()
