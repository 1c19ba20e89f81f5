"""Results a frightened person can act on in ten seconds, on a phone (issue 14).

Driven in Debian's chromium at phone size (390 x 844) and desktop size (1366 x 900):

- the level, its one action and the top cause are inside the first 844 px; the emergency call link is
  visible without scrolling; with every section collapsed the page is at most 3 phone screens tall;
- a text with nothing recognised never shows a self-care banner and offers the guided questions;
- a warning sign said with doubt is asked first; a feared disease named in the text is answered near the
  top with its chance for this person; corrections say what changed;
- no lay page shows an ICD-10 or SNOMED CT code, a guideline number or a clinician-only finding label;
- axe-core finds no violations at all on these pages at either size.

Screenshots of every flow are kept under ``$TWITCHCHECK_ARTIFACTS`` (default: a folder in the system's
temporary directory), and the measured heights are printed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from tests.web.conftest import artifact_folder, open_tab
from tests.web.test_accessibility import RULES
from tests.web.test_browser import ALS, BENIGN, STROKE
from twitchcheck.knowledge import load_kb

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
FIRST_SCREEN = 844
MAX_COLLAPSED = 3 * 844  # 2,532 px
STORIES = {
    "benign": (BENIGN, "30", "self_care"),
    "urgent": (ALS, "61", "urgent"),
    "emergency": (STROKE, "70", "emergency"),
}
NOT_UNDERSTOOD = [
    "",
    "asdf qwerty zxcv",
    "what is this website",
    "hello, I'm 34",
    "mi padre tiene la cara caída y no puede hablar bien desde hace una hora",
]
FEAR = "Could this be ALS? My calf has been twitching for 2 weeks and I'm terrified it is MND."
DOUBT = "I think her face might be drooping a bit? Her arm keeps twitching."
# Timeframes that belong to one level only; a card on a result of another level must not use them.
TIMEFRAMES = {
    "routine": ("next few weeks", "routine appointment", "routine GP"),
    "urgent": ("1-3 days", "day or two", "next few days", "within a day"),
}
AXE = Axe()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    return artifact_folder("results-phone")


@pytest.fixture(params=list(VIEWPORTS))
def tab(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A fresh tab at phone or desktop size; its name is ``tab.size``."""
    yield from open_tab(browser, VIEWPORTS[request.param], request.param)


def submit(page: Any, server: str, text: str, age: str = "") -> None:
    page.goto(server + "/")
    page.get_by_label("Describe what you are feeling").fill(text)
    if age:
        page.get_by_label("Age in years").fill(age)
    page.get_by_role("button", name="Assess", exact=True).click()
    expect(page.locator(".banner")).to_be_visible()


def bottom(page: Any, selector: str) -> float:
    """Distance from the top of the page to the bottom of the first match (the page is not scrolled)."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return float(box["y"] + box["height"])


def collapsed_height(page: Any) -> int:
    page.evaluate("document.querySelectorAll('details[open]').forEach(d => d.removeAttribute('open'))")
    height: int = page.evaluate("document.documentElement.scrollHeight")
    return height


def shot(page: Any, artifacts: Path, name: str, full: bool = True) -> None:
    page.screenshot(path=str(artifacts / f"{name}-{page.size}.png"), full_page=full)


def lay_problems(page: Any) -> list[str]:
    """Codes, guideline numbers and clinician-only finding labels anywhere in the page's text."""
    text: str = page.evaluate("document.body.textContent")
    kb = load_kb()
    found = []
    for word in ("ICD-10", "ICD10", "SNOMED"):
        if word in text:
            found.append(word)
    for condition in kb.conditions.values():
        for code in (condition.codes.icd10, condition.codes.snomed):
            if code and re.search(rf"(?<![\w.]){re.escape(code)}(?![\w])", text):
                found.append(f"code {code} ({condition.id})")
    found += [m.group(0) for m in re.finditer(r"\b(?:NG|CG|QS)\d{2,3}\b", text)]
    for finding in kb.findings.values():
        if finding.clinician_only and finding.label in text:
            found.append(f"clinician-only label {finding.label!r}")
    return found


def axe_violations(page: Any, where: str) -> list[str]:
    results = AXE.run(page, options=RULES)
    found = []
    for v in results.response["violations"]:
        nodes = ", ".join(str(n["target"]) for n in v["nodes"][:3])
        found.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({nodes})")
    return found


@pytest.mark.parametrize("story", list(STORIES))
def test_one_screen_first(tab: Any, server: str, artifacts: Path, story: str) -> None:
    text, age, level = STORIES[story]
    submit(tab, server, text, age)
    banner = tab.locator(".banner")
    expect(banner).to_have_attribute("data-level", level)
    shot(tab, artifacts, f"result-{story}-first-screen", full=False)

    assert bottom(tab, ".banner h1") <= FIRST_SCREEN
    action = ".banner .call" if level == "emergency" else ".banner .action"
    assert bottom(tab, action) <= FIRST_SCREEN, "the action is below the first screen"
    assert bottom(tab, ".causes.top .cause h3") <= FIRST_SCREEN, "the top cause is below the first screen"
    if level == "emergency":
        call = tab.locator('a[href="tel:999"]').first
        expect(call).to_be_visible()
        expect(call).to_be_in_viewport(ratio=1)
        expect(tab.locator(".call")).to_contain_text("112")
        expect(tab.locator(".call")).to_contain_text("911")
    # One action: the banner's; warning-sign cards explain and never give another level's timeframe.
    expect(tab.locator(".banner")).to_have_count(1)
    cards = " ".join(tab.locator(".flag-action").all_text_contents())
    for other, phrases in TIMEFRAMES.items():
        if other != level:
            for phrase in phrases:
                assert phrase not in cards, f"a card on a {level} result says {phrase!r}"
    # Sources are collapsed and titled; no address is printed as text.
    sources = tab.locator("details.sources")
    expect(sources).not_to_have_attribute("open", "")
    assert not re.search(r"https?://", " ".join(sources.locator("li").all_text_contents()))
    if tab.size == "phone":
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "sideways scroll"

    shot(tab, artifacts, f"result-{story}")
    height = collapsed_height(tab)
    print(f"{story} {tab.size}: {height} px with sections collapsed")
    assert height <= MAX_COLLAPSED


@pytest.mark.parametrize("story", list(STORIES))
def test_sections_open_and_lay_words(tab: Any, server: str, artifacts: Path, story: str) -> None:
    text, age, _ = STORIES[story]
    submit(tab, server, text, age)
    for summary in tab.locator("details.section > summary").all():
        summary.click()
    shot(tab, artifacts, f"result-{story}-open")
    assert lay_problems(tab) == []
    expect(tab.locator(".chip").first).to_be_visible()
    assert tab.get_by_text("Fasciculations", exact=True).count() == 0
    problems = axe_violations(tab, f"result-{story}-{tab.size}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("text", NOT_UNDERSTOOD)
def test_nothing_understood_is_never_self_care(tab: Any, server: str, artifacts: Path, text: str) -> None:
    submit(tab, server, text)
    banner = tab.locator(".banner")
    if text == NOT_UNDERSTOOD[-1]:
        # another language naming an emergency in its own words ("cara caída"): emergency, not unknown
        expect(banner).to_have_attribute("data-level", "emergency")
        expect(tab.locator("h1")).to_have_text("This may be an emergency")
        expect(banner).to_contain_text("cara caída")
    else:
        expect(banner).to_have_attribute("data-level", "unknown")
        expect(tab.locator("h1")).to_have_text("We could not recognise a symptom")
    expect(tab.locator("[data-level=self_care]")).to_have_count(0)
    page_text = tab.locator("main").inner_text()
    assert "Self-care" not in page_text and "harmless kind of twitching" not in page_text
    if text in (NOT_UNDERSTOOD[1], NOT_UNDERSTOOD[-1]):
        name = "not-understood" if text == NOT_UNDERSTOOD[1] else "not-english-emergency"
        shot(tab, artifacts, f"result-{name}")
        assert axe_violations(tab, f"{name}-{tab.size}") == []
    tab.get_by_role("button", name="Answer the guided questions").click()
    expect(tab.locator(".question-form")).to_be_visible()


@pytest.mark.parametrize("text", NOT_UNDERSTOOD)
def test_the_api_says_not_understood(client: TestClient, text: str) -> None:
    result = client.post("/api/v1/assess", json={"text": text}).json()
    assert result["understood"] is False


def test_another_language_is_said_with_emergency_advice_in_it(client: TestClient) -> None:
    result = client.post("/api/v1/assess", json={"text": NOT_UNDERSTOOD[-1]}).json()
    assert result["understood"] is False
    # "cara caída" names an emergency in Spanish: emergency advice first, then why it is not an assessment
    first, second = result["triage"]["reasons"][:2]
    assert result["triage"]["level"] == "emergency" and "cara caída" in first and "112" in first
    assert "only read English" in second and "Español" in second
    page = client.get("/assess", params={"text": NOT_UNDERSTOOD[-1]})
    assert "only read English" in page.text


def test_a_warning_sign_said_with_doubt_is_asked_first(tab: Any, server: str, artifacts: Path) -> None:
    submit(tab, server, DOUBT, "60")
    question = tab.locator(".check-first")
    expect(question).to_contain_text("Has one side of your face drooped?")
    assert bottom(tab, ".check-first legend") <= FIRST_SCREEN
    shot(tab, artifacts, "result-possible-warning-sign", full=False)
    question.get_by_role("button", name="Yes").click()
    expect(tab.locator(".banner")).to_have_attribute("data-level", "emergency")
    expect(tab.locator(".changed")).to_contain_text("Emergency")


def test_the_fear_is_answered_near_the_top(tab: Any, server: str, artifacts: Path) -> None:
    submit(tab, server, FEAR, "34")
    fear = tab.locator(".fear")
    expect(fear).to_have_count(1)
    expect(fear).to_contain_text("ALS")
    expect(fear).to_contain_text(re.compile(r"in (100|1,000|10,000) people with this story"))
    assert bottom(tab, ".fear h2") <= FIRST_SCREEN
    shot(tab, artifacts, "result-fear", full=False)
    assert lay_problems(tab) == []
    assert axe_violations(tab, f"fear-{tab.size}") == []
    fear.get_by_role("link", name="More on this question").click()
    expect(tab).to_have_url(re.compile(r"/faq#twitching_als$"))
    expect(tab.locator("#twitching_als")).to_be_in_viewport()


def test_faq_page_has_the_seed_questions_with_sources(tab: Any, server: str, artifacts: Path) -> None:
    tab.goto(server + "/faq")
    for heading in (
        "What autoimmune disease causes muscle twitching?",
        "What deficiency causes muscle twitching?",
        "Does ALS show up on an MRI scan?",
        "How fast does ALS progress after twitching starts?",
        "What are the first swallowing symptoms of ALS?",
        "What does ALS in the hands look like?",
        "What does slowly progressing ALS look like?",
        "Can a brain tumour or cancer cause twitching?",
    ):
        expect(tab.get_by_role("heading", name=heading)).to_be_visible()
    expect(tab.locator(".sources li")).not_to_have_count(0)
    shot(tab, artifacts, "faq")
    assert lay_problems(tab) == []
    assert axe_violations(tab, f"faq-{tab.size}") == []


def test_a_correction_says_what_changed(tab: Any, server: str) -> None:
    submit(tab, server, BENIGN, "28")
    tab.locator("details#understood > summary").click()
    tab.locator('.chip[data-finding="weakness"]').get_by_role("button", name="Change to yes").click()
    changed = tab.locator(".changed")
    expect(changed).to_contain_text("Self-care")
    expect(changed).to_contain_text("Routine")
    assert bottom(tab, ".changed") <= FIRST_SCREEN


def test_the_safety_net_fits_the_story(tab: Any, server: str) -> None:
    submit(tab, server, BENIGN, "30")
    items = tab.locator(".safety-net li")
    assert 2 <= items.count() <= 4
    net = tab.locator(".safety-net").inner_text()
    assert "antidepressant" not in net and "stiff neck" not in net  # serotonin syndrome, meningitis
    assert "weak" in net


def test_clinician_switch(tab: Any, server: str) -> None:
    submit(tab, server, BENIGN, "30")
    tab.get_by_role("button", name="Show clinical terms (for clinicians)").click()
    tab.locator("details#understood > summary").click()
    expect(tab.locator('.chip[data-finding="fasciculations"]')).to_contain_text("Fasciculations")
    tab.goto(server + "/conditions/als")  # the choice is remembered
    expect(tab.locator(".codes")).to_contain_text("ICD-10")
    tab.get_by_role("link", name="Show plain words").click()
    expect(tab.locator(".codes")).to_have_count(0)
    assert lay_problems(tab) == []


@pytest.mark.parametrize(
    "path", ["/conditions/als", "/conditions/brain_tumor", "/twitch-types", "/conditions"]
)
def test_knowledge_pages_speak_plainly(tab: Any, server: str, path: str) -> None:
    tab.goto(server + path)
    assert lay_problems(tab) == []


BAR_FILL = re.compile(r"0\.113725 0\.309804 0\.568627 rg\s.*?0 0 ([\d.]+) 6 re\s+f", re.S)
LONG_NOTE = "eyelid flicker while working late at the computer with lots of coffee and poor sleep " * 3


def test_clinician_pdf_summary_first_real_bars_and_wrapped_notes(diary_app: Any) -> None:
    from pypdf import PdfReader

    from tests.web.conftest import csrf, register

    with TestClient(diary_app) as client:
        register(client, "pdf-reader")
        for day, note in ((1, "calf after a long run"), (2, LONG_NOTE), (3, "left thumb, some weakness")):
            form = {
                "kind": "fasciculation",
                "loc": ["loc_calf"],
                "caffeine_cups": str(day),
                "occurred_at": f"2026-10-0{day}T09:00",
                "note": note,
                **csrf(client, "/diary"),
            }
            client.post("/diary/entries", data=form, follow_redirects=False)
        response = client.get("/diary/report.pdf")
    assert response.status_code == 200
    document = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in document.pages]
    first = pages[0]
    assert "Twitching diary report" in first and "Most likely causes" in first
    assert "How it has gone" not in first and "Possible triggers" not in first  # the summary stands alone
    text = " ".join(pages)
    assert text.index("Caffeine Sleep") < text.index("Sources")  # the entries table before the references
    assert re.sub(r"\s+", " ", LONG_NOTE.strip()) in re.sub(r"\s+", " ", text)  # the note wraps, nothing cut
    assert not re.search(r"^\W*Why\W*$", text, re.M)  # no "Why" toggles printed
    widths = []
    for page in document.pages:
        widths += [float(w) for w in BAR_FILL.findall(page.get_contents().get_data().decode("latin-1"))]
    assert len(set(widths)) >= 3, widths
    assert max(widths) > 10 * min(widths), "bars do not differ by probability"


def test_interview_back_shows_the_earlier_answer_and_honest_progress(tab: Any, server: str) -> None:
    tab.goto(server + "/")
    tab.get_by_label("Describe what you are feeling").fill("My calf keeps twitching")
    tab.get_by_label("Age in years").fill("35")
    tab.get_by_role("button", name="Guide me with questions").click()
    expect(tab.locator(".progress-wrap")).not_to_contain_text("usually about 10")
    expect(tab.locator(".progress-left")).to_contain_text("stop at any time")
    first = tab.locator("#question").inner_text()
    chosen = tab.locator(".options button").nth(1)
    value = chosen.get_attribute("value")
    chosen.click()
    tab.get_by_role("button", name="Back", exact=True).click()
    expect(tab.locator("#question")).to_have_text(first)
    again = tab.locator(".options button.chosen")
    expect(again).to_have_count(1)
    expect(again).to_have_attribute("value", value or "")
    expect(again).to_contain_text("your answer before")
    assert axe_violations(tab, f"interview-back-{tab.size}") == []
