from __future__ import annotations

import pytest

from twitchcheck.text import Extraction, extract

from .kb_double import MiniKB, build_mini_kb


@pytest.fixture(scope="session")
def tiny_kb() -> MiniKB:
    return build_mini_kb()


@pytest.fixture(scope="session")
def read(tiny_kb: MiniKB):  # type: ignore[no-untyped-def]
    """``read(text)`` -> {finding: state} against the tiny knowledge base."""

    def _read(text: str) -> dict[str, str]:
        return extract(text, tiny_kb).as_evidence()

    return _read


@pytest.fixture(scope="session")
def extraction(tiny_kb: MiniKB):  # type: ignore[no-untyped-def]
    def _extract(text: str) -> Extraction:
        return extract(text, tiny_kb)

    return _extract
