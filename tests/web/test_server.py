"""How `twitchcheck serve` runs uvicorn (proxy headers, slow clients, the security headers on its own answers)
and the expensive-work slots.

The end-to-end checks against a real `twitchcheck serve` are in tests/reliability; here the same
protocol runs in-process with deadlines of a second, so the body deadline is tested quickly too.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
import uvicorn
from starlette.exceptions import HTTPException

from tests.web.conftest import assert_security_headers, find_free_port
from tests.web.diary_client import make_app
from twitchcheck.web import service
from twitchcheck.web.quota import PER_USER, HeavyWork, default_slots
from twitchcheck.web.server import (
    FORWARDED_ENV,
    GuardedHttpToolsProtocol,
    forwarded_allow_ips,
    process_limits,
    server_options,
)


def test_proxy_headers_are_trusted_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORWARDED_ENV, raising=False)
    assert server_options()["proxy_headers"] is False and "forwarded_allow_ips" not in server_options()
    assert server_options(" 10.0.0.2, 10.0.0.3 ")["forwarded_allow_ips"] == "10.0.0.2,10.0.0.3"
    monkeypatch.setenv(FORWARDED_ENV, "192.0.2.1")
    assert forwarded_allow_ips() == "192.0.2.1" and server_options()["proxy_headers"] is True
    assert forwarded_allow_ips("") == ""  # an explicit empty option wins over the environment


class QuickDeadlines(GuardedHttpToolsProtocol):
    header_timeout = 1.0
    body_timeout = 1.0


@pytest.fixture
def quick_server(tmp_path: Path) -> Iterator[int]:
    port = find_free_port()
    options = {**server_options(), "http": QuickDeadlines}
    config = uvicorn.Config(
        make_app(tmp_path), host="127.0.0.1", port=port, log_level="warning", lifespan="off", **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except TimeoutError:
        return data + b"<still open>"
    return data


def test_a_body_that_stops_arriving_is_cut_off(quick_server: int) -> None:
    with socket.create_connection(("127.0.0.1", quick_server)) as sock:
        sock.sendall(
            b"POST /api/v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        started = time.monotonic()
        assert not _read_all(sock, 5).endswith(b"<still open>")
        assert time.monotonic() - started < 3


def _response(sock: socket.socket) -> bytes:
    """One whole HTTP response (status line to the end of its body): a single ``recv`` may return the
    head alone, leaving the body to be mistaken for the next response."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    found = re.search(rb"(?i)content-length: *(\d+)", head)
    assert found, head
    length = int(found.group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, data
        body += chunk
    return head + b"\r\n\r\n" + body


def test_whole_requests_on_a_kept_alive_connection_still_work(quick_server: int) -> None:
    body = b'{"evidence": {"fasciculations": "present"}}'
    request = (
        b"POST /api/v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    with socket.create_connection(("127.0.0.1", quick_server)) as sock:
        for _ in range(2):
            sock.sendall(request)
            sock.settimeout(5)
            answer = _response(sock)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
            time.sleep(0.6)  # each request gets its own deadline, not the connection's first one
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _response(sock).startswith(b"HTTP/1.1 200")


def test_a_connection_that_never_sends_gets_408(quick_server: int) -> None:
    with socket.create_connection(("127.0.0.1", quick_server)) as sock:
        assert _read_all(sock, 5).startswith(b"HTTP/1.1 408")


MALFORMED = {
    "no colon in a header": b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
    "not HTTP at all": b"\x16\x03\x01\x02\x00 hello\r\n\r\n",
    "a space in the method": b"G T / HTTP/1.1\r\nHost: x\r\n\r\n",
    "a bad chunk size": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_the_server_s_own_400_carries_the_security_headers(quick_server: int, name: str) -> None:
    """uvicorn answers a request it cannot parse itself, without the app (and its headers middleware)."""
    with socket.create_connection(("127.0.0.1", quick_server)) as sock:
        sock.sendall(MALFORMED[name])
        answer = _read_all(sock, 5)
    assert answer.endswith(b"Invalid HTTP request received."), answer[-200:]
    assert_security_headers(answer, b"400")


def test_the_server_s_own_408_and_too_large_answers_carry_the_security_headers(quick_server: int) -> None:
    with (
        socket.create_connection(("127.0.0.1", quick_server)) as idle,
        socket.create_connection(("127.0.0.1", quick_server)) as stalled,
        socket.create_connection(("127.0.0.1", quick_server)) as huge,
    ):
        stalled.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        huge.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 70_000 + b"\r\n")
        for sock in (idle, stalled):
            answer = _read_all(sock, 5)
            assert answer.endswith(b"The request did not arrive in time."), answer[-200:]
            assert_security_headers(answer, b"408")
        answer = _read_all(huge, 5)
        assert answer.endswith(b"Request line and headers are too large."), answer[-200:]
        assert_security_headers(answer, b"400")


def test_the_app_s_answers_carry_the_security_headers_once(quick_server: int) -> None:
    with socket.create_connection(("127.0.0.1", quick_server)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert_security_headers(_read_all(sock, 5), b"200")


def test_the_start_up_message_states_the_limits_of_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text workers and slots are per process; `twitchcheck serve` says how many it has."""
    said = process_limits()
    assert f"{service.TEXT_WORKERS} text worker thread" in said and "each process has its own" in said
    assert f"at most {service.TEXT_QUEUE} texts" in said and f"{default_slots()} PDF reports" in said
    monkeypatch.setattr(service, "TEXT_WORKERS", 3)
    assert "3 text worker threads" in process_limits()


def test_documented_per_person_limits() -> None:
    assert PER_USER == {"report": (10, 600.0), "export": (20, 600.0), "import": (10, 600.0)}


def test_slots_queue_briefly_then_refuse() -> None:
    work = HeavyWork(slots=1, queue_seconds=0.3)
    outcomes: list[str] = []

    async def job(user_id: int, seconds: float) -> None:
        try:
            async with work.slot(user_id):
                await anyio.sleep(seconds)
            outcomes.append(f"ran {user_id}")
        except HTTPException as exc:
            assert exc.status_code == 429 and exc.headers and int(exc.headers["Retry-After"]) >= 1
            outcomes.append(f"refused {user_id}")

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(job, 1, 0.1)  # holds the only slot for 0.1 s
            await anyio.sleep(0.01)
            group.start_soon(job, 2, 0.0)  # waits, then runs
            group.start_soon(job, 1, 0.0)  # the same person: refused at once
        async with anyio.create_task_group() as group:
            group.start_soon(job, 3, 1.0)
            await anyio.sleep(0.01)
            group.start_soon(job, 4, 0.0)  # waits 0.3 s, then refused

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    runner = threading.Thread(target=anyio.run, args=(main,))
    runner.start()
    runner.join(timeout=30)
    assert sorted(outcomes) == ["ran 1", "ran 2", "ran 3", "refused 1", "refused 4"]
    assert work.running == 0
