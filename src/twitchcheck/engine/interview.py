"""Adaptive interview: pick the question whose answer matters most for the decision.

Stateless: the caller keeps an :class:`InterviewState` (plain, serialisable data) and asks
:func:`next_step` what to do. Order of business:

0. the first question after what the person said (any symptom, place or history named) is about that:
   a warning-sign screen whose rule one of those findings is part of, else the most useful question on
   what they described (how long, how often, where else, or a finding that takes one of theirs as given).
   A screen that this puts off is asked next, and the interview never stops while one is waiting.
1. red-flag screens: an urgent or emergency rule above the current triage that has become plausible
   (likely enough, and raised by the evidence above its baseline; for an emergency, also any rule that one
   answer would complete once one of its positive findings is known). Asked: the unanswered finding that
   moves the rule's probability most.
2. the opening checklist, once, when nothing said so far names any of its symptoms: one question that
   learns what the person is noticing (and any warning sign) instead of guessing at it one by one.
3. otherwise the question with the highest expected value. Each possible answer counts with its
   probability times the chance that this person can give it (learnt from their answers so far, "no"
   answers and the rest apart), and is worth the information it gives about the cause, plus the triage
   regret it avoids (under-triage priced by the knowledge base's own mass thresholds), plus how much it
   firms up the most likely cause. The information is measured on a tempered posterior so that rare
   causes that fit the story still get questions.
4. stop at the question cap, or when no likely answer could change the triage and the most likely cause
   is settled: probable, or unlikely to be overtaken by the rest of the interview (judged over all the
   questions still allowed together, not one at a time, since answers that each move little can add up);
   or when the cause is settled in that sense and no question is worth asking. The reason is reported.

A "don't know" is not evidence. Exam and test results are asked in clinician mode, and in lay mode once
the person has reported one (someone who knows one result may know others). A question whose wording takes
another finding as given (``Finding.premise``: "Has the weakness been getting worse?") is not asked once
the person has said no to that finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from twitchcheck.engine.circuit import BoolArray, RuleSet, compile_rules
from twitchcheck.engine.evidence import UNKNOWN, EvidenceError, Observation, check_state
from twitchcheck.engine.inference import evidence_columns, reopen_factor, weighed
from twitchcheck.engine.model import FloatArray, Model
from twitchcheck.engine.triage import decide
from twitchcheck.knowledge.loader import AGE_FINDING, CACHED_BASES, SEX_FINDING
from twitchcheck.knowledge.schema import Checklist, Finding, Level

Mode = Literal["lay", "clinician"]
MAX_QUESTIONS = 20
# Red-flag screens.
SCREEN_FROM = Level.urgent  # routine-level care rules are left to the question value
PLAUSIBLE = 0.05  # an urgent rule this likely is worth screening...
LIFT = 2.0  # ...once the evidence has at least doubled its probability from the baseline
PLAUSIBLE_EMERGENCY = 0.01  # emergencies are screened at lower bars: missing one is the worst failure
LIFT_EMERGENCY = 1.5
MIN_SWING = 0.005  # a screen question must be able to move the rule's probability at least this much
# Question value and stopping.
PRIOR_TEMPER = 0.5  # information is measured with the prior raised to this power
TRIAGE_WEIGHT = 0.3  # bits per unit of triage regret (one level of over-triage)
TOP_WEIGHT = 1.0  # bits per unit of expected gain in the top cause's probability
LIKELY = 0.10  # an answer at least this likely (times the chance of getting it) can keep the interview going
SETTLED_TOP = 0.8  # a most likely cause this probable is settled whatever the remaining answers
OVERTAKE = 0.1  # ...and so is one that the rest of the interview would overturn with less than this chance
MIN_VALUE = 0.1  # stop when no question is worth this much (unless the cause is still open)
# What a first question may be about when the person has already said what they notice: the complaint's
# course (how long, how often, sudden, getting worse) and its place (where else, one side).
DESCRIBES = frozenset({"course", "location"})


class InterviewState(BaseModel):
    """Everything the interview knows: answers so far (including 'unknown') and the mode."""

    mode: Mode = "lay"
    answers: dict[str, str] = Field(default_factory=dict)
    seeded: dict[str, str] = Field(default_factory=dict, description="findings taken from the opening text")
    ticked: list[str] | None = Field(
        default=None, description="findings ticked on the opening checklist; None until it has been asked"
    )
    asked: list[str] = Field(default_factory=list, description="questions asked, in order")
    max_questions: int = Field(default=MAX_QUESTIONS, ge=1, le=100)
    doubtful: list[str] = Field(
        default_factory=list,
        description="warning signs the opening text said with doubt: asked before anything else",
    )


@dataclass(frozen=True)
class Question:
    finding: Finding
    reason: Literal["red_flag_screen", "information_gain"]
    score: float
    red_flag: str | None = None


@dataclass(frozen=True)
class ChecklistQuestion:
    checklist: Checklist
    reason: Literal["opening_checklist"] = "opening_checklist"


@dataclass(frozen=True)
class Stop:
    reason: str


def evidence(state: InterviewState) -> dict[str, str]:
    """Finding -> state from the opening text, the checklist and the answers (later ones win)."""
    return {**state.seeded, **dict.fromkeys(state.ticked or (), "present"), **state.answers}


def observations(state: InterviewState) -> list[Observation]:
    return [Observation(f, s) for f, s in evidence(state).items() if s != UNKNOWN]


def answer(model: Model, state: InterviewState, finding_id: str, value: str) -> InterviewState:
    """Record an answer (a state id or 'unknown'); validated against the knowledge base."""
    if value != UNKNOWN or finding_id not in model.kb.findings:
        check_state(model.kb, finding_id, value)
    asked = [*state.asked, finding_id] if finding_id not in state.asked else state.asked
    return state.model_copy(update={"answers": {**state.answers, finding_id: value}, "asked": asked})


def answer_checklist(model: Model, state: InterviewState, ticked: Sequence[str]) -> InterviewState:
    """Record the opening checklist: each ticked finding is present; nothing ticked means none known."""
    checklist = model.kb.checklist
    if checklist is None:
        raise EvidenceError("this knowledge base has no opening checklist")
    items = [item.finding for item in checklist.all_items]
    for finding_id in ticked:
        if finding_id not in items:
            raise EvidenceError(f"{finding_id!r} is not on the checklist; choose from {items}")
    asked = state.asked if checklist.id in state.asked else [*state.asked, checklist.id]
    return state.model_copy(update={"ticked": [f for f in items if f in ticked], "asked": asked})


def go_back(state: InterviewState) -> InterviewState:
    """Undo the last answered question."""
    if not state.asked:
        return state
    last = state.asked[-1]
    answers = {k: v for k, v in state.answers.items() if k != last}
    ticked = state.ticked if last in state.answers else None  # only the checklist has no answer entry
    return state.model_copy(update={"answers": answers, "ticked": ticked, "asked": state.asked[:-1]})


@dataclass(frozen=True, eq=False)
class _Tables:
    """Per-model indexes built once."""

    finding_ids: tuple[str, ...]
    finding_index: Mapping[str, int]
    columns: tuple[tuple[int, ...], ...]  # each finding's (finding, state) columns
    clinician_only: BoolArray  # (findings,)
    premise: npt.NDArray[np.intp]  # (findings,) the finding each one's question takes as given, or -1
    describes: BoolArray  # (findings,) in a category of DESCRIBES
    negative: BoolArray  # (columns,) the "absent" state of a yes/no finding
    rules: RuleSet
    baseline: FloatArray  # each red flag's probability before anything is known
    regret: FloatArray  # [a, b]: cost of advising level a when the answer shows level b
    temper: FloatArray  # (causes,) prior ** (PRIOR_TEMPER - 1): turns a posterior into the tempered one


@lru_cache(maxsize=CACHED_BASES)
def _tables(model: Model) -> _Tables:
    kb = model.kb
    ids = tuple(kb.findings)
    index = {f: i for i, f in enumerate(ids)}
    rules = compile_rules(model)
    return _Tables(
        finding_ids=ids,
        finding_index=index,
        columns=tuple(tuple(model.column(f, s) for s in kb.findings[f].state_ids) for f in ids),
        clinician_only=np.array([kb.findings[f].clinician_only for f in ids], dtype=bool),
        premise=np.array([index.get(kb.findings[f].premise or "", -1) for f in ids], dtype=np.intp),
        describes=np.array([kb.findings[f].category in DESCRIBES for f in ids], dtype=bool),
        negative=np.array([kb.findings[f].type == "binary" and s == "absent" for f, s in model.columns]),
        rules=rules,
        baseline=rules.now.evaluate(rules.given_cause) @ model.prior,
        regret=_regret(model),
        temper=np.maximum(model.prior, 1e-12) ** (PRIOR_TEMPER - 1),
    )


def _regret(model: Model) -> FloatArray:
    """Under-triage to level L costs (1 - t) / t for L's posterior-mass threshold t: the odds at which the
    knowledge base's own rule switches to L, so the two agree. Over-triage costs 1 per level."""
    up = np.zeros(len(Level))
    for level, _, threshold in model.mass_thresholds:
        up[int(level)] = (1 - threshold) / threshold
    a, b = np.indices((len(Level), len(Level)))
    climb = np.cumsum(up)
    out: FloatArray = np.where(b > a, climb[b] - climb[a], a - b)
    return out


def _entropy(p: FloatArray) -> FloatArray:
    safe = np.where(p > 0, p, 1.0)
    result: FloatArray = -(p * np.log2(safe)).sum(axis=0)
    return result


@dataclass(frozen=True)
class _Known:
    """What the interview knows and may still ask, per finding and per red-flag leaf."""

    askable: BoolArray  # (findings,) not known, not answered "don't know", and allowed in this mode
    truth: FloatArray  # (leaves,) 1 where the leaf's finding is known and satisfies it
    given_cause: FloatArray  # (leaves, causes) P(leaf | cause); 0/1 once known or when it cannot be asked


def _known(model: Model, state: InterviewState, known: Mapping[str, str]) -> _Known:
    """A leaf on a finding that is neither known nor askable (an exam finding in lay mode, a question the
    person could not answer, one whose premise they denied) cannot become true in this interview, so it
    counts as false. In lay mode, exam and test results open up once the person has reported any of them."""
    tables = _tables(model)
    rules = tables.rules
    column = np.full(len(tables.finding_ids), -1)  # the known state's column of each finding
    reported = any(tables.clinician_only[tables.finding_index[f]] for f in known)
    lay = state.mode != "clinician" and not reported
    closed = tables.clinician_only.copy() if lay else np.zeros(len(column), dtype=bool)
    denied = np.zeros(len(column), dtype=bool)
    for finding_id, value in {**state.answers, **known}.items():
        index = tables.finding_index[finding_id]
        closed[index] = True
        denied[index] = value == "absent"
        if value != UNKNOWN:
            column[index] = model.column(finding_id, value)
    has_premise = tables.premise >= 0
    closed[has_premise] |= denied[tables.premise[has_premise]]
    leaf_column = column[rules.finding_index]
    truth = np.where(leaf_column >= 0, rules.satisfied[np.arange(len(leaf_column)), leaf_column], 0.0)
    open_leaf = ~closed[rules.finding_index]
    return _Known(~closed, truth, np.where(open_leaf[:, None], rules.given_cause, truth[:, None]))


def _red_flag_question(
    model: Model,
    post: FloatArray,
    level: Level,
    now: _Known,
    known_columns: Sequence[int],
    only: BoolArray | None = None,
) -> Question | None:
    """The unanswered leaf that most moves the probability of a plausible, higher-level red flag (of the
    flags in ``only``, when given)."""
    tables = _tables(model)
    rules = tables.rules
    emergency = rules.levels == int(Level.emergency)
    p_fire = rules.now.evaluate(now.given_cause) @ post
    bar = np.where(emergency, PLAUSIBLE_EMERGENCY, PLAUSIBLE)
    lift = np.where(emergency, LIFT_EMERGENCY, LIFT)
    plausible = p_fire >= np.maximum(bar, lift * tables.baseline)
    touched = np.zeros(len(p_fire), dtype=bool)
    np.logical_or.at(touched, rules.leaf_flag, (now.truth > 0) & ~rules.now.negated)
    candidate = (
        (rules.levels > int(level))
        & (rules.levels >= int(SCREEN_FROM))
        & (p_fire < 1.0)
        & (plausible | (touched & emergency))
    )
    if only is not None:
        candidate &= only
    chosen, matrices = [], []
    for i in np.flatnonzero(candidate):
        part = rules.copies[i]
        copies = np.arange(part.start, part.stop)[now.askable[rules.finding[part]]]
        if not len(copies):
            continue
        matrix = rules.fire_after(now.given_cause, int(i))[copies - part.start].T  # (causes, copies)
        if not plausible[i] and not np.any(np.all(matrix >= 1.0, axis=0)):
            continue  # an unlikely emergency is asked about only when one answer would confirm it
        chosen.append(copies)
        matrices.append(matrix)
    if not chosen:
        return None
    copies, matrix = np.concatenate(chosen), np.hstack(matrices)
    flags = rules.flag[copies]
    # Posterior after each hypothetical answer (an answer naming an exposure also opens its gate), then the
    # flag's probability under it.
    joint = post[:, None] * model.lik[:, rules.column[copies]]
    p_answer = joint.sum(axis=0)
    lifted = joint * reopen_factor(model, known_columns, rules.column[copies])
    after = (lifted * matrix).sum(axis=0) / lifted.sum(axis=0)
    moves = p_answer * np.abs(after - p_fire[flags]) * (1 + rules.levels[flags])
    # Copies run by flag, then finding, then state: sum the states of each (flag, finding) question.
    key = flags * len(tables.finding_ids) + rules.finding[copies]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    scores = np.add.reduceat(moves, starts)
    best = int(np.argmax(scores))
    if scores[best] <= MIN_SWING:
        return None
    first = copies[starts[best]]
    finding = model.kb.findings[tables.finding_ids[rules.finding[first]]]
    return Question(finding, "red_flag_screen", float(scores[best]), model.kb.red_flags[rules.flag[first]].id)


def _mass_levels(model: Model, posts: FloatArray, care: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The posterior-mass triage level of each column of ``posts`` at once (``care``: per-cause levels)."""
    out = np.full(posts.shape[1], int(Level.self_care))
    for level, mask, threshold in reversed(model.mass_masks(care)):
        out = np.where(mask @ posts >= threshold, int(level), out)
    return out


def _flag_levels(model: Model, now: _Known) -> npt.NDArray[np.int64]:
    """Red-flag triage floor after each hypothetical answer, for every column."""
    rules = _tables(model).rules
    fired = rules.now.evaluate(now.truth) > 0.5
    floor = np.repeat(
        np.where(fired, rules.levels, int(Level.self_care))[:, None], model.lik.shape[1], axis=1
    )
    floor[rules.flag, rules.column] = np.where(rules.fire_after(now.truth) > 0.5, rules.levels[rules.flag], 0)
    out: npt.NDArray[np.int64] = floor.max(axis=0)
    return out


def _answer_chances(model: Model, state: InterviewState, post: FloatArray) -> FloatArray:
    """The chance that this person gives each answer if it is the true one, per column.

    People answer "don't know" about what they have not noticed or been told, and a "no" can be harder to
    give than a "yes", so "no" answers and all others are counted apart: the answers given of a kind over
    the answers of that kind expected (Laplace-smoothed). An answered question counts for its own kind; a
    "don't know" counts for each kind by how likely that answer was.
    """
    tables = _tables(model)
    given = np.zeros(2)  # "no", any other answer
    unsure = np.zeros(2)
    for finding_id in state.asked:
        if finding_id not in tables.finding_index:
            continue  # the opening checklist: unticked items are not answers
        value = state.answers.get(finding_id, UNKNOWN)
        own = list(tables.columns[tables.finding_index[finding_id]])
        if value == UNKNOWN:
            p_no = float(post @ model.lik[:, own].sum(axis=1, where=tables.negative[own]))
            unsure += (p_no, 1.0 - p_no)
        else:
            given[0 if tables.negative[model.column(finding_id, value)] else 1] += 1
    chances = (given + 1) / (given + unsure + 1)
    out: FloatArray = np.where(tables.negative, chances[0], chances[1])
    return out


def next_step(model: Model, state: InterviewState) -> Question | ChecklistQuestion | Stop:
    """The next question to ask, or why the interview is over."""
    obs = observations(state)
    known = {o.finding: o.state for o in obs}
    post = _posterior(model, obs)
    level = decide(model, post, obs).level
    if len(state.asked) >= state.max_questions:
        return Stop(f"reached the limit of {state.max_questions} questions")
    for doubt in state.doubtful:
        finding = model.kb.findings.get(doubt)
        if doubt in known or doubt in state.answers or finding is None:
            continue
        if finding.premise is None or known.get(finding.premise) != "absent":
            return Question(finding, "red_flag_screen", float("inf"))
    for demographic in (AGE_FINDING, SEX_FINDING):
        if demographic not in known and demographic not in state.answers:
            return Question(model.kb.findings[demographic], "information_gain", float("inf"))
    now = _known(model, state, known)
    known_columns = evidence_columns(model, weighed(model, obs))
    said = _said(model, state)
    flag_question = _red_flag_question(model, post, level, now, known_columns)
    deferred = None  # a screen put off by the first question, asked straight after it
    if flag_question is not None:
        if said is None or _touched_flags(model, now, said)[_flag_index(model, flag_question)]:
            return flag_question
        related = _red_flag_question(
            model, post, level, now, known_columns, only=_touched_flags(model, now, said)
        )
        if related is not None:
            return related
        deferred = flag_question
    checklist = model.kb.checklist
    if (
        checklist is not None
        and state.ticked is None
        and not any(known.get(item.finding) == "present" for item in checklist.items)
    ):
        return ChecklistQuestion(checklist)

    tables = _tables(model)
    candidates = np.flatnonzero(now.askable)
    if not len(candidates):
        return Stop("no questions left to ask")
    # Every answer of every candidate at once: one column per (finding, state).
    cols = [c for i in candidates for c in tables.columns[i]]
    starts = np.cumsum([0] + [len(tables.columns[i]) for i in candidates[:-1]])
    joint = post[:, None] * model.lik[:, cols]
    p_answer = joint.sum(axis=0)
    lift = reopen_factor(model, known_columns, cols)  # an answer naming an exposure opens its gate
    posts = joint * lift
    posts /= posts.sum(axis=0)
    chances = _answer_chances(model, state, post)
    weight = p_answer * chances[cols]
    care = model.care_levels(known_columns)
    levels = np.maximum(_mass_levels(model, posts, care), _flag_levels(model, now)[cols])
    tempered = post * tables.temper
    tempered /= tempered.sum()
    t_joint = tempered[:, None] * model.lik[:, cols]
    t_answer = t_joint.sum(axis=0)
    t_after = t_joint * lift
    bits = _entropy(tempered[:, None])[0] - _entropy(t_after / t_after.sum(axis=0))
    value = (
        t_answer / p_answer * bits  # information, as expected under the tempered posterior
        + TRIAGE_WEIGHT * tables.regret[int(level), levels]
        + TOP_WEIGHT * (posts.max(axis=0) - post.max())
    )
    scores = np.add.reduceat(weight * value, starts)
    best = int(np.argmax(scores))

    triage_open = bool(np.any((weight >= LIKELY) & (levels != int(level))))
    remaining = candidates[np.argsort(-scores, kind="stable")[: state.max_questions - len(state.asked)]]
    top_open = post.max() < SETTLED_TOP and _overtaken(model, post, remaining, chances) >= OVERTAKE
    if not triage_open and not top_open:
        settled = "no likely answer could change the triage and the most likely cause is settled"
        return deferred or Stop(settled)
    if scores[best] < MIN_VALUE and not top_open:
        return deferred or Stop("no remaining question is expected to change the result")
    if said is not None:
        about = (tables.describes[candidates] | np.isin(tables.premise[candidates], said)) & (scores > 0)
        if about.any():
            best = int(np.flatnonzero(about)[np.argmax(scores[about])])
        elif deferred is not None:
            return deferred
    finding = model.kb.findings[tables.finding_ids[candidates[best]]]
    return Question(finding, "information_gain", float(scores[best]))


def _said(model: Model, state: InterviewState) -> npt.NDArray[np.intp] | None:
    """Before the first question on the story (age and sex aside): the findings the person named (any state
    but "no"), as positions in the knowledge base; None once a question was asked or nothing was named."""
    demographics = (AGE_FINDING, SEX_FINDING)
    if state.ticked is not None or any(f not in demographics for f in (*state.asked, *state.answers)):
        return None
    tables = _tables(model)
    named = [
        tables.finding_index[f]
        for f, value in state.seeded.items()
        if value not in ("absent", UNKNOWN) and f in tables.finding_index and f not in demographics
    ]
    return np.array(named, dtype=np.intp) if named else None


def _touched_flags(model: Model, now: _Known, said: npt.NDArray[np.intp]) -> BoolArray:
    """The red flags one of whose own findings (not under a "not") the person named and has."""
    rules = _tables(model).rules
    leaves = np.isin(rules.finding_index, said) & (now.truth > 0) & ~rules.now.negated
    flags = np.zeros(len(rules.levels), dtype=bool)
    flags[rules.leaf_flag[leaves]] = True
    return flags


def _flag_index(model: Model, question: Question) -> int:
    return next(i for i, flag in enumerate(model.kb.red_flags) if flag.id == question.red_flag)


def _overtaken(model: Model, post: FloatArray, findings: npt.NDArray[np.intp], chances: FloatArray) -> float:
    """Chance that the most likely cause is overtaken once all of ``findings`` are asked.

    If cause c is the truth, each answer the person can give (with the chance learnt so far) adds its
    log-likelihood ratio to log P(c) / P(top). The model gives the mean and variance of the sum over the
    questions; c overtakes when the sum exceeds the log-odds it is behind by, taken with a normal
    distribution of that mean and variance, and weighted by the posterior of c.
    """
    tables = _tables(model)
    columns = [c for i in findings for c in tables.columns[i]]
    starts = np.cumsum([0] + [len(tables.columns[i]) for i in findings[:-1]])
    top = int(np.argmax(post))
    ratio = model.log_lik[:, columns] - model.log_lik[top, columns]
    step = model.lik[:, columns] * chances[columns] * ratio  # P(answer given | cause) x its log-ratio
    mean = step.sum(axis=1)
    variance = (step * ratio).sum(axis=1) - (np.add.reduceat(step, starts, axis=1) ** 2).sum(axis=1)
    with np.errstate(divide="ignore"):
        behind = np.log(post[top]) - np.log(post)
    z = (mean - behind) / np.sqrt(np.maximum(variance, 1e-12))
    overtake = 1.0 / (1.0 + np.exp(-1.702 * np.clip(z, -30, 30)))  # normal distribution function, +-0.01
    overtake[top] = 0.0
    return float(post @ overtake)


def _posterior(model: Model, obs: Sequence[Observation]) -> FloatArray:
    from twitchcheck.engine.inference import posterior

    return posterior(model, obs)
