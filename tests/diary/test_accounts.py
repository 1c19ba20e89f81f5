"""Accounts: argon2id passwords, rate limiting, API tokens, sessions, profile, deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text

from twitchcheck.diary import accounts
from twitchcheck.diary import repository as repo
from twitchcheck.diary import retriage as rt
from twitchcheck.diary.db import Database
from twitchcheck.diary.models import (
    TABLES,
    AddressAttempt,
    ApiToken,
    LoginAttempt,
    LoginSession,
    User,
    utcnow,
)
from twitchcheck.diary.schemas import ProfileUpdate, UserCreate, UserPublic, birth_years
from twitchcheck.engine.evidence import MAX_AGE

from .conftest import KB, entry, make_user

POLICY = accounts.LoginPolicy(
    free_failures=3, first_wait=timedelta(seconds=30), max_wait=timedelta(minutes=8)
)
HOME, STRANGER = "a" * 64, "b" * 64  # keyed hashes of two client addresses


def test_register_hashes_with_argon2id(session: Any) -> None:
    user = make_user(session, "  Carol.Smith ", "a long passphrase")
    assert user.username == "carol.smith"
    stored = session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2id$") and "a long passphrase" not in stored


def test_register_refuses_taken_reserved_and_bad_names(session: Any, alice: UserPublic) -> None:
    with pytest.raises(accounts.AccountError, match="taken"):
        make_user(session, "ALICE")
    with pytest.raises(accounts.AccountError, match="reserved"):
        make_user(session, accounts.LOCAL_USERNAME)
    with pytest.raises(ValidationError, match="username"):
        UserCreate(username="a b", password="long enough")
    with pytest.raises(ValidationError, match="password"):
        UserCreate(username="dave", password="short")


def test_authenticate(session: Any, alice: UserPublic) -> None:
    assert accounts.authenticate(session, "Alice", "correct horse battery").id == alice.id
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "alice", "wrong")
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "nobody", "whatever")


def _fail(session: Any, name: str, address: str, when: Any) -> None:
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, name, "wrong", address=address, policy=POLICY, now=when)


def test_failed_logins_back_off_per_address_and_username(
    session: Any, alice: UserPublic, bob: UserPublic
) -> None:
    now = utcnow()
    for i in range(POLICY.free_failures):
        _fail(session, "alice", STRANGER, now + timedelta(seconds=i))
    last = now + timedelta(seconds=POLICY.free_failures - 1)
    later = last + timedelta(seconds=10)
    with pytest.raises(accounts.LoginThrottled) as throttled:
        accounts.authenticate(
            session, "alice", "correct horse battery", address=STRANGER, policy=POLICY, now=later
        )
    assert throttled.value.retry_after == POLICY.first_wait - timedelta(seconds=10)
    # The owner, from their own address, and other usernames from the same address are not held back.
    owner = accounts.authenticate(
        session, "alice", "correct horse battery", address=HOME, policy=POLICY, now=later
    )
    assert owner.id == alice.id
    assert (
        accounts.authenticate(
            session, "bob", "correct horse battery", address=STRANGER, policy=POLICY, now=later
        ).id
        == bob.id
    )
    # After the wait the pair may try once more; each further failure doubles the wait, up to the cap.
    when = last
    for failures in range(POLICY.free_failures, POLICY.free_failures + 6):
        wait = POLICY.wait_after(failures)
        assert wait == min(POLICY.max_wait, POLICY.first_wait * 2 ** (failures - POLICY.free_failures))
        when = when + wait
        _fail(session, "alice", STRANGER, when)
        with pytest.raises(accounts.LoginThrottled):
            accounts.authenticate(
                session, "alice", "wrong", address=STRANGER, policy=POLICY, now=when + wait / 2
            )
    assert POLICY.wait_after(50) == POLICY.max_wait


def test_a_success_resets_the_failure_count(session: Any, alice: UserPublic) -> None:
    now = utcnow()
    for i in range(POLICY.free_failures - 1):
        _fail(session, "alice", HOME, now + timedelta(seconds=i))
    accounts.authenticate(
        session,
        "alice",
        "correct horse battery",
        address=HOME,
        policy=POLICY,
        now=now + timedelta(seconds=10),
    )
    _fail(session, "alice", HOME, now + timedelta(seconds=20))  # a fresh failure, not a block


def test_unknown_usernames_are_throttled_too(session: Any) -> None:
    now = utcnow()
    for _ in range(POLICY.free_failures):
        _fail(session, "ghost", STRANGER, now)
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(session, "ghost", "x", address=STRANGER, policy=POLICY, now=now)


def test_names_that_cannot_be_stored_are_wrong_not_errors(session: Any, alice: UserPublic) -> None:
    """NUL and lone surrogates cannot be in a username (nor be stored on PostgreSQL): just wrong."""
    for name in ("al\x00ice", "alice\ud800", "\x00" * 80):
        with pytest.raises(accounts.InvalidCredentials):
            accounts.authenticate(session, name, "correct horse battery", address=HOME)


def test_old_attempts_are_pruned(session: Any, alice: UserPublic) -> None:
    old = utcnow() - timedelta(days=3)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "alice", "wrong", now=old)
    accounts.authenticate(session, "alice", "correct horse battery")
    stale = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at < old + timedelta(1))
    assert session.scalar(stale) == 0


def test_the_local_profile_cannot_log_in(session: Any) -> None:
    local = accounts.get_or_create_local_user(session)
    assert accounts.get_or_create_local_user(session).id == local.id
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, accounts.LOCAL_USERNAME, "")


def test_api_tokens_store_only_a_hash(session: Any, alice: UserPublic) -> None:
    new = accounts.create_api_token(session, alice.id, "script")
    assert new.token.startswith(accounts.TOKEN_PREFIX) and len(new.token) > 40
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [accounts.hash_secret(new.token)] and new.token not in stored
    user = accounts.verify_api_token(session, new.token)
    assert user is not None and user.id == alice.id
    assert accounts.list_api_tokens(session, alice.id)[0].last_used_at is not None
    assert accounts.verify_api_token(session, new.token + "x") is None
    assert accounts.verify_api_token(session, "not-a-token") is None
    accounts.revoke_api_token(session, alice.id, new.info.id)
    assert accounts.verify_api_token(session, new.token) is None


def test_api_tokens_expire(session: Any, alice: UserPublic) -> None:
    new = accounts.create_api_token(session, alice.id, "short", expires_in=timedelta(minutes=5))
    assert accounts.verify_api_token(session, new.token) is not None
    assert accounts.verify_api_token(session, new.token, now=utcnow() + timedelta(minutes=6)) is None


def test_login_sessions(session: Any, alice: UserPublic) -> None:
    cookie = accounts.create_login_session(session, alice.id, ttl=timedelta(hours=1))
    assert session.scalars(select(LoginSession.token_hash)).all() == [accounts.hash_secret(cookie)]
    user = accounts.verify_login_session(session, cookie)
    assert user is not None and user.id == alice.id
    assert accounts.verify_login_session(session, cookie, now=utcnow() + timedelta(hours=2)) is None
    accounts.end_login_session(session, cookie)
    assert accounts.verify_login_session(session, cookie) is None


def test_change_password_ends_sessions(session: Any, alice: UserPublic) -> None:
    cookie = accounts.create_login_session(session, alice.id)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.change_password(session, alice.id, "wrong", "a new passphrase")
    accounts.change_password(session, alice.id, "correct horse battery", "a new passphrase")
    assert accounts.verify_login_session(session, cookie) is None
    assert accounts.authenticate(session, "alice", "a new passphrase").id == alice.id


def test_profile(session: Any, alice: UserPublic) -> None:
    user = accounts.update_profile(session, alice.id, ProfileUpdate(year_of_birth=1990, sex="female"))
    assert (user.year_of_birth, user.sex) == (1990, "female")
    assert user.age() == utcnow().year - 1990
    user = accounts.update_profile(session, alice.id, ProfileUpdate(sex=None))
    assert (user.year_of_birth, user.sex) == (1990, None)
    with pytest.raises(ValidationError, match="year_of_birth"):
        ProfileUpdate(year_of_birth=utcnow().year + 1)


def test_a_year_of_birth_gives_an_age_the_assessment_takes(session: Any, alice: UserPublic) -> None:
    """1892 (age 134 in 2026) was stored and then made every re-triage fail; the range is asked anew
    each time, not fixed when the server started."""
    first, last = birth_years()
    assert (first, last) == (utcnow().year - MAX_AGE, utcnow().year)
    assert birth_years(datetime(2031, 1, 1, tzinfo=UTC)) == (2031 - MAX_AGE, 2031)
    for year in (first - 1, 1892, last + 1):
        with pytest.raises(ValidationError, match="year_of_birth"):
            ProfileUpdate(year_of_birth=year)
    repo.add_entry(session, alice.id, entry(0), kb=KB)
    accounts.update_profile(session, alice.id, ProfileUpdate(year_of_birth=first))
    assert rt.retriage(session, alice.id, kb=KB).entry_count == 1


def _rows_for(db: Database, user_id: int) -> dict[str, int]:
    counts = {}
    with db.engine.connect() as conn:
        for table in TABLES:
            column = "id" if table == "users" else "user_id"
            if table in ("login_attempts", "address_attempts"):  # not linked to an account
                continue
            counts[table] = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} = :u"), {"u": user_id}
            ).scalar()
    return counts


def test_delete_account_removes_everything_in_one_step(db: Database, session: Any, alice: UserPublic,
                                                       bob: UserPublic) -> None:  # fmt: skip
    for user in (alice, bob):
        repo.add_entries(session, user.id, [entry(d, symptoms=["weakness"]) for d in range(3)], kb=KB)
        rt.retriage(session, user.id, age=40, sex="female", store="always", kb=KB)
        accounts.create_api_token(session, user.id, "t")
        accounts.create_login_session(session, user.id)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "alice", "wrong")
    assert all(n > 0 for n in _rows_for(db, alice.id).values())
    accounts.delete_account(session, alice.id)
    assert all(n == 0 for n in _rows_for(db, alice.id).values()), _rows_for(db, alice.id)
    assert (
        session.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.username == "alice"))
        == 0
    )
    assert all(n > 0 for n in _rows_for(db, bob.id).values())  # nobody else is touched
    with pytest.raises(repo.NotFound):
        accounts.delete_account(session, alice.id)


def test_cascade_is_in_the_database_not_just_the_orm(db: Database, session: Any, alice: UserPublic) -> None:
    repo.add_entry(session, alice.id, entry(0), kb=KB)
    accounts.create_api_token(session, alice.id, "t")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE id = :u"), {"u": alice.id})
    assert all(n == 0 for n in _rows_for(db, alice.id).values())


def test_address_attempts_are_limited_in_a_sliding_window(session: Any) -> None:
    start = utcnow()
    window = timedelta(minutes=10)
    for i in range(3):
        at = start + timedelta(minutes=i)
        assert accounts.note_address_attempt(session, "key-a", limit=3, window=window, now=at) is None
    five = start + timedelta(minutes=5)
    wait = accounts.note_address_attempt(session, "key-a", limit=3, window=window, now=five)
    assert wait == timedelta(minutes=5)  # until the first attempt leaves the window
    # another address is counted apart; the refused attempt was not counted
    assert accounts.note_address_attempt(session, "key-b", limit=3, window=window, now=start) is None
    later = start + timedelta(minutes=10, seconds=1)
    assert accounts.note_address_attempt(session, "key-a", limit=3, window=window, now=later) is None
    # attempts older than a day (longer than any window) are pruned as it goes
    rows = session.scalars(select(AddressAttempt.at).where(AddressAttempt.address == "key-a")).all()
    assert len(rows) == 4
    next_day = start + accounts.KEEP_COUNTS + timedelta(minutes=1, seconds=30)
    assert accounts.note_address_attempt(session, "key-b", limit=3, window=window, now=next_day) is None
    rows = session.scalars(select(AddressAttempt.at).where(AddressAttempt.address == "key-a")).all()
    assert len(rows) == 2 and min(rows) > start + timedelta(minutes=1)
    # asking without counting; windows longer than the rows are kept are refused
    assert accounts.note_address_attempt(session, "key-c", limit=1, window=window, record=False) is None
    assert accounts.note_address_attempt(session, "key-c", limit=1, window=window, record=False) is None
    with pytest.raises(ValueError):
        accounts.note_address_attempt(session, "key-c", limit=1, window=timedelta(days=2))
