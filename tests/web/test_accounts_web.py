"""Accounts and the diary in the browser pages: cookies, CSRF, log-in limits, quick add, re-triage,
export and deletion. Plain form posts through the in-process client (no JavaScript)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.web.conftest import PASSWORD, app_routes, csrf, register
from twitchcheck.diary.schemas import birth_years
from twitchcheck.engine.evidence import MAX_AGE
from twitchcheck.web.auth import CSRF_FIELD, SESSION_COOKIE


def _levels(html: str) -> list[str]:
    return re.findall(r'data-level="(\w+)"', html)


def _add(client: TestClient, **fields: Any) -> Any:
    return client.post("/diary/entries", data={**fields, **csrf(client, "/diary")}, follow_redirects=False)


def test_diary_pages_need_a_login_and_come_back_after_it(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        for path in ("/diary", "/diary/patterns", "/diary/report", "/account", "/diary/entries/1"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
        register(client, "alice")
        client.post("/logout", data=csrf(client, "/diary"))
        form = {
            "username": "alice",
            "password": PASSWORD,
            "next": "/diary/patterns",
            **csrf(client, "/login"),
        }
        response = client.post("/login", data=form, follow_redirects=False)
        assert response.headers["location"] == "/diary/patterns"
        client.post("/logout", data=csrf(client, "/diary"))
        # never an open redirect to another site after log-in
        for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
            form = {"username": "alice", "password": PASSWORD, "next": target, **csrf(client, "/login")}
            response = client.post("/login", data=form, follow_redirects=False)
            assert response.headers["location"] == "/diary"
            client.post("/logout", data=csrf(client, "/diary"))


def test_session_cookie_flags_over_http_and_https(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        form = {"username": "bob", "password": PASSWORD, "password2": PASSWORD, **csrf(client, "/register")}
        cookies = client.post("/register", data=form, follow_redirects=False).headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
    with TestClient(diary_app, base_url="https://testserver") as client:
        form = {"username": "carol", "password": PASSWORD, "password2": PASSWORD, **csrf(client, "/register")}
        cookies = client.post("/register", data=form, follow_redirects=False).headers.get_list("set-cookie")
    assert all("Secure" in c for c in cookies) and len(cookies) == 2


def test_logout_ends_the_session_on_the_server(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        register(client, "dora")
        stolen = client.cookies[SESSION_COOKIE]
        assert client.post("/logout", data=csrf(client, "/diary"), follow_redirects=False).status_code == 303
        assert SESSION_COOKIE not in client.cookies
    with TestClient(diary_app, cookies={SESSION_COOKIE: stolen}) as replay:
        assert replay.get("/diary", follow_redirects=False).status_code == 303


def test_register_errors_name_the_field_and_keep_the_username(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        token = csrf(client, "/register")
        bad = client.post(
            "/register", data={"username": "Al", "password": "short", "password2": "short", **token}
        )
        assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
        differ = {"username": "erin", "password": PASSWORD, "password2": PASSWORD + "x", **token}
        response = client.post("/register", data=differ)
        assert (
            response.status_code == 422
            and "passwords differ" in response.text
            and 'value="erin"' in response.text
        )
        register(client, "erin")
    with TestClient(diary_app) as other:
        taken = {"username": "erin", "password": PASSWORD, "password2": PASSWORD, **csrf(other, "/register")}
        response = other.post("/register", data=taken)
        assert response.status_code == 422 and "taken" in response.text


def test_login_is_rate_limited_per_username_and_per_address(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        register(client, "frank")
        client.post("/logout", data=csrf(client, "/diary"))
        token = csrf(client, "/login")
        statuses = [
            client.post("/login", data={"username": "frank", "password": "wrong-one", **token}).status_code
            for _ in range(6)
        ]
        assert statuses[:5] == [401] * 5 and statuses[5] == 429
        right = client.post("/login", data={"username": "frank", "password": PASSWORD, **token})
        assert (
            right.status_code == 429 and int(right.headers["retry-after"]) > 0
        )  # even the right password waits
        assert "Wrong username or password" not in right.text
        # the per-address limit (8 in the fixture) also stops guessing across many usernames
        codes = [
            client.post("/login", data={"username": f"user{i}", "password": "x" * 8, **token}).status_code
            for i in range(3)
        ]
        assert codes[-1] == 429


def test_every_page_form_post_needs_the_csrf_token(diary_app: Any) -> None:
    posts = sorted(
        path for path, methods in app_routes(diary_app) if "POST" in methods and not path.startswith("/api/")
    )
    assert {"/login", "/register", "/logout", "/diary/entries", "/account/delete"} <= set(posts)
    with TestClient(diary_app) as client:
        register(client, "gina")
        assert _add(client, kind="cramp").status_code == 303
        entries_before = client.get("/diary").text.count('class="entry"')
        for path in posts:
            url = path.replace("{entry_id}", "1").replace("{token_id}", "1")
            for extra in ({}, {CSRF_FIELD: "0" * 64}):
                response = client.post(url, data={"username": "gina", "password": PASSWORD, **extra})
                assert response.status_code == 403, (url, response.status_code)
                assert "nothing was changed" in response.text
        assert (
            client.get("/diary").text.count('class="entry"') == entries_before
        )  # still logged in, nothing lost


def test_quick_add_keeps_input_on_error_and_saves_when_fixed(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        register(client, "hana")
        bad = _add(
            client,
            kind="fasciculation",
            loc=["loc_calf"],
            intensity="30",
            note="after my run",
            symptom=["fever"],
        )
        assert bad.status_code == 422
        assert 'id="intensity-error"' in bad.text and 'value="30"' in bad.text
        assert re.search(r'value="fever"[^>]*checked', bad.text)
        assert "after my run</textarea>" in bad.text and re.search(r'value="loc_calf"[^>]*checked', bad.text)
        good = _add(
            client,
            kind="fasciculation",
            loc=["loc_calf"],
            intensity="3",
            note="after my run",
            tz_offset="-60",
        )
        assert good.status_code == 303 and good.headers["location"].startswith("/diary?saved=1")
        page = client.get(good.headers["location"]).text
        assert "<strong>Saved</strong>: Twitch or flicker, calf or shin," in page and "after my run" in page
        stored = json.loads(client.get("/account/export.json").text)["entries"][0]
        assert stored["occurred_at"].endswith("+01:00")  # in the phone's own time zone
        assert _levels(page) == ["self_care"] and "not a diagnosis" in page


def test_a_rise_in_triage_is_the_headline_until_the_level_changes(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        register(client, "ivan")
        _add(client, kind="fasciculation", loc=["loc_calf"], occurred_at="2026-09-01T08:00")
        assert "pattern has changed" not in client.get("/diary").text
        _add(
            client,
            kind="fasciculation",
            loc=["loc_hand"],
            symptom=["weakness", "weak_grip", "muscle_wasting"],
        )
        page = client.get("/diary").text
        level = _levels(page)[0]
        assert level in ("urgent", "emergency")
        assert 'role="alert"' in page and "pattern has changed" in page and "up from" in page
        assert "Muscle weakness" in page  # the change that caused it, in words
        patterns = client.get("/diary/patterns").text
        assert "pattern has changed" in patterns and "(rose)" in patterns


def test_edit_and_delete_an_entry(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        register(client, "jade")
        _add(
            client, kind="cramp", loc=["loc_foot"], count="4", occurred_at="2026-11-01T21:30", tz_offset="300"
        )
        entry = re.search(r'href="/diary/entries/(\d+)"', client.get("/diary").text)
        assert entry
        url = f"/diary/entries/{entry.group(1)}"
        form_page = client.get(url).text
        assert (
            'value="2026-11-01T21:30"' in form_page
            and 'value="300"' in form_page
            and 'value="4"' in form_page
        )
        changed = {
            "kind": "cramp",
            "loc": ["loc_calf"],
            "count": "7",
            "occurred_at": "2026-11-01T21:30",
            "tz_offset": "300",
        }
        assert (
            client.post(url, data={**changed, **csrf(client, url)}, follow_redirects=False).status_code == 303
        )
        assert "7 twitches" in client.get("/diary").text
        assert json.loads(client.get("/account/export.json").text)["entries"][0]["occurred_at"].endswith(
            "-05:00"
        )
        assert client.post(f"{url}/delete", data=csrf(client, url), follow_redirects=False).status_code == 303
        assert client.get(url).status_code == 404
        assert "No entries yet" in client.get("/diary").text


def test_patterns_report_and_plots(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        register(client, "kai")
        for day, cups in ((1, 1), (2, 5), (3, 2), (4, 6), (5, 1), (6, 7)):
            _add(
                client,
                kind="fasciculation",
                loc=["loc_eyelid"],
                count=str(cups * 3),
                caffeine_cups=str(cups),
                occurred_at=f"2026-10-0{day}T09:00",
            )
        patterns = client.get("/diary/patterns").text
        assert "Possible triggers" in patterns and "Caffeine" in patterns and "not" in patterns.lower()
        assert 'src="/diary/plots/timeline.svg"' in patterns and 'src="/diary/plots/bodymap.svg"' in patterns
        for name in ("timeline", "bodymap"):
            plot = client.get(f"/diary/plots/{name}.svg")
            assert plot.headers["content-type"] == "image/svg+xml" and plot.text.lstrip().startswith(
                ("<svg", "<?xml")
            )
        report = client.get("/diary/report").text
        assert "Twitching diary report" in report and "print-view" in report
        assert "What could be causing it" in report and "Sources" in report and "not a diagnosis" in report
        assert report.count("<tr>") >= 6


def test_a_year_of_birth_the_assessment_cannot_take_is_refused(diary_app: Any) -> None:
    """A year of birth giving an age over MAX_AGE (1892 in 2026) was saved, and then every re-triage
    of the diary failed; now the form says why and keeps the diary usable."""
    first, last = birth_years()
    with TestClient(diary_app) as client:
        register(client, "mira")
        assert _add(client, kind="fasciculation", loc=["loc_calf"]).status_code == 303
        too_old = {"year_of_birth": str(first - 1), **csrf(client, "/account")}
        bad = client.post("/account/profile", data=too_old)
        assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
        assert f"over {MAX_AGE} years" in bad.text and f"from {first} to {last}" in bad.text
        assert client.get("/diary").status_code == 200
        ok = client.post("/account/profile", data={"year_of_birth": str(first), **csrf(client, "/account")})
        assert ok.status_code == 200 and "Saved." in ok.text
        assert client.get("/diary").status_code == 200  # the oldest year accepted is an age the engine takes


def test_account_profile_tokens_export_and_delete(diary_app: Any) -> None:
    with TestClient(diary_app) as client:
        register(client, "lena")
        _add(client, kind="fasciculation", loc=["loc_calf"], note="coffee =1+1 day")
        bad = client.post("/account/profile", data={"year_of_birth": "1750", **csrf(client, "/account")})
        assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
        ok = client.post(
            "/account/profile", data={"year_of_birth": "1990", "sex": "female", **csrf(client, "/account")}
        )
        assert ok.status_code == 200 and "Saved." in ok.text and 'value="1990"' in ok.text
        made = client.post("/account/tokens", data={"name": "phone", **csrf(client, "/account")}).text
        token = re.search(r'<code class="token">(tc_[^<]+)</code>', made)
        assert token and "will not be shown again" in made
        assert token.group(1) not in client.get("/account").text  # shown once only
        exported = json.loads(client.get("/account/export.json").text)
        assert exported["entries"][0]["note"] == "coffee =1+1 day"
        csv_text = client.get("/account/export.csv").text
        assert "coffee =1+1 day" in csv_text
        bundle = zipfile.ZipFile(io.BytesIO(client.get("/account/export.zip").content))
        assert any(n.endswith(".svg") for n in bundle.namelist())
        wrong = client.post("/account/delete", data={"password": "nope-nope", **csrf(client, "/account")})
        assert wrong.status_code == 422 and "nothing was deleted" in wrong.text
        assert "coffee" in client.get("/diary").text
        gone = client.post(
            "/account/delete", data={"password": PASSWORD, **csrf(client, "/account")}, follow_redirects=False
        )
        assert gone.status_code == 303 and SESSION_COOKIE not in client.cookies
        assert client.get("/diary", follow_redirects=False).status_code == 303
        form = {"username": "lena", "password": PASSWORD, **csrf(client, "/login")}
        assert client.post("/login", data=form).status_code == 401


def test_password_change_ends_other_sessions(diary_app: Any) -> None:
    with TestClient(diary_app) as phone, TestClient(diary_app) as laptop:
        register(phone, "mona")
        form = {"username": "mona", "password": PASSWORD, **csrf(laptop, "/login")}
        assert laptop.post("/login", data=form, follow_redirects=False).status_code == 303
        change = {"old_password": PASSWORD, "new_password": "a whole new phrase", **csrf(phone, "/account")}
        assert phone.post("/account/password", data=change, follow_redirects=False).status_code == 303
        assert phone.get("/account").status_code == 200  # this device stays logged in
        assert laptop.get("/account", follow_redirects=False).status_code == 303


def test_anonymous_checks_store_nothing(diary_app: Any, tmp_path: Any) -> None:
    with TestClient(diary_app) as client:
        page = client.post("/assess", data={"text": "my calf twitches after coffee", **csrf(client)})
        api = client.post("/api/v1/assess", json={"text": "my calf twitches after coffee"})
        step = client.post("/api/v1/interview", json={"text": "eyelid twitch"})
        assert page.status_code == api.status_code == step.status_code == 200
        assert SESSION_COOKIE not in client.cookies
    assert not diary_app.state.accounts.opened  # the diary database was never even opened
    assert not (tmp_path / "diary.db").exists()


def test_report_as_pdf_has_its_stylesheet_and_plots_and_fetches_nothing_else(
    diary_app: Any, caplog: Any
) -> None:
    with TestClient(diary_app) as client:
        register(client, "nina")
        for day in (1, 2, 3):
            _add(
                client,
                kind="fasciculation",
                loc=["loc_calf"],
                caffeine_cups=str(day),
                occurred_at=f"2026-10-0{day}T09:00",
            )
        with caplog.at_level("WARNING", logger="weasyprint"):
            response = client.get("/diary/report.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert 'filename="twitchcheck-report-' in response.headers["content-disposition"]
    document = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in document.pages).replace("\n", " ")
    for words in ("Twitching diary report", "What could be causing it", "Possible triggers", "Sources"):
        assert words in text
    assert "not a diagnosis" in text
    # every resource resolved locally: WeasyPrint logs "Failed to load ..." for any it could not fetch
    assert not [r.getMessage() for r in caplog.records if "load" in r.getMessage().lower()]
    assert len(document.pages) >= 2
