"""Time phrases -> how long the complaint has lasted, in days.

"for 3 months", "since last week", "10 d", "~1 y", "2/52", "on and off for years", "an hour ago".
Whether a phrase describes the complaint (and not the coffee habit or one cramp's length) is
decided by the caller from the findings around it; this module only finds and measures phrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from twitchcheck.text.grammar import Durations, Numbers
from twitchcheck.text.values import _alternation

Kind = Literal["for", "ago", "since", "slash"]


@dataclass(frozen=True)
class TimePhrase:
    """A measured time phrase: ``days`` long, at text[start:end]."""

    days: float
    kind: Kind
    start: int
    end: int


_LEAD = (
    r"(?:(?:for|over|in|during|within|since|from|lasted|lasting|lasts|last|been)\s+)?(?:(?:the|a)\s+)?(?:(?:past|last|previous|recent|first)\s+)?"
    r"(?:(?:about|around|approx\.?|approximately|roughly|nearly|almost|over|more\s+than|less\s+than|under|"
    r"at\s+least|maybe|like|some|just|only|a\s+good|well\s+over|>|<|~)\s*)*"
)
_FOLLOW_RATE = re.compile(r"^\s*(?:\w+\s+)?(?:a|per|each|every|/)\s*(?:day|night|week|month|year|d)\b", re.I)
_FOLLOW_AGE = re.compile(r"^\s*(?:old|o\b|yo\b|y/o|yrs?\s+old|years?\s+of\s+age|pregnant|gestation)", re.I)
_FOLLOW_RELATIVE = re.compile(r"^\s*(?:after|later|before|earlier|prior)\b", re.I)
_SINGLE_LETTER = {"d", "y", "h", "w"}


class DurationReader:
    """Finds time phrases in text."""

    def __init__(self, rules: Durations, numbers: Numbers) -> None:
        self.rules = rules
        self._units = {k.lower(): v for k, v in rules.units.items()}
        self._numbers = {k.lower(): v for k, v in numbers.words.items()}
        words = [w for w in self._numbers if w not in ("a", "an")]
        unit_alt = _alternation(self._units)
        num = rf"(?:\d+(?:\.\d+)?(?:\s*(?:-|–|to)\s*\d+(?:\.\d+)?)?|{_alternation(words)}|an?)"
        self._measure = re.compile(
            rf"(?P<lead>{_LEAD})(?P<num>{num})(?:\s+and\s+a\s+half)?\s*(?P<unit>{unit_alt})\b(?P<ago>\s+ago)?",
            re.I,
        )
        self._bare = re.compile(
            r"\b(?:for|over|in|since)\s+(?:the\s+(?:past|last)\s+)?(?P<unit>days|weeks|months|years)\b", re.I
        )
        self._past = re.compile(
            r"\b(?:(?:over|in|for|during|within|throughout)\s+)?the\s+(?:past|last|previous)\s+"
            r"(?P<unit>day|week|fortnight|month|year)\b",
            re.I,
        )
        self._slash = re.compile(r"(?<![\d/])(?P<num>\d{1,2})\s*/\s*(?P<den>7|52|12)\b(?!\s*/)")
        since_alt = _alternation(rules.since)
        self._since = re.compile(
            rf"\b(?P<lead>since|started|starting|began|begun|from|start\s+of)\s+(?:(?:about|around|last|early|late)\s+)?(?P<when>{since_alt})\b",
            re.I,
        )
        self._since_values = {" ".join(k.lower().split()): v for k, v in rules.since.items()}
        # "This morning I couldn't stand up": a time word opening a sentence dates the onset.
        self._opening = re.compile(
            r"(?:^|(?<=[.!?;]\s)|(?<=[.!?;]\s\s)|\n)\s*"
            r"(?P<when>this morning|this afternoon|this evening|today|tonight|last night|yesterday)\b",
            re.I,
        )

    def find(self, text: str) -> list[TimePhrase]:
        """Every time phrase in ``text``, left to right, without overlaps."""
        found: list[TimePhrase] = []
        for match in self._measure.finditer(text):
            phrase = self._measured(match, text)
            if phrase is not None:
                found.append(phrase)
        for match in self._bare.finditer(text):
            days = self._units[match.group("unit").lower()] * self.rules.bare_plural_count
            found.append(TimePhrase(days, "for", match.start(), match.end()))
        for match in self._past.finditer(text):
            days = self._units[match.group("unit").lower()]
            found.append(TimePhrase(days, "for", match.start(), match.end()))
        for match in self._slash.finditer(text):
            days = float(match.group("num")) * self.rules.slash[match.group("den")]
            found.append(TimePhrase(days, "slash", match.start(), match.end()))
        for match in self._since.finditer(text):
            key = " ".join(match.group("when").lower().split())
            since = self._since_values.get(key)
            if since is not None:
                found.append(TimePhrase(since, "since", match.start(), match.end()))
        for match in self._opening.finditer(text):
            opening = self._since_values.get(match.group("when").lower())
            if opening is not None:
                found.append(TimePhrase(opening, "since", match.start("when"), match.end("when")))
        found.sort(key=lambda p: (p.start, -(p.end - p.start)))
        result: list[TimePhrase] = []
        for phrase in found:
            if result and phrase.start < result[-1].end:
                continue
            result.append(phrase)
        return result

    def _measured(self, match: re.Match[str], text: str) -> TimePhrase | None:
        raw_num = match.group("num").lower()
        unit = match.group("unit").lower()
        lead = match.group("lead").strip().lower()
        digits = raw_num[:1].isdigit()
        if unit in _SINGLE_LETTER and not digits:
            return None
        if not digits and not lead and not match.group("ago"):
            return None
        after = text[match.end() :]
        if _FOLLOW_RATE.match(after) or _FOLLOW_AGE.match(after) or _FOLLOW_RELATIVE.match(after):
            return None
        before = text[max(0, match.start() - 12) : match.start()].lower()
        if re.search(r"(?:every|each|per|a|times)\s*$", before) and not lead:
            return None
        if (
            digits
            and match.start() > 0
            and (text[match.start() - 1].isalnum() or text[match.start() - 1] in "/.")
        ):
            return None
        parts = re.split(r"\s*(?:-|–|to)\s*", raw_num)
        values = []
        for part in parts:
            value = self._numbers.get(part)
            if value is None:
                try:
                    value = float(part)
                except ValueError:
                    return None
            values.append(value)
        count = sum(values) / len(values)
        if match.group(0).lower().rstrip().endswith("half") or " and a half" in match.group(0).lower():
            count += 0.5
        days = count * self._units[unit]
        kind: Kind = "ago" if match.group("ago") else ("since" if lead.startswith("since") else "for")
        start = match.start("lead") + (len(match.group("lead")) - len(match.group("lead").lstrip()))
        return TimePhrase(days, kind, start, match.end())
