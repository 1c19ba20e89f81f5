from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Generator, Iterator
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
# A test using one of these fixtures drives a real Chromium: it is marked `browser` (not in `make check`).
BROWSER_FIXTURES = frozenset({"browser", "page", "phone"})


def in_ci() -> bool:
    """True when the CI environment variable is set (as CI services do): what would be skipped on a
    developer's machine for want of a tool or a file fails there instead."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def shared_file(*parts: str) -> Path | None:
    """A file of the shared folder next to the repository (``../shared``), or None when it is missing.

    Missing fails the test when TWITCHCHECK_REQUIRE_SHARED is set (a run that must cover the shared
    vignettes); elsewhere, CI included (its clean clone need not sit beside the shared folder), it is a
    visible warning, never a silent drop-out. The safety-floor tests still run on this repository's own
    vignettes either way."""
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    message = f"{path} is missing (the shared folder is expected next to the repository)"
    if os.environ.get("TWITCHCHECK_REQUIRE_SHARED", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(message + "; TWITCHCHECK_REQUIRE_SHARED asks for every shared file")
    warnings.warn(message + "; the tests that read it ran without it", stacklevel=2)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test marked ``never_skip`` that skips (however: pytest.skip, importorskip, a fixture) fails."""
    report: pytest.TestReport = yield
    if report.skipped and item.get_closest_marker("never_skip") is not None:
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} is marked never_skip but was skipped: {report.longrepr}"
    return report


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
