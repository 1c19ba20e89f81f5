"""No account can reach another's data through the JSON API.

User A fills a diary (entries, a named token, a stored re-triage, a profile). User B then calls every
``/api/v1/diary`` and ``/api/v1/account`` route of the app with A's ids: routes that take an id must
answer 404 (or 403), and nothing B gets back may contain A's data. Anonymous calls get 401. The route
list comes from the app itself, so a new route without a recipe here fails the test.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, app_routes
from tests.web.diary_client import API, add, entry, login, make_app, signup
from twitchcheck.diary import plots
from twitchcheck.diary.db import Database
from twitchcheck.diary.repository import load_summary

PREFIXES = (f"{API}/diary", f"{API}/account")
OPEN = {("POST", f"{API}/account/register"), ("POST", f"{API}/account/tokens")}
# What only A's data contains: the username, a token name, words of a note and of a medicine.
MARKERS = ("alice", "alpha-phone-token", "zebra", "quokka", "alphamycin")
NEW_PASSWORD = "bob's new passphrase"

# (method, path) -> (kind, request arguments). "id": the path holds one of A's ids, so B must get
# 404/403. "own": B acting on B's own account or diary, which must show nothing of A's.
RECIPES: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("POST", f"{API}/account/register"): ("open", {"json": {"username": "mallory", "password": PASSWORD}}),
    ("POST", f"{API}/account/tokens"): (
        "open",
        {"json": {"username": "alice", "password": "not alice's password", "name": "stolen"}},
    ),
    ("GET", f"{API}/account/tokens"): ("own", {}),
    ("DELETE", f"{API}/account/tokens/{{token_id}}"): ("id", {}),
    ("GET", f"{API}/account"): ("own", {}),
    ("PATCH", f"{API}/account"): ("own", {"json": {"year_of_birth": 1999, "sex": "male"}}),
    ("DELETE", f"{API}/account"): ("own", {}),
    ("POST", f"{API}/account/password"): (
        "own",
        {"json": {"old_password": PASSWORD, "new_password": NEW_PASSWORD}},
    ),
    ("GET", f"{API}/account/export"): ("own", {"params": {"format": "zip"}}),
    ("POST", f"{API}/account/import"): ("own", {"json": [entry(2, regions=["foot"])]}),
    ("GET", f"{API}/diary/entries"): ("own", {"params": {"limit": 1000}}),
    ("POST", f"{API}/diary/entries"): ("own", {"json": entry(1, regions=["foot"], note="left foot")}),
    ("GET", f"{API}/diary/entries/{{entry_id}}"): ("id", {}),
    ("PATCH", f"{API}/diary/entries/{{entry_id}}"): (
        "id",
        {"json": {"intensity": 9, "note": "changed by B"}},
    ),
    ("DELETE", f"{API}/diary/entries/{{entry_id}}"): ("id", {}),
    ("GET", f"{API}/diary/patterns"): ("own", {}),
    ("POST", f"{API}/diary/retriage"): ("own", {"params": {"store": "always"}}),
    ("GET", f"{API}/diary/retriage"): ("own", {}),
    ("GET", f"{API}/diary/plots/timeline.svg"): ("own", {}),
    ("GET", f"{API}/diary/plots/bodymap.svg"): ("own", {}),
}
EXTRA_EXPORTS = ({"params": {"format": "json"}}, {"params": {"format": "csv"}})


def diary_routes(app: Any) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, methods in app_routes(app)
        if path.startswith(PREFIXES)
        for method in methods
        if method != "HEAD"
    }


def _texts(response: Any) -> list[str]:
    """The response body as text; a zip export contributes every file in it."""
    if response.headers.get("content-type") == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return [archive.read(name).decode() for name in archive.namelist()]
    return [response.text]


def _database(client: TestClient) -> Database:
    database: Database = client.app.state.accounts.database()  # type: ignore[attr-defined]
    return database


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with TestClient(make_app(tmp_path)) as test_client:
        yield test_client


def test_every_route_has_a_recipe(tmp_path: Path) -> None:
    routes = diary_routes(make_app(tmp_path))
    assert routes - set(RECIPES) == set(), "new diary/account routes need an isolation recipe"
    assert set(RECIPES) - routes == set(), "recipes for routes that no longer exist"


def test_other_users_cannot_reach_a_diary(client: TestClient) -> None:
    alice = signup(client, "alice")
    login(client, "alice", name="alpha-phone-token")
    client.patch(f"{API}/account", json={"year_of_birth": 1977, "sex": "female"}, headers=alice)
    a_entries = [
        add(client, alice, entry(days, regions=["hand", "tongue"], note="zebra quokka twitch", count=days))
        for days in (9, 8, 7)
    ]
    add(client, alice, entry(6, medications="alphamycin", symptoms=["weakness"]))
    assert client.post(f"{API}/diary/retriage", headers=alice).json()["stored"]
    a_tokens = client.get(f"{API}/account/tokens", headers=alice).json()
    a_history = client.get(f"{API}/diary/retriage", headers=alice).json()
    a_profile = client.get(f"{API}/account", headers=alice).json()
    ids = {"entry_id": a_entries[0]["id"], "token_id": a_tokens[-1]["id"]}

    bob = signup(client, "bob")
    bob_id = client.get(f"{API}/account", headers=bob).json()["id"]
    add(client, bob, entry(3, regions=["foot"]))
    routes = sorted(diary_routes(client.app), key=lambda r: (r == ("DELETE", f"{API}/account"), r))
    for method, path in routes:
        kind, arguments = RECIPES[(method, path)]
        url = path.format(**ids)
        anonymous = client.request(method, url, **arguments)
        if kind == "open":  # a new account for someone else; a wrong guess at A's password
            assert anonymous.status_code in (201, 401), (method, path, anonymous.text)
            assert not any(m in anonymous.text for m in MARKERS), (method, path)
            continue
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        assert anonymous.headers["www-authenticate"] == "Bearer"

        for variant in [arguments, *(EXTRA_EXPORTS if path.endswith("/export") else ())]:
            response = client.request(method, url, headers=bob, **variant)
            if kind == "id":
                assert response.status_code in (403, 404), (method, path, response.text)
            else:
                assert response.status_code < 300, (method, path, response.text)
            for text in _texts(response):
                leaked = [m for m in MARKERS if m in text]
                assert not leaked, (method, path, leaked)

        if path.endswith(".svg"):  # the picture is drawn from B's diary alone
            with _database(client).session() as session:
                summary = load_summary(session, bob_id)
            kb = client.app.state.kb  # type: ignore[attr-defined]
            drawn = plots.timeline_svg(summary) if "timeline" in path else plots.body_map_svg(summary, kb)
            assert response.text == drawn
        if path.endswith("/patterns"):
            assert {r["finding"] for r in response.json()["regions"]} == {"loc_foot"}
        if path == f"{API}/diary/entries" and method == "GET":
            assert {e["id"] for e in response.json()}.isdisjoint(e["id"] for e in a_entries)

    # B's calls changed nothing of A's.
    assert client.get(f"{API}/account", headers=alice).json() == a_profile
    assert [t["id"] for t in client.get(f"{API}/account/tokens", headers=alice).json()] == [
        t["id"] for t in a_tokens
    ]
    listed = client.get(f"{API}/diary/entries", params={"order": "oldest"}, headers=alice).json()
    assert [e["id"] for e in listed[:3]] == [e["id"] for e in a_entries]
    assert [{k: e[k] for k in ("intensity", "note", "updated_at")} for e in listed[:3]] == [
        {k: e[k] for k in ("intensity", "note", "updated_at")} for e in a_entries
    ]
    assert len(listed) == 4
    assert client.get(f"{API}/diary/retriage", headers=alice).json() == a_history
    login(client, "alice")  # A's password is unchanged
    assert client.get(f"{API}/account", headers=bob).status_code == 401  # B deleted only B
