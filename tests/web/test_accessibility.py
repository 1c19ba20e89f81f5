"""axe-core (bundled by axe-playwright-python) on every page: no serious or critical violations.

Pages are reached the way a person reaches them, including error pages and every result level,
at phone and desktop sizes. Minor and moderate findings are printed so they stay visible.

The condition pages share one template: axe scans two of them whose sections differ (one in clinician
view); tests/web/test_pages.py renders every condition page through TestClient and checks its structure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from tests.web.conftest import DESKTOP, PHONE
from tests.web.test_browser import ALS, BENIGN, BFS, STROKE, assess, start
from tests.web.test_diary_browser import quick_add, signup

BLOCKING = {"serious", "critical"}
RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}
AXE = Axe()


def scan(page: Any, where: str) -> list[str]:
    try:
        results = AXE.run(page, options=RULES)
    except PlaywrightError:
        # The last click started a navigation and the old document was already gone (seen once in CI:
        # "Cannot read properties of null (reading 'documentElement')"): scan the page it led to.
        page.wait_for_load_state("load")
        results = AXE.run(page, options=RULES)
    found = []
    for violation in results.response["violations"]:
        nodes = ", ".join(str(n["target"]) for n in violation["nodes"][:3])
        line = f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} ({nodes})"
        print(line)
        if violation["impact"] in BLOCKING:
            found.append(line)
    return found


def _result(text: str, age: str) -> Callable[[Any, str], None]:
    def go(page: Any, server: str) -> None:
        start(page, server, text, age)
        assess(page)

    return go


def _start_with_errors(page: Any, server: str) -> None:
    start(page, server, "twitch", age="abc")
    page.get_by_role("button", name="Assess", exact=True).click()


def _interview(page: Any, server: str) -> None:
    start(page, server, "my calf twitches", "40")
    page.get_by_role("button", name="Guide me with questions").click()
    page.locator(".options button").first.click()


def _interview_checklist(page: Any, server: str) -> None:
    start(page, server, "", "30", "female")
    page.get_by_role("button", name="Guide me with questions").click()
    page.get_by_label("Muscle cramps").check()


def _interview_result(page: Any, server: str) -> None:
    _interview(page, server)
    page.get_by_role("button", name="Stop and see my result now").click()


def _print_view(page: Any, server: str) -> None:
    _result(BENIGN, "30")(page, server)
    page.get_by_role("button", name="Print view").click()


def _goto(path: str) -> Callable[[Any, str], None]:
    def go(page: Any, server: str) -> None:
        page.goto(server + path)

    return go


def _diary(path: str = "") -> Callable[[Any, str], None]:
    """A new account with two entries (the second raises the triage), then ``path``."""

    def go(page: Any, server: str) -> None:
        signup(page, server)
        quick_add(page, "loc_calf", cups="3")
        quick_add(page, "loc_hand", symptoms=("Muscle weakness",))
        if path:
            page.goto(server + path)

    return go


def _diary_errors(page: Any, server: str) -> None:
    signup(page, server)
    page.get_by_label("How strong (0 to 10)").fill("50")
    page.get_by_role("button", name="Save", exact=True).click()


def _entry_edit(page: Any, server: str) -> None:
    _diary()(page, server)
    page.get_by_role("link", name="Edit").first.click()


def _account_with_token(page: Any, server: str) -> None:
    _diary("/account")(page, server)
    page.get_by_label("Name for a new token").fill("phone")
    page.get_by_role("button", name="Create token").click()


PAGES: dict[str, Callable[[Any, str], None]] = {
    "start": _goto("/"),
    "start-with-errors": _start_with_errors,
    "result-self-care": _result(BENIGN, "30"),
    "result-routine": _result(BFS, "32"),
    "result-urgent": _result(ALS, "61"),
    "result-emergency": _result(STROKE, "70"),
    "print-view": _print_view,
    "interview": _interview,
    "interview-checklist": _interview_checklist,
    "interview-result": _interview_result,
    "twitch-types": _goto("/twitch-types"),
    "conditions": _goto("/conditions"),
    # urgent, with questions people ask and 15 sources, no self-care section:
    "condition-als": _goto("/conditions/als"),
    # self-care, with a self-care section and no questions; codes and clinical terms shown:
    "condition-benign-clinician": _goto("/conditions/benign_fasciculations?view=clinician"),
    "about": _goto("/about"),
    "not-found": _goto("/no-such-page"),
    "damaged-state": _goto('/interview?state={"asked":[1]}'),
    "register": _goto("/register"),
    "login": _goto("/login"),
    "diary": _diary(),
    "diary-errors": _diary_errors,
    "diary-entry": _entry_edit,
    "diary-patterns": _diary("/diary/patterns"),
    "diary-report": _diary("/diary/report"),
    "account": _account_with_token,
}


# Pages whose layout changes on a phone are scanned at both sizes; the rest at desktop size.
PHONE_TOO = {
    "start",
    "start-with-errors",
    "result-self-care",
    "result-emergency",
    "result-urgent",
    "interview",
    "interview-checklist",
    "interview-result",
    "twitch-types",
    "register",
    "diary",
    "diary-errors",
    "account",
}
CASES = [(name, DESKTOP) for name in PAGES] + [(name, PHONE) for name in PAGES if name in PHONE_TOO]


@pytest.mark.parametrize(
    ("name", "viewport"), CASES, ids=[f"{n}-{'phone' if v is PHONE else 'desktop'}" for n, v in CASES]
)
def test_page_has_no_serious_accessibility_violations(
    browser: Any, server: str, name: str, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        PAGES[name](page, server)
        problems = scan(page, name)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
