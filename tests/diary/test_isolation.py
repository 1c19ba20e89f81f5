"""Each user sees only their own data: someone else's entry id behaves like one that does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from twitchcheck.diary import accounts, exports
from twitchcheck.diary import repository as repo
from twitchcheck.diary import retriage as rt
from twitchcheck.diary.models import Entry
from twitchcheck.diary.schemas import EntryUpdate, UserPublic

from .conftest import KB, entry


@pytest.fixture
def alices_entry(session: Any, alice: UserPublic) -> int:
    return repo.add_entry(session, alice.id, entry(0, count=5, symptoms=["weakness"]), kb=KB).id


def test_bob_cannot_read_alices_entry(
    session: Any, alice: UserPublic, bob: UserPublic, alices_entry: int
) -> None:
    with pytest.raises(repo.NotFound) as exc:
        repo.get_entry(session, bob.id, alices_entry)
    missing = 10**9
    with pytest.raises(repo.NotFound) as exc_missing:
        repo.get_entry(session, bob.id, missing)
    assert str(exc.value).replace(str(alices_entry), "N") == str(exc_missing.value).replace(str(missing), "N")
    assert repo.list_entries(session, bob.id) == []
    assert repo.count_entries(session, bob.id) == 0
    assert repo.load_series(session, bob.id).n == 0


def test_bob_cannot_update_alices_entry(
    session: Any, alice: UserPublic, bob: UserPublic, alices_entry: int
) -> None:
    with pytest.raises(repo.NotFound):
        repo.update_entry(session, bob.id, alices_entry, EntryUpdate(intensity=9), kb=KB)
    assert repo.get_entry(session, alice.id, alices_entry).intensity is None


def test_bob_cannot_delete_alices_entry(
    session: Any, alice: UserPublic, bob: UserPublic, alices_entry: int
) -> None:
    with pytest.raises(repo.NotFound):
        repo.delete_entry(session, bob.id, alices_entry)
    assert repo.get_entry(session, alice.id, alices_entry).id == alices_entry
    assert session.scalar(select(func.count()).select_from(Entry)) == 1


def test_patterns_retriage_and_exports_are_per_user(
    session: Any, alice: UserPublic, bob: UserPublic, alices_entry: int
) -> None:
    repo.add_entry(session, bob.id, entry(1, regions=["loc_eyelid"]), kb=KB)
    bob_result = rt.retriage(session, bob.id, age=30, sex="male", kb=KB)
    assert "weakness" not in bob_result.evidence and "loc_calf" not in bob_result.evidence
    assert bob_result.entry_count == 1
    assert rt.retriage_history(session, alice.id) == []
    data = exports.export_data(session, bob.id, KB)
    assert [e["regions"] for e in data["entries"]] == [["loc_eyelid"]]
    assert data["user"]["username"] == "bob"
    assert "alice" not in exports.export_json(session, bob.id, KB)


def test_tokens_are_per_user(session: Any, alice: UserPublic, bob: UserPublic) -> None:
    token = accounts.create_api_token(session, alice.id, "phone")
    with pytest.raises(repo.NotFound):
        accounts.revoke_api_token(session, bob.id, token.info.id)
    assert accounts.list_api_tokens(session, bob.id) == []
    verified = accounts.verify_api_token(session, token.token)
    assert verified is not None and verified.id == alice.id
