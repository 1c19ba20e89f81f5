"""Shared pieces of the diary API tests: an app on a throw-away SQLite file, sign-up, entries.

Passwords are hashed with the cheap argon2id parameters of tests/conftest.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web import create_app
from twitchcheck.web.auth import Accounts
from twitchcheck.web.quota import KINDS, HeavyWork

API = "/api/v1"
NO_LIMIT = (100_000, 60.0)


def make_app(
    directory: Path, login_limit: tuple[int, float] = NO_LIMIT, kb: KnowledgeBase | None = None
) -> FastAPI:
    """The limits on sign-ups with taken names and on exports, imports and PDFs are off here (the
    reliability suite tests them); the per-address log-in limit is ``login_limit``; ``kb`` is the
    app's knowledge base (default: the packaged one)."""
    heavy = HeavyWork(per_user=dict.fromkeys(KINDS, NO_LIMIT))
    users = Accounts(
        f"sqlite:///{directory}/d.db",
        secret=b"test-secret",
        login_limit=login_limit,
        taken_limit=NO_LIMIT,
        heavy=heavy,
    )
    return create_app(kb, warm=False, accounts=users)


def signup(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Register ``username`` and return the Authorization header of a fresh API token."""
    response = client.post(f"{API}/account/register", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return login(client, username, password)


def login(client: TestClient, username: str, password: str = PASSWORD, name: str = "tests") -> dict[str, str]:
    response = client.post(
        f"{API}/account/tokens", json={"username": username, "password": password, "name": name}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def entry(days_ago: float, **fields: Any) -> dict[str, Any]:
    """An entry body ``days_ago`` days before now (UTC), calf by default."""
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    return {"occurred_at": when.isoformat(), "regions": ["loc_calf"], **fields}


def add(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{API}/diary/entries", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data
