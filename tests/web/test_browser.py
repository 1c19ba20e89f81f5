"""End-to-end flows in headless Debian chromium against `twitchcheck serve` on a free port.

Text parsing is only one way in: the safety-critical cases are also driven through explicit answers
(the result page's correction form), so a change in the text reader cannot hide a broken page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import PHONE

BENIGN = (
    "My eyelid has been twitching for three days. I have slept very little this week and drink a lot "
    "of coffee. No weakness."
)
BFS = (
    "For eight months I have had twitching all over my body, in my calves, thighs, arms and back. "
    "A neurologist examined me and my strength and reflexes were normal. No weakness and no muscle wasting."
)
ALS = (
    "Over the last 6 months my right hand has got weaker and I drop things and struggle with buttons. "
    "The muscle at the base of my thumb is wasting away, my arm twitches and my speech has become slurred."
)
STROKE = "Suddenly my face is drooping on one side and my speech is slurred."


def start(
    page: Any, server: str, text: str = "", age: str = "", sex: str = "", locs: tuple[str, ...] = ()
) -> None:
    page.goto(server + "/")
    if text:
        page.get_by_label("Describe what you are feeling").fill(text)
    if age:
        page.get_by_label("Age in years").fill(age)
    if sex:
        page.locator(f"#sex-{sex}").check()
    for loc in locs:
        page.locator(f"#{loc}").check()


def assess(page: Any) -> str:
    page.get_by_role("button", name="Assess", exact=True).click()
    banner = page.locator(".banner")
    expect(banner).to_be_visible()
    level: str = banner.get_attribute("data-level")
    return level


def chip(page: Any, finding: str) -> Any:
    return page.locator(f'.chip[data-finding="{finding}"]')


def open_understood(page: Any) -> None:
    """Open the collapsed 'What we understood' section, where the chips and corrections are."""
    section = page.locator("details#understood")
    if section.get_attribute("open") is None:
        section.locator("> summary").click()


def snap(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_benign_eyelid_twitch_is_self_care(page: Any, server: str, shots: Path) -> None:
    start(page, server, BENIGN, "28", "female", ("loc_eyelid",))
    assert assess(page) == "self_care"
    expect(page.locator("h1")).to_contain_text("Self-care")
    open_understood(page)
    expect(chip(page, "loc_eyelid")).to_be_visible()
    expect(page.locator(".causes .cause").first).to_contain_text("Likely")
    expect(page.get_by_role("heading", name="What you can do yourself")).to_be_visible()
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    expect(page.locator(".disclaimer")).not_to_be_empty()
    snap(page, shots, "result-self-care-desktop")
    page.set_viewport_size(PHONE)
    snap(page, shots, "result-self-care-phone")


def test_bfs_like_case_is_not_an_emergency(page: Any, server: str, shots: Path) -> None:
    start(page, server, BFS, "32", "male")
    level = assess(page)
    assert level in {"self_care", "routine"}
    expect(page.locator(".call")).to_have_count(0)
    snap(page, shots, "result-bfs-like")


def test_als_like_case_is_urgent(page: Any, server: str, shots: Path) -> None:
    start(page, server, ALS, "61", "male")
    assert assess(page) == "urgent"
    expect(page.locator("h1")).to_contain_text("Urgent")
    expect(page.locator(".flag")).not_to_have_count(0)
    snap(page, shots, "result-urgent")


def test_stroke_signs_are_an_emergency_with_the_number_to_call(page: Any, server: str, shots: Path) -> None:
    start(page, server, STROKE, "70")
    assert assess(page) == "emergency"
    call = page.locator(".call")
    expect(call).to_contain_text("999")
    expect(call).to_contain_text("112")
    expect(call).to_contain_text("911")
    expect(page.locator('a[href="tel:999"]')).to_be_visible()
    expect(page.locator(".flag-action").first).to_contain_text("What to do now")
    snap(page, shots, "result-emergency-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "sideways scroll"
    snap(page, shots, "result-emergency-phone")


def test_emergency_also_fires_from_explicit_answers(page: Any, server: str) -> None:
    """Same signs given as explicit answers (no text at all), added one by one on the result page."""
    start(page, server, age="70")
    assess(page)
    for value in ("face_droop=present", "slurred_speech=present", "sudden_onset=present"):
        page.get_by_label("Add something we missed").select_option(value)
        page.get_by_role("button", name="Re-assess").click()
    expect(page.locator(".banner")).to_have_attribute("data-level", "emergency")
    expect(page.locator('a[href="tel:112"]')).to_be_visible()


def test_body_map_clicks_tick_locations(page: Any, server: str, shots: Path) -> None:
    """A tap lights the one place tapped (not every copy of it) and ticks its place in the list."""
    start(page, server, "It keeps twitching.")
    calf = page.locator("#loc_calf")
    left_calf = page.locator('.figure [data-loc="loc_calf"][data-side="left"]')
    left_calf.click()
    expect(calf).to_be_checked()
    expect(page.locator(".figure .selected")).to_have_count(1)
    expect(page.locator(".bodymap-picked")).to_have_text("Chosen: left calf or shin.")
    left_calf.click()
    expect(calf).not_to_be_checked()
    page.locator('.figure [data-loc="loc_eyelid"][data-side="right"]').click()
    page.locator('.figure [data-loc="loc_trunk"]').click()
    expect(page.locator("#loc_eyelid")).to_be_checked()
    expect(page.locator("#loc_trunk")).to_be_checked()
    page.get_by_label("Foot or toes").check()  # the list lights the figure too: both feet, no side known
    expect(page.locator('.figure [data-loc="loc_foot"].selected')).to_have_count(2)
    expect(page.locator('.figure [data-loc="loc_eyelid"].selected')).to_have_count(1)
    page.locator(".bodymap").screenshot(path=str(shots / "bodymap.png"))
    assess(page)
    expect(chip(page, "loc_eyelid")).to_contain_text("yes")
    expect(chip(page, "loc_trunk")).to_contain_text("yes")
    expect(chip(page, "loc_foot")).to_contain_text("yes")
    expect(chip(page, "loc_calf")).to_have_count(0)


def test_body_map_works_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.get_by_label("Foot or toes").check()
        page.get_by_role("button", name="Assess", exact=True).click()
        expect(chip(page, "loc_foot")).to_contain_text("yes")
        open_understood(page)
        chip(page, "loc_foot").get_by_role("button", name="Remove").click()
        expect(chip(page, "loc_foot")).to_have_count(0)
    finally:
        context.close()


def test_correcting_chips_changes_the_result(page: Any, server: str) -> None:
    start(page, server, BENIGN, "28", "female")
    assert assess(page) == "self_care"
    open_understood(page)
    expect(chip(page, "loc_eyelid")).to_be_visible()
    top_before = page.locator(".causes .cause").first.inner_text()

    chip(page, "loc_eyelid").get_by_role("button", name="Remove").click()
    expect(chip(page, "loc_eyelid")).to_have_count(0)
    assert page.locator(".causes .cause").first.inner_text() != top_before
    assert page.locator('.correct-form input[name="e"][value="loc_eyelid=unknown"]').count() == 1

    weakness = chip(page, "weakness")
    expect(weakness).to_contain_text("no")
    weakness.get_by_role("button", name="Change to yes").click()
    expect(chip(page, "weakness")).to_contain_text("yes")
    expect(page.locator(".banner")).not_to_have_attribute("data-level", "self_care")
    expect(chip(page, "loc_eyelid")).to_have_count(0)  # the earlier removal is remembered


def _question(page: Any) -> str:
    text: str = page.locator("#question").inner_text()
    return text


def test_interview_back_forward_and_dont_know(page: Any, server: str, shots: Path) -> None:
    start(page, server, "My calf keeps twitching", "35", "female")
    page.get_by_role("button", name="Guide me with questions").click()
    first = _question(page)
    expect(page.locator(".progress-wrap")).to_contain_text("Question 1")
    snap(page, shots, "interview-question")
    page.locator(".options button").nth(1).click()
    second = _question(page)
    assert second != first
    expect(page.locator(".progress-wrap")).to_contain_text("Question 2")

    page.get_by_role("button", name="Back", exact=True).click()
    assert _question(page) == first
    expect(page.locator(".progress-wrap")).to_contain_text("Question 1")
    page.go_back()
    assert _question(page) == second
    page.go_forward()
    assert _question(page) == first

    dont_know = page.get_by_role("button", name="Don't know")
    for _ in range(30):
        # after a click the next question or the result may still be loading: wait for one of them
        expect(page.locator(".banner").or_(dont_know).first).to_be_visible()
        if page.locator(".banner").count():
            break
        dont_know.click()
    expect(page.locator(".banner")).to_be_visible()
    expect(page.locator(".hint").filter(has_text="The questions ended because")).to_be_visible()
    snap(page, shots, "interview-result")


def test_stop_early_and_print_view(page: Any, server: str, shots: Path) -> None:
    start(page, server, "My calf keeps twitching", "35")
    page.get_by_role("button", name="Guide me with questions").click()
    page.get_by_role("button", name="Stop and see my result now").click()
    expect(page.locator(".banner")).to_be_visible()
    page.get_by_role("link", name="Print view").click()
    expect(page.locator("body")).to_have_class("print-view")
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator(".cause details").first).to_have_attribute("open", "")
    page.emulate_media(media="print")
    snap(page, shots, "print-view")
    page.pdf(path=str(shots / "print-view.pdf"))


def test_print_view_from_a_text_result(page: Any, server: str) -> None:
    start(page, server, BENIGN, "28")
    assess(page)
    page.get_by_role("button", name="Print view").click()
    expect(page.locator("body")).to_have_class("print-view")
    assert "print=1" in page.url
    expect(page.get_by_role("button", name="Re-assess")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()


def test_keyboard_only(page: Any, server: str) -> None:
    page.goto(server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).boxShadow")
    assert "none none" not in outline
    page.keyboard.press("Enter")
    for _ in range(40):
        if page.evaluate("document.activeElement.id") == "text":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("My thumb twitches a lot")
    page.keyboard.press("Tab")
    page.keyboard.type("41")
    for _ in range(60):
        if page.evaluate("document.activeElement.textContent.trim()") == "Assess":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".banner")).to_be_visible()
    expect(chip(page, "loc_hand")).to_contain_text("yes")


def test_form_errors_are_shown_next_to_the_field(page: Any, server: str) -> None:
    start(page, server, "twitching", age="two hundred")
    page.get_by_role("button", name="Assess", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("Enter your age")
    expect(page.locator("#age")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Describe what you are feeling")).to_have_value("twitching")


def test_interview_checklist_ticks_then_back(page: Any, server: str) -> None:
    start(page, server, "", "30", "male")
    page.get_by_role("button", name="Guide me with questions").click()
    expect(page.locator("h1")).to_contain_text("Which of these are you noticing?")
    page.get_by_label("Muscle cramps").check()
    page.get_by_label("Short of breath").check()
    page.get_by_role("button", name="Continue with what I ticked").click()
    expect(page.locator(".progress-wrap")).to_contain_text("Question 2")
    assert page.locator("input[type=checkbox]").count() == 0
    page.get_by_role("button", name="Back", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Which of these are you noticing?")
    page.get_by_role("button", name="None of these").click()
    expect(page.locator(".progress-wrap")).to_contain_text("Question 2")


def test_tampered_interview_state_gets_a_clear_4xx_page(page: Any, server: str) -> None:
    response = page.goto(server + '/interview?state={"answers":{"nope":"present"}}')
    assert response is not None and response.status == 400
    expect(page.locator("h1")).to_contain_text("damaged")
    expect(page.locator(".error-summary")).to_contain_text("start the questions again")


def test_condition_and_guide_pages(page: Any, server: str, shots: Path) -> None:
    page.goto(server + "/conditions")
    page.get_by_role("link", name="ALS / motor neurone disease").click()
    expect(page.locator("h1")).to_have_text("ALS / motor neurone disease")
    expect(page.locator(".sources li")).not_to_have_count(0)
    page.goto(server + "/twitch-types")
    expect(page.locator("table.types tbody tr")).to_have_count(9)
    expect(
        page.get_by_role("heading", name="Does twitching mean I have ALS (motor neurone disease)?")
    ).to_be_visible()
    page.set_viewport_size(PHONE)
    snap(page, shots, "twitch-types-phone")
