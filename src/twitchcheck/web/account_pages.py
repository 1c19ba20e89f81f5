"""Account pages: register, log in, log out, profile, password, API tokens, export and delete.

Only people who ask for a diary get an account; assessments never need one. Log-in answers the
same for an unknown name and a wrong password, and is limited per address and per (address,
username) pair. Sign-up says when a name is taken (it has to), a few times per address and hour.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from twitchcheck.diary import accounts, exports
from twitchcheck.diary.models import MAX_ID
from twitchcheck.diary.schemas import ProfileUpdate, UserCreate, UserPublic, unstorable
from twitchcheck.web.auth import (
    SESSION_COOKIE,
    accounts_of,
    address_hash,
    address_wait,
    heavy_operation,
    new_csrf_anchor,
    require_page_user,
    set_cookies,
    taken_wait,
)
from twitchcheck.web.deps import KB
from twitchcheck.web.errors import InputError
from twitchcheck.web.forms import FormData
from twitchcheck.web.pages import form_data
from twitchcheck.web.render import download, render

router = APIRouter(include_in_schema=False)
EXPORTS: dict[str, tuple[exports.ExportFormat, str, str]] = {
    "json": ("json", "application/json", "twitchcheck-diary.json"),
    "csv": ("csv", "text/csv; charset=utf-8", "twitchcheck-diary.csv"),
    "zip": ("zip", "application/zip", "twitchcheck-diary.zip"),
}


def safe_next(target: str) -> str:
    """Only our own paths: never '//host' or 'https://...' (an open redirect after log-in)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/diary"


def _sentence(message: str) -> str:
    """'token name contains a NUL...' -> 'Token name contains a NUL....' (str.capitalize would lower
    the rest)."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _validation_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors(include_input=False):
        name = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(name, str(error["msg"]).removeprefix("Value error, "))
    return errors


def _auth_page(
    request: Request, template: str, data: FormData | None, errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    context = {
        "nav": "diary",
        "username": data.get("username") if data else "",
        "next": safe_next(data.get("next") if data else request.query_params.get("next", "/diary")),
        "errors": errors,
    }
    return render(request, template, context, status)


async def _start_session(request: Request, user: UserPublic, target: str) -> Response:
    request.state.set_session = await accounts_of(request).run(accounts.create_login_session, user.id)
    new_csrf_anchor(request)
    return set_cookies(request, RedirectResponse(target, status_code=303))


@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request) -> HTMLResponse:
    return _auth_page(request, "register.html", None, {})


@router.post("/register")
async def register(request: Request) -> Response:
    data = await form_data(request)
    wait = await address_wait(request)
    if wait is not None:
        message = f"Too many attempts from this device. Try again in {int(wait) + 1} seconds."
        return _auth_page(request, "register.html", data, {"form": message}, 429)
    if data.get("password") != data.get("password2"):
        return _auth_page(request, "register.html", data, {"password2": "The two passwords differ."}, 422)
    try:
        new = UserCreate(username=data.get("username"), password=data.get("password"))
    except ValidationError as exc:
        return _auth_page(request, "register.html", data, _validation_errors(exc), 422)
    wait = await taken_wait(request, record=False)
    if wait is not None:
        message = (
            f"Too many sign-ups with names that were taken from this device. Try again in {int(wait) + 1} "
            "seconds."
        )
        response = _auth_page(request, "register.html", data, {"form": message}, 429)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    try:
        user = await accounts_of(request).run(accounts.register, new)
    except accounts.AccountError as exc:
        await taken_wait(request, record=True)
        return _auth_page(request, "register.html", data, {"username": _sentence(str(exc))}, 422)
    return await _start_session(request, user, "/diary?welcome=1")


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    return _auth_page(request, "login.html", None, {})


@router.post("/login")
async def login(request: Request) -> Response:
    data = await form_data(request)
    problem = unstorable(data.get("username"))
    if problem is not None:
        return _auth_page(request, "login.html", data, {"username": f"This username {problem}."}, 422)
    wait = await address_wait(request)
    try:
        if wait is not None:
            raise accounts.LoginThrottled(timedelta(seconds=wait))
        user = await accounts_of(request).run(
            accounts.authenticate, data.get("username"), data.get("password"), address=address_hash(request)
        )
    except accounts.LoginThrottled as exc:
        message = (
            f"Too many log-in attempts. Try again in {int(exc.retry_after.total_seconds()) + 1} seconds."
        )
        response = _auth_page(request, "login.html", data, {"form": message}, 429)
        response.headers["Retry-After"] = str(int(exc.retry_after.total_seconds()) + 1)
        return response
    except accounts.InvalidCredentials:
        return _auth_page(request, "login.html", data, {"form": "Wrong username or password."}, 401)
    return await _start_session(request, user, safe_next(data.get("next")))


@router.post("/logout")
async def logout(request: Request) -> Response:
    await form_data(request)
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        await accounts_of(request).run(accounts.end_login_session, value)
    request.state.set_session = ""
    new_csrf_anchor(request)
    return set_cookies(request, RedirectResponse("/", status_code=303))


async def _account_page(request: Request, user: UserPublic, status: int = 200, **extra: Any) -> HTMLResponse:
    tokens = await accounts_of(request).run(accounts.list_api_tokens, user.id)
    context: dict[str, Any] = {"nav": "diary", "account": user, "tokens": tokens, "errors": {}, **extra}
    return render(request, "account.html", context, status)


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request) -> HTMLResponse:
    user = await require_page_user(request)
    return await _account_page(request, user, saved=request.query_params.get("saved"))


@router.post("/account/profile")
async def update_profile(request: Request) -> Response:
    user = await require_page_user(request)
    data = await form_data(request)
    raw_year = data.get("year_of_birth").strip()
    try:
        profile = ProfileUpdate.model_validate(
            {"year_of_birth": raw_year or None, "sex": data.get("sex") or None}
        )
    except ValidationError as exc:
        return await _account_page(request, user, 422, errors=_validation_errors(exc))
    await accounts_of(request).run(accounts.update_profile, user.id, profile)
    return RedirectResponse("/account?saved=profile", status_code=303)


@router.post("/account/password")
async def change_password(request: Request) -> Response:
    user = await require_page_user(request)
    data = await form_data(request)
    try:
        await accounts_of(request).run(
            accounts.change_password, user.id, data.get("old_password"), data.get("new_password")
        )
    except accounts.InvalidCredentials:
        return await _account_page(
            request, user, 422, errors={"old_password": "That is not your current password."}
        )
    except accounts.AccountError as exc:
        return await _account_page(request, user, 422, errors={"new_password": _sentence(str(exc))})
    # Changing the password ends every session, this one included: start a new one here.
    return await _start_session(request, user, "/account?saved=password")


@router.post("/account/tokens")
async def create_token(request: Request) -> Response:
    user = await require_page_user(request)
    data = await form_data(request)
    try:
        token = await accounts_of(request).run(accounts.create_api_token, user.id, data.get("name"))
    except accounts.AccountError as exc:
        return await _account_page(request, user, 422, errors={"name": _sentence(str(exc))})
    return await _account_page(request, user, new_token=token)


def page_id(raw: str, what: str, field: str) -> int:
    """An id from a page address: digits within the columns' range, else 404 (never a database error)."""
    if not raw.isdigit() or len(raw) > len(str(MAX_ID)) or not 1 <= int(raw) <= MAX_ID:
        raise InputError(f"There is no {what} {raw!r}.", field, 404)
    return int(raw)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: str) -> Response:
    user = await require_page_user(request)
    number = page_id(token_id, "API token", "token_id")
    await form_data(request)
    await accounts_of(request).run(accounts.revoke_api_token, user.id, number)
    return RedirectResponse("/account?saved=token", status_code=303)


@router.get("/account/export.{fmt}")
async def export(request: Request, kb: KB, fmt: str) -> Response:
    user = await require_page_user(request)
    if fmt not in EXPORTS:
        raise InputError(f"There is no export as {fmt!r}: choose json, csv or zip.", "format", 404)
    name, media_type, filename = EXPORTS[fmt]
    async with heavy_operation(request, user, "export"):
        body = await accounts_of(request).run(exports.export, user.id, name, kb)
    return download(body, media_type, filename)


@router.post("/account/delete")
async def delete_account(request: Request) -> Response:
    """Deleting everything asks for the password again, so a borrowed phone cannot do it by accident."""
    user = await require_page_user(request)
    data = await form_data(request)
    try:
        await accounts_of(request).run(
            accounts.authenticate, user.username, data.get("password"), address=address_hash(request)
        )
    except (accounts.InvalidCredentials, accounts.LoginThrottled):
        errors = {"password": "That is not your password, so nothing was deleted."}
        return await _account_page(request, user, 422, errors=errors)
    await accounts_of(request).run(accounts.delete_account, user.id)
    request.state.set_session = ""
    new_csrf_anchor(request)
    return set_cookies(request, RedirectResponse("/?deleted=1", status_code=303))
