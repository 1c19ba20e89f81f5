"""What was done about it: a medicine started, stopped or changed, and a clinician's check that found
nothing abnormal."""

from __future__ import annotations

import re
from collections.abc import Mapping

from twitchcheck.text.context_rules import FEAR, HYPOTHETICAL, POSSIBLE
from twitchcheck.text.decide import Candidate
from twitchcheck.text.document_index import DocumentIndex
from twitchcheck.text.guard import scan
from twitchcheck.text.targets import Target

_UNSURE = frozenset({POSSIBLE, FEAR, HYPOTHETICAL})
_NOT_CONTRACTED = re.compile(r"(?:do|does|did|has|have|had|is|was|were|wo|would|could|ca)n'?t")


class TreatmentReader(DocumentIndex):
    """Medicine changes and a clinician's normal check, read sentence by sentence."""

    def medication_change(self) -> list[Candidate]:
        """A named medicine with a change word nearby -> a recent change (see grammar)."""
        rule = self.grammar.medication_change
        general = self.findings.get(rule.finding)
        if general is None:
            return []
        cues, negated, medicine = (
            self.rules.medication_cues,
            self.rules.medication_negated,
            self.rules.medicine,
        )
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
            reliever = self._reliever_used_more(meds, piece, sentence.char_start)
            if reliever is not None:
                out.append(reliever)
                continue
            recent = self._taken_lately(meds)
            if recent is not None and not cues.search(piece) and not negated.search(piece):
                out.append(recent)
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

    def _taken_lately(self, meds: list[Target]) -> Candidate | None:
        """A medicine followed closely, in its clause, by a short time ("on pred since Friday")."""
        rule = self.grammar.medication_change
        if rule.recent_days <= 0:
            return None
        for drug in meds:
            for phrase in self._phrases:
                # "since Friday", "for 3 days" (not "this morning" or "yesterday": when it was taken)
                said = self.text[phrase.start : phrase.end].lower()
                gap = phrase.start - drug.end
                if not said.startswith(("since", "for ")) or not 0 < gap <= rule.recent_reach:
                    continue
                if phrase.days > rule.recent_days or self._clause_at(phrase.start).index != drug.clause:
                    continue
                named_between = any(
                    drug.end <= t.start < phrase.start
                    and t.finding.category not in ("medication", "location")
                    for t in self._live
                )
                if named_between:
                    continue
                target_id = rule.specific.get(drug.finding.id, rule.finding)
                if target_id in self.findings:
                    return Candidate(target_id, "present", drug.start, phrase.end)
        return None

    def _reliever_used_more(self, meds: list[Target], piece: str, offset: int) -> Candidate | None:
        """A reliever said with a cue of using it more right beside it, in a sentence denying no change."""
        rule = self.grammar.medication_change
        pattern = self.rules.reliever_cues
        relievers = [t for t in meds if t.finding.id in rule.reliever_findings]
        if pattern is None or not relievers or self.rules.medication_negated.search(piece):
            return None
        for match in pattern.finditer(piece):
            start, end = offset + match.start(), offset + match.end()
            near = [
                t
                for t in relievers
                if min(abs(t.start - end), abs(start - t.end)) <= rule.reliever_reach
                # in the same stretch of words: "on salbutamol, twitches are more often" is about the twitches
                and not any(c in ",.;" for c in self.text[min(t.end, end) : max(t.start, start)])
            ]
            if near and rule.finding in self.findings:
                drug = near[0]
                return Candidate(rule.finding, "present", min(start, drug.start), max(end, drug.end))
        return None

    def assessment(self, chosen: Mapping[str, Candidate]) -> Candidate | None:
        """A clinician's check said with findings found normal and none abnormal (see grammar)."""
        rule = self.grammar.assessment
        if rule.finding not in self.findings:
            return None
        by_sentence: dict[int, list[Candidate]] = {}
        for cand in chosen.values():
            if cand.finding in self.rules.assessment_judged:
                index = self.layout.sentence_of[self._token_at(cand.start)]
                by_sentence.setdefault(index, []).append(cand)
        for sentence in self.layout.sentences:
            if sentence.index in self.decider.questions:
                continue
            piece = self.text[sentence.char_start : sentence.char_end]
            for match in scan(self.rules.assessment, piece):
                before = piece[max(0, match.start() - 40) : match.start()]
                if self.rules.assessment_negated.search(before) or self._check_negated(match.group(0)):
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
        cues = self.rules.assessment_cues
        return any(w in cues or _NOT_CONTRACTED.fullmatch(w) for w in re.findall(r"[\w']+", check.lower()))
