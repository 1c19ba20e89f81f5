"""Request and response models of the JSON API (version 1).

The response models mirror ``Assessment.to_json()`` and ``InterviewStep.to_json()`` field for
field, so the OpenAPI document tells other software exactly what it will get; a contract test
keeps them in step. Finding ids and states depend on the loaded knowledge base, so fields that
carry them are marked with ``x-kb`` and :func:`twitchcheck.web.openapi.patch_openapi` replaces
the marker with the knowledge base's own enumerations when the document is built.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag

from twitchcheck.engine.evidence import MAX_AGE
from twitchcheck.engine.interview import MAX_QUESTIONS
from twitchcheck.knowledge.schema import ID_PATTERN, LevelName
from twitchcheck.pipeline import MAX_TEXT_CHARS, QuestionOut

API_VERSION = "v1"


def _valid_unicode(value: str) -> str:
    """Reject lone surrogates: JSON can carry them, but no text in them can be read or echoed back."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains invalid Unicode (an unpaired surrogate)") from None
    return value


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("lists a finding more than once")
    return values


def whole_number(value: object) -> object:
    """JSON Schema counts 13.0 as an integer, so accept it as 13 (strings and booleans stay errors)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


CleanStr = Annotated[str, AfterValidator(_valid_unicode)]
FindingId = Annotated[
    str,
    Field(pattern=ID_PATTERN, max_length=64, json_schema_extra={"x-kb": "finding"}),
]
StateValue = Annotated[str, Field(pattern=ID_PATTERN, max_length=64, json_schema_extra={"x-kb": "state"})]
QuestionId = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=64,
        description="A finding id, or the opening checklist's id.",
        json_schema_extra={"x-kb": "question"},
    ),
]
ChecklistItem = Annotated[
    str, Field(pattern=ID_PATTERN, max_length=64, json_schema_extra={"x-kb": "checklist_item"})
]
Ticked = Annotated[
    list[ChecklistItem],
    AfterValidator(_distinct),
    Field(max_length=100, json_schema_extra={"uniqueItems": True}),
]
Evidence = Annotated[
    dict[FindingId, StateValue],
    Field(
        description=(
            "Finding id -> state: 'present' / 'absent' for yes-no findings, a state id for graded ones, "
            "'unknown' for don't know (also removes what the text implied). See GET /api/v1/findings."
        ),
        json_schema_extra={"x-kb": "evidence"},
    ),
]
Text = Annotated[
    CleanStr,
    Field(max_length=MAX_TEXT_CHARS, description="What the person feels, in their own words (English)."),
]
Age = Annotated[float, Field(ge=0, le=MAX_AGE, description="Age in years.")]
Sex = Annotated[Literal["male", "female"], Field(description="Sex at birth.")]
Mode = Annotated[
    Literal["lay", "clinician"],
    Field(description="'clinician' also asks about examination and test results."),
]


class Request(BaseModel):
    """Strict: '30' is not a number and unknown keys are errors, so mistakes are caught, not guessed."""

    model_config = ConfigDict(extra="forbid", strict=True)


class AssessRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "My left calf has been twitching for a few days. I drink five coffees a day. "
                    "No weakness.",
                    "age": 30,
                    "sex": "female",
                },
                {
                    "evidence": {
                        "fasciculations": "present",
                        "twitch_duration": "months",
                        "weakness": "absent",
                    },
                    "age": 34,
                    "sex": "male",
                    "id": "case-17",
                },
            ]
        }
    )

    text: Text | None = None
    evidence: Evidence | None = None
    age: Age | None = None
    sex: Sex | None = None
    id: Annotated[CleanStr, Field(max_length=200, description="Echoed back as the result's id.")] | None = (
        None
    )


class InterviewState(Request):
    """Mirrors :class:`twitchcheck.engine.interview.InterviewState`; the client keeps it between calls."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mode": "lay",
                    "answers": {"weakness": "absent"},
                    "seeded": {"fasciculations": "present", "age_band": "young_adult", "sex": "female"},
                    "asked": ["weakness"],
                    "max_questions": 20,
                }
            ]
        }
    )

    mode: Mode = "lay"
    answers: Evidence = Field(default_factory=dict)
    seeded: Evidence = Field(default_factory=dict)
    ticked: Annotated[
        Ticked | None,
        Field(description="Findings ticked on the opening checklist; null until it has been asked."),
    ] = None
    asked: Annotated[
        list[QuestionId],
        AfterValidator(_distinct),
        Field(
            default_factory=list,
            max_length=1000,
            description="Questions asked, in order; each finding at most once.",
            json_schema_extra={"uniqueItems": True},
        ),
    ]
    max_questions: Annotated[int, BeforeValidator(whole_number)] = Field(default=MAX_QUESTIONS, ge=1, le=100)
    doubtful: Annotated[
        list[QuestionId],
        AfterValidator(_distinct),
        Field(
            default_factory=list,
            max_length=100,
            description="Warning signs the opening text said with doubt; asked before anything else.",
            json_schema_extra={"uniqueItems": True},
        ),
    ]


class InterviewStartRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"text": "My eyelid keeps twitching", "age": 28, "sex": "female"}]}
    )

    text: Text | None = None
    evidence: Evidence | None = None
    age: Age | None = None
    sex: Sex | None = None
    mode: Mode = "lay"


class InterviewAnswerRequest(Request):
    """``value`` must be a state of ``finding`` (or 'unknown'); the OpenAPI document lists each pair. The
    opening checklist (``finding`` = its id) takes the list of ticked finding ids instead."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kb": "answer",
            "examples": [
                {
                    "state": {"mode": "lay", "answers": {}, "seeded": {}, "asked": [], "max_questions": 20},
                    "finding": "weakness",
                    "value": "absent",
                }
            ],
        }
    )

    state: InterviewState
    finding: QuestionId
    value: Annotated[
        Annotated[StateValue, Tag("one-state")] | Annotated[Ticked, Tag("ticked-list")],
        Discriminator(lambda v: "ticked-list" if isinstance(v, list) else "one-state"),
        Field(
            description=(
                "A state of the finding, or 'unknown' for don't know; for the opening checklist, the ticked "
                "finding ids ([] or 'unknown' for none)."
            )
        ),
    ]


class InterviewBackRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "state": {
                        "mode": "lay",
                        "answers": {"weakness": "absent"},
                        "seeded": {},
                        "asked": ["weakness"],
                        "max_questions": 20,
                    }
                }
            ]
        }
    )

    state: InterviewState


# ---- responses: mirror Assessment.to_json() ----


class TriageOut(BaseModel):
    level: LevelName
    reasons: list[str]
    advice: str
    safety_net: list[str]


class FactorOut(BaseModel):
    finding: str
    label: str
    state: str
    likelihood_ratio: float = Field(description="How many times likelier this finding is with this cause.")
    span: str | None = Field(description="The words of the text it came from, if any.")
    sources: list[str]


class DifferentialItemOut(BaseModel):
    condition: str
    name: str
    lay_name: str
    probability: float = Field(ge=0, le=1)
    care: LevelName
    supporting: list[FactorOut]
    opposing: list[FactorOut]


class EvidenceOut(BaseModel):
    finding: str
    label: str
    state: str
    span: str | None
    start: int | None
    end: int | None
    origin: Literal["answer", "text", "demographic"]


class RedFlagOut(BaseModel):
    id: str
    level: LevelName
    reason: str
    action: str
    sources: list[str]


class TestAdviceOut(BaseModel):
    name: str
    why: str
    conditions: list[str]


class NextStepsOut(BaseModel):
    tests: list[TestAdviceOut]
    self_care: list[str]
    clinician_questions: list[str]


_EXAMPLE_ASSESSMENT: dict[str, Any] = {
    "id": "case-17",
    "triage": {
        "level": "self_care",
        "reasons": ["No warning signs were reported and the likely causes can usually be managed at home."],
        "advice": "This sounds like the common, harmless kind of twitching that you can manage at home.",
        "safety_net": ["Get medical advice sooner if the muscle that twitches becomes weak."],
    },
    "differential": [
        {
            "condition": "benign_fasciculations",
            "name": "Benign fasciculations (physiological twitching from lifestyle triggers)",
            "lay_name": "Harmless muscle twitching (from stress, tiredness, caffeine or exercise)",
            "probability": 0.81,
            "care": "self_care",
            "supporting": [
                {
                    "finding": "twitch_duration",
                    "label": "Duration of symptoms",
                    "state": "days",
                    "likelihood_ratio": 2.877,
                    "span": "for a few days",
                    "sources": ["nhs_twitching"],
                }
            ],
            "opposing": [],
        }
    ],
    "other_cause_probability": 0.02,
    "evidence": [
        {
            "finding": "twitch_duration",
            "label": "Duration of symptoms",
            "state": "days",
            "span": "for a few days",
            "start": 32,
            "end": 46,
            "origin": "text",
        }
    ],
    "red_flags": [],
    "next_steps": {"tests": [], "self_care": ["Cut down on caffeine."], "clinician_questions": []},
    "possible_red_flags": [],
    "understood": True,
    "disclaimer": "This is not a diagnosis.",
}


class PossibleRedFlagOut(BaseModel):
    """A warning sign said with doubt ("I think her face might be drooping"): asked, never dropped."""

    finding: str
    span: str | None
    start: int | None
    end: int | None
    rule: str
    level: LevelName
    question: str


class AssessmentOut(BaseModel):
    """Exactly ``Assessment.to_json()``: the differential lists every condition, most likely first."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_ASSESSMENT]})

    id: str | None
    triage: TriageOut
    differential: list[DifferentialItemOut]
    other_cause_probability: float = Field(ge=0, le=1)
    evidence: list[EvidenceOut]
    red_flags: list[RedFlagOut]
    next_steps: NextStepsOut
    possible_red_flags: list[PossibleRedFlagOut]
    understood: bool = Field(description="false when nothing but age and sex was recognised")
    disclaimer: str


class InterviewStepOut(BaseModel):
    """Exactly ``InterviewStep.to_json()``: a question to ask next, or the final assessment."""

    state: InterviewState
    question: QuestionOut | None
    assessment: AssessmentOut | None
    stop_reason: str | None
    asked: int
    progress: float = Field(ge=0, le=1)


# ---- knowledge base ----


class SourceOut(BaseModel):
    id: str
    citation: str
    url: str | None
    kind: str


class CodesOut(BaseModel):
    icd10: str
    icd10_cm: str | None
    snomed: str | None
    orpha: str | None


class ConditionSummary(BaseModel):
    id: str
    name: str
    lay_name: str
    description: str
    care: LevelName
    codes: CodesOut


class TestOut(BaseModel):
    name: str
    why: str


class ConditionOut(ConditionSummary):
    care_why: str
    tests: list[TestOut]
    management: list[str]
    self_care: list[str]
    seek_care: str
    prior: float = Field(description="Prior probability among people consulting about twitch-like symptoms.")
    sources: list[SourceOut]


class StateOut(BaseModel):
    id: str
    label: str
    lay_label: str | None


class FindingOut(BaseModel):
    id: str
    category: str
    label: str
    question: str
    type: Literal["binary", "graded"]
    states: list[StateOut] = Field(description="Allowed values; 'unknown' is always allowed too.")
    unit: str | None
    clinician_only: bool


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    conditions: int
    findings: int


class ErrorOut(BaseModel):
    """Every 4xx answer: a sentence that names the field, and the field's dotted path when there is one."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": f"age: must be at most {MAX_AGE}", "field": "age"}]}
    )

    detail: str
    field: str | None = None
