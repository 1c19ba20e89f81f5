"""Who is asking: session cookies for the pages, API tokens for the JSON API, CSRF tokens for forms.

Anonymous use stores nothing and needs no database; the diary database is opened on the first
request that needs it. Cookies: the login session (``tc_session``: HttpOnly, SameSite=Lax,
Secure over HTTPS) and a per-browser CSRF anchor (``tc_csrf``: HttpOnly, SameSite=Strict).
Every form carries ``HMAC(secret, anchor)``; a cross-site page can read neither, so it cannot
forge a form. The JSON API accepts only ``Authorization: Bearer`` tokens, never cookies, so it
needs no CSRF protection.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Concatenate, ParamSpec, TypeVar

import anyio
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from twitchcheck.diary import accounts
from twitchcheck.diary.db import Database, default_data_dir
from twitchcheck.diary.schemas import UserPublic
from twitchcheck.web import quota
from twitchcheck.web.errors import InputError
from twitchcheck.web.quota import HeavyWork

SESSION_COOKIE = "tc_session"
CSRF_COOKIE = "tc_csrf"
CSRF_FIELD = "csrf_token"
SESSION_DAYS = 14
SECRET_ENV = "TWITCHCHECK_SECRET_KEY"
SECRET_FILE = "secret_key"

P = ParamSpec("P")
T = TypeVar("T")


def load_secret() -> bytes:
    """``$TWITCHCHECK_SECRET_KEY``, else a random key kept (0600) in the data directory."""
    configured = os.environ.get(SECRET_ENV)
    if configured:
        return configured.encode()
    path = default_data_dir() / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or by another worker just now
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


class Accounts:
    """The app's diary database (opened lazily), signing secret, and the limits on log-in, sign-up and
    expensive operations."""

    def __init__(
        self,
        database_url: str | None = None,
        secret: bytes | None = None,
        login_limit: tuple[int, float] = (20, 600.0),
        taken_limit: tuple[int, float] = (5, 3600.0),
        heavy: HeavyWork | None = None,
    ) -> None:
        """``login_limit``: at most this many password checks and registrations per client address in
        this many seconds. ``taken_limit``: at most this many sign-ups that find their name taken (or
        reserved) per address in this many seconds; then every sign-up from the address waits, so
        nobody can test many names for existence. ``heavy``: the limits on the PDF report, export
        and import (:class:`twitchcheck.web.quota.HeavyWork`)."""
        self._url = database_url
        self._db: Database | None = None
        self._lock = threading.Lock()
        self._secret = secret
        self.login_limit = login_limit
        self.taken_limit = taken_limit
        self.heavy = heavy if heavy is not None else HeavyWork()

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = load_secret()
        return self._secret

    @property
    def opened(self) -> bool:
        """Whether anything has needed the diary database yet (anonymous checks never do)."""
        return self._db is not None

    def database(self) -> Database:
        with self._lock:
            if self._db is None:
                self._db = Database.open(self._url)
            return self._db

    async def run(self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a diary service function in a worker thread with its own session."""

        def call() -> T:
            with self.database().session() as session:
                return fn(session, *args, **kwargs)

        return await anyio.to_thread.run_sync(call)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def accounts_of(request: Request) -> Accounts:
    found: Accounts = request.app.state.accounts
    return found


def client_key(request: Request) -> str:
    """The client's address as the server saw it (a proxy's ``X-Forwarded-For`` only when the server
    was told to trust that proxy: ``twitchcheck serve --forwarded-allow-ips``)."""
    return request.client.host if request.client else "unknown"


def keyed(request: Request, value: str) -> str:
    """A keyed hash (HMAC-SHA256, hex) of ``value``: what the database keeps instead of an address."""
    return hmac.new(accounts_of(request).secret, value.encode(), hashlib.sha256).hexdigest()


def address_hash(request: Request) -> str:
    return keyed(request, client_key(request))


async def address_wait(request: Request) -> float | None:
    """Count a password check or registration from this client's address; seconds to wait if over."""
    users = accounts_of(request)
    limit, window = users.login_limit
    wait = await users.run(
        accounts.note_address_attempt, address_hash(request), limit=limit, window=timedelta(seconds=window)
    )
    return None if wait is None else wait.total_seconds()


async def taken_wait(request: Request, *, record: bool) -> float | None:
    """The sign-up budget of names found taken from this address: ``record=False`` asks whether any
    is left (seconds to wait if not), ``record=True`` spends one."""
    users = accounts_of(request)
    limit, window = users.taken_limit
    key = keyed(request, f"taken:{client_key(request)}")
    wait = await users.run(
        accounts.note_address_attempt, key, limit=limit, window=timedelta(seconds=window), record=record
    )
    return None if wait is None else wait.total_seconds()


@asynccontextmanager
async def heavy_operation(request: Request, user: UserPublic, kind: str) -> AsyncIterator[None]:
    """Run an expensive operation (``kind`` in :data:`twitchcheck.web.quota.KINDS`) within the
    person's budget and a free slot; 429 with ``Retry-After`` otherwise."""
    users = accounts_of(request)
    limit, window = users.heavy.per_user[kind]
    wait = await users.run(
        accounts.note_address_attempt,
        keyed(request, f"{kind}:{user.id}"),
        limit=limit,
        window=timedelta(seconds=window),
    )
    if wait is not None:
        what = quota.WHAT[kind]
        raise quota.too_many(
            f"You have asked for {limit} {what} in {int(window // 60)} minutes, the most allowed; "
            "try again in {seconds} seconds.",
            wait.total_seconds(),
        )
    async with users.heavy.slot(user.id):
        yield


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


# ---------------------------------------------------------------------------------------------- CSRF


def _sign(secret: bytes, anchor: str) -> str:
    return hmac.new(secret, f"csrf:{anchor}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token for this browser's forms; makes a new anchor (set by :func:`set_cookies`) if needed."""
    anchor = getattr(request.state, "csrf_anchor", None) or request.cookies.get(CSRF_COOKIE)
    if not anchor or len(anchor) > 100:
        anchor = secrets.token_urlsafe(24)
        request.state.csrf_anchor = anchor
    return _sign(accounts_of(request).secret, anchor)


def new_csrf_anchor(request: Request) -> None:
    """Start a fresh anchor (after log-in and log-out), so forms from before no longer work."""
    request.state.csrf_anchor = secrets.token_urlsafe(24)


def check_csrf(request: Request, submitted: str | None) -> None:
    anchor = request.cookies.get(CSRF_COOKIE)
    expected = _sign(accounts_of(request).secret, anchor) if anchor else None
    if expected is None or not submitted or not hmac.compare_digest(expected, submitted):
        raise InputError(
            "This form has expired or did not come from this site, so nothing was changed. "
            "Go back, reload the page and send it again.",
            CSRF_FIELD,
            403,
        )


def set_cookies(request: Request, response: Response) -> Response:
    """Add the cookies this request decided on (new CSRF anchor, session started or ended)."""
    anchor = getattr(request.state, "csrf_anchor", None)
    if anchor and anchor != request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE, anchor, httponly=True, samesite="strict", secure=secure(request), path="/"
        )
    session = getattr(request.state, "set_session", None)
    if session == "":
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request)
        )
    elif session:
        response.set_cookie(
            SESSION_COOKIE,
            session,
            max_age=SESSION_DAYS * 86_400,
            httponly=True,
            samesite="lax",
            secure=secure(request),
            path="/",
        )
    return response


# ---------------------------------------------------------------------------------------------- users


class LoginRequired(Exception):
    """A page needs a logged-in user; the handler redirects to the log-in page."""


async def page_user(request: Request) -> UserPublic | None:
    """The user of this browser's session cookie, or None (no database is opened without one)."""
    if "user" in request.state._state:
        cached: UserPublic | None = request.state.user
        return cached
    value = request.cookies.get(SESSION_COOKIE)
    user = await accounts_of(request).run(accounts.verify_login_session, value) if value else None
    request.state.user = user
    return user


async def require_page_user(request: Request) -> UserPublic:
    user = await page_user(request)
    if user is None:
        raise LoginRequired
    return user


async def api_user(request: Request) -> UserPublic:
    """The user of the request's ``Authorization: Bearer`` API token; 401 otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = await accounts_of(request).run(accounts.verify_api_token, token.strip())
    if user is None:
        raise HTTPException(
            401,
            "an API token is required: send 'Authorization: Bearer <token>' (create one on your account "
            "page or with POST /api/v1/account/tokens)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user
