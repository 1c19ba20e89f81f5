"""Exception handlers: bad input becomes a 4xx answer that names the field, JSON for the API and a page
for the browser; account and storage failures get their own answers.

Only input errors are mapped to 4xx here. Anything else is a bug: it is answered 500 with a short
message (and the security headers, like every answer) and re-raised so the server logs it, not
hidden behind a friendly message.

This module sits above :mod:`~twitchcheck.web.errors` (the error values), :mod:`~twitchcheck.web.auth`
and :mod:`~twitchcheck.web.render`, so none of them imports another in a circle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from twitchcheck.diary.accounts import LoginThrottled
from twitchcheck.diary.db import DatabaseError
from twitchcheck.diary.repository import NotFound
from twitchcheck.engine.evidence import EvidenceError
from twitchcheck.web.auth import LoginRequired
from twitchcheck.web.errors import SEND_JSON, InputError, describe_validation, wants_html
from twitchcheck.web.limits import add_security_headers, problem_body
from twitchcheck.web.render import render_error

Handler = Callable[[Request, Exception], Awaitable[Response]]
FASTAPI_BODY_ERROR = "There was an error parsing the body"


def error_response(request: Request, error: InputError) -> Response:
    if wants_html(request):
        return render_error(request, error.status_code, error.detail)
    body = {"detail": error.detail, "field": error.field}
    return JSONResponse(body, status_code=error.status_code)


async def input_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    return error_response(request, exc)


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, describe_validation(exc.errors(), request))


async def evidence_error_handler(request: Request, exc: Exception) -> Response:
    """Fallback for engine input errors that a route did not attribute to a field itself."""
    assert isinstance(exc, EvidenceError)
    return error_response(request, InputError(str(exc)))


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing here: {request.url.path}"
    elif detail == FASTAPI_BODY_ERROR:  # FastAPI could not decode the body (e.g. it is not UTF-8)
        detail = f"request body: could not be read as text; {SEND_JSON}"
    response = error_response(request, InputError(detail, None, exc.status_code))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error_handler(request: Request, exc: Exception) -> Response:
    """A bug: a plain 500 (no templates, which may be what failed) with the security headers. The
    server middleware re-raises the exception afterwards, so it is logged with its traceback."""
    path = request.url.path
    detail = "Something went wrong on our side and nothing was changed. Please try again later."
    body, content_type = problem_body(500, detail, path)
    response = Response(body, status_code=500, media_type=content_type.decode())
    add_security_headers(response.headers, path)
    return response


_INPUT_HANDLERS: dict[type[Exception], Handler] = {
    Exception: server_error_handler,
    InputError: input_error_handler,
    RequestValidationError: validation_error_handler,
    EvidenceError: evidence_error_handler,
    HTTPException: http_error_handler,
}


async def _login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, InputError(f"not found: {exc}", None, 404))


async def _throttled(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginThrottled)
    response = error_response(request, InputError(str(exc), None, 429))
    response.headers["Retry-After"] = str(int(exc.retry_after.total_seconds()) + 1)
    return response


async def _storage_down(request: Request, exc: Exception) -> Response:
    detail = "The diary database cannot be reached right now, so nothing was changed. Try again in a minute."
    return error_response(request, InputError(detail, None, 503))


_ACCOUNT_HANDLERS: dict[type[Exception], Handler] = {
    LoginRequired: _login_required,
    NotFound: _not_found,
    LoginThrottled: _throttled,
    DatabaseError: _storage_down,
    OperationalError: _storage_down,
}


# Every handler the app installs (:func:`twitchcheck.web.app.create_app`).
HANDLERS: dict[type[Exception], Handler] = {**_INPUT_HANDLERS, **_ACCOUNT_HANDLERS}
