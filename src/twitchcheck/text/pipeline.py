"""The spaCy/medspaCy pipeline, built once per knowledge base.

Pipeline: medspaCy tokenizer -> normaliser (inflection folding + typo repair, numbers to one
placeholder word, writes ``Token.norm_``) -> sentence/clause splitter -> targets (the knowledge
base's synonyms only; the spans medspaCy's TargetMatcher made, matched faster, see
``matching.py``) -> medspaCy's ConText algorithm with its default rules + ours, run block by block
(``context.py``). Building it compiles a few thousand patterns and takes about a second, so it is
cached per knowledge base object.

Text goes to the tokenizer in pieces of bounded length (``guard.py``): linear time on any input.

spaCy 3.7 keeps every string it has seen in its ``StringStore`` and every word in its vocabulary
and tokenizer cache for as long as the pipeline lives (about 800 bytes per never-seen word, with
our normaliser's and typo reader's caches), so a stream of new words would grow memory without
end. Each knowledge base's pipeline is therefore renewed: once its string store has grown by
:data:`RENEW_AFTER_STRINGS` since it was built, a fresh one is assembled in a background thread
from the parts that do not depend on the vocabulary (grammar, compiled target patterns: the
:class:`Recipe`, compiled once) and swapped in; requests keep using the old one meanwhile, and it
is freed when the last of them finishes. A renewal takes about 80 ms of processor time, against
about 100 ms to read the 2,000-odd new words that set it off. It works in slices of a millisecond
with pauses between them, so that requests running meanwhile are slowed a little rather than held
up for the whole build; and the new pipeline takes over the words in use (token texts read more than
once, at most :data:`CARRY_WORDS`), so that everyday words are not new again after every renewal:
they were most of what set off the next one (with 600-character messages, a renewal every 60-odd
texts; now every few hundred).
"""

from __future__ import annotations

import itertools
import os
import queue
import re
import string
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any, Protocol, cast

import numpy
from loguru import logger
from spacy.attrs import SENT_START, SPACY
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
from thinc.types import Ints2d

from twitchcheck.knowledge import CACHED_BASES
from twitchcheck.knowledge.schema import Finding
from twitchcheck.text import tokens
from twitchcheck.text.context import BlockConText
from twitchcheck.text.context_rules import SPAN_GROUP, load_rules
from twitchcheck.text.frames import FrameMatcher, FrameRule
from twitchcheck.text.fuzzy import FuzzyVocabulary
from twitchcheck.text.grammar import Grammar, load_grammar
from twitchcheck.text.guard import checkpoint, pieces
from twitchcheck.text.learned import LearnedModel, learned_spans, load_model
from twitchcheck.text.matching import RuleMatcher
from twitchcheck.text.normalize import Normalizer
from twitchcheck.text.vocabulary import TargetInfo, Vocabulary, build_vocabulary

# PyRuSH (pulled in by medspaCy) logs every sentence at DEBUG through loguru. Disabling its
# namespace silences it without touching handlers that other loguru users configured.
logger.disable("PyRuSH")

NEGATED_PREFIX_KEY = "twitchcheck_negated_prefix"
# Which readers run on a document (doc.user_data; default both): "rules" (synonyms, heads, frames) and
# "learned" (the second reader, ``learned.py``); one alone is for measuring each reader.
READERS_KEY = "twitchcheck_readers"
BOTH_READERS: frozenset[str] = frozenset({"rules", "learned"})
# Learned target spans below the sure threshold: (start, end) token offsets, doubtful (never evidence).
DOUBTFUL_KEY = "twitchcheck_doubtful"
# Learned target spans in a clause the learned reader judges a denial: (start, end) token offsets.
DENIED_KEY = "twitchcheck_denied"
_LABEL_PREFIX = "T"
_SENTENCE_END = {".", "!", "?", ";", "...", "…"}
MAX_SENTENCE_TOKENS = 150
_ABBREVIATIONS = {"dr.", "mr.", "mrs.", "ms.", "e.g.", "i.e.", "vs.", "approx.", "etc.", "no.", "st."}
# New strings a pipeline may take in before it is renewed (about 2,000 new words, 1-2 MB; see the
# module docstring), and the growth at which a request waits for the renewal rather than adding more.
# At 6,000, 50,000 new words left the process 14-23 MiB larger (five seeds); at 3,000, 9-14 MiB, for
# about a fifth more time on such a flood (ordinary texts bring a few new words each: a renewal, about
# 80 ms, every few hundred texts).
RENEW_AFTER_STRINGS = 3_000
WAIT_AFTER_STRINGS = 2 * RENEW_AFTER_STRINGS
RENEWAL_WAIT_SECONDS = 30.0
# The words in use that a renewed pipeline takes over (see ``Pipeline.words_in_use``): people's
# everyday words would otherwise be new strings again after every renewal, most of what set off the
# next one (600-character messages: a renewal every 60-odd texts). A bounded number, a few MB.
CARRY_WORDS = 3_000
# A renewal gives way to requests: after each slice of its work, it sleeps (unless a request waits
# for it), so a request running meanwhile is slowed by a fraction, not held up for the whole build.
RENEWAL_SLICE_SECONDS = 0.001
RENEWAL_PAUSE_SECONDS = 0.004


class HasFindings(Protocol):
    """What the text reader needs from a knowledge base (the real one or a test double).

    Hashable by identity like :class:`~twitchcheck.knowledge.KnowledgeBase`, so pipelines can be
    cached per base.
    """

    @property
    def findings(self) -> Mapping[str, Finding]: ...

    def __hash__(self) -> int: ...


@dataclass(frozen=True, eq=False)
class Recipe:
    """What every pipeline for one knowledge base is assembled from, compiled once."""

    findings: Mapping[str, Finding]
    grammar: Grammar
    vocabulary: Vocabulary
    known: frozenset[str]
    protected: frozenset[str]
    targets: TargetRules


@dataclass(frozen=True, eq=False)
class Pipeline:
    """A ready-to-run pipeline plus the compiled vocabulary and grammar it was built from."""

    nlp: Any
    findings: Mapping[str, Finding]
    grammar: Grammar
    vocabulary: Vocabulary
    normalize: Normalizer
    recipe: Recipe
    strings: int  # the size of the string store when the pipeline was ready
    normalizer: _NormalizerComponent

    def __call__(self, text: str, readers: frozenset[str] = BOTH_READERS) -> Doc:
        """Tokenize ``text`` piece by piece (see ``guard.py``), then run the components."""
        doc = self._tokens(text)
        doc.user_data[READERS_KEY] = readers
        for _, component in self.nlp.pipeline:
            checkpoint()
            doc = component(doc)
        return doc

    def norms(self, text: str) -> list[str]:
        """The normal forms of ``text``'s tokens, as the readers see them (for training)."""
        doc = self._tokens(text)
        return [t.norm_ for t in self.nlp.get_pipe("twitchcheck_normalize")(doc)]

    def _tokens(self, text: str) -> Doc:
        tokenizer = self.nlp.tokenizer
        bounds = pieces(text)
        if len(bounds) <= 1:
            doc: Doc = tokenizer(text)
        else:
            docs = []
            for start, end in bounds:
                docs.append(tokenizer(text[start:end]))
                checkpoint()
            doc = _joined(docs)
        return doc

    def new_strings(self) -> int:
        """Strings (words, normal forms) the pipeline has taken in since it was built."""
        return len(self.nlp.vocab.strings) - self.strings

    def words_in_use(self) -> dict[str, tuple[str, bool]]:
        """The token texts read more than once so far (at most :data:`CARRY_WORDS`), with what each
        reads as: what a renewed pipeline starts with, so that the words people keep using are not
        counted as new again (and read from cold) after every renewal."""
        memory = self.normalizer.memory
        return {text: memory[text] for text in list(self.normalizer.again)}


# Every attribute a token array carries (what ``Doc.from_docs`` copies), with the following space.
_TOKEN_ATTRS = [*Doc._get_array_attrs(), *([] if SPACY in Doc._get_array_attrs() else [SPACY])]


def _joined(docs: list[Doc]) -> Doc:
    """``Doc.from_docs(docs, ensure_whitespace=False)`` for the tokenizer's pieces, in steps.

    ``from_docs`` is one compiled call that held the interpreter lock for 50-90 ms on 20,000
    tokens (``/healthz`` waited that long); here words and arrays are gathered in Python, and the
    longest step, making the Doc, takes about a sixth of that. Same tokens, attributes and text.
    """
    words = [token.text for doc in docs for token in doc]
    spaces = [bool(token.whitespace_) for doc in docs for token in doc]
    joined = Doc(docs[0].vocab, words=words, spaces=spaces)
    joined.from_array(_TOKEN_ATTRS, numpy.concatenate([doc.to_array(_TOKEN_ATTRS) for doc in docs]))
    return joined


def _protected_words() -> frozenset[str]:
    """Words never 'corrected' into a finding word: every word the grammar and context rules use,
    and common English words (``english_words.txt``: "gutters" is no typo of "guttering")."""
    files = resources.files("twitchcheck.text").joinpath("data")
    text = files.joinpath("grammar.yaml").read_text("utf-8") + files.joinpath("context_rules.json").read_text(
        "utf-8"
    )
    english = files.joinpath("english_words.txt").read_text("utf-8").splitlines()
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)) | frozenset(
        w for w in english if w and not w.startswith("#")
    )


# A number in digits ("8", "5.5", "8-10", "~8"), and one glued to a word ("10lbs" -> "lbs").
_NUMBER_TOKEN = re.compile(r"[~≈<>]?\d+(?:[.,]\d+)?(?:[-–]\d+(?:[.,]\d+)?)?")
_COUNT_PLURALS = {"100s": "hundreds", "100's": "hundreds", "1000s": "thousands", "1000's": "thousands"}
_GLUED_NUMBER = re.compile(r"[~≈<>]?\d+(?:[.,]\d+)?([a-z]+)")


# Words whose normal form the normaliser remembers (per pipeline, so renewed with it).
NORMALIZER_MEMORY = 50_000


def _normalizer_component(
    normalize: Normalizer,
    fuzzy: FuzzyVocabulary,
    known: frozenset[str],
    protected: frozenset[str],
    number: str,
    carried: Mapping[str, tuple[str, bool]],
) -> _NormalizerComponent:
    def read(token: Token) -> tuple[str, bool]:
        """The normal form of ``token``, and whether it is a known word behind a negating "a"."""
        lower = token.lower_
        if lower[:1].isdigit() or (lower[:1] in "~≈<>" and lower[1:2].isdigit()):
            if _NUMBER_TOKEN.fullmatch(lower):
                return number, False
            if lower in _COUNT_PLURALS:
                return normalize(_COUNT_PLURALS[lower]), False  # "100s of squats": hundreds of them
            glued = _GLUED_NUMBER.fullmatch(lower)
            if glued is not None:
                return normalize(glued.group(1)), False
        norm = normalize(lower)
        if norm not in known and lower.endswith("in") and len(lower) > 4:
            # A dropped g ("shakin", "lookin", "jumpin") is the -ing word, not a typo of another.
            with_g = normalize(lower + "g")
            if with_g in known:
                norm = with_g
        if norm not in known and token.is_alpha and lower not in protected:
            fixed = fuzzy.correct(lower, protected)
            if fixed is not None:
                return fixed, False
            if len(lower) > 5 and lower[0] == "a" and lower[1:] in fuzzy:
                # "afebrile", "apyrexial": a negating prefix on a known word.
                return normalize(lower[1:]), True
        return norm, False

    return _NormalizerComponent(read, carried)


class _NormalizerComponent:
    """Writes every token's normal form, remembering what each token text reads as.

    What ``read`` says depends on the token's text alone (its lower case and letters are its
    lexeme's), so it is remembered by text: most words of a text were read before. Texts met again
    are the words in use, which a renewed pipeline takes over (see :meth:`Pipeline.words_in_use`).
    """

    def __init__(
        self, read: Callable[[Token], tuple[str, bool]], carried: Mapping[str, tuple[str, bool]]
    ) -> None:
        self._read = read
        self.memory: dict[str, tuple[str, bool]] = dict(carried)
        self.again: dict[str, None] = {}  # texts met again, in the order they were (at most CARRY_WORDS)

    def __call__(self, doc: Doc) -> Doc:
        memory, again, read = self.memory, self.again, self._read
        negated: set[int] = set()
        for token in doc:
            text = token.text
            found = memory.get(text)
            if found is None:
                found = read(token)
                if len(memory) < NORMALIZER_MEMORY:
                    memory[text] = found
            elif len(again) < CARRY_WORDS:
                again[text] = None
            norm, prefix = found
            if prefix:
                negated.add(token.i)
            token.norm_ = norm
        doc.user_data[NEGATED_PREFIX_KEY] = negated
        return doc


def _split_sentences(doc: Doc) -> Doc:
    """Sentence and clause boundaries for lay text: . ! ? ; line breaks and runs of spaces.

    PyRuSH's clinical rules leave "30F teacher. 10 d twitching" as one sentence; ConText scopes
    are sentence-wide, so over-long sentences let a negation leak into the next statement.
    A run of more than ``MAX_SENTENCE_TOKENS`` tokens without a boundary is not prose (no
    sentence in our corpora reaches 60); it is cut so that ConText, which compares every pair of
    modifiers in a sentence, stays linear. The starts are written in one ``from_array`` call:
    spaCy's ``Token.is_sent_start`` setter scans the whole doc each time. The token strings are read
    here, once, and kept for every later step (``tokens.py``): the normal forms are final by now.
    """
    strings = tokens.read(doc, sentences=[])
    words = strings.text
    n = len(words)
    if n == 0:
        tokens.keep(doc, strings)
        return doc
    starts = [False] * n
    starts[0] = True
    for i in range(n - 1):
        text = words[i]
        nxt = words[i + 1]
        # spaCy's ``is_space`` is ``str.isspace`` of the token's text.
        boundary = (
            text in _SENTENCE_END
            or "\n" in text
            # Two or more spaces (spaCy keeps the extra ones as a token): phone texts without
            # punctuation separate statements so ("calf twitches  no weakness  legs heavy now").
            or (text.isspace() and i > 0)
            or (
                text.endswith(".")
                and len(text) > 1
                and text.lower() not in _ABBREVIATIONS
                and not text[0].isdigit()
            )
        )
        if text == "." and nxt[:1].isdigit() and i > 0 and words[i - 1][-1:].isdigit():
            boundary = False
        if boundary and not nxt.isspace():
            starts[i + 1] = True
        elif boundary and nxt.isspace() and i + 2 < n:
            starts[i + 2] = True
    length = 0
    for i in range(n):
        if starts[i] or length >= MAX_SENTENCE_TOKENS:
            starts[i] = True
            length = 0
        length += 1
    flags = numpy.array([1 if start else -1 for start in starts], dtype=numpy.int64).reshape(n, 1)
    doc.from_array([SENT_START], cast(Ints2d, flags.astype(numpy.uint64)))
    begins = [i for i in range(n) if starts[i]]
    tokens.keep(doc, replace(strings, sentences=list(zip(begins, [*begins[1:], n], strict=True))))
    return doc


_COMPONENT_FACTORY = "twitchcheck_component"
_HANDED_OVER: dict[str, Callable[[Doc], Doc]] = {}
_KEYS = itertools.count()


def _component_factory(nlp: Language, name: str, key: str) -> Callable[[Doc], Doc]:
    """One registered factory hands over each pipeline's own component functions (registering a
    factory per pipeline would keep every renewed pipeline alive in spaCy's registry)."""
    return _HANDED_OVER.pop(key)


# spaCy validates a factory's arguments from its annotations, which must be types, not strings.
_component_factory.__annotations__ = {"nlp": Language, "name": str, "key": str, "return": Any}
Language.factory(_COMPONENT_FACTORY, default_config={"key": ""}, func=_component_factory)


def _add(nlp: Language, name: str, component: Callable[[Doc], Doc]) -> None:
    """Add ``component`` through the one registered factory, configured with a key to hand it over by."""
    key = f"{name}-{next(_KEYS)}"
    _HANDED_OVER[key] = component
    try:
        nlp.add_pipe(_COMPONENT_FACTORY, name=name, config={"key": key})
    finally:
        _HANDED_OVER.pop(key, None)  # taken by the factory, or never: nothing stays behind


def _no_pause() -> None:
    """Building without pauses (the first build: requests wait for it)."""


def _blank(grammar: Grammar, pause: Callable[[], None] = _no_pause) -> Language:
    """A blank English pipeline with medspaCy's tokenizer (what ``medspacy.load`` with only the
    tokenizer makes, without first building spaCy's default tokenizer only to replace it)."""
    from spacy.lang.en import English

    nlp = English(create_tokenizer=lambda nlp: _medspacy_tokenizer(nlp, pause))
    _split_contractions(nlp, grammar.normalize.apostrophe_less)
    return nlp


def _medspacy_tokenizer(nlp: Language, pause: Callable[[], None] = _no_pause) -> Tokenizer:
    """``medspacy.custom_tokenizer.create_medspacy_tokenizer``: spaCy's English rules, plus every
    punctuation sign but the full stop as an infix; no URL rule (medspaCy does not pass one).

    The special cases (1,400-odd, four fifths of a build's time) are added as ``Tokenizer`` adds
    them, in sorted order, with ``pause`` called after each: a renewal gives way to requests.
    """
    defaults: Any = nlp.Defaults
    punctuation = string.punctuation.replace(".", "")
    infixes = [*defaults.infixes, f"[{re.escape(punctuation)}]"]
    tokenizer = Tokenizer(
        nlp.vocab,
        None,
        prefix_search=compile_prefix_regex(defaults.prefixes).search,
        suffix_search=compile_suffix_regex(defaults.suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=defaults.token_match,
    )
    for chunk, substrings in sorted(defaults.tokenizer_exceptions.items()):
        tokenizer.add_special_case(chunk, substrings)
        pause()
    return tokenizer


def build_pipeline(kb: HasFindings) -> Pipeline:
    """Compile the pipeline for ``kb`` (uncached; use :func:`get_pipeline`)."""
    return assemble(compile_recipe(kb))


def compile_recipe(kb: HasFindings) -> Recipe:
    """The vocabulary-independent parts for ``kb``, compiled with a template pipeline that never
    reads a text (so it never grows)."""
    grammar = load_grammar()
    template = _blank(grammar)

    def tokenize(phrase: str) -> list[str]:
        return [t.text for t in template.tokenizer(phrase)]

    vocabulary = build_vocabulary(kb.findings, grammar, tokenize, Normalizer(grammar.normalize))
    learned = load_model()
    if learned is not None:
        # Medicines are named, not described: which drug a text means is the rules' drug lists' call
        # ("started a water tablet" is no antidepressant, whatever words a change usually comes with).
        readable = [
            f for f in learned.findings if f in kb.findings and kb.findings[f].category != "medication"
        ]
        vocabulary = replace(
            vocabulary,
            targets=(
                *vocabulary.targets,
                *((TargetInfo(f, f, "learned", (), False, False), ()) for f in readable),
            ),
        )
    known = frozenset(
        {n for info, _ in vocabulary.targets for n in info.norms} | set(vocabulary.surface_norms.values())
    )
    return Recipe(
        findings=kb.findings,
        grammar=grammar,
        vocabulary=vocabulary,
        known=known,
        protected=_protected_words(),
        targets=_compile_targets(template, vocabulary, learned),
    )


def assemble(
    recipe: Recipe,
    carried: Mapping[str, tuple[str, bool]] | None = None,
    pause: Callable[[], None] = _no_pause,
) -> Pipeline:
    """A ready pipeline from ``recipe``, with its own spaCy vocabulary and empty caches but for the
    words ``carried`` over (see :meth:`Pipeline.words_in_use`); ``pause`` is called between small
    steps of the build."""
    grammar = recipe.grammar
    nlp = _blank(grammar, pause)
    normalize = Normalizer(grammar.normalize)
    fuzzy = FuzzyVocabulary(recipe.vocabulary.surface_norms)
    placeholder = grammar.numbers.placeholder
    carried = carried or {}
    normalizer = _normalizer_component(normalize, fuzzy, recipe.known, recipe.protected, placeholder, carried)
    _add(nlp, "twitchcheck_normalize", normalizer)
    _add(nlp, "twitchcheck_sentences", _split_sentences)
    pause()
    _add(nlp, "twitchcheck_targets", _target_component(recipe.targets.rebind(nlp)))
    pause()
    _add(nlp, "twitchcheck_context", BlockConText(nlp, load_rules(grammar), SPAN_GROUP))
    pause()
    _take_in(nlp, carried, pause)
    return Pipeline(
        nlp=nlp,
        findings=recipe.findings,
        grammar=grammar,
        vocabulary=recipe.vocabulary,
        normalize=normalize,
        recipe=recipe,
        strings=len(nlp.vocab.strings),
        normalizer=normalizer,
    )


_TAKE_IN_BATCH = 100


def _take_in(nlp: Language, carried: Mapping[str, tuple[str, bool]], pause: Callable[[], None]) -> None:
    """Put the carried words and their normal forms in ``nlp``'s vocabulary and tokenizer cache now,
    so they count as what the pipeline was built with, not as growth. (Tokens have no whitespace
    inside and at most ``guard.MAX_RUN`` characters, so joined with spaces each is one stretch.)"""
    words = [w for w in carried if w and not w.isspace()]
    for i in range(0, len(words), _TAKE_IN_BATCH):
        nlp.tokenizer(" ".join(words[i : i + _TAKE_IN_BATCH]))
        pause()
    strings = nlp.vocab.strings
    for norm, _ in carried.values():
        strings.add(norm)


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


@dataclass(frozen=True)
class TargetRules:
    """Finding words compiled into matchers: spans in ``doc.spans[SPAN_GROUP]`` (what medspaCy's
    TargetMatcher made).

    The span label carries the rule's index: spaCy keys span extensions by offsets only, so two
    findings matched on the same words ("vomiting") could not be told apart by an extension.
    One-word targets are looked up by their normal form; multi-word synonyms with optional fillers
    become token patterns, tried only where they can match (see ``matching.py``).
    """

    matcher: RuleMatcher
    labels: dict[int, str]
    frames: FrameMatcher
    finding_of: dict[int, str]  # label key -> finding id
    learned: LearnedModel | None = None
    learned_labels: Mapping[str, str] | None = None  # finding id -> span label of its learned target
    # Label keys of frames that count only beside another finding (``Frame.only_with``): they may yet be
    # dropped, so they do not keep the learned reader from its own reading of that finding.
    needs_company: frozenset[int] = frozenset()

    def rebind(self, nlp: Language) -> TargetRules:
        """The same rules for ``nlp``'s vocabulary (see :meth:`RuleMatcher.rebind`)."""
        return replace(self, matcher=self.matcher.rebind(nlp.vocab, nlp.tokenizer))


def _compile_targets(nlp: Language, vocabulary: Vocabulary, learned: LearnedModel | None) -> TargetRules:
    matcher = RuleMatcher(nlp.vocab, "NORM", nlp.tokenizer)
    labels: dict[int, str] = {}
    finding_of: dict[int, str] = {}
    learned_labels: dict[str, str] = {}
    needs_company: set[int] = set()
    for i, (info, pattern) in enumerate(vocabulary.targets):
        label = f"{_LABEL_PREFIX}{i}"
        key = nlp.vocab.strings.add(label)
        labels[key] = label
        finding_of[key] = info.finding
        if info.only_with:
            needs_company.add(key)
        if info.kind == "learned":
            learned_labels[info.finding] = label
        if not pattern:
            continue  # a frame or a learned target, matched below
        if _single_word(pattern):
            matcher.add(label, None, pattern[0]["NORM"])
        else:
            matcher.add(label, pattern, info.phrase)
    # A frame about a body part stops at another body part ("my face twitches and my leg dropped");
    # one about a task or a time ("can't open jars", "tackled 10 mins ago") does not.
    body = vocabulary.body_norms | {
        p for f in vocabulary.frames if f.parts & vocabulary.body_norms for p in f.parts
    }
    # ... and never reaches across its own stop words.
    frames = FrameMatcher(
        FrameRule(
            nlp.vocab.strings[f"{_LABEL_PREFIX}{f.target}"],
            f.parts,
            f.change,
            f.window,
            f.before,
            (frozenset(body) - f.passes if f.parts & vocabulary.body_norms else frozenset()) | f.stops,
            f.across_commas,
            f.exact,
        )
        for f in vocabulary.frames
    )
    return TargetRules(matcher, labels, frames, finding_of, learned, learned_labels, frozenset(needs_company))


def _target_component(rules: TargetRules) -> Callable[[Doc], Doc]:
    matcher, labels, frames = rules.matcher, rules.labels, rules.frames

    def component(doc: Doc) -> Doc:
        readers = doc.user_data.get(READERS_KEY, BOTH_READERS)
        matches = []
        if "rules" in readers:
            matches = matcher(doc)
            if frames:
                matches = [*matches, *frames(doc)]
        spans = [Span(doc, start, end, label=labels[key]) for key, start, end in matches]
        if rules.learned is not None and rules.learned_labels and "learned" in readers:
            sure = [(key, start, end) for key, start, end in matches if key not in rules.needs_company]
            found = {rules.finding_of[key] for key, _, _ in sure}
            covered = frozenset(i for _, start, end in sure for i in range(start, end))
            hits = learned_spans(rules.learned, doc, found, frozenset(rules.learned_labels), covered)
            spans += [Span(doc, h.start, h.end, label=rules.learned_labels[h.finding]) for h in hits]
            doc.user_data[DOUBTFUL_KEY] = {(h.start, h.end) for h in hits if h.doubtful}
            doc.user_data[DENIED_KEY] = {(h.start, h.end) for h in hits if h.denied}
        doc.spans[SPAN_GROUP] = spans
        return doc

    return component


def _single_word(pattern: tuple[dict[str, Any], ...]) -> bool:
    """A one-token pattern whose normal form the tokenizer keeps as one token."""
    norm = pattern[0].get("NORM")
    return len(pattern) == 1 and isinstance(norm, str) and norm.isalnum()


class _Slot:
    """The current pipeline for one knowledge base, renewed in the background as it grows."""

    def __init__(self, kb: HasFindings) -> None:
        self.current = assemble(compile_recipe(kb))
        self.renewals = 0
        self._pending: threading.Event | None = None
        self._hurry = threading.Event()  # a request waits for the renewal: no more pauses
        self._slice_started = 0.0
        self._lock = threading.Lock()

    def get(self) -> Pipeline:
        current = self.current
        grown = current.new_strings()
        if grown >= RENEW_AFTER_STRINGS:
            done = self._renew(current)
            if grown >= WAIT_AFTER_STRINGS:
                with self._lock:
                    if self._pending is done:  # not one that already finished: its flag would outlive it
                        self._hurry.set()
                done.wait(RENEWAL_WAIT_SECONDS)  # a flood of new words, faster than renewals
                return self.current
        return current

    def _renew(self, current: Pipeline) -> threading.Event:
        with self._lock:
            if self._pending is None:
                self._pending = threading.Event()
                _renewer().put((self, current))
            return self._pending

    def pending(self) -> threading.Event | None:
        with self._lock:
            return self._pending

    def replace(self, old: Pipeline) -> None:
        """Run by the renewal thread: assemble a fresh pipeline and swap it in."""
        if self.current is old:
            self._slice_started = time.perf_counter()
            fresh = assemble(old.recipe, old.words_in_use(), self._pause)
            self.current = fresh
            self.renewals += 1
            weakref.finalize(old, release_freed_memory)
            logger.trace("text pipeline renewed after {} new strings", old.new_strings())

    def _pause(self) -> None:
        """Sleep once a slice of the renewal's work is done, unless a request waits for it."""
        if self._hurry.is_set() or time.perf_counter() - self._slice_started < RENEWAL_SLICE_SECONDS:
            return
        time.sleep(RENEWAL_PAUSE_SECONDS)
        self._slice_started = time.perf_counter()

    def finish(self) -> None:
        """Run by the renewal thread once it holds the old pipeline no more: wake the waiters."""
        with self._lock:
            self._hurry.clear()
            pending, self._pending = self._pending, None
        if pending is not None:
            pending.set()


_RENEWALS: tuple[int, queue.SimpleQueue[tuple[_Slot, Pipeline]]] | None = None
_RENEWER_LOCK = threading.Lock()


def _renewer() -> queue.SimpleQueue[tuple[_Slot, Pipeline]]:
    """The one long-lived thread that renews pipelines (one thread: its allocations stay in one
    malloc arena, instead of spreading over a new arena per renewal); started again in a child
    process, which inherits the queue but not the thread."""
    global _RENEWALS
    with _RENEWER_LOCK:
        if _RENEWALS is None or _RENEWALS[0] != os.getpid():
            jobs: queue.SimpleQueue[tuple[_Slot, Pipeline]] = queue.SimpleQueue()
            threading.Thread(
                target=_renew_forever, args=(jobs,), name="twitchcheck-pipeline-renewal", daemon=True
            ).start()
            _RENEWALS = (os.getpid(), jobs)
        return _RENEWALS[1]


def _renew_forever(jobs: queue.SimpleQueue[tuple[_Slot, Pipeline]]) -> None:
    while True:
        slot, old = jobs.get()
        try:
            slot.replace(old)
        except Exception:  # noqa: BLE001 - the old pipeline keeps serving; the next request retries
            logger.exception("text pipeline renewal failed")
        del old  # before waking anyone: the old pipeline is freed once its last reader finishes
        slot.finish()
        del slot


def release_freed_memory() -> None:
    """Hand freed pages (a retired pipeline's, a long text's working memory) back to the system
    (glibc only; elsewhere nothing)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _find_malloc_trim() -> Any:
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _find_malloc_trim()


_SLOTS: OrderedDict[HasFindings, _Slot] = OrderedDict()
_SLOTS_LOCK = threading.Lock()


def _slot(kb: HasFindings) -> _Slot:
    with _SLOTS_LOCK:
        slot = _SLOTS.get(kb)
        if slot is None:
            slot = _SLOTS[kb] = _Slot(kb)
            while len(_SLOTS) > CACHED_BASES:
                _SLOTS.popitem(last=False)
        else:
            _SLOTS.move_to_end(kb)
        return slot


def get_pipeline(kb: HasFindings) -> Pipeline:
    """The pipeline for ``kb``, built on first use (about a second) and reused afterwards (renewed
    in the background once it has taken in many new words; see the module docstring)."""
    return _slot(kb).get()


def pipeline_renewals(kb: HasFindings) -> int:
    """How many times the pipeline for ``kb`` has been renewed (for tests and benchmarks)."""
    with _SLOTS_LOCK:
        slot = _SLOTS.get(kb)
    return slot.renewals if slot is not None else 0


def wait_for_renewal(kb: HasFindings, timeout: float | None = None) -> bool:
    """Wait until no renewal of ``kb``'s pipeline is under way; False if it is still running."""
    with _SLOTS_LOCK:
        slot = _SLOTS.get(kb)
    pending = slot.pending() if slot is not None else None
    return pending is None or pending.wait(timeout)


def target_info(pipeline: Pipeline, span: Any) -> TargetInfo:
    """The :class:`TargetInfo` a target span was produced from (see the span label)."""
    return pipeline.vocabulary.targets[int(span.label_[len(_LABEL_PREFIX) :])][0]
