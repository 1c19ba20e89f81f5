"""Plain words shared by every view (terminal, web, reports), so they never disagree.

Lay mode (the default everywhere) shows plain words only: lay labels for findings, plain state words, no
codes and no guideline numbers; clinician mode (the web's switch, ``--clinician`` in the CLI, the PDF
report) shows the clinical labels and the engine's sentences as they are.
"""

from __future__ import annotations

import re
from typing import Literal

from twitchcheck.knowledge import KnowledgeBase

ViewMode = Literal["lay", "clinician"]

LEVEL_TITLES = {
    "emergency": "Emergency: get help now",
    "urgent": "Urgent: see a doctor within 1-3 days",
    "routine": "Routine: book a doctor's appointment",
    "self_care": "Self-care: manage at home",
}
LEVEL_NEEDS = {
    "emergency": "emergency help",
    "urgent": "a doctor within 1-3 days",
    "routine": "a doctor's appointment",
    "self care": "no doctor",
    "self_care": "no doctor",
}
MASS_REASON = re.compile(
    r"^Causes that need at least '(?P<level>[a-z_ ]+)' care together have a (?P<mass>\d+)% probability "
    r"\(threshold (?P<threshold>\d+)%\): (?P<names>.*)\.$"
)
# Guideline numbers (NICE NG127, CG176, QS...) are for clinicians; lay text says "NICE guidance".
_GUIDELINE_IN_BRACKETS = re.compile(
    r"\s*\((?:NICE\s+)?(?:NG|CG|QS)\d+(?:\s*[/,;]\s*(?:NICE\s+)?(?:NG|CG|QS)?\d+)*\)"
)
_NICE_GUIDELINE = re.compile(
    r"\bNICE\s+(?:guideline\s+|clinical guideline\s+)?(?:NG|CG|QS)\d+(?:/(?:NG|CG|QS)?\d+)*"
)
_GUIDELINE = re.compile(r"\b(?:NICE\s+)?(?:guideline\s+)?(?:NG|CG|QS)\d+(?:/(?:NG|CG|QS)?\d+)*\b")


def likelihood_words(p: float) -> str:
    """Plain words for a probability, so numbers are never the only message."""
    if p >= 0.6:
        return "likely"
    if p >= 0.3:
        return "possible"
    if p >= 0.1:
        return "less likely"
    if p >= 0.02:
        return "unlikely"
    return "very unlikely"


def lay_text(text: str) -> str:
    """``text`` without guideline numbers: '(NICE NG12)' goes; 'NICE NG42 advises' says 'NICE guidance'."""
    text = _GUIDELINE_IN_BRACKETS.sub("", text)
    text = _NICE_GUIDELINE.sub("NICE guidance", text)
    return _GUIDELINE.sub("NICE guidance", text)


def state_words(kb: KnowledgeBase, finding_id: str, state: str) -> str:
    """'yes' / 'no' for yes-no findings, the state's plain label for graded ones."""
    if state == "present":
        return "yes"
    if state == "absent":
        return "no"
    if state == "unknown":
        return "don't know"
    finding = kb.findings.get(finding_id)
    if finding is not None:
        for s in finding.states:
            if s.id == state:
                return s.lay_label or s.label
    return state.replace("_", " ")


def clinical_state(kb: KnowledgeBase, finding_id: str, state: str) -> str:
    """The state as a clinician reads it: 'present' / 'absent', or the graded state's clinical label."""
    finding = kb.findings.get(finding_id)
    if finding is not None:
        for s in finding.states:
            if s.id == state:
                return s.label
    return state.replace("_", " ")


def finding_label(kb: KnowledgeBase, finding_id: str, mode: ViewMode) -> str:
    """Plain words in lay mode; the clinician label in clinician mode."""
    if mode == "clinician" and finding_id in kb.findings:
        return kb.findings[finding_id].label
    return kb.lay_label(finding_id)


def percent(p: float) -> str:
    """Whole percentages, without ever rounding to a false 0% or 100%."""
    if p < 0.005:
        return "under 1%"
    if p > 0.995:
        return "over 99%"
    return f"{p:.0%}"


def natural_frequency(p: float) -> str:
    """The same chance as a count of people: 'about 2 in 100', 'about 4 in 1,000'."""
    if p > 0.995:
        return "more than 99 in 100"
    for denominator in (100, 1_000, 10_000):
        n = round(p * denominator)
        if n >= 1:
            return f"about {n} in {denominator:,}"
    return "fewer than 1 in 10,000"


def reason_words(reason: str, mode: ViewMode) -> str:
    """A triage reason for the reader: as the engine says it for clinicians; in plain words otherwise (the
    posterior-mass sentence says what it means for the person, guideline numbers go)."""
    if mode == "clinician":
        return reason
    found = MASS_REASON.match(reason)
    if found is None:
        return lay_text(reason)
    mass = int(found["mass"]) / 100
    needs = LEVEL_NEEDS.get(found["level"], found["level"])
    return (
        f"The causes that would need {needs} add up to a {found['mass']}% chance "
        f"({natural_frequency(mass)} people with this story): {found['names']}. "
        f"We advise this once that chance reaches {found['threshold']}%."
    )
