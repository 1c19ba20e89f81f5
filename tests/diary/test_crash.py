"""Crash safety: a writer killed with SIGKILL at random moments, 50 times, loses nothing it acknowledged.

Writers are forked from a zygote process (``crash_writer.py``: it imports everything once, so each
writer starts in milliseconds, and it is a separate process from pytest and its threads). A writer
writes single entries and 10-entry batches and records each id only after the commit returned.
Afterwards every acknowledged id must be there, every batch must be complete or absent, and the
database must pass its integrity check.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from twitchcheck.diary import repository as repo
from twitchcheck.diary.db import Database
from twitchcheck.diary.schemas import EntryCreate, UserPublic

from .conftest import KB
from .crash_writer import BASE, BATCH

KILLS = 50
WRITER = Path(__file__).with_name("crash_writer.py")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)"),
]


class Zygote:
    def __init__(self, url: str, user_id: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), url, str(user_id)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.ask("quit")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _wait_for(path: Path, marker: str, timeout: float) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        content = path.read_text() if path.exists() else ""
        if marker in content or "E " in content:
            return content
        time.sleep(0.002)
    return path.read_text() if path.exists() else ""


def test_sigkill_never_loses_an_acknowledged_entry(db: Database, alice: UserPublic, tmp_path: Path) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    rng = random.Random(20261125)
    acknowledged: set[int] = set()
    batches: dict[str, list[int]] = {}
    zygote = Zygote(url, alice.id)
    started = time.monotonic()
    try:
        for run in range(KILLS):
            acks = tmp_path / f"acks-{run}.txt"
            reply = zygote.ask(f"run {run} {acks}")
            assert reply.startswith("pid "), reply
            pid = int(reply.split()[1])
            try:
                ready = _wait_for(acks, "R\n", timeout=20)
                assert "R\n" in ready and "E " not in ready, f"writer {run} did not start: {ready!r}"
                time.sleep(rng.uniform(0.005, 0.2))
            finally:
                os.kill(pid, signal.SIGKILL)
                status = zygote.ask(f"reap {pid}")
            assert status == f"status {int(signal.SIGKILL)}", f"writer {run} ended by itself ({status})"
            lines = acks.read_text().splitlines()
            errors = [line for line in lines if line.startswith("E ")]
            assert not errors, errors[0]
            for line in lines:
                kind, _, rest = line.partition(" ")
                if kind == "A":
                    acknowledged.add(int(rest))
                elif kind == "B":
                    tag, ids = rest.split(" ")
                    batches[tag] = [int(x) for x in ids.split(",")]
                    acknowledged.update(batches[tag])
    finally:
        zygote.close()
    elapsed = time.monotonic() - started
    assert acknowledged, "the writers never got to commit anything"

    fresh = Database.open(url)  # what a restarted process sees
    try:
        with fresh.engine.connect() as conn:
            rows = conn.execute(text("SELECT id FROM entries WHERE user_id = :u"), {"u": alice.id})
            present = {row[0] for row in rows}
            missing = acknowledged - present
            assert not missing, (
                f"{len(missing)} acknowledged entries lost after {KILLS} kills: {sorted(missing)[:10]}"
            )
            # Every batch is all or nothing, acknowledged or not.
            sizes = conn.execute(
                text("SELECT note, count(*) FROM entries WHERE note LIKE 'batch-%' GROUP BY note")
            ).all()
            assert all(n == BATCH for _, n in sizes), [s for s in sizes if s[1] != BATCH]
            assert {note for note, _ in sizes} >= set(batches)
            _integrity(fresh, conn)
        # The database still takes writes.
        with fresh.session() as session:
            after = repo.add_entry(
                session, alice.id, EntryCreate(occurred_at=BASE, note="after the crashes"), kb=KB
            )
            assert repo.get_entry(session, alice.id, after.id).note == "after the crashes"
    finally:
        fresh.close()
    print(
        f"\n{fresh.backend}: {KILLS} kills in {elapsed:.1f}s, {len(acknowledged)} acknowledged entries kept"
    )


def _integrity(db: Database, conn: Any) -> None:
    if db.backend == "sqlite":
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        return
    # PostgreSQL: every row of every table reads back, and the constraints hold.
    for table in ("users", "entries", "api_tokens", "login_sessions", "login_attempts", "retriage_results"):
        conn.execute(text(f"SELECT * FROM {table}")).all()
    orphans = conn.execute(
        text("SELECT count(*) FROM entries e LEFT JOIN users u ON u.id = e.user_id WHERE u.id IS NULL")
    ).scalar()
    assert orphans == 0
    invalid = conn.execute(
        text("SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
             "WHERE n.nspname = current_schema() AND NOT c.convalidated")
    ).all()  # fmt: skip
    assert invalid == []
    bad = conn.execute(
        text("SELECT count(*) FROM entries WHERE intensity NOT BETWEEN 0 AND 10 "
             "OR stress NOT BETWEEN 0 AND 10 OR count < 0 OR jsonb_typeof(regions) <> 'array'")
    ).scalar()  # fmt: skip
    assert bad == 0
    # B-tree indexes are structurally sound (amcheck), where the extension can be installed.
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    except Exception:  # noqa: BLE001 - optional check
        return
    # Another test run may own the extension in its own schema; then it is not ours to call.
    if conn.execute(text("SELECT to_regprocedure('bt_index_check(regclass, boolean)')")).scalar() is None:
        return
    indexes = conn.execute(
        text("SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
             "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
             "WHERE n.nspname = current_schema() AND a.amname = 'btree'")
    ).scalars().all()  # fmt: skip
    assert indexes
    for oid in indexes:
        conn.execute(text("SELECT bt_index_check(CAST(:oid AS regclass), true)"), {"oid": oid})
