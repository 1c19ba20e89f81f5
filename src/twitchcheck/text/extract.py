"""``extract(text, kb)``: free text -> evidence (finding states with spans), age and sex."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from spacy.tokens import Doc

from twitchcheck.text.clauses import Layout, layout
from twitchcheck.text.context_rules import FAMILY, FEAR, HYPOTHETICAL, OTHER_PERSON, POSSIBLE, RESOLVED
from twitchcheck.text.conversation import ConversationRules, read_questions
from twitchcheck.text.decide import LEARNED, STATEMENT, Candidate, Decider
from twitchcheck.text.document import (
    Compiled,
    DocumentReader,
    compile_document_rules,
)
from twitchcheck.text.grammar import Grammar
from twitchcheck.text.guard import checkpoint
from twitchcheck.text.language import LanguageUse, emergency_words, language_use
from twitchcheck.text.model import Extraction
from twitchcheck.text.people import SubjectReader
from twitchcheck.text.pipeline import (
    BOTH_READERS,
    DENIED_KEY,
    DOUBTFUL_KEY,
    HasFindings,
    Pipeline,
    Recipe,
    get_pipeline,
    release_freed_memory,
)
from twitchcheck.text.resolve import apply_implications, resolve, to_mentions
from twitchcheck.text.targets import Target, collect_targets, with_reporter
from twitchcheck.text.values import alternation

# Same-length replacements so character offsets into the cleaned text are offsets into the input.
_SAME_LENGTH = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "\u2009": " "})
# A run of signs (neither letters, digits nor whitespace: "!!!", "+++", emoji) says no more after
# its first few; the rest become spaces, so that "??????..." does not make one sentence and one
# ConText cue per character. No text in our corpora has a run of more than 4.
SIGN_RUN = 8
_LONG_SIGN_RUN = re.compile(rf"[^\w\s]{{{SIGN_RUN + 1},}}")


def _quiet(run: re.Match[str]) -> str:
    return run.group()[:SIGN_RUN] + " " * (run.end() - run.start() - SIGN_RUN)


_NEGATION_TOKENS = frozenset({"n't", "not", "never", "no", "nt"})


@dataclass(frozen=True)
class _Prepared:
    compiled: Compiled
    subjects: SubjectReader
    conversation: ConversationRules
    # Words that say nothing of a symptom on their own (function words, time units, sides): a learned
    # guess anchored on such words alone ("she", "minutes", "left") is not a warning sign to ask about.
    uninformative: frozenset[str]
    # Words that deny what follows them ("no fits", "never fainted"): a learned guess that opens with
    # one read the denial as the symptom, so it is not asked either.
    denial_openers: frozenset[str]


# Per recipe, not per pipeline: a renewed pipeline shares its recipe, and the old one is freed.
_PREPARED: weakref.WeakKeyDictionary[Recipe, _Prepared] = weakref.WeakKeyDictionary()


def _prepared(pipeline: Pipeline) -> _Prepared:
    found = _PREPARED.get(pipeline.recipe)
    if found is not None:
        return found
    grammar = pipeline.grammar
    found = _Prepared(
        compiled=compile_document_rules(grammar, pipeline.findings),
        subjects=SubjectReader(grammar.people),
        conversation=ConversationRules.compile(grammar.questions),
        uninformative=frozenset(
            w.lower()
            for w in (
                *grammar.languages.english,
                *grammar.durations.units,
                *grammar.laterality.left,
                *grammar.laterality.right,
            )
        ),
        denial_openers=frozenset(w.lower() for w in grammar.denial_openers),
    )
    _PREPARED[pipeline.recipe] = found
    return found


def extract(
    text: str,
    kb: HasFindings,
    reference: datetime | None = None,
    readers: frozenset[str] = BOTH_READERS,
) -> Extraction:
    """Read ``text`` (lay or clinical) into evidence for the findings of ``kb``.

    Every mention keeps its span (``text[start:end]``); at most one mention per finding.
    ``reference`` is when the text was written (default: now), for relative times. ``readers``:
    the rules, the learned second reader, or both (the default; one alone is for measuring).
    """
    if not text or not text.strip():
        return Extraction(mentions=())
    try:
        return _read(text, kb, reference, readers)
    finally:
        if len(text) >= RELEASE_AFTER_CHARS:
            release_freed_memory()


# A text this long leaves megabytes of freed working memory that the allocator would otherwise keep
# (a 12,000-character text: 15 MiB kept, 3 MiB after release); handing it back costs under 0.3 ms.
RELEASE_AFTER_CHARS = 1_000


def _read(text: str, kb: HasFindings, reference: datetime | None, readers: frozenset[str]) -> Extraction:
    pipeline = get_pipeline(kb)
    prepared = _prepared(pipeline)
    clean = _LONG_SIGN_RUN.sub(_quiet, text.translate(_SAME_LENGTH))
    doc = pipeline(clean, readers)
    doubtful: set[tuple[int, int]] = doc.user_data.get(DOUBTFUL_KEY, set())
    denied: set[tuple[int, int]] = doc.user_data.get(DENIED_KEY, set())
    checkpoint()
    lay = layout(doc)
    asked = read_questions(prepared.conversation, clean, lay)
    questions, answered = asked.open, asked.answered_no
    grammar = pipeline.grammar
    # A first pass without reporter knowledge tells which relatives introduce family history.
    findings = pipeline.findings
    targets = collect_targets(pipeline, doc, findings, grammar, lay, _NEGATION_TOKENS, frozenset())
    family_words = _family_history_relatives(targets)
    checkpoint()
    subject = prepared.subjects.read(clean, doc, family_words)
    checkpoint()
    targets = with_reporter(targets, subject.reporter_words)
    targets = _without_lookalike_guesses(targets, grammar, lay, clean)

    decider = Decider(grammar, prepared.compiled.values, clean, questions, answered)
    # The document readers (places, time, medicines, episodes) read the rules' targets only: a learned
    # hit is evidence of its own finding, never a cue that changes how the rest of the text is read.
    ruled = [t for t in targets if t.info.kind != "learned"]
    reader = DocumentReader(
        grammar, prepared.compiled, findings, pipeline.normalize, decider, doc, clean, lay, ruled, reference
    )
    location_only = reader.denied_only_by_location()
    checkpoint()

    document_level = prepared.compiled.document_level
    candidates: list[Candidate] = []
    for target in targets:
        if reader.is_site(target) or target.finding.id in document_level:
            continue
        if (target.start, target.end) in location_only:
            continue
        if target.info.kind == "learned" and (target.tok_start, target.tok_end) in doubtful:
            continue  # a doubtful learned hit is asked, never evidence (see _possible)
        clause = lay.clauses[target.clause]
        cand = decider.decide(target, (clause.char_start, clause.char_end))
        if cand is not None and target.info.kind == "learned":
            # ConText decided whose it is and whether it was said; the learned reader may deny it.
            denial = (target.tok_start, target.tok_end) in denied
            cand = replace(cand, state="absent" if denial else cand.state, priority=LEARNED)
        if cand is not None:
            candidates.append(cand)
    checkpoint()
    locations = reader.locations()
    candidates.extend(locations)
    for single in (
        reader.spread(locations),
        reader.laterality(),
        reader.duration(),
        reader.frequency(),
        reader.sudden_onset(),
        reader.childhood_onset(),
    ):
        if single is not None:
            candidates.append(single)
    candidates.extend(reader.amounts())
    candidates.extend(reader.medication_change())
    candidates.extend(reader.episodes())
    candidates.extend(reader.thresholds())
    candidates.extend(reader.scores())
    checkpoint()

    chosen = resolve(candidates)
    extra = reader.combinations(chosen)
    assessed = reader.assessment(chosen)
    if assessed is not None:
        extra.append(assessed)
    rapid = reader.rapid_spread(chosen)
    if rapid is not None:
        extra.append(rapid)
    if extra:
        chosen = resolve([*chosen.values(), *extra])
    chosen = _prefer_specific(chosen, grammar, lay)
    chosen = apply_implications(chosen, grammar.implications, findings)
    vague = _vague({(t.tok_start, t.tok_end) for t in targets if t.info.kind == "learned"}, doc, prepared)
    possible = _possible(targets, decider, chosen, questions, doubtful, denied, answered, vague)
    chosen, possible = _consistent(chosen, grammar), _consistent(possible, grammar, chosen)
    languages = language_use(text, grammar.languages)
    return Extraction(
        mentions=to_mentions(chosen, text),
        age=subject.age,
        sex=subject.sex,
        possible=to_mentions(possible, text),
        language=languages.language,
        alarm=_alarm(text, grammar, languages, bool(chosen)),
    )


def _alarm(text: str, grammar: Grammar, languages: LanguageUse, read_any: bool) -> str | None:
    """An emergency word in another language: in a text in that language; in one too short to tell
    that reads as nothing in English ("babcia nieprzytomna"); in any of the languages a text switches
    into ("mi hermano ... no puede respirar, his arm just jerked")."""
    rules = grammar.languages
    if languages.language is not None:
        return emergency_words(text, rules, [languages.language])
    if not read_any:
        return emergency_words(text, rules)
    return emergency_words(text, rules, languages.mixed) if languages.mixed else None


_DOUBT = frozenset({POSSIBLE, FEAR})
_NOT_DOUBT = frozenset({HYPOTHETICAL, OTHER_PERSON, FAMILY, RESOLVED})


def _vague(spans: set[tuple[int, int]], doc: Doc, prepared: _Prepared) -> set[tuple[int, int]]:
    """The learned reader's doubtful spans made only of words that say nothing of a symptom, or
    opening with a denial ("No fits")."""
    return {
        (a, b)
        for a, b in spans
        if all(t.lower_ in prepared.uninformative or not t.is_alpha for t in doc[a:b])
        or doc[a].lower_ in prepared.denial_openers
    }


@lru_cache(maxsize=8)
def _any_word(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled search for any of ``words`` as whole words (compiled once per grammar)."""
    if not words:
        return None
    return re.compile(rf"\b(?:{alternation(words)})\b", re.I)


def _without_lookalike_guesses(
    targets: list[Target], grammar: Grammar, lay: Layout, text: str
) -> list[Target]:
    """Drop a learned guess in a sentence where, or up to two sentences after one where, the rules read one of
    its look-alikes (grammar): "foot cramps in bed. gone in a minute." A guess whose own sentence tells of a
    fit in other words ("went stiff and shook") stays."""
    lookalikes = grammar.learned_lookalikes
    if not lookalikes or not any(t.info.kind == "learned" and t.finding.id in lookalikes for t in targets):
        return targets
    ruled = {(t.sentence, t.finding.id) for t in targets if t.info.kind != "learned" and not t.negated}
    unless = _any_word(tuple(grammar.learned_lookalikes_unless))
    told = (
        {s.index for s in lay.sentences if unless.search(text[s.char_start : s.char_end])}
        if unless is not None
        else set()
    )
    return [
        t
        for t in targets
        if t.info.kind != "learned"
        or t.sentence in told
        or not any(
            (sentence, other) in ruled
            for other in lookalikes.get(t.finding.id, ())
            for sentence in (t.sentence, t.sentence - 1, t.sentence - 2)
        )
    ]


def _possible(
    targets: list[Target],
    decider: Decider,
    chosen: dict[str, Candidate],
    questions: set[int],
    doubtful: set[tuple[int, int]],
    denied: set[tuple[int, int]],
    answered: set[int],
    vague: set[tuple[int, int]],
) -> dict[str, Candidate]:
    """Symptoms said with doubt or in a question, or read with doubt by the learned reader, about the
    patient, not denied, not already read, not asked about and answered "no"; a learned guess only
    where its words say something (not ``vague``)."""
    out: dict[str, Candidate] = {}
    for t in targets:
        f = t.finding
        if f.id in chosen or f.id in out or f.type != "binary" or t.negated or t.info.kind == "head":
            continue
        if t.sentence in answered or (t.info.kind == "learned" and (t.tok_start, t.tok_end) in vague):
            continue
        if f.category not in ("symptom", "character") or t.mods & _NOT_DOUBT:
            continue
        unsure_reading = t.info.kind == "learned" and (t.tok_start, t.tok_end) in doubtful - denied
        if t.mods & _DOUBT or t.sentence in questions or unsure_reading:
            priority = LEARNED if t.info.kind == "learned" else STATEMENT
            out[f.id] = Candidate(f.id, "present", t.start, t.end, priority)
    return out


def _consistent(
    found: dict[str, Candidate], grammar: Grammar, read: dict[str, Candidate] | None = None
) -> dict[str, Candidate]:
    """Drop a learned hit for a specific finding whose general finding the text denies ("rapidly
    worsening weakness" where the person wrote "no weakness")."""
    read = found if read is None else read
    denied = {f for f, c in read.items() if c.state == "absent" and c.priority != LEARNED}
    return {
        f: c
        for f, c in found.items()
        if c.priority != LEARNED or not denied & set(grammar.implications.get(f, ()))
    }


def _prefer_specific(chosen: dict[str, Candidate], grammar: Grammar, lay: Layout) -> dict[str, Candidate]:
    """A serotonergic change said in the same sentence as a general "medicine changed" keeps only
    the specific finding (the engine would otherwise count one change twice)."""
    rule = grammar.medication_change
    general = chosen.get(rule.finding)
    if general is None:
        return chosen
    for specific in rule.specific.values():
        other = chosen.get(specific)
        if other is not None and other.priority == LEARNED:
            continue
        same_sentence = other is not None and _sentence_of(lay, other.start) == _sentence_of(
            lay, general.start
        )
        if other is not None and other.state == general.state and same_sentence:
            return {k: v for k, v in chosen.items() if k != rule.finding}
    return chosen


def _sentence_of(lay: Layout, char: int) -> int:
    for s in lay.sentences:
        if s.char_start <= char < s.char_end:
            return s.index
    return -1


def _family_history_relatives(targets: list[Target]) -> set[str]:
    """Relative words whose FAMILY scope covers a family-history finding ("my uncle had ALS")."""
    return {w for t in targets if t.finding.category == "family" for w in t.family_words}
