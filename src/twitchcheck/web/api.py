"""JSON API, version 1: assessment, stateless interview, and the knowledge base, read-only.

Handlers return the engine's own ``to_json()`` directly (the response models document the same
shape; a contract test holds them equal), which skips a second validation pass per request.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path
from fastapi.responses import Response

from twitchcheck import __version__
from twitchcheck.knowledge.schema import Condition, Finding
from twitchcheck.web import schemas, service
from twitchcheck.web.deps import KB
from twitchcheck.web.errors import InputError
from twitchcheck.web.limits import BODY_LIMIT_TEXT

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": schemas.ErrorOut, "description": "The input is not valid; the message names the field."},
}
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"model": schemas.ErrorOut, "description": "Malformed request (for example a bad Content-Length)."},
    413: {"model": schemas.ErrorOut, "description": f"The body is over the limit ({BODY_LIMIT_TEXT})."},
}
TEXT_ERRORS: dict[int | str, dict[str, Any]] = {
    **BODY_ERRORS,
    503: {
        "model": schemas.ErrorOut,
        "description": "Too many descriptions are being read; try again after `Retry-After` seconds.",
    },
}

router = APIRouter(prefix=f"/api/{schemas.API_VERSION}")


def _json(data: dict[str, Any]) -> Response:
    """The engine's JSON as it is (orjson: about ten times faster than json for a 50 KB result)."""
    return Response(orjson.dumps(data), media_type="application/json")


@router.post(
    "/assess",
    response_model=schemas.AssessmentOut,
    responses=TEXT_ERRORS,
    tags=["assessment"],
    summary="Assess a description and/or structured answers",
)
async def assess(body: schemas.AssessRequest, kb: KB) -> Response:
    """Ranked causes with reasons, the triage level with advice, red flags and next steps.

    Give free ``text``, structured ``evidence``, or both; explicit evidence beats what the text
    implied, and ``"unknown"`` withdraws a finding the text implied.
    """
    # Structured evidence alone takes about 2 ms and is computed on the event loop; any text is
    # read on a text worker within a CPU budget (503 when too busy, 422 when over budget).
    args = (kb, body.text, body.evidence, body.age, body.sex, body.id)
    result = await service.assess_text(*args)
    return _json(result.to_json())


@router.post(
    "/interview",
    response_model=schemas.InterviewStepOut,
    responses=TEXT_ERRORS,
    tags=["interview"],
    summary="Start an interview",
)
async def interview_start(body: schemas.InterviewStartRequest, kb: KB) -> Response:
    """The first question (or, rarely, the result). Keep ``state`` and send it back with each answer."""
    step = await service.start_text(kb, body.text, body.evidence, body.age, body.sex, body.mode)
    return _json(step.to_json())


@router.post(
    "/interview/answer",
    response_model=schemas.InterviewStepOut,
    responses=BODY_ERRORS,
    tags=["interview"],
    summary="Answer the current question",
)
def interview_answer(body: schemas.InterviewAnswerRequest, kb: KB) -> Response:
    """Record one answer (``value`` = a state of the finding, or ``"unknown"`` for don't know)."""
    state = service.check_state(kb, body.state)
    step = service.answer(kb, state, body.finding, body.value)
    return _json(step.to_json())


@router.post(
    "/interview/back",
    response_model=schemas.InterviewStepOut,
    responses=BODY_ERRORS,
    tags=["interview"],
    summary="Undo the last answer",
)
def interview_back(body: schemas.InterviewBackRequest, kb: KB) -> Response:
    """Forget the last answer and ask that question again."""
    step = service.back(kb, service.check_state(kb, body.state))
    return _json(step.to_json())


def _codes(condition: Condition) -> schemas.CodesOut:
    c = condition.codes
    return schemas.CodesOut(icd10=c.icd10, icd10_cm=c.icd10_cm, snomed=c.snomed, orpha=c.orpha)


def _summary(condition: Condition) -> schemas.ConditionSummary:
    return schemas.ConditionSummary(
        id=condition.id,
        name=condition.name,
        lay_name=condition.lay_name,
        description=condition.description,
        care=condition.care.level,
        codes=_codes(condition),
    )


@router.get(
    "/conditions",
    response_model=list[schemas.ConditionSummary],
    tags=["knowledge base"],
    summary="List the conditions",
)
def conditions(kb: KB) -> list[schemas.ConditionSummary]:
    return [_summary(c) for c in kb.conditions.values()]


@router.get(
    "/conditions/{condition_id}",
    response_model=schemas.ConditionOut,
    responses={404: {"model": schemas.ErrorOut, "description": "No such condition."}, **ERRORS},
    tags=["knowledge base"],
    summary="One condition with its sources",
)
def condition(
    kb: KB,
    condition_id: Annotated[str, Path(max_length=64, examples=["benign_fasciculation_syndrome"])],
) -> schemas.ConditionOut:
    found = kb.conditions.get(condition_id)
    if found is None:
        raise InputError(f"condition_id: no condition with id {condition_id!r}", "condition_id", 404)
    sources = [kb.sources[s] for s in found.sources if s in kb.sources]
    return schemas.ConditionOut(
        **_summary(found).model_dump(),
        care_why=found.care.why,
        tests=[schemas.TestOut(name=t.name, why=t.why) for t in found.tests],
        management=list(found.management),
        self_care=list(found.self_care),
        seek_care=found.seek_care,
        prior=found.prior.value,
        sources=[schemas.SourceOut(id=s.id, citation=s.citation, url=s.url, kind=s.kind) for s in sources],
    )


def _finding(finding: Finding) -> schemas.FindingOut:
    if finding.type == "graded":
        states = [schemas.StateOut(id=s.id, label=s.label, lay_label=s.lay_label) for s in finding.states]
    else:
        states = [
            schemas.StateOut(id="present", label="present", lay_label="Yes"),
            schemas.StateOut(id="absent", label="absent", lay_label="No"),
        ]
    return schemas.FindingOut(
        id=finding.id,
        category=finding.category,
        label=finding.label,
        question=finding.question,
        type=finding.type,
        states=states,
        unit=finding.unit,
        clinician_only=finding.clinician_only,
    )


@router.get(
    "/findings",
    response_model=list[schemas.FindingOut],
    tags=["knowledge base"],
    summary="The finding vocabulary (evidence keys and their states)",
)
def findings(kb: KB) -> list[schemas.FindingOut]:
    return [_finding(f) for f in kb.findings.values()]


health_router = APIRouter()


@health_router.get("/healthz", response_model=schemas.HealthOut, tags=["service"], summary="Liveness check")
async def healthz(kb: KB) -> schemas.HealthOut:
    return schemas.HealthOut(
        status="ok", version=__version__, conditions=len(kb.conditions), findings=len(kb.findings)
    )
