"""HTML pages through plain form posts (no JavaScript): the core flow, corrections and error pages."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import csrf
from tests.web.html_check import Page
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web.bodymap import REGIONS


def _state(location: str) -> dict[str, object]:
    value = parse_qs(urlparse(location).query)["state"][0]
    loaded: dict[str, object] = json.loads(value)
    return loaded


def test_start_page_is_plain_accessible_html(client: TestClient) -> None:
    html = client.get("/").text
    assert '<html lang="en"' in html
    assert 'href="#main"' in html
    for region in REGIONS:
        assert f'<label for="{region.finding}">' in html
    assert 'formaction="/interview/start"' in html
    # CSP: no inline script or style anywhere in our pages
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html


def test_assess_form_round_trip_with_corrections(client: TestClient) -> None:
    form = {"text": "my eyelid twitches since I slept badly", "age": "30", "sex": "female", "loc": "loc_calf"}
    form = {**form, **csrf(client)}
    html = client.post("/assess", data=form).text
    assert 'data-finding="loc_eyelid"' in html and 'data-finding="loc_calf"' in html
    assert '<input type="hidden" name="e" value="loc_calf=present">' in html
    corrected = client.post(
        "/assess", data={**form, "e": ["loc_calf=present"], "set": "loc_eyelid=unknown"}
    ).text
    assert 'data-finding="loc_eyelid"' not in corrected
    assert 'value="loc_eyelid=unknown"' in corrected


def test_get_assess_and_print_view(client: TestClient) -> None:
    assert client.get("/assess", follow_redirects=False).status_code == 303
    html = client.get("/assess", params={"e": "face_droop=present", "print": "1"}).text
    assert 'class="print-view"' in html
    assert 'data-level="emergency"' in html
    assert 'href="tel:999"' in html


def test_form_errors_re_render_the_start_page(client: TestClient) -> None:
    response = client.post("/assess", data={"text": "twitch", "age": "-4", "sex": "robot", **csrf(client)})
    assert response.status_code == 422
    assert "Enter your age" in response.text and "Choose female, male" in response.text
    assert "twitch</textarea>" in response.text
    bad = client.post("/assess", data={"e": "no_such=present", **csrf(client)})
    assert bad.status_code == 422 and "unknown finding id" in bad.text


def test_interview_by_redirects_to_the_end(client: TestClient) -> None:
    response = client.post(
        "/interview/start",
        data={"text": "calf twitching", "age": "30", **csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    for _ in range(30):
        page = client.get(location)
        if "data-level=" in page.text:
            break
        match = re.search(r'name="finding" value="([a-z0-9_]+)"', page.text)
        assert match, page.text[:500]
        answer = client.get(
            "/interview",
            params={"state": json.dumps(_state(location)), "finding": match.group(1), "value": "unknown"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        location = answer.headers["location"]
    assert "The questions ended because" in page.text
    back = client.get(
        "/interview", params={"state": json.dumps(_state(location)), "back": "1"}, follow_redirects=False
    )
    assert len(_state(back.headers["location"])["asked"]) == len(_state(location)["asked"]) - 1  # type: ignore[arg-type]


def test_interview_checklist_page(client: TestClient) -> None:
    """An opening without a symptom: a checklist with tick boxes; the ticks travel in the state."""
    form = {"age": "30", "sex": "female", **csrf(client)}
    start = client.post("/interview/start", data=form, follow_redirects=False)
    page = client.get(start.headers["location"]).text
    assert 'type="checkbox" name="tick" value="fasciculations"' in page
    assert "Also tick any of these you have now" in page and "None of these" in page
    state = json.dumps(_state(start.headers["location"]))
    ticked = client.get(
        "/interview",
        params={"state": state, "finding": "main_symptoms", "value": "ticked", "tick": ["cramps", "fever"]},
        follow_redirects=False,
    )
    assert ticked.status_code == 303 and _state(ticked.headers["location"])["ticked"] == ["cramps", "fever"]
    assert 'name="tick"' not in client.get(ticked.headers["location"]).text
    none = client.get(
        "/interview",
        params={"state": state, "finding": "main_symptoms", "value": "unknown", "tick": ["cramps"]},
        follow_redirects=False,
    )
    assert _state(none.headers["location"])["ticked"] == []  # "None of these" wins over stray ticks
    params = {"state": state, "finding": "main_symptoms", "value": "ticked", "tick": "reflexes"}
    bad = client.get("/interview", params=params)
    assert bad.status_code == 422 and "not on the checklist" in bad.text


def test_interview_errors_are_4xx_pages(client: TestClient) -> None:
    assert client.get("/interview", follow_redirects=False).status_code == 303
    for state in (
        "garbage",
        '{"answers": {"x": "present"}}',
        '{"max_questions": 1000}',
        '{"asked": ["a", "a"]}',
    ):
        response = client.get("/interview", params={"state": state})
        assert response.status_code == 400
        assert "start the questions again" in response.text
    half = client.get("/interview", params={"state": "{}", "finding": "weakness"})
    assert half.status_code == 422
    wrong = client.get("/interview", params={"state": "{}", "finding": "weakness", "value": "often"})
    assert wrong.status_code == 422 and "no state" in wrong.text


def test_knowledge_pages(client: TestClient) -> None:
    listing = client.get("/conditions").text
    assert 'href="/conditions/als"' in listing
    als = client.get("/conditions/als").text
    assert "ALS / motor neurone disease" in als and 'id="src-1"' in als
    missing = client.get("/conditions/nope")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    guide = client.get("/twitch-types").text
    for word in (
        "Fasciculation",
        "Myokymia",
        "Cramp",
        "Spasticity",
        "Clonus",
        "Tremor",
        "Tetany",
        "Myoclonus",
        "seizure",
    ):
        assert word in guide
    assert 'id="src-1"' in guide
    assert client.get("/about").status_code == 200


def test_static_assets(client: TestClient) -> None:
    for path in ("/static/style.css", "/static/app.js", "/static/favicon.svg"):
        assert client.get(path).status_code == 200


def test_forms_refuse_a_missing_or_foreign_csrf_token(client: TestClient, app: object) -> None:
    form = {"text": "my calf twitches"}
    missing = client.post("/assess", data=form)
    assert missing.status_code == 403 and "nothing was changed" in missing.text
    token = csrf(client)
    with TestClient(app) as other:  # another browser: its own anchor cookie, so our token is foreign
        other.get("/")
        assert other.post("/assess", data={**form, **token}).status_code == 403
    assert client.post("/assess", data={**form, **token}).status_code == 200


def test_csrf_cookie_is_httponly_and_strict(client: TestClient, app: object) -> None:
    with TestClient(app) as fresh:
        cookie = fresh.get("/").headers["set-cookie"]
    assert cookie.startswith("tc_csrf=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https adds it (test_accounts_web)


@pytest.mark.parametrize("view", ["lay", "clinician"])
def test_every_condition_page_renders_and_is_well_formed(app: Any, kb: KnowledgeBase, view: str) -> None:
    """All condition pages in both views (they share one template; axe scans two of them in a browser)."""
    fresh = TestClient(app)  # its own cookies: the view switch is remembered in one
    faq = {e.id: e for e in kb.faq}
    problems: list[str] = []
    for condition in kb.conditions.values():
        response = fresh.get(f"/conditions/{condition.id}", params={"view": view})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        page = Page(response.text)
        problems += [f"{condition.id}: {problem}" for problem in page.report()]
        assert page.headings[0] == (1, condition.lay_name), condition.id
        assert condition.lay_name in page.title, condition.id
        headings = {text for _, text in page.headings}
        assert {"What a doctor may check", "Treatment and management", "Sources"} <= headings, condition.id
        assert ("What you can do yourself" in headings) == bool(condition.self_care), condition.id
        asked = [e for e in faq.values() if condition.id in e.conditions]
        assert ("Questions people ask" in headings) == bool(asked), condition.id
        for entry in asked:
            assert f'href="/faq#{entry.id}"' in response.text, (condition.id, entry.id)
        assert 'id="src-1"' in response.text, condition.id
        if view == "clinician":
            assert condition.name in page.words and f"ICD-10 {condition.codes.icd10}" in page.words
            for test in condition.tests:
                assert test.name in page.words, (condition.id, test.name)
        else:
            assert "ICD-10" not in page.words, condition.id
    assert not problems, "\n".join(problems)
