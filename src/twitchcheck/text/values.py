"""Numbers and qualifiers in text -> states of findings.

Everything here reads the raw text (character offsets), so spans stay exact. The knowledge base
supplies units, conversions and state bounds; ``data/grammar.yaml`` supplies the words. Nothing
here names a finding except through the grammar's rule entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from twitchcheck.knowledge.schema import Finding, State
from twitchcheck.text.grammar import CountRule, Grammar

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_COMPARATOR = r"<=|>=|<|>|≤|≥|~|less than|more than|under|over|below|above|approx\.?|about|around"


@dataclass(frozen=True)
class Found:
    """A value read from the text: the state it implies and where it was said."""

    finding: str
    state: str
    start: int
    end: int


def parse_number(raw: str) -> float:
    return float(raw.replace(",", ""))


def alternation(words: Iterable[str]) -> str:
    """A regex alternation, longest first, with flexible whitespace and optional apostrophes.

    When every word starts with an ASCII letter or digit, the words are grouped under their first
    character, in the same order ("m(?:other|um)|d(?:ad)"): Python's regex engine enters every
    alternative of a case-insensitive alternation at every position it tries, so a list of a hundred
    relatives cost a hundred steps at each word; grouped, a word that starts no alternative costs one
    step per group. Alternatives under different first characters cannot match at the same place
    (each character folds to at most one ASCII letter or digit), and within a group the order is
    kept, so the regex matches exactly what the plain alternation matched.
    """
    ordered = sorted({w.lower() for w in words}, key=len, reverse=True)
    if not all(w[:1].isascii() and w[:1].isalnum() for w in ordered):
        return "|".join(_spelled(word) for word in ordered)
    groups: dict[str, list[str]] = {}
    for word in ordered:
        groups.setdefault(word[0], []).append(_spelled(word[1:]))
    return "|".join(
        first if rests == [""] else f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items()
    )


def _spelled(word: str) -> str:
    """``word`` as a regex: itself, with any run of whitespace between words and an optional apostrophe."""
    return re.escape(word).replace(r"\ ", r"\s+").replace("'", "'?")


def _normal_index(states: Sequence[State]) -> int | None:
    for i, state in enumerate(states):
        if state.id == "normal":
            return i
    for i, state in enumerate(states):
        if "normal" in state.label.lower():
            return i
    return None


def state_for_direction(finding: Finding, direction: str, extreme: bool = False) -> str | None:
    """Map below/above/normal/absent onto the finding's ordered states (see grammar qualifiers)."""
    states = finding.states
    if not states:
        return None
    ids = [s.id for s in states]
    normal = _normal_index(states)
    if direction == "normal":
        if normal is not None:
            return ids[normal]
        return "none" if "none" in ids else None
    if direction == "absent":
        if "none" in ids:
            return "none"
        if normal is not None and normal > 0:
            return ids[0]
        return None
    if normal is None:
        return None
    if direction == "below" and normal > 0:
        return ids[0] if extreme else ids[normal - 1]
    if direction == "above" and normal < len(ids) - 1:
        return ids[-1] if extreme else ids[normal + 1]
    return None


class ValueReader:
    """Compiled regular expressions for one grammar + knowledge base."""

    def __init__(self, grammar: Grammar, findings: dict[str, Finding]) -> None:
        self.grammar = grammar
        self.findings = findings
        q = grammar.qualifiers
        # One scan for all four directions: the leftmost qualifier wins, and at one position
        # the earlier group (normal, absent, below, above) does.
        groups = (("normal", q.normal), ("absent", q.absent), ("below", q.below), ("above", q.above))
        self._directions = re.compile(
            r"\b(?:" + "|".join(rf"(?P<{name}>{alternation(words)})" for name, words in groups) + r")\b",
            re.I,
        )
        self._extreme = re.compile(rf"\b(?:{alternation(q.extreme)})\b", re.I)
        self._aliases = {k.lower(): v.lower() for k, v in grammar.units.aliases.items()}
        self._number_words = {k.lower(): v for k, v in grammar.numbers.words.items()}
        # Compiled once here, not per target: building the alternations is most of their cost.
        self._counts = {
            rule.finding: re.compile(
                rf"(?P<cmp>>=|>|≥|more than|over)?\s*+(?:~\s*+)?(?<![\w.])(?P<num>\d+)\s*"
                rf"(?:{alternation(rule.nouns)})\b",
                re.I,
            )
            for rule in grammar.counts
        }
        self._state_names: dict[str, tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]]] = {}

    # ------------------------------------------------------------------ labs
    @cached_property
    def _lab_value(self) -> re.Pattern[str]:
        # "CK yesterday 4,850", "K this morning 2.8", "CK came back yesterday 3,850": when it was taken may
        # sit between name and number, before or after the verb
        # "CK on yesterday's bloods 2,900": or on which test; "CK was '2,400, quite high'": a quoted number.
        taken = self.grammar.lab_taken
        when = rf"(?:(?:{alternation(taken)})\b\s*+)?" if taken else ""
        test = (
            rf"(?:(?:on|in|from)\s+(?:the\s+|my\s+|his\s+|her\s+|their\s+|(?:{alternation(taken)})'?s?\s+)?"
            r"(?:blood\s+tests?|bloods|blood\s+work|tests?|results?)\b\s*+)?"
            if taken
            else ""
        )
        return re.compile(
            rf"^\s*+\+?\s*+{when}{test}(?:levels?|results?|value)?\s*+"
            r"(?:[:=]|\bwas\b|\bis\b|\bwere\b|\bof\b|\bat\b|came back(?: at)?|back at)?\s*+"
            rf"{when}"
            r"(?:(?:was|is|only|just|of)\s+)?['\"‘“]?"
            rf"(?P<cmp>{_COMPARATOR})?\s*+(?P<num>{NUMBER})(?!\s*/\s*\d)(?!\d)"
            r"(?:\s*+(?P<unit>[a-zµμ]+(?:/[0-9.]*\s?[a-zµμ0-9.²]+)*))?",
            re.I,
        )

    def lab_value(self, finding: Finding, text: str, end: int) -> tuple[str, int] | None:
        """A number right after a lab name, converted with the finding's unit -> (state, end)."""
        match = self._lab_value.match(text[end : end + 48])
        if match is None:
            return None
        value = parse_number(match.group("num"))
        unit = (match.group("unit") or "").lower().rstrip(".")
        factor = self._conversion(finding, unit)
        if factor is None:
            factor = 1.0
        state = finding.state_for(value * factor)
        if state is None:
            return None
        stop = end + (match.end("num") if factor == 1.0 or not match.group("unit") else match.end("unit"))
        return state, stop

    # "a CK blood test - came back very high", "CK, which came back raised": the verdict may follow
    # the test's name across a dash, comma or "and it", up to the sentence's end.
    _LAB_RESULT = re.compile(
        r"^\s*+(?:(?:blood\s+)?(?:tests?|levels?|results?|bloods|check)\b)?\s*+(?:[-–—,:(]+|\band\b)?\s*+"
        r"(?:(?:it|they|which|that|this)\s+)?(?:has\s+|had\s+|have\s+)?"
        r"(?:came|come|was|were|is|showed|shows|showing)\s+(?:back\s+)?(?:as\s+)?(?!it\b|they\b)(?P<rest>[^.!?\n]{0,25})(?![^.!\n]{0,40}\?)",
        re.I,
    )

    def lab_result(self, finding: Finding, text: str, end: int) -> str | None:
        """A verdict said of a test right after its name ("CK test - came back very high") -> state."""
        match = self._LAB_RESULT.match(text[end : end + 80])
        if match is None:
            return None
        # a state named first ("came back high"); later words ("raised, 4x normal") qualify it
        rest = match.group("rest")
        first = rest.split(maxsplit=1)[0] if rest.strip() else ""
        named = self.state_word(finding, first)
        if named is not None:
            return named
        direction = self.direction(rest)
        if direction is None:
            return None
        return state_for_direction(finding, direction[0], direction[1])

    def _conversion(self, finding: Finding, unit: str) -> float | None:
        if not unit:
            return None
        unit = self._aliases.get(unit, unit)
        if finding.unit and self._aliases.get(finding.unit.lower(), finding.unit.lower()) == unit:
            return 1.0
        for key, factor in finding.conversions.items():
            if self._aliases.get(key.lower(), key.lower()) == unit:
                return factor
        return None

    # ------------------------------------------------------------ qualifiers
    def direction(self, text: str) -> tuple[str, bool] | None:
        """The first qualifier direction said in ``text`` and whether it is extreme ("very low")."""
        match = self._directions.search(text)
        if match is None or match.lastgroup is None:
            return None
        return match.lastgroup, bool(self._extreme.search(text[: match.start()]))

    def prefix_direction(self, word: str) -> str | None:
        for prefix, direction in self.grammar.qualifiers.prefixes.items():
            if word.lower().startswith(prefix) and len(word) > len(prefix) + 2:
                return direction
        return None

    def state_word(self, finding: Finding, text: str) -> str | None:
        """A state named outright ("sustained clonus", "brisk reflexes")."""
        compiled = self._state_names.get(finding.id)
        if compiled is None:
            names = [
                (state.id, re.escape(name))
                for state in finding.states
                for name in sorted({state.id.replace("_", " "), state.label.lower()})
                if len(name) >= 4
            ]
            # Any name at all (one scan; usually none), then the first state in order that is named.
            any_name = re.compile(rf"(?<![\w-])(?:{'|'.join(n for _, n in names) or '(?!)'})\b")
            compiled = self._state_names[finding.id] = (
                any_name,
                [(state_id, re.compile(rf"(?<![\w-]){name}\b")) for state_id, name in names],
            )
        lowered = text.lower()
        if not compiled[0].search(lowered):
            return None
        return next((state_id for state_id, name in compiled[1] if name.search(lowered)), None)

    _REFLEX_GRADE = re.compile(r"(?<![\d/.])([0-4])\s*\+")

    def reflex_grade(self, finding: Finding, text: str) -> str | None:
        rule = self.grammar.qualifiers.reflex_grade
        if finding.id != rule.finding:
            return None
        match = self._REFLEX_GRADE.search(text)
        if match is None:
            return None
        grade = int(match.group(1))
        if grade <= rule.below_max:
            return state_for_direction(finding, "below")
        if grade >= rule.above_min:
            return state_for_direction(finding, "above")
        return state_for_direction(finding, "normal")

    def count(self, rule: CountRule, finding: Finding, text: str) -> str | None:
        """A counted quantity ("4 beats", "3 regions") -> state by bounds or the grammar's thresholds."""
        match = self._counts[rule.finding].search(text)
        if match is None:
            return None
        value = float(match.group("num"))
        if match.group("cmp"):
            value += 0.5
        by_bounds = finding.state_for(value)
        if by_bounds is not None:
            return by_bounds
        chosen = None
        for state_id, threshold in sorted(rule.thresholds.items(), key=lambda kv: kv[1]):
            if value >= threshold and state_id in finding.state_ids:
                chosen = state_id
        return chosen

    # -------------------------------------------------------------- numbers
    def number_word(self, raw: str) -> float | None:
        raw = " ".join(raw.lower().split())
        if raw in self._number_words:
            return self._number_words[raw]
        try:
            return parse_number(raw)
        except ValueError:
            return None

    def number_or_range(self, raw: str) -> float | None:
        """ "6-8" -> 7; "two" -> 2; "a couple of" -> 2."""
        parts = re.split(r"\s*(?:-|–|to)\s*", raw.strip())
        values = [self.number_word(p) for p in parts if p]
        if not values or any(v is None for v in values):
            return None
        nums = [v for v in values if v is not None]
        return sum(nums) / len(nums)
