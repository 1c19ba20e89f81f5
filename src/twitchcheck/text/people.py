"""Who the text is about: the patient's age and sex, and whether a relative is reporting.

"My mum (63) has had odd episodes..." is about the mother: her symptoms are the evidence, and
the word "mum" must not turn them into family history. "My uncle had ALS" is family history.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from twitchcheck.text.grammar import People
from twitchcheck.text.guard import scan
from twitchcheck.text.tokens import token_strings
from twitchcheck.text.values import alternation

_AGE_GROUPS = ("age1", "age2", "age3", "age4", "age5")
_NOT_AGE_UNITS = (
    r"(?!\s*(?:weeks?|days?|months?|hours?|mins?|minutes?|kg|kgs|lbs?|stone|st\b|%|cm|mg|mm|times|x\b|cups?|"
    r"shots?|coffees?|units?|pack|hrs?|/))"
)
_PAST_VERBS = {"had", "died", "passed", "was", "were", "used", "lost"}
_ADVERBS = {
    "suddenly",
    "just",
    "now",
    "recently",
    "also",
    "still",
    "really",
    "has",
    "is",
    "'s",
    "keeps",
    "always",
}


# A baby's age in weeks or months, said of the baby now: "my 6 week old", "she's 7 weeks old", "our
# 3-month-old daughter" (not "a 2 week old cut", "the bruise is 3 weeks old", "I have a 6 week old baby and my
# calves...", "when he was 6 months old" or a puppy).
def _under_three(k: int) -> str:
    return rf"(?P<n{k}>\d{{1,2}})\s*+-?\s*+(?P<unit{k}>weeks?|wks?|months?|mths?|mos?)\s*+-?\s*+old\b"


_BABY_WORDS = (
    r"(?:baby|babies|son|daughter|boy|girl|twins?|grandson|granddaughter|niece|nephew|infant|newborn"
    r"|little\s+one)"
)
_INFANT = re.compile(
    rf"\b(?:my|our)\s+(?:little\s+)?{_under_three(1)}(?=\s+{_BABY_WORDS}\b|\s+(?:has|is|keeps|won't|isn't|"
    rf"hasn't|can't|just|feels|seems|'s)\b|\s*+[,.!?])"
    rf"|\b(?:she|he|baby|son|daughter|boy|girl|infant|grandson|granddaughter)(?:'s|\s+is)\s+"
    rf"(?:only\s+|just\s+)?{_under_three(2)}",
    re.I,
)
# a pet's age is no patient's
_ANIMALS = re.compile(r"\b(?:dog|puppy|pup|cat|kitten|horse|foal|rabbit|pet|lamb)\b", re.I)


def infant_age(text: str) -> float | None:
    """Age in years of a baby whose age is told in weeks or months (under three years), if one is."""
    match = _INFANT.search(text)
    if match is None or _ANIMALS.search(text):
        return None
    k = next(k for k in (1, 2) if match.group(f"n{k}"))
    n, unit = match.group(f"n{k}"), match.group(f"unit{k}").lower()
    age = int(n) / 52.0 if unit.startswith("w") else int(n) / 12.0
    return age if 0 < age < 3 else None


@dataclass(frozen=True)
class Subject:
    """The patient as the text describes them."""

    age: float | None = None
    sex: str | None = None
    reporter_words: frozenset[str] = field(default_factory=frozenset)


class SubjectReader:
    """Compiled patterns for one grammar."""

    def __init__(self, people: People) -> None:
        rel = people.relatives
        self._female = {w.lower() for w in rel.female}
        self._male = {w.lower() for w in rel.male}
        self._relatives = self._female | self._male | {w.lower() for w in rel.any}
        self._people = self._relatives | {w.lower() for w in people.others}
        self._first = {w.lower() for w in people.first_person}
        self._asking = {w.lower() for w in (*people.asking, *people.not_known)}
        self._echo_before = {w.lower() for w in people.echo_before}
        self._echo_after = {w.lower() for w in people.echo_after}
        self._third = {w.lower() for w in people.third_person}
        self._self_female = {w.lower() for w in people.self_female}
        self._self_male = {w.lower() for w in people.self_male}
        rel_alt = alternation(self._relatives | {w.lower() for w in people.others})
        sex_alt = alternation(self._self_female | self._self_male)
        age = r"(?P<age>\d{1,3})"
        # Whitespace runs are taken whole (``\s*+``): each is followed by a word, a digit or
        # punctuation, so giving spaces back could never help, and trying every split of a long
        # run between neighbouring ``\s*`` was polynomial in its length.
        self._header = re.compile(
            rf"^\W*+(?:pt|patient)?\s*+{age}\s*+(?:-?\s*+(?:y/?o|yo|yrs?|years?(?:\s*+-?\s*+old)?|y))?"
            r"\s*+-?\s*+(?P<sex>m|f|male|female|man|woman|boy|girl)\b",
            re.I,
        )
        # After the unit: a sex word (after an optional dash and "old"), or else at most a dash
        # and "old" before a word boundary.
        self._year_old = re.compile(
            rf"\b(?:i'?m|i\s+am|am|pt\s+is|patient\s+is|^)\s*+(?:an?\s+)?{age}\s*+-?\s*+(?:y/?o|yo|yrs?|years?)"
            rf"(?:\s*+-?\s*+(?:old)?\s*+(?P<sex>{sex_alt})\b|(?:\s*+-?\s*+(?:old)?)?\b)",
            re.I,
        )
        self._first_age = re.compile(
            rf"\b(?:i'?m|i\s+am|aged|age)\s+(?:only\s+|just\s+)?{age}\b{_NOT_AGE_UNITS}", re.I
        )
        self._bracket = re.compile(rf"\b(?:i|me|my|myself)\s*+\(\s*+{age}\s*+(?P<sex>[mf])?\s*+\)", re.I)
        self._self_sex = re.compile(
            rf"\b(?:i'?m|i\s+am|as)\s+an?\s+(?:\w+\s+){{0,3}}?(?P<sex>{sex_alt})\b", re.I
        )
        self._relative_age = re.compile(
            rf"\b(?:(?:my|our)\s+)?(?:(?P<age1>\d{{1,3}})\s*+-?\s*+(?:y/?o|yo|years?\s*+-?\s*+old|year\s*+-?\s*+old)\s+)?"
            rf"(?P<rel>{rel_alt})(?!\w)(?:\s*+\(\s*+(?P<age2>\d{{1,3}})\s*+[mf]?\s*+[,;)]|\s*+,\s*+(?P<age3>\d{{1,3}})\s*+,"
            rf"|\s+(?:is|who\s+is|aged)\s+(?P<age4>\d{{1,3}})\b{_NOT_AGE_UNITS}"
            # "my son 7 years is doing the fit", "daughter 17 yrs": an age in years right after the relative
            rf"|\s*+,?\s*+(?P<age5>\d{{1,3}})\s*+(?:years?|yrs?|y/?o)\b(?!\s+ago))?",
            re.I,
        )
        self._about = (
            re.compile(rf"\b(?:{alternation(people.about)})\s+(?:(?:my|our|the)\s+)?(?:\w+\s+)?$", re.I)
            if people.about
            else None
        )

    def read(self, text: str, doc: Doc, family_history_words: set[str]) -> Subject:
        """Age, sex and reporter for ``text`` (``doc`` is its tokenisation).

        ``family_history_words`` are relative words that introduce a family-history statement
        ("my uncle had ALS"), which never make that relative the patient.
        """
        subject = self._read(text, doc, family_history_words)
        if subject.age is None:
            baby = infant_age(text)
            if baby is not None:
                return replace(subject, age=baby)
        return subject

    def _read(self, text: str, doc: Doc, family_history_words: set[str]) -> Subject:
        reporter = self._reporter(text, doc, family_history_words)
        if reporter is not None:
            return reporter
        age: float | None = None
        sex: str | None = None
        for pattern in (self._header, self._bracket, self._year_old, self._first_age):
            match = pattern.search(text)
            if match is None:
                continue
            if age is None and match.group("age"):
                age = _plausible(match.group("age"))
            if sex is None and "sex" in match.groupdict() and match.group("sex"):
                sex = self._sex_word(match.group("sex"))
        if sex is None:
            match = self._self_sex.search(text)
            if match:
                sex = self._sex_word(match.group("sex"))
        if sex is None:
            sex = self._pronoun_sex(doc)
        return Subject(age=age, sex=sex)

    def _reporter(self, text: str, doc: Doc, family_history_words: set[str]) -> Subject | None:
        matches = list(scan(self._relative_age, text))
        if not matches:
            return None
        # "111 call, wife calling. Husband 66 slumped ...": the one given an age is the patient.
        match = next((m for m in matches if any(m.group(g) for g in _AGE_GROUPS)), matches[0])
        rel = match.group("rel").lower()
        raw_age = next((match.group(g) for g in _AGE_GROUPS if match.group(g)), None)
        if rel in family_history_words and raw_age is None:
            return None
        if raw_age is not None and match.start() <= 40:
            # "Good evening. My wife (54) ..." introduces the patient.
            return self._reporting(doc, rel, raw_age)
        speaking = self._speaking_relative(doc)
        if speaking is not None and speaking not in family_history_words:
            # "Dad: legs twitching like mad tonight" in pasted messages: the relative tells their own story
            return self._reporting(doc, speaking, None)
        first, third = self._person_counts(doc)
        # A writer who says nothing of themselves is describing the relative or friend they name
        # ("my husband is having a fit", "Please help, my dad's face has dropped"), whatever the
        # tense; one who also speaks of themselves is the patient unless the story is told about
        # the relative, named first, in the third person.
        if first == 0:
            # Everyone the writer names may be who the story is about: none of them is "someone else".
            named = {m.group("rel").lower() for m in matches} - family_history_words
            return self._reporting(doc, rel, raw_age, named)
        if self._about is not None and any(
            self._about.search(text, max(0, m.start() - 40), m.start()) and m.group("rel").lower() == rel
            for m in matches
        ):
            return self._reporting(doc, rel, raw_age)
        if match.start() > 12 and not _opens_early_sentence(text, match.start()):
            return None
        if raw_age is None and not self._third_person_story(doc, match.end(), first, third):
            return None
        return self._reporting(doc, rel, raw_age)

    def _speaking_relative(self, doc: Doc) -> str | None:
        """A relative who opens at least two lines as the speaker of a chat or transcript pasted in, and whose
        lines name no one else ("Mum: Dad's face has dropped" is about Dad)."""
        words = token_strings(doc).lower
        labels = Counter(w for i, w in enumerate(words) if w in self._relatives and _speaker_label(words, i))
        for label, n in labels.most_common():
            if n < 2:
                break
            if not any(w in self._people for w in _lines_of(words, label)):
                return label
        return None

    def _reporting(self, doc: Doc, rel: str, raw_age: str | None, named: set[str] | None = None) -> Subject:
        sex = "female" if rel in self._female else "male" if rel in self._male else self._pronoun_sex(doc)
        age = _plausible(raw_age) if raw_age else None
        return Subject(age=age, sex=sex, reporter_words=frozenset({rel} | (named or set())))

    def _third_person_story(self, doc: Doc, rel_end: int, first: int, third: int) -> bool:
        """The relative is the subject of a present-tense story told in the third person."""
        following = [t for t in doc if t.idx >= rel_end and not t.is_punct][:4]
        for n, token in enumerate(following):
            lower = token.lower_
            if lower == "had" and n and following[n - 1].lower_ in ("'s", "has", "have", "'ve"):
                break  # "my husband's had his back go for a week": has had, still going
            if lower in _PAST_VERBS:
                # "was dipping the sheep this morning" tells what happened; "was diagnosed" is history
                after = following[n + 1].lower_ if n + 1 < len(following) else ""
                if not (lower in ("was", "were") and after.endswith("ing")):
                    return False
                break
            if lower not in _ADVERBS:
                break
        return third > first

    def _person_counts(self, doc: Doc) -> tuple[int, int]:
        """First-person words (not "my" before a relative) and third-person pronouns."""
        first = third = 0
        words = token_strings(doc).lower
        for i, lower in enumerate(words):
            if _speaker_label(words, i):
                continue  # "Me: how long" in a pasted chat names who speaks, not who it is about
            if lower in self._third:
                third += 1
            elif (
                lower in self._first
                and not (i > 0 and words[i - 1] in self._asking)
                and not (i > 1 and words[i - 2] in self._echo_before)
                and not (i + 1 < len(words) and words[i + 1] in self._echo_after)
                or lower == "my"
                and not (i + 1 < len(words) and words[i + 1] in self._people)
            ):
                first += 1
        return first, third

    def _pronoun_sex(self, doc: Doc) -> str | None:
        lowers = token_strings(doc).lower
        if any(w in self._first for w in lowers):
            return None
        she = sum(w in ("she", "her", "herself", "she's") for w in lowers)
        he = sum(w in ("he", "his", "him", "himself", "he's") for w in lowers)
        if she > he:
            return "female"
        if he > she:
            return "male"
        return None

    def _sex_word(self, word: str) -> str | None:
        lower = word.lower()
        if lower in ("m", "male") or lower in self._self_male:
            return "male"
        if lower in ("f", "female") or lower in self._self_female:
            return "female"
        return None


def _speaker_label(words: list[str] | tuple[str, ...], i: int) -> bool:
    """``words[i]`` opens a line and is followed by a colon: a chat's or transcript's speaker."""
    return i + 1 < len(words) and words[i + 1] == ":" and (i == 0 or not words[i - 1].strip())


def _lines_of(words: list[str] | tuple[str, ...], label: str) -> list[str]:
    """The words of the lines ``label`` opens as speaker, without the label."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == label and _speaker_label(words, i):
            i += 2
            while i < len(words) and "\n" not in words[i]:
                out.append(words[i])
                i += 1
        else:
            i += 1
    return out


def _opens_early_sentence(text: str, start: int) -> bool:
    """The relative opens the second short sentence, after a few words about the writer ("ex paramedic. wife
    fitting NOW")."""
    if start > 40:
        return False
    before = text[:start].rstrip()
    stops = sum(before.count(mark) for mark in ".!?")
    return bool(before) and before[-1] in ".!?:" and stops <= 1


def _plausible(raw: str) -> int | None:
    age = int(raw)
    return age if 0 < age < 120 else None
