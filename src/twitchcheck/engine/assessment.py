"""The assessment: posterior, triage, explanations and next steps as one result object.

These models are the JSON contract shared by the CLI, the web API and the evaluation
harness; views render them and never recompute clinical logic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.explain import Factor, factors
from twitchcheck.engine.inference import evidence_columns, posterior_from_columns
from twitchcheck.engine.model import Model
from twitchcheck.engine.triage import TriageDecision, decide
from twitchcheck.knowledge.schema import Level, LevelName

SELF_CARE_LEVELS = (Level.self_care, Level.routine)
NEXT_STEP_MIN_PROBABILITY = 0.05
NEXT_STEP_CONDITIONS = 3


class FactorOut(BaseModel):
    finding: str
    label: str
    state: str
    likelihood_ratio: float
    span: str | None
    sources: list[str]


class DifferentialItem(BaseModel):
    condition: str
    name: str
    lay_name: str
    probability: float
    care: LevelName
    supporting: list[FactorOut]
    opposing: list[FactorOut]


class TriageOut(BaseModel):
    level: LevelName
    reasons: list[str]
    advice: str
    safety_net: list[str]


class EvidenceOut(BaseModel):
    finding: str
    label: str
    state: str
    span: str | None
    start: int | None = None
    end: int | None = None
    origin: str


class RedFlagOut(BaseModel):
    id: str
    level: LevelName
    reason: str
    action: str
    sources: list[str]


class TestOut(BaseModel):
    name: str
    why: str
    conditions: list[str]


class NextSteps(BaseModel):
    tests: list[TestOut]
    self_care: list[str]
    clinician_questions: list[str]


class Assessment(BaseModel):
    id: str | None
    triage: TriageOut
    differential: list[DifferentialItem]
    other_cause_probability: float
    evidence: list[EvidenceOut]
    red_flags: list[RedFlagOut]
    next_steps: NextSteps
    disclaimer: str

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _factor_out(model: Model, factor: Factor) -> FactorOut:
    return FactorOut.model_construct(
        finding=factor.finding,
        label=model.kb.findings[factor.finding].label,
        state=factor.state,
        likelihood_ratio=round(factor.likelihood_ratio, 3),
        span=factor.span,
        sources=list(factor.sources),
    )


def _reasons(model: Model, decision: TriageDecision) -> list[str]:
    reasons = [flag.reason for flag in decision.fired]
    rule = decision.mass_rule
    if rule is not None:
        names = ", ".join(
            f"{model.kb.conditions[cid].lay_name} ({p:.0%})"
            if cid in model.kb.conditions
            else f"{model.kb.policy.leak_name} ({p:.0%})"
            for cid, p in rule.contributors
        )
        reasons.append(
            f"Causes that need at least '{rule.level.name.replace('_', ' ')}' care together have a "
            f"{rule.mass:.0%} probability (threshold {rule.threshold:.0%}): {names}."
        )
    if not reasons:
        reasons.append("No warning signs were reported and the likely causes can usually be managed at home.")
    return reasons


def _next_steps(model: Model, ranked: Sequence[tuple[str, float]], level: Level) -> NextSteps:
    tests: dict[str, TestOut] = {}
    self_care: list[str] = []
    for cid, p in ranked[:NEXT_STEP_CONDITIONS]:
        if p < NEXT_STEP_MIN_PROBABILITY:
            break
        condition = model.kb.conditions[cid]
        for test in condition.tests:
            entry = tests.setdefault(test.name, TestOut(name=test.name, why=test.why, conditions=[]))
            entry.conditions.append(cid)
        if level in SELF_CARE_LEVELS:
            self_care.extend(tip for tip in condition.self_care if tip not in self_care)
    return NextSteps(
        tests=list(tests.values()),
        self_care=self_care,
        clinician_questions=list(model.kb.policy.clinician_questions),
    )


def assess_observations(
    model: Model, observations: Sequence[Observation], assessment_id: str | None = None
) -> Assessment:
    """Run the engine on validated observations."""
    kb = model.kb
    columns = evidence_columns(model, observations)
    post = posterior_from_columns(model, columns)
    decision = decide(model, post, observations)
    level: LevelName = decision.level.name  # type: ignore[assignment]
    n = model.n_conditions
    order = np.argsort(-post[:n], kind="stable")
    differential = []
    for row in order:
        condition = kb.conditions[model.rows[row]]
        supporting, opposing = factors(model, int(row), observations, columns)
        differential.append(
            DifferentialItem.model_construct(
                condition=condition.id,
                name=condition.name,
                lay_name=condition.lay_name,
                probability=float(post[row]),
                care=condition.care.level,
                supporting=[_factor_out(model, f) for f in supporting],
                opposing=[_factor_out(model, f) for f in opposing],
            )
        )
    ranked = [(item.condition, item.probability) for item in differential]
    return Assessment.model_construct(
        id=assessment_id,
        triage=TriageOut(
            level=level,
            reasons=_reasons(model, decision),
            advice=kb.policy.advice[level],
            safety_net=list(kb.policy.safety_net),
        ),
        differential=differential,
        other_cause_probability=float(post[n]),
        evidence=[
            EvidenceOut(
                finding=o.finding,
                label=kb.findings[o.finding].label,
                state=o.state,
                span=o.span,
                start=o.start,
                end=o.end,
                origin=o.origin,
            )
            for o in observations
        ],
        red_flags=[
            RedFlagOut(id=f.id, level=f.level, reason=f.reason, action=f.action, sources=list(f.source))
            for f in decision.fired
        ],
        next_steps=_next_steps(model, ranked, decision.level),
        disclaimer=kb.policy.disclaimer,
    )
