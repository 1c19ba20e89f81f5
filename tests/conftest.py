from __future__ import annotations

from pathlib import Path

import pytest

from twitchcheck.knowledge import KnowledgeBase, load_kb

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def mini_kb() -> KnowledgeBase:
    """A tiny hand-built base (tests/data/mini_kb) whose numbers the tests can reason about."""
    return load_kb(DATA / "mini_kb")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real packaged knowledge base."""
    return load_kb()
