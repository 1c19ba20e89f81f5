"""Safety-first triage: red-flag floors first, then the posterior mass of causes needing care."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.model import FloatArray, Model
from twitchcheck.knowledge import CACHED_BASES, KnowledgeBase
from twitchcheck.knowledge.schema import Level, RedFlag


def holds(expr: Mapping[str, Any], states: Mapping[str, str]) -> bool:
    """Evaluate a red-flag expression; a leaf on an unknown finding is false."""
    if "finding" in expr:
        state = states.get(expr["finding"])
        wanted = expr.get("states") or [expr["state"]]
        return state is not None and state in wanted
    if "all" in expr:
        return all(holds(e, states) for e in expr["all"])
    if "any" in expr:
        return any(holds(e, states) for e in expr["any"])
    return not holds(expr["not"], states)


def settled(expr: Mapping[str, Any], states: Mapping[str, str]) -> bool | None:
    """Three-valued ``holds``: None while the unknown findings could still make the rule hold or fail."""
    if "finding" in expr:
        state = states.get(expr["finding"])
        return None if state is None else state in (expr.get("states") or [expr["state"]])
    if "not" in expr:
        inner = settled(expr["not"], states)
        return None if inner is None else not inner
    values = [settled(e, states) for e in expr["all" if "all" in expr else "any"]]
    decisive = "all" not in expr  # any: one True decides; all: one False decides
    if decisive in values:
        return decisive
    return None if None in values else not decisive


def positive_leaves(expr: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if "finding" in expr:
        return [expr]
    if "not" in expr:
        return []
    return [leaf for e in expr["all" if "all" in expr else "any"] for leaf in positive_leaves(e)]


@lru_cache(maxsize=CACHED_BASES)
def warning_findings(kb: KnowledgeBase) -> frozenset[str]:
    """Findings an emergency or urgent red-flag rule asks for present (as opposed to absent)."""
    return frozenset(
        leaf["finding"]
        for flag in kb.red_flags
        if flag.level in ("emergency", "urgent")
        for leaf in positive_leaves(flag.when)
    )


@dataclass(frozen=True)
class OpenFlag:
    """A rule one of whose ``opens_on`` findings is present but which is not yet decided."""

    flag: RedFlag
    sign: Observation
    missing: str  # the finding to ask first: the one that would complete the rule on its own, if any


def open_red_flags(model: Model, observations: Sequence[Observation]) -> tuple[OpenFlag, ...]:
    """Rules that have not fired but could once the unknown findings are answered, most urgent first."""
    states = {o.finding: o.state for o in observations}
    by_finding = {o.finding: o for o in observations}
    out = []
    for flag, _ in model.red_flags:
        signs = [by_finding[f] for f in flag.opens_on if states.get(f) == "present"]
        if not signs or holds(flag.when, states) or settled(flag.when, states) is not None:
            continue
        unknown = [leaf for leaf in positive_leaves(flag.when) if leaf["finding"] not in states]
        completing = [
            leaf
            for leaf in unknown
            if holds(flag.when, {**states, leaf["finding"]: (leaf.get("states") or [leaf["state"]])[0]})
        ]
        if unknown:
            out.append(OpenFlag(flag, signs[0], (completing or unknown)[0]["finding"]))
    out.sort(key=lambda o: Level.parse(o.flag.level), reverse=True)
    return tuple(out)


@dataclass(frozen=True)
class MassRule:
    level: Level
    mass: float
    threshold: float
    contributors: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class TriageDecision:
    level: Level
    fired: tuple[RedFlag, ...]
    mass_rule: MassRule | None

    @property
    def from_red_flag(self) -> bool:
        return any(Level.parse(f.level) == self.level for f in self.fired)


def fired_red_flags(model: Model, observations: Sequence[Observation]) -> tuple[RedFlag, ...]:
    """Flags that hold, most urgent first; a flag none of whose required findings is known is skipped."""
    states = {o.finding: o.state for o in observations}
    fired = [
        flag
        for flag, needs in model.red_flags
        if (needs is None or not needs.isdisjoint(states)) and holds(flag.when, states)
    ]
    fired.sort(key=lambda f: Level.parse(f.level), reverse=True)
    return tuple(fired)


def fired_red_flags_with(
    model: Model, observations: Sequence[Observation], extra: Observation
) -> tuple[RedFlag, ...]:
    """The rules naming ``extra``'s finding (which ``observations`` do not know) that hold once it is
    added, most urgent first. The rules that do not name it hold or fail as they did without it, so
    these are the rules ``fired_red_flags(model, [*observations, extra])`` adds, in its order, found
    without evaluating the fifty-odd others again for every doubtful sign."""
    states = {o.finding: o.state for o in observations}
    states[extra.finding] = extra.state
    fired = [
        flag
        for flag, needs in (model.red_flags[i] for i in _flags_naming(model).get(extra.finding, ()))
        if (needs is None or not needs.isdisjoint(states)) and holds(flag.when, states)
    ]
    fired.sort(key=lambda f: Level.parse(f.level), reverse=True)
    return tuple(fired)


@lru_cache(maxsize=CACHED_BASES)
def _flags_naming(model: Model) -> dict[str, tuple[int, ...]]:
    """For each finding, the rules (indexes into ``model.red_flags``) whose expression names it."""
    naming: dict[str, list[int]] = {}
    for i, (flag, _) in enumerate(model.red_flags):
        for finding in dict.fromkeys(_named(flag.when)):
            naming.setdefault(finding, []).append(i)
    return {finding: tuple(rules) for finding, rules in naming.items()}


def _named(expr: Mapping[str, Any]) -> list[str]:
    """Every finding an expression names, under "not" too."""
    if "finding" in expr:
        return [expr["finding"]]
    if "not" in expr:
        return _named(expr["not"])
    return [f for e in expr["all" if "all" in expr else "any"] for f in _named(e)]


def mass_level(model: Model, post: FloatArray, care: npt.NDArray[np.int64] | None = None) -> MassRule | None:
    """The most urgent level whose threshold the posterior mass of causes at or above it reaches.

    ``care``: each cause's care level for this evidence (``Model.care_levels``); the declared levels if None.
    """
    for level, mask, threshold in model.mass_masks(model.care if care is None else care):
        mass = float(post[mask].sum())
        if mass >= threshold:
            rows = [(model.rows[i], float(post[i])) for i in mask.nonzero()[0]]
            rows.sort(key=lambda item: item[1], reverse=True)
            return MassRule(level, mass, threshold, tuple(r for r in rows if r[1] >= 0.01)[:5])
    return None


def decide(model: Model, post: FloatArray, observations: Sequence[Observation]) -> TriageDecision:
    fired = fired_red_flags(model, observations)
    rule = mass_level(
        model, post, model.care_levels([model.column(o.finding, o.state) for o in observations])
    )
    levels = [Level.parse(f.level) for f in fired] + [rule.level if rule else Level.self_care]
    return TriageDecision(max(levels), fired, rule)
