"""A broken knowledge base fails to load with a message naming the file and the field.

Each case breaks a copy of the small test base (tests/data/mini_kb, with the opening checklist below
written next to it), not of the packaged base: the same loader checks, at a fraction of the cost.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from twitchcheck.knowledge import KnowledgeBase, KnowledgeError, load_kb

from ..conftest import DATA

Edit = Callable[[dict[str, Any]], None]
MINI = DATA / "mini_kb"
# An opening checklist for the small base (which has none of its own, so the engine tests see none).
CHECKLIST: dict[str, Any] = {
    "opening_checklist": {
        "id": "main_symptoms",
        "question": "Which of these are you noticing?",
        "clinician_question": "Which of these does the patient have?",
        "items": [
            {"finding": "fasciculations", "label": "Small twitches under the skin"},
            {"finding": "weakness", "label": "Weakness"},
            {"finding": "trigger_caffeine", "label": "A lot of coffee"},
        ],
        "warning_signs_heading": "Also tick any of these you have now",
        "warning_signs": [
            {"finding": "fever", "label": "Fever"},
            {"finding": "stiff_neck", "label": "A stiff neck"},
        ],
    }
}


def _broken(tmp_path: Path, name: str, edit: Edit) -> Path:
    """A copy of the small base with the checklist above, whose file ``name`` was changed by ``edit``."""
    root = tmp_path / "kb"
    shutil.copytree(MINI, root)
    (root / "interview.yaml").write_text(yaml.safe_dump(CHECKLIST), encoding="utf-8")
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return root


def _items(data: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = data["opening_checklist"]["items"]
    return items


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: _items(d).append({"finding": "wobbly_knees", "label": "Wobbly knees"}),
            "interview.yaml: field opening_checklist.items[3].finding: unknown finding id 'wobbly_knees'",
        ),
        (
            lambda d: _items(d).append({"finding": "twitch_duration", "label": "How long"}),
            "items[3].finding: 'twitch_duration' must be a yes/no finding a person can report",
        ),
        (
            lambda d: _items(d).append(dict(_items(d)[0])),
            "opening_checklist.items[3].finding: 'fasciculations' is listed twice",
        ),
        (
            lambda d: d["opening_checklist"]["warning_signs"].append({"finding": "fever", "label": "Hot"}),
            "opening_checklist.warning_signs[2].finding: 'fever' is listed twice",
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
    ids=["unknown", "not-yes-no", "item-twice", "warning-twice", "id-is-a-finding", "no-question"],
)
def test_broken_checklist_names_file_and_field(tmp_path: Path, edit: Edit, message: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "interview.yaml", edit))
    assert message in str(caught.value)


def test_broken_condition_names_file_and_field(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["likelihoods"]["wobbly_knees"] = {
            "p": 0.5,
            "basis": "estimate",
            "source": ["test_source"],
            "note": "a test",
        }

    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "conditions/motor_neuron.yaml", edit))
    assert (
        "conditions/motor_neuron.yaml: field likelihoods.wobbly_knees: unknown finding id 'wobbly_knees'"
        in str(caught.value)
    )


def test_the_unbroken_copy_loads(tmp_path: Path) -> None:
    """The copy itself is sound, so each error above comes from its edit alone."""
    kb = load_kb(_broken(tmp_path, "interview.yaml", lambda d: None))
    assert kb.checklist is not None and len(kb.checklist.all_items) == 5
    assert set(kb.conditions) == {"benign", "meningitis", "motor_neuron"}


def test_the_packaged_checklist_loads(kb: KnowledgeBase) -> None:
    assert kb.checklist is not None and len(kb.checklist.all_items) == 36


@pytest.mark.parametrize("premise", ["wobbly_knees", "twitch_duration", "weakness"])
def test_a_premise_must_be_another_yes_no_finding(tmp_path: Path, premise: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        finding = next(f for f in data["findings"] if f["id"] == "weakness")
        finding["premise"] = premise

    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "findings/all.yaml", edit))
    assert f"(weakness): field premise: {premise!r} must be another yes/no finding" in str(caught.value)


@pytest.mark.parametrize("field", ["only_with", "parts_from"])
def test_a_frame_names_only_known_findings(tmp_path: Path, field: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        finding = next(f for f in data["findings"] if f["id"] == "weakness")
        finding["frames"] = [{"parts": ["session"], "changes": ["missed"], field: ["wobbly_knees"]}]

    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "findings/all.yaml", edit))
    assert f"(weakness): frames[0].{field}: unknown finding 'wobbly_knees'" in str(caught.value)


def test_a_yes_no_premise_loads(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        next(f for f in data["findings"] if f["id"] == "stiff_neck")["premise"] = "fever"

    kb = load_kb(_broken(tmp_path, "findings/all.yaml", edit))
    assert kb.findings["stiff_neck"].premise == "fever"


def test_a_finding_is_never_more_likely_than_its_premise(tmp_path: Path) -> None:
    """Weakness asked only after twitching: motor neurone disease has weakness 0.95 but twitching 0.7."""

    def edit(data: dict[str, Any]) -> None:
        next(f for f in data["findings"] if f["id"] == "weakness")["premise"] = "fasciculations"

    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "findings/all.yaml", edit))
    expected = "conditions/motor_neuron.yaml: P(weakness) = 0.95 exceeds P(fasciculations) = 0.7"
    assert expected in str(caught.value)


def test_a_left_out_entry_counts_at_its_base_rate_against_the_premise(tmp_path: Path) -> None:
    """The benign cause has no stiff-neck or fever entry, so both fall back to their base rates."""

    def edit(data: dict[str, Any]) -> None:
        next(f for f in data["findings"] if f["id"] == "stiff_neck")["premise"] = "fever"
        next(f for f in data["findings"] if f["id"] == "stiff_neck")["base_rate"] = 0.05

    with pytest.raises(KnowledgeError) as caught:
        load_kb(_broken(tmp_path, "findings/all.yaml", edit))
    assert "conditions/benign.yaml: P(stiff_neck) = 0.05 exceeds P(fever) = 0.02" in str(caught.value)


def test_the_twitch_types_guide_is_data_whose_sources_must_exist(tmp_path: Path, kb: KnowledgeBase) -> None:
    """The guide page's content lives in guide.yaml; a row citing an unknown source names file and row."""
    assert kb.guide is not None and {t.id for t in kb.guide.twitch_types} >= {"fasciculation", "tetany"}
    root = tmp_path / "kb"
    shutil.copytree(MINI, root)
    source = next(iter(load_kb(MINI).sources))
    row = {
        "id": "cramp",
        "name": "Cramp",
        "looks_like": "The muscle goes hard.",
        "moves_joint": "No",
        "painful": "Yes",
        "usually": "Common and mostly harmless.",
        "sources": [source],
    }
    (root / "guide.yaml").write_text(yaml.safe_dump({"twitch_types": [row]}), encoding="utf-8")
    assert load_kb(root).guide is not None
    row["sources"] = ["no_such_source"]
    (root / "guide.yaml").write_text(yaml.safe_dump({"twitch_types": [row]}), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"guide\.yaml: twitch_types\[0\] \(cramp\)\.sources"):
        load_kb(root)
