"""The spaCy/medspaCy pipeline, built once per knowledge base.

Pipeline: medspaCy tokenizer -> normaliser (inflection folding + typo repair, numbers to one
placeholder word, writes ``Token.norm_``) -> sentence/clause splitter -> targets (the knowledge
base's synonyms only; the spans medspaCy's TargetMatcher made, matched faster, see
``matching.py``) -> medspaCy's ConText algorithm with its default rules + ours, run block by block
(``context.py``). Building it compiles a few thousand patterns and takes about a second, so it is
cached per knowledge base object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol, cast

import numpy
from loguru import logger
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.types import Ints2d

from twitchcheck.knowledge.schema import Finding
from twitchcheck.text.context import BlockConText
from twitchcheck.text.context_rules import SPAN_GROUP, load_rules
from twitchcheck.text.frames import FrameMatcher, FrameRule
from twitchcheck.text.fuzzy import FuzzyVocabulary
from twitchcheck.text.grammar import Grammar, load_grammar
from twitchcheck.text.matching import RuleMatcher
from twitchcheck.text.normalize import Normalizer
from twitchcheck.text.vocabulary import TargetInfo, Vocabulary, build_vocabulary

# PyRuSH (pulled in by medspaCy) logs every sentence at DEBUG through loguru. Disabling its
# namespace silences it without touching handlers that other loguru users configured.
logger.disable("PyRuSH")

NEGATED_PREFIX_KEY = "twitchcheck_negated_prefix"
_LABEL_PREFIX = "T"
_SENTENCE_END = {".", "!", "?", ";", "...", "…"}
MAX_SENTENCE_TOKENS = 150
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


# A number in digits ("8", "5.5", "8-10", "~8"), and one glued to a word ("10lbs" -> "lbs").
_NUMBER_TOKEN = re.compile(r"[~≈<>]?\d+(?:[.,]\d+)?(?:[-–]\d+(?:[.,]\d+)?)?")
_GLUED_NUMBER = re.compile(r"[~≈<>]?\d+(?:[.,]\d+)?([a-z]+)")


def _normalizer_component(
    normalize: Normalizer,
    fuzzy: FuzzyVocabulary,
    known: frozenset[str],
    protected: frozenset[str],
    number: str,
) -> Any:
    def component(doc: Doc) -> Doc:
        negated: set[int] = set()
        for token in doc:
            lower = token.lower_
            if lower[:1].isdigit() or (lower[:1] in "~≈<>" and lower[1:2].isdigit()):
                if _NUMBER_TOKEN.fullmatch(lower):
                    token.norm_ = number
                    continue
                glued = _GLUED_NUMBER.fullmatch(lower)
                if glued is not None:
                    token.norm_ = normalize(glued.group(1))
                    continue
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
    A run of more than ``MAX_SENTENCE_TOKENS`` tokens without a boundary is not prose (no
    sentence in our corpora reaches 60); it is cut so that ConText, which compares every pair of
    modifiers in a sentence, stays linear. The starts are written in one ``from_array`` call:
    spaCy's ``Token.is_sent_start`` setter scans the whole doc each time.
    """
    n = len(doc)
    if n == 0:
        return doc
    starts = [False] * n
    starts[0] = True
    for i in range(n - 1):
        token = doc[i]
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
            starts[i + 1] = True
        elif boundary and nxt.is_space and i + 2 < n:
            starts[i + 2] = True
    length = 0
    for i in range(n):
        if starts[i] or length >= MAX_SENTENCE_TOKENS:
            starts[i] = True
            length = 0
        length += 1
    flags = numpy.array([1 if start else -1 for start in starts], dtype=numpy.int64).reshape(n, 1)
    doc.from_array([SENT_START], cast(Ints2d, flags.astype(numpy.uint64)))
    return doc


_COMPONENT_COUNTER = [0]


def build_pipeline(kb: HasFindings) -> Pipeline:
    """Compile the pipeline for ``kb`` (uncached; use :func:`get_pipeline`)."""
    import medspacy

    grammar = load_grammar()
    normalize = Normalizer(grammar.normalize)
    nlp = medspacy.load(medspacy_enable=["medspacy_tokenizer"])
    _split_contractions(nlp, grammar.normalize.apostrophe_less)

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
    Language.component(
        name, func=_normalizer_component(normalize, fuzzy, known, protected, grammar.numbers.placeholder)
    )
    nlp.add_pipe(name)
    if "twitchcheck_sentences" not in Language.factories:
        Language.component("twitchcheck_sentences", func=_split_sentences)
    nlp.add_pipe("twitchcheck_sentences")

    Language.component(
        f"twitchcheck_targets_{_COMPONENT_COUNTER[0]}", func=_target_component(nlp, vocabulary)
    )
    nlp.add_pipe(f"twitchcheck_targets_{_COMPONENT_COUNTER[0]}")
    context = BlockConText(nlp, load_rules(grammar), SPAN_GROUP)
    Language.component(f"twitchcheck_context_{_COMPONENT_COUNTER[0]}", func=context)
    nlp.add_pipe(f"twitchcheck_context_{_COMPONENT_COUNTER[0]}")
    return Pipeline(
        nlp=nlp, findings=kb.findings, grammar=grammar, vocabulary=vocabulary, normalize=normalize
    )


def _split_contractions(nlp: Language, words: Mapping[str, str]) -> None:
    """Phone typing drops the apostrophe: "cant", "wont", "doesnt" split like "can't" ("ca" +
    "nt"), so synonyms, frames and negation read them the same way (``nt`` normalises to
    ``n't``)."""
    from spacy.symbols import ORTH

    tokenizer: Any = nlp.tokenizer
    for word, stem in words.items():
        for form in {word, word.capitalize(), word.upper()}:
            head = form[: len(stem)]
            tokenizer.add_special_case(form, [{ORTH: head}, {ORTH: form[len(stem) :]}])


def _target_component(nlp: Language, vocabulary: Vocabulary) -> Callable[[Doc], Doc]:
    """Finding words -> spans in ``doc.spans[SPAN_GROUP]`` (what medspaCy's TargetMatcher made).

    The span label carries the rule's index: spaCy keys span extensions by offsets only, so two
    findings matched on the same words ("vomiting") could not be told apart by an extension.
    One-word targets go to spaCy's PhraseMatcher (a hash lookup on the normal form); multi-word
    synonyms with optional fillers to token patterns, tried only where they can match.
    """
    matcher = RuleMatcher(nlp.vocab, "NORM", nlp.tokenizer)
    labels: dict[int, str] = {}
    for i, (info, pattern) in enumerate(vocabulary.targets):
        label = f"{_LABEL_PREFIX}{i}"
        labels[nlp.vocab.strings.add(label)] = label
        if not pattern:
            continue  # a frame, matched below
        if _single_word(pattern):
            matcher.add(label, None, pattern[0]["NORM"])
        else:
            matcher.add(label, pattern, info.phrase)
    # A frame about a body part stops at another body part ("my face twitches and my leg dropped");
    # one about a task or a time ("can't open jars", "tackled 10 mins ago") does not.
    body = vocabulary.body_norms | {
        p for _, parts, *_ in vocabulary.frames if parts & vocabulary.body_norms for p in parts
    }
    frames = FrameMatcher(
        FrameRule(
            nlp.vocab.strings[f"{_LABEL_PREFIX}{i}"],
            parts,
            change,
            window,
            before,
            frozenset(body) if parts & vocabulary.body_norms else frozenset(),
        )
        for i, parts, change, window, before in vocabulary.frames
    )

    def component(doc: Doc) -> Doc:
        matches = matcher(doc)
        if frames:
            matches = [*matches, *frames(doc)]
        doc.spans[SPAN_GROUP] = [Span(doc, start, end, label=labels[key]) for key, start, end in matches]
        return doc

    return component


def _single_word(pattern: tuple[dict[str, Any], ...]) -> bool:
    """A one-token pattern whose normal form the tokenizer keeps as one token."""
    norm = pattern[0].get("NORM")
    return len(pattern) == 1 and isinstance(norm, str) and norm.isalnum()


@lru_cache(maxsize=8)
def get_pipeline(kb: HasFindings) -> Pipeline:
    """The pipeline for ``kb``, built on first use (about a second) and reused afterwards."""
    return build_pipeline(kb)


def target_info(pipeline: Pipeline, span: Any) -> TargetInfo:
    """The :class:`TargetInfo` a target span was produced from (see the span label)."""
    return pipeline.vocabulary.targets[int(span.label_[len(_LABEL_PREFIX) :])][0]
