"""Diary pages: quick add, entries, edit and delete, patterns with plots, and a clinician report.

Every change re-runs the triage on the diary's pattern and stores it when it changed; a rise is
shown at the top of the diary page until the next check. Pages only read results the diary
service computed; all of them need a logged-in user and show only that user's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from twitchcheck.diary import accounts, repository, retriage
from twitchcheck.diary.patterns import BASELINE_DAYS, Patterns, compute_patterns
from twitchcheck.diary.plots import NARROW_IN, body_map_svg, timeline_svg
from twitchcheck.diary.retriage import RetriagePublic, RetriageResult
from twitchcheck.diary.schemas import EntryPublic, EntryUpdate, UserPublic, vocabulary
from twitchcheck.diary.series import DiarySummary
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web.account_pages import page_id
from twitchcheck.web.auth import accounts_of, heavy_operation, require_page_user
from twitchcheck.web.bodymap import PARTS, REGIONS, figure, regions
from twitchcheck.web.deps import KB
from twitchcheck.web.diary_forms import EntryForm, parse_entry_form
from twitchcheck.web.errors import InputError
from twitchcheck.web.pages import form_data
from twitchcheck.web.pdf import PdfUnavailable, html_to_pdf
from twitchcheck.web.present import result_view
from twitchcheck.web.render import TEMPLATES, download, render, render_text

router = APIRouter(include_in_schema=False)
TEMPLATES.env.globals["BASELINE_DAYS"] = BASELINE_DAYS
RECENT = 30
REPORT_ENTRIES = 200
KINDS = (
    ("fasciculation", "Twitch or flicker"),
    ("cramp", "Cramp"),
    ("spasm", "Spasm (muscle pulls tight)"),
    ("jerking", "Jerk that moves a limb"),
    ("rippling", "Rippling"),
    ("tremor", "Shaking (tremor)"),
    ("stiffness", "Stiffness"),
    ("tetany", "Hands or feet clawing"),
    ("other", "Something else"),
)
COMMON_SYMPTOMS = (
    "weakness",
    "weak_grip",
    "tripping",
    "muscle_wasting",
    "cramps",
    "numbness_tingling",
    "slurred_speech",
    "dysphagia",
    "breathless",
    "fatigue",
)


@dataclass
class Overview:
    user: UserPublic
    entries: list[EntryPublic]
    total: int
    check: RetriageResult


@dataclass
class Report:
    overview: Overview
    patterns: Patterns
    history: list[RetriagePublic]


def _overview(
    session: Session,
    user_id: int,
    limit: int,
    kb: KnowledgeBase,
    *,
    summary: DiarySummary | None = None,
    full: bool = False,
) -> Overview:
    user = accounts.get_user(session, user_id)
    entries = repository.list_entries(session, user_id, limit=limit)
    total = repository.count_entries(session, user_id)
    check = retriage.current(session, user_id, kb=kb, include_assessment=full, summary=summary)
    return Overview(user, entries, total, check)


def _report(session: Session, user_id: int, kb: KnowledgeBase, summary: DiarySummary | None = None) -> Report:
    """The report's pieces from one read of the diary's summary."""
    summary = summary if summary is not None else repository.load_summary(session, user_id)
    overview = _overview(session, user_id, REPORT_ENTRIES, kb, summary=summary, full=True)
    history = retriage.retriage_history(session, user_id, limit=20)
    return Report(overview, compute_patterns(summary, kb), history)


def _recheck(session: Session, user_id: int, kb: KnowledgeBase) -> None:
    """After a change: store the new triage if it changed, so a rise is recorded when it happens."""
    retriage.retriage(session, user_id, kb=kb, store="if_changed")


def _add(session: Session, user_id: int, form: EntryForm, kb: KnowledgeBase) -> int:
    assert form.entry is not None
    entry = repository.add_entry(session, user_id, form.entry, kb=kb)
    _recheck(session, user_id, kb)
    return entry.id


def _update(session: Session, user_id: int, entry_id: int, form: EntryForm, kb: KnowledgeBase) -> None:
    assert form.entry is not None
    change = EntryUpdate.model_validate(form.entry.model_dump(exclude_unset=False))
    repository.update_entry(session, user_id, entry_id, change, kb=kb)
    _recheck(session, user_id, kb)


def _delete(session: Session, user_id: int, entry_id: int, kb: KnowledgeBase) -> None:
    repository.delete_entry(session, user_id, entry_id)
    _recheck(session, user_id, kb)


def _labels(kb: KnowledgeBase) -> dict[str, Any]:
    vocab = vocabulary(kb)
    symptoms = [(s, kb.findings[s].label) for s in vocab.symptoms if s in kb.findings]
    common = [(s, label) for s, label in symptoms if s in COMMON_SYMPTOMS]
    return {
        "kinds": KINDS,
        "kind_labels": dict(KINDS),
        "finding_labels": vocab.labels,
        "common_symptoms": common,
        "other_symptoms": [(s, label) for s, label in symptoms if s not in COMMON_SYMPTOMS],
        "regions": regions(kb),
        "figure": figure(kb),
        "safety_net": kb.policy.safety_net,
    }


def _saved_words(overview: Overview, entry_id: str) -> str:
    """The entry just saved, in a few words: 'Cramp, left calf or shin, Sun 06 Dec 20:41'."""
    entry = next((e for e in overview.entries if str(e.id) == entry_id), None)
    if entry is None:
        return ""
    short = {r.finding: r.short for r in REGIONS}
    places = []
    for region in entry.regions:
        name = short.get(region, region)
        sided = any(p.side for p in PARTS if p.finding == region)
        if sided and entry.side in ("left", "right"):
            name = f"{entry.side} {name}"
        elif sided and entry.side == "both":
            name = f"{name} on both sides"
        places.append(name)
    words = [dict(KINDS).get(entry.kind, entry.kind), *places, entry.occurred_at.strftime("%a %d %b %H:%M")]
    return ", ".join(words)


async def _diary_page(
    request: Request, kb: KnowledgeBase, user: UserPublic, form: EntryForm, status: int = 200
) -> HTMLResponse:
    overview = await accounts_of(request).run(_overview, user.id, RECENT, kb)
    saved = request.query_params.get("saved")
    saved_id = request.query_params.get("entry", "")
    context = {
        "nav": "diary",
        "overview": overview,
        "form": form,
        "selected": set(form.regions),
        "saved": saved,
        "saved_words": _saved_words(overview, saved_id) if saved == "1" else "",
        "welcome": request.query_params.get("welcome") == "1",
        **_labels(kb),
    }
    return render(request, "diary.html", context, status)


@router.get("/diary", response_class=HTMLResponse)
async def diary_page(request: Request, kb: KB) -> HTMLResponse:
    user = await require_page_user(request)
    return await _diary_page(request, kb, user, EntryForm.blank())


@router.post("/diary/entries")
async def add_entry(request: Request, kb: KB) -> Response:
    user = await require_page_user(request)
    form = parse_entry_form(await form_data(request), kb)
    if form.errors:
        return await _diary_page(request, kb, user, form, 422)
    entry_id = await accounts_of(request).run(_add, user.id, form, kb)
    return RedirectResponse(f"/diary?saved=1&entry={entry_id}#saved", status_code=303)


def _entry_id(raw: str) -> int:
    return page_id(raw, "diary entry", "entry_id")


async def _entry_page(
    request: Request,
    kb: KnowledgeBase,
    user: UserPublic,
    entry_id: int,
    form: EntryForm | None,
    status: int = 200,
) -> HTMLResponse:
    entry = await accounts_of(request).run(repository.get_entry, user.id, entry_id)
    form = form or EntryForm.from_entry(entry)
    context = {
        "nav": "diary",
        "entry": entry,
        "form": form,
        "selected": set(form.regions),
        **_labels(kb),
    }
    return render(request, "entry.html", context, status)


@router.get("/diary/entries/{entry_id}", response_class=HTMLResponse)
async def entry_page(request: Request, kb: KB, entry_id: str) -> HTMLResponse:
    user = await require_page_user(request)
    return await _entry_page(request, kb, user, _entry_id(entry_id), None)


@router.post("/diary/entries/{entry_id}")
async def update_entry(request: Request, kb: KB, entry_id: str) -> Response:
    user = await require_page_user(request)
    number = _entry_id(entry_id)
    form = parse_entry_form(await form_data(request), kb)
    if form.errors:
        return await _entry_page(request, kb, user, number, form, 422)
    await accounts_of(request).run(_update, user.id, number, form, kb)
    return RedirectResponse(f"/diary?saved=1&entry={number}#saved", status_code=303)


@router.post("/diary/entries/{entry_id}/delete")
async def delete_entry(request: Request, kb: KB, entry_id: str) -> Response:
    user = await require_page_user(request)
    number = _entry_id(entry_id)
    await form_data(request)
    await accounts_of(request).run(_delete, user.id, number, kb)
    return RedirectResponse("/diary?saved=deleted#saved", status_code=303)


@router.get("/diary/patterns", response_class=HTMLResponse)
async def patterns_page(request: Request, kb: KB) -> HTMLResponse:
    user = await require_page_user(request)
    report = await accounts_of(request).run(_report, user.id, kb)
    return render(request, "patterns.html", _report_context(kb, report, print_view=False))


@router.get("/diary/report", response_class=HTMLResponse)
async def report_page(request: Request, kb: KB) -> HTMLResponse:
    """A printable summary for a clinician: the pattern, the current triage and the entries."""
    user = await require_page_user(request)
    report = await accounts_of(request).run(_report, user.id, kb)
    return render(request, "report.html", _report_context(kb, report, print_view=True))


def _report_with_plots(session: Session, user_id: int, kb: KnowledgeBase) -> tuple[Report, dict[str, str]]:
    summary = repository.load_summary(session, user_id)
    plots = {f"/diary/plots/{name}.svg": _draw(name, summary, kb) for name in PLOTS}
    return _report(session, user_id, kb, summary), plots


@router.get("/diary/report.pdf")
async def report_pdf(request: Request, kb: KB) -> Response:
    """The same report as a PDF file, with its plots, drawn on the server."""
    user = await require_page_user(request)
    async with heavy_operation(request, user, "report"):
        report, plots = await accounts_of(request).run(_report_with_plots, user.id, kb)
        context = {**_report_context(kb, report, print_view=True), "pdf": True}
        html = render_text(request, "report.html", context)
        try:
            pdf = await anyio.to_thread.run_sync(html_to_pdf, html, plots)
        except PdfUnavailable as exc:
            detail = f"{exc}. Use the report page and your browser's Print instead."
            raise InputError(detail, None, 503) from None
    filename = f"twitchcheck-report-{report.overview.check.created_at:%Y-%m-%d}.pdf"
    return download(pdf, "application/pdf", filename)


def _report_context(kb: KnowledgeBase, report: Report, *, print_view: bool) -> dict[str, Any]:
    assessment = report.overview.check.assessment
    return {
        "nav": "diary",
        "report": report,
        "overview": report.overview,
        "patterns": report.patterns,
        "view": result_view(kb, assessment, mode="clinician") if assessment else None,
        "print_view": print_view,
        **_labels(kb),
    }


# The diary's plots: the timeline (and a narrow one for phones, see _patterns.html) and the body map.
PLOTS = ("timeline", "timeline-narrow", "bodymap")


def _draw(name: str, summary: DiarySummary, kb: KnowledgeBase) -> str:
    if name == "timeline-narrow":
        return timeline_svg(summary, width_in=NARROW_IN)
    return timeline_svg(summary) if name == "timeline" else body_map_svg(summary, kb)


def _plot(session: Session, user_id: int, name: str, kb: KnowledgeBase) -> str:
    return _draw(name, repository.load_summary(session, user_id), kb)


@router.get("/diary/plots/{name}.svg")
async def plot(request: Request, kb: KB, name: str) -> Response:
    user = await require_page_user(request)
    if name not in PLOTS:
        raise InputError(f"There is no diary plot called {name!r}.", "name", 404)
    svg = await accounts_of(request).run(_plot, user.id, name, kb)
    return Response(svg, media_type="image/svg+xml")
