"""JSON API, version 1: accounts and API tokens, and everything a person keeps, out and back in.

Only ``POST /account/register`` and ``POST /account/tokens`` work without an API token; both are
rate-limited per client address, and the token login also per username (in the database). Each route
runs one account service function in a worker thread (``Accounts.run``).
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from twitchcheck.diary import accounts, exports
from twitchcheck.diary.accounts import AccountError, InvalidCredentials
from twitchcheck.diary.models import MAX_ID
from twitchcheck.diary.repository import NotFound
from twitchcheck.diary.schemas import (
    NewToken,
    ProfileUpdate,
    StorableText,
    TokenPublic,
    UserCreate,
    UserPublic,
    YearOfBirth,
)
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web.api_v1 import (
    AUTH,
    BODY,
    BUSY,
    INVALID,
    PREFIX,
    THROTTLED,
    UNAVAILABLE,
    CurrentUser,
    Responses,
    error_response,
    private_router,
)
from twitchcheck.web.auth import accounts_of, address_hash, address_wait, heavy_operation, taken_wait
from twitchcheck.web.deps import KB
from twitchcheck.web.diary_schemas import ENTRY_EXAMPLE
from twitchcheck.web.errors import InputError
from twitchcheck.web.limits import IMPORT_BODY_LIMIT
from twitchcheck.web.render import download
from twitchcheck.web.schemas import whole_number

MAX_TOKEN_DAYS = 3650
JSON_TYPES = ("application/json",)
CSV_TYPES = ("text/csv", "text/plain")
NO_TOKEN: Responses = {404: error_response("No API token with this id on your account.")}

router = APIRouter(prefix=PREFIX)
private = private_router()


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


# ---------------------------------------------------------------------------------------------- account


@router.post(
    "/account/register",
    status_code=201,
    response_model=UserPublic,
    responses={409: error_response("The username is taken or reserved."), **BODY, **THROTTLED, **UNAVAILABLE},
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
        401: error_response(
            "Wrong username or password (it does not say which).", **{"WWW-Authenticate": "Bearer"}
        ),
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
        403: error_response("old_password is wrong."),
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
                "entries": [ENTRY_EXAMPLE],
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
    responses={
        **AUTH,
        **BODY,
        **BUSY,
        413: error_response(
            f"The request body is over the size limit ({IMPORT_BODY_LIMIT // (1024 * 1024)} MiB), or the "
            f"file has more than {exports.IMPORT_LIMITS.entries:,} entries or more than "
            f"{exports.IMPORT_LIMITS.note_characters:,} characters of notes to read: split it."
        ),
        415: error_response("The body is neither JSON nor CSV."),
    },
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

    At most 20,000 entries, and 1,000,000 characters of notes to read (notes sent without their
    note_findings; an export's come with them), per import: more is 413, before anything is read or
    stored; split the file. At most 10 imports per 10 minutes, one at a time (429 with Retry-After)."""
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
        detail = f"body: {message}" if exc.field == "body" else message
        raise InputError(detail, exc.field, exc.status) from None
    return ImportReportOut(added=report.added, skipped=report.skipped, ids=report.ids)


router.include_router(private)
