"""Adaptive interview: pick the question whose answer matters most for the decision.

Stateless: the caller keeps an :class:`InterviewState` (plain, serialisable data) and
asks :func:`next_step` what to do. Order of business:

1. open, plausible urgent or emergency red-flag screens whose answer could lift the triage
   (plausible: above a small bar, and raised by what is known so far);
2. otherwise the finding with the highest expected information gain over the causes,
   weighted up by the chance that its answer changes the triage level, and down by how
   often the person has been able to answer so far;
3. stop when no single plausible answer can change the triage and the top cause is
   settled, or at the question cap; the reason is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from twitchcheck.engine.evidence import UNKNOWN, Observation, check_state
from twitchcheck.engine.model import FloatArray, Model
from twitchcheck.engine.triage import decide, holds
from twitchcheck.knowledge.loader import AGE_FINDING, SEX_FINDING, iter_leaves
from twitchcheck.knowledge.schema import Finding, Level, RedFlag

Mode = Literal["lay", "clinician"]
MAX_QUESTIONS = 20
PLAUSIBLE = 0.05  # an answer (or an urgent red flag) this likely is worth asking about
PLAUSIBLE_EMERGENCY = 0.01  # emergencies are screened at a lower bar: missing one is the worst failure
LIFT = 2.0  # ...but only once the evidence has at least doubled the flag's probability from its baseline
SETTLED_TOP = 0.6  # top cause at least this probable counts as settled
TRIAGE_WEIGHT = 4.0  # information gain is multiplied by (1 + weight x P(answer changes triage))
MIN_GAIN_BITS = 0.02
MIN_SWING = 0.005  # a screen question must be able to move the red flag's probability at least this much
SCREEN_FROM = Level.urgent  # routine-level care rules are left to the triage-weighted information gain


class InterviewState(BaseModel):
    """Everything the interview knows: answers so far (including 'unknown') and the mode."""

    mode: Mode = "lay"
    answers: dict[str, str] = Field(default_factory=dict)
    seeded: dict[str, str] = Field(default_factory=dict, description="findings taken from the opening text")
    asked: list[str] = Field(default_factory=list, description="questions asked, in order")
    max_questions: int = Field(default=MAX_QUESTIONS, ge=1, le=100)


@dataclass(frozen=True)
class Question:
    finding: Finding
    reason: Literal["red_flag_screen", "information_gain"]
    score: float
    red_flag: str | None = None


@dataclass(frozen=True)
class Stop:
    reason: str


def observations(state: InterviewState) -> list[Observation]:
    known = {**state.seeded, **state.answers}
    return [Observation(f, s) for f, s in known.items() if s != UNKNOWN]


def answer(model: Model, state: InterviewState, finding_id: str, value: str) -> InterviewState:
    """Record an answer (a state id or 'unknown'); validated against the knowledge base."""
    if value != UNKNOWN or finding_id not in model.kb.findings:
        check_state(model.kb, finding_id, value)
    asked = [*state.asked, finding_id] if finding_id not in state.asked else state.asked
    return state.model_copy(update={"answers": {**state.answers, finding_id: value}, "asked": asked})


def go_back(state: InterviewState) -> InterviewState:
    """Undo the last answered question."""
    if not state.asked:
        return state
    last = state.asked[-1]
    answers = {k: v for k, v in state.answers.items() if k != last}
    return state.model_copy(update={"answers": answers, "asked": state.asked[:-1]})


@dataclass(frozen=True)
class _Tables:
    """Per-model indexes built once: candidate columns and which red flags each finding touches."""

    finding_ids: tuple[str, ...]
    columns: tuple[tuple[int, ...], ...]
    flags_by_finding: Mapping[str, tuple[RedFlag, ...]]
    leaves: Mapping[str, tuple[str, ...]]
    positive: Mapping[str, tuple[tuple[str, frozenset[str]], ...]]


@cache
def _tables(model: Model) -> _Tables:
    kb = model.kb
    ids = tuple(kb.findings)
    columns = tuple(tuple(model.column(f, s) for s in kb.findings[f].state_ids) for f in ids)
    by_finding: dict[str, dict[str, RedFlag]] = {}
    for flag in kb.red_flags:
        for leaf in iter_leaves(flag.when):
            by_finding.setdefault(leaf["finding"], {})[flag.id] = flag
    leaves = {
        flag.id: tuple(dict.fromkeys(leaf["finding"] for leaf in iter_leaves(flag.when)))
        for flag in kb.red_flags
    }
    positive = {flag.id: tuple(_positive_leaves(flag.when)) for flag in kb.red_flags}
    return _Tables(ids, columns, {k: tuple(v.values()) for k, v in by_finding.items()}, leaves, positive)


def _positive_leaves(expr: Mapping[str, Any]) -> Iterator[tuple[str, frozenset[str]]]:
    """Leaves not under a ``not``: a known finding that satisfies one moves the flag closer to firing."""
    if "finding" in expr:
        yield expr["finding"], frozenset(expr.get("states") or [expr["state"]])
    for item in expr.get("all", []) + expr.get("any", []):
        yield from _positive_leaves(item)


def _entropy(p: FloatArray) -> FloatArray:
    safe = np.where(p > 0, p, 1.0)
    result: FloatArray = -(p * np.log2(safe)).sum(axis=0)
    return result


def _expr_matrix(
    model: Model,
    expr: Mapping[str, Any],
    known: Mapping[str, str],
    askable: Callable[[str], bool],
    hypotheses: Sequence[tuple[str, str]] = (),
) -> FloatArray:
    """P(expression holds | cause), one column for "as things stand" and one per hypothetical answer.

    Findings are independent given the cause. A leaf on a finding that is neither known nor askable
    (an exam finding in lay mode, a question the person could not answer) cannot become true in this
    interview, so it counts as false. Shape: (causes, 1 + len(hypotheses)).
    """
    width = 1 + len(hypotheses)
    if "finding" in expr:
        finding = expr["finding"]
        wanted = expr.get("states") or [expr["state"]]
        if finding in known or not askable(finding):
            base = np.full(len(model.rows), 1.0 if known.get(finding) in wanted else 0.0)
        else:
            base = model.lik[:, [model.column(finding, s) for s in wanted]].sum(axis=1)
        out: FloatArray = np.repeat(base[:, None], width, axis=1)
        for k, (hyp_finding, hyp_state) in enumerate(hypotheses, start=1):
            if hyp_finding == finding:
                out[:, k] = 1.0 if hyp_state in wanted else 0.0
        return out
    if "not" in expr:
        return 1 - _expr_matrix(model, expr["not"], known, askable, hypotheses)
    parts = [_expr_matrix(model, e, known, askable, hypotheses) for e in expr.get("all") or expr["any"]]
    if "all" in expr:
        both: FloatArray = np.prod(parts, axis=0)
        return both
    misses: FloatArray = np.prod([1 - p for p in parts], axis=0)
    return 1 - misses


def _askable(model: Model, state: InterviewState, known: Mapping[str, str]) -> list[int]:
    tables = _tables(model)
    out = []
    for i, finding_id in enumerate(tables.finding_ids):
        finding = model.kb.findings[finding_id]
        if finding_id in known or finding_id in state.answers or finding_id in state.seeded:
            continue
        if finding.clinician_only and state.mode != "clinician":
            continue
        out.append(i)
    return out


def _red_flag_question(
    model: Model, state: InterviewState, post: FloatArray, level: Level, known: Mapping[str, str]
) -> Question | None:
    """The unanswered leaf that most moves the probability of a plausible, higher-level red flag."""
    best: Question | None = None

    def askable(finding_id: str) -> bool:
        finding = model.kb.findings[finding_id]
        return finding_id not in state.answers and (state.mode == "clinician" or not finding.clinician_only)

    for flag in model.kb.red_flags:
        flag_level = Level.parse(flag.level)
        if flag_level <= level or flag_level < SCREEN_FROM:
            continue
        p_fire = float(post @ _expr_matrix(model, flag.when, known, askable)[:, 0])
        if p_fire >= 1.0:
            continue
        bar = PLAUSIBLE_EMERGENCY if flag_level == Level.emergency else PLAUSIBLE
        plausible = p_fire >= max(bar, LIFT * _baseline(model, flag))
        touched = any(known.get(f) in wanted for f, wanted in _tables(model).positive[flag.id])
        if not plausible and not (flag_level == Level.emergency and touched):
            continue
        leaves = [f for f in _tables(model).leaves[flag.id] if f not in known and askable(f)]
        hypotheses = [(f, s) for f in leaves for s in model.kb.findings[f].state_ids]
        if not hypotheses:
            continue
        matrix = _expr_matrix(model, flag.when, known, askable, hypotheses)
        if not plausible and not np.any(np.all(matrix[:, 1:] >= 1.0, axis=0)):
            continue  # an unlikely emergency is still asked about when one answer would confirm it
        # Posterior after each hypothetical answer, then the flag's probability under it.
        joint = post[:, None] * model.lik[:, [model.column(f, s) for f, s in hypotheses]]
        p_answer = joint.sum(axis=0)
        after = (joint * matrix[:, 1:]).sum(axis=0) / p_answer
        moves = p_answer * np.abs(after - p_fire)
        for finding_id in leaves:
            swing = float(sum(m for (f, _), m in zip(hypotheses, moves, strict=True) if f == finding_id))
            score = swing * (1 + int(flag_level))
            if score > MIN_SWING and (best is None or score > best.score):
                best = Question(model.kb.findings[finding_id], "red_flag_screen", score, flag.id)
    return best


@cache
def _baseline_table(model: Model) -> dict[str, float]:
    def everything(_: str) -> bool:
        return True

    return {
        flag.id: float(model.prior @ _expr_matrix(model, flag.when, {}, everything)[:, 0])
        for flag in model.kb.red_flags
    }


def _baseline(model: Model, flag: RedFlag) -> float:
    """How likely the flag is before anything is known: screening waits until the evidence raises it."""
    return _baseline_table(model)[flag.id]


def _mass_levels(model: Model, posts: FloatArray) -> npt.NDArray[np.int64]:
    """The posterior-mass triage level of each column of ``posts`` at once."""
    out = np.full(posts.shape[1], int(Level.self_care))
    for level, mask, threshold in reversed(model.mass_thresholds):
        out = np.where(mask @ posts >= threshold, int(level), out)
    return out


def _flag_levels(
    model: Model, known: Mapping[str, str], fired: Sequence[RedFlag], finding_ids: Sequence[str]
) -> npt.NDArray[np.int64]:
    """Red-flag triage floor after each possible answer of each candidate, re-checking only affected flags."""
    touching_map = _tables(model).flags_by_finding
    base = max((Level.parse(f.level) for f in fired), default=Level.self_care)
    out: list[int] = []
    for finding_id in finding_ids:
        states = model.kb.findings[finding_id].state_ids
        touching = touching_map.get(finding_id, ())
        if not touching:
            out.extend([int(base)] * len(states))
            continue
        touched = {f.id for f in touching}
        steady = max((Level.parse(f.level) for f in fired if f.id not in touched), default=Level.self_care)
        for state in states:
            cond = {**known, finding_id: state}
            hit = max(
                (Level.parse(f.level) for f in touching if holds(f.when, cond)), default=Level.self_care
            )
            out.append(int(max(steady, hit)))
    return np.array(out, dtype=np.int64)


def next_step(model: Model, state: InterviewState) -> Question | Stop:
    """The next question to ask, or why the interview is over."""
    obs = observations(state)
    known = {o.finding: o.state for o in obs}
    post = _posterior(model, obs)
    decision = decide(model, post, obs)
    level = decision.level
    if len(state.asked) >= state.max_questions:
        return Stop(f"reached the limit of {state.max_questions} questions")
    for demographic in (AGE_FINDING, SEX_FINDING):
        if demographic not in known and demographic not in state.answers:
            return Question(model.kb.findings[demographic], "information_gain", float("inf"))
    flag_question = _red_flag_question(model, state, post, level, known)
    if flag_question is not None:
        return flag_question

    tables = _tables(model)
    candidates = _askable(model, state, known)
    if not candidates:
        return Stop("no questions left to ask")
    # Every answer of every candidate at once: one column per (finding, state).
    ids = [tables.finding_ids[i] for i in candidates]
    cols = [c for i in candidates for c in tables.columns[i]]
    starts = np.cumsum([0] + [len(tables.columns[i]) for i in candidates[:-1]])
    joint = post[:, None] * model.lik[:, cols]
    p_state = joint.sum(axis=0)
    posts = joint / p_state
    gain = float(_entropy(post[:, None])[0]) - np.add.reduceat(p_state * _entropy(posts), starts)
    levels = np.maximum(_mass_levels(model, posts), _flag_levels(model, known, decision.fired, ids))
    changed = levels != int(level)
    changes = np.add.reduceat(np.where(changed, p_state, 0.0), starts)
    answerable = _answer_rate(state)
    plausible = p_state * answerable >= PLAUSIBLE
    top_now = int(np.argmax(post))
    triage_open = bool(np.any(changed & plausible))
    top_open = bool(np.any((np.argmax(posts, axis=0) != top_now) & plausible))
    scores = answerable * gain * (1 + TRIAGE_WEIGHT * changes)
    best = int(np.argmax(scores))
    if not triage_open and (post[top_now] >= SETTLED_TOP or not top_open):
        return Stop("no single answer could change the triage and the most likely cause is settled")
    if scores[best] < MIN_GAIN_BITS:
        return Stop("no remaining question is expected to change the result")
    return Question(model.kb.findings[ids[best]], "information_gain", float(scores[best]))


def _answer_rate(state: InterviewState) -> float:
    """Share of questions so far that got a real answer (Laplace-smoothed): the expected worth of a
    question shrinks when the person keeps answering "don't know"."""
    known = sum(1 for f in state.asked if state.answers.get(f, UNKNOWN) != UNKNOWN)
    return (known + 1) / (len(state.asked) + 2)


def _posterior(model: Model, obs: Sequence[Observation]) -> FloatArray:
    from twitchcheck.engine.inference import posterior

    return posterior(model, obs)
