"""Compiled red-flag circuits agree with the rules as written, for given answers and as P(rule | cause)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from twitchcheck.engine.circuit import compile_rules
from twitchcheck.engine.model import FloatArray, Model, compile_model
from twitchcheck.engine.triage import holds
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.loader import iter_leaves


@pytest.fixture(scope="module")
def model(kb: KnowledgeBase) -> Model:
    return compile_model(kb)


def _random_states(model: Model, rng: random.Random) -> dict[str, str]:
    """A random story over the findings the rules name, so that rules do fire now and then."""
    named = sorted({leaf["finding"] for leaf in compile_rules(model).now.leaves})
    return {f: rng.choice(model.kb.findings[f].state_ids) for f in rng.sample(named, rng.randint(0, 40))}


def _truth(model: Model, states: Mapping[str, str]) -> FloatArray:
    rules = compile_rules(model)
    truth: FloatArray = np.array(
        [
            float(states.get(leaf["finding"]) in (leaf.get("states") or [leaf["state"]]))
            for leaf in rules.now.leaves
        ]
    )
    return truth


def test_rules_as_they_stand_match_holds(model: Model) -> None:
    rules = compile_rules(model)
    rng = random.Random(3)
    fired_any = 0
    for _ in range(60):
        states = _random_states(model, rng)
        got = rules.now.evaluate(_truth(model, states)) > 0.5
        want = [holds(flag.when, states) for flag in model.kb.red_flags]
        assert got.tolist() == want
        fired_any += sum(want)
    assert fired_any > 0  # the comparison covered rules that fire, not only silent ones


def test_every_hypothetical_answer_matches_holds(model: Model) -> None:
    rules = compile_rules(model)
    rng = random.Random(5)
    columns = list(model.columns)
    for _ in range(10):
        states = _random_states(model, rng)
        after = rules.fire_after(_truth(model, states)) > 0.5
        for copy in rng.sample(range(len(rules.flag)), 300):
            finding, state = columns[rules.column[copy]]
            when = model.kb.red_flags[rules.flag[copy]].when
            assert finding in {leaf["finding"] for leaf in iter_leaves(when)}
            assert bool(after[copy]) == holds(when, {**states, finding: state})


def _p_rule(model: Model, expr: Mapping[str, Any]) -> FloatArray:
    """Reference: P(rule | cause) by walking the tree, findings independent given the cause."""
    if "finding" in expr:
        wanted = expr.get("states") or [expr["state"]]
        out: FloatArray = model.lik[:, [model.column(expr["finding"], s) for s in wanted]].sum(axis=1)
        return out
    if "not" in expr:
        return 1.0 - _p_rule(model, expr["not"])
    parts = [_p_rule(model, e) for e in expr.get("all") or expr["any"]]
    if "all" in expr:
        both: FloatArray = np.prod(parts, axis=0)
        return both
    either: FloatArray = 1.0 - np.prod([1.0 - p for p in parts], axis=0)
    return either


def test_probabilities_given_each_cause_match_the_tree(model: Model) -> None:
    rules = compile_rules(model)
    got = rules.now.evaluate(rules.given_cause)
    want = np.array([_p_rule(model, flag.when) for flag in model.kb.red_flags])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert np.all((got > 0) & (got < 1))


def test_a_copy_fixes_only_its_own_finding(model: Model) -> None:
    """Per cause, assuming an answer turns that finding's leaves into 0/1 and leaves the rest as they were."""
    rules = compile_rules(model)
    flag = next(i for i, f in enumerate(model.kb.red_flags) if f.id == "tetany")
    part = rules.copies[flag]
    after = rules.fire_after(rules.given_cause, flag)
    columns = list(model.columns)
    for copy in range(part.start, part.stop):
        finding, state = columns[rules.column[copy]]
        assert rules.flag[copy] == flag
        fixed = rules.fire_after(rules.given_cause)[copy]
        np.testing.assert_allclose(after[copy - part.start], fixed)
        if finding == "tetany":  # the rule needs tetany: "absent" rules it out for every cause
            assert np.all(fixed == 0.0) if state == "absent" else np.all(fixed > 0.0)
