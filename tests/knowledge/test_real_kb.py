"""Integrity of the packaged knowledge base (the data a clinician reviews)."""

from __future__ import annotations

import re

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.check import check_kb

from ..conftest import shared_file

EXPECTED_IDS = {
    "benign_fasciculations",
    "medication_induced",
    "benign_fasciculation_syndrome",
    "cramp_fasciculation_syndrome",
    "als",
    "progressive_muscular_atrophy",
    "spinal_muscular_atrophy",
    "post_polio_syndrome",
    "kennedy_disease",
    "multifocal_motor_neuropathy",
    "isaacs_syndrome",
    "radiculopathy",
    "peripheral_neuropathy",
    "myopathy",
    "multiple_sclerosis",
    "stroke",
    "cervical_myelopathy",
    "spinal_cord_injury",
    "hereditary_spastic_paraplegia",
    "cerebral_palsy",
    "brain_tumor",
    "focal_seizure",
    "cns_infection",
    "traumatic_brain_injury",
    "adrenoleukodystrophy",
    "phenylketonuria",
    "hyperthyroidism",
    "parathyroid_disorder",
    "electrolyte_imbalance",
    "chronic_kidney_disease",
    "liver_failure",
    "nutritional_deficiency",
    "serotonin_syndrome",
}
# The fifteen added for the conditions issue (look-alikes and emergencies; not in the shared list).
ADDED_IDS = {
    "guillain_barre_syndrome",
    "cauda_equina_syndrome",
    "myasthenia_gravis",
    "tetanus",
    "cholinergic_poisoning",
    "acute_dystonic_reaction",
    "neuroleptic_malignant_syndrome",
    "rhabdomyolysis",
    "hypnic_jerks",
    "restless_legs_syndrome",
    "essential_tremor",
    "tic_disorder",
    "hemifacial_spasm",
    "blepharospasm",
    "nocturnal_leg_cramps",
}


def test_exactly_the_48_condition_ids(kb: KnowledgeBase) -> None:
    assert set(kb.conditions) == EXPECTED_IDS | ADDED_IDS
    conditions_md = shared_file("research", "conditions.md")
    if conditions_md is not None:
        listed = set(re.findall(r"^\| ([a-z_]+) \|", conditions_md.read_text(), flags=re.M)) - {"id", "level"}
        listed -= {"emergency", "urgent", "routine", "self_care"}
        assert listed == EXPECTED_IDS


def test_check_passes_and_counts_numbers(kb: KnowledgeBase) -> None:
    report = check_kb(kb)
    assert report.problems == []
    assert report.findings >= 100
    summary = report.summary()
    assert summary["numbers_published"] > 0 and summary["numbers_estimated"] > 0


def test_every_condition_has_codes_tests_and_sources(kb: KnowledgeBase) -> None:
    for condition in kb.conditions.values():
        assert condition.codes.icd10, condition.id
        assert condition.tests and condition.management and condition.seek_care, condition.id
        assert len(condition.likelihoods) >= 10, f"{condition.id} lists too few findings"


def test_findings_have_questions_and_codes(kb: KnowledgeBase) -> None:
    coded = [f for f in kb.findings.values() if f.codes.hpo or f.codes.snomed or f.codes.loinc]
    assert len(coded) >= 30
    for finding in kb.findings.values():
        if finding.category in ("exam", "test"):
            assert finding.clinician_only, finding.id
        if finding.category in ("location", "character", "symptom", "trigger", "medication"):
            assert finding.synonyms, f"{finding.id} has no synonyms for the text matcher"


def test_every_emergency_condition_has_a_red_flag_path(kb: KnowledgeBase) -> None:
    emergency_flags = [f for f in kb.red_flags if f.level == "emergency"]
    assert len(emergency_flags) >= 8
    levels = {f.level for f in kb.red_flags}
    assert levels >= {"emergency", "urgent", "routine"}
