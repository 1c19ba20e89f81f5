"""Small ASGI middlewares: a request-body size cap, request hygiene (HEAD, the address's encoding),
and security headers on every answer.

The body cap runs before anything parses the body, so an oversized request costs the server
almost nothing: a declared ``Content-Length`` over the limit is refused at once, and a body
streamed without one is counted as it arrives and cut off as soon as it passes the limit.

The documented limits are in characters (a description of at most 20,000 characters), which the
request models check. The cap here is in bytes and is set so that the documented characters fit
in any encoding a client may use: one character can take 12 bytes on the wire (an emoji written
as a JSON surrogate pair ``\\ud83d\\ude00``, or percent-encoded in a form), so the cap is
12 bytes per character plus room for the rest of the request.
"""

from __future__ import annotations

import contextlib
import html
import json
from urllib.parse import unquote_to_bytes

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from twitchcheck.pipeline import MAX_TEXT_CHARS

WIRE_BYTES_PER_CHAR = 12
DEFAULT_MAX_BODY = WIRE_BYTES_PER_CHAR * MAX_TEXT_CHARS + 32 * 1024
BODY_LIMIT_TEXT = (
    f"{DEFAULT_MAX_BODY // 1024} KiB, room for {MAX_TEXT_CHARS:,} characters of text in any encoding"
)
# A diary export re-imported in one request: the JSON export is about 0.9 KB per entry (CSV 0.3 KB),
# so 16 MiB holds about 18,000 entries, near the 20,000 one import takes (exports.IMPORT_LIMITS).
IMPORT_BODY_LIMIT = 16 * 1024 * 1024
LARGER_BODIES = {"/api/v1/account/import": IMPORT_BODY_LIMIT}

# Our own pages load nothing from elsewhere and run no inline script or style.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Swagger UI (served locally) needs inline script and style.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; object-src 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class _BodyTooLarge(Exception):
    pass


TITLES = {400: "Request not understood", 413: "Request too large", 500: "Something went wrong"}


def problem_body(status: int, detail: str, path: str) -> tuple[bytes, bytes]:
    """A self-contained error answer (no templates: it must work when nothing else does)."""
    if path.startswith("/api/") or path in ("/healthz", "/openapi.json"):
        return json.dumps({"detail": detail, "field": None}).encode(), b"application/json"
    title = TITLES.get(status, "Request refused")
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body><main><h1>{title}</h1><p>{html.escape(detail)}</p><p><a href="/">Start again</a></p>'
        "</main></body></html>"
    )
    return page.encode(), b"text/html; charset=utf-8"


class BodyLimitMiddleware:
    """Answer 413 for bodies over ``max_body`` bytes (or the path's own limit) before the app reads them."""

    def __init__(
        self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY, larger: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.larger = LARGER_BODIES if larger is None else larger

    async def _refuse(self, scope: Scope, send: Send, status: int, detail: str) -> None:
        body, content_type = problem_body(status, detail, scope.get("path", ""))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_body)
        too_large = f"request body is larger than the limit of {limit} bytes"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                if not value.isdigit():
                    await self._refuse(scope, send, 400, "Content-Length header is not a number")
                    return
                if int(value) > limit:
                    await self._refuse(scope, send, 413, too_large)
                    return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the app made of the cut-off body is replaced by the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, counted_receive, guarded_send)
        if exceeded and not started:
            await self._refuse(scope, send, 413, too_large)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends; pages about someone's health are not cached or framed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_security_headers(headers: MutableHeaders, path: str) -> None:
    """The headers every answer carries (those already set are kept)."""
    headers.setdefault("content-security-policy", DOCS_CSP if path.startswith(DOCS_PATHS) else PAGE_CSP)
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "no-referrer")
    headers.setdefault("x-frame-options", "DENY")
    if not path.startswith("/static/"):
        headers.setdefault("cache-control", "no-store")


def _utf8(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class RequestHygieneMiddleware:
    """``HEAD`` is answered like ``GET`` without the body (RFC 9110; FastAPI routes only know GET),
    and an address whose path or query is not UTF-8 once percent-decoded is refused with 400 instead
    of being read with replacement characters."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
        if not (_utf8(raw_path) and _utf8(scope.get("query_string", b""))):
            body, content_type = problem_body(
                400, "the address is not valid UTF-8 once percent-decoded", scope.get("path", "")
            )
            headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
