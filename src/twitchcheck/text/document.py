"""Document-level evidence: where the twitching is, how far it spreads, on which side, for how
long and how often, plus amounts, scores and thresholds read from numbers.

These need more than one target: a body part is a twitch location only when a twitch is said
nearby; "for 3 weeks" is the complaint's duration only when the complaint is in its clause.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from spacy.tokens import Doc

from twitchcheck.knowledge.schema import Finding
from twitchcheck.text.clauses import Layout, Segment
from twitchcheck.text.context_rules import FEAR, HYPOTHETICAL, POSSIBLE
from twitchcheck.text.decide import VALUE, Candidate, Decider
from twitchcheck.text.durations import DurationReader
from twitchcheck.text.grammar import AmountRule, Grammar, ScoreRule, ThresholdRule
from twitchcheck.text.normalize import Normalizer
from twitchcheck.text.targets import Target
from twitchcheck.text.time_phrase import TimePhrase
from twitchcheck.text.values import NUMBER, ValueReader, _alternation, parse_number

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
    medication_negated: re.Pattern[str]
    medicine: re.Pattern[str]
    thresholds: tuple[tuple[ThresholdRule, re.Pattern[str]], ...]
    scores: tuple[tuple[ScoreRule, re.Pattern[str], re.Pattern[str], re.Pattern[str]], ...]
    assessment: re.Pattern[str]  # a clinician's check ("a neurologist checked me")
    assessment_negated: re.Pattern[str]  # ...said as not (yet) done, when it ends the text before it
    assessment_cues: frozenset[str]  # negation words inside the check ("the GP never examined")
    assessment_judged: frozenset[str]  # findings whose normal result makes a check a normal assessment
    twitch: frozenset[str]  # twitch-like findings (where a body part becomes a twitch location)
    anchor: frozenset[str]  # findings a duration can describe
    document_level: frozenset[str]
    duration: Finding | None


_UNSURE = frozenset({POSSIBLE, FEAR, HYPOTHETICAL})
_NOT_CONTRACTED = re.compile(r"(?:do|does|did|has|have|had|is|was|were|wo|would|could|ca)n'?t")
_SINCE = re.compile(r"\b(?:ever since|since then|since)\b", re.I)
# "fell off the trampoline an hour ago, now his legs keep jumping": "now" opening the next clause.
# Only a recent event links by "now": "cracked my skull two years ago, now my hand jerks" began later.
_NOW_LINK_DAYS = 31
_NOW_OPENING = re.compile(r"^\W*(?:and\s+|but\s+|so\s+)?(?:right\s+)?now\b", re.I)
_CAFFEINE_MG = re.compile(rf"(?<!\d)(?<!\d,)(?P<num>{NUMBER})\s*mg\s+(?:of\s+)?caffeine", re.I)


def compile_document_rules(grammar: Grammar, findings: Mapping[str, Finding]) -> Compiled:
    def words_pattern(words: Sequence[str]) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w'])(?:{_alternation(words)})(?![\w'])", re.I)

    def cue_patterns(cues: Mapping[str, Sequence[str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((state, words_pattern(words)) for state, words in cues.items())

    medication = grammar.medication_change
    ctx = grammar.location_context
    durations = grammar.durations
    return Compiled(
        frequency=cue_patterns(grammar.frequency.cues),
        spread=cue_patterns(grammar.spread.cues),
        same_side=re.compile(rf"\b(?:{_alternation(grammar.laterality.same_side)})\b", re.I),
        onset=re.compile(rf"\b(?:{_alternation(grammar.durations.onset_words)})\b", re.I),
        durations=DurationReader(grammar.durations, grammar.numbers),
        values=ValueReader(grammar, dict(findings)),
        amounts=_amount_patterns(grammar, findings),
        medication_cues=words_pattern(medication.cues),
        medication_negated=words_pattern(medication.negated),
        medicine=re.compile(rf"\b(?:{_alternation(medication.medicine_words)})\b", re.I),
        thresholds=tuple((rule, _threshold_pattern(rule)) for rule in grammar.thresholds),
        scores=tuple((rule, *_score_patterns(rule)) for rule in grammar.scores),
        assessment=_assessment_pattern(grammar),
        assessment_negated=re.compile(
            rf"(?<![\w'])(?:{_alternation(grammar.assessment.not_before)})(?![\w'])"
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
    number_words = _alternation(w for w in grammar.numbers.words if w not in ("a", "an"))
    for rule in grammar.amounts:
        finding = findings.get(rule.finding)
        words = [w for w in finding.synonyms if len(w) >= 3] if finding is not None else []
        if not words:
            continue
        # Possessive digit runs and the (?<![\w.]) guard keep long digit runs linear.
        pattern = re.compile(
            rf"(?<![\w.])(?P<num>\d++(?:\.\d++)?(?:\s*(?:-|–|to)\s*\d++(?:\.\d++)?)?|{number_words})"
            rf"\s*(?:x\s*)?(?:(?:{_alternation(rule.containers)})\s+(?:of\s+)?)?(?:\w++\s+)?"
            rf"(?:{_alternation(words)})(?:e?s)?\b",
            re.I,
        )
        out.append((rule, pattern))
    return tuple(out)


def _assessment_pattern(grammar: Grammar) -> re.Pattern[str]:
    """A clinician's check: "<clinician> (0-2 words) checked", "seen by <clinician>", "had me checked"."""
    rule = grammar.assessment
    who = _alternation(rule.clinicians)
    done = (
        rf"(?:{who})(?:\s+[\w']+){{0,2}}?\s+(?:{_alternation(rule.checked)})",
        rf"(?:{_alternation(rule.seen)})\s+(?:by\s+)?(?:(?:a|an|the|my|our|his|her|their)\s+)?(?:[\w-]+\s+)?(?:{who})",
        rf"(?:{_alternation(rule.passive_aux)})\s+(?:(?:me|myself|him|her|it|them|everything)\s+)?(?:all\s+)?"
        rf"(?:{_alternation(rule.passive)})",
    )
    return re.compile(rf"(?<![\w&])(?:{'|'.join(done)})(?![\w&])", re.I)


def _threshold_pattern(rule: ThresholdRule) -> re.Pattern[str]:
    """A threshold word, then within 14 characters a number ("temp 38.5", "GCS of 13")."""
    words = [w for w in rule.words if len(w) > 1]
    letters = [w.upper() for w in rule.words if len(w) == 1]
    alternatives = [rf"(?i:\b(?:{_alternation(words)}))"] + [rf"\b{re.escape(w)}" for w in letters]
    unit = rf"(?=\s*(?i:{_alternation(rule.units)})\b)" if rule.units else ""
    return re.compile(
        rf"(?:{'|'.join(alternatives)})\b[^\d.;\n]{{0,14}}?(?P<num>\d++(?:\.\d+)?)(?![\d/]){unit}"
    )


def _score_patterns(rule: ScoreRule) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A score with its name ("MRC 4/5"), a bare score ("4/5") and a full-marks phrase."""
    words = _alternation(rule.words)
    full = _alternation(rule.full_words)
    scale = rule.scale
    with_word = re.compile(rf"\b(?:{words})\b[^.;\n]{{0,30}}?(?<![\d/])(?P<num>\d)\s*/\s*{scale}\b", re.I)
    bare = re.compile(rf"(?<![\d/.])(?P<num>\d)\s*/\s*{scale}\b(?!\s*/)")
    fulls = re.compile(rf"\b(?:(?:{full})\s+(?:{words})|(?:{words})\s+(?:is\s+)?(?:{full}))\b", re.I)
    return with_word, bare, fulls


class DocumentReader:
    """Reads the document-level findings for one parsed text."""

    def __init__(
        self,
        grammar: Grammar,
        compiled: Compiled,
        findings: Mapping[str, Finding],
        normalize: Normalizer,
        decider: Decider,
        doc: Doc,
        text: str,
        layout: Layout,
        targets: Sequence[Target],
        reference: datetime | None = None,
    ) -> None:
        self.grammar = grammar
        self.reference = reference
        self.c = compiled
        self.findings = findings
        self.normalize = normalize
        self.decider = decider
        self.doc = doc
        self.text = text
        self.layout = layout
        self.targets = targets
        self._twitch = compiled.twitch
        self._anchor = compiled.anchor
        self._live = [t for t in targets if not decider.blocked(t)]
        self._document_level = compiled.document_level
        # Clause and sentence indexes, built once, so every question below is a set lookup
        # rather than a scan over all targets (long texts stay linear).
        affirmed = [t for t in self._live if self._affirmed(t)]
        self._first_affirmed: dict[tuple[str, int], Target] = {}
        for t in affirmed:
            self._first_affirmed.setdefault((t.finding.id, t.sentence), t)
        self._affirmed_clauses = {t.clause for t in affirmed}
        self._affirmed_sentences = {t.sentence for t in affirmed}
        self._blocking_clauses = {
            t.clause
            for t in affirmed
            if t.finding.id not in self._twitch
            and t.finding.category in ("symptom", "character", "exam", "test")
        }
        self._finding_clauses = {
            t.clause
            for t in targets
            if t.finding.category != "location" and t.finding.id not in self._document_level
        }
        self._finding_sentences = {layout.sentence_of[layout.clauses[c].start] for c in self._finding_clauses}
        self._negative_clauses = {t.clause for t in targets if t.negated or decider.blocked(t)}
        self._symptom_said = any(t.finding.category in ("symptom", "character") for t in affirmed)
        self._twitch_said = any(t.finding.id in compiled.twitch for t in affirmed)
        # Clauses about a medicine, a past illness, family or a habit ("on lithium for 3 years").
        rules = grammar.durations
        self._context_clauses = {
            t.clause
            for t in targets
            if t.finding.category in rules.context_categories and t.finding.id not in rules.context_exempt
        }
        self._anchor_cache: dict[frozenset[str], tuple[frozenset[int], frozenset[int]]] = {}
        self._twitch_clauses, self._twitch_sentences = self._anchor_index(self._twitch)
        self._clause_starts = [c.char_start for c in layout.clauses]
        self._token_starts = [t.idx for t in doc]
        self._said: dict[tuple[re.Pattern[str], int], bool] = {}

    # ----------------------------------------------------------- helpers
    def is_site(self, t: Target) -> bool:
        """A body-site finding (loc_*), as opposed to spread or laterality."""
        f = t.finding
        return f.category == "location" and f.type == "binary" and f.id != self.grammar.laterality.finding

    def _affirmed(self, t: Target) -> bool:
        return not t.negated and t.info.kind in ("synonym", "frame")

    def _anchor_index(self, anchors: AbstractSet[str]) -> tuple[frozenset[int], frozenset[int]]:
        """The clauses and the sentences with an affirmed, unblocked target among ``anchors``."""
        key = frozenset(anchors)
        cached = self._anchor_cache.get(key)
        if cached is None:
            hits = [t for t in self._live if t.finding.id in key and self._affirmed(t)]
            cached = (frozenset(t.clause for t in hits), frozenset(t.sentence for t in hits))
            self._anchor_cache[key] = cached
        return cached

    def _twitch_in(self, clause: int) -> bool:
        return clause in self._twitch_clauses

    def twitch_licensed(self, clause: Segment) -> bool:
        """A twitch is said in this clause, or in its sentence and this clause says nothing else.

        "Nothing else" means no affirmed non-twitch symptom/sign, which claims its body parts.
        """
        if clause.index in self._twitch_clauses:
            return True
        if clause.index in self._blocking_clauses:
            return False
        return self.layout.sentence_of[clause.start] in self._twitch_sentences

    def _anchored(self, clause: Segment, anchors: AbstractSet[str]) -> bool:
        """The clause (or, if it names no finding, its sentence or the previous one) has an anchor."""
        clauses, sentences = self._anchor_index(anchors)
        if clause.index in clauses:
            return True
        if clause.index in self._finding_clauses:
            return False
        sentence = self.layout.sentence_of[clause.start]
        if sentence in sentences:
            return True
        if sentence not in self._finding_sentences and sentence > 0:
            return sentence - 1 in sentences
        return False

    def _clause_at(self, char: int) -> Segment:
        """The clause holding character ``char`` (the last clause if none does)."""
        clauses = self.layout.clauses
        i = bisect_right(self._clause_starts, char) - 1
        if i >= 0 and char < clauses[i].char_end:
            return clauses[i]
        return clauses[-1]

    def _token_at(self, char: int) -> int:
        """The token holding character ``char``, or the nearest one before it."""
        return max(0, bisect_right(self._token_starts, char) - 1)

    @cached_property
    def _phrases(self) -> list[TimePhrase]:
        return self.c.durations.find(self.text, self.reference)

    def _says(self, pattern: re.Pattern[str], clause: Segment) -> bool:
        """``pattern`` occurs in ``clause`` (memoised: many time phrases can share one clause)."""
        key = (pattern, clause.index)
        found = self._said.get(key)
        if found is None:
            found = self._said[key] = bool(pattern.search(self.text[clause.char_start : clause.char_end]))
        return found

    # ------------------------------------------------------------ locations
    def locations(self) -> list[Candidate]:
        """Body sites said together with a twitch-like movement (or denied together with it)."""
        out: list[Candidate] = []
        by_place = set(self.grammar.location_context.negation_by_place)
        negated_twitch = {o.clause for o in self._live if o.finding.id in by_place and o.negated}
        for t in self.targets:
            if not self.is_site(t) or t.info.kind != "synonym" or self.decider.blocked(t):
                continue
            clause = self.layout.clauses[t.clause]
            if t.clause in negated_twitch and not self._twitch_in(t.clause):
                out.append(Candidate(t.finding.id, "absent", t.start, t.end))
            elif not t.negated and self.twitch_licensed(clause):
                out.append(Candidate(t.finding.id, "present", t.start, t.end))
        return out

    def denied_only_by_location(self) -> set[tuple[int, int]]:
        """Negated twitches whose negation is about a place ("no twitching in the tongue")."""
        by_place = set(self.grammar.location_context.negation_by_place)
        sites = {o.clause for o in self.targets if self.is_site(o) and o.info.kind == "synonym"}
        return {
            (t.start, t.end)
            for t in self.targets
            if t.finding.id in by_place and t.negated and t.clause in sites
        }

    # --------------------------------------------------------------- spread
    def spread(self, locations: Sequence[Candidate]) -> Candidate | None:
        rule = self.grammar.spread
        finding = self.findings.get(rule.finding)
        if finding is None:
            return None
        for clause in self.layout.clauses:
            if not self.twitch_licensed(clause):
                continue
            piece = self.text[clause.char_start : clause.char_end]
            for state, pattern in self.c.spread:
                match = pattern.search(piece)
                if match and state in finding.state_ids:
                    start = clause.char_start + match.start()
                    return Candidate(finding.id, state, start, clause.char_start + match.end(), VALUE)
        present = [c for c in locations if c.state == "present"]
        regions: dict[str, tuple[int, int]] = {}
        for c in present:
            regions.setdefault(c.finding, (c.start, c.end))
        covered = {i for c in present for i in range(c.start, c.end)}
        contains = {self.normalize(w): set(inside) for w, inside in rule.regions.items()}
        for token in self.doc:
            inside = contains.get(token.norm_)
            if inside is None or token.idx in covered or inside & set(regions):
                continue
            if self._twitch_in(self.layout.clause_of[token.i]) and not self._token_blocked(token.i):
                regions.setdefault("region:" + token.norm_, (token.idx, token.idx + len(token.text)))
        count = len(regions)
        if count < 2:
            return None
        chosen = None
        for state, threshold in sorted(rule.from_count.items(), key=lambda kv: kv[1]):
            if count >= threshold and state in finding.state_ids:
                chosen = state
        if chosen is None:
            return None
        spans = sorted(regions.values())
        return Candidate(finding.id, chosen, spans[0][0], spans[-1][1])

    def _token_blocked(self, i: int) -> bool:
        """A token inside a negated/other-person context (by any target sharing its clause)."""
        clause = self.layout.clause_of[i]
        return clause in self._negative_clauses and clause not in self._affirmed_clauses

    # ---------------------------------------------------------- laterality
    def laterality(self) -> Candidate | None:
        rule = self.grammar.laterality
        finding = self.findings.get(rule.finding)
        if finding is None:
            return None
        for clause in self.layout.clauses:
            piece = self.text[clause.char_start : clause.char_end]
            match = self.c.same_side.search(piece)
            if match is None:
                continue
            if self.layout.sentence_of[clause.start] in self._affirmed_sentences:
                start = clause.char_start + match.start()
                return Candidate(finding.id, "present", start, clause.char_start + match.end())
        parts = self._body_parts()
        left = {p for p, side, _ in parts if side == "left"}
        right = {p for p, side, _ in parts if side == "right"}
        first = min((s for _, _, s in parts), default=None)
        if first is None:
            return None
        if left and right:
            return Candidate(finding.id, "absent", first[0], first[1])
        if len(left or right) >= 2:
            return Candidate(finding.id, "present", first[0], first[1])
        return None

    def _body_parts(self) -> list[tuple[str, str, tuple[int, int]]]:
        """(part, side, span) for affirmed body parts that carry a side word."""
        lat = self.grammar.laterality
        left = {w.lower() for w in lat.left}
        right = {w.lower() for w in lat.right}
        part_at: dict[int, str] = {}
        for t in self.targets:
            if (
                self.is_site(t)
                and t.info.kind == "synonym"
                and not t.firmly_negated
                and not self.decider.blocked(t)
            ):
                for i in range(t.tok_start, t.tok_end):
                    part_at[i] = t.finding.id
        region_norms = {self.normalize(w) for w in self.grammar.spread.regions}
        for token in self.doc:
            if token.norm_ in region_norms and token.i not in part_at and not self._token_blocked(token.i):
                part_at[token.i] = "region:" + token.norm_
        out: list[tuple[str, str, tuple[int, int]]] = []
        doc = self.doc
        for token in doc:
            lower = token.lower_
            is_letter = len(token.text) == 1 and token.text.isupper()
            if lower in left and (len(lower) > 1 or is_letter):
                side = "left"
            elif lower in right and (len(lower) > 1 or is_letter):
                side = "right"
            else:
                continue
            clause = self.layout.clause_of[token.i]
            prev = [doc[j].lower_ for j in range(max(0, token.i - 2), token.i)]
            if prev and prev[-1] in ("the", "on") or prev[-2:] == ["on", "the"]:
                for j in range(token.i - 1, max(-1, token.i - 8), -1):
                    if self.layout.clause_of[j] != clause and doc[j].text != ",":
                        break
                    if j in part_at:
                        out.append((part_at[j], side, (token.idx, token.idx + len(token.text))))
                        break
                continue
            j = token.i + 1
            found = False
            while j < len(doc) and j < token.i + 6:
                if j in part_at:
                    found = True
                    break
                if doc[j].lower_ in left | right:
                    break
                j += 1
            if not found:
                continue
            while j < len(doc):
                part = part_at.get(j)
                if part is not None:
                    out.append((part, side, (doc[j].idx, doc[j].idx + len(doc[j].text))))
                    j += 1
                    while j < len(doc) and part_at.get(j) == part:
                        j += 1
                    continue
                if doc[j].lower_ in ("and", ",", "or", "&", "/", "+", "my", "the", "upper", "lower", "whole"):
                    j += 1
                    continue
                break
        return out

    # ------------------------------------------------------- duration/frequency
    def duration(self) -> Candidate | None:
        """How long the complaint has lasted: a time phrase anchored to a twitch-like finding wins
        over one anchored to another symptom ("injured 8 years ago; for 3 days my legs spasm")."""
        finding = self.c.duration
        if finding is None:
            return None
        phrases = self._phrases
        for anchors in (self._twitch, self._anchor):
            for phrase in phrases:
                if self._describes_complaint(phrase, anchors):
                    state = finding.state_for(phrase.days)
                    if state is not None:
                        return Candidate(finding.id, state, phrase.start, phrase.end, VALUE)
        # No phrase sits with a symptom: people put the time in a sentence of its own ("Started
        # 2 days ago.") or beside a symptom the reader missed. The first phrase that is not about
        # a medicine, a past illness or a habit dates the complaint, if the text has one.
        if not self._symptom_said:
            return None
        for phrase in phrases:
            clause = self._clause_at(phrase.start)
            if phrase.kind == "at" or self.layout.sentence_of[clause.start] in self.decider.questions:
                continue
            if phrase.days < self.grammar.durations.min_course_days and phrase.kind not in ("ago", "since"):
                continue
            if clause.index in self._context_clauses or clause.index in self._negative_clauses:
                continue
            state = finding.state_for(phrase.days)
            if state is not None:
                return Candidate(finding.id, state, phrase.start, phrase.end)
        return None

    def _describes_complaint(self, phrase: TimePhrase, anchors: AbstractSet[str]) -> bool:
        rules = self.grammar.durations
        clause = self._clause_at(phrase.start)
        if self.layout.sentence_of[clause.start] in self.decider.questions:
            return False
        if phrase.days < rules.min_course_days and phrase.kind not in ("ago", "since"):
            return False
        if self._anchored(clause, anchors):
            return True
        if phrase.kind in ("ago", "since", "at") and self._linked_by_since(clause, anchors):
            return True
        sentence = self.layout.sentence_of[clause.start]
        onset = phrase.kind != "at" and self._says(self.c.onset, clause)
        if onset and sentence not in self._finding_sentences:
            return bool(self._anchor_index(anchors)[0])
        return False

    def childhood_onset(self) -> Candidate | None:
        """ "Since I was 3 I get attacks": a complaint that began in early childhood (see grammar)."""
        rule = self.grammar.durations.since_age
        if rule.finding not in self.findings:
            return None
        for phrase in self._phrases:
            if phrase.onset_age is None or phrase.onset_age >= rule.child_below:
                continue
            clause = self._clause_at(phrase.start)
            if self.layout.sentence_of[clause.start] in self.decider.questions:
                continue
            if self._anchored(clause, self._anchor):
                return Candidate(rule.finding, "present", phrase.start, phrase.end)
        return None

    def sudden_onset(self) -> Candidate | None:
        """A stroke-like complaint that began within the last day began suddenly (see grammar)."""
        rule = self.grammar.durations.sudden
        if rule.finding not in self.findings:
            return None
        anchors = set(rule.anchors)
        for phrase in self._phrases:
            if phrase.days >= rule.within_days or phrase.kind not in ("ago", "since"):
                continue
            clause = self._clause_at(phrase.start)
            if self._anchored(clause, anchors) or (
                phrase.kind == "ago" and self._linked_by_since(clause, anchors)
            ):
                return Candidate(rule.finding, "present", phrase.start, phrase.end)
            sentence = self.layout.sentence_of[clause.start]
            nearby = {sentence, sentence - 1}
            if self._says(self.c.onset, clause) and nearby & self._anchor_index(anchors)[1]:
                return Candidate(rule.finding, "present", phrase.start, phrase.end)
        return None

    def _linked_by_since(self, clause: Segment, anchors: AbstractSet[str]) -> bool:
        """'Got the flu 3 weeks ago and ever since I've had twitches': the next clause links back."""
        nxt = clause.index + 1
        if nxt >= len(self.layout.clauses):
            return False
        following = self.layout.clauses[nxt]
        # "Since 05:00 ..." dates its own clause; it does not link back.
        dated = (p for p in self._phrases if p.kind == "since")
        if any(following.char_start <= p.start < following.char_end for p in dated):
            return False
        opening = self.text[following.char_start : following.char_end]
        recent = any(
            p.days <= _NOW_LINK_DAYS for p in self._phrases if clause.char_start <= p.start < clause.char_end
        )
        linked = self._says(_SINCE, following) or (recent and bool(_NOW_OPENING.match(opening)))
        return linked and self._anchored(following, anchors)

    def frequency(self) -> Candidate | None:
        rule = self.grammar.frequency
        finding = self.findings.get(rule.finding)
        if finding is None:
            return None
        fallback: Candidate | None = None
        for sentence in self.layout.sentences:
            if sentence.index in self.decider.questions:
                continue
            piece = self.text[sentence.char_start : sentence.char_end]
            hits = []
            for state, pattern in self.c.frequency:
                for match in pattern.finditer(piece):
                    if state in finding.state_ids:
                        hits.append((match.start(), match.end(), state))
            for start, end, state in sorted(hits):
                clause = self._clause_at(sentence.char_start + start)
                if self._anchored(clause, self._twitch):
                    return Candidate(
                        finding.id, state, sentence.char_start + start, sentence.char_start + end
                    )
                if fallback is None and self._twitch_said and clause.index not in self._context_clauses:
                    fallback = Candidate(
                        finding.id, state, sentence.char_start + start, sentence.char_start + end
                    )
        # "happens most nights", "comes n goes" in a sentence of their own: about the twitch the text
        # describes, unless they sit with a medicine, a habit or a past illness.
        return fallback

    def medication_change(self) -> list[Candidate]:
        """A named medicine with a change word nearby -> a recent change (see grammar)."""
        rule = self.grammar.medication_change
        general = self.findings.get(rule.finding)
        if general is None:
            return []
        cues, negated, medicine = self.c.medication_cues, self.c.medication_negated, self.c.medicine
        not_named = {rule.finding, *rule.specific.values(), *rule.exclude}
        meds_in: dict[int, list[Target]] = {}
        for t in self._live:
            if t.finding.category == "medication" and self._affirmed(t) and t.finding.id not in not_named:
                meds_in.setdefault(t.sentence, []).append(t)
        out: list[Candidate] = []
        for sentence in self.layout.sentences:
            if sentence.index in self.decider.questions:
                continue
            meds = meds_in.get(sentence.index, [])
            piece = self.text[sentence.char_start : sentence.char_end]
            for match in negated.finditer(piece):
                if meds or medicine.search(piece):
                    target_id = rule.specific.get(meds[0].finding.id, rule.finding) if meds else rule.finding
                    if target_id in self.findings:
                        start = sentence.char_start + match.start()
                        out.append(Candidate(target_id, "absent", start, sentence.char_start + match.end()))
                break
            if not meds:
                continue
            for match in cues.finditer(piece):
                start = sentence.char_start + match.start()
                if negated.search(piece[max(0, match.start() - 12) : match.end()]):
                    continue
                clause = self.layout.clause_of[self._token_at(start)]
                near = [t for t in meds if t.clause == clause] or meds
                drug = min(near, key=lambda t: abs(t.start - start))
                target_id = rule.specific.get(drug.finding.id, rule.finding)
                if target_id in self.findings:
                    out.append(
                        Candidate(
                            target_id,
                            "present",
                            min(start, drug.start),
                            max(start + len(match.group(0)), drug.end),
                        )
                    )
                break
        return out

    def combinations(self, chosen: Mapping[str, Candidate]) -> list[Candidate]:
        """Findings said together in one clause that make a more specific one present."""
        out: list[Candidate] = []
        for rule in self.grammar.combinations:
            if rule.then not in self.findings or any(f not in self.findings for f in rule.all):
                continue
            if not all(chosen.get(f) is not None and chosen[f].state == "present" for f in rule.all):
                continue
            for sentence in self.layout.sentences:
                spans = []
                for fid in rule.all:
                    hit = self._first_affirmed.get((fid, sentence.index))
                    if hit is not None:
                        spans.append((hit.start, hit.end))
                        continue
                    # A document-level finding ("left", "one side") counts where it was read.
                    said = chosen[fid]
                    if not (sentence.char_start <= said.start < sentence.char_end):
                        break
                    spans.append((said.start, said.end))
                else:
                    out.append(
                        Candidate(rule.then, "present", min(s for s, _ in spans), max(e for _, e in spans))
                    )
                    break
        return out

    def assessment(self, chosen: Mapping[str, Candidate]) -> Candidate | None:
        """A clinician's check said with findings found normal and none abnormal (see grammar)."""
        rule = self.grammar.assessment
        if rule.finding not in self.findings:
            return None
        by_sentence: dict[int, list[Candidate]] = {}
        for cand in chosen.values():
            if cand.finding in self.c.assessment_judged:
                index = self.layout.sentence_of[self._token_at(cand.start)]
                by_sentence.setdefault(index, []).append(cand)
        for sentence in self.layout.sentences:
            if sentence.index in self.decider.questions:
                continue
            piece = self.text[sentence.char_start : sentence.char_end]
            for match in self.c.assessment.finditer(piece):
                before = piece[max(0, match.start() - 40) : match.start()]
                if self.c.assessment_negated.search(before) or self._check_negated(match.group(0)):
                    continue
                start = sentence.char_start + match.start()
                if any(
                    t.sentence == sentence.index and t.start >= start and t.mods & _UNSURE
                    for t in self.targets
                ):
                    continue  # "the neurologist said it might be MND": not a normal result
                said = by_sentence.get(sentence.index)
                if said is None:
                    said = by_sentence.get(sentence.index + 1, [])
                if said and all(not c.affirmed for c in said):
                    return Candidate(rule.finding, "present", start, sentence.char_start + match.end())
        return None

    def _check_negated(self, check: str) -> bool:
        """ "The doctor never checked", "the GP hasn't yet examined": a negation inside the check."""
        cues = self.c.assessment_cues
        return any(w in cues or _NOT_CONTRACTED.fullmatch(w) for w in re.findall(r"[\w']+", check.lower()))

    def rapid_spread(self, chosen: Mapping[str, Candidate]) -> Candidate | None:
        """Weakness in arms and legs that came on within days (see grammar ``rapid_spread``)."""
        rule = self.grammar.rapid_spread
        if rule.finding not in self.findings or rule.anchor not in self.findings:
            return None
        anchor = chosen.get(rule.anchor)
        unless = chosen.get(rule.unless)
        if anchor is None or anchor.state != "present" or (unless is not None and unless.state == "present"):
            return None
        clauses = {t.clause for t in self._live if t.finding.id == rule.anchor and self._affirmed(t)}
        reached = set()
        for group, members in rule.groups.items():
            words = {self.normalize(m) for m in members}
            for t in self.targets:
                if t.clause in clauses and t.finding.id in members:
                    reached.add(group)
            for token in self.doc:
                if self.layout.clause_of[token.i] in clauses and token.norm_ in words:
                    reached.add(group)
        if len(reached) < len(rule.groups):
            return None
        for phrase in self._phrases:
            if phrase.days <= rule.within_days and self._anchored(
                self._clause_at(phrase.start), {rule.anchor}
            ):
                return Candidate(rule.finding, "present", anchor.start, anchor.end)
        return None

    def episodes(self) -> list[Candidate]:
        """How long one episode lasted ("the cramp lasted 20 minutes") -> present/absent; "a cramp
        2 hours ago" says when, not how long."""
        out: list[Candidate] = []
        for rule in self.grammar.episodes:
            if rule.finding not in self.findings:
                continue
            for phrase in self._phrases:
                if phrase.days >= 1 or phrase.kind in ("ago", "since"):
                    continue
                clause = self._clause_at(phrase.start)
                if not self._anchored(clause, {rule.anchor, rule.finding}):
                    continue
                # In the units table's own minutes, so that "10 minutes" is exactly 10.
                minutes = round(phrase.days / self.grammar.durations.units["minute"], 6)
                state = "present" if minutes >= rule.at_least_minutes else "absent"
                out.append(Candidate(rule.finding, state, phrase.start, phrase.end))
        return out

    # ---------------------------------------------------- numbers -> binary
    def amounts(self) -> list[Candidate]:
        out: list[Candidate] = []
        for rule, pattern in self.c.amounts:
            finding = self.findings[rule.finding]
            for sentence in self.layout.sentences:
                if sentence.index in self.decider.questions:
                    continue
                piece = self.text[sentence.char_start : sentence.char_end]
                total = 0.0
                first: tuple[int, int] | None = None
                for match in pattern.finditer(piece):
                    value = self.c.values.number_or_range(match.group("num"))
                    if value is None:
                        continue
                    total += value
                    span = (sentence.char_start + match.start(), sentence.char_start + match.end())
                    first = span if first is None else (first[0], span[1])
                if first is not None:
                    state = "present" if total >= rule.per_day_at_least else "absent"
                    out.append(Candidate(finding.id, state, first[0], first[1], VALUE))
                for match in _CAFFEINE_MG.finditer(piece):
                    value = parse_number(match.group("num"))
                    state = "present" if value >= rule.mg_at_least else "absent"
                    start = sentence.char_start + match.start()
                    out.append(Candidate(finding.id, state, start, sentence.char_start + match.end(), VALUE))
        return out

    def thresholds(self) -> list[Candidate]:
        out: list[Candidate] = []
        for rule, pattern in self.c.thresholds:
            finding = self.findings.get(rule.finding)
            if finding is None:
                continue
            for match in pattern.finditer(self.text):
                value = parse_number(match.group("num"))
                low, high = rule.valid
                if not low <= value <= high:
                    continue
                sentence = self.layout.sentence_of[self._token_at(match.start())]
                if sentence in self.decider.questions:
                    continue
                present = (rule.present_at_least is not None and value >= rule.present_at_least) or (
                    rule.present_below is not None and value < rule.present_below
                )
                out.append(
                    Candidate(
                        finding.id, "present" if present else "absent", match.start(), match.end(), VALUE
                    )
                )
        return out

    def scores(self) -> list[Candidate]:
        out: list[Candidate] = []
        for rule, with_word, bare, fulls in self.c.scores:
            finding = self.findings.get(rule.finding)
            if finding is None:
                continue
            scale = rule.scale
            seen: set[int] = set()
            for match in with_word.finditer(self.text):
                value = int(match.group("num"))
                state = "absent" if value >= scale else "present"
                seen.add(match.start("num"))
                out.append(Candidate(finding.id, state, match.start(), match.end(), VALUE))
            for match in bare.finditer(self.text):
                value = int(match.group("num"))
                if match.start("num") in seen or value >= scale:
                    continue
                out.append(Candidate(finding.id, "present", match.start(), match.end(), VALUE))
            for match in fulls.finditer(self.text):
                out.append(Candidate(finding.id, "absent", match.start(), match.end(), VALUE))
        return out
