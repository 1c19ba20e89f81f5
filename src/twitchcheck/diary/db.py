"""Where the diary lives and how to talk to it.

Embedded default: one SQLite file in the user's data directory (WAL journal, foreign keys on,
``synchronous=FULL``, every transaction ``BEGIN IMMEDIATE``), so nothing else has to run.
Set ``TWITCHCHECK_DATABASE_URL=postgresql+psycopg://user@host/db`` to use PostgreSQL instead.
The schema is created and upgraded by the Alembic migrations packaged in ``migrations/``,
applied programmatically when a :class:`Database` is opened.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "twitchcheck"
DB_FILENAME = "diary.db"
URL_ENV = "TWITCHCHECK_DATABASE_URL"
DATA_DIR_ENV = "TWITCHCHECK_DATA_DIR"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000


class DatabaseError(RuntimeError):
    """The diary database cannot be opened or is at an unexpected schema version."""


def default_data_dir() -> Path:
    """``$TWITCHCHECK_DATA_DIR``, else the platform's per-user data directory."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_NAME


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def database_url() -> str:
    """``$TWITCHCHECK_DATABASE_URL`` or the default SQLite file (not created here)."""
    return os.environ.get(URL_ENV) or sqlite_url(default_data_dir() / DB_FILENAME)


def _prepare_sqlite_file(url: URL) -> None:
    """Create the folder (0700) and the file (0600): diary entries are health data."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).expanduser()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module; the "begin" hook below issues BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


WRITE_OPTION = "twitchcheck_write"


def _sqlite_on_begin(connection: Any) -> None:
    # Reads start DEFERRED (in WAL mode they never block anyone). Writes, marked by begin_write(),
    # start IMMEDIATE: they take the write lock up front, so two writers queue on busy_timeout
    # instead of one failing with "database is locked" when it upgrades a read to a write.
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """One write transaction: begun as a write (see :func:`begin_write`), committed on success,
    rolled back on any error. A function that returns from inside it has made its change durable."""
    begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def begin_write(session: Session) -> None:
    """Open the session's transaction as a write transaction (SQLite: ``BEGIN IMMEDIATE``).

    Service functions that write call this first. If the caller already has a transaction open,
    it is used as it is.
    """
    if not session.in_transaction():
        session.connection(execution_options={WRITE_OPTION: True})


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default :func:`database_url`), with SQLite made durable and strict."""
    parsed = make_url(url if url is not None else database_url())
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(parsed)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r}; use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/DB"
        )
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` with the packaged Alembic migrations."""
    from alembic import command

    # A write transaction from the start: on SQLite a second process migrating at the same moment
    # waits for the first and then finds nothing left to do (PostgreSQL: an advisory lock in env.py).
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection, connection.begin():
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def alembic_config(connection: Any = None) -> Any:
    """An Alembic ``Config`` pointing at the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class Database:
    """An engine plus a session factory. Open once per process and share it.

    >>> db = Database.open("sqlite:///:memory:")  # doctest: +SKIP
    >>> with db.session() as session:  # doctest: +SKIP
    ...     ...
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | URL | None = None, *, upgrade: bool = True, **engine_kwargs: Any) -> Database:
        engine = make_engine(url, **engine_kwargs)
        if upgrade and current_revision(engine) != head_revision():
            migrate(engine)
        return cls(engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session; service functions commit their own writes, anything uncommitted rolls back."""
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
