"""A broken knowledge base fails to load with a message naming the file and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from twitchcheck.knowledge import KnowledgeError, load_kb
from twitchcheck.knowledge.loader import DATA_DIR

Edit = Callable[[dict], None]  # type: ignore[type-arg]


def _broken(tmp_path: Path, name: str, edit: Edit) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(DATA_DIR, root)
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return root


def _items(data: dict) -> list[dict]:  # type: ignore[type-arg]
    items: list[dict] = data["opening_checklist"]["items"]  # type: ignore[type-arg]
    return items


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: _items(d).append({"finding": "wobbly_knees", "label": "Wobbly knees"}),
            "interview.yaml: field opening_checklist.items[24].finding: unknown finding id 'wobbly_knees'",
        ),
        (
            lambda d: _items(d).append({"finding": "reflexes", "label": "Brisk reflexes"}),
            "opening_checklist.items[24].finding: 'reflexes' must be a yes/no finding a person can report",
        ),
        (
            lambda d: _items(d).append(dict(_items(d)[0])),
            "opening_checklist.items[24].finding: 'fasciculations' is listed twice",
        ),
        (
            lambda d: d["opening_checklist"]["warning_signs"].append({"finding": "fever", "label": "Hot"}),
            "opening_checklist.warning_signs[12].finding: 'fever' is listed twice",
        ),
        (
            lambda d: d["opening_checklist"].update(id="weakness"),
            "opening_checklist.id: 'weakness' is a finding id",
        ),
        (
            lambda d: d["opening_checklist"].pop("question"),
            "interview.yaml: field opening_checklist.question: Field required",
        ),
    ],
)
def test_broken_checklist_names_file_and_field(tmp_path: Path, edit: Edit, message: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "interview.yaml", edit))
    assert message in str(caught.value)


def test_broken_condition_names_file_and_field(tmp_path: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        data["likelihoods"]["wobbly_knees"] = {
            "p": 0.5,
            "basis": "estimate",
            "source": ["nhs_twitching"],
            "note": "a test",
        }

    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "conditions/als.yaml", edit))
    assert "conditions/als.yaml: field likelihoods.wobbly_knees: unknown finding id 'wobbly_knees'" in str(
        caught.value
    )


def test_the_packaged_checklist_loads(tmp_path: Path) -> None:
    kb = load_kb(_broken(tmp_path, "interview.yaml", lambda d: None))
    assert kb.checklist is not None and len(kb.checklist.all_items) == 36


@pytest.mark.parametrize("premise", ["wobbly_knees", "twitch_duration", "weakness_progressive"])
def test_a_premise_must_be_another_yes_no_finding(tmp_path: Path, premise: str) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        finding = next(f for f in data["findings"] if f["id"] == "weakness_progressive")
        finding["premise"] = premise

    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "findings/symptoms.yaml", edit))
    assert f"(weakness_progressive): field premise: {premise!r} must be another yes/no finding" in str(
        caught.value
    )
