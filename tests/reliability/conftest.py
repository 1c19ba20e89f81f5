"""Fixtures of the reliability suite: the app on SQLite and on PostgreSQL, in process and as a real
``twitchcheck serve``.

Every test here runs once per database. PostgreSQL comes from tests/diary/conftest.py (a fresh schema
per app, dropped afterwards; skipped, saying why, when no server is reachable).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.diary.conftest import BACKENDS, fresh_url, pg_server  # noqa: F401 - fixtures used here
from tests.web.conftest import PASSWORD, csrf, find_free_port, wait_for_server
from twitchcheck.web import create_app
from twitchcheck.web.auth import Accounts

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
NoLimit = (100_000, 60.0)


@dataclass
class Diary:
    """An app with its own empty diary database on one backend."""

    backend: str
    app: FastAPI
    kept: dict[str, Any] = field(default_factory=dict)  # clients kept across hypothesis examples

    def client(self, address: str = "203.0.113.10", **options: Any) -> TestClient:
        """A client that the app sees as coming from ``address``."""
        return TestClient(self.app, client=(address, 50000), **options)


@pytest.fixture(params=BACKENDS)
def diary(request: pytest.FixtureRequest, fresh_url: Any) -> Iterator[Diary]:  # noqa: F811
    url, cleanup = fresh_url(request.param)
    users = Accounts(url, secret=b"reliability", login_limit=NoLimit)
    yield Diary(request.param, create_app(warm=False, accounts=users))
    users.close()
    cleanup()


def api_signup(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Register over the API and return the Authorization header of a fresh token."""
    response = client.post(f"{API}/account/register", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    token = client.post(
        f"{API}/account/tokens", json={"username": username, "password": password, "name": "reliability"}
    )
    assert token.status_code == 201, token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}


def page_signup(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Register through the page; the client is then logged in."""
    form = {"username": username, "password": password, "password2": password, **csrf(client, "/register")}
    response = client.post("/register", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return client


@dataclass
class Live:
    """``twitchcheck serve`` in a subprocess, as `make run` starts it, on one backend."""

    backend: str
    base: str
    port: int


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest,
    fresh_url: Any,  # noqa: F811 - the fixture imported above
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Live]:
    url, cleanup = fresh_url(request.param)
    env = {
        **os.environ,
        "TWITCHCHECK_DATABASE_URL": url,
        "TWITCHCHECK_DATA_DIR": str(tmp_path_factory.mktemp("serve")),
    }
    for name in ("TWITCHCHECK_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS"):
        env.pop(name, None)
    port = find_free_port()
    command = [sys.executable, "-m", "twitchcheck.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/healthz", process)
        yield Live(request.param, base, port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        cleanup()
