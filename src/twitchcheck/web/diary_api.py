"""JSON API, version 1: accounts, API tokens and the symptom diary.

The routes are thin: each one checks its input, runs one diary service function in a worker thread
(``Accounts.run``) and returns its result. Every diary query is scoped to the token's user, so an id
that belongs to someone else is answered exactly like one that does not exist (404, never 403).
Only ``POST /account/register`` and ``POST /account/tokens`` work without an API token; both are
rate-limited per client address, and the token login also per username (in the database).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_type_hints

from fastapi import APIRouter, Depends, Path, Query, Request, Security
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
)
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from twitchcheck.diary import accounts, exports, plots, repository
from twitchcheck.diary import retriage as retriage_service
from twitchcheck.diary.accounts import AccountError, InvalidCredentials
from twitchcheck.diary.models import MAX_ID
from twitchcheck.diary.patterns import Patterns, compute_patterns
from twitchcheck.diary.repository import NotFound
from twitchcheck.diary.retriage import RetriagePublic, RetriageResult
from twitchcheck.diary.schemas import (
    EntryBase,
    EntryCreate,
    EntryPublic,
    EntryUpdate,
    NewToken,
    ProfileUpdate,
    StorableText,
    TokenPublic,
    UserCreate,
    UserPublic,
    YearOfBirth,
    new_entry,
)
from twitchcheck.engine.evidence import EvidenceError
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web.auth import (
    accounts_of,
    address_hash,
    address_wait,
    api_user,
    heavy_operation,
    taken_wait,
)
from twitchcheck.web.deps import KB
from twitchcheck.web.errors import InputError, describe_validation
from twitchcheck.web.limits import BODY_LIMIT_TEXT
from twitchcheck.web.render import download
from twitchcheck.web.schemas import API_VERSION, ErrorOut, whole_number

MAX_PAGE = 1000
MAX_TOKEN_DAYS = 3650
JSON_TYPES = ("application/json",)
CSV_TYPES = ("text/csv", "text/plain")

BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from POST /api/v1/account/tokens or the account page, sent as Bearer.",
)
CurrentUser = Annotated[UserPublic, Depends(api_user)]
Responses = dict[int | str, dict[str, Any]]


def _error(description: str, **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {"model": ErrorOut, "description": description}
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
        }
    return response


UNAVAILABLE: Responses = {503: _error("The diary database cannot be reached right now; nothing was changed.")}
AUTH: Responses = {
    401: _error("No valid API token was sent.", **{"WWW-Authenticate": "Bearer"}),
    **UNAVAILABLE,
}
INVALID: Responses = {422: _error("The input is not valid; the message names the field.")}
BODY: Responses = {
    **INVALID,
    400: _error("Malformed request (for example a bad Content-Length)."),
    413: _error(f"The request body is over the size limit ({BODY_LIMIT_TEXT})."),
}
THROTTLED: Responses = {
    429: _error(
        "Too many attempts from this address, or for this username from this address.",
        **{"Retry-After": "Seconds to wait."},
    )
}
BUSY: Responses = {
    429: _error(
        "Too many of these recently, one already running, or the server is busy with others.",
        **{"Retry-After": "Seconds to wait."},
    )
}
NO_ENTRY: Responses = {404: _error("No entry with this id in your diary.")}
NO_TOKEN: Responses = {404: _error("No API token with this id on your account.")}

router = APIRouter(prefix=f"/api/{API_VERSION}")
# Every route on this router needs a token: the Security dependency documents the scheme, and the
# CurrentUser dependency of each route checks it (401 with WWW-Authenticate otherwise).
private = APIRouter(dependencies=[Security(BEARER)])

# ---------------------------------------------------------------------------------------------- models


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RegisterIn(UserCreate):
    """A new account. The username is stored in lower case, without surrounding spaces."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"username": "alex", "password": "correct horse battery"}]}
    )

    # Documents what UserCreate accepts before it lower-cases and strips the name.
    username: str = Field(
        description="3-64 characters: letters, digits, '.', '_' or '-' (stored in lower case).",
        json_schema_extra={"pattern": r"^\s*[A-Za-z0-9][A-Za-z0-9_.-]{2,63}\s*$"},
    )


class TokenRequest(_Strict):
    """Log in with a password to get an API token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "alex",
                    "password": "correct horse battery",
                    "name": "phone",
                    "expires_in_days": 90,
                }
            ]
        }
    )

    username: StorableText = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024, repr=False)
    name: StorableText = Field(
        min_length=1,
        max_length=100,
        pattern=r"\S",
        description="A label to recognise the token by, e.g. 'phone'.",
    )
    expires_in_days: Annotated[int, Field(ge=1, le=MAX_TOKEN_DAYS), BeforeValidator(whole_number)] | None = (
        Field(default=None, description="Days until it stops working (default: never).")
    )


class PasswordChange(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"old_password": "correct horse battery", "new_password": "a longer passphrase"}]
        }
    )

    old_password: str = Field(min_length=1, max_length=1024, repr=False)
    new_password: str = Field(min_length=8, max_length=1024, repr=False)


class ProfileIn(ProfileUpdate):
    """Year of birth and sex, used by the re-triage; ``null`` clears a field, a field left out is kept."""

    model_config = ConfigDict(
        strict=True, json_schema_extra={"examples": [{"year_of_birth": 1990, "sex": "female"}]}
    )

    year_of_birth: Annotated[YearOfBirth, BeforeValidator(whole_number)] | None = None


def _vocabulary_enums(schema: dict[str, Any]) -> None:
    """Mark the region and symptom ids, which ``patch_openapi`` lists from the app's knowledge base."""
    for name, marker in (("regions", "region"), ("symptoms", "symptom")):
        prop = schema["properties"][name]
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("type") == "array":
                option["items"] = {"type": "string", "x-kb": marker}


_ENTRY_EXAMPLE = {
    "occurred_at": "2026-03-01T08:30:00+01:00",
    "kind": "fasciculation",
    "side": "left",
    "regions": ["loc_calf"],
    "intensity": 3,
    "count": 20,
    "caffeine_cups": 4,
    "sleep_hours": 6,
    "stress": 7,
    "note": "Left calf jumping after a long run, no weakness.",
}


def _entry_schema(schema: dict[str, Any]) -> None:
    _vocabulary_enums(schema)
    schema["examples"] = [_ENTRY_EXAMPLE]


def _patch_schema(schema: dict[str, Any]) -> None:
    _vocabulary_enums(schema)
    for prop in schema["properties"].values():
        prop.pop("default", None)  # a field left out of a patch is unchanged, not set to a default
    schema["examples"] = [{"intensity": 5, "note": None}]


RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_DATETIME = TypeAdapter(AwareDatetime)


def rfc3339(value: Any) -> Any:
    """A date-time as JSON Schema means it: RFC 3339 text with a timezone, not a Unix time or a guess."""
    if not isinstance(value, str):
        return value
    if not RFC3339.fullmatch(value):
        raise ValueError("must be a date-time with a timezone, like 2026-03-01T08:30:00+01:00")
    try:
        return _DATETIME.validate_python(value)
    except ValidationError:
        raise ValueError("is not a valid date-time") from None


DateTimeText = Annotated[AwareDatetime, BeforeValidator(rfc3339)]


def in_utc_range(value: datetime) -> datetime:
    """A filter moment must exist in UTC: 0001-01-01T00:00:00+14:00 is before the first moment a
    datetime can hold once converted, 9999-12-31T23:59:59-14:00 after the last."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range: in UTC it falls outside the years 1 to 9999") from None
    return value


FilterTime = Annotated[DateTimeText, AfterValidator(in_utc_range)]


class _JsonEntry(BaseModel):
    """How the JSON API reads an entry: strictly, as the document states it ('3' is not a number).

    The diary's own models are lenient on purpose (CSV import reads every cell as text)."""

    model_config = ConfigDict(strict=True)

    @field_validator("occurred_at", mode="before", check_fields=False)
    @classmethod
    def _datetime_text(cls, value: Any) -> Any:
        return rfc3339(value)

    @field_validator("intensity", "count", "stress", mode="before", check_fields=False)
    @classmethod
    def _whole(cls, value: Any) -> Any:
        return whole_number(value)


class EntryIn(_JsonEntry, EntryBase):
    """A new diary entry; regions and symptoms are ids of the knowledge base (GET /api/v1/findings)."""

    model_config = ConfigDict(json_schema_extra=_entry_schema)


class _PatchBase(_JsonEntry, EntryUpdate):
    model_config = ConfigDict(json_schema_extra=_patch_schema)


def _patch_model() -> type[EntryUpdate]:
    """``EntryUpdate`` with the constraints of an entry on each field, so the document states them.

    The merged entry is validated again as a whole (rules across fields, times not in the future, ids
    of the app's knowledge base).
    """
    fields: dict[str, Any] = {}
    for name, info in EntryBase.model_fields.items():
        annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        # Left out means unchanged; null is accepted only where the entry itself allows it.
        fields[name] = (
            annotation,
            Field(default=None, validation_alias=info.validation_alias, description=info.description),
        )
    model: type[EntryUpdate] = create_model("EntryPatch", __base__=_PatchBase, **fields)
    model.__doc__ = "A partial change: only the fields given are changed; ``null`` clears an optional field."
    return model


if TYPE_CHECKING:
    EntryPatch = EntryUpdate  # at run time a subclass with an entry's constraints
else:
    EntryPatch = _patch_model()


def _dataclass_model(cls: type, **extra: Any) -> type[BaseModel]:
    """A response model with exactly the fields of a result dataclass (nested ones are documented too)."""
    hints = get_type_hints(cls)
    fields: dict[str, Any] = {name: (hints[name], ...) for name in cls.__dataclass_fields__}  # type: ignore[attr-defined]
    return create_model(f"{cls.__name__}Out", **fields, **extra)


PatternsOut = _dataclass_model(Patterns, distinct_regions=(int, ...))


class ImportReportOut(BaseModel):
    added: int = Field(description="Entries added.")
    skipped: int = Field(description="Entries already in the diary (same moment and kind), not added again.")
    ids: list[int] = Field(description="Ids of the added entries, in file order.")


# ---------------------------------------------------------------------------------------------- helpers


async def _taken_budget(request: Request) -> None:
    """429 once this address has found too many names taken (whatever name it asks for now)."""
    wait = await taken_wait(request, record=False)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(
            429,
            f"too many sign-ups with names that were taken from this address; try again in {seconds} seconds",
            headers={"Retry-After": str(seconds)},
        )


async def _throttle(request: Request) -> None:
    """The per-address limit on password checks and registrations (429 with Retry-After)."""
    wait = await address_wait(request)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(
            429,
            f"too many attempts from this address; try again in {seconds} seconds",
            headers={"Retry-After": str(seconds)},
        )


def _attachment(content: str | bytes, media_type: str, user: UserPublic, extension: str) -> Response:
    filename = f"twitchcheck-diary-{user.username}-{date.today().isoformat()}.{extension}"
    return download(content, media_type, filename)


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


# ---------------------------------------------------------------------------------------------- account


@router.post(
    "/account/register",
    status_code=201,
    response_model=UserPublic,
    responses={409: _error("The username is taken or reserved."), **BODY, **THROTTLED, **UNAVAILABLE},
    tags=["account"],
    summary="Create an account",
)
async def register(
    request: Request,
    body: RegisterIn,
) -> UserPublic:
    """Then get an API token with ``POST /api/v1/account/tokens``. Passwords: 8-1024 characters.

    A taken name is answered 409 (sign-up has to say so), but only a few per address and hour: then
    every sign-up from the address waits (429), so names cannot be tested for existence in bulk."""
    await _throttle(request)
    await _taken_budget(request)
    try:
        return await accounts_of(request).run(accounts.register, body)
    except AccountError as exc:  # taken, or kept for the system ('admin', 'local'...)
        await taken_wait(request, record=True)
        raise InputError(str(exc), "username", 409) from None


def _login_token(session: Session, body: TokenRequest, address: str) -> NewToken:
    user = accounts.authenticate(session, body.username, body.password, address=address)
    expires = timedelta(days=body.expires_in_days) if body.expires_in_days is not None else None
    return accounts.create_api_token(session, user.id, body.name, expires_in=expires)


@router.post(
    "/account/tokens",
    status_code=201,
    response_model=NewToken,
    responses={
        401: _error("Wrong username or password (it does not say which).", **{"WWW-Authenticate": "Bearer"}),
        **BODY,
        **THROTTLED,
        **UNAVAILABLE,
    },
    tags=["account"],
    summary="Log in and create an API token",
)
async def create_token(request: Request, body: TokenRequest) -> NewToken:
    """The token is in the answer only (the server keeps a hash): send it as ``Authorization: Bearer``."""
    await _throttle(request)
    try:
        return await accounts_of(request).run(_login_token, body, address_hash(request))
    except InvalidCredentials:
        raise HTTPException(
            401, "wrong username or password", headers={"WWW-Authenticate": "Bearer"}
        ) from None


@private.get(
    "/account/tokens",
    response_model=list[TokenPublic],
    responses=AUTH,
    tags=["account"],
    summary="List your API tokens",
)
async def list_tokens(request: Request, user: CurrentUser) -> list[TokenPublic]:
    return await accounts_of(request).run(accounts.list_api_tokens, user.id)


@private.delete(
    "/account/tokens/{token_id}",
    status_code=204,
    responses={**AUTH, **NO_TOKEN, **INVALID},
    tags=["account"],
    summary="Revoke an API token",
)
async def revoke_token(
    request: Request, user: CurrentUser, token_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    try:
        await accounts_of(request).run(accounts.revoke_api_token, user.id, token_id)
    except NotFound:
        raise InputError(f"token_id: you have no API token {token_id}", "token_id", 404) from None
    return Response(status_code=204)


@private.get("/account", response_model=UserPublic, responses=AUTH, tags=["account"], summary="Your account")
async def get_account(user: CurrentUser) -> UserPublic:
    return user


@private.patch(
    "/account",
    response_model=UserPublic,
    responses={**AUTH, **BODY},
    tags=["account"],
    summary="Set your year of birth and sex",
)
async def update_account(request: Request, user: CurrentUser, body: ProfileIn) -> UserPublic:
    """The re-triage uses them (age and sex change which causes are likely)."""
    return await accounts_of(request).run(accounts.update_profile, user.id, body)


@private.delete(
    "/account",
    status_code=204,
    responses=AUTH,
    tags=["account"],
    summary="Delete your account and everything in it",
)
async def delete_account(request: Request, user: CurrentUser) -> Response:
    """Entries, tokens, log-in sessions and re-triage results go in the same step; it cannot be undone."""
    await accounts_of(request).run(accounts.delete_account, user.id)
    return Response(status_code=204)


@private.post(
    "/account/password",
    status_code=204,
    responses={
        403: _error("old_password is wrong."),
        **AUTH,
        **BODY,
        **THROTTLED,
    },
    tags=["account"],
    summary="Change your password",
)
async def change_password(request: Request, user: CurrentUser, body: PasswordChange) -> Response:
    """Ends every browser log-in of the account; API tokens keep working (revoke them separately)."""
    await _throttle(request)
    try:
        await accounts_of(request).run(
            accounts.change_password, user.id, body.old_password, body.new_password
        )
    except InvalidCredentials:
        raise InputError("old_password: wrong password", "old_password", 403) from None
    return Response(status_code=204)


EXPORT_TYPES: dict[exports.ExportFormat, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


@private.get(
    "/account/export",
    response_class=Response,
    responses={
        200: {
            "description": "A file: everything (json), the entries (csv), or both with the plots (zip).",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            },
            "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": "attachment"}},
        },
        **AUTH,
        **INVALID,
        **BUSY,
    },
    tags=["account"],
    summary="Export all your data",
)
async def export(
    request: Request,
    user: CurrentUser,
    kb: KB,
    fmt: Annotated[
        exports.ExportFormat, Query(alias="format", description="json (everything), csv or zip.")
    ] = "json",
) -> Response:
    """The JSON and CSV files can be imported again with ``POST /api/v1/account/import``.

    At most 20 exports per 10 minutes, one at a time (429 with Retry-After)."""
    async with heavy_operation(request, user, "export"):
        content = await accounts_of(request).run(exports.export, user.id, fmt, kb)
    return _attachment(content, EXPORT_TYPES[fmt], user, fmt)


_IMPORT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {
                        "type": "object",
                        "description": "A JSON export (GET /api/v1/account/export); only 'entries' is read.",
                        "properties": {
                            "format": {"type": "string", "enum": [exports.FORMAT]},
                            "version": {"type": "integer", "maximum": exports.FORMAT_VERSION},
                            "entries": {"type": "array", "items": {"type": "object"}},
                        },
                        "required": ["entries"],
                    },
                    {"type": "array", "items": {"type": "object"}, "description": "A list of entries."},
                ]
            },
            "example": {
                "format": exports.FORMAT,
                "version": exports.FORMAT_VERSION,
                "entries": [_ENTRY_EXAMPLE],
            },
        },
        "text/csv": {
            "schema": {"type": "string"},
            "example": "occurred_at,kind,regions\n2026-03-01T08:30:00+01:00,fasciculation,loc_calf\n",
        },
    },
}


def _parse_import_json(raw: bytes) -> Any:
    try:
        data = json.loads(raw)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as exc:
        reason = "contains invalid Unicode" if isinstance(exc, UnicodeError) else "is not valid JSON"
        raise InputError(f"body: the request body {reason}", "body") from None
    return data


@private.post(
    "/account/import",
    response_model=ImportReportOut,
    responses={**AUTH, **BODY, **BUSY, 415: _error("The body is neither JSON nor CSV.")},
    tags=["account"],
    summary="Import entries from a JSON or CSV export",
    openapi_extra={"requestBody": _IMPORT_BODY},
)
async def import_entries(
    request: Request,
    user: CurrentUser,
    kb: KB,
    skip_duplicates: Annotated[
        bool, Query(description="Leave out entries already in the diary (same moment and kind).")
    ] = True,
) -> ImportReportOut:
    """All or nothing: one bad entry and nothing is imported; the message names the entry and field.

    At most 10 imports per 10 minutes, one at a time (429 with Retry-After)."""
    async with heavy_operation(request, user, "import"):
        return await _import(request, user, kb, skip_duplicates)


async def _import(
    request: Request, user: UserPublic, kb: KnowledgeBase, skip_duplicates: bool
) -> ImportReportOut:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    raw = await request.body()
    try:
        if media_type in JSON_TYPES or media_type.endswith("+json"):
            data = _parse_import_json(raw)
            report = await accounts_of(request).run(
                exports.import_json, user.id, data, kb=kb, skip_duplicates=skip_duplicates
            )
        elif media_type in CSV_TYPES:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InputError("body: the CSV is not UTF-8 text", "body") from None
            report = await accounts_of(request).run(
                exports.import_csv, user.id, text, kb=kb, skip_duplicates=skip_duplicates
            )
        else:
            raise InputError(
                f"body: send JSON (application/json) or CSV (text/csv), not {media_type or 'no type'}",
                "body",
                415,
            )
    except exports.ImportFailed as exc:
        message = str(exc)
        raise InputError(f"body: {message}" if exc.field == "body" else message, exc.field) from None
    return ImportReportOut(added=report.added, skipped=report.skipped, ids=report.ids)


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
