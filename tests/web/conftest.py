"""Fixtures for the web tests: an in-process client, a real server subprocess, and a headless browser.

Browser tests follow datasette's pattern: start ``twitchcheck serve`` on a free port, wait until it
answers, and show the server's own output if it dies. The browser is Debian's chromium
(``make test`` installs it); Playwright never downloads one.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from tests.conftest import in_ci
from twitchcheck.web import create_app
from twitchcheck.web.auth import CSRF_FIELD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def app() -> Any:
    return create_app(warm=False)


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


CSRF_INPUT = re.compile(rf'name="{CSRF_FIELD}" value="([0-9a-f]+)"')


def csrf(client: TestClient, path: str = "/") -> dict[str, str]:
    """The CSRF form field a browser would send after loading ``path`` (the client keeps the cookie)."""
    found = CSRF_INPUT.search(client.get(path).text)
    assert found, f"no CSRF field on {path}"
    return {CSRF_FIELD: found.group(1)}


PASSWORD = "correct horse battery"


def app_routes(app: Any) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route, including those of included routers."""
    found: list[tuple[str, set[str]]] = []

    def walk(routes: Any, prefix: str) -> None:
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:
                walk(original.routes, prefix + route.include_context.prefix)
            elif isinstance(route, Route):
                found.append((prefix + route.path, set(route.methods or ())))

    walk(app.routes, "")
    return found


@pytest.fixture
def diary_app(tmp_path: Path) -> Any:
    """An app with its own empty diary database (SQLite in tmp_path) and a small per-address log-in limit."""
    from tests.web.diary_client import make_app

    return make_app(tmp_path, login_limit=(8, 600.0))


def register(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Make an account through the register page; the client is then logged in as it."""
    form = {"username": username, "password": password, "password2": password, **csrf(client, "/register")}
    response = client.post("/register", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return client


def artifact_folder(name: str) -> Path:
    """Where a browser test module keeps its screenshots (TWITCHCHECK_ARTIFACTS, else the temp folder)."""
    root = os.environ.get("TWITCHCHECK_ARTIFACTS") or Path(tempfile.gettempdir()) / "twitchcheck-artifacts"
    folder = Path(root) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The security headers every answer carries (twitchcheck.web.limits), as a page gets them.
SECURITY_HEADER_LINES = (
    b"content-security-policy: default-src 'self'",
    b"x-content-type-options: nosniff",
    b"referrer-policy: no-referrer",
    b"x-frame-options: deny",
    b"cache-control: no-store",
)


def assert_security_headers(answer: bytes, status: bytes) -> None:
    """``answer`` (a whole HTTP answer, as read from a socket) has ``status`` and each security
    header exactly once."""
    head = answer.split(b"\r\n\r\n", 1)[0].lower().split(b"\r\n")
    assert head[0].startswith(b"http/1.1 " + status), answer[:200]
    for header in SECURITY_HEADER_LINES:
        named = [line for line in head if line.startswith(header.split(b":")[0] + b":")]
        assert len(named) == 1 and named[0].startswith(header), (header, answer[:600])


def find_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_server(url: str, process: subprocess.Popen[str], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    output = process.stdout.read() if process.stdout else ""
    raise RuntimeError(f"server did not answer {url} within {timeout} s:\n{output}")


def run_server(data_dir: Path | None = None) -> Iterator[str]:
    """The real app under uvicorn, as `make run` starts it, on a free loopback port, until closed.

    ``data_dir``: a data folder of its own (its diary, key and per-address sign-up budget) instead of the
    one the test session set for every server."""
    env = {**os.environ, "TWITCHCHECK_DATA_DIR": str(data_dir)} if data_dir is not None else None
    port = find_free_port()
    command = [sys.executable, "-m", "twitchcheck.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The app as `make run` starts it, shared by the session's browser tests."""
    yield from run_server()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        if in_ci():
            pytest.fail("chromium is missing: `make test` installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (run `make test`, which installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def open_tab(browser: Any, viewport: dict[str, int], size: str | None = None) -> Iterator[Any]:
    """A fresh tab at ``viewport`` (its name, if given, as ``tab.size``); fails on any JavaScript error."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.size = size
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized browser tab; fails the test if the page threw a JavaScript error."""
    yield from open_tab(browser, DESKTOP)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized tab (390 x 844)."""
    yield from open_tab(browser, PHONE)


@pytest.fixture(scope="session")
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
