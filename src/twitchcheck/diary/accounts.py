"""Accounts: register, log in, API tokens, login sessions, rate limiting, profile, delete.

Passwords are hashed with argon2id (argon2-cffi). API tokens and session cookies are random
32-byte values shown once; only their SHA-256 is stored, so a leaked database does not leak
working credentials. Failed log-ins are counted in the database per (client address, username)
pair: after a few failures in a row the pair must wait, twice as long after each further failure
(exponential back-off), and attempts during the wait are refused without checking the password.
Failures from one address never hold back the same username from another address, so nobody can
lock an owner out by guessing at their name; guessing from many addresses is slowed by the
per-address limit (:func:`note_address_attempt`) and by the cost of argon2id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from twitchcheck.diary.db import writing
from twitchcheck.diary.models import (
    MAX_ID,
    AddressAttempt,
    ApiToken,
    LoginAttempt,
    LoginSession,
    User,
    utcnow,
)
from twitchcheck.diary.repository import NotFound
from twitchcheck.diary.schemas import (
    NewToken,
    ProfileUpdate,
    TokenPublic,
    UserCreate,
    UserPublic,
    unstorable,
)

LOCAL_USERNAME = "local"
RESERVED_USERNAMES = frozenset({LOCAL_USERNAME, "admin", "root", "api", "anonymous"})
TOKEN_PREFIX = "tc_"
SESSION_PREFIX = "tcs_"


class AccountError(ValueError):
    """Registration or profile input was refused (the message says why)."""


class InvalidCredentials(Exception):
    """Wrong username or password (deliberately not saying which)."""


class LoginThrottled(Exception):
    """Too many failed log-ins for this username from this address recently."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"too many failed log-ins; try again in {int(retry_after.total_seconds()) + 1} seconds"
        )


@dataclass(frozen=True)
class LoginPolicy:
    """Back-off per (address, username) pair: ``free_failures`` failures in a row cost nothing; after
    that the pair waits ``first_wait`` after the last failure, doubled for each further failure, up
    to ``max_wait``. A success from the pair starts the count again; attempts older than
    ``keep_attempts`` are forgotten (and deleted)."""

    free_failures: int = 5
    first_wait: timedelta = timedelta(seconds=30)
    max_wait: timedelta = timedelta(minutes=15)
    keep_attempts: timedelta = timedelta(days=1)

    def wait_after(self, failures: int) -> timedelta:
        """How long the pair waits after its last failure, with ``failures`` failures in a row."""
        if failures < self.free_failures:
            return timedelta(0)
        doublings = min(failures - self.free_failures, 30)
        wait: timedelta = self.first_wait * (1 << doublings)
        return min(self.max_wait, wait)


DEFAULT_POLICY = LoginPolicy()
_hasher = PasswordHasher()  # argon2id with RFC 9106 low-memory parameters


def set_password_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the hasher (tests use cheaper argon2id parameters); returns the previous one."""
    global _hasher, _dummy_hash
    previous, _hasher = _hasher, hasher
    _dummy_hash = None
    return previous


_dummy_hash: str | None = None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_hex(16))
    return _dummy_hash


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user)


def _normalise(username: str) -> str:
    return username.strip().lower()


def register(session: Session, data: UserCreate) -> UserPublic:
    """Create an account. Raises :class:`AccountError` if the name is reserved or taken.

    The password is hashed first whatever the name, so a taken or reserved name costs the same time
    as a new one (the web layer limits how many taken names one address may find)."""
    password_hash = _hasher.hash(data.password)
    if data.username in RESERVED_USERNAMES:
        raise AccountError(f"username {data.username!r} is reserved")
    user = User(username=data.username, password_hash=password_hash)
    try:
        with writing(session):
            session.add(user)
    except IntegrityError:
        raise AccountError(f"username {data.username!r} is taken") from None
    return _public(user)


def _pair_failures(
    session: Session, username: str, address: str, now: datetime, policy: LoginPolicy
) -> list[datetime]:
    """This pair's failures since its last success (within ``keep_attempts``), oldest first."""
    pair = (LoginAttempt.username == username, LoginAttempt.address == address)
    since = now - policy.keep_attempts
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            *pair, LoginAttempt.succeeded.is_(True), LoginAttempt.at >= since
        )
    )
    floor = max(since, last_success) if last_success is not None else since
    return list(
        session.scalars(
            select(LoginAttempt.at)
            .where(*pair, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= floor)
            .order_by(LoginAttempt.at)
        )
    )


KEEP_COUNTS = timedelta(days=1)  # longer than every window of note_address_attempt


def note_address_attempt(
    session: Session,
    address: str,
    *,
    limit: int,
    window: timedelta,
    now: datetime | None = None,
    record: bool = True,
) -> timedelta | None:
    """Count one event for ``address`` (a keyed hash of a client address or another key, never the
    address itself): a password check, a registration, a taken name found, an expensive operation.

    Returns how long to wait when ``limit`` events already fell within ``window`` (this one is then
    not counted), else None. ``record=False`` only asks. In the database rather than in memory, so
    every worker process counts together; stops one client trying many usernames, which the
    per-pair back-off cannot see. Rows older than :data:`KEEP_COUNTS` are deleted on the way.
    """
    if window > KEEP_COUNTS:
        raise ValueError(f"windows longer than {KEEP_COUNTS} are not kept")
    now = now or utcnow()
    with writing(session):
        session.execute(delete(AddressAttempt).where(AddressAttempt.at <= now - KEEP_COUNTS))
        recent = list(
            session.scalars(
                select(AddressAttempt.at)
                .where(AddressAttempt.address == address, AddressAttempt.at > now - window)
                .order_by(AddressAttempt.at)
            )
        )
        if len(recent) >= limit:
            return max(recent[-limit] + window - now, timedelta(seconds=1))
        if record:
            session.add(AddressAttempt(address=address, at=now))
    return None


def _login_name(username: str) -> str:
    """The name as stored in the attempts table: normalised, cut to the column, and with anything
    no database can store replaced (such a name can belong to no account)."""
    name = _normalise(username)[:64]
    if unstorable(name) is not None:
        name = name.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return name


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    address: str = "",
    policy: LoginPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
) -> UserPublic:
    """Check a password. Raises :class:`LoginThrottled` or :class:`InvalidCredentials`.

    ``address`` is a keyed hash of the client's address: the back-off is per (address, username)
    pair (see :class:`LoginPolicy`). Unknown usernames cost the same hash check as known ones and
    are counted and throttled alike.
    """
    now = now or utcnow()
    name = _login_name(username)
    try:
        failures = _pair_failures(session, name, address, now, policy)
        if failures:
            wait_until = failures[-1] + policy.wait_after(len(failures))
            if wait_until > now:
                raise LoginThrottled(wait_until - now)
        user = session.scalar(select(User).where(User.username == name))
        public = _public(user) if user is not None else None
        stored = user.password_hash if user is not None else None
    finally:
        session.rollback()  # no transaction (and no lock) is held while hashing
    try:
        ok = _hasher.verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        ok = False
    with writing(session):
        session.add(LoginAttempt(username=name, address=address, at=now, succeeded=ok))
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - policy.keep_attempts))
        if ok and public is not None and stored is not None and _hasher.check_needs_rehash(stored):
            new_hash = _hasher.hash(password)
            session.execute(update(User).where(User.id == public.id).values(password_hash=new_hash))
    if not ok or public is None:
        raise InvalidCredentials("wrong username or password")
    return public


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def change_password(session: Session, user_id: int, old_password: str, new_password: str) -> None:
    """Replace the password (the old one must match) and end every login session of the user."""
    if not 8 <= len(new_password) <= 1024:
        raise AccountError("password must be 8-1024 characters")
    with writing(session):
        user = _user(session, user_id)
        try:
            ok = (
                _hasher.verify(user.password_hash or _dummy(), old_password)
                and user.password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            raise InvalidCredentials("wrong password")
        user.password_hash = _hasher.hash(new_password)
        session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


def get_user(session: Session, user_id: int) -> UserPublic:
    return _public(_user(session, user_id))


def update_profile(session: Session, user_id: int, profile: ProfileUpdate) -> UserPublic:
    """Set the fields given (year of birth, sex), used by the re-triage."""
    with writing(session):
        user = _user(session, user_id)
        for key in profile.model_fields_set:
            setattr(user, key, getattr(profile, key))
    return _public(user)


def get_or_create_local_user(session: Session) -> UserPublic:
    """The command line's single-user profile: no password, so it can never log in over the web."""
    user = session.scalar(select(User).where(User.username == LOCAL_USERNAME))
    if user is None:
        session.rollback()
        with writing(session):  # look again under the write lock: another process may have made it
            user = session.scalar(select(User).where(User.username == LOCAL_USERNAME))
            if user is None:
                user = User(username=LOCAL_USERNAME, password_hash=None)
                session.add(user)
    return _public(user)


def delete_account(session: Session, user_id: int) -> None:
    """Delete the account and, through ON DELETE CASCADE, every entry, token, session and result."""
    with writing(session):
        user = _user(session, user_id)
        username = user.username
        session.expunge(user)
        session.execute(delete(User).where(User.id == user_id))
        session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))


# ---------------------------------------------------------------------------------------------- tokens


def create_api_token(
    session: Session, user_id: int, name: str, *, expires_in: timedelta | None = None
) -> NewToken:
    """A new API token. The plaintext is in the result only; the database keeps its SHA-256."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise AccountError("token name must be 1-100 characters")
    problem = unstorable(name)
    if problem is not None:
        raise AccountError(f"token name {problem}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with writing(session):
        _user(session, user_id)
        row = ApiToken(
            user_id=user_id,
            name=name,
            token_hash=hash_secret(token),
            created_at=now,
            expires_at=now + expires_in if expires_in is not None else None,
        )
        session.add(row)
    return NewToken(token=token, info=TokenPublic.model_validate(row))


def verify_api_token(session: Session, token: str, *, now: datetime | None = None) -> UserPublic | None:
    """The token's user, or None if it is unknown, revoked or expired. Records its last use."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = now or utcnow()
    digest = hash_secret(token)
    with writing(session):
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        row.last_used_at = now
        user = session.get(User, row.user_id)
    return _public(user) if user is not None else None


def list_api_tokens(session: Session, user_id: int) -> list[TokenPublic]:
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    return [TokenPublic.model_validate(r) for r in rows]


def revoke_api_token(session: Session, user_id: int, token_id: int) -> None:
    if not 1 <= token_id <= MAX_ID:  # cannot exist, and PostgreSQL refuses the number in a query
        raise NotFound(f"no token {token_id}")
    with writing(session):
        result = session.execute(delete(ApiToken).where(ApiToken.user_id == user_id, ApiToken.id == token_id))
        if getattr(result, "rowcount", 0) != 1:
            raise NotFound(f"no token {token_id}")


# ---------------------------------------------------------------------------------------------- sessions


def create_login_session(session: Session, user_id: int, *, ttl: timedelta = timedelta(days=14)) -> str:
    """A browser session; returns the cookie value (only its SHA-256 is stored)."""
    value = SESSION_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with writing(session):
        _user(session, user_id)
        session.add(
            LoginSession(
                user_id=user_id,
                token_hash=hash_secret(value),
                created_at=now,
                last_seen_at=now,
                expires_at=now + ttl,
            )
        )
    return value


def verify_login_session(session: Session, value: str, *, now: datetime | None = None) -> UserPublic | None:
    """The session's user, or None if the cookie is unknown, ended or expired. Records the visit."""
    if not value.startswith(SESSION_PREFIX) or len(value) > 200:
        return None
    now = now or utcnow()
    with writing(session):
        row = session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_secret(value)))
        if row is None or row.expires_at <= now:
            return None
        row.last_seen_at = now
        user = session.get(User, row.user_id)
    return _public(user) if user is not None else None


def end_login_session(session: Session, value: str) -> None:
    with writing(session):
        session.execute(delete(LoginSession).where(LoginSession.token_hash == hash_secret(value)))
