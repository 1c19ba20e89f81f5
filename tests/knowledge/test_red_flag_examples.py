"""Examples as data: every red-flag rule in the packaged base carries evidence sets that must fire it and
near-misses that must not (``examples`` in red_flags.yaml). They run through the engine's own evaluation
(:func:`twitchcheck.engine.triage.fired_red_flags`, including its skip of rules none of whose required
findings is known), so a rule edit that breaks its stated intent fails here,
naming the rule and the example."""

from __future__ import annotations

import pytest

from twitchcheck.engine.evidence import from_answers
from twitchcheck.engine.inference import posterior
from twitchcheck.engine.model import Model, compile_model
from twitchcheck.engine.triage import decide, fired_red_flags
from twitchcheck.knowledge import KnowledgeBase, load_kb
from twitchcheck.knowledge.schema import Level, RedFlag

MIN_EXAMPLES = 2

_KB = load_kb()
_FLAGS = {flag.id: flag for flag in _KB.red_flags}


@pytest.fixture(scope="module")
def model(kb: KnowledgeBase) -> Model:
    return compile_model(kb)


def _fired(model: Model, evidence: dict[str, str]) -> set[str]:
    return {flag.id for flag in fired_red_flags(model, from_answers(model.kb, evidence))}


def test_every_rule_has_examples_both_ways() -> None:
    thin = [
        f"{flag.id}: {0 if flag.examples is None else len(flag.examples.fires)} firing, "
        f"{0 if flag.examples is None else len(flag.examples.not_fires)} near-miss"
        for flag in _KB.red_flags
        if flag.examples is None
        or len(flag.examples.fires) < MIN_EXAMPLES
        or len(flag.examples.not_fires) < MIN_EXAMPLES
    ]
    assert not thin, f"rules need >= {MIN_EXAMPLES} firing and >= {MIN_EXAMPLES} non-firing examples: {thin}"


def _cases(kind: str) -> list[tuple[str, int, dict[str, str]]]:
    cases: list[tuple[str, int, dict[str, str]]] = []
    for flag in _KB.red_flags:
        if flag.examples is None:
            continue
        examples = flag.examples.fires if kind == "fires" else flag.examples.not_fires
        cases.extend((flag.id, i, evidence) for i, evidence in enumerate(examples))
    return cases


def _case_id(case: tuple[str, int, dict[str, str]]) -> str:
    return f"{case[0]}[{case[1]}]"


@pytest.mark.parametrize("case", _cases("fires"), ids=_case_id)
def test_firing_example_fires_its_rule(model: Model, case: tuple[str, int, dict[str, str]]) -> None:
    flag_id, _, evidence = case
    assert flag_id in _fired(model, evidence), f"{flag_id} should fire on {evidence}"


@pytest.mark.parametrize("case", _cases("not"), ids=_case_id)
def test_near_miss_does_not_fire_its_rule(model: Model, case: tuple[str, int, dict[str, str]]) -> None:
    flag_id, _, evidence = case
    assert flag_id not in _fired(model, evidence), f"{flag_id} should not fire on {evidence}"


@pytest.mark.parametrize("case", _cases("fires"), ids=_case_id)
def test_firing_example_lifts_triage_to_the_rule_level(
    model: Model, case: tuple[str, int, dict[str, str]]
) -> None:
    """A fired rule holds the floor of the whole assessment, not only the list of fired flags."""
    flag_id, _, evidence = case
    flag: RedFlag = _FLAGS[flag_id]
    observations = from_answers(model.kb, evidence)
    decision = decide(model, posterior(model, observations), observations)
    assert decision.level >= Level.parse(flag.level)
