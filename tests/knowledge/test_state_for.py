"""``Finding.state_for``: the one answer to "which state holds this number" (text, age, diary duration)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from twitchcheck.engine.evidence import age_state
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Finding

SRC = Path(__file__).resolve().parents[2] / "src" / "twitchcheck"


def graded(*states: dict[str, object]) -> Finding:
    ids = [str(s["id"]) for s in states]
    return Finding.model_validate(
        {
            "id": "test_value",
            "category": "symptom",
            "label": "A value",
            "question": "What is the value?",
            "type": "graded",
            "states": [{"label": str(s["id"]), **s} for s in states],
            "base_rate": dict.fromkeys(ids, 1 / len(ids)),
            "base_rate_provenance": {"basis": "estimate", "source": ["test"], "note": "synthetic"},
        }
    )


def test_low_bound_inclusive_high_bound_exclusive_missing_bound_open() -> None:
    finding = graded(
        {"id": "low", "high": 10.0}, {"id": "mid", "low": 10.0, "high": 20.0}, {"id": "top", "low": 20.0}
    )
    assert [finding.state_for(v) for v in (-1e9, 9.99, 10.0, 19.99, 20.0, 1e9)] == [
        "low", "low", "mid", "mid", "top", "top",
    ]  # fmt: skip


def test_a_state_without_bounds_holds_no_number() -> None:
    finding = graded({"id": "none"}, {"id": "some", "low": 1.0, "high": 5.0})
    assert finding.state_for(0.5) is None
    assert finding.state_for(2.0) == "some"


def test_binary_findings_hold_no_number(kb: KnowledgeBase) -> None:
    assert kb.findings["weakness"].state_for(1.0) is None


def test_age_and_diary_duration_use_it(kb: KnowledgeBase) -> None:
    from twitchcheck.diary.pattern_evidence import duration_state

    for age in (0, 17.9, 18, 39.5, 40, 59, 60, 130):
        assert age_state(kb, age) == kb.findings["age_band"].state_for(age)
    for days in (0, 13.9, 14, 89, 90, 364, 365, 5000):
        assert duration_state(kb, days) == kb.findings["twitch_duration"].state_for(days)


@pytest.mark.parametrize("layer", ["knowledge", "engine", "text", "diary", "web"])
def test_no_other_code_walks_state_bounds(layer: str) -> None:
    """Only ``Finding.state_for`` compares a number with a state's ``low`` and ``high``."""
    for path in (SRC / layer).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name != "state_for":
                reads = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
                assert not {"low", "high"} <= reads, f"{path.name}: {node.name} reads state bounds"
