"""The diary and account JSON API end to end: accounts, tokens, entries, patterns, re-triage, plots,
export and import, deleting an account, input errors that name the field, and rate limits."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tests.web.conftest import PASSWORD
from tests.web.diary_client import API, add, entry, login, make_app, signup
from twitchcheck.diary.db import Database
from twitchcheck.diary.models import ApiToken, Entry, LoginAttempt, RetriageRecord, User
from twitchcheck.knowledge.schema import Level
from twitchcheck.web.diary_schemas import PatternsOut
from twitchcheck.web.limits import DEFAULT_MAX_BODY


@pytest.fixture
def api_client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_path)) as client:
        yield client


@pytest.fixture
def alice(api_client: TestClient) -> dict[str, str]:
    return signup(api_client, "alice")


def _error(response: Any, status: int, field: str | None) -> str:
    """The JSON error answer, whose sentence names the field (import errors count entries from 1)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "field"}
    assert body["field"] == field, body
    detail = str(body["detail"])
    if field and field.startswith("entries."):
        _, index, *rest = field.split(".")
        assert f"entry {int(index) + 1}" in detail and all(part in detail for part in rest), body
    elif field:
        assert field in detail, body
    return detail


def _database(client: TestClient) -> Database:
    database: Database = client.app.state.accounts.database()  # type: ignore[attr-defined]
    return database


def _count(client: TestClient, model: Any, *where: Any) -> int:
    with _database(client).session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# ---------------------------------------------------------------------------------------------- accounts


def test_register_and_token_flow(api_client: TestClient) -> None:
    created = api_client.post(f"{API}/account/register", json={"username": " Alice ", "password": PASSWORD})
    assert created.status_code == 201
    assert created.json()["username"] == "alice"
    assert "password" not in created.text
    token = api_client.post(
        f"{API}/account/tokens",
        json={"username": "alice", "password": PASSWORD, "name": "phone", "expires_in_days": 30},
    )
    assert token.status_code == 201
    body = token.json()
    assert body["token"].startswith("tc_") and body["info"]["name"] == "phone"
    expires = datetime.fromisoformat(body["info"]["expires_at"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    headers = {"Authorization": f"Bearer {body['token']}"}
    me = api_client.get(f"{API}/account", headers=headers)
    assert me.status_code == 200 and me.json()["id"] == created.json()["id"]
    listed = api_client.get(f"{API}/account/tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["phone"]
    assert body["token"] not in json.dumps(listed)  # the plaintext is shown once only
    assert listed[0]["last_used_at"] is not None


def test_username_taken_or_reserved(api_client: TestClient, alice: dict[str, str]) -> None:
    taken = api_client.post(f"{API}/account/register", json={"username": "ALICE", "password": PASSWORD})
    assert "taken" in _error(taken, 409, "username")
    reserved = api_client.post(f"{API}/account/register", json={"username": "admin", "password": PASSWORD})
    assert "reserved" in _error(reserved, 409, "username")


def test_wrong_credentials_do_not_say_which_part(api_client: TestClient, alice: dict[str, str]) -> None:
    wrong_password = api_client.post(
        f"{API}/account/tokens", json={"username": "alice", "password": "not it at all", "name": "x"}
    )
    no_user = api_client.post(
        f"{API}/account/tokens", json={"username": "nobody", "password": PASSWORD, "name": "x"}
    )
    assert wrong_password.status_code == no_user.status_code == 401
    assert wrong_password.json() == no_user.json()
    assert wrong_password.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Bearer tc_wrong"}, {"Authorization": "Basic YTpi"}],
)
def test_no_valid_token_is_401(api_client: TestClient, headers: dict[str, str]) -> None:
    response = api_client.get(f"{API}/diary/entries", headers=headers)
    _error(response, 401, None)
    assert response.headers["www-authenticate"] == "Bearer"


def test_revoke_token(api_client: TestClient, alice: dict[str, str]) -> None:
    second = login(api_client, "alice", name="laptop")
    tokens = api_client.get(f"{API}/account/tokens", headers=alice).json()
    laptop = next(t["id"] for t in tokens if t["name"] == "laptop")
    assert api_client.delete(f"{API}/account/tokens/{laptop}", headers=alice).status_code == 204
    _error(api_client.get(f"{API}/account", headers=second), 401, None)
    assert api_client.get(f"{API}/account", headers=alice).status_code == 200
    _error(api_client.delete(f"{API}/account/tokens/{laptop}", headers=alice), 404, "token_id")
    assert [t["name"] for t in api_client.get(f"{API}/account/tokens", headers=alice).json()] == ["tests"]


def test_profile_and_password(api_client: TestClient, alice: dict[str, str]) -> None:
    changed = api_client.patch(f"{API}/account", json={"year_of_birth": 1990, "sex": "female"}, headers=alice)
    assert changed.status_code == 200
    assert (changed.json()["year_of_birth"], changed.json()["sex"]) == (1990, "female")
    cleared = api_client.patch(f"{API}/account", json={"sex": None}, headers=alice).json()
    assert (cleared["year_of_birth"], cleared["sex"]) == (1990, None)

    wrong = api_client.post(
        f"{API}/account/password",
        json={"old_password": "nope nope", "new_password": "new passphrase"},
        headers=alice,
    )
    _error(wrong, 403, "old_password")
    ok = api_client.post(
        f"{API}/account/password",
        json={"old_password": PASSWORD, "new_password": "new passphrase"},
        headers=alice,
    )
    assert ok.status_code == 204
    assert api_client.get(f"{API}/account", headers=alice).status_code == 200  # tokens keep working
    old = api_client.post(
        f"{API}/account/tokens", json={"username": "alice", "password": PASSWORD, "name": "x"}
    )
    assert old.status_code == 401
    login(api_client, "alice", "new passphrase")


def test_delete_account_removes_everything(api_client: TestClient, alice: dict[str, str]) -> None:
    bob = signup(api_client, "bob")
    for days in (3, 2, 1):
        add(api_client, alice, entry(days, count=5))
    add(api_client, bob, entry(1))
    assert api_client.post(f"{API}/diary/retriage", headers=alice).json()["stored"]
    alice_id = api_client.get(f"{API}/account", headers=alice).json()["id"]

    assert api_client.delete(f"{API}/account", headers=alice).status_code == 204
    _error(api_client.get(f"{API}/account", headers=alice), 401, None)
    gone = api_client.post(
        f"{API}/account/tokens", json={"username": "alice", "password": PASSWORD, "name": "x"}
    )
    assert gone.status_code == 401
    for model in (Entry, ApiToken, RetriageRecord):
        assert _count(api_client, model, model.user_id == alice_id) == 0
    assert _count(api_client, User, User.id == alice_id) == 0
    assert _count(api_client, LoginAttempt, LoginAttempt.username == "alice") == 1  # the failed one just now
    assert len(api_client.get(f"{API}/diary/entries", headers=bob).json()) == 1  # others keep theirs
    signup(api_client, "alice")  # the name is free again, with an empty diary
    assert api_client.get(f"{API}/diary/entries", headers=login(api_client, "alice")).json() == []


# ---------------------------------------------------------------------------------------------- entries


def test_entries_add_list_patch_delete(api_client: TestClient, alice: dict[str, str]) -> None:
    response = api_client.post(
        f"{API}/diary/entries",
        json=entry(
            5, regions=["calf", "thigh"], side="left", intensity=3, note="calf twitching after coffee"
        ),
        headers=alice,
    )
    assert response.status_code == 201
    first = response.json()
    assert first["regions"] == ["loc_calf", "loc_thigh"]
    assert response.headers["location"] == f"{API}/diary/entries/{first['id']}"
    assert api_client.get(response.headers["location"], headers=alice).json() == first
    findings = {f["finding"] for f in first["note_findings"]}
    assert "loc_calf" in findings  # the note was read by the text pipeline
    for days in (4, 3, 2, 1):
        add(api_client, alice, entry(days, count=days))

    listed = api_client.get(f"{API}/diary/entries", headers=alice)
    assert listed.headers["x-total-count"] == "5"
    ids = [e["id"] for e in listed.json()]
    assert ids[-1] == first["id"] and len(ids) == 5  # newest first
    oldest = api_client.get(
        f"{API}/diary/entries", params={"order": "oldest", "limit": 2, "offset": 1}, headers=alice
    )
    assert [e["id"] for e in oldest.json()] == ids[::-1][1:3]
    since = (datetime.now(UTC) - timedelta(days=2, hours=12)).isoformat()
    recent = api_client.get(f"{API}/diary/entries", params={"since": since}, headers=alice).json()
    assert [e["count"] for e in recent] == [1, 2]
    until = api_client.get(f"{API}/diary/entries", params={"until": since}, headers=alice).json()
    assert len(until) == 3

    url = f"{API}/diary/entries/{first['id']}"
    patched = api_client.patch(
        url, json={"intensity": 7, "note": "now also my thigh, no weakness"}, headers=alice
    )
    assert patched.status_code == 200
    after = patched.json()
    assert after["intensity"] == 7 and after["regions"] == first["regions"]
    assert after["created_at"] == first["created_at"] and after["updated_at"] > first["updated_at"]
    assert {f["finding"]: f["state"] for f in after["note_findings"]}.get("weakness") == "absent"
    assert api_client.patch(url, json={"side": None}, headers=alice).json()["side"] is None

    assert api_client.delete(url, headers=alice).status_code == 204
    _error(api_client.get(url, headers=alice), 404, "entry_id")
    _error(api_client.delete(url, headers=alice), 404, "entry_id")
    assert api_client.get(f"{API}/diary/entries", headers=alice).headers["x-total-count"] == "4"


def test_patterns_and_plots(api_client: TestClient, alice: dict[str, str]) -> None:
    empty = api_client.get(f"{API}/diary/patterns", headers=alice).json()
    assert empty["entries"] == 0
    PatternsOut.model_validate(empty)
    for days in range(30, 0, -1):
        add(api_client, alice, entry(days, count=10 + days % 3, caffeine_cups=days % 4, sleep_hours=7))
    add(api_client, alice, entry(0.5, regions=["hand"], side="right"))
    found = api_client.get(f"{API}/diary/patterns", headers=alice)
    assert found.status_code == 200
    data = found.json()
    PatternsOut.model_validate(data)  # the documented response model describes it
    assert data["entries"] == 31 and data["distinct_regions"] == 2
    assert {r["finding"] for r in data["regions"]} == {"loc_calf", "loc_hand"}
    assert "loc_hand" in data["new_regions"]
    assert any(t["factor"] == "caffeine" for t in data["triggers"])

    for name in ("timeline.svg", "bodymap.svg"):
        picture = api_client.get(f"{API}/diary/plots/{name}", headers=alice)
        assert picture.status_code == 200
        assert picture.headers["content-type"] == "image/svg+xml"
        root = ElementTree.fromstring(picture.content)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_retriage_rises_when_weakness_and_spread_appear(
    api_client: TestClient, alice: dict[str, str]
) -> None:
    for days in range(45, 15, -1):
        add(api_client, alice, entry(days, side="left", count=10))
    first = api_client.post(f"{API}/diary/retriage", headers=alice)
    assert first.status_code == 200
    before = first.json()
    assert before["stored"] and not before["rose"] and before["previous_level"] is None
    assert before["evidence"]["loc_calf"] == "present" and "weakness" not in before["evidence"]
    unchanged = api_client.post(f"{API}/diary/retriage", headers=alice).json()
    assert not unchanged["stored"] and not unchanged["rose"]  # nothing new: not stored again

    for days in range(15, 5, -1):
        add(api_client, alice, entry(days, regions=["calf", "hand", "arm", "tongue"], symptoms=["weakness"]))
    after = api_client.post(f"{API}/diary/retriage", params={"assessment": True}, headers=alice).json()
    assert after["rose"] and after["stored"]
    assert after["previous_level"] == before["level"]
    assert Level.parse(after["level"]) > Level.parse(before["level"])
    assert "up from" in after["reasons"][0]
    assert after["evidence"]["weakness"] == "present" and after["evidence"]["twitch_spread"] == "widespread"
    assert after["assessment"]["triage"]["level"] == after["level"]

    history = api_client.get(f"{API}/diary/retriage", headers=alice).json()
    assert [h["level"] for h in history] == [after["level"], before["level"]]
    assert api_client.get(f"{API}/diary/retriage", params={"limit": 1}, headers=alice).json()[0]["rose"]


def test_retriage_of_an_empty_diary(api_client: TestClient, alice: dict[str, str]) -> None:
    result = api_client.post(f"{API}/diary/retriage", headers=alice).json()
    assert result["entry_count"] == 0 and not result["stored"]
    assert api_client.get(f"{API}/diary/retriage", headers=alice).json() == []


# ---------------------------------------------------------------------------------------------- export/import


def _fill(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    return [
        add(client, headers, entry(4, count=3, caffeine_mg=200.5, note="=cmd calf twitch, no weakness")),
        add(client, headers, entry(3, kind="cramp", regions=["calf", "foot"], side="both", exercised=True)),
        add(client, headers, entry(2, symptoms=["weakness"], medications="started salbutamol", stress=8)),
    ]


def _comparable(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k not in ("id", "created_at", "updated_at")} for e in entries]


@pytest.mark.parametrize("fmt", ["json", "csv", "zip"])
def test_export_round_trips_through_import(api_client: TestClient, alice: dict[str, str], fmt: str) -> None:
    originals = _fill(api_client, alice)
    exported = api_client.get(f"{API}/account/export", params={"format": fmt}, headers=alice)
    assert exported.status_code == 200
    disposition = exported.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="twitchcheck-diary-alice-') and disposition.endswith(
        f'.{fmt}"'
    )
    if fmt == "zip":
        with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
            assert set(archive.namelist()) >= {"diary.json", "entries.csv", "timeline.svg", "body_map.svg"}
            content, media_type = archive.read("diary.json"), "application/json"
    elif fmt == "csv":
        assert exported.headers["content-type"].startswith("text/csv")
        assert len(list(csv.DictReader(io.StringIO(exported.text)))) == 3
        content, media_type = exported.content, "text/csv"
    else:
        data = exported.json()
        assert data["user"]["username"] == "alice" and len(data["entries"]) == 3
        assert "password" not in exported.text and "token_hash" not in exported.text
        content, media_type = exported.content, "application/json"

    bob = signup(api_client, "bob")
    imported = api_client.post(
        f"{API}/account/import", content=content, headers={**bob, "Content-Type": media_type}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["added"] == 3 and imported.json()["skipped"] == 0
    copied = api_client.get(f"{API}/diary/entries", headers=bob).json()
    assert _comparable(copied) == _comparable(api_client.get(f"{API}/diary/entries", headers=alice).json())
    assert copied[-1]["note"] == originals[0]["note"]  # the formula guard of the CSV is undone on import
    again = api_client.post(
        f"{API}/account/import", content=content, headers={**bob, "Content-Type": media_type}
    )
    assert again.json() == {"added": 0, "skipped": 3, "ids": []}


def test_a_large_export_imports_in_one_request(api_client: TestClient, alice: dict[str, str]) -> None:
    """Larger than the cap on other requests: the import route has its own, higher limit."""
    note = "left calf flickering after the gym, no weakness, slept badly " * 4
    entries = [entry(day / 4, count=day % 9, note=note) for day in range(300)]
    body = json.dumps({"entries": entries}).encode()
    body += b" " * max(0, DEFAULT_MAX_BODY + 1 - len(body))  # JSON allows trailing white space
    assert len(body) > DEFAULT_MAX_BODY
    response = api_client.post(
        f"{API}/account/import", content=body, headers={**alice, "Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text[:300]
    assert response.json()["added"] == 300
    small_route = api_client.post(
        f"{API}/diary/entries", content=body, headers={**alice, "Content-Type": "application/json"}
    )
    assert small_route.status_code == 413


def test_import_is_all_or_nothing_and_names_the_record(api_client: TestClient, alice: dict[str, str]) -> None:
    good, bad = entry(3), entry(2, intensity=11)
    failed = api_client.post(f"{API}/account/import", json={"entries": [good, bad]}, headers=alice)
    assert "entry 2" in _error(failed, 422, "entries.1.intensity")
    assert api_client.get(f"{API}/diary/entries", headers=alice).json() == []
    listed = api_client.post(f"{API}/account/import", json=[good], headers=alice)
    assert listed.json()["added"] == 1


JSON = "application/json"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "field"),
    [
        (b"{not json", JSON, 422, "body"),
        (b'{"entries": ["\\ud800"]}', JSON, 422, "body"),
        (b'{"version": "one", "entries": []}', JSON, 422, "version"),
        (b'{"version": 99, "entries": []}', JSON, 422, "version"),
        (b'{"format": "other", "entries": []}', JSON, 422, "format"),
        (b'{"entries": {}}', JSON, 422, "entries"),
        (b'[{"occurred_at": "2026-01-01T00:00:00Z", "colour": "red"}]', JSON, 422, "entries.0.colour"),
        (b'[{"occurred_at": "2026-01-01T00:00:00Z", "exercised": false, "exercise_minutes": 5}]', JSON, 422,
         "entries.0"),
        (b"kind\nfasciculation\n", "text/csv", 422, "body"),
        (b"occurred_at,kind\n2026-01-01T00:00:00Z,blink\n", "text/csv", 422, "entries.0.kind"),
        (b"occurred_at\n\xff\n", "text/csv", 422, "body"),
        (b"<entries/>", "application/xml", 415, "body"),
    ],
)  # fmt: skip
def test_import_errors_name_the_field(
    api_client: TestClient, alice: dict[str, str], content: bytes, content_type: str, status: int, field: str
) -> None:
    response = api_client.post(
        f"{API}/account/import", content=content, headers={**alice, "Content-Type": content_type}
    )
    _error(response, status, field)


# ---------------------------------------------------------------------------------------------- bad input

NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "occurred_at"),
        ({"occurred_at": "2026-01-01T08:00:00"}, "occurred_at"),
        ({"occurred_at": (NOW + timedelta(days=3)).isoformat()}, "occurred_at"),
        ({"occurred_at": "1850-01-01T08:00:00Z"}, "occurred_at"),
        ({"occurred_at": 1767225600}, "occurred_at"),  # no guessing that a number is a Unix time
        ({"occurred_at": "2026-01-01"}, "occurred_at"),
        ({"intensity": 11}, "intensity"),
        ({"intensity": "3"}, "intensity"),  # strict, as the document says: '3' is not a number
        ({"intensity": 2.5}, "intensity"),
        ({"exercised": "yes"}, "exercised"),
        ({"count": -1}, "count"),
        ({"kind": "blink"}, "kind"),
        ({"regions": ["elbow"]}, "regions.0"),
        ({"symptoms": ["loc_calf"]}, "symptoms.0"),
        ({"note": "x" * 5001}, "note"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_entries_name_the_field(
    api_client: TestClient, alice: dict[str, str], body: dict[str, Any], field: str
) -> None:
    data = {"occurred_at": "2026-01-01T08:00:00Z", **body} if "occurred_at" not in body and body else body
    _error(api_client.post(f"{API}/diary/entries", json=data, headers=alice), 422, field)
    assert api_client.get(f"{API}/diary/entries", headers=alice).json() == []


def test_unpaired_surrogates_are_refused(api_client: TestClient, alice: dict[str, str]) -> None:
    """JSON can carry a lone surrogate (\\ud800) that no database can store: 422, never a 500."""
    body = b'{"occurred_at": "2026-01-01T08:00:00Z", "note": "bad \\ud800 text"}'
    headers = {**alice, "Content-Type": "application/json"}
    _error(api_client.post(f"{API}/diary/entries", content=body, headers=headers), 422, "note")
    token = b'{"username": "alice", "password": "\\ud800\\ud800\\ud800\\ud800", "name": "x"}'
    _error(api_client.post(f"{API}/account/tokens", content=token, headers=headers), 422, "password")


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"intensity": 11}, "intensity"),
        ({"regions": None}, "regions"),
        ({"kind": None}, "kind"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": (NOW + timedelta(days=3)).isoformat()}, "occurred_at"),
        ({"regions": ["elbow"]}, "regions.0"),
        ({"id": 5}, "id"),
    ],
)
def test_bad_patches_name_the_field(
    api_client: TestClient, alice: dict[str, str], patch: dict[str, Any], field: str
) -> None:
    stored = add(api_client, alice, entry(1, intensity=2))
    url = f"{API}/diary/entries/{stored['id']}"
    _error(api_client.patch(url, json=patch, headers=alice), 422, field)
    assert api_client.get(url, headers=alice).json() == stored


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("post", "/account/register", {"json": {"username": "ab", "password": PASSWORD}}, "username"),
        ("post", "/account/register", {"json": {"username": "carol", "password": "short"}}, "password"),
        ("post", "/account/register", {"json": {"username": "carol"}}, "password"),
        (
            "post",
            "/account/tokens",
            {"json": {"username": "alice", "password": PASSWORD, "name": "  "}},
            "name",
        ),
        (
            "post",
            "/account/tokens",
            {"json": {"username": "alice", "password": PASSWORD, "name": "x", "expires_in_days": 0}},
            "expires_in_days",
        ),
        ("post", "/account/tokens", {"json": {"username": "alice", "password": PASSWORD}}, "name"),
        ("patch", "/account", {"json": {"year_of_birth": 1800}}, "year_of_birth"),
        ("patch", "/account", {"json": {"year_of_birth": NOW.year + 1}}, "year_of_birth"),
        ("patch", "/account", {"json": {"sex": "x"}}, "sex"),
        (
            "post",
            "/account/password",
            {"json": {"old_password": PASSWORD, "new_password": "short"}},
            "new_password",
        ),
        ("get", "/account/export", {"params": {"format": "xml"}}, "format"),
        ("get", "/diary/entries", {"params": {"limit": 0}}, "limit"),
        ("get", "/diary/entries", {"params": {"limit": 1001}}, "limit"),
        ("get", "/diary/entries", {"params": {"offset": -1}}, "offset"),
        ("get", "/diary/entries", {"params": {"since": "2026-01-01T00:00:00"}}, "since"),
        ("get", "/diary/entries", {"params": {"until": "yesterday"}}, "until"),
        ("get", "/diary/entries/0", {}, "entry_id"),
        ("get", f"/diary/entries/{2**40}", {}, "entry_id"),
        ("delete", "/account/tokens/abc", {}, "token_id"),
        ("post", "/diary/retriage", {"params": {"store": "never"}}, "store"),
        ("get", "/diary/retriage", {"params": {"limit": 0}}, "limit"),
    ],
)
def test_bad_input_names_the_field(
    api_client: TestClient, alice: dict[str, str], method: str, path: str, kwargs: dict[str, Any], field: str
) -> None:
    response = api_client.request(method.upper(), f"{API}{path}", headers=alice, **kwargs)
    _error(response, 422, field)


def test_retriage_with_an_unusable_profile_age_names_the_field(
    api_client: TestClient, alice: dict[str, str]
) -> None:
    """The command line (or an older server) may have stored a year of birth the engine refuses."""
    add(api_client, alice, entry(1))
    with _database(api_client).session() as session:
        session.execute(update(User).values(year_of_birth=1890))
        session.commit()
    _error(api_client.post(f"{API}/diary/retriage", headers=alice), 422, "year_of_birth")


# ---------------------------------------------------------------------------------------------- rate limits


def test_per_address_limit_is_429_with_retry_after(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, login_limit=(3, 60.0))) as client:
        assert (
            client.post(
                f"{API}/account/register", json={"username": "dana", "password": PASSWORD}
            ).status_code
            == 201
        )
        for _ in range(2):
            wrong = {"username": f"user{_}", "password": "wrong password", "name": "x"}
            assert client.post(f"{API}/account/tokens", json=wrong).status_code == 401
        limited = client.post(
            f"{API}/account/tokens", json={"username": "dana", "password": PASSWORD, "name": "x"}
        )
        _error(limited, 429, None)
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        again = client.post(f"{API}/account/register", json={"username": "erin", "password": PASSWORD})
        assert again.status_code == 429 and int(again.headers["retry-after"]) >= 1


def test_per_address_limit_is_shared_by_every_worker_and_stores_no_address(tmp_path: Path) -> None:
    """Two app instances on one database stand for two worker processes: they count together."""
    import sqlite3

    first, second = (TestClient(make_app(tmp_path, login_limit=(4, 60.0))) for _ in range(2))
    with first, second:
        for i, client in enumerate((first, second, first, second)):
            wrong = {"username": f"user{i}", "password": "wrong password", "name": "x"}
            assert client.post(f"{API}/account/tokens", json=wrong).status_code == 401
        _error(second.post(f"{API}/account/tokens", json=wrong), 429, None)
        fay = {"username": "fay", "password": PASSWORD}
        _error(first.post(f"{API}/account/register", json=fay), 429, None)
    stored = sqlite3.connect(tmp_path / "d.db").execute("SELECT address FROM address_attempts").fetchall()
    assert len(stored) == 4 and all(len(a) == 64 and "testclient" not in a for (a,) in stored)


def test_failed_logins_back_off_per_address_and_username(tmp_path: Path) -> None:
    """A stranger's wrong passwords for alice hold back the stranger's address, never alice's."""
    app = make_app(tmp_path)
    with (
        TestClient(app, client=("192.0.2.1", 5000)) as owner,
        TestClient(app, client=("198.51.100.7", 5000)) as stranger,
    ):
        signup(owner, "alice")
        for _ in range(5):
            wrong = {"username": "alice", "password": "guess guess", "name": "x"}
            assert stranger.post(f"{API}/account/tokens", json=wrong).status_code == 401
        right = {"username": "alice", "password": PASSWORD, "name": "x"}
        limited = stranger.post(f"{API}/account/tokens", json=right)
        assert "too many failed log-ins" in _error(limited, 429, None)
        assert 1 <= int(limited.headers["retry-after"]) <= 31
        assert owner.post(f"{API}/account/tokens", json=right).status_code == 201


def test_password_change_is_rate_limited(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, login_limit=(3, 60.0))) as client:
        headers = signup(client, "fay")  # two hits: register and log in
        wrong = {"old_password": "guess guess", "new_password": "another passphrase"}
        assert client.post(f"{API}/account/password", json=wrong, headers=headers).status_code == 403
        limited = client.post(f"{API}/account/password", json=wrong, headers=headers)
        assert limited.status_code == 429 and "retry-after" in limited.headers


# ---------------------------------------------------------------------------------------------- document


def test_openapi_documents_every_diary_route(api_client: TestClient) -> None:
    paths = api_client.get("/openapi.json").json()["paths"]
    open_routes = {("post", f"{API}/account/register"), ("post", f"{API}/account/tokens")}
    seen = 0
    for path, operations in paths.items():
        if not path.startswith((f"{API}/diary", f"{API}/account")):
            continue
        for method, operation in operations.items():
            seen += 1
            assert operation["tags"] in (["account"], ["diary"]), (method, path)
            responses = set(operation["responses"])
            if (method, path) in open_routes:
                assert "security" not in operation and {"422", "429"} <= responses
            else:
                assert operation["security"] == [{"ApiToken": []}] and "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
    assert seen == 20
