"""What every document reader asks of one parsed text, indexed once: which clauses and sentences hold an
affirmed twitch, a symptom, a finding, a negation or a medicine, a habit or a past illness, and where a
character falls. Every question the readers ask is then a set lookup, so long texts stay linear.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from functools import cached_property

from spacy.tokens import Doc

from twitchcheck.knowledge.schema import Finding
from twitchcheck.text.clauses import Layout, Segment
from twitchcheck.text.decide import Decider
from twitchcheck.text.document_rules import Compiled
from twitchcheck.text.grammar import Grammar
from twitchcheck.text.normalize import Normalizer
from twitchcheck.text.targets import Target
from twitchcheck.text.time_phrase import TimePhrase
from twitchcheck.text.tokens import token_strings


class DocumentIndex:
    """One parsed text with its targets, indexed for the document readers (see the module docstring)."""

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
        self.rules = compiled
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
        # (words that say what is normal, "knows me today", neither name a complaint of their own nor make a
        # clause a denial: its time may date the complaint)
        self._finding_clauses = {
            t.clause
            for t in targets
            if t.finding.category != "location"
            and t.finding.id not in self._document_level
            and not t.info.says_normal
        }
        self._finding_sentences = {layout.sentence_of[layout.clauses[c].start] for c in self._finding_clauses}
        self._negative_clauses = {
            t.clause for t in targets if t.negated and not t.info.says_normal or decider.blocked(t)
        }
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
        self.strings = token_strings(doc)
        self._token_starts = self.strings.idx
        self._said: dict[tuple[re.Pattern[str], int], bool] = {}

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
        return self.rules.durations.find(self.text, self.reference)

    def _says(self, pattern: re.Pattern[str], clause: Segment) -> bool:
        """``pattern`` occurs in ``clause`` (memoised: many time phrases can share one clause)."""
        key = (pattern, clause.index)
        found = self._said.get(key)
        if found is None:
            found = self._said[key] = bool(pattern.search(self.text[clause.char_start : clause.char_end]))
        return found

    def _token_blocked(self, i: int) -> bool:
        """A token inside a negated/other-person context (by any target sharing its clause)."""
        clause = self.layout.clause_of[i]
        return clause in self._negative_clauses and clause not in self._affirmed_clauses
