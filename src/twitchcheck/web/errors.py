"""Bad input as values: :class:`InputError` names the field; the answers (4xx, JSON or HTML) are
made by :mod:`twitchcheck.web.handlers`, which may render pages (this module must not: the page
renderer needs :mod:`twitchcheck.web.auth`, which raises :class:`InputError`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request

from twitchcheck.engine.evidence import EvidenceError

LOCATION_PARTS = {"body", "query", "path", "header", "cookie"}
UNION_TAGS = {"one-state", "ticked-list"}  # tags of the interview answer's value (InterviewAnswerRequest)
# What pydantic says when the body is not a JSON object at all (e.g. a form, or text/plain).
NOT_AN_OBJECT = {"model_attributes_type", "dict_type", "model_type"}
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
