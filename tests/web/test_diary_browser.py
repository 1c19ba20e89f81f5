"""The diary in a real browser (Debian chromium): sign up, quick add on a phone, a triage rise,
patterns with server-drawn plots under the page's Content-Security-Policy, and the report."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from tests.web.conftest import PASSWORD

_names = itertools.count()


def signup(page: Any, server: str) -> str:
    """Register a new account through the page; the browser is then logged in."""
    username = f"user{os.getpid()}x{next(_names)}"
    page.goto(f"{server}/register")
    page.get_by_label("Choose a username").fill(username)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Start my diary").click()
    page.wait_for_url("**/diary?welcome=1")
    return username


def quick_add(page: Any, region: str, *, symptoms: tuple[str, ...] = (), cups: str | None = None) -> None:
    """Log one entry from the diary page: tap the body, optionally open a section, save."""
    page.locator(f'.figure [data-loc="{region}"]').first.click()
    if cups is not None:
        page.get_by_text("Coffee, sleep, stress, exercise").click()
        page.get_by_label("Cups of coffee, tea or cola today").fill(cups)
    if symptoms:
        page.get_by_text("New symptoms", exact=False).first.click()
        for label in symptoms:
            page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/diary?saved=1*")


def test_quick_add_on_a_phone_takes_two_taps(phone: Any, server: str, shots: Path) -> None:
    signup(phone, server)
    phone.screenshot(path=str(shots / "diary-phone-empty.png"), full_page=True)
    calf = phone.locator('.figure [data-loc="loc_calf"]').first
    calf.click()  # tap 1: where
    assert phone.locator('input[name="loc"][value="loc_calf"]').is_checked()
    save = phone.get_by_role("button", name="Save", exact=True)
    # Save comes straight after the essentials (where, what kind); every other field is optional and later.
    controls = ".quick-add form :is(button, input, select)"
    order = phone.evaluate(
        f"() => [...document.querySelectorAll('{controls}')].map(e => e.name || e.textContent.trim())"
    )
    assert order.index("Save") < order.index("intensity") < order.index("Save with details")
    save.click()  # tap 2: save (kind defaults to a twitch, time to now)
    phone.wait_for_url("**/diary?saved=1*")
    assert phone.get_by_role("status").first.inner_text().startswith("Saved")
    assert "Calf" in phone.locator(".entries").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the diary page scrolls sideways on a phone ({width}px)"
    phone.screenshot(path=str(shots / "diary-phone-saved.png"), full_page=True)


def test_rise_in_triage_is_shown_first(page: Any, server: str, shots: Path) -> None:
    """A warning sign is a headline on the diary's first day; it is not called a change of pattern."""
    signup(page, server)
    quick_add(page, "loc_calf")
    assert page.locator("#status").get_attribute("data-level") == "self_care"
    quick_add(page, "loc_hand", symptoms=("Muscle weakness", "Weak grip or loss of dexterity"))
    alert = page.get_by_role("alert").inner_text().lower()
    assert "needs attention" in alert and "pattern has changed" not in alert
    assert page.locator("#status").get_attribute("data-level") in ("urgent", "emergency")
    first_section = page.locator("main section").first
    assert first_section.get_attribute("id") == "status"
    page.screenshot(path=str(shots / "diary-rise.png"), full_page=True)


def test_patterns_plots_load_and_report_prints(page: Any, server: str, shots: Path) -> None:
    signup(page, server)
    for cups in ("1", "4", "2"):
        quick_add(page, "loc_eyelid", cups=cups)
    page.get_by_role("link", name="Patterns, triggers and plots").click()
    for src in ("/diary/plots/timeline.svg", "/diary/plots/bodymap.svg"):
        image = page.locator(f'img[src="{src}"]')
        image.scroll_into_view_if_needed()
        loaded = page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=15_000
        )
        assert loaded
    assert "Possible triggers" in page.content()
    page.screenshot(path=str(shots / "diary-patterns.png"), full_page=True)
    page.goto(f"{server}/diary/report")
    assert page.locator("body.print-view").count() == 1
    page.emulate_media(media="print")
    assert page.locator(".entries-table tbody tr").count() == 3
    page.screenshot(path=str(shots / "diary-report.png"), full_page=True)


def test_log_out_and_back_in(page: Any, server: str) -> None:
    username = signup(page, server)
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{server}/diary")
    page.wait_for_url("**/login?next=*")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/diary")
