"""JSON API, version 1: the symptom diary (entries, patterns, re-triage, plots).

The routes are thin: each one checks its input, runs one diary service function in a worker thread
(``Accounts.run``) and returns its result. Every diary query is scoped to the token's user, so an id
that belongs to someone else is answered exactly like one that does not exist (404, never 403).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from twitchcheck.diary import plots, repository
from twitchcheck.diary import retriage as retriage_service
from twitchcheck.diary.models import MAX_ID
from twitchcheck.diary.patterns import compute_patterns
from twitchcheck.diary.repository import NotFound
from twitchcheck.diary.retriage import RetriagePublic, RetriageResult
from twitchcheck.diary.schemas import EntryBase, EntryCreate, EntryPublic, UserPublic, new_entry
from twitchcheck.engine.evidence import EvidenceError
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web.api_v1 import (
    AUTH,
    BODY,
    INVALID,
    MAX_PAGE,
    PREFIX,
    CurrentUser,
    Responses,
    error_response,
    private_router,
)
from twitchcheck.web.auth import accounts_of
from twitchcheck.web.deps import KB
from twitchcheck.web.diary_schemas import EntryIn, EntryPatch, FilterTime, PatternsOut
from twitchcheck.web.errors import InputError, describe_validation
from twitchcheck.web.schemas import API_VERSION

NO_ENTRY: Responses = {404: error_response("No entry with this id in your diary.")}

router = APIRouter(prefix=PREFIX)
private = private_router()


# ---------------------------------------------------------------------------------------------- helpers


def _svg(svg: str) -> Response:
    return Response(svg, media_type="image/svg+xml")


def _checked(kb: KnowledgeBase, body: EntryBase) -> EntryCreate:
    """The body as a new entry of ``kb``: FastAPI read its shape, the ids need the app's base."""
    try:
        return new_entry(kb, body)
    except ValidationError as exc:
        raise describe_validation(exc.errors()) from None


async def _plot(request: Request, user: UserPublic, draw: Callable[[Any], str]) -> Response:
    summary = await accounts_of(request).run(repository.load_summary, user.id)
    return _svg(await run_in_threadpool(draw, summary))


# ---------------------------------------------------------------------------------------------- diary


def _page(
    session: Session,
    user_id: int,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
    newest_first: bool,
) -> tuple[list[EntryPublic], int]:
    found = repository.list_entries(
        session, user_id, since=since, until=until, limit=limit, offset=offset, newest_first=newest_first
    )
    return found, repository.count_entries(session, user_id)


@private.get(
    "/diary/entries",
    response_model=list[EntryPublic],
    responses={
        200: {
            "description": "The entries, newest first unless order=oldest.",
            "headers": {
                "X-Total-Count": {"schema": {"type": "integer"}, "description": "Entries in the diary."}
            },
        },
        **AUTH,
        **INVALID,
    },
    tags=["diary"],
    summary="List diary entries",
)
async def list_entries(
    request: Request,
    user: CurrentUser,
    response: Response,
    since: Annotated[
        FilterTime | None, Query(description="From this moment (inclusive), with a timezone.")
    ] = None,
    until: Annotated[
        FilterTime | None, Query(description="Before this moment (exclusive), with a timezone.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    order: Literal["newest", "oldest"] = "newest",
) -> list[EntryPublic]:
    found, total = await accounts_of(request).run(
        _page, user.id, since, until, limit, offset, order == "newest"
    )
    response.headers["X-Total-Count"] = str(total)
    return found


@private.post(
    "/diary/entries",
    status_code=201,
    response_model=EntryPublic,
    responses={
        201: {
            "description": "Stored. The note has been read for findings (note_findings).",
            "headers": {"Location": {"schema": {"type": "string"}, "description": "The new entry's URL."}},
        },
        **AUTH,
        **BODY,
    },
    tags=["diary"],
    summary="Add a diary entry",
)
async def add_entry(
    request: Request, user: CurrentUser, kb: KB, response: Response, body: EntryIn
) -> EntryPublic:
    """Times need a timezone. Regions and symptoms are knowledge-base ids (see GET /api/v1/findings)."""
    stored = await accounts_of(request).run(repository.add_entry, user.id, _checked(kb, body), kb=kb)
    response.headers["Location"] = f"{router.prefix}/diary/entries/{stored.id}"
    return stored


EntryId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _no_entry(entry_id: int) -> InputError:
    return InputError(f"entry_id: there is no entry {entry_id} in your diary", "entry_id", 404)


@private.get(
    "/diary/entries/{entry_id}",
    response_model=EntryPublic,
    responses={**AUTH, **NO_ENTRY, **INVALID},
    tags=["diary"],
    summary="One diary entry",
)
async def get_entry(request: Request, user: CurrentUser, entry_id: EntryId) -> EntryPublic:
    try:
        return await accounts_of(request).run(repository.get_entry, user.id, entry_id)
    except NotFound:
        raise _no_entry(entry_id) from None


@private.patch(
    "/diary/entries/{entry_id}",
    response_model=EntryPublic,
    responses={**AUTH, **NO_ENTRY, **BODY},
    tags=["diary"],
    summary="Change a diary entry",
)
async def update_entry(
    request: Request, user: CurrentUser, kb: KB, entry_id: EntryId, body: EntryPatch
) -> EntryPublic:
    """Only the fields sent change; the note is read again if it changed."""
    try:
        return await accounts_of(request).run(repository.update_entry, user.id, entry_id, body, kb=kb)
    except NotFound:
        raise _no_entry(entry_id) from None
    except ValidationError as exc:
        raise describe_validation(exc.errors()) from None


@private.delete(
    "/diary/entries/{entry_id}",
    status_code=204,
    responses={**AUTH, **NO_ENTRY, **INVALID},
    tags=["diary"],
    summary="Delete a diary entry",
)
async def delete_entry(request: Request, user: CurrentUser, entry_id: EntryId) -> Response:
    try:
        await accounts_of(request).run(repository.delete_entry, user.id, entry_id)
    except NotFound:
        raise _no_entry(entry_id) from None
    return Response(status_code=204)


def _patterns(session: Session, user_id: int, kb: KnowledgeBase) -> dict[str, Any]:
    return compute_patterns(repository.load_summary(session, user_id), kb).to_json()


@private.get(
    "/diary/patterns",
    response_model=PatternsOut,
    responses=AUTH,
    tags=["diary"],
    summary="How long, how often, where, weakness and personal triggers",
)
async def patterns(request: Request, user: CurrentUser, kb: KB) -> Response:
    """Trends and associations in your own diary; associations are not proof of cause (see ``caution``)."""
    found = await accounts_of(request).run(_patterns, user.id, kb)
    return Response(json.dumps(found, ensure_ascii=False), media_type="application/json")


@private.post(
    "/diary/retriage",
    response_model=RetriageResult,
    responses={**AUTH, **INVALID},
    tags=["diary"],
    summary="Re-check the triage level on the diary's pattern",
)
async def run_retriage(
    request: Request,
    user: CurrentUser,
    kb: KB,
    store: Annotated[
        Literal["if_changed", "always"],
        Query(description="Keep the result if the evidence or level changed (default), or always."),
    ] = "if_changed",
    assessment: Annotated[bool, Query(description="Also return the full assessment.")] = False,
) -> RetriageResult:
    """The diary becomes evidence for the same engine as a one-shot check. ``rose`` is true when the
    level went up since the last stored result, once the diary covers its first 14 days
    (``pattern_changed``) or sooner when the level is now urgent or emergency; ``reasons`` then start
    with what changed."""
    try:
        return await accounts_of(request).run(
            retriage_service.retriage, user.id, kb=kb, store=store, include_assessment=assessment
        )
    except EvidenceError as exc:
        raise InputError(
            f"year_of_birth: the age from your profile cannot be used ({exc}); correct it with PATCH "
            f"/api/{API_VERSION}/account",
            "year_of_birth",
        ) from None


@private.get(
    "/diary/retriage",
    response_model=list[RetriagePublic],
    responses={**AUTH, **INVALID},
    tags=["diary"],
    summary="Stored re-triage results, newest first",
)
async def retriage_history(
    request: Request, user: CurrentUser, limit: Annotated[int | None, Query(ge=1, le=MAX_PAGE)] = None
) -> list[RetriagePublic]:
    return await accounts_of(request).run(retriage_service.retriage_history, user.id, limit=limit)


SVG: Responses = {
    200: {"description": "An SVG picture.", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}
}


@private.get(
    "/diary/plots/timeline.svg",
    response_class=Response,
    responses={**SVG, **AUTH},
    tags=["diary"],
    summary="Twitching per day with caffeine, alcohol, sleep, stress and exercise",
)
async def timeline(request: Request, user: CurrentUser) -> Response:
    return await _plot(request, user, plots.timeline_svg)


@private.get(
    "/diary/plots/bodymap.svg",
    response_class=Response,
    responses={**SVG, **AUTH},
    tags=["diary"],
    summary="Where twitching was written down",
)
async def body_map(request: Request, user: CurrentUser, kb: KB) -> Response:
    return await _plot(request, user, partial(plots.body_map_svg, kb=kb))


router.include_router(private)
