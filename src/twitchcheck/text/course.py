"""When and how often: how long the complaint has lasted, whether it began suddenly or in childhood, how
often it comes, how long one episode lasts, and weakness that spread within days.

"For 3 weeks" is the complaint's duration only when the complaint is in its clause (or a clause that
links back to it: "ever since", "now").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet

from twitchcheck.text.clauses import Segment
from twitchcheck.text.decide import VALUE, Candidate
from twitchcheck.text.document_index import DocumentIndex
from twitchcheck.text.guard import scan
from twitchcheck.text.time_phrase import TimePhrase

_SINCE = re.compile(r"\b(?:ever since|since then|since)\b", re.I)
# A word of an episode being over, denied just before it ("hasn't stopped", "not come round").
_DENIED_BEFORE = re.compile(r"(?:n'?t|\bnot|\bnever)\s+(?:yet\s+|really\s+)?$", re.I)
# "fell off the trampoline an hour ago, now his legs keep jumping": "now" opening the next clause.
# Only a recent event links by "now": "cracked my skull two years ago, now my hand jerks" began later.
_NOW_LINK_DAYS = 31
_NOW_OPENING = re.compile(r"^\W*(?:and\s+|but\s+|so\s+)?(?:right\s+)?now\b", re.I)
# The words of a time phrase, lowercased, to find its units by.
_PHRASE_WORD = re.compile(r"[a-z]+")

# A frequency word right before a body part in a list of places ("and sometimes my biceps").
_SITE_AFTER = re.compile(
    r"\s+(?:(?:my|his|her|their|the|both|left|right|l|r)\s+){0,2}(?:biceps?|triceps?|calf|calves|thighs?|"
    r"arms?|legs?|hands?|feet|foot|fingers?|thumbs?|toes?|eyelids?|eyes?|face|lips?|cheeks?|shoulders?|back|"
    r"chest|stomach|belly|tummy|neck|tongue|forearms?|wrists?|ankles?|hips?|bum|buttocks?|jaw)\b"
    # the place ends a list item; "sometimes my thigh muscles twitch" is a clause of its own
    r"(?=\s*(?:[,.;!?)]|$|(?:and|or|too)\b))",
    re.I,
)


class CourseReader(DocumentIndex):
    """The complaint's course in time, from the text's time phrases anchored to its findings."""

    def duration(self) -> Candidate | None:
        """How long the complaint has lasted: a time phrase anchored to a twitch-like finding wins
        over one anchored to another symptom ("injured 8 years ago; for 3 days my legs spasm")."""
        finding = self.rules.duration
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
        onset = phrase.kind != "at" and self._says(self.rules.onset, clause)
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
            # "in today, says every night she jolts": the time is a visit's; "jerks every night and since this
            # morning his arm is weak" dates the arm in its own clause
            if clause.index not in self._anchor_index(anchors)[0] and self._recurring(clause, rule.recurring):
                continue
            if self._anchored(clause, anchors) or (
                phrase.kind == "ago" and self._linked_by_since(clause, anchors)
            ):
                return Candidate(rule.finding, "present", phrase.start, phrase.end)
            sentence = self.layout.sentence_of[clause.start]
            nearby = {sentence, sentence - 1}
            if self._says(self.rules.onset, clause) and nearby & self._anchor_index(anchors)[1]:
                return Candidate(rule.finding, "present", phrase.start, phrase.end)
        return None

    def _recurring(self, clause: Segment, words: list[str]) -> bool:
        """The clause's sentence says the complaint recurs over days ("every night")."""
        return self._says_any(self.layout.sentences[self.layout.sentence_of[clause.start]], words)

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
            for state, pattern in self.rules.frequency:
                for match in scan(pattern, piece):
                    if state in finding.state_ids:
                        hits.append((match.start(), match.end(), state))
            for start, end, state in sorted(hits):
                if _SITE_AFTER.match(piece, end):
                    continue  # "both calves and sometimes my biceps": how often one place, not the complaint
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

    def episodes(self) -> list[Candidate]:
        """How long one episode lasted ("the cramp lasted 20 minutes") -> present/absent; "a cramp
        2 hours ago" says when, not how long. One still going ("it's been 7 minutes now") has lasted
        at least that long: long enough is present, shorter says nothing yet."""
        out: list[Candidate] = []
        named = {t.finding.id for t in self._live if self._affirmed(t)}
        for rule, over in self.rules.episodes:
            if rule.finding not in self.findings:
                continue
            if rule.with_findings and rule.anchor not in named:
                continue
            anchors = {rule.anchor, rule.finding, *rule.with_findings}
            for phrase in self._phrases:
                if phrase.days >= 1 or phrase.kind == "ago":
                    continue
                clause = self._clause_at(phrase.start)
                if not self._anchored(clause, anchors):
                    continue
                before = _PHRASE_WORD.findall(self.text[clause.char_start : phrase.start].lower())[-3:]
                if set(before) & set(rule.not_after):
                    continue  # "played futsal 2 hours": how long the game went on
                # In the units table's own minutes, so that "10 minutes" is exactly 10.
                minutes = round(phrase.days / self.grammar.durations.units["minute"], 6)
                long_enough = minutes >= rule.at_least_minutes
                if phrase.kind == "since" and not (long_enough and self._still_going(phrase, over)):
                    continue  # "had a fit this morning, since then..." dates the fit
                if rule.still_going_only and phrase.kind != "since":
                    continue
                if rule.only_with_words and not self._says_any(clause, rule.only_with_words):
                    continue
                state = "present" if long_enough else "absent"
                out.append(Candidate(rule.finding, state, phrase.start, phrase.end))
        return out

    def _says_any(self, clause: Segment, words: list[str]) -> bool:
        """The clause (or sentence) says one of ``words`` (whole words, any case)."""
        said = f" {' '.join(_PHRASE_WORD.findall(self.text[clause.char_start : clause.char_end].lower()))} "
        return any(f" {w} " in said for w in words)

    def _still_going(self, phrase: TimePhrase, over: tuple[re.Pattern[str], ...] | None) -> bool:
        """Time still running on the episode: the phrase counts seconds, minutes or hours ("been
        7 mins now", not "since this morning") and its clause does not say the episode is over
        (``over``: the rule's words of an episode being over, compiled with the document rules;
        None: the rule counts no time still running)."""
        if over is None:
            return False
        units = self.grammar.durations.units
        if not any(
            units.get(w, 1) < 1 for w in _PHRASE_WORD.findall(self.text[phrase.start : phrase.end].lower())
        ):
            return False
        clause = self._clause_at(phrase.start)
        said = self.text[clause.char_start : clause.char_end].lower()
        for word in over:
            for match in word.finditer(said):
                # "it hasn't stopped", "he hasn't come round": denied, the fit is not over
                if not _DENIED_BEFORE.search(said, 0, match.start()):
                    return False
        return True

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
            for i, norm in enumerate(self.strings.norm):
                if self.layout.clause_of[i] in clauses and norm in words:
                    reached.add(group)
        if len(reached) < len(rule.groups):
            return None
        for phrase in self._phrases:
            if phrase.days <= rule.within_days and self._anchored(
                self._clause_at(phrase.start), {rule.anchor}
            ):
                return Candidate(rule.finding, "present", anchor.start, anchor.end)
        return None
