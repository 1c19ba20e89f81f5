"""Each finding of the attack-style probe (issue 13, items 3-10) as a test, on SQLite and PostgreSQL.

Every test here failed on the code the probe ran against (a 500, a lock-out, an unlimited
operation, a missing header, an open connection) and states what must hold instead: a 4xx that
says what is wrong and names the field, limits that hold an attacker back but not the owner, and
the security headers on every answer.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.reliability.conftest import API, Diary, Live, api_signup, page_signup
from tests.web.conftest import PASSWORD, assert_security_headers, csrf
from twitchcheck.diary import repository
from twitchcheck.web import diary_pages

pytestmark = pytest.mark.reliability

# The documented limits (README; twitchcheck.web.quota and twitchcheck.web.server hold them).
EXPORTS_PER_10_MIN = 20
IMPORTS_PER_10_MIN = 10
IMPORT_ENTRIES = 20_000
IMPORT_NOTE_CHARACTERS = 1_000_000  # of notes that must be read (those without their findings)
HEADER_TIMEOUT = 10.0

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")
ENTRY = {"occurred_at": "2026-03-01T08:30:00+01:00", "regions": ["loc_calf"]}


def _json_error(response: httpx.Response, status: int, field: str | None) -> str:
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"detail", "field"} and body["field"] == field, body
    detail: str = body["detail"]
    return detail


def _page_error(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert "text/html" in response.headers["content-type"]
    for word in words:
        assert word in response.text, word


# ---------------------------------------------------------------------------------------------- 3


def test_3_nul_characters_are_refused_with_the_field_named(diary: Diary) -> None:
    """PostgreSQL cannot store U+0000: a 500 there, stored as-is on SQLite. Now 422 on both."""
    with diary.client() as client:
        auth = api_signup(client, "alice")
        for field in ("note", "medications"):
            sent = client.post(f"{API}/diary/entries", json={**ENTRY, field: "calf\x00jumping"}, headers=auth)
            assert "NUL" in _json_error(sent, 422, field)
        entry_id = client.post(f"{API}/diary/entries", json=ENTRY, headers=auth).json()["id"]
        patched = client.patch(f"{API}/diary/entries/{entry_id}", json={"note": "\x00"}, headers=auth)
        _json_error(patched, 422, "note")
        token = {"username": "alice", "password": PASSWORD, "name": "lap\x00top"}
        _json_error(client.post(f"{API}/account/tokens", json=token), 422, "name")
        login = {"username": "ali\x00ce", "password": PASSWORD, "name": "laptop"}  # needs no account
        _json_error(client.post(f"{API}/account/tokens", json=login), 422, "username")
        imported = [{**ENTRY, "note": "calf", "note_findings": [
            {"finding": "loc_calf\x00", "state": "present", "span": "calf", "start": 0, "end": 4}
        ]}]  # fmt: skip
        response = client.post(f"{API}/account/import", json=imported, headers=auth)
        assert "note_findings.0.finding" in _json_error(response, 422, "entries.0.note_findings.0.finding")
        assert client.get(f"{API}/diary/entries", headers=auth).headers["x-total-count"] == "1"

    with diary.client() as browser:
        anonymous = browser.post(
            "/login", data={"username": "bo\x00b", "password": "x", **csrf(browser, "/login")}
        )
        _page_error(anonymous, 422, "NUL")
        page_signup(browser, "bob")
        for field in ("note", "medications"):
            form = {field: "calf\x00jumping", "loc": "loc_calf", **csrf(browser, "/diary")}
            _page_error(browser.post("/diary/entries", data=form), 422, "NUL")
        named = browser.post("/account/tokens", data={"name": "lap\x00top", **csrf(browser, "/account")})
        _page_error(named, 422, "NUL")
        assert 'class="entry"' not in browser.get("/diary").text


# ---------------------------------------------------------------------------------------------- 4


@pytest.mark.parametrize(
    ("name", "value"), [("since", "0001-01-01T00:00:00+14:00"), ("until", "9999-12-31T23:59:59-14:00")]
)
def test_4_dates_beyond_the_calendar_in_utc_are_422(diary: Diary, name: str, value: str) -> None:
    """OverflowError when the filter was converted to UTC for the query: a 500 on both databases."""
    with diary.client() as client:
        auth = api_signup(client, "alice")
        response = client.get(f"{API}/diary/entries", params={name: value}, headers=auth)
        assert "out of range" in _json_error(response, 422, name)
        edge = "0001-01-02T00:00:00+14:00" if name == "since" else "9999-12-30T23:59:59-14:00"
        assert client.get(f"{API}/diary/entries", params={name: edge}, headers=auth).status_code == 200


# ---------------------------------------------------------------------------------------------- 5


def test_5_deeply_nested_import_cells_are_422(diary: Diary) -> None:
    """RecursionError reading a CSV note_findings cell of 5,000 '[': a 500 (JSON was already caught)."""
    with diary.client() as client:
        auth = api_signup(client, "alice")
        csv = 'occurred_at,note,note_findings\n2026-03-01T08:30:00+01:00,calf,"' + "[" * 5000 + '"\n'
        headers = {**auth, "Content-Type": "text/csv"}
        response = client.post(f"{API}/account/import", content=csv, headers=headers)
        assert "nested too deeply" in _json_error(response, 422, "entries.0.note_findings")
        deep_json = client.post(
            f"{API}/account/import", content="[" * 5000, headers={**auth, "Content-Type": "application/json"}
        )
        assert deep_json.status_code == 422
        assert client.get(f"{API}/diary/entries", headers=auth).json() == []


# ---------------------------------------------------------------------------------------------- 6


@pytest.mark.parametrize("number", [2**31, 999_999_999_999_999_999, 2**63, 10**40])
def test_6_ids_beyond_the_column_are_404_on_page_routes(diary: Diary, number: int) -> None:
    """PostgreSQL refused the number in the query (and SQLite beyond 2**63): a 500 on page routes."""
    with diary.client() as browser:
        page_signup(browser, "alice")
        token = csrf(browser, "/diary")
        _page_error(browser.get(f"/diary/entries/{number}"), 404)
        _page_error(browser.post(f"/diary/entries/{number}", data={"loc": "loc_calf", **token}), 404)
        _page_error(browser.post(f"/diary/entries/{number}/delete", data=token), 404)
        _page_error(browser.post(f"/account/tokens/{number}/revoke", data=token), 404)


# ---------------------------------------------------------------------------------------------- 7


def test_7_forwarded_for_is_not_trusted_unless_configured(live: Live) -> None:
    """uvicorn trusted X-Forwarded-For from 127.0.0.1, so varying it escaped the per-address limit
    (20 password checks in 10 minutes). `twitchcheck serve` now ignores it unless told otherwise."""
    codes = []
    with httpx.Client(base_url=live.base, timeout=30) as client:
        for i in range(21):
            guess = {"username": f"nobody{i}", "password": "wrong password", "name": "x"}
            sent = client.post(
                f"{API}/account/tokens", json=guess, headers={"X-Forwarded-For": f"10.9.{i}.1"}
            )
            codes.append(sent.status_code)
    assert codes[:20] == [401] * 20 and codes[20] == 429, codes


# ---------------------------------------------------------------------------------------------- 8


def test_8_a_stranger_cannot_lock_the_owner_out(diary: Diary) -> None:
    """Five wrong passwords from anywhere locked the account for everyone for 15 minutes."""
    with diary.client("192.0.2.10") as owner, diary.client("198.51.100.66") as stranger:
        api_signup(owner, "alice")
        wrong = {"username": "alice", "password": "guess guess", "name": "x"}
        for _ in range(6):
            stranger.post(f"{API}/account/tokens", json=wrong)
        held = stranger.post(f"{API}/account/tokens", json={**wrong, "password": PASSWORD})
        assert held.status_code == 429 and int(held.headers["retry-after"]) >= 1
        right = {"username": "alice", "password": PASSWORD, "name": "phone"}
        assert owner.post(f"{API}/account/tokens", json=right).status_code == 201
        # the pages share the count: the stranger is held back there too, the owner is not
        login = {"username": "alice", "password": PASSWORD}
        assert stranger.post("/login", data={**login, **csrf(stranger, "/login")}).status_code == 429
        signed_in = owner.post("/login", data={**login, **csrf(owner, "/login")}, follow_redirects=False)
        assert signed_in.status_code == 303


def test_8_sign_up_tells_few_names_apart_per_address(diary: Diary) -> None:
    """Registration said which names exist, as often as asked. It still must say a name is taken, but
    a few times per address and hour; then every sign-up from there waits, taken name or new."""
    with diary.client("192.0.2.10") as owner, diary.client("198.51.100.66") as prober:
        api_signup(owner, "alice")
        for name in ("alice", "ALICE", " alice", "admin", "alice "):
            taken = prober.post(f"{API}/account/register", json={"username": name, "password": PASSWORD})
            _json_error(taken, 409, "username")
        new_name = prober.post(f"{API}/account/register", json={"username": "carol", "password": PASSWORD})
        assert "taken" in _json_error(new_name, 429, None) and int(new_name.headers["retry-after"]) > 60
        page = prober.post("/register", data={"username": "dave", "password": PASSWORD, "password2": PASSWORD,
                                              **csrf(prober, "/register")})  # fmt: skip
        _page_error(page, 429, "taken")
        fresh = owner.post(f"{API}/account/register", json={"username": "carol", "password": PASSWORD})
        assert fresh.status_code == 201  # another address is not held back


# ---------------------------------------------------------------------------------------------- 9


def test_9_exports_and_imports_are_limited_per_person(diary: Diary) -> None:
    """Expensive operations had no limit at all."""
    with diary.client() as client:
        auth = api_signup(client, "alice")
        exports = EXPORTS_PER_10_MIN
        codes = [
            client.get(f"{API}/account/export?format=csv", headers=auth).status_code for _ in range(exports)
        ]
        assert codes == [200] * exports
        refused = client.get(f"{API}/account/export", headers=auth)
        assert "try again" in _json_error(refused, 429, None) and int(refused.headers["retry-after"]) >= 1
        imports = IMPORTS_PER_10_MIN
        for _ in range(imports):
            assert client.post(f"{API}/account/import", json=[], headers=auth).status_code == 200
        _json_error(client.post(f"{API}/account/import", json=[], headers=auth), 429, None)
        other = api_signup(client, "bob")  # the count is per person
        assert client.get(f"{API}/account/export", headers=other).status_code == 200
        # the pages share the count
        page_signup(client, "carol")
        login = {"username": "carol", "password": PASSWORD, "name": "x"}
        carol = {
            "Authorization": f"Bearer {client.post(f'{API}/account/tokens', json=login).json()['token']}"
        }
        for _ in range(exports):
            assert client.get(f"{API}/account/export?format=csv", headers=carol).status_code == 200
        refused_page = client.get("/account/export.csv")
        _page_error(refused_page, 429, "try again")
        assert int(refused_page.headers["retry-after"]) >= 1


def test_9_one_pdf_report_at_a_time_per_person(diary: Diary, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four PDF reports at once took ~36 s each; now a person's second one at once is refused."""

    def slow_pdf(html: str, plots: dict[str, str]) -> bytes:
        time.sleep(1.5)
        return b"%PDF-1.4 stand-in"

    monkeypatch.setattr(diary_pages, "html_to_pdf", slow_pdf)
    with diary.client() as browser:
        page_signup(browser, "alice")
        cookies = dict(browser.cookies)
    statuses: list[int] = []
    retry: list[str] = []

    def fetch() -> None:
        with diary.client(cookies=cookies) as client:
            response = client.get("/diary/report.pdf")
            statuses.append(response.status_code)
            retry.append(response.headers.get("retry-after", ""))

    threads = [threading.Thread(target=fetch) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 429, 429], statuses
    assert all(r.isdigit() for r, s in zip(retry, statuses, strict=True) if s == 429)


def _saved(client: TestClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    listed = client.get(f"{API}/diary/entries", headers=auth)
    assert listed.status_code == 200, listed.text[:300]
    entries: list[dict[str, Any]] = listed.json()
    return entries


def _moments(count: int, per_day: int = 24) -> list[str]:
    start = datetime(2016, 1, 1, 7, 0, tzinfo=UTC)
    return [(start + timedelta(days=i / per_day)).isoformat() for i in range(count)]


def test_9_an_import_over_the_entry_limit_is_413_and_loses_nothing(diary: Diary) -> None:
    """16 MiB of small entries (about 400,000) were all validated and written in one request."""
    with diary.client() as client:
        auth = api_signup(client, "alice")
        for note in ("left calf jumping after a run", None):
            assert client.post(f"{API}/diary/entries", json={**ENTRY, "note": note}, headers=auth).is_success
        before = _saved(client, auth)
        moments = _moments(IMPORT_ENTRIES + 1)
        as_json = client.post(
            f"{API}/account/import", json=[{"occurred_at": m} for m in moments], headers=auth
        )
        detail = _json_error(as_json, 413, "entries")
        assert f"{IMPORT_ENTRIES + 1:,}" in detail and f"{IMPORT_ENTRIES:,}" in detail and "split" in detail
        rows = "occurred_at\n" + "\n".join(moments) + "\n"
        as_csv = client.post(
            f"{API}/account/import", content=rows, headers={**auth, "Content-Type": "text/csv"}
        )
        assert f"{IMPORT_ENTRIES:,}" in _json_error(as_csv, 413, "entries")
        assert _saved(client, auth) == before


def test_9_an_import_with_too_many_note_characters_to_read_is_413_and_loses_nothing(
    diary: Diary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notes without their findings are read on import (~72 ms for 5,000 characters): 16 MiB held
    about 3,300 such notes, minutes of reading in one request. Now refused before any is read."""
    with diary.client() as client:
        auth = api_signup(client, "alice")
        saved = client.post(f"{API}/diary/entries", json={**ENTRY, "note": "calf jumping"}, headers=auth)
        assert saved.status_code == 201, saved.text[:300]
        before = _saved(client, auth)
        read: list[str] = []

        def counting_reader(kb: Any) -> Any:
            def run(text: str) -> list[Any]:
                read.append(text)
                return []

            return run

        monkeypatch.setattr(repository, "text_extractor", counting_reader)
        note = ("my left calf keeps twitching " * 172).strip()  # 4,987 characters
        count = IMPORT_NOTE_CHARACTERS // len(note) + 1
        records = [{"occurred_at": m, "note": note} for m in _moments(count)]
        refused = client.post(f"{API}/account/import", json=records, headers=auth)
        detail = _json_error(refused, 413, "entries")
        assert f"{count * len(note):,}" in detail and f"{IMPORT_NOTE_CHARACTERS:,}" in detail
        assert "split" in detail
        assert read == [] and _saved(client, auth) == before
        # The same notes with their findings, as an export has them, are not read: they go in.
        findings = [{"finding": "loc_calf", "state": "present", "span": "calf", "start": 8, "end": 12}]
        exported = [{**r, "note_findings": findings} for r in records]
        imported = client.post(f"{API}/account/import", json=exported, headers=auth)
        assert imported.status_code == 200, imported.text[:300]
        assert imported.json()["added"] == count and read == []


def test_9_ten_years_of_daily_entries_import_in_one_request(diary: Diary) -> None:
    """The limits leave room for a real diary: ten years of five entries a day (18,250), each with a
    note and the findings read from it, as an export has them."""
    days = 10 * 365
    findings = [{"finding": "loc_calf", "state": "present", "span": "calf", "start": 5, "end": 9}]
    records = [
        {"occurred_at": m, "regions": ["loc_calf"], "count": 20, "caffeine_cups": 3,
         "note": "left calf jumping after a long run, no weakness", "note_findings": findings}
        for m in _moments(days * 5, per_day=5)
    ]  # fmt: skip
    body = json.dumps({"format": "twitchcheck-diary", "version": 1, "entries": records}).encode()
    with diary.client() as client:
        auth = api_signup(client, "alice")
        response = client.post(
            f"{API}/account/import", content=body, headers={**auth, "Content-Type": "application/json"}
        )
        assert response.status_code == 200, response.text[:300]
        assert response.json()["added"] == days * 5


# ---------------------------------------------------------------------------------------------- 10


def test_10_a_500_carries_the_security_headers(diary: Diary) -> None:
    """Starlette's server-error answer went out without any of the headers."""

    def broken() -> None:
        raise RuntimeError("a bug")

    diary.app.add_api_route(f"{API}/reliability-broken", broken)
    diary.app.add_api_route("/reliability-broken", broken)
    with diary.client(raise_server_exceptions=False) as client:
        for path in (f"{API}/reliability-broken", "/reliability-broken"):
            response = client.get(path)
            assert response.status_code == 500
            assert all(name in response.headers for name in SECURITY_HEADERS), response.headers
            assert "a bug" not in response.text and "Traceback" not in response.text
        assert all(name in client.get(f"{API}/nowhere").headers for name in SECURITY_HEADERS)


def test_10_the_documented_characters_fit_the_body_limit(diary: Diary) -> None:
    """The 64 KiB byte cap refused the documented 20,000 characters of non-ASCII text."""
    with diary.client() as client:
        emoji = "\U0001f600" * 19_990 + " calf"  # 20,000 characters, 240 KB as escaped JSON
        body = json.dumps({"text": emoji})
        response = client.post(f"{API}/assess", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.text[:200]
        form = {"text": "\u6211" * 19_990 + " calf", **csrf(client, "/")}  # 180 KB percent-encoded
        assert client.post("/assess", data=form).status_code == 200
        over = client.post(f"{API}/assess", json={"text": "a" * 20_001})
        assert "text" in _json_error(over, 422, "text")


def test_10_a_wrong_content_type_is_told_to_send_json(diary: Diary) -> None:
    with diary.client() as client:
        auth = api_signup(client, "alice")
        for path, headers in ((f"{API}/assess", {}), (f"{API}/diary/entries", auth)):
            for media in ("text/plain", "application/x-www-form-urlencoded", None):
                sent = {**headers, **({"Content-Type": media} if media else {})}
                response = client.post(path, content=json.dumps(ENTRY | {"text": "calf"}), headers=sent)
                assert "send JSON" in _json_error(response, 422, None), (path, media)


def test_10_invalid_utf8_is_a_4xx(diary: Diary) -> None:
    """Bodies and addresses that are not UTF-8: refused with a message, never read as Latin-1 or a 500."""
    with diary.client() as client:
        auth = api_signup(client, "alice")
        json_body = b'{"occurred_at": "2026-03-01T08:30:00+01:00", "note": "\xff\xfe"}'
        response = client.post(
            f"{API}/diary/entries", content=json_body, headers={**auth, "Content-Type": "application/json"}
        )
        assert "UTF-8" in _json_error(response, 400, None)
        query = client.get(f"{API}/diary/entries?since=%FF", headers=auth)
        assert "UTF-8" in _json_error(query, 400, None)
        page_signup(client, "bob")
        form = b"note=%FF%FE&loc=loc_calf&csrf_token=" + csrf(client, "/diary")["csrf_token"].encode()
        posted = client.post(
            "/diary/entries", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        _page_error(posted, 400, "UTF-8")
        assert 'class="entry"' not in client.get("/diary").text
        _page_error(client.get("/login?next=%C3%28"), 400, "UTF-8")


def test_10_head_is_answered_like_get(diary: Diary) -> None:
    with diary.client() as client:
        for path in ("/", "/about", "/healthz", f"{API}/conditions"):
            got, head = client.get(path), client.head(path)
            assert head.status_code == got.status_code == 200, (path, head.status_code)
            assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
            assert all(name in head.headers for name in SECURITY_HEADERS)


def _answer_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before it closed the connection, or None if it is still open after
    ``seconds``."""
    sock.settimeout(seconds)
    answer = b""
    try:
        while chunk := sock.recv(4096):
            answer += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        return answer
    return answer


def test_10_slow_clients_are_cut_off(live: Live) -> None:
    """A connection that sent nothing, or trickled its headers, stayed open for ever. uvicorn's own
    answers (408, and 400 for headers that are too large) now carry the security headers too."""
    started = time.monotonic()
    idle, trickle, huge = (
        socket.create_connection(("127.0.0.1", live.port), timeout=HEADER_TIMEOUT + 5) for _ in range(3)
    )
    trickle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    huge.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 70_000 + b"\r\n")
    try:
        answer = _answer_within(huge, HEADER_TIMEOUT)
        assert answer is not None, "over-long headers were not answered"
        assert_security_headers(answer, b"400")
        for _ in range(int(HEADER_TIMEOUT) + 3):
            try:
                trickle.sendall(b"X-More: 1\r\n")
            except OSError:
                break
            time.sleep(1)
        answer = _answer_within(idle, HEADER_TIMEOUT + 5)
        assert answer is not None, "an idle connection was left open"
        assert_security_headers(answer, b"408")
        answer = _answer_within(trickle, 5)
        assert answer is not None, "a connection trickling its headers was left open"
        assert_security_headers(answer, b"408")
        assert time.monotonic() - started < HEADER_TIMEOUT + 10
        # and the server still answers
        assert httpx.get(f"{live.base}/healthz", timeout=10).status_code == 200
        assert httpx.head(f"{live.base}/", timeout=10).status_code == 200
    finally:
        for sock in (idle, trickle, huge):
            sock.close()


@pytest.mark.parametrize(
    "request_bytes",
    [b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", b"\x16\x03\x01\x02\x00 hello\r\n\r\n"],
    ids=["no colon in a header", "not HTTP"],
)
def test_10_a_request_the_server_cannot_parse_gets_400_with_the_security_headers(
    live: Live, request_bytes: bytes
) -> None:
    """uvicorn answers these itself, without the app and its headers middleware."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        answer = _answer_within(sock, 10)
    assert answer is not None and answer.endswith(b"Invalid HTTP request received."), answer
    assert_security_headers(answer, b"400")
