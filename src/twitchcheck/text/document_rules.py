"""The document readers' rules, compiled once per pipeline from the grammar and the knowledge base.

Regular expressions for frequency and spread cues, laterality, onset words, amounts, thresholds, scores,
medicine changes and a clinician's check, and the sets of findings each reader anchors on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from twitchcheck.knowledge.schema import Finding
from twitchcheck.text.durations import DurationReader
from twitchcheck.text.grammar import AmountRule, EpisodeRule, Grammar, ScoreRule, ThresholdRule
from twitchcheck.text.values import ValueReader, alternation

_DAY_UNITS = ("days", "day", "d")


def duration_finding(findings: Mapping[str, Finding]) -> Finding | None:
    """The finding measured in days (how long the complaint has lasted), found by its unit."""
    return next((f for f in findings.values() if (f.unit or "").lower() in _DAY_UNITS), None)


def document_level_findings(grammar: Grammar, findings: Mapping[str, Finding]) -> set[str]:
    """Findings read from the whole document (duration, frequency, spread), not from one target."""
    ids = {grammar.frequency.finding, grammar.spread.finding}
    duration = duration_finding(findings)
    return ids | ({duration.id} if duration else set())


@dataclass(frozen=True)
class Compiled:
    """Regular expressions compiled once per pipeline."""

    frequency: tuple[tuple[str, re.Pattern[str]], ...]
    spread: tuple[tuple[str, re.Pattern[str]], ...]
    same_side: re.Pattern[str]
    onset: re.Pattern[str]
    durations: DurationReader
    values: ValueReader
    amounts: tuple[tuple[AmountRule, re.Pattern[str]], ...]
    medication_cues: re.Pattern[str]
    reliever_cues: re.Pattern[str] | None
    medication_negated: re.Pattern[str]
    medicine: re.Pattern[str]
    thresholds: tuple[tuple[ThresholdRule, re.Pattern[str]], ...]
    scores: tuple[tuple[ScoreRule, re.Pattern[str], re.Pattern[str], re.Pattern[str]], ...]
    # each episode rule with its words of an episode being over, one pattern a word (None: the rule
    # counts no time still running)
    episodes: tuple[tuple[EpisodeRule, tuple[re.Pattern[str], ...] | None], ...]
    assessment: re.Pattern[str]  # a clinician's check ("a neurologist checked me")
    assessment_negated: re.Pattern[str]  # ...said as not (yet) done, when it ends the text before it
    assessment_cues: frozenset[str]  # negation words inside the check ("the GP never examined")
    assessment_judged: frozenset[str]  # findings whose normal result makes a check a normal assessment
    twitch: frozenset[str]  # twitch-like findings (where a body part becomes a twitch location)
    anchor: frozenset[str]  # findings a duration can describe
    document_level: frozenset[str]
    duration: Finding | None


def compile_document_rules(grammar: Grammar, findings: Mapping[str, Finding]) -> Compiled:
    def words_pattern(words: Sequence[str]) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w'])(?:{alternation(words)})(?![\w'])", re.I)

    def cue_patterns(cues: Mapping[str, Sequence[str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((state, words_pattern(words)) for state, words in cues.items())

    medication = grammar.medication_change
    ctx = grammar.location_context
    durations = grammar.durations
    return Compiled(
        frequency=cue_patterns(grammar.frequency.cues),
        spread=cue_patterns(grammar.spread.cues),
        same_side=re.compile(rf"\b(?:{alternation(grammar.laterality.same_side)})\b", re.I),
        onset=re.compile(rf"\b(?:{alternation(grammar.durations.onset_words)})\b", re.I),
        durations=DurationReader(grammar.durations, grammar.numbers),
        values=ValueReader(grammar, dict(findings)),
        amounts=_amount_patterns(grammar, findings),
        medication_cues=words_pattern(medication.cues),
        reliever_cues=words_pattern(medication.reliever_cues) if medication.reliever_cues else None,
        medication_negated=words_pattern(medication.negated),
        medicine=re.compile(rf"\b(?:{alternation(medication.medicine_words)})\b", re.I),
        thresholds=tuple((rule, _threshold_pattern(rule)) for rule in grammar.thresholds),
        scores=tuple((rule, *_score_patterns(rule)) for rule in grammar.scores),
        episodes=tuple((rule, _episode_over_patterns(rule)) for rule in grammar.episodes),
        assessment=_assessment_pattern(grammar),
        assessment_negated=re.compile(
            rf"(?<![\w'])(?:{alternation(grammar.assessment.not_before)})(?![\w'])"
            rf"(?:[^\w.!?;,:()\n–—-]+[\w'&]+){{0,3}}[^\w.!?;,:()\n–—-]*$",
            re.I,
        ),
        assessment_cues=frozenset(w.lower() for w in grammar.assessment.not_before),
        assessment_judged=frozenset(
            fid
            for fid, f in findings.items()
            if f.category in grammar.assessment.categories or fid in grammar.assessment.findings
        ),
        twitch=frozenset(
            fid for fid, f in findings.items() if f.category in ctx.categories and fid not in ctx.exclude
        ),
        anchor=frozenset(
            fid
            for fid, f in findings.items()
            if f.category in durations.anchor_categories or fid in durations.anchor_findings
        ),
        document_level=frozenset(document_level_findings(grammar, findings)),
        duration=duration_finding(findings),
    )


def _amount_patterns(
    grammar: Grammar, findings: Mapping[str, Finding]
) -> tuple[tuple[AmountRule, re.Pattern[str]], ...]:
    """Amounts such as "4 cups of coffee" or "2-3 energy drinks": a number before the finding's words."""
    out = []
    number_words = alternation(w for w in grammar.numbers.words if w not in ("a", "an"))
    for rule in grammar.amounts:
        finding = findings.get(rule.finding)
        words = [w for w in finding.synonyms if len(w) >= 3] if finding is not None else []
        if not words:
            continue
        # Possessive digit runs and the (?<![\w.]) guard keep long digit runs linear.
        pattern = re.compile(
            rf"(?<![\w.])(?P<num>\d++(?:\.\d++)?(?:\s*(?:-|–|to)\s*\d++(?:\.\d++)?)?|{number_words})"
            rf"\s*(?:x\s*)?(?:(?:{alternation(rule.containers)})\s+(?:of\s+)?)?(?:\w++\s+)?"
            rf"(?:{alternation(words)})(?:e?s)?\b",
            re.I,
        )
        out.append((rule, pattern))
    return tuple(out)


def _assessment_pattern(grammar: Grammar) -> re.Pattern[str]:
    """A clinician's check: "<clinician> (0-2 words) checked", "seen by <clinician>", "had me checked"."""
    rule = grammar.assessment
    who = alternation(rule.clinicians)
    done = (
        rf"(?:{who})(?:\s+[\w']+){{0,2}}?\s+(?:{alternation(rule.checked)})",
        rf"(?:{alternation(rule.seen)})\s+(?:by\s+)?(?:(?:a|an|the|my|our|his|her|their)\s+)?(?:[\w-]+\s+)?(?:{who})",
        rf"(?:{alternation(rule.passive_aux)})\s+(?:(?:me|myself|him|her|it|them|everything)\s+)?(?:all\s+)?"
        rf"(?:{alternation(rule.passive)})",
    )
    return re.compile(rf"(?<![\w&])(?:{'|'.join(done)})(?![\w&])", re.I)


def _threshold_pattern(rule: ThresholdRule) -> re.Pattern[str]:
    """A threshold word, then within 14 characters a number ("temp 38.5", "GCS of 13"), or after only the
    rule's ``between`` words; with units, also the number and unit before the word ("4 hrs sleep")."""
    words = [w for w in rule.words if len(w) > 1]
    letters = [w.upper() for w in rule.words if len(w) == 1]
    alternatives = [rf"(?i:\b(?:{alternation(words)}))"] + [rf"\b{re.escape(w)}" for w in letters]
    # (?!\w), not \b: a unit may be a sign ("85%")
    unit = rf"(?=\s*(?i:{alternation(rule.units)})(?!\w))" if rule.units else ""
    gap = (
        rf"\s*+[:=]?\s*+(?:(?i:{alternation(rule.between)})\s++){{0,2}}"
        if rule.between
        else r"[^\d.;\n]{0,14}?"
    )
    word_first = rf"(?:{'|'.join(alternatives)})\b{gap}(?P<num>\d++(?:\.\d+)?)(?![\d/]){unit}"
    if not rule.units or not words:
        return re.compile(word_first)
    # With a unit the number may come first: "about 4 hrs sleep", "5 hours of sleep".
    number_first = (
        rf"(?<![\d.])(?P<num2>\d++(?:\.\d+)?)\s*(?i:{alternation(rule.units)})\s+(?i:of\s+)?"
        rf"(?i:{alternation(words)})\b"
    )
    return re.compile(rf"{word_first}|{number_first}")


def _episode_over_patterns(rule: EpisodeRule) -> tuple[re.Pattern[str], ...] | None:
    """One pattern for each word that says an episode is over ("calm", "came round"), searched in a
    lowercased clause; one a word, not one alternation, as each word's every place is checked for a
    denial before it ("hasn't come round" still holds "round" if that is a word of its own)."""
    if rule.still_going_unless is None:
        return None
    return tuple(re.compile(rf"\b{re.escape(word)}\b") for word in rule.still_going_unless)


def _score_patterns(rule: ScoreRule) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A score with its name ("MRC 4/5"), a bare score ("4/5") and a full-marks phrase."""
    words = alternation(rule.words)
    full = alternation(rule.full_words)
    scale = rule.scale
    with_word = re.compile(rf"\b(?:{words})\b[^.;\n]{{0,30}}?(?<![\d/])(?P<num>\d)\s*/\s*{scale}\b", re.I)
    bare = re.compile(rf"(?<![\d/.])(?P<num>\d)\s*/\s*{scale}\b(?!\s*/)")
    fulls = re.compile(rf"\b(?:(?:{full})\s+(?:{words})|(?:{words})\s+(?:is\s+)?(?:{full}))\b", re.I)
    return with_word, bare, fulls
