"""Turn bad input into 4xx answers that name the field, for the API (JSON) and the pages (HTML).

Only input errors are mapped to 4xx here. Anything else is a bug: it is answered 500 with a short
message (and the security headers, like every answer) and re-raised so the server logs it, not
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
from twitchcheck.web.limits import add_security_headers, problem_body

LOCATION_PARTS = {"body", "query", "path", "header", "cookie"}
UNION_TAGS = {"one-state", "ticked-list"}  # tags of the interview answer's value (InterviewAnswerRequest)
# What pydantic says when the body is not a JSON object at all (e.g. a form, or text/plain).
NOT_AN_OBJECT = {"model_attributes_type", "dict_type", "model_type"}
FASTAPI_BODY_ERROR = "There was an error parsing the body"
SEND_JSON = "send JSON (Content-Type: application/json) encoded as UTF-8"


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


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def describe_validation(errors: Sequence[Any], request: Request | None = None) -> InputError:
    """The first validation error as one sentence; the input value is never echoed back."""
    first = errors[0]
    field = field_path(first.get("loc", ()))
    kind = first.get("type", "")
    if kind == "json_invalid":
        reason = first.get("ctx", {}).get("error", "JSON decode error")
        return InputError(f"request body is not valid JSON: {reason}; {SEND_JSON}")
    if request is not None and kind in NOT_AN_OBJECT and tuple(first.get("loc", ())) == ("body",):
        media = media_type(request)
        if not is_json(media):
            sent = f"not {media}" if media else "and say so in the Content-Type header"
            return InputError(f"request body: {SEND_JSON}, {sent}")
        return InputError("request body: must be a JSON object")
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


HANDLERS = {
    Exception: server_error_handler,
    InputError: input_error_handler,
    RequestValidationError: validation_error_handler,
    EvidenceError: evidence_error_handler,
    HTTPException: http_error_handler,
}
