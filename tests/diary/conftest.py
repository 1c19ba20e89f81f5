"""Diary fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL: ``TWITCHCHECK_TEST_POSTGRES_URL`` (default postgres@127.0.0.1:5432/test, trust auth). Each
test session works in a fresh schema that is dropped afterwards, so runs never collide. If the
server is not reachable the PostgreSQL half is skipped with the reason shown in the summary.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from twitchcheck.diary import accounts
from twitchcheck.diary.db import Database, make_engine, sqlite_url
from twitchcheck.diary.models import TABLES
from twitchcheck.diary.schemas import EntryCreate, NoteFinding, UserCreate, UserPublic, new_entry
from twitchcheck.knowledge import load_kb

PG_URL = os.environ.get("TWITCHCHECK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KB = load_kb()  # the packaged base, which the diary tests' ids and expectations are written for


def _with_schema(url: str, schema: str) -> str:
    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


class PgServer:
    """Creates throw-away schemas in the test database; drops them all at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url, connect_args={"connect_timeout": 5})
        self.schemas: list[str] = []

    def new_schema(self) -> str:
        schema = f"tc_test_{os.getpid()}_{secrets.token_hex(4)}"
        with self.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        return _with_schema(self.url, schema)

    def drop(self, url: str) -> None:
        schema = make_url(url).query["options"]
        assert isinstance(schema, str)
        name = schema.split("=", 1)[1]
        with self.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.schemas.remove(name)

    def drop_stale(self) -> None:
        """Schemas left by runs that were killed before their teardown (their process is gone)."""
        with self.engine.begin() as conn:
            query = text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tc_test_%'")
            for name in list(conn.execute(query).scalars()):
                pid = name.split("_")[2]
                if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))

    def close(self) -> None:
        with self.engine.begin() as conn:
            for schema in self.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.engine.dispose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    redacted = make_url(PG_URL).render_as_string(hide_password=True)
    try:
        server = PgServer(PG_URL)
        with server.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        pytest.skip(
            f"PostgreSQL not reachable at {redacted} ({first}); PostgreSQL storage tests skipped. "
            "Start it (make postgres) or set TWITCHCHECK_TEST_POSTGRES_URL."
        )
    server.drop_stale()
    yield server
    server.close()


@pytest.fixture(scope="session")
def fresh_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A factory of empty databases for one backend: ``fresh_url(backend) -> (url, cleanup)``."""

    def make(backend: str) -> tuple[str, Any]:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("sqlite") / "diary.db"
            return sqlite_url(path), lambda: None
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.new_schema()
        return url, lambda: server.drop(url)

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, fresh_url: Any) -> Iterator[Database]:
    """One migrated database per backend for the whole session."""
    url, cleanup = fresh_url(request.param)
    db = Database.open(url)
    yield db
    db.close()
    cleanup()


def wipe(db: Database) -> None:
    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(TABLES):
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    """The session database, emptied before each test."""
    wipe(database)
    yield database


@pytest.fixture
def session(db: Database) -> Iterator[Any]:
    with db.session() as s:
        yield s


def make_user(session: Any, name: str = "alice", password: str = "correct horse battery") -> UserPublic:
    return accounts.register(session, UserCreate(username=name, password=password))


@pytest.fixture
def alice(session: Any) -> UserPublic:
    return make_user(session, "alice")


@pytest.fixture
def bob(session: Any) -> UserPublic:
    return make_user(session, "bob")


KEYWORDS: Sequence[tuple[str, str, str]] = (
    ("no weakness", "weakness", "absent"),
    ("weak", "weakness", "present"),
    ("calf", "loc_calf", "present"),
    ("coffee", "trigger_caffeine", "present"),
    ("salbutamol", "drug_beta_agonist", "present"),
    ("swallow", "dysphagia", "present"),
    ("for months", "twitch_duration", "months"),
)


def fake_extractor(text_: str) -> list[NoteFinding]:
    """Keyword reader with exact spans, standing in for twitchcheck.text.extract (which loads spaCy)."""
    lowered = text_.lower()
    out: dict[str, NoteFinding] = {}
    for phrase, finding, state in KEYWORDS:
        start = lowered.find(phrase)
        if start >= 0 and finding not in out:
            out[finding] = NoteFinding(
                finding=finding, state=state, span=text_[start : start + len(phrase)], start=start,
                end=start + len(phrase),
            )  # fmt: skip
    return list(out.values())


def entry(day: float = 0, **fields: Any) -> EntryCreate:
    """An entry ``day`` days after START (UTC unless occurred_at is given)."""
    data: dict[str, Any] = {"occurred_at": START + timedelta(days=day), "regions": ["loc_calf"]}
    data.update(fields)
    return new_entry(KB, data)
