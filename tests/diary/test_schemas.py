"""Entry validation: ids of the knowledge base it is given only, and errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from twitchcheck.diary.schemas import (
    KIND_FINDINGS,
    EntryCreate,
    EntryPublic,
    EntryUpdate,
    build_vocabulary,
    format_errors,
    new_entry,
    vocabulary,
)
from twitchcheck.knowledge import KnowledgeBase

from .conftest import KB

NOW = datetime(2026, 2, 1, 8, tzinfo=UTC)


def errors(**fields: Any) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        new_entry(KB, {"occurred_at": NOW, **fields})
    return format_errors(exc.value)


def test_vocabulary_comes_from_the_knowledge_base(kb: KnowledgeBase) -> None:
    vocab = build_vocabulary(kb)
    assert vocab.regions and all(
        r.startswith("loc_") and kb.findings[r].category == "location" for r in vocab.regions
    )
    assert {"weakness", "cramps", "slurred_speech", "dysphagia"} <= set(vocab.symptoms)
    assert all(kb.findings[s].category in ("symptom", "character") for s in vocab.symptoms)
    assert all(f is None or f in kb.findings for f in KIND_FINDINGS.values())
    assert set(KIND_FINDINGS) == set(EntryCreate.model_fields["kind"].annotation.__args__)  # type: ignore[union-attr]


def test_a_minimal_entry() -> None:
    e = EntryCreate.model_validate({"when": "2026-02-01T08:00:00+01:00"})
    assert e.kind == "fasciculation" and e.regions == [] and e.occurred_at.utcoffset() == timedelta(hours=1)


def test_regions_accept_short_names_and_deduplicate() -> None:
    e = new_entry(KB, {"occurred_at": NOW, "regions": ["Calf", "loc_calf", "eyelid"]})
    assert e.regions == ["loc_calf", "loc_eyelid"]


def test_ids_are_those_of_the_knowledge_base_given(diary_mini_kb: KnowledgeBase) -> None:
    """An app or a command checks entries against its own base, never a default one."""
    data = {"occurred_at": NOW, "regions": ["eyelid"], "symptoms": ["dysphagia"]}
    assert new_entry(KB, data).regions == ["loc_eyelid"]
    with pytest.raises(ValidationError) as exc:
        new_entry(diary_mini_kb, data)  # the mini base has neither
    assert [e["loc"] for e in exc.value.errors()] == [("regions", 0), ("symptoms", 0)]
    assert new_entry(diary_mini_kb, {"occurred_at": NOW, "regions": ["hand"]}).regions == ["loc_hand"]
    with pytest.raises(TypeError, match="knowledge base"):
        EntryCreate.model_validate({"occurred_at": NOW, "regions": ["loc_calf"]})  # which base? a bug
    stored = {"id": 1, "occurred_at": NOW, "regions": ["loc_gone"], "created_at": NOW, "updated_at": NOW}
    assert EntryPublic.model_validate(stored).regions == ["loc_gone"]  # stored rows are taken as they are


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"regions": ["knee"]}, "regions", "not a body region"),
        ({"symptoms": ["sneezing"]}, "symptoms", "not a symptom"),
        ({"intensity": 11}, "intensity", "less than or equal to 10"),
        ({"stress": -1}, "stress", "greater than or equal to 0"),
        ({"sleep_hours": 30}, "sleep_hours", "24"),
        ({"kind": "sneeze"}, "kind", "fasciculation"),
        ({"count": "many"}, "count", "integer"),
        ({"colour": "red"}, "colour", "Extra inputs"),
        ({"note": "x" * 6000}, "note", "5000"),
    ],
)
def test_errors_name_the_field(fields: dict[str, Any], field: str, words: str) -> None:
    lines = errors(**fields)
    assert any(line.startswith(f"{field}") and words in line for line in lines), lines


def test_time_must_carry_a_zone_and_be_plausible() -> None:
    assert any(
        line.startswith("occurred_at") and "timezone" in line
        for line in errors(occurred_at="2026-02-01T08:00")
    )
    future = datetime.now(UTC) + timedelta(days=3)
    assert any("future" in line for line in errors(occurred_at=future))
    assert any("1900" in line for line in errors(occurred_at=datetime(1850, 1, 1, tzinfo=UTC)))
    with pytest.raises(ValidationError):
        EntryCreate.model_validate({})


def test_exercise_minutes_and_flag_agree() -> None:
    assert EntryCreate(occurred_at=NOW, exercise_minutes=0).exercised is False
    assert EntryCreate(occurred_at=NOW, exercise_minutes=20).exercised is True
    assert EntryCreate(occurred_at=NOW, exercised=True).exercise_minutes is None
    assert any("exercised" in line for line in errors(exercise_minutes=20, exercised=False))


def test_blank_text_is_no_text() -> None:
    e = EntryCreate(occurred_at=NOW, note="   ", medications="")  # no ids: no base needed
    assert e.note is None and e.medications is None


def test_update_knows_which_fields_were_given() -> None:
    patch = EntryUpdate.model_validate({"intensity": None, "note": "better"})
    assert patch.changes() == {"intensity": None, "note": "better"}
    with pytest.raises(ValidationError, match="colour"):
        EntryUpdate.model_validate({"colour": "red"})


def test_vocabulary_is_cached_per_knowledge_base(kb: KnowledgeBase) -> None:
    assert vocabulary(kb) is vocabulary(kb)
