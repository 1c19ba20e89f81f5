"""The free note goes through the real text reader (twitchcheck.text.extract) by default."""

from __future__ import annotations

from typing import Any

from twitchcheck.diary import repository as repo
from twitchcheck.diary import retriage as rt
from twitchcheck.diary.schemas import UserPublic

from .conftest import KB, entry


def test_the_default_reader_adds_findings_with_exact_spans(session: Any, alice: UserPublic) -> None:
    note = "My left calf keeps twitching and my hand feels weak. No trouble swallowing."
    new = entry(0, regions=[], note=note, medications="started salbutamol")
    saved = repo.add_entry(session, alice.id, new, kb=KB)
    found = {(f.finding, f.state) for f in saved.note_findings}
    assert ("loc_calf", "present") in found and ("weakness", "present") in found
    assert ("dysphagia", "absent") in found
    for f in saved.note_findings:
        text = saved.note if f.field == "note" else saved.medications
        assert text is not None and text[f.start : f.end] == f.span
    assert any(f.field == "medications" and f.finding == "drug_beta_agonist" for f in saved.note_findings)
    result = rt.retriage(session, alice.id, age=30, sex="male", kb=KB)
    assert result.evidence["weakness"] == "present" and result.evidence["loc_calf"] == "present"
    assert result.evidence["drug_beta_agonist"] == "present" and result.evidence["dysphagia"] == "absent"
    assert "written" in result.evidence_reasons["weakness"]
