from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from twitchcheck.diary import accounts
from twitchcheck.knowledge import KnowledgeBase, load_kb

# No test may touch the real per-user diary or key: everything that falls back to the data
# directory (the web app, servers started as subprocesses, the CLI) gets a throwaway one.
os.environ["TWITCHCHECK_DATA_DIR"] = tempfile.mkdtemp(prefix="twitchcheck-test-")
os.environ.pop("TWITCHCHECK_DATABASE_URL", None)

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def mini_kb() -> KnowledgeBase:
    """A tiny hand-built base (tests/data/mini_kb) whose numbers the tests can reason about."""
    return load_kb(DATA / "mini_kb")


@pytest.fixture(scope="session")
def diary_mini_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The mini base plus what a diary needs (tests/data/mini_kb_diary.yaml): body regions, the kinds of
    twitch and how far and how often it goes; to run the web app and the diary on a base of its own."""
    root = tmp_path_factory.mktemp("diary_mini_kb") / "kb"
    shutil.copytree(DATA / "mini_kb", root)
    shutil.copy(DATA / "mini_kb_diary.yaml", root / "findings" / "diary.yaml")
    return load_kb(root)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real packaged knowledge base."""
    return load_kb()


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2() -> Iterator[None]:
    """argon2id still, with small parameters so tests that hash many passwords stay fast."""
    previous = accounts.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.set_password_hasher(previous)
