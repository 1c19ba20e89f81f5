"""The fast target matcher and the block-wise ConText find what medspaCy's own components find.

Both replace medspaCy components for speed only (see text/matching.py and text/context.py), so
the reference is medspaCy itself, run on the same tokens, norms and sentences: the same target
spans, the same modifiers, and for every target the same modifiers in the same order.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from medspacy.context import ConText, ConTextModifier, ConTextRule
from medspacy.target_matcher import TargetMatcher, TargetRule
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.text.context import _scope, _sentence_of
from twitchcheck.text.context_rules import SPAN_GROUP, load_rules
from twitchcheck.text.matching import UNBOUNDED, RuleMatcher, chain, first_words, steps
from twitchcheck.text.pipeline import Pipeline, get_pipeline

from ..conftest import DATA, shared_file

ANNOTATIONS = DATA / "text_annotations.jsonl"


def _texts() -> list[str]:
    texts = [json.loads(line)["text"] for line in ANNOTATIONS.read_text("utf-8").splitlines() if line.strip()]
    vignettes = shared_file("vignettes", "public.jsonl")
    if vignettes is not None:
        texts += [
            json.loads(line)["text"] for line in vignettes.read_text("utf-8").splitlines() if line.strip()
        ]
    # Long texts: many sentences (blocks) and one run-on "sentence" cut by the length limit.
    texts.append(" ".join(texts[:40]))
    texts.append("no twitching in my calf, my mum has cramps and no weakness " * 40)
    return texts


class Stock:
    """medspaCy's TargetMatcher and ConText, configured as the pipeline used to configure them."""

    def __init__(self, pipeline: Pipeline) -> None:
        nlp = pipeline.nlp
        self.upstream = [
            proc
            for name, proc in nlp.pipeline
            if not name.startswith(("twitchcheck_targets", "twitchcheck_context"))
        ]
        self.nlp = nlp
        self.targets = TargetMatcher(
            nlp,
            name="stock_targets",
            result_type="group",
            span_group_name=SPAN_GROUP,
            prune=False,
            phrase_matcher_attr="NORM",
        )
        self.targets.add(
            [
                TargetRule(pattern[0]["NORM"], f"T{i}")
                if len(pattern) == 1 and str(pattern[0].get("NORM", "")).isalnum()
                else TargetRule(info.phrase, f"T{i}", pattern=list(pattern))
                for i, (info, pattern) in enumerate(pipeline.vocabulary.targets)
                if pattern  # frames have no token pattern: ``frames`` below brings their spans
            ]
        )
        self.context = ConText(
            nlp,
            name="stock_context",
            rules=None,
            input_span_type="group",
            span_group_name=SPAN_GROUP,
            span_attrs=None,
        )
        self.context.add(load_rules(pipeline.grammar))

    def __call__(self, text: str, frames: list[tuple[int, int, str]]) -> Doc:
        doc = self.nlp.make_doc(text)
        for proc in self.upstream:
            doc = proc(doc)
        doc = self.targets(doc)
        doc.spans[SPAN_GROUP] = [
            *doc.spans[SPAN_GROUP],
            *(Span(doc, s, e, label=lab) for s, e, lab in frames),
        ]
        result: Doc = self.context(doc)
        return result


def _frames(pipeline: Pipeline, doc: Doc) -> list[tuple[int, int, str]]:
    """Frame matches (no medspaCy counterpart: ``frames.py`` is tested on its own)."""
    return [
        (s.start, s.end, s.label_)
        for s in doc.spans[SPAN_GROUP]
        if not pipeline.vocabulary.targets[int(s.label_[1:])][1]
    ]


def _summary(doc: Doc) -> tuple[Counter[Any], list[Any], dict[Any, list[Any]]]:
    spans = doc.spans[SPAN_GROUP]
    targets = Counter((s.start, s.end, s.label_) for s in spans)
    modifiers = [(m.category, m.modifier_span) for m in doc._.context_graph.modifiers]
    edges = {(s.start, s.end): [(m.category, m.modifier_span) for m in s._.modifiers] for s in spans}
    return targets, modifiers, edges


@pytest.fixture(scope="module")
def stock(kb: KnowledgeBase) -> Stock:
    return Stock(get_pipeline(kb))


@pytest.mark.slow  # builds medspaCy's own pipeline to compare: about 7 s
def test_same_targets_modifiers_and_edges_as_medspacy(kb: KnowledgeBase, stock: Stock) -> None:
    pipeline = get_pipeline(kb)
    differ = []
    for text in _texts():
        doc = pipeline(text)
        ours, theirs = _summary(doc), _summary(stock(text, _frames(pipeline, doc)))
        if ours != theirs:
            differ.append(text[:60])
    assert not differ


def test_patterns_become_steps_chains_and_start_words() -> None:
    filler = {"NORM": {"IN": ["a", "the"]}, "OP": "{,3}"}
    synonym = steps([{"NORM": "muscl"}, filler, {"NORM": "twitch"}], "NORM")
    assert synonym is not None
    assert chain(synonym) == (("muscl", "twitch"), frozenset({"a", "the"}), 3)
    assert first_words(synonym) == frozenset({"muscl"})
    optional_first = steps([{"LOWER": "no", "OP": "?"}, {"LOWER": {"IN": ["x", "y"]}}], "LOWER")
    assert optional_first is not None
    assert chain(optional_first) is None
    assert first_words(optional_first) == frozenset({"no", "x", "y"})
    trailing = steps([{"LOWER": "no"}, {"LOWER": "new", "OP": "?"}], "LOWER")
    assert trailing is not None and chain(trailing) is None
    assert steps([{"LOWER": "a", "OP": "{2,4}"}], "LOWER") == ((frozenset({"a"}), 2, 4),)
    assert first_words(steps([{"LOWER": "a", "OP": "?"}], "LOWER") or ()) is None
    assert steps([{"LOWER": "a", "OP": "+"}], "LOWER") == ((frozenset({"a"}), 1, UNBOUNDED),)
    assert steps([{"LOWER": "a", "OP": "{2,}"}], "LOWER") == ((frozenset({"a"}), 2, UNBOUNDED),)
    assert steps([{"LOWER": "a", "IS_SENT_START": True}], "LOWER") is None
    # A number test only where it reads the word itself (a normal form of a number is a placeholder).
    assert steps([{"LIKE_NUM": True}], "LOWER") is None  # no test given
    assert steps([{"LIKE_NUM": True}], "NORM", str.isdigit) is None
    number = steps([{"LIKE_NUM": True}], "LOWER", str.isdigit)
    assert number is not None and "12" in number[0][0] and "x" not in number[0][0]
    assert first_words(number) is None


def test_rule_matcher_finds_what_spacys_matcher_finds(kb: KnowledgeBase) -> None:
    """Patterns outside our pipeline's shapes: optional and repeated tokens (bounded or not), a
    filler that is also the next word, numbers, and a pattern spaCy's Matcher has to handle itself."""
    nlp = get_pipeline(kb).nlp
    doc = nlp.make_doc(
        "no no pain at all , not the the pain , maybe pain pain pain here , no 3 , x twelve twitches, 1.5"
    )
    patterns: list[list[dict[str, Any]]] = [
        [{"LOWER": {"IN": ["no", "not"]}}, {"LOWER": "the", "OP": "{,2}"}, {"LOWER": "pain"}],
        [{"LOWER": "maybe", "OP": "?"}, {"LOWER": "pain", "OP": "{1,2}"}, {"LOWER": "here", "OP": "?"}],
        [{"LOWER": "pain"}, {"LOWER": {"IN": ["pain", "at"]}, "OP": "{,1}"}, {"LOWER": "pain"}],
        [{"LOWER": "at"}, {"LOWER": "all"}, {"IS_PUNCT": True}],
        [{"LOWER": {"IN": ["no", "not"]}}, {"LOWER": {"IN": ["no", "the"]}, "OP": "*"}, {"LOWER": "pain"}],
        [{"LOWER": "pain", "OP": "+"}, {"LOWER": {"IN": ["here", "pain"]}, "OP": "{1,}"}],
        [{"LOWER": {"IN": ["no", "x"]}}, {"LIKE_NUM": True}],
        [{"LIKE_NUM": True}, {"LOWER": "twitches", "OP": "?"}],
    ]
    ours = RuleMatcher(nlp.vocab, "LOWER", nlp.tokenizer)
    theirs = Matcher(nlp.vocab)
    pattern: list[dict[str, Any]]
    for i, pattern in enumerate(patterns):
        ours.add(f"P{i}", pattern, "")
        theirs.add(f"P{i}", [pattern])
    assert sorted(ours(doc)) == sorted(theirs(doc))
    assert len(ours(doc)) > len(patterns)
    assert [key for key, _ in ours._other_rules] == ["P3"]  # only IS_PUNCT is left to spaCy


def test_modifier_scopes_are_the_ones_medspacy_sets(kb: KnowledgeBase) -> None:
    """BlockConText gives each modifier its scope from the sentences it knows; medspaCy's
    ConTextModifier works it out itself from the same doc (every rule, every direction)."""
    pipeline = get_pipeline(kb)
    context = pipeline.nlp.get_pipe("twitchcheck_context")
    # One rule of each direction and reach, and reaches the rules do not use yet.
    rules = list({(r.direction, r.max_scope): r for r in context._rules.values()}.values())
    rules += [
        ConTextRule(f"x{reach}", "NEGATED_EXISTENCE", direction=direction, max_scope=reach)
        for direction in ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE")
        for reach in (1, 2, 5)
    ]
    compared = 0
    for text in _texts()[:80]:
        doc = pipeline(text)
        sentence_of = _sentence_of(doc)
        for start in range(len(doc)):
            for rule in rules:
                end = min(start + 2, len(doc))
                theirs = ConTextModifier(rule, start, end, doc)
                assert _scope(rule, start, end, sentence_of) == theirs.scope_span, (text, rule.literal)
                compared += 1
    assert compared > 1000
