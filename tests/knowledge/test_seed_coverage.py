"""Everything the seed article names is represented in the knowledge base (its facts, not its sentences)."""

from __future__ import annotations

import json

import pytest

from twitchcheck.knowledge import KnowledgeBase

TRIGGERS = [
    "drug_diuretic",
    "drug_corticosteroid",
    "trigger_cold",
    "trigger_hyperventilation",
    "trigger_exercise",
    "trigger_stress",
    "trigger_sleep_loss",
    "trigger_caffeine",
    "trigger_alcohol",
]
ALS_EARLY_SIGNS = [
    "weakness",
    "muscle_wasting",
    "cramps",
    "fatigue",
    "poor_balance",
    "slurred_speech",
    "weak_grip",
    "tripping",
    "loc_tongue",
    "stiffness",
    "dysphagia",
    "fasciculations",
]
SPASTICITY_CAUSES = [
    "adrenoleukodystrophy",
    "als",
    "traumatic_brain_injury",
    "cerebral_palsy",
    "cns_infection",
    "phenylketonuria",
    "spinal_cord_injury",
    "stroke",
    "multiple_sclerosis",
]
CLONUS_CAUSES = [
    "als",
    "brain_tumor",
    "cerebral_palsy",
    "hereditary_spastic_paraplegia",
    "cns_infection",
    "chronic_kidney_disease",
    "liver_failure",
    "traumatic_brain_injury",
    "spinal_cord_injury",
    "stroke",
    "multiple_sclerosis",
]
PHRASES = [
    "blood test",
    "mri",
    "ct",
    "emg",
    "botulinum",
    "benzodiazepine",
    "muscle relaxant",
    "neuromuscular block",
    "split hand",
    "sleep",
    "caffeine",
    "relax",
    "nutritious",
]


def _raised(kb: KnowledgeBase, condition: str, finding: str) -> bool:
    entry = kb.likelihood(condition, finding)
    base = kb.findings[finding].base_rate
    if entry is None:
        return False
    if entry.p is not None:
        return isinstance(base, float) and entry.p > base
    assert entry.states is not None and isinstance(base, dict)
    abnormal = [s for s in entry.states if s not in ("none", "normal")]
    return sum(entry.states[s] for s in abnormal) > sum(base[s] for s in abnormal)


@pytest.mark.parametrize("finding", TRIGGERS)
def test_benign_triggers_raise_benign_or_drug_causes(kb: KnowledgeBase, finding: str) -> None:
    assert _raised(kb, "benign_fasciculations", finding) or _raised(kb, "medication_induced", finding)


@pytest.mark.parametrize("finding", ALS_EARLY_SIGNS)
def test_als_early_signs(kb: KnowledgeBase, finding: str) -> None:
    assert _raised(kb, "als", finding)


@pytest.mark.parametrize("condition", SPASTICITY_CAUSES)
def test_spasticity_causes(kb: KnowledgeBase, condition: str) -> None:
    assert _raised(kb, condition, "spasticity") or _raised(kb, condition, "stiffness")


@pytest.mark.parametrize("condition", CLONUS_CAUSES)
def test_clonus_causes(kb: KnowledgeBase, condition: str) -> None:
    assert _raised(kb, condition, "clonus_beats") or _raised(kb, condition, "rhythmic_jerking")


def test_clinician_questions_cover_onset_location_frequency_duration_other(kb: KnowledgeBase) -> None:
    text = " ".join(kb.policy.clinician_questions).lower()
    for word in ("start", "where", "often", "how long", "other"):
        assert word in text


@pytest.mark.parametrize("phrase", PHRASES)
def test_seed_facts_appear_somewhere(kb: KnowledgeBase, phrase: str) -> None:
    blob = json.dumps([c.model_dump() for c in kb.conditions.values()]).lower()
    assert phrase in blob
