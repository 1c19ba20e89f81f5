"""Time phrases -> how long the complaint has lasted, in days.

"for 3 months", "since last week", "10 d", "~1 y", "2/52", "on and off for years", "an hour ago",
"since I was 8". Whether a phrase describes the complaint (and not the coffee habit or one cramp's
length) is decided by the caller from the findings around it; this module only finds and measures
phrases. A time from now ("review in 2/52", "exams in 3 weeks") is not a phrase at all.
"""

from __future__ import annotations

import re
from datetime import datetime

from twitchcheck.text.calendar import CalendarReader
from twitchcheck.text.grammar import Durations, Numbers
from twitchcheck.text.guard import scan
from twitchcheck.text.time_phrase import Kind, TimePhrase
from twitchcheck.text.values import alternation

# At most four qualifiers ("just over about 3 weeks"): unbounded, a long run of them made every
# start position scan the rest of the run.
_LEAD = (
    r"(?:(?:for|over|in|during|within|since|from|lasted|lasting|lasts|last|been|already)\s+)?(?:(?:the|a)\s+)?(?:(?:past|last|previous|recent|first)\s+)?"
    r"(?:(?:about|around|approx\.?|approximately|roughly|nearly|almost|over|more\s+than|less\s+than|under|"
    r"at\s+least|maybe|like|some|just|only|a\s+good|well\s+over|>|<|~)\s*){0,4}"
)
_FOLLOW_RATE = re.compile(r"\s*+(?:\w+\s+)?(?:a|per|each|every|/)\s*(?:day|night|week|month|year|d)\b", re.I)
# ("21 years boy", "29 years female": an age said with who it is, common in non-native English)
_FOLLOW_AGE = re.compile(
    r"\s*+(?:old|o\b|yo\b|y/o|yrs?\s+old|years?\s+of\s+age|pregnant|gestation|(?:boy|girl|man|woman|male|female|"
    r"lady|guy)\b)",
    re.I,
)
# "I am 21 years", "my son is 8 years", "my mother 62 years": an age said without "old" (common in non-native
# English).
_AGE_BEFORE = re.compile(
    r"(?:\b(?:i\s+am|i'm|im|am|he's|she's|hes|shes|is\s+now|aged?|age\s+of|(?:he|she|son|daughter|boy|girl|"
    r"child|kid|baby|mum|mom|dad|father|mother|husband|wife|brother|sister|patient|pt)\s+is|son|daughter|"
    r"mum|mom|dad|father|mother|husband|wife|brother|sister|grandma|grandad|granny|nan|nana|grandfather|"
    r"grandmother)\s+)$",
    re.I,
)
_FOLLOW_RELATIVE = re.compile(r"\s*+(?:after|later|before|earlier|prior)\b", re.I)
_SINGLE_LETTER = {"d", "y", "h", "w"}
# "in 2/52", "in about 3/12": a slash time after "in" is when something will happen.
_IN_BEFORE = re.compile(r"\bin\s+(?:(?:about|around|approx\.?|approximately|roughly|~)\s*)?$", re.I)
_TIME_AFTER = re.compile(r"\s*(?:'s|')?\s*time\b", re.I)
_AGO_AFTER = re.compile(r"\s*ago\b", re.I)
# "has been jerking for 6 minutes", "it's been going about 10 mins": still going, begun that long ago.
# "it's been like 3 mins", "it has been 20 minutes": how long something now going on has gone on.
_ITS_BEEN = re.compile(r"\b(?:it'?s|it\s+has|that'?s|he'?s|she'?s|hes|shes)\s*$", re.I)
_PERFECT_BEFORE = re.compile(r"\bbeen(?:\s+\w+ing)?(?:\s+on)?\s*$", re.I)
# "see GP if lasts >2 wks", "review if it persists beyond 4/52": a condition on the future, not a duration.
_IF_BEFORE = re.compile(
    r"\b(?:if|unless|should)\s+(?:it\s+|they\s+|this\s+|symptoms?\s+|twitch(?:ing|es)?\s+|still\s+)*"
    r"(?:lasts?|persists?|continues?|goes\s+on|carries\s+on|still\s+there|not\s+settled)\s*"
    r"(?:for\s+|beyond\s+|over\s+|more\s+than\s+|longer\s+than\s+|past\s+|>\s*)?$",
    re.I,
)
# "for a few seconds at a time", "for 10 minutes each time": how long one episode lasts.
_FOLLOW_EPISODE = re.compile(r"\s*+(?:at\s+a\s+time|each\s+time|every\s+time|at\s+once|a\s+go)\b", re.I)
# A form's "How long:" label: what follows is how long the complaint has lasted.
_HOW_LONG = re.compile(r"how\s+long(?:\s+for|\s+has\s+it\s+been)?\s*[:?\-–]*\s*$", re.I)
# "Over the past year", "in the last 3 months": the complaint lies within that span, so it has lasted
# at most that long; a span exactly on a band's edge belongs to the band below.
_WITHIN = 0.99
_PAST_LEAD = frozenset({"the", "a", "past", "last", "previous"})  # "in the last 3 weeks"
# Words that say an age is not an age ("since I was 8 weeks pregnant", "since I was 8 stone").
_NOT_AGE = (
    r"(?!\.\d|[\w%/]|\s*(?:%|kgs?|kilos?|lbs?|pounds?|st|stones?|cm|ft|feet|inch(?:es)?|mg|am|pm|"
    r"weeks?|wks?|months?|mos?|days?|hours?|hrs?)\b)"
)


class DurationReader:
    """Finds time phrases in text."""

    def __init__(self, rules: Durations, numbers: Numbers) -> None:
        self.rules = rules
        self._calendar: CalendarReader | None = None
        self._units = {k.lower(): v for k, v in rules.units.items()}
        self._numbers = {k.lower(): v for k, v in numbers.words.items()}
        words = [w for w in self._numbers if w not in ("a", "an")]
        unit_alt = alternation(self._units)
        # A number starts where a digit run starts and takes the whole run (possessive): no unit
        # begins with a digit, so backtracking into the run could never match, and trying every
        # position inside a long run made the search quadratic.
        num = rf"(?:(?<!\d)\d++(?:\.\d++)?(?:\s*(?:-|–|to)\s*\d++(?:\.\d++)?)?|{alternation(words)}|an?)"
        # A phrase starts at a word's start: trying every letter inside words was most of the
        # reading time, and a digit glued to a letter is rejected by ``_measured`` anyway.
        self._measure = re.compile(
            rf"(?<![a-z0-9])(?P<lead>{_LEAD})(?P<num>{num})(?:\s+and\s+a\s+half)?(?:\s+of)?\s*(?P<unit>{unit_alt})\b(?P<ago>\s+ago)?(?P<now>\s+(?:now|so\s+far|of\s+it))?",
            re.I,
        )
        self._bare = re.compile(
            r"\b(?:(?:for|over|in|since|been|already)\s+(?:the\s+(?:past|last)\s+)?(?P<unit>days|weeks|months|years)\b"
            r"|(?P<unit2>days|weeks|months|years)\s+(?:now|of\s+it|of\s+this)\b"
            r"|how\s+long\s*[:?\-–]*\s*(?:(?:a\s+few|a\s+couple\s+of|some|many)\s+)?(?P<unit3>days|weeks|months|years)\b)",
            re.I,
        )
        # "3rd day now", "day 4 of it": an ordinal count of days still going.
        self._ordinal = re.compile(
            r"\b(?:(?P<num>\d{1,2})(?:st|nd|rd|th)\s+(?P<unit>day|week|month)\s+(?:now|of\s+(?:it|this)|running)"
            r"|(?P<unit2>day|week)\s+(?P<num2>\d{1,2})\s+(?:now|of\s+(?:it|this)))\b",
            re.I,
        )
        self._past = re.compile(
            r"\b(?:(?:over|in|for|during|within|throughout)\s+)?(?:(?:the\s+)?(?:past|previous)|the\s+last)\s+"
            r"(?P<unit>day|week|fortnight|month|year)\b",
            re.I,
        )
        self._slash = re.compile(r"(?<![\d/])(?P<num>\d{1,2})\s*/\s*(?P<den>7|52|12)\b(?!\s*/)")
        since_alt = alternation(rules.since)
        self._since = re.compile(
            rf"\b(?P<lead>since|started|starting|began|begun|from|start\s+of)\s+(?:(?:about|around|last|early|late)\s+)?(?P<when>{since_alt})\b",
            re.I,
        )
        self._since_values = {" ".join(k.lower().split()): v for k, v in rules.since.items()}
        # "This morning I couldn't stand up": a time word opening a sentence dates the onset.
        self._opening = re.compile(
            r"\b(?:this\s+morning|this\s+afternoon|this\s+evening|today|tonight|last\s+night|yesterday|this\s+week"
            r"|this\s+month|earlier\s+today)\b",
            re.I,
        )
        # A point in the past that dates only what is said with it (kind "at").
        self._point = re.compile(r"\b(?:last\s+week|last\s+weekend|last\s+month|the\s+other\s+day)\b", re.I)
        # A follow-up word right before a slash time ("R/V 6/52", "f/u: 3/12").
        self._follow_up = re.compile(
            rf"(?<![\w/])(?:{alternation(rules.follow_up)})\s*:?\s*(?:in\s+)?$", re.I
        )
        # A future cue, then at most three words (within the clause), then the phrase.
        self._future_cue = re.compile(
            rf"(?<![\w/])(?:{alternation(rules.future_cues)})(?![\w/])(?:[^\w.!?;,:()\n]+[\w'/-]+){{0,3}}[^\w.!?;,:()\n]*$",
            re.I,
        )
        ages = [w for w, v in self._numbers.items() if " " not in w and w not in ("a", "an") and v >= 1]
        age = rf"(?:\d{{1,2}}(?!\d|\.\d)|{alternation(ages)})"
        self._since_age = re.compile(
            r"\b(?:ever\s+)?(?:since|from)\s+"
            r"(?:(?:i|he|she)\s+was\s+(?:(?:about|around|roughly|maybe|only|just|like)\s+)?(?:aged?\s+)?"
            r"|(?:the\s+)?ages?\s+(?:of\s+)?|aged\s+)"
            rf"(?P<num>{age})(?:\s*(?:-|–|or|to)\s*(?P<num2>{age}))?"
            r"(?:\s*(?:years?|yrs?|y)(?:\s*old|\s*o\b)?|\s*(?P<young>months?|weeks?)\s+old|\s*yo|\s*y/o)?"
            rf"\b{_NOT_AGE}",
            re.I,
        )

    def find(self, text: str, reference: datetime | None = None) -> list[TimePhrase]:
        """Every time phrase in ``text``, left to right, without overlaps; calendar words ("since
        sunday") are measured against ``reference`` (default now)."""
        if self._calendar is None:
            self._calendar = CalendarReader(self.rules.calendar)
        found: list[TimePhrase] = self._calendar.find(text, reference or datetime.now())
        for match in scan(self._measure, text):
            phrase = self._measured(match, text)
            if phrase is not None:
                found.append(phrase)
        for match in scan(self._ordinal, text):
            count = float(match.group("num") or match.group("num2"))
            unit = (match.group("unit") or match.group("unit2")).lower()
            found.append(TimePhrase(count * self._units[unit], "since", match.start(), match.end()))
        for match in scan(self._bare, text):
            unit = (match.group("unit") or match.group("unit2") or match.group("unit3")).lower()
            days = self._units[unit] * self.rules.bare_plural_count
            found.append(TimePhrase(days, "for", match.start(), match.end()))
        for match in scan(self._past, text):
            # "over the last day he's had episodes": it happened within that span up to now
            days = self._units[match.group("unit").lower()] * _WITHIN
            found.append(TimePhrase(days, "since", match.start(), match.end()))
        for match in scan(self._slash, text):
            before = (max(0, match.start() - 24), match.start())
            if (
                _IN_BEFORE.search(text, *before)
                or _IF_BEFORE.search(text, max(0, match.start() - 40), match.start())
                or (self._follow_up.search(text, *before) and not _AGO_AFTER.match(text, match.end()))
            ):
                continue
            days = float(match.group("num")) * self.rules.slash[match.group("den")]
            found.append(TimePhrase(days, "slash", match.start(), match.end()))
        for match in scan(self._since_age, text):
            phrase = self._onset_age(match)
            if phrase is not None:
                found.append(phrase)
        for match in scan(self._since, text):
            key = " ".join(match.group("when").lower().split())
            since = self._since_values.get(key)
            if since is not None:
                found.append(TimePhrase(since, "since", match.start(), match.end()))
        for match in scan(self._opening, text):
            # "Today her face dropped", "her face dropped this afternoon": a day word dates its clause.
            opening = self._since_values.get(" ".join(match.group(0).lower().split()))
            if opening is not None:
                found.append(TimePhrase(opening, "since", match.start(), match.end()))
        for match in scan(self._point, text):
            point = self._since_values.get(" ".join(match.group(0).lower().split()))
            if point is not None:
                found.append(TimePhrase(point, "at", match.start(), match.end()))
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
        how_long = bool(_HOW_LONG.search(text, max(0, match.start() - 30), match.start()))
        if not digits and not lead and not match.group("ago") and not match.group("now") and not how_long:
            return None
        end = match.end()
        if any(follow.match(text, end) for follow in (_FOLLOW_RATE, _FOLLOW_AGE, _FOLLOW_RELATIVE)):
            return None
        if _IF_BEFORE.search(text, max(0, match.start() - 40), match.start() + len(match.group("lead"))):
            return None
        if (
            unit.startswith(("year", "yr"))
            and not lead
            and _AGE_BEFORE.search(text, max(0, match.start() - 12), match.start())
        ):
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
        # "for 12 mins now", "3 days so far": still going, so it began that long ago.
        ongoing = (
            lead.startswith("since")
            or bool(match.group("now"))
            or (
                lead.startswith("been")
                and bool(_ITS_BEEN.search(text, max(0, match.start("lead") - 12), match.start("lead")))
                and not _FOLLOW_EPISODE.match(text, end)
            )
            or (
                bool(_PERFECT_BEFORE.search(text, max(0, match.start() - 30), match.start()))
                and not _FOLLOW_EPISODE.match(text, end)
            )
        )
        kind: Kind = "ago" if match.group("ago") else ("since" if ongoing else "for")
        start = match.start("lead") + (len(match.group("lead")) - len(match.group("lead").lstrip()))
        lead_words = lead.split()
        if {"past", "last", "previous"} & set(lead_words) and kind != "ago":
            days *= _WITHIN  # "over the past 12 months": at most that long
        from_now = lead_words[:1] in (["in"], ["within"]) and not _PAST_LEAD & set(lead_words)
        if from_now and (_TIME_AFTER.match(text, end) or self._ahead(text, start, end)):
            return None  # "in 2 weeks' time", "exams in 3 weeks"
        return TimePhrase(days, kind, start, end)

    def _ahead(self, text: str, start: int, end: int) -> bool:
        """A future cue shortly before "in 2 weeks" ("exams in 3 weeks"), not "... ago"."""
        if _AGO_AFTER.match(text, end):
            return False
        return bool(self._future_cue.search(text, max(0, start - 60), start))

    def _onset_age(self, match: re.Match[str]) -> TimePhrase | None:
        """ "since I was 8" -> a phrase with its onset age; only a child's age says how long."""
        ages = [self._age(match.group(g)) for g in ("num", "num2") if match.group(g)]
        known = [a for a in ages if a is not None]
        if not known or len(known) < len(ages):
            return None
        age = 0.0 if match.group("young") else max(known)
        rule = self.rules.since_age
        if age >= rule.pediatric_below:
            return None
        return TimePhrase(rule.days, "since", match.start(), match.end(), onset_age=age)

    def _age(self, raw: str) -> float | None:
        raw = raw.lower()
        if raw.isdigit():
            return float(raw)
        return self._numbers.get(raw)


def _opens_sentence(text: str, start: int) -> bool:
    """Only whitespace between ``start`` and the text's start, a line break, or a sentence end
    followed by at least one space. Checked by hand: a regex that lets a match begin anywhere in
    a run of spaces or line breaks is quadratic in the run's length."""
    gap = start
    while gap > 0 and text[gap - 1].isspace():
        gap -= 1
    run = text[gap:start]
    return gap == 0 or "\n" in run or (bool(run) and text[gap - 1] in ".!?;")
