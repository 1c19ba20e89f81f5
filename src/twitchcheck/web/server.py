"""How ``twitchcheck serve`` runs the app under uvicorn: proxy headers and slow clients.

* **Proxy headers** (``X-Forwarded-For``, ``X-Forwarded-Proto``) decide the client address that the
  log-in limits count. uvicorn trusts them from 127.0.0.1 by default, so anyone on the machine, or
  a proxy that passes on what the client wrote, could claim any address. Here they are trusted
  only from the addresses given with ``--forwarded-allow-ips`` or ``$TWITCHCHECK_FORWARDED_ALLOW_IPS``
  (default: none, and the headers are ignored). Behind a reverse proxy, give its address.
* **Slow clients**: uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but waits
  for ever for a request that never finishes arriving. :class:`GuardedHttpToolsProtocol` gives the
  request line and headers :data:`HEADER_TIMEOUT` seconds from the first byte (or from the
  connection, when nothing is sent), at most :data:`MAX_HEADER_BYTES`, and the body
  :data:`BODY_TIMEOUT` seconds; then the connection is closed.
* **Answers the server makes itself** (400 for a request it cannot parse or whose headers are too
  large, 408 for one too slow) never reach the app, so its security-headers middleware cannot add
  them: :class:`GuardedHttpToolsProtocol` writes them with the same headers (those of a page, the
  strictest). Every answer from the app, a 500 included, gets them from the app's middleware.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import uvicorn
from starlette.datastructures import MutableHeaders
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web.limits import add_security_headers

FORWARDED_ENV = "TWITCHCHECK_FORWARDED_ALLOW_IPS"
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 60.0  # 16 MiB (the import limit) at 280 KB/s
MAX_HEADER_BYTES = 64 * 1024
KEEP_ALIVE_TIMEOUT = 5
TOO_SLOW = "The request did not arrive in time."
TOO_LARGE = "Request line and headers are too large."


def _security_header_lines() -> bytes:
    """The security headers of a page (no path is known before a request is parsed), as header lines."""
    headers = MutableHeaders()
    add_security_headers(headers, "")
    return b"".join(f"{name}: {value}\r\n".encode("latin-1") for name, value in headers.items())


SECURITY_HEADER_LINES = _security_header_lines()


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines for the request's headers and body, and a cap on
    the bytes of the request line and headers (httptools keeps an unfinished header in memory)."""

    header_timeout = HEADER_TIMEOUT
    body_timeout = BODY_TIMEOUT
    max_header_bytes = MAX_HEADER_BYTES

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        self._in_headers = True
        self._header_bytes = 0
        super().connection_made(transport)
        self._arm(self.header_timeout)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _answer(self, status: int, message: str) -> bytes:
        """A whole plain-text answer that closes the connection: uvicorn's own headers (date,
        server) and the security headers."""
        body = message.encode("ascii")
        lines = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            lines += [name, b": ", value, b"\r\n"]
        lines += [
            SECURITY_HEADER_LINES,
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
            body,
        ]
        return b"".join(lines)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse, with the security headers."""
        self.transport.write(self._answer(400, msg))
        self.transport.close()

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(self._answer(408, TOO_SLOW))  # no response under way: say why
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        too_large = self._in_headers and self._header_bytes > self.max_header_bytes
        if too_large and not self.transport.is_closing():
            self._disarm()
            self.send_400_response(TOO_LARGE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # the connection's first request is already timed from its start
            self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._in_headers = False
        self._arm(self.body_timeout)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()
        self._in_headers = True
        self._header_bytes = 0


def forwarded_allow_ips(option: str | None = None) -> str:
    """The addresses whose proxy headers are trusted: the option, else the environment, else none."""
    value = option if option is not None else os.environ.get(FORWARDED_ENV, "")
    return ",".join(part.strip() for part in value.split(",") if part.strip())


def server_options(forwarded: str | None = None) -> dict[str, Any]:
    """uvicorn settings for the app (everything but the app, host, port and logging)."""
    trusted = forwarded_allow_ips(forwarded)
    options: dict[str, Any] = {
        "http": GuardedHttpToolsProtocol,
        "proxy_headers": bool(trusted),
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_graceful_shutdown": 30,
    }
    if trusted:
        options["forwarded_allow_ips"] = trusted
    return options


def process_limits() -> str:
    """What one server process does at once, for the start-up message. Each process has its own
    text workers, queue and slots (``twitchcheck serve`` is one process): P processes on one machine
    read up to P times as many texts at once. The per-person limits are counted in the database."""
    from twitchcheck.web import quota, service

    workers = service.TEXT_WORKERS
    return (
        f"Limits of this server process (each process has its own): {workers} text worker "
        f"thread{'s' if workers != 1 else ''} (TWITCHCHECK_TEXT_WORKERS), at most {service.TEXT_QUEUE} "
        f"texts waiting or being read, {service.TEXT_CPU_SECONDS:g} s of CPU per text "
        f"(TWITCHCHECK_TEXT_CPU_SECONDS); {quota.default_slots()} PDF reports, exports or imports at once."
    )


def run(
    host: str, port: int, kb: KnowledgeBase, *, access_log: bool = False, forwarded: str | None = None
) -> None:
    from twitchcheck.web.app import create_app

    options = server_options(forwarded)
    uvicorn.run(create_app(kb), host=host, port=port, access_log=access_log, log_level="info", **options)
