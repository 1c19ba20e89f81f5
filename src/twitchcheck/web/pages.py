"""HTML pages: start, result, interview, body map, conditions and the twitch-types guide.

Every page works with plain HTML forms; the small script only adds the clickable body map and
a print button. Free text travels only in POST bodies; interview state (finding ids and answers,
no free text) travels in the URL, so the browser's back and forward buttons step through the
questions. Nothing is stored on the server.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from twitchcheck.diary.triggers import MIN_ASSOCIATION_DAYS
from twitchcheck.engine.assessment import Assessment
from twitchcheck.engine.evidence import UNKNOWN
from twitchcheck.engine.interview import InterviewState
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.pipeline import InterviewStep
from twitchcheck.web import guide, service
from twitchcheck.web.auth import CSRF_FIELD, check_csrf
from twitchcheck.web.bodymap import figure, regions
from twitchcheck.web.deps import KB
from twitchcheck.web.errors import InputError
from twitchcheck.web.forms import AssessForm, FormData, carried_evidence, parse_assess_form, read_form
from twitchcheck.web.present import SourceList, addable_findings, faq_view, result_view
from twitchcheck.web.render import TEMPLATES, render
from twitchcheck.wording import ViewMode, lay_text

router = APIRouter(include_in_schema=False)
TEMPLATES.env.filters["lay"] = lay_text  # guideline numbers out of lay text
TEMPLATES.env.globals["MIN_ASSOCIATION_DAYS"] = MIN_ASSOCIATION_DAYS
VIEW_COOKIE = "tc_view"  # lay (plain words) or clinician (clinical labels and codes); a preference only
VIEW_MODES = ("lay", "clinician")


async def form_data(request: Request) -> FormData:
    """Query parameters, or a posted form after its CSRF token is checked."""
    source = await read_form(request)
    data = FormData({k: [v for v in source.getlist(k) if isinstance(v, str)] for k in source})
    if request.method == "POST":
        check_csrf(request, data.get(CSRF_FIELD))
    return data


def view_mode(request: Request, data: FormData | None = None) -> tuple[ViewMode, bool]:
    """The reader's choice of plain words or clinical terms: from the page's switch (a ``view`` field or
    query parameter; then True, and the choice is remembered in a cookie), else the cookie, else lay."""
    chosen = (data.get("view") if data is not None else "") or request.query_params.get("view", "")
    if chosen in VIEW_MODES:
        return ("clinician" if chosen == "clinician" else "lay"), True
    return ("clinician" if request.cookies.get(VIEW_COOKIE) == "clinician" else "lay"), False


def remember_view(request: Request, response: Response, mode: ViewMode) -> None:
    response.set_cookie(
        VIEW_COOKIE,
        mode,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _start_page(
    request: Request, kb: KnowledgeBase, form: AssessForm, status_code: int = 200
) -> HTMLResponse:
    context = {
        "nav": "start",
        "form": form,
        "regions": regions(kb),
        "figure": figure(kb),
        "selected": set(form.locations),
    }
    return render(request, "start.html", context, status_code)


@router.get("/", response_class=HTMLResponse)
async def start_page(request: Request, kb: KB) -> HTMLResponse:
    return _start_page(request, kb, AssessForm())


def _result_page(
    request: Request,
    kb: KnowledgeBase,
    result: Assessment,
    *,
    print_view: bool,
    form: AssessForm | None = None,
    state: InterviewState | None = None,
    stop_reason: str | None = None,
    mode: ViewMode = "lay",
    before: dict[str, str] | None = None,
    open_understood: bool = False,
) -> HTMLResponse:
    data = result.to_json()
    if form is not None:
        evidence = dict(form.evidence)
    else:
        assert state is not None
        evidence = {**state.seeded, **state.answers}
    known = {e["finding"] for e in data["evidence"]}
    view = result_view(kb, data, text=form.text if form else "", mode=mode, before=before)
    context: dict[str, Any] = {
        "nav": "start",
        "view": view,
        "print_view": print_view,
        "carry": {
            "text": form.text if form else "",
            "age": form.age_raw if form else "",
            "sex": form.sex if form else None,
            "evidence": carried_evidence(evidence),
        },
        "from_interview": state is not None,
        "state_json": _state_json(state) if state is not None else None,
        "stop_reason": stop_reason,
        "addable": addable_findings(kb, known, mode),
        "print_url": _with_params(request, print="1"),
        "switch_url": _with_params(request, view="lay" if mode == "clinician" else "clinician"),
        "open_understood": open_understood or not view["understood"],
    }
    return render(request, "result.html", context)


@router.api_route("/assess", methods=["GET", "POST"], response_class=HTMLResponse)
async def assess_page(request: Request, kb: KB) -> Response:
    data = await form_data(request)
    if request.method == "GET" and not request.query_params:
        return RedirectResponse("/", status_code=303)
    form = parse_assess_form(data, kb)
    form.print_view = form.print_view or request.query_params.get("print") == "1"
    if form.errors:
        return _start_page(request, kb, form, 422)
    result = await service.assess_text(kb, form.text or None, form.evidence, form.age, form.sex)
    mode, switched = view_mode(request, data)
    corrected = bool(data.get("set") or data.get("add"))
    before = None
    if not switched and data.get("prev_level"):
        before = {"level": data.get("prev_level"), "top": data.get("prev_top")}
    response = _result_page(
        request,
        kb,
        result,
        print_view=form.print_view,
        form=form,
        mode=mode,
        before=before,
        open_understood=corrected,
    )
    if switched:
        remember_view(request, response, mode)
    return response


def _with_params(request: Request, **extra: str) -> str:
    """This page's own address with some query parameters added (used for the print link)."""
    return request.url.path + "?" + urlencode({**dict(request.query_params), **extra})


def _state_json(state: InterviewState) -> str:
    return json.dumps(state.model_dump(mode="json"), separators=(",", ":"))


def _interview_url(state: InterviewState, **extra: str) -> str:
    return "/interview?" + urlencode({"state": _state_json(state), **extra})


@router.post("/interview/start")
async def interview_start(request: Request, kb: KB) -> Response:
    form = parse_assess_form(await form_data(request), kb)
    if form.errors:
        return _start_page(request, kb, form, 422)
    step = await service.start_text(kb, form.text or None, form.evidence, form.age, form.sex, form.mode)
    return RedirectResponse(_interview_url(step.state), status_code=303)


def _question_page(request: Request, step: InterviewStep) -> HTMLResponse:
    assert step.question is not None
    # After "Back", the answer given before (only shown, never trusted: it is matched against the options).
    was = request.query_params.get("was", "")
    context = {
        "nav": "start",
        "step": step,
        "question": step.question,
        "state_json": _state_json(step.state),
        "percent": round(step.progress * 100),
        "left": max(step.state.max_questions - step.asked, 0),
        "was": was,
        "was_ticked": set(was.split(",")) if was else set(),
    }
    return render(request, "interview.html", context)


@router.get("/interview", response_class=HTMLResponse)
async def interview_page(request: Request, kb: KB) -> Response:
    """One question per page; an answer or 'back' redirects to the URL of the new state."""
    params = request.query_params
    raw = params.get("state")
    if raw is None:
        return RedirectResponse("/", status_code=303)
    state = service.parse_state(kb, raw)
    finding, value = params.get("finding"), params.get("value")
    if finding is not None or value is not None:
        if not finding or not value:
            raise InputError("An answer needs both the question (finding) and the chosen value.", "value")
        checklist = kb.checklist is not None and finding == kb.checklist.id and value != UNKNOWN
        step = service.answer(kb, state, finding, params.getlist("tick") if checklist else value)
        return RedirectResponse(_interview_url(step.state), status_code=303)
    if params.get("back") == "1":
        last = state.asked[-1] if state.asked else None
        was = state.answers.get(last, "") if last else ""
        if last is not None and last not in state.answers and state.ticked:  # the opening checklist
            was = ",".join(state.ticked)
        back = service.back(kb, state).state
        return RedirectResponse(_interview_url(back, **({"was": was} if was else {})), status_code=303)
    print_view = params.get("print") == "1"
    mode, switched = view_mode(request)
    if params.get("finish") == "1":
        result, stop_reason = service.finish_now(kb, state), "you chose to stop"
    else:
        step = service.resume(kb, state)
        if step.question is not None and not print_view:
            return _question_page(request, step)
        if step.assessment is None:
            result, stop_reason = service.finish_now(kb, state), None
        else:
            result, stop_reason = step.assessment, step.stop_reason
    response = _result_page(
        request, kb, result, print_view=print_view, state=state, stop_reason=stop_reason, mode=mode
    )
    if switched:
        remember_view(request, response, mode)
    return response


@router.get("/conditions", response_class=HTMLResponse)
async def conditions_page(request: Request, kb: KB) -> HTMLResponse:
    groups: dict[str, list[Any]] = {"emergency": [], "urgent": [], "routine": [], "self_care": []}
    for condition in kb.conditions.values():
        groups[condition.care.level].append(condition)
    for items in groups.values():
        items.sort(key=lambda c: c.lay_name.lower())
    return render(request, "conditions.html", {"nav": "conditions", "groups": groups})


@router.get("/conditions/{condition_id}", response_class=HTMLResponse)
async def condition_page(request: Request, kb: KB, condition_id: str) -> HTMLResponse:
    condition = kb.conditions.get(condition_id)
    if condition is None:
        raise InputError(f"There is no condition called {condition_id!r} in twitchcheck.", None, 404)
    sources = SourceList(kb)
    sources.cite(condition.sources)
    mode, switched = view_mode(request)
    faq = [(e.id, e.question) for e in kb.faq if condition_id in e.conditions]
    context = {
        "nav": "conditions",
        "condition": condition,
        "sources": sources.entries(),
        "mode": mode,
        "faq": faq,
        "switch_url": _with_params(request, view="lay" if mode == "clinician" else "clinician"),
    }
    response = render(request, "condition.html", context)
    if switched:
        remember_view(request, response, mode)
    return response


@router.get("/faq", response_class=HTMLResponse)
async def faq_page(request: Request, kb: KB) -> HTMLResponse:
    """Questions people ask (the knowledge base's faq.yaml), each answer with its sources."""
    mode, switched = view_mode(request)
    entries, sources = faq_view(kb, mode)
    response = render(
        request, "faq.html", {"nav": "faq", "entries": entries, "sources": sources, "mode": mode}
    )
    if switched:
        remember_view(request, response, mode)
    return response


@router.get("/twitch-types", response_class=HTMLResponse)
async def twitch_types_page(request: Request, kb: KB) -> HTMLResponse:
    sources = SourceList(kb)
    refs = {sid: sources.cite([sid]) for sid in guide.cited(kb)}
    context = {"nav": "guide", "refs": refs, "sources": sources.entries(), "types": guide.twitch_types(kb)}
    return render(request, "twitch_types.html", context)


@router.get("/about", response_class=HTMLResponse)
async def about_page(request: Request, kb: KB) -> HTMLResponse:
    context = {"nav": "about", "conditions": len(kb.conditions), "findings": len(kb.findings)}
    return render(request, "about.html", context)
