"""From a target and its context to a candidate mention (finding, state, span).

The rules, in words:
- Someone else's symptoms are not evidence; a relative's condition is evidence only for a
  family-history finding ("my uncle had ALS" -> fh_als).
- Worry, questions and hypotheticals are not evidence ("could this be MS?").
- A resolved symptom is not current evidence, but past history stays history.
- A head word alone ("swallowing") only ever denies its finding ("swallowing is fine").
- Graded findings need a value, a qualifier, a count or a negation to pick a state.
"""

from __future__ import annotations

from dataclasses import dataclass

from twitchcheck.text.context_rules import (
    FAMILY,
    FEAR,
    FIRST_TIME,
    HYPOTHETICAL,
    NORMAL,
    OTHER_PERSON,
    POSSIBLE,
    RESOLVED,
)
from twitchcheck.text.grammar import Grammar
from twitchcheck.text.targets import Target
from twitchcheck.text.values import ValueReader, state_for_direction

ABSENT_STATES = frozenset({"absent", "none", "normal"})
CURRENT_ONLY = frozenset({"symptom", "character", "location"})
_SOMEONE_ELSE = frozenset({OTHER_PERSON, FAMILY})

# Priority of a candidate when several speak about one finding: a measured value beats a
# statement; among equals an affirmed statement beats a negated one.
VALUE = 2
STATEMENT = 1
GUESS = 0
LEARNED = -1  # the learned second reader: never overrides what the rules read about a finding


@dataclass(frozen=True)
class Candidate:
    """A possible mention; :mod:`resolve` keeps one per finding."""

    finding: str
    state: str
    start: int
    end: int
    priority: int = STATEMENT

    @property
    def affirmed(self) -> bool:
        return self.state not in ABSENT_STATES


class Decider:
    """Applies the module rules to targets of one document."""

    def __init__(
        self,
        grammar: Grammar,
        values: ValueReader,
        text: str,
        questions: set[int],
        answered_no: frozenset[int] | set[int] = frozenset(),
    ) -> None:
        self.grammar = grammar
        self.values = values
        self.text = text
        self.questions = questions
        self.answered_no = answered_no  # questions the next sentence answers "no"
        self._counts = {rule.finding: rule for rule in grammar.counts}

    def blocked(self, target: Target) -> bool:
        """True when the target is not a statement about the patient's own state."""
        category = target.finding.category
        mods = target.mods
        if OTHER_PERSON in mods:
            return True
        if target.sentence in self.questions or POSSIBLE in mods or HYPOTHETICAL in mods:
            return True
        if category == "family":
            if FEAR in mods:
                return True
            return FAMILY not in mods and not target.info.family_cue
        if FAMILY in mods:
            return True
        if category == "history" and FEAR in mods:
            return True
        return RESOLVED in mods and category in CURRENT_ONLY and not target.negated

    def decide(self, target: Target, clause_bounds: tuple[int, int]) -> Candidate | None:
        """The candidate for a non-location target, or None."""
        finding = target.finding
        if target.sentence in self.answered_no and not target.mods & _SOMEONE_ELSE:
            # asked about ("any fits?") and answered "no"; only a yes/no finding can be denied that way. Asked
            # whether it is fine ("Breathing ok? No", "Orientated? no"), the "no" says it is not.
            if finding.type != "binary":
                return None
            if target.info.says_normal or NORMAL in target.mods:
                return self._candidate(target, "present")
            return None if target.info.kind == "head" else self._candidate(target, "absent")
        if self.blocked(target):
            return None
        if target.info.kind == "head":
            if target.firmly_negated:
                state = "absent" if finding.type == "binary" else state_for_direction(finding, "normal")
                return self._candidate(target, state)
            return None
        if finding.type == "binary":
            if target.negated and FIRST_TIME in target.mods:
                # "I've never had a seizure before": this one is the first.
                return self._candidate(target, "present") if "never" in target.negation_words else None
            return self._candidate(target, "absent" if target.negated else "present")
        return self._graded(target, clause_bounds)

    def _candidate(
        self, target: Target, state: str | None, end: int | None = None, priority: int = STATEMENT
    ) -> Candidate | None:
        if state is None:
            return None
        return Candidate(target.finding.id, state, target.start, end or target.end, priority)

    def _graded(self, target: Target, clause_bounds: tuple[int, int]) -> Candidate | None:
        finding = target.finding
        text = self.text
        c_start, c_end = clause_bounds
        after = text[target.end : min(c_end, target.end + 40)]
        before = text[max(c_start, target.start - 25) : target.start]
        if finding.unit:
            read = self.values.lab_value(finding, text, target.end)
            if read is not None:
                return self._candidate(target, read[0], end=read[1], priority=VALUE)
            if not target.negated:
                verdict = self.values.lab_result(finding, text, target.end)
                if verdict is not None:
                    return self._candidate(target, verdict)
        rule = self._counts.get(finding.id)
        # a count beside a denial or a test's name says where it was looked for ("no denervation in 3
        # regions", "EMG of 3 limbs showed fasciculations only"), not where it was found
        if rule is not None and not target.negated and not target.info.names_test:
            state = self.values.count(rule, finding, before + " " + target.info.phrase + " " + after)
            if state is not None:
                return self._candidate(target, state, priority=VALUE)
        grade = self.values.reflex_grade(finding, before[-8:] + " " + after[:12])
        if grade is not None:
            return self._candidate(target, grade, priority=VALUE)
        for window in (after, before):
            state = self.values.state_word(finding, window)
            if state is not None:
                return self._candidate(target, state)
            direction = self.values.direction(window)
            if direction is not None:
                state = state_for_direction(finding, direction[0], direction[1])
                if state is not None:
                    return self._candidate(target, state)
        if target.firmly_negated or (target.negated and not finding.unit):
            return self._candidate(target, state_for_direction(finding, "normal"))
        matched = text[target.start : target.end]
        direction = self.values.direction(matched)
        if direction is not None:
            state = state_for_direction(finding, direction[0], direction[1])
            if state is not None:
                return self._candidate(target, state)
        state = self.values.state_word(finding, matched)
        if state is not None:
            return self._candidate(target, state)
        for word in (matched, target.info.phrase):
            prefix = self.values.prefix_direction(word)
            if prefix is not None:
                return self._candidate(target, state_for_direction(finding, prefix))
        ids = finding.state_ids
        if ids and ids[0] == "none" and len(ids) > 1 and not target.info.names_test:
            # "ankle clonus", "denervation" without a count: the mildest abnormal state, and
            # only if nothing more specific is said anywhere.
            return self._candidate(target, ids[1], priority=GUESS)
        return None
