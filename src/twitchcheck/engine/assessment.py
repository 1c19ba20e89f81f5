"""The assessment: posterior, triage, explanations and next steps as one result object.

Plain dataclasses, built in microseconds; the per-condition explanations are computed
as one vectorised ranking and materialised only when read. ``to_json()`` is the JSON
contract shared by the CLI, the web API and the evaluation harness; views render it and
never recompute clinical logic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.explain import Explainer, Factor
from twitchcheck.engine.inference import evidence_columns, posterior_from_columns, weighed
from twitchcheck.engine.model import Model
from twitchcheck.engine.triage import (
    OpenFlag,
    TriageDecision,
    decide,
    fired_red_flags,
    fired_red_flags_with,
    open_red_flags,
)
from twitchcheck.knowledge.schema import Level, LevelName, RedFlag, Test

SELF_CARE_LEVELS = (Level.self_care, Level.routine)
NEXT_STEP_MIN_PROBABILITY = 0.05
NEXT_STEP_CONDITIONS = 3


@dataclass(frozen=True)
class Triage:
    level: LevelName
    reasons: tuple[str, ...]
    advice: str
    safety_net: tuple[str, ...]


@dataclass
class DifferentialItem:
    condition: str
    name: str
    lay_name: str
    probability: float
    care: LevelName
    _explainer: Explainer = field(repr=False)
    _row: int = field(repr=False)

    @cached_property
    def supporting(self) -> list[Factor]:
        return self._explainer.supporting(self._row)

    @cached_property
    def opposing(self) -> list[Factor]:
        return self._explainer.opposing(self._row)

    def to_json(self) -> dict[str, Any]:
        return {
            "condition": self.condition,
            "name": self.name,
            "lay_name": self.lay_name,
            "probability": self.probability,
            "care": self.care,
            "supporting": self._explainer.supporting_json(self._row),
            "opposing": self._explainer.opposing_json(self._row),
        }


@dataclass(frozen=True)
class TestAdvice:
    name: str
    why: str
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class NextSteps:
    tests: tuple[TestAdvice, ...]
    self_care: tuple[str, ...]
    clinician_questions: tuple[str, ...]


@dataclass(frozen=True)
class PossibleRedFlag:
    """A warning sign said with doubt: it would fire ``rule`` if confirmed; ``question`` asks it."""

    finding: str
    span: str | None
    start: int | None
    end: int | None
    rule: str
    level: LevelName
    question: str
    # For an open rule (``RedFlag.opens_on``): the plain words of the sign that was said; the question asks
    # the finding that would complete the rule. None when the finding itself was said with doubt.
    sign: str | None = None


@dataclass(frozen=True)
class Assessment:
    id: str | None
    triage: Triage
    differential: tuple[DifferentialItem, ...]
    other_cause_probability: float
    observations: tuple[Observation, ...]
    red_flags: tuple[RedFlag, ...]
    next_steps: NextSteps
    disclaimer: str
    _labels: dict[str, str] = field(repr=False)
    possible_red_flags: tuple[PossibleRedFlag, ...] = ()
    # False when nothing but age and sex was recognised: the result is then no assessment at all.
    understood: bool = True

    def label(self, finding_id: str) -> str:
        return self._labels[finding_id]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "triage": {
                "level": self.triage.level,
                "reasons": list(self.triage.reasons),
                "advice": self.triage.advice,
                "safety_net": list(self.triage.safety_net),
            },
            "differential": [item.to_json() for item in self.differential],
            "other_cause_probability": self.other_cause_probability,
            "evidence": [
                {
                    "finding": o.finding,
                    "label": self._labels[o.finding],
                    "state": o.state,
                    "span": o.span,
                    "start": o.start,
                    "end": o.end,
                    "origin": o.origin,
                }
                for o in self.observations
            ],
            "red_flags": [
                {
                    "id": f.id,
                    "level": f.level,
                    "reason": f.reason,
                    "action": f.action,
                    "sources": list(f.source),
                }
                for f in self.red_flags
            ],
            "next_steps": {
                "tests": [
                    {"name": t.name, "why": t.why, "conditions": list(t.conditions)}
                    for t in self.next_steps.tests
                ],
                "self_care": list(self.next_steps.self_care),
                "clinician_questions": list(self.next_steps.clinician_questions),
            },
            "possible_red_flags": [
                {
                    "finding": p.finding,
                    "span": p.span,
                    "start": p.start,
                    "end": p.end,
                    "rule": p.rule,
                    "level": p.level,
                    "question": p.question,
                    "sign": p.sign,
                }
                for p in self.possible_red_flags
            ],
            "understood": self.understood,
            "disclaimer": self.disclaimer,
        }


def _reasons(model: Model, decision: TriageDecision) -> tuple[str, ...]:
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
    return tuple(reasons)


def _next_steps(model: Model, ranked: Sequence[tuple[str, float]], level: Level) -> NextSteps:
    tests: dict[str, tuple[Test, list[str]]] = {}
    self_care: list[str] = []
    for cid, p in ranked[:NEXT_STEP_CONDITIONS]:
        if p < NEXT_STEP_MIN_PROBABILITY:
            break
        condition = model.kb.conditions[cid]
        for test in condition.tests:
            tests.setdefault(test.name, (test, []))[1].append(cid)
        if level in SELF_CARE_LEVELS:
            self_care.extend(tip for tip in condition.self_care if tip not in self_care)
    return NextSteps(
        tests=tuple(TestAdvice(t.name, t.why, tuple(cids)) for t, cids in tests.values()),
        self_care=tuple(self_care),
        clinician_questions=tuple(model.kb.policy.clinician_questions),
    )


def possible_red_flags(
    model: Model, observations: Sequence[Observation], possible: Sequence[Observation]
) -> tuple[PossibleRedFlag, ...]:
    """Doubtful findings that, if confirmed, would fire an urgent or emergency rule not yet fired; then
    the open rules' missing findings (a sign said, the rest of its rule unknown)."""
    return _possible_red_flags(model, observations, possible, *_red_flags_now(model, observations))


def possible_red_flags_each(
    model: Model, observations: Sequence[Observation], possible: Sequence[Observation]
) -> list[tuple[PossibleRedFlag, ...]]:
    """``[possible_red_flags(model, observations, [p]) for p in possible]``, with the rules that fire
    and open on ``observations`` worked out once."""
    now = _red_flags_now(model, observations)
    return [_possible_red_flags(model, observations, [p], *now) for p in possible]


def _red_flags_now(
    model: Model, observations: Sequence[Observation]
) -> tuple[set[str], set[str], tuple[OpenFlag, ...]]:
    """The findings known, the rules fired and the rules open on ``observations``."""
    known = {o.finding for o in observations}
    fired = {f.id for f in fired_red_flags(model, observations)}
    return known, fired, open_red_flags(model, observations)


def _possible_red_flags(
    model: Model,
    observations: Sequence[Observation],
    possible: Sequence[Observation],
    known: set[str],
    fired: set[str],
    open_flags: tuple[OpenFlag, ...],
) -> tuple[PossibleRedFlag, ...]:
    out = []
    for p in possible:
        if p.finding in known or p.finding not in model.kb.findings:
            continue
        # The rules p would add to those fired (fired_red_flags(model, [*observations, p]) less ``fired``).
        would = [
            f
            for f in fired_red_flags_with(model, observations, p)
            if f.id not in fired and Level.parse(f.level) >= Level.urgent
        ]
        if would:
            flag = would[0]  # most urgent first
            question = model.kb.findings[p.finding].question
            out.append(PossibleRedFlag(p.finding, p.span, p.start, p.end, flag.id, flag.level, question))
    for opened in open_flags:
        if Level.parse(opened.flag.level) < Level.urgent or opened.missing in {f.finding for f in out}:
            continue
        sign = opened.sign
        out.append(
            PossibleRedFlag(
                opened.missing,
                sign.span,
                sign.start,
                sign.end,
                opened.flag.id,
                opened.flag.level,
                model.kb.findings[opened.missing].question,
                model.kb.lay_label(sign.finding),
            )
        )
    out.sort(key=lambda f: Level.parse(f.level), reverse=True)
    return tuple(out)


def assess_observations(
    model: Model,
    observations: Sequence[Observation],
    assessment_id: str | None = None,
    possible: Sequence[Observation] = (),
    foreign: bool = False,
    alarm: str | None = None,
) -> Assessment:
    """Run the engine on validated observations.

    ``possible`` are findings said with doubt: never evidence, but a warning sign among them is
    listed with its question and holds triage at least at urgent.
    """
    kb = model.kb
    observations = tuple(observations)
    counted = weighed(model, observations)
    columns = evidence_columns(model, counted)
    post = posterior_from_columns(model, columns)
    decision = decide(model, post, observations)
    doubtful = possible_red_flags(model, observations, possible)
    # A text mostly in another language was read only in part: what was read counts, but a warning
    # sign may be in the words not read, so it is never less than urgent, and it says so.
    level_value = max(decision.level, Level.urgent) if doubtful or foreign else decision.level
    if foreign and alarm:
        # ... and one that names an emergency in its own language ("convulsión") gets emergency advice.
        level_value = Level.emergency
    level = level_value.label
    understood = bool(possible) or any(o.origin != "demographic" for o in observations)
    reasons = _reasons(model, decision)
    if doubtful:
        reasons = (
            *(
                kb.policy.open_warning.format(sign=p.sign[0].lower() + p.sign[1:], question=p.question)
                if p.sign
                else kb.policy.possible_warning.format(question=p.question)
                for p in doubtful
            ),
            *(r for r in reasons if decision.fired or decision.mass_rule is not None),
        )
    if foreign:
        reasons = (kb.policy.not_english, *reasons) if understood else (kb.policy.not_english,)
        if alarm:
            reasons = (kb.policy.not_english_alarm.format(words=alarm), *reasons)
    elif not understood:
        reasons = (kb.policy.not_understood,)
    n = model.n_conditions
    explainer = Explainer(model, counted, columns)
    conditions = model.conditions
    care = model.care_levels(columns)  # a known, managed diagnosis may need less haste than a new one
    differential = tuple(
        DifferentialItem(
            c.id, c.name, c.lay_name, float(post[row]), Level(int(care[row])).label, explainer, int(row)
        )
        for row in np.argsort(-post[:n], kind="stable")
        for c in (conditions[row],)
    )
    ranked = [(item.condition, item.probability) for item in differential]
    return Assessment(
        id=assessment_id,
        triage=Triage(level, reasons, kb.policy.advice[level], tuple(kb.policy.safety_net)),
        differential=differential,
        other_cause_probability=float(post[n]),
        observations=observations,
        red_flags=decision.fired,
        next_steps=_next_steps(model, ranked, level_value),
        disclaimer=kb.policy.disclaimer,
        _labels=model.labels,
        possible_red_flags=doubtful,
        understood=understood,
    )
