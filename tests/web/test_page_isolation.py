"""A second user walks every diary, report and account page with the first user's ids.

Routes are enumerated from the app, so a new page without a recipe here fails this test.
Id routes must answer 404; collection pages must show only the second user's (empty) data;
afterwards the first user's diary, token and password must be exactly as they were.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.web.conftest import PASSWORD, app_routes, csrf, register
from twitchcheck.diary import accounts

MARK = "zebra-marker-7731"
OWN_PAGES = ("/diary", "/account")


def _is_private(path: str) -> bool:
    return path.startswith(OWN_PAGES) and not path.startswith("/api/")


def _alice(client: TestClient) -> dict[str, str]:
    register(client, "alice")
    form = {
        "kind": "cramp",
        "loc": ["loc_tongue"],
        "note": MARK,
        "medications": MARK,
        **csrf(client, "/diary"),
    }
    assert client.post("/diary/entries", data=form, follow_redirects=False).status_code == 303
    entry = re.search(r'href="/diary/entries/(\d+)"', client.get("/diary").text)
    made = client.post("/account/tokens", data={"name": MARK, **csrf(client, "/account")}).text
    token = re.search(r'<code class="token">(tc_[^<]+)</code>', made)
    revoke = re.search(r'action="/account/tokens/(\d+)/revoke"', made)
    assert entry and token and revoke
    return {"entry_id": entry.group(1), "token": token.group(1), "token_id": revoke.group(1)}


def test_second_user_never_reaches_first_users_data(diary_app: Any) -> None:
    with TestClient(diary_app) as alice_client, TestClient(diary_app) as bob:
        alice = _alice(alice_client)
        before = alice_client.get("/account/export.json").json()
        register(bob, "bob")

        def post(path: str, **data: Any) -> Any:
            return bob.post(path, data={**data, **csrf(bob, "/diary")}, follow_redirects=False)

        def clean(response: Any) -> None:
            assert response.status_code in (200, 303), response.status_code
            assert MARK not in response.text and "alice" not in response.text

        def missing(response: Any) -> None:
            assert response.status_code in (403, 404), response.status_code

        def plots() -> None:
            for name in ("timeline", "bodymap"):
                clean(bob.get(f"/diary/plots/{name}.svg"))

        def exports() -> None:
            for fmt in ("json", "csv"):
                clean(bob.get(f"/account/export.{fmt}"))
            bundle = zipfile.ZipFile(io.BytesIO(bob.get("/account/export.zip").content))
            for name in bundle.namelist():
                assert MARK.encode() not in bundle.read(name) and b"alice" not in bundle.read(name)

        def report_pdf() -> None:
            response = bob.get("/diary/report.pdf")
            assert response.status_code == 200
            text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
            assert MARK not in text and "alice" not in text and "bob" in text

        def delete() -> None:
            clean(
                bob.post("/account/delete", data={"password": "bob's new password", **csrf(bob, "/account")})
            )

        entry, token_id = alice["entry_id"], alice["token_id"]
        recipes: dict[tuple[str, str], Callable[[], None]] = {
            ("GET", "/diary"): lambda: clean(bob.get("/diary")),
            ("POST", "/diary/entries"): lambda: clean(post("/diary/entries", kind="spasm")),
            ("GET", "/diary/entries/{entry_id}"): lambda: missing(bob.get(f"/diary/entries/{entry}")),
            ("POST", "/diary/entries/{entry_id}"): lambda: missing(
                post(f"/diary/entries/{entry}", kind="tremor", note="bob was here")
            ),
            ("POST", "/diary/entries/{entry_id}/delete"): lambda: missing(
                post(f"/diary/entries/{entry}/delete")
            ),
            ("GET", "/diary/patterns"): lambda: clean(bob.get("/diary/patterns")),
            ("GET", "/diary/report"): lambda: clean(bob.get("/diary/report")),
            ("GET", "/diary/report.pdf"): report_pdf,
            ("GET", "/diary/plots/{name}.svg"): plots,
            ("GET", "/account"): lambda: clean(bob.get("/account")),
            ("POST", "/account/profile"): lambda: clean(post("/account/profile", year_of_birth="1980")),
            ("POST", "/account/password"): lambda: clean(
                post("/account/password", old_password=PASSWORD, new_password="bob's new password")
            ),
            ("POST", "/account/tokens"): lambda: clean(post("/account/tokens", name="bob token")),
            ("POST", "/account/tokens/{token_id}/revoke"): lambda: missing(
                post(f"/account/tokens/{token_id}/revoke")
            ),
            ("GET", "/account/export.{fmt}"): exports,
            ("POST", "/account/delete"): delete,
        }
        routes = sorted(
            (method, path)
            for path, methods in app_routes(diary_app)
            if _is_private(path)
            for method in methods
            if method != "HEAD"
        )
        unknown = [r for r in routes if r not in recipes]
        assert not unknown, f"add an isolation recipe for {unknown}"
        for route in routes:  # account deletion last: it ends bob's session
            if route != ("POST", "/account/delete"):
                recipes[route]()
        recipes[("POST", "/account/delete")]()

        after = alice_client.get("/account/export.json").json()
        assert json.dumps(after["entries"]) == json.dumps(before["entries"])
        assert MARK in alice_client.get("/account").text
        database = diary_app.state.accounts.database()
        with database.session() as session:
            assert accounts.verify_api_token(session, alice["token"]) is not None
        alice_client.post("/logout", data=csrf(alice_client, "/diary"))
        login = {"username": "alice", "password": PASSWORD, **csrf(alice_client, "/login")}
        assert alice_client.post("/login", data=login, follow_redirects=False).status_code == 303
