"""Turn bad input into 4xx answers that name the field, for the API (JSON) and the pages (HTML).

Only input errors are mapped here. Anything else is a bug and is left to surface as one, not
hidden behind a friendly message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from twitchcheck.engine.evidence import EvidenceError

LOCATION_PARTS = {"body", "query", "path", "header", "cookie"}
UNION_TAGS = {"one-state", "ticked-list"}  # tags of the interview answer's value (InterviewAnswerRequest)


class InputError(Exception):
    """Input the server understood but cannot accept; ``field`` is the dotted path of the culprit."""

    def __init__(self, detail: str, field: str | None = None, status_code: int = 422) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.status_code = status_code


def from_evidence_error(exc: EvidenceError, field: str) -> InputError:
    """Prefix the engine's message with the field it came from ('evidence', 'state.answers', ...)."""
    message = str(exc)
    known_prefixes = ("text", "age", "sex")
    if message.startswith(known_prefixes):
        field = message.split(" ", 1)[0]
        return InputError(message, field)
    return InputError(f"{field}: {message}", field)


def field_path(loc: Sequence[Any]) -> str | None:
    """Field names and list indexes only: pydantic also names the member of a union that failed
    (see UNION_TAGS), which means nothing to the client."""
    parts = [str(p) for p in loc if str(p) not in LOCATION_PARTS and str(p) not in UNION_TAGS]
    return ".".join(parts) or None


def describe_validation(errors: Sequence[Any]) -> InputError:
    """The first validation error as one sentence; the input value is never echoed back."""
    first = errors[0]
    field = field_path(first.get("loc", ()))
    kind = first.get("type", "")
    if kind == "json_invalid":
        reason = first.get("ctx", {}).get("error", "JSON decode error")
        return InputError(f"request body is not valid JSON: {reason}")
    message = str(first.get("msg", "invalid value"))
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind == "missing":
        message = "this field is required"
    elif kind == "extra_forbidden":
        message = "unknown field (not allowed here)"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    where = field or "request body"
    return InputError(f"{where}: {message}{more}", field)


def wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path in ("/healthz", "/openapi.json"))


def error_response(request: Request, error: InputError) -> Response:
    if wants_html(request):
        from twitchcheck.web.render import render_error

        return render_error(request, error.status_code, error.detail)
    body = {"detail": error.detail, "field": error.field}
    return JSONResponse(body, status_code=error.status_code)


async def input_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    return error_response(request, exc)


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, describe_validation(exc.errors()))


async def evidence_error_handler(request: Request, exc: Exception) -> Response:
    """Fallback for engine input errors that a route did not attribute to a field itself."""
    assert isinstance(exc, EvidenceError)
    return error_response(request, InputError(str(exc)))


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing here: {request.url.path}"
    response = error_response(request, InputError(detail, None, exc.status_code))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


HANDLERS = {
    InputError: input_error_handler,
    RequestValidationError: validation_error_handler,
    EvidenceError: evidence_error_handler,
    HTTPException: http_error_handler,
}
