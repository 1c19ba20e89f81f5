"""Alembic environment for the diary. Run programmatically by ``twitchcheck.diary.db.migrate``,
which passes an open connection in ``config.attributes["connection"]``; the URL fallback serves
``alembic`` command-line use with ``-x url=...`` (or ``TWITCHCHECK_DATABASE_URL``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from twitchcheck.diary.db import database_url, make_engine
from twitchcheck.diary.models import Base

MIGRATION_LOCK_KEY = 0x7477_6974  # "twit": one migrator at a time on PostgreSQL

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or database_url()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported for the diary")
run_migrations_online()
