"""Storage on both backends: migrations, round trips, constraints, transactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from twitchcheck.diary import repository as repo
from twitchcheck.diary.db import Database, current_revision, downgrade, head_revision, migrate
from twitchcheck.diary.models import TABLES, Base
from twitchcheck.diary.schemas import EntryUpdate, NoteFinding, UserPublic

from .conftest import BACKENDS, KB, entry, fake_extractor


def test_schema_is_at_head_and_matches_the_models(db: Database) -> None:
    assert current_revision(db.engine) == head_revision() == "0003_login_pairs"
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    assert set(TABLES) <= set(inspect(db.engine).get_table_names())


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_go_down_and_up_on_an_empty_database(backend: str, fresh_url: Any) -> None:
    url, cleanup = fresh_url(backend)
    try:
        db = Database.open(url)
        downgrade(db.engine, "base")
        assert current_revision(db.engine) is None
        assert not set(TABLES) & set(inspect(db.engine).get_table_names())
        migrate(db.engine)
        assert current_revision(db.engine) == head_revision()
        db.close()
        again = Database.open(url)  # opening an up-to-date database changes nothing
        assert current_revision(again.engine) == head_revision()
        again.close()
    finally:
        cleanup()


def test_sqlite_is_durable_and_strict(fresh_url: Any) -> None:
    url, _ = fresh_url("sqlite")
    db = Database.open(url)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    db.close()


def test_add_get_round_trip_keeps_the_writers_time_zone(session: Any, alice: UserPublic) -> None:
    when = datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=10)))
    saved = repo.add_entry(
        session,
        alice.id,
        entry(occurred_at=when, kind="cramp", side="left", regions=["calf", "loc_thigh"], intensity=7,
              duration_minutes=2.5, count=12, caffeine_mg=240, alcohol_units=1.5, sleep_hours=6.5, stress=8,
              exercise_minutes=30, medications="started salbutamol", symptoms=["weakness"],
              note="Calf felt weak after coffee"),
        extractor=fake_extractor,
kb=KB,
    )  # fmt: skip
    got = repo.get_entry(session, alice.id, saved.id)
    assert got == saved
    assert got.occurred_at == when and got.occurred_at.utcoffset() == timedelta(hours=10)
    assert got.regions == ["loc_calf", "loc_thigh"]
    assert got.exercised is True
    assert {(f.finding, f.state, f.field) for f in got.note_findings} == {
        ("loc_calf", "present", "note"),
        ("weakness", "present", "note"),
        ("trigger_caffeine", "present", "note"),
        ("drug_beta_agonist", "present", "medications"),
    }
    for f in got.note_findings:
        source = got.note if f.field == "note" else got.medications
        assert source is not None and source[f.start : f.end] == f.span


def test_stored_times_are_utc_and_aware(session: Any, alice: UserPublic) -> None:
    when = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5)))
    saved = repo.add_entry(session, alice.id, entry(occurred_at=when), note_findings=[], kb=KB)
    series = repo.load_series(session, alice.id)
    assert series.t[0] == when.timestamp()
    assert series.offset[0] == -300
    assert saved.created_at.tzinfo is not None


def test_list_orders_filters_and_pages(session: Any, alice: UserPublic) -> None:
    ids = [repo.add_entry(session, alice.id, entry(day), kb=KB).id for day in (3, 1, 2, 0)]
    listed = repo.list_entries(session, alice.id)
    assert [e.id for e in listed] == [ids[0], ids[2], ids[1], ids[3]]
    oldest = repo.list_entries(session, alice.id, newest_first=False, limit=2)
    assert [e.id for e in oldest] == [ids[3], ids[1]]
    window = repo.list_entries(
        session, alice.id, since=entry(1).occurred_at, until=entry(3).occurred_at, newest_first=False
    )
    assert [e.id for e in window] == [ids[1], ids[2]]
    assert repo.count_entries(session, alice.id) == 4


def test_update_validates_the_merged_entry_and_rereads_the_note(session: Any, alice: UserPublic) -> None:
    saved = repo.add_entry(session, alice.id, entry(0, note="calf"), extractor=fake_extractor, kb=KB)
    assert [f.finding for f in saved.note_findings] == ["loc_calf"]
    updated = repo.update_entry(
        session,
        alice.id,
        saved.id,
        EntryUpdate(intensity=4, note="trouble to swallow"),
        extractor=fake_extractor,
        kb=KB,
    )
    assert updated.intensity == 4
    assert [f.finding for f in updated.note_findings] == ["dysphagia"]
    assert updated.updated_at >= saved.updated_at and updated.created_at == saved.created_at
    cleared = repo.update_entry(
        session, alice.id, saved.id, EntryUpdate(intensity=None), extractor=fake_extractor, kb=KB
    )
    assert cleared.intensity is None and cleared.note == "trouble to swallow"
    with pytest.raises(ValueError, match="exercised"):
        repo.update_entry(
            session, alice.id, saved.id, EntryUpdate(exercised=False, exercise_minutes=20), kb=KB
        )
    assert repo.get_entry(session, alice.id, saved.id).exercise_minutes is None


def test_delete(session: Any, alice: UserPublic) -> None:
    saved = repo.add_entry(session, alice.id, entry(0), kb=KB)
    repo.delete_entry(session, alice.id, saved.id)
    with pytest.raises(repo.NotFound):
        repo.get_entry(session, alice.id, saved.id)
    with pytest.raises(repo.NotFound):
        repo.delete_entry(session, alice.id, saved.id)


def test_entries_need_an_existing_user(session: Any) -> None:
    with pytest.raises(repo.NotFound):
        repo.add_entry(session, 999_999, entry(0), kb=KB)


def test_a_batch_is_all_or_nothing(session: Any, alice: UserPublic) -> None:
    good = [entry(day) for day in range(5)]

    def broken_reader(text_: str) -> list[NoteFinding]:
        raise RuntimeError("reader crashed")

    with pytest.raises(RuntimeError):
        repo.add_entries(session, alice.id, [*good, entry(9, note="x")], extractor=broken_reader, kb=KB)
    assert repo.count_entries(session, alice.id) == 0
    ids = repo.add_entries(session, alice.id, good, kb=KB)
    assert len(ids) == 5 and ids == sorted(ids)
    assert repo.count_entries(session, alice.id) == 5


@pytest.mark.parametrize(
    ("column", "value"),
    [("intensity", 11), ("stress", -1), ("sleep_hours", 25.0), ("kind", "'sneeze'"), ("count", -3),
     ("utc_offset_minutes", 5000), ("side", "'up'")],
)  # fmt: skip
def test_the_database_enforces_the_rules_too(
    db: Database, alice: UserPublic, column: str, value: Any
) -> None:
    columns = {
        "user_id": str(alice.id), "occurred_at": "'2026-01-01 00:00:00'", "utc_offset_minutes": "0",
        "kind": "'fasciculation'", "regions": "'[]'", "symptoms": "'[]'", "note_findings": "'[]'",
        "created_at": "'2026-01-01 00:00:00'", "updated_at": "'2026-01-01 00:00:00'",
    }  # fmt: skip
    columns[column] = str(value)
    names = ", ".join(f'"{c}"' for c in columns)
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text(f"INSERT INTO entries ({names}) VALUES ({', '.join(columns.values())})"))


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO entries (user_id, occurred_at, utc_offset_minutes, kind, regions, symptoms, "
                "note_findings, created_at, updated_at) VALUES (424242, '2026-01-01 00:00:00', 0, "
                "'fasciculation', '[]', '[]', '[]', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )


def test_naive_datetimes_never_reach_the_database(session: Any, alice: UserPublic) -> None:
    from twitchcheck.diary.models import Entry

    row = Entry(user_id=alice.id, occurred_at=datetime(2026, 1, 1), kind="cramp", regions=[], symptoms=[],
                note_findings=[])  # fmt: skip
    session.add(row)
    with pytest.raises(Exception, match="timezone-aware"):
        session.commit()
    session.rollback()
    assert repo.count_entries(session, alice.id) == 0


def test_load_series_is_time_ordered(session: Any, alice: UserPublic) -> None:
    for day in (5, 1, 3):
        repo.add_entry(session, alice.id, entry(day, count=day), kb=KB)
    series = repo.load_series(session, alice.id)
    assert list(series.numbers["count"]) == [1.0, 3.0, 5.0]
    assert list(series.t) == sorted(series.t)
    assert series.t[0] == (entry(1).occurred_at).timestamp()
    assert datetime.fromtimestamp(series.t[-1], tz=UTC) == entry(5).occurred_at


def _open_and_close(url: str) -> str:
    try:
        Database.open(url).close()
    except Exception as exc:  # noqa: BLE001 - reported back to the test
        return repr(exc)
    return "ok"


@pytest.mark.slow  # starts several processes: 6-10 s
@pytest.mark.parametrize("backend", BACKENDS)
def test_several_processes_may_migrate_at_once(backend: str, fresh_url: Any) -> None:
    import multiprocessing

    url, cleanup = fresh_url(backend)
    try:
        with multiprocessing.get_context("spawn").Pool(3) as pool:
            assert pool.map(_open_and_close, [url] * 3) == ["ok"] * 3
        db = Database.open(url, upgrade=False)
        assert current_revision(db.engine) == head_revision()
        db.close()
    finally:
        cleanup()
