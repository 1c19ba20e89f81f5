"""The twitching diary: entries over months, their pattern, and re-triage when it changes.

Service layer for the CLI and the web app. Typical use::

    from twitchcheck.diary import Database, accounts, new_entry, repository, retriage
    kb = load_kb()                            # the caller picks the knowledge base; the diary never does
    db = Database.open()                      # TWITCHCHECK_DATABASE_URL or the local SQLite file
    with db.session() as session:
        user = accounts.get_or_create_local_user(session)
        repository.add_entry(session, user.id, new_entry(kb, {...}), kb=kb)
        result = retriage.retriage(session, user.id, kb=kb)
        if result.rose: ...

Every repository function takes the user id and scopes every query by it; write functions commit
before they return. Heavy pieces (matplotlib, spaCy) load only when used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twitchcheck.diary.db import Database, DatabaseError, database_url, default_data_dir
    from twitchcheck.diary.repository import NotFound
    from twitchcheck.diary.schemas import (
        EntryCreate,
        EntryPublic,
        EntryUpdate,
        NoteFinding,
        ProfileUpdate,
        UserCreate,
        UserPublic,
        format_errors,
        new_entry,
    )

# Imported on first use, so `twitchcheck assess` does not pay for SQLAlchemy.
_LAZY = {
    "Database": "db",
    "DatabaseError": "db",
    "database_url": "db",
    "default_data_dir": "db",
    "NotFound": "repository",
    "EntryCreate": "schemas",
    "EntryPublic": "schemas",
    "EntryUpdate": "schemas",
    "NoteFinding": "schemas",
    "ProfileUpdate": "schemas",
    "UserCreate": "schemas",
    "UserPublic": "schemas",
    "format_errors": "schemas",
    "new_entry": "schemas",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "Database",
    "DatabaseError",
    "EntryCreate",
    "EntryPublic",
    "EntryUpdate",
    "NotFound",
    "NoteFinding",
    "ProfileUpdate",
    "UserCreate",
    "UserPublic",
    "database_url",
    "default_data_dir",
    "format_errors",
    "new_entry",
]
