"""The spaCy/medspaCy pipeline, built once per knowledge base.

Pipeline: medspaCy tokenizer -> normaliser (inflection folding + typo repair, writes
``Token.norm_``) -> sentence/clause splitter -> medspaCy TargetMatcher (targets from the knowledge
base only) -> medspaCy ConText (default rules + ours). Building it compiles a few thousand
patterns and takes about a second, so it is cached per knowledge base object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from loguru import logger
from spacy.language import Language
from spacy.tokens import Doc

from twitchcheck.knowledge.schema import Finding
from twitchcheck.text.context_rules import SPAN_GROUP, load_rules
from twitchcheck.text.fuzzy import FuzzyVocabulary
from twitchcheck.text.grammar import Grammar, load_grammar
from twitchcheck.text.normalize import Normalizer
from twitchcheck.text.vocabulary import TargetInfo, Vocabulary, build_vocabulary

# PyRuSH (pulled in by medspaCy) logs every sentence at DEBUG through loguru. Disabling its
# namespace silences it without touching handlers that other loguru users configured.
logger.disable("PyRuSH")

NEGATED_PREFIX_KEY = "twitchcheck_negated_prefix"
_LABEL_PREFIX = "T"
_SENTENCE_END = {".", "!", "?", ";", "...", "…"}
_ABBREVIATIONS = {"dr.", "mr.", "mrs.", "ms.", "e.g.", "i.e.", "vs.", "approx.", "etc.", "no.", "st."}


class HasFindings(Protocol):
    """What the text reader needs from a knowledge base (the real one or a test double).

    Hashable by identity like :class:`~twitchcheck.knowledge.KnowledgeBase`, so pipelines can be
    cached per base.
    """

    @property
    def findings(self) -> Mapping[str, Finding]: ...

    def __hash__(self) -> int: ...


@dataclass(frozen=True, eq=False)
class Pipeline:
    """A ready-to-run pipeline plus the compiled vocabulary and grammar it was built from."""

    nlp: Any
    findings: Mapping[str, Finding]
    grammar: Grammar
    vocabulary: Vocabulary
    normalize: Normalizer

    def __call__(self, text: str) -> Doc:
        doc: Doc = self.nlp(text)
        return doc


def _grammar_words() -> frozenset[str]:
    """Every word the grammar and context rules use: never 'corrected' into a finding word."""
    files = resources.files("twitchcheck.text").joinpath("data")
    text = files.joinpath("grammar.yaml").read_text("utf-8") + files.joinpath("context_rules.json").read_text(
        "utf-8"
    )
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z]{3,}", text))


def _normalizer_component(
    normalize: Normalizer, fuzzy: FuzzyVocabulary, known: frozenset[str], protected: frozenset[str]
) -> Any:
    def component(doc: Doc) -> Doc:
        negated: set[int] = set()
        for token in doc:
            lower = token.lower_
            norm = normalize(lower)
            if norm not in known and token.is_alpha and lower not in protected:
                fixed = fuzzy.correct(lower, protected)
                if fixed is not None:
                    norm = fixed
                elif len(lower) > 5 and lower[0] == "a" and lower[1:] in fuzzy:
                    # "afebrile", "apyrexial": a negating prefix on a known word.
                    norm = normalize(lower[1:])
                    negated.add(token.i)
            token.norm_ = norm
        doc.user_data[NEGATED_PREFIX_KEY] = negated
        return doc

    return component


def _split_sentences(doc: Doc) -> Doc:
    """Sentence and clause boundaries for lay text: . ! ? ; and line breaks.

    PyRuSH's clinical rules leave "30F teacher. 10 d twitching" as one sentence; ConText scopes
    are sentence-wide, so over-long sentences let a negation leak into the next statement.
    """
    for i, token in enumerate(doc):
        token.is_sent_start = i == 0
    for i, token in enumerate(doc[:-1]):
        text = token.text
        nxt = doc[i + 1]
        boundary = (
            text in _SENTENCE_END
            or "\n" in text
            or (
                text.endswith(".")
                and len(text) > 1
                and text.lower() not in _ABBREVIATIONS
                and not text[0].isdigit()
            )
        )
        if text == "." and nxt.text[:1].isdigit() and i > 0 and doc[i - 1].text[-1:].isdigit():
            boundary = False
        if boundary and not nxt.is_space:
            nxt.is_sent_start = True
        elif boundary and nxt.is_space and i + 2 < len(doc):
            doc[i + 2].is_sent_start = True
    return doc


_COMPONENT_COUNTER = [0]


def build_pipeline(kb: HasFindings) -> Pipeline:
    """Compile the pipeline for ``kb`` (uncached; use :func:`get_pipeline`)."""
    import medspacy
    from medspacy.target_matcher import TargetRule

    grammar = load_grammar()
    normalize = Normalizer(grammar.normalize)
    nlp = medspacy.load(medspacy_enable=["medspacy_tokenizer"])

    def tokenize(phrase: str) -> list[str]:
        return [t.text for t in nlp.tokenizer(phrase)]

    vocabulary = build_vocabulary(kb.findings, grammar, tokenize, normalize)
    known = frozenset(
        {n for info, _ in vocabulary.targets for n in info.norms} | set(vocabulary.surface_norms.values())
    )
    fuzzy = FuzzyVocabulary(vocabulary.surface_norms)
    protected = _grammar_words()

    _COMPONENT_COUNTER[0] += 1
    name = f"twitchcheck_normalize_{_COMPONENT_COUNTER[0]}"
    Language.component(name, func=_normalizer_component(normalize, fuzzy, known, protected))
    nlp.add_pipe(name)
    if "twitchcheck_sentences" not in Language.factories:
        Language.component("twitchcheck_sentences", func=_split_sentences)
    nlp.add_pipe("twitchcheck_sentences")

    matcher = nlp.add_pipe(
        "medspacy_target_matcher",
        config={
            "result_type": "group",
            "span_group_name": SPAN_GROUP,
            "prune": False,
            "phrase_matcher_attr": "NORM",
        },
    )
    # The span label carries the rule's index: spaCy keys span extensions by offsets only, so two
    # findings matched on the same words ("vomiting") would otherwise share one ``_.target_rule``.
    # One-word targets go to spaCy's PhraseMatcher (a hash lookup on the normal form); only
    # multi-word synonyms with optional fillers need the slower token Matcher.
    matcher.add(
        [
            TargetRule(pattern[0]["NORM"], f"{_LABEL_PREFIX}{i}")
            if _single_word(pattern)
            else TargetRule(info.phrase, f"{_LABEL_PREFIX}{i}", pattern=list(pattern))
            for i, (info, pattern) in enumerate(vocabulary.targets)
        ]
    )
    context = nlp.add_pipe(
        "medspacy_context",
        config={
            "rules": None,
            "input_span_type": "group",
            "span_group_name": SPAN_GROUP,
            "span_attrs": None,
        },
    )
    context.add(load_rules(grammar))
    return Pipeline(
        nlp=nlp, findings=kb.findings, grammar=grammar, vocabulary=vocabulary, normalize=normalize
    )


def _single_word(pattern: tuple[dict[str, Any], ...]) -> bool:
    """A one-token pattern whose normal form the tokenizer keeps as one token."""
    norm = pattern[0].get("NORM")
    return len(pattern) == 1 and isinstance(norm, str) and norm.isalnum()


@lru_cache(maxsize=8)
def get_pipeline(kb: HasFindings) -> Pipeline:
    """The pipeline for ``kb``, built on first use (about a second) and reused afterwards."""
    return build_pipeline(kb)


def target_info(pipeline: Pipeline, span: Any) -> TargetInfo:
    """The :class:`TargetInfo` a TargetMatcher span was produced from (see the span label)."""
    return pipeline.vocabulary.targets[int(span.label_[len(_LABEL_PREFIX) :])][0]
