"""A finding another present finding accounts for (``Finding.explained_by``) is left out of the
causes' weighing but still seen by the red flags."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from twitchcheck.engine.evidence import from_answers
from twitchcheck.engine.inference import posterior, weighed
from twitchcheck.engine.model import compile_model
from twitchcheck.knowledge import KnowledgeBase, KnowledgeError, load_kb
from twitchcheck.pipeline import assess


def test_hands_cramping_while_over_breathing_weigh_nothing(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    breathing = from_answers(kb, {"trigger_hyperventilation": "present"})
    with_claw = from_answers(kb, {"trigger_hyperventilation": "present", "tetany": "present"})
    np.testing.assert_allclose(posterior(model, with_claw), posterior(model, breathing))
    assert [o.finding for o in weighed(model, with_claw)] == ["trigger_hyperventilation"]


def test_without_over_breathing_the_claw_points_to_calcium(kb: KnowledgeBase) -> None:
    model = compile_model(kb)
    row = model.rows.index("parathyroid_disorder")
    claw = posterior(model, from_answers(kb, {"tetany": "present"}))
    both = {"tetany": "present", "trigger_hyperventilation": "present"}
    breathing = posterior(model, from_answers(kb, both))
    assert claw[row] > 3 * breathing[row]


def test_the_red_flags_still_see_an_explained_finding(kb: KnowledgeBase) -> None:
    evidence = {"tetany": "present", "trigger_hyperventilation": "present", "hx_neck_surgery": "present"}
    assert assess(evidence=evidence, kb=kb).triage.level == "emergency"


def test_a_panic_attack_with_a_claw_hand_is_not_sent_to_hospital(kb: KnowledgeBase) -> None:
    text = (
        "My son (16) had a panic attack on the bus, breathing very fast; his fingers curled up stiff and "
        "his lips went tingly. Ten minutes of slow breathing and it all passed."
    )
    assessed = assess(text, kb=kb, age=16, sex="male")
    assert assessed.triage.level in ("self_care", "routine")
    assert assessed.differential[0].condition == "benign_fasciculations"


@pytest.mark.parametrize("other", ["no_such_finding", "twitch_duration", "tetany"])
def test_explained_by_names_another_yes_no_finding(tmp_path: Path, kb: KnowledgeBase, other: str) -> None:
    root = tmp_path / "kb"
    shutil.copytree(kb.root, root)
    path = root / "findings" / "character.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    next(f for f in data["findings"] if f["id"] == "tetany")["explained_by"] = [other]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KnowledgeError, match=r"\(tetany\): field explained_by"):
        load_kb(root)
