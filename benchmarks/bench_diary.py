"""Diary storage and re-triage at scale.

PostgreSQL: --users users with --entries entries in all, loaded with COPY; then the time to compute
one user's patterns and re-triage (load from the database + patterns + evidence + assessment +
storing the result), over --samples random users. SQLite: one heavy user with --heavy-entries
entries, same measurement. Also the validated import path (``repository.add_entries``, executemany)
on both backends.

Full run:  .venv/bin/python benchmarks/bench_diary.py
Quick run: .venv/bin/python benchmarks/bench_diary.py --users 200 --entries 20000 --heavy-entries 2000
The PostgreSQL half works in a throw-away schema of the test database (dropped at the end unless --keep).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from twitchcheck.diary import repository as repo
from twitchcheck.diary import retriage as rt
from twitchcheck.diary.db import Database, make_engine, sqlite_url
from twitchcheck.diary.models import Entry, User
from twitchcheck.diary.patterns import compute_patterns
from twitchcheck.diary.schemas import EntryCreate, new_entry, vocabulary
from twitchcheck.knowledge import load_kb

PG_URL = os.environ.get("TWITCHCHECK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
END = datetime(2026, 11, 1, tzinfo=UTC)
COLUMNS = (
    "user_id", "occurred_at", "utc_offset_minutes", "kind", "side", "regions", "intensity",
    "duration_minutes", "count", "caffeine_mg", "caffeine_cups", "alcohol_units", "sleep_hours", "stress",
    "exercise_minutes", "exercised", "medications", "symptoms", "note", "note_findings", "created_at",
    "updated_at",
)  # fmt: skip


def synthetic_rows(
    user_ids: np.ndarray, per_user: np.ndarray, days: int, seed: int
) -> Iterator[tuple[Any, ...]]:
    """Plausible entries: a few regions per person, counts that go with caffeine, sleep and stress."""
    rng = np.random.default_rng(seed)
    regions = vocabulary(load_kb()).regions
    kinds = ("fasciculation",) * 8 + ("cramp", "spasm")
    now = datetime.now(UTC)
    for user_id, n in zip(user_ids.tolist(), per_user.tolist(), strict=True):
        home = rng.choice(len(regions), size=3, replace=False)
        t = np.sort(rng.uniform(0, days * 86_400, n))
        cups = rng.integers(0, 6, n)
        sleep = np.round(rng.uniform(4, 9, n), 1)
        stress = rng.integers(0, 11, n)
        counts = np.maximum(0, (3 * cups + 2 * (8 - sleep) + stress + rng.normal(0, 3, n))).astype(int)
        start = END - timedelta(days=days)
        for i in range(n):
            picked = [regions[home[j]] for j in range(1 + int(rng.integers(0, 2)))]
            yield (
                user_id, start + timedelta(seconds=float(t[i])), 60, kinds[int(rng.integers(0, 10))],
                None, json.dumps(picked), int(rng.integers(0, 11)), None, int(counts[i]), None,
                float(cups[i]), None, float(sleep[i]), int(stress[i]), None, None, None,
                '["weakness"]' if rng.random() < 0.005 else "[]", None, "[]", now, now,
            )  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def timings(label: str, values: list[float]) -> dict[str, Any]:
    ms = [v * 1000 for v in values]
    out = {
        "what": label,
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
    }
    print(f"  {label:<46} n={out['n']:<5} p50 {out['p50_ms']:>7.2f} ms  p95 {out['p95_ms']:>7.2f} ms  "
          f"p99 {out['p99_ms']:>7.2f} ms  max {out['max_ms']:>7.2f} ms")  # fmt: skip
    return out


def measure_user(db: Database, user_id: int, samples: int, label: str) -> list[dict[str, Any]]:
    """End to end (load + patterns + evidence + assess + store), and the parts on their own."""
    kb = load_kb()
    total: list[float] = []
    load: list[float] = []
    compute: list[float] = []
    with db.session() as session:
        rt.retriage(session, user_id, store="always", kb=kb)  # warm caches
        for _ in range(samples):
            t0 = time.perf_counter()
            rt.retriage(session, user_id, store="always", kb=kb)
            total.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            summary = repo.load_summary(session, user_id)
            session.rollback()
            t1 = time.perf_counter()
            compute_patterns(summary, kb)
            t2 = time.perf_counter()
            load.append(t1 - t0)
            compute.append(t2 - t1)
    return [
        timings(f"{label}: patterns + re-triage (end to end)", total),
        timings(f"{label}: load (SQL aggregates)", load),
        timings(f"{label}: patterns only", compute),
    ]


def measure_users(db: Database, user_ids: list[int], label: str) -> list[dict[str, Any]]:
    kb = load_kb()
    total: list[float] = []
    with db.session() as session:
        rt.retriage(session, user_ids[0], store="always", kb=kb)
        for user_id in user_ids:
            t0 = time.perf_counter()
            rt.retriage(session, user_id, store="always", kb=kb)
            total.append(time.perf_counter() - t0)
    return [timings(f"{label}: patterns + re-triage (end to end)", total)]


def validated_import_rate(db: Database, user_id: int, n: int) -> float:
    """Entries per second through EntryCreate validation and repository.add_entries (executemany)."""
    kb = load_kb()
    start = END - timedelta(days=400)
    entries = [
        new_entry(kb, {"occurred_at": start + timedelta(minutes=7 * i), "regions": ["loc_calf"],
                       "count": i % 40, "caffeine_cups": float(i % 5), "sleep_hours": 7.0, "stress": i % 11})
        for i in range(n)
    ]  # fmt: skip
    with db.session() as session:
        t0 = time.perf_counter()
        for chunk in range(0, n, 1000):
            part = entries[chunk : chunk + 1000]
            repo.add_entries(session, user_id, part, kb=kb, note_findings=[[]] * len(part))
        elapsed = time.perf_counter() - t0
    return n / elapsed


def time_it(label: str, fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    print(f"  {label}: {elapsed:.1f} s")
    return result, elapsed


def run_postgres(args: argparse.Namespace) -> dict[str, Any]:
    schema = f"tc_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(args.pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(args.pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    result: dict[str, Any] = {"backend": "postgresql", "users": args.users, "entries": args.entries}
    try:
        db = Database.open(url)
        print(f"PostgreSQL ({schema}): {args.users} users, {args.entries} entries")
        now = datetime.now(UTC)
        rng = np.random.default_rng(1)
        with db.engine.begin() as conn:
            conn.execute(
                insert(User),
                [{"username": f"user{i:06d}", "password_hash": None, "created_at": now,
                  "year_of_birth": int(rng.integers(1950, 2006)), "sex": ("male", "female")[i % 2]}
                 for i in range(args.users)],
            )  # fmt: skip
        with db.session() as session:
            user_ids = np.array(session.scalars(select(User.id).order_by(User.id)).all())
        per_user = rng.multinomial(args.entries, np.full(len(user_ids), 1 / len(user_ids)))
        rows = list(synthetic_rows(user_ids, per_user, days=180, seed=2))

        def copy() -> None:
            raw = db.engine.raw_connection()
            try:
                cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
                with cursor.copy(f"COPY entries ({', '.join(COLUMNS)}) FROM STDIN") as stream:
                    for row in rows:
                        stream.write_row(row)
                raw.commit()
            finally:
                raw.close()

        _, elapsed = time_it(f"COPY {len(rows)} entries", copy)
        result["copy_rows_per_s"] = round(len(rows) / elapsed)
        print(f"  insert rate (COPY): {result['copy_rows_per_s']:,} entries/s")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            time_it("VACUUM ANALYZE entries", lambda: conn.execute(text("VACUUM ANALYZE entries")))
        rate = validated_import_rate(db, int(user_ids[0]), args.import_entries)
        result["validated_import_rows_per_s"] = round(rate)
        print(f"  insert rate (validated add_entries, executemany): {rate:,.0f} entries/s")
        sample = np.random.default_rng(3).choice(
            user_ids[1:], size=min(args.samples, len(user_ids) - 1), replace=False
        )
        result["typical_user"] = measure_users(
            db, [int(u) for u in sample], f"PG, {len(sample)} random users"
        )
        heavy = int(user_ids[-1])
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM entries WHERE user_id = :u"), {"u": heavy})
        heavy_rows = list(synthetic_rows(np.array([heavy]), np.array([args.heavy_entries]), days=365, seed=4))
        with db.engine.begin() as conn:
            conn.execute(
                insert(Entry), [dict(zip(COLUMNS, r, strict=True)) | _json_cols(r) for r in heavy_rows]
            )
        result["heavy_user"] = measure_user(
            db, heavy, args.heavy_samples, f"PG, one user with {args.heavy_entries}"
        )
        db.close()
    finally:
        if not args.keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    return result


def _json_cols(row: tuple[Any, ...]) -> dict[str, Any]:
    values = dict(zip(COLUMNS, row, strict=True))
    return {k: json.loads(values[k]) for k in ("regions", "symptoms", "note_findings")}


def run_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="tc_bench_"))
    db = Database.open(sqlite_url(folder / "diary.db"))
    print(f"SQLite ({folder}): one user with {args.heavy_entries} entries")
    result: dict[str, Any] = {"backend": "sqlite", "heavy_entries": args.heavy_entries}
    with db.session() as session:
        from twitchcheck.diary.accounts import get_or_create_local_user

        user = get_or_create_local_user(session)
    rows = list(synthetic_rows(np.array([user.id]), np.array([args.heavy_entries]), days=365, seed=5))

    def bulk() -> None:
        with db.engine.begin() as conn:
            conn.execute(insert(Entry), [dict(zip(COLUMNS, r, strict=True)) | _json_cols(r) for r in rows])

    _, elapsed = time_it(f"executemany {len(rows)} entries (one transaction)", bulk)
    result["bulk_rows_per_s"] = round(len(rows) / elapsed)
    print(f"  insert rate (bulk executemany): {result['bulk_rows_per_s']:,} entries/s")
    with db.session() as session:
        from twitchcheck.diary.accounts import register
        from twitchcheck.diary.schemas import UserCreate

        other = register(session, UserCreate(username="importer", password="benchmark only"))
    rate = validated_import_rate(db, other.id, args.import_entries)
    result["validated_import_rows_per_s"] = round(rate)
    print(f"  insert rate (validated add_entries, 1000 per transaction): {rate:,.0f} entries/s")
    t0 = time.perf_counter()
    with db.session() as session:
        for i in range(200):
            entry = EntryCreate(occurred_at=END - timedelta(hours=i))
            repo.add_entry(session, other.id, entry, kb=load_kb(), note_findings=[])
    result["single_commit_rows_per_s"] = round(200 / (time.perf_counter() - t0))
    single = result["single_commit_rows_per_s"]
    print(f"  insert rate (one entry per transaction, fsync each): {single:,} entries/s")
    result["heavy_user"] = measure_user(
        db, user.id, args.heavy_samples, f"SQLite, one user with {args.heavy_entries}"
    )
    db.close()
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--heavy-entries", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=500, help="random users timed on PostgreSQL")
    parser.add_argument("--heavy-samples", type=int, default=100, help="repeats for the heavy user")
    parser.add_argument(
        "--import-entries", type=int, default=20_000, help="entries for the validated import rate"
    )
    parser.add_argument("--backend", choices=("both", "postgresql", "sqlite"), default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema and SQLite file")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    load_kb()
    results = []
    if args.backend in ("both", "sqlite"):
        results.append(run_sqlite(args))
    if args.backend in ("both", "postgresql"):
        results.append(run_postgres(args))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
