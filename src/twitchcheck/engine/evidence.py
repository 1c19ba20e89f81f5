"""Evidence: what is known about the person, as finding -> state.

Anything not mentioned is *unknown* and is left out, so the engine marginalises
it instead of treating it as absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.loader import AGE_FINDING, SEX_FINDING

UNKNOWN = "unknown"
# The oldest age in years the engine takes; the web forms, the API and the diary profile check against it.
MAX_AGE = 130
Origin = Literal["answer", "text", "demographic"]
SEXES = ("male", "female")


class EvidenceError(ValueError):
    """Input evidence names an unknown finding, state, age or sex."""


@dataclass(frozen=True)
class Observation:
    finding: str
    state: str
    origin: Origin = "answer"
    span: str | None = None
    start: int | None = None
    end: int | None = None


def check_state(kb: KnowledgeBase, finding_id: str, state: str) -> None:
    finding = kb.findings.get(finding_id)
    if finding is None:
        raise EvidenceError(f"unknown finding id {finding_id!r}")
    if state not in finding.state_ids:
        raise EvidenceError(
            f"finding {finding_id!r} has no state {state!r}; expected one of {finding.state_ids + [UNKNOWN]}"
        )


def from_answers(kb: KnowledgeBase, answers: Mapping[str, str]) -> list[Observation]:
    """Validate structured answers; ``unknown`` answers are dropped."""
    if not isinstance(answers, Mapping):
        raise EvidenceError("evidence must map finding ids to states")
    observations = []
    for finding_id, state in answers.items():
        if not isinstance(state, str):
            raise EvidenceError(f"state for {finding_id!r} must be a string, got {type(state).__name__}")
        if state == UNKNOWN:
            if finding_id not in kb.findings:
                raise EvidenceError(f"unknown finding id {finding_id!r}")
            continue
        check_state(kb, finding_id, state)
        observations.append(Observation(finding_id, state))
    return observations


def age_state(kb: KnowledgeBase, age: float) -> str:
    if isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age <= MAX_AGE:
        raise EvidenceError(f"age must be a number of years between 0 and {MAX_AGE}, got {age!r}")
    state = kb.finding(AGE_FINDING).state_for(age)
    if state is None:
        raise EvidenceError(f"age {age!r} falls in no age band of the knowledge base")
    return state


def sex_state(sex: str) -> str:
    value = sex.strip().lower() if isinstance(sex, str) else sex
    aliases = {"m": "male", "man": "male", "f": "female", "woman": "female"}
    value = aliases.get(value, value)
    if value not in SEXES:
        raise EvidenceError(f"sex must be one of {list(SEXES)}, got {sex!r}")
    return str(value)


def merge(*layers: Iterable[Observation]) -> list[Observation]:
    """Combine layers; a later layer overrides an earlier one for the same finding."""
    merged: dict[str, Observation] = {}
    for layer in layers:
        for obs in layer:
            merged[obs.finding] = obs
    return list(merged.values())


def demographics(kb: KnowledgeBase, age: float | None, sex: str | None) -> list[Observation]:
    """Age band and sex, plus the yes/no findings the age decides (``Finding.age_below``)."""
    out = []
    if age is not None:
        out.append(Observation(AGE_FINDING, age_state(kb, age), "demographic"))
        for finding in kb.findings.values():
            if finding.age_below is not None:
                state = "present" if age < finding.age_below else "absent"
                out.append(Observation(finding.id, state, "demographic"))
    if sex is not None:
        out.append(Observation(SEX_FINDING, sex_state(sex), "demographic"))
    return out
