"""The one place where web input meets the pipeline, shared by the API and the pages.

It turns the engine's input errors into field-named 4xx errors and checks interview state that
came back from a client (a hidden form field or a JSON body) before the engine sees it: the
state is the client's copy, so it may have been edited, and a bad copy must fail as bad input.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from twitchcheck import pipeline
from twitchcheck.engine import evidence as ev
from twitchcheck.engine import interview
from twitchcheck.engine.assessment import Assessment
from twitchcheck.engine.interview import InterviewState as EngineState
from twitchcheck.engine.interview import Mode
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web import schemas
from twitchcheck.web.errors import InputError, describe_validation, from_evidence_error


def assess(
    kb: KnowledgeBase,
    text: str | None,
    evidence: Mapping[str, str] | None,
    age: float | None,
    sex: str | None,
    assessment_id: str | None = None,
) -> Assessment:
    try:
        return pipeline.assess(text, evidence, age, sex, id=assessment_id, kb=kb)
    except ev.EvidenceError as exc:
        raise from_evidence_error(exc, "evidence") from None


def check_state(kb: KnowledgeBase, state: schemas.InterviewState, field: str = "state") -> EngineState:
    """Every finding and state in a returned interview state must exist in the knowledge base."""
    for part in ("answers", "seeded"):
        try:
            ev.from_answers(kb, getattr(state, part))
        except ev.EvidenceError as exc:
            raise InputError(f"{field}.{part}: {exc}", f"{field}.{part}") from None
    checklist = kb.checklist
    questions = set(kb.findings) | ({checklist.id} if checklist else set())
    for i, finding in enumerate(state.asked):
        if finding not in questions:
            raise InputError(f"{field}.asked[{i}]: unknown finding id {finding!r}", f"{field}.asked")
    items = {item.finding for item in checklist.all_items} if checklist else set()
    for i, finding in enumerate(state.ticked or ()):
        if finding not in items:
            raise InputError(f"{field}.ticked[{i}]: {finding!r} is not on the checklist", f"{field}.ticked")
    return EngineState.model_validate(state.model_dump())


def parse_state(kb: KnowledgeBase, raw: str, field: str = "state") -> EngineState:
    """Read interview state sent back as JSON text (the pages' hidden field or query parameter)."""
    try:
        return check_state(kb, schemas.InterviewState.model_validate_json(raw), field)
    except ValidationError as exc:
        problem = describe_validation(exc.errors(include_input=False))
    except InputError as exc:
        problem = exc
    raise InputError(
        f"The saved answers in this page's address were changed or damaged ({problem.detail}). "
        "Please start the questions again.",
        problem.field or field,
        400,
    )


def start(
    kb: KnowledgeBase,
    text: str | None,
    evidence: Mapping[str, str] | None,
    age: float | None,
    sex: str | None,
    mode: Mode = "lay",
) -> pipeline.InterviewStep:
    try:
        return pipeline.start_interview(text, age, sex, evidence=evidence, mode=mode, kb=kb)
    except ev.EvidenceError as exc:
        raise from_evidence_error(exc, "evidence") from None


def answer(
    kb: KnowledgeBase, state: EngineState, finding: str, value: str | list[str]
) -> pipeline.InterviewStep:
    try:
        return pipeline.answer_interview(state, finding, value, kb=kb)
    except ev.EvidenceError as exc:
        checklist = kb.checklist.id if kb.checklist else None
        field = "finding" if finding not in kb.findings and finding != checklist else "value"
        raise InputError(f"{field}: {exc}", field) from None


def back(kb: KnowledgeBase, state: EngineState) -> pipeline.InterviewStep:
    return pipeline.back_interview(state, kb=kb)


def resume(kb: KnowledgeBase, state: EngineState) -> pipeline.InterviewStep:
    return pipeline.resume_interview(state, kb=kb)


def finish_now(kb: KnowledgeBase, state: EngineState) -> Assessment:
    """The assessment from the answers so far, for someone who stops the questions early."""
    return assess(kb, None, interview.evidence(state), None, None)
