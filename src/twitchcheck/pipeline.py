"""Public entry points: text and/or answers -> evidence -> engine -> Assessment, at once or by interview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from twitchcheck.engine import evidence as ev
from twitchcheck.engine import interview
from twitchcheck.engine.assessment import (
    Assessment,
    assess_observations,
    possible_red_flags,
    possible_red_flags_each,
)
from twitchcheck.engine.interview import InterviewState
from twitchcheck.engine.model import compile_model
from twitchcheck.engine.triage import warning_findings
from twitchcheck.knowledge import KnowledgeBase, load_kb
from twitchcheck.knowledge.schema import ChecklistItem, Finding

if TYPE_CHECKING:
    from twitchcheck.text import Extraction, Mention

MAX_TEXT_CHARS = 20_000


def observations_from_text(
    kb: KnowledgeBase, text: str, reference: datetime | None = None
) -> tuple[list[ev.Observation], float | None, str | None]:
    extraction = _read(kb, text, reference)
    return _observations(extraction.mentions), extraction.age, extraction.sex


def _read(
    kb: KnowledgeBase, text: str, reference: datetime | None, readers: frozenset[str] | None = None
) -> Extraction:
    from twitchcheck.text import extract

    if readers is None:
        return extract(text, kb, reference=reference)
    return extract(text, kb, reference=reference, readers=readers)


def _observations(mentions: Sequence[Mention]) -> list[ev.Observation]:
    return [ev.Observation(m.finding, m.state, "text", m.span, m.start, m.end) for m in mentions]


def gather(
    kb: KnowledgeBase,
    text: str | None = None,
    evidence: Mapping[str, str] | None = None,
    age: float | None = None,
    sex: str | None = None,
    reference: datetime | None = None,
) -> list[ev.Observation]:
    """Merge text, explicit answers and demographics; explicit input beats what the text implied."""
    return _gather(kb, text, evidence, age, sex, reference).observations


@dataclass(frozen=True)
class _Gathered:
    observations: list[ev.Observation]
    possible: list[ev.Observation]
    foreign: bool = False  # the text is in another language (read as not understood)
    alarm: str | None = None  # an emergency word in that language ("convulsión")


def _gather(
    kb: KnowledgeBase,
    text: str | None,
    evidence: Mapping[str, str] | None,
    age: float | None,
    sex: str | None,
    reference: datetime | None,
    readers: frozenset[str] | None = None,
) -> _Gathered:
    """The evidence and, from the same reading, the findings the text said with doubt."""
    text_obs: list[ev.Observation] = []
    possible: list[ev.Observation] = []
    learned: list[ev.Observation] = []
    foreign = False
    alarm: str | None = None
    if text is not None:
        if not isinstance(text, str):
            raise ev.EvidenceError("text must be a string")
        if len(text) > MAX_TEXT_CHARS:
            raise ev.EvidenceError(f"text is too long ({len(text)} characters; at most {MAX_TEXT_CHARS})")
        if text.strip():
            extraction = _read(kb, text, reference, readers)
            foreign = extraction.language is not None or extraction.alarm is not None
            alarm = extraction.alarm
            # A warning sign only the learned reader saw is the readers disagreeing: asked, not evidence.
            warning = warning_findings(kb)
            disputed = [
                m
                for m in extraction.mentions
                if m.source == "learned" and m.state == "present" and m.finding in warning
            ]
            agreed = [m for m in extraction.mentions if m not in disputed]
            text_obs = _observations(agreed)
            possible = _observations([m for m in extraction.possible if m.source != "learned"])
            learned = _observations([*[m for m in extraction.possible if m.source == "learned"], *disputed])
            age = age if age is not None else extraction.age
            sex = sex if sex is not None else extraction.sex
    answers = ev.from_answers(kb, evidence or {})
    if evidence and text_obs:
        # An explicit "unknown" withdraws what the text implied (a person correcting a misreading).
        withdrawn = {f for f, s in evidence.items() if s == ev.UNKNOWN}
        text_obs = [o for o in text_obs if o.finding not in withdrawn]
    merged = ev.merge(text_obs, answers, ev.demographics(kb, age, sex))
    if learned:
        # The learned reader's doubtful or disputed signs are asked only where they would make an
        # emergency: its guesses at urgent-only signs cost more false alarms than they catch.
        each = possible_red_flags_each(compile_model(kb), merged, learned)
        possible += [
            p for p, flags in zip(learned, each, strict=True) if any(f.level == "emergency" for f in flags)
        ]
    return _Gathered(merged, possible, foreign, alarm)


def assess(
    text: str | None = None,
    evidence: Mapping[str, str] | None = None,
    age: float | None = None,
    sex: str | None = None,
    *,
    id: str | None = None,
    kb: KnowledgeBase | None = None,
    reference: datetime | None = None,
    readers: frozenset[str] | None = None,
) -> Assessment:
    """Assess free text and/or structured evidence. Raises ``EvidenceError`` on bad input.

    ``reference`` is the moment the text was written (default: now): "since sunday" and
    "20 minutes ago" are read against it. ``readers``: see :func:`twitchcheck.text.extract` (None: both).
    """
    kb = kb or load_kb()
    got = _gather(kb, text, evidence, age, sex, reference, readers)
    return assess_observations(
        compile_model(kb), got.observations, id, got.possible, got.foreign, alarm=got.alarm
    )


class Option(BaseModel):
    value: str
    label: str
    group: str | None = None  # a checklist's heading for the options under it


class QuestionOut(BaseModel):
    finding: str
    text: str
    label: str
    type: str
    options: list[Option]
    reason: str
    red_flag: str | None


@dataclass(frozen=True)
class InterviewStep:
    """One turn of the interview: either the next question or the final assessment, plus the state."""

    state: InterviewState
    question: QuestionOut | None
    assessment: Assessment | None
    stop_reason: str | None
    asked: int
    progress: float

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.model_dump(mode="json"),
            "question": self.question.model_dump(mode="json") if self.question else None,
            "assessment": self.assessment.to_json() if self.assessment else None,
            "stop_reason": self.stop_reason,
            "asked": self.asked,
            "progress": self.progress,
        }


TYPICAL_QUESTIONS = 10


def _options(finding: Finding) -> list[Option]:
    if finding.type == "binary":
        options = [Option(value="present", label="Yes"), Option(value="absent", label="No")]
    else:
        options = [Option(value=s.id, label=s.lay_label or s.label) for s in finding.states]
    return [*options, Option(value=ev.UNKNOWN, label="Don't know")]


def _step(kb: KnowledgeBase, state: InterviewState) -> InterviewStep:
    model = compile_model(kb)
    step = interview.next_step(model, state)
    asked = len(state.asked)
    if isinstance(step, interview.Stop):
        # A doubtful warning sign left unanswered ("don't know") stays a possible red flag.
        known = set(state.seeded) | {f for f, v in state.answers.items() if v != ev.UNKNOWN}
        unanswered = [ev.Observation(f, "present", "text") for f in state.doubtful if f not in known]
        result = assess_observations(model, interview.observations(state), possible=unanswered)
        return InterviewStep(
            state=state, question=None, assessment=result, stop_reason=step.reason, asked=asked, progress=1.0
        )
    if isinstance(step, interview.ChecklistQuestion):
        checklist = step.checklist
        clinician = state.mode == "clinician"

        def option(item: ChecklistItem, group: str | None = None) -> Option:
            label = kb.findings[item.finding].label if clinician else item.label
            return Option(value=item.finding, label=label, group=group)

        question = QuestionOut(
            finding=checklist.id,
            text=checklist.clinician_question if clinician else checklist.question,
            label="Symptoms",
            type="checklist",
            options=[option(item) for item in checklist.items]
            + [option(item, checklist.warning_signs_heading) for item in checklist.warning_signs],
            reason=step.reason,
            red_flag=None,
        )
    else:
        finding = step.finding
        question = QuestionOut(
            finding=finding.id,
            text=finding.question,
            label=finding.label,
            type=finding.type,
            options=_options(finding),
            reason=step.reason,
            red_flag=step.red_flag,
        )
    return InterviewStep(
        state=state,
        question=question,
        assessment=None,
        stop_reason=None,
        asked=asked,
        progress=min(asked / TYPICAL_QUESTIONS, 0.95),
    )


def start_interview(
    text: str | None = None,
    age: float | None = None,
    sex: str | None = None,
    *,
    evidence: Mapping[str, str] | None = None,
    mode: interview.Mode = "lay",
    max_questions: int = interview.MAX_QUESTIONS,
    kb: KnowledgeBase | None = None,
) -> InterviewStep:
    """Begin from whatever the person said or marked (or nothing); returns the first question."""
    kb = kb or load_kb()
    got = _gather(kb, text, evidence, age, sex, None)
    observations, possible = got.observations, got.possible
    seeded = {o.finding: o.state for o in observations}
    doubtful = possible_red_flags(compile_model(kb), observations, possible)
    state = interview.InterviewState(
        mode=mode, seeded=seeded, max_questions=max_questions, doubtful=[p.finding for p in doubtful]
    )
    return _step(kb, state)


def answer_interview(
    state: InterviewState, finding: str, value: str | Sequence[str], *, kb: KnowledgeBase | None = None
) -> InterviewStep:
    """Record one answer ('unknown' = don't know / skip) and return the next step. The opening checklist
    (``finding`` is its id) takes the list of finding ids ticked, or 'unknown' for none."""
    kb = kb or load_kb()
    model = compile_model(kb)
    if kb.checklist is not None and finding == kb.checklist.id:
        if isinstance(value, str) and value != ev.UNKNOWN:
            raise ev.EvidenceError("the checklist takes the list of ticked finding ids, or 'unknown'")
        ticked = [] if isinstance(value, str) else list(value)
        return _step(kb, interview.answer_checklist(model, state, ticked))
    if not isinstance(value, str):
        raise ev.EvidenceError(f"{finding!r} takes one answer, not a list")
    return _step(kb, interview.answer(model, state, finding, value))


def resume_interview(state: InterviewState, *, kb: KnowledgeBase | None = None) -> InterviewStep:
    """The step for a state as it stands, for clients that keep the state and come back to it."""
    return _step(kb or load_kb(), state)


def back_interview(state: InterviewState, *, kb: KnowledgeBase | None = None) -> InterviewStep:
    """Undo the last answer and ask that question again."""
    return _step(kb or load_kb(), interview.go_back(state))
