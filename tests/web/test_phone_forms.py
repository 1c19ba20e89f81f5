"""The forms a person fills in on a phone (issue 14): the start page and the diary, in Debian's chromium at
390 x 844 and 1366 x 900.

- Start page: the description box and Assess (with age, sex and "Guide me") fit the first screen; the
  list of places is still there, below, with its own button.
- Diary: Save is on the first screen of the entry form, and after a save the page opens on a "Saved"
  notice that says what was saved; the body map picks a place and a side in one tap, every target at
  least 44 x 44 CSS px; no "your pattern has changed" headline before the diary covers its baseline;
  the charts' text is at least 12 px.
- axe-core finds no violations at all on these pages at either size.

Screenshots go to ``$TWITCHCHECK_ARTIFACTS/phone-forms`` (default: the system's temporary directory).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

from tests.web.conftest import CSRF_INPUT, artifact_folder, open_tab, run_server
from tests.web.test_diary_browser import quick_add, signup
from tests.web.test_results_phone import PHONE, VIEWPORTS, axe_violations
from twitchcheck.diary.patterns import BASELINE_DAYS
from twitchcheck.web.auth import CSRF_FIELD
from twitchcheck.web.bodymap import REGIONS

FIRST_SCREEN = 844
MIN_TARGET = 44
MIN_TEXT_PX = 12
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own `twitchcheck serve`, with its own data folder: its sign-ups do not spend the
    per-address sign-up budget of the server the other browser tests share."""
    yield from run_server(tmp_path_factory.mktemp("phone-forms-data"))


@pytest.fixture(scope="module")
def artifacts() -> Path:
    return artifact_folder("phone-forms")


@pytest.fixture(params=list(VIEWPORTS))
def tab(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A fresh tab at phone or desktop size (``tab.size``); fails on any JavaScript error."""
    yield from open_tab(browser, VIEWPORTS[request.param], request.param)


def shot(page: Any, artifacts: Path, name: str, full: bool = False) -> None:
    page.screenshot(path=str(artifacts / f"{name}-{page.size}.png"), full_page=full)


def on_first_screen(page: Any, selector: str) -> None:
    """The whole of the first match is inside the first screen, the page not scrolled."""
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    assert box["y"] >= 0 and box["y"] + box["height"] <= FIRST_SCREEN, f"{selector} ends at {box}"


def no_sideways_scroll(page: Any) -> None:
    if page.size == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


def add_entry(page: Any, server: str, when: str, **fields: str) -> None:
    """One diary entry through the form's own endpoint (as the page posts it), in this tab's session."""
    token = CSRF_INPUT.search(page.request.get(f"{server}/diary").text())
    assert token is not None
    form = {CSRF_FIELD: token.group(1), "occurred_at": when, "kind": "fasciculation", "loc": "loc_calf"}
    response = page.request.post(f"{server}/diary/entries", form={**form, **fields}, max_redirects=0)
    assert response.status == 303, response.text()[:300]


def test_start_page_first_screen(tab: Any, server: str, artifacts: Path) -> None:
    tab.goto(server + "/")
    shot(tab, artifacts, "start-first-screen")
    for selector in ("#text", "#age", "#sex-female", ".start-actions .primary", ".start-actions .secondary"):
        on_first_screen(tab, selector)
    expect(tab.get_by_role("button", name="Assess", exact=True)).to_be_in_viewport(ratio=1)
    # The list of places is kept, below the first screen on a phone, with a button at its end.
    places = tab.locator(".bodymap .checks input[name=loc]")
    expect(places).to_have_count(len(REGIONS))
    for place in places.all():
        expect(place).to_be_visible()
    no_sideways_scroll(tab)
    shot(tab, artifacts, "start", full=True)
    assert axe_violations(tab, f"start-{tab.size}") == []

    tab.get_by_label("Describe what you are feeling").fill("It keeps twitching")
    tab.get_by_label("Calf, shin or lower leg").check()
    tab.get_by_role("button", name="Assess with these places").click()
    expect(tab.locator('.chip[data-finding="loc_calf"]')).to_contain_text("yes")


def test_body_map_picks_a_place_and_a_side(tab: Any, server: str, artifacts: Path) -> None:
    signup(tab, server)
    parts = tab.locator(".figure .part")
    sided = {r.finding for r in REGIONS} - {"loc_tongue", "loc_neck", "loc_trunk"}
    for finding in sided:
        for side in ("left", "right"):
            expect(tab.locator(f'.figure [data-loc="{finding}"][data-side="{side}"]')).to_have_count(1)
    assert parts.count() == 2 * len(sided) + 3
    for part in parts.all():
        box = part.bounding_box()
        name = part.get_attribute("data-name")
        assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, f"{name}: {box}"

    left, right = (tab.locator(f'.figure [data-loc="loc_calf"][data-side="{s}"]') for s in ("left", "right"))
    left.click()
    expect(tab.locator("#loc_calf")).to_be_checked()
    expect(tab.locator("#side-left")).to_be_checked()
    expect(tab.locator(".figure .selected")).to_have_count(1)
    right.click()
    expect(tab.locator("#side-both")).to_be_checked()
    left.click()
    expect(tab.locator("#side-right")).to_be_checked()
    expect(tab.locator(".bodymap-picked")).to_have_text("Chosen: right calf or shin.")
    shot(tab, artifacts, "diary-bodymap")
    tab.get_by_role("button", name="Save", exact=True).click()
    tab.wait_for_url("**/diary?saved=1*")
    expect(tab.locator(".entries .entry-head").first).to_contain_text("(right)")

    # The edit page shows the side chosen, on the figure as in the list.
    tab.get_by_role("link", name="Edit").first.click()
    expect(tab.locator(".figure .selected")).to_have_count(1)
    expect(tab.locator('.figure .selected[data-loc="loc_calf"][data-side="right"]')).to_have_count(1)
    expect(tab.get_by_role("button", name="Save changes")).to_be_in_viewport(ratio=1)
    no_sideways_scroll(tab)
    shot(tab, artifacts, "diary-edit")
    assert axe_violations(tab, f"diary-edit-{tab.size}") == []


def test_save_is_on_the_first_screen_and_the_saved_notice_is_seen(
    tab: Any, server: str, artifacts: Path
) -> None:
    signup(tab, server)
    save = tab.get_by_role("button", name="Save", exact=True)
    expect(save).to_be_in_viewport(ratio=1)
    shot(tab, artifacts, "diary-new")
    tab.locator('.figure [data-loc="loc_hand"][data-side="left"]').click()
    save.click()
    tab.wait_for_url("**/diary?saved=1&entry=*#saved")
    notice = tab.get_by_role("status").filter(has_text="Saved")
    expect(notice).to_be_in_viewport(ratio=1)
    saved = re.compile(r"Saved: Twitch or flicker, left hand, \w{3} \d{2} \w{3} \d{2}:\d{2}\.")
    expect(notice).to_contain_text(saved)
    expect(save).to_be_in_viewport(ratio=1)  # ready for the next one
    shot(tab, artifacts, "diary-saved")

    quick_add(tab, "loc_eyelid")  # a second region: the check now has something to say
    expect(tab.get_by_role("status").filter(has_text="Saved")).to_be_in_viewport(ratio=1)
    expect(save).to_be_in_viewport(ratio=1)
    no_sideways_scroll(tab)
    shot(tab, artifacts, "diary-two-entries")
    assert axe_violations(tab, f"diary-{tab.size}") == []


def test_no_pattern_change_headline_before_the_baseline(page: Any, server: str) -> None:
    """Issue 14: a calf entry, then an eyelid entry a minute later, said "YOUR DIARY'S PATTERN HAS CHANGED"
    while the report said nothing could be called new before 14 days. Now both say the same."""
    signup(page, server)
    add_entry(page, server, "2026-11-20T08:00")
    add_entry(page, server, "2026-11-20T08:01", loc="loc_eyelid")
    page.goto(f"{server}/diary")
    status = page.locator("#status")
    expect(status).to_have_attribute("data-level", "routine")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(status.locator(".kicker")).to_have_text("What your diary shows now")
    expect(status).to_contain_text(f"reported once it covers {BASELINE_DAYS} days")
    assert "pattern has changed" not in page.locator("main").inner_text().lower()
    page.goto(f"{server}/diary/patterns")
    expect(page.locator("main")).to_contain_text(f"The diary covers less than {BASELINE_DAYS} days")
    assert "pattern has changed" not in page.locator("main").inner_text().lower()


def _svg_text_px(svg: str, shown_width: float) -> list[float]:
    """Every text size in an SVG, in CSS px when the picture is shown ``shown_width`` px wide."""
    root = ElementTree.fromstring(svg)
    view_width = float(root.get("viewBox", "0 0 0 0").split()[2])
    sizes = []
    for text in root.iter(f"{SVG}text"):
        found = re.search(r"font-size:\s*([\d.]+)px", text.get("style", "")) or re.search(
            r"([\d.]+)", text.get("font-size", "")
        )
        assert found, f"a text without a size: {ElementTree.tostring(text)[:120]!r}"
        sizes.append(float(found.group(1)) * shown_width / view_width)
    return sizes


def test_chart_text_is_at_least_12_px(tab: Any, server: str, artifacts: Path) -> None:
    signup(tab, server)
    first = date(2026, 10, 1)
    for day in range(0, 40, 2):
        when = (first + timedelta(days=day)).isoformat() + "T08:00"
        add_entry(tab, server, when, count=str(day % 7 + 1), caffeine_cups=str(day % 4), sleep_hours="7")
    tab.goto(f"{server}/diary/patterns")
    images = tab.locator(".plot img")
    expect(images).to_have_count(2)
    for image in images.all():
        image.scroll_into_view_if_needed()
        tab.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        source = image.evaluate("img => img.currentSrc")
        shown = image.evaluate("img => img.width")
        sizes = _svg_text_px(tab.request.get(source).text(), shown)
        assert sizes and min(sizes) >= MIN_TEXT_PX, f"{source} at {shown} px: text from {min(sizes):.1f} px"
    if tab.size == "phone":
        assert images.first.evaluate("img => img.currentSrc").endswith("/diary/plots/timeline-narrow.svg")
    no_sideways_scroll(tab)
    shot(tab, artifacts, "diary-patterns", full=True)
    assert axe_violations(tab, f"diary-patterns-{tab.size}") == []
