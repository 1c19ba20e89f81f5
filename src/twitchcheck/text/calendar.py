"""Calendar times read against the moment of writing: "since sunday", "since august", "since xmas",
"since lunchtime", "since 10am", "on tuesday my toes went tingly".

How long ago a weekday, a month, a holiday or a clock time was depends on when the text was written
(``reference``; default now), so these phrases are measured here rather than from a fixed table.
Each becomes a :class:`~twitchcheck.text.durations.TimePhrase` of kind ``since``. The words live in
the grammar (``calendar``); the arithmetic is plain ``datetime``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from twitchcheck.text.grammar import Calendar
from twitchcheck.text.guard import scan
from twitchcheck.text.time_phrase import TimePhrase
from twitchcheck.text.values import alternation

# "10am", "3.30 pm", and the 24-hour clock of notes ("since 05:00", "from 14.30").
_CLOCK = (
    r"(?:(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)"
    r"|(?P<hour24>[01]?\d|2[0-3])[:.h](?P<minute24>[0-5]\d)\b)"
)


_WORD = re.compile(r"[A-Za-z']+")
# Where a clause ends: a sentence or clause mark, or "but".
_CLAUSE_END = re.compile(r"[.!?\n,;:]|\bbut\b", re.I)


class CalendarReader:
    """Compiled calendar phrases for one grammar."""

    def __init__(self, rules: Calendar) -> None:
        self.rules = rules
        self._weekdays = {w.lower(): i for i, words in enumerate(rules.weekdays) for w in words}
        self._months = {w.lower(): i + 1 for i, words in enumerate(rules.months) for w in words}
        self._holidays = {k.lower(): v for k, v in rules.holidays.items()}
        self._times = {k.lower(): v for k, v in rules.times_of_day.items()}
        self._seasons = {k.lower(): v for k, v in rules.seasons.items()}
        self._habitual = {w.lower() for w in rules.habitual_leads}
        self._habit_words = {w.lower() for w in rules.habit_words}
        self._event_words = {w.lower() for w in rules.event_words}
        leads = alternation(rules.leads)
        fillers = (
            r"(?:(?:about|around|approx\.?|roughly|maybe|like|last|early|late|mid|the|this|past)\s+){0,3}"
        )
        when = alternation([*self._weekdays, *self._months, *self._holidays, *self._times, *self._seasons])
        self._since = re.compile(
            rf"\b(?P<lead>{leads})\s+{fillers}(?:(?P<when>{when})\b|[~≈]?{_CLOCK})",
            re.I,
        )
        # A weekday opening a clause dates what follows ("Tuesday my toes went tingly, Wednesday...").
        self._opening = re.compile(
            rf"(?:^|(?<=[.!?;\n]))[^\S\n]*+(?:on\s+|last\s+)?(?P<when>{alternation(rules.weekdays_full)})\b",
            re.I,
        )
        # "Ran my first marathon on Sunday. Since then ...": a weekday inside a sentence dates the
        # event said with it (kind "at"); a later "since then" links the complaint back to it.
        self._on_day = re.compile(
            rf"(?<=\w)[^\S\n]+on\s+(?:last\s+)?(?P<when>{alternation(rules.weekdays_full)})\b(?!')",
            re.I,
        )

    def find(self, text: str, reference: datetime) -> list[TimePhrase]:
        out = []
        for match in scan(self._since, text):
            if self._habitual_time(match, text):
                continue
            days = self._days(match, reference)
            if days is not None:
                out.append(TimePhrase(days, "since", match.start(), match.end()))
        for match in scan(self._opening, text):
            days = self._days(match, reference)
            if days is not None:
                out.append(TimePhrase(days, "since", match.start("when"), match.end()))
        for match in scan(self._on_day, text):
            days = self._days(match, reference)
            if days is not None:
                out.append(TimePhrase(days, "at", match.start("when"), match.end()))
        return out

    def _habitual_time(self, match: re.Match[str], text: str) -> bool:
        """ "only happens at bedtime", "every night at bedtime": a time of day after "at" in a clause that
        says how often is when it happens, not an onset; "was fine at lunch", "just now at breakfast" and
        "went dead at dinner" stay the moment it happened."""
        when = match.group("when")
        if (
            when is None
            or " ".join(match.group("lead").lower().split()) not in self._habitual
            or " ".join(when.lower().split()) not in self._times
        ):
            return False
        # the clause that holds the time: "usually fine but at breakfast her arm went weak" dates the arm
        left = 0
        for mark in _CLAUSE_END.finditer(text, 0, match.start()):
            left = mark.end()
        after = _CLAUSE_END.search(text, match.end())
        right = after.start() if after else len(text)
        words = {w.lower() for w in _WORD.findall(text, left, right)}
        return bool(words & self._habit_words) and not words & self._event_words

    def _days(self, match: re.Match[str], reference: datetime) -> float | None:
        groups = match.groupdict()
        if groups.get("hour24"):
            return _hours_ago(reference, int(groups["hour24"]), int(groups["minute24"]))
        if groups.get("hour"):
            hour = int(groups["hour"]) % 12 + (12 if groups["ampm"].lower().startswith("p") else 0)
            minute = int(groups["minute"] or 0)
            if hour > 23 or minute > 59:
                return None
            return _hours_ago(reference, hour, minute)
        word = " ".join(match.group("when").lower().split())
        if word in self._weekdays:
            back = (reference.weekday() - self._weekdays[word]) % 7
            return float(back or 7)
        if word in self._times:
            return _hours_ago(reference, self._times[word], 0)
        if word in self._months:
            month = self._months[word]
            start = date(reference.year if month <= reference.month else reference.year - 1, month, 1)
            if month == reference.month:
                return float(max(1, (reference.date() - start).days))
            return float((reference.date() - start).days - 14)
        if word in self._seasons:
            return _since_season(reference, self._seasons[word], "last" in match.group(0).lower().split())
        if word in self._holidays:
            month, day = self._holidays[word]
            when = date(reference.year, month, day)
            if when > reference.date():
                when = date(reference.year - 1, month, day)
            return float(max(1, (reference.date() - when).days))
        return None


def _since_season(reference: datetime, month: int, last: bool) -> float:
    """Days since the season starting in ``month`` began: the latest such start, or the one before
    it for "last summer" said while it is still that season."""
    year = reference.year if month <= reference.month else reference.year - 1
    start = date(year, month, 1)
    if last and (reference.date() - start).days < 92:
        start = date(year - 1, month, 1)
    return float(max(1, (reference.date() - start).days))


def _hours_ago(reference: datetime, hour: int, minute: int) -> float:
    then = reference.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if then > reference:
        then -= timedelta(days=1)
    return max((reference - then).total_seconds() / 86400.0, 1 / 1440)
