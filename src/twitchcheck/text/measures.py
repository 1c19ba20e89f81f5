"""Numbers read as findings: amounts per day ("4 cups of coffee", "200 mg caffeine"), thresholds
("temp 38.5") and scores ("MRC 4/5")."""

from __future__ import annotations

import re

from twitchcheck.text.decide import VALUE, Candidate
from twitchcheck.text.document_index import DocumentIndex
from twitchcheck.text.guard import scan
from twitchcheck.text.values import NUMBER, parse_number

# "3 espressos before my round" may be one sitting: a small amount denies the habit only when it is
# said to be the day's amount.
_PER_DAY = re.compile(
    r"\b(?:(?:a|per|each|every|one)\s+(?:day|morning)|daily|in\s+the\s+mornings?|/\s*d(?:ay)?)\b", re.I
)
_CAFFEINE_MG = re.compile(rf"(?<!\d)(?<!\d,)(?P<num>{NUMBER})\s*mg\s+(?:of\s+)?caffeine", re.I)


_LAST_WORD = re.compile(r"([A-Za-z]+)(?:'s)?\W{0,3}\Z")


def _word_before(text: str, at: int) -> str:
    """The word just before ``at`` (lower case), or ''."""
    found = _LAST_WORD.search(text, max(0, at - 40), at)
    return found.group(1).lower() if found else ""


_NEXT_WORD = re.compile(r"\s*([a-z%]+)", re.I)


def _word_after(text: str, at: int) -> str:
    """The word (or "%") right after ``at`` (lower case), or ''."""
    found = _NEXT_WORD.match(text, at)
    return found.group(1).lower() if found else ""


class MeasureReader(DocumentIndex):
    """Amounts, thresholds and scores, each judged against the grammar's rule for its finding."""

    def amounts(self) -> list[Candidate]:
        out: list[Candidate] = []
        for rule, pattern in self.rules.amounts:
            finding = self.findings[rule.finding]
            for sentence in self.layout.sentences:
                if sentence.index in self.decider.questions:
                    continue
                piece = self.text[sentence.char_start : sentence.char_end]
                total = 0.0
                first: tuple[int, int] | None = None
                for match in scan(pattern, piece):
                    value = self.rules.values.number_or_range(match.group("num"))
                    if value is None:
                        continue
                    total += value
                    span = (sentence.char_start + match.start(), sentence.char_start + match.end())
                    first = span if first is None else (first[0], span[1])
                if first is not None:
                    if total >= rule.per_day_at_least:
                        out.append(Candidate(finding.id, "present", first[0], first[1], VALUE))
                    elif _PER_DAY.search(piece):
                        out.append(Candidate(finding.id, "absent", first[0], first[1], VALUE))
                for match in scan(_CAFFEINE_MG, piece):
                    value = parse_number(match.group("num"))
                    state = "present" if value >= rule.mg_at_least else "absent"
                    start = sentence.char_start + match.start()
                    out.append(Candidate(finding.id, state, start, sentence.char_start + match.end(), VALUE))
        return out

    def thresholds(self) -> list[Candidate]:
        out: list[Candidate] = []
        # Several rules share one pattern ("temp 38.5" is read for fever and for high fever): searched once.
        found: dict[tuple[str, int], list[re.Match[str]]] = {}
        for rule, pattern in self.rules.thresholds:
            finding = self.findings.get(rule.finding)
            if finding is None:
                continue
            key = (pattern.pattern, pattern.flags)
            if key not in found:
                found[key] = list(pattern.finditer(self.text))
            for match in found[key]:
                groups = match.groupdict()
                value = parse_number(groups["num"] or groups.get("num2") or "")
                low, high = rule.valid
                if not low <= value <= high:
                    continue
                sentence = self.layout.sentence_of[self._token_at(match.start())]
                if sentence in self.decider.questions:
                    continue
                if rule.not_after and _word_before(self.text, match.start()) in rule.not_after:
                    continue
                if rule.not_units and _word_after(self.text, match.end()) in rule.not_units:
                    continue
                present = (rule.present_at_least is not None and value >= rule.present_at_least) or (
                    rule.present_below is not None and value < rule.present_below
                )
                if not present and not rule.says_absent:
                    continue
                out.append(
                    Candidate(
                        finding.id, "present" if present else "absent", match.start(), match.end(), VALUE
                    )
                )
        return out

    def scores(self) -> list[Candidate]:
        out: list[Candidate] = []
        for rule, with_word, bare, fulls in self.rules.scores:
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
