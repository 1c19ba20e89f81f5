"""Document-level evidence: where the twitching is, how far it spreads, on which side, for how
long and how often, plus amounts, scores and thresholds read from numbers.

These need more than one target: a body part is a twitch location only when a twitch is said
nearby; "for 3 weeks" is the complaint's duration only when the complaint is in its clause.
"""

from __future__ import annotations

from collections.abc import Mapping

from twitchcheck.text.course import CourseReader
from twitchcheck.text.decide import Candidate
from twitchcheck.text.document_rules import Compiled, compile_document_rules
from twitchcheck.text.measures import MeasureReader
from twitchcheck.text.places import PlaceReader
from twitchcheck.text.treatment import TreatmentReader

__all__ = ["Compiled", "DocumentReader", "compile_document_rules"]


class DocumentReader(PlaceReader, CourseReader, TreatmentReader, MeasureReader):
    """Reads the document-level findings for one parsed text: where (``places``), when and how often
    (``course``), what was done (``treatment``), numbers (``measures``), and findings said together."""

    def combinations(self, chosen: Mapping[str, Candidate]) -> list[Candidate]:
        """Findings said together in one clause that make a more specific one present."""
        out: list[Candidate] = []
        for rule in self.grammar.combinations:
            if rule.then not in self.findings or any(f not in self.findings for f in rule.all):
                continue
            if not all(chosen.get(f) is not None and chosen[f].state == "present" for f in rule.all):
                continue
            for sentence in self.layout.sentences:
                spans = []
                for fid in rule.all:
                    hit = self._first_affirmed.get((fid, sentence.index))
                    if hit is not None:
                        spans.append((hit.start, hit.end))
                        continue
                    # A document-level finding ("left", "one side") counts where it was read.
                    said = chosen[fid]
                    if not (sentence.char_start <= said.start < sentence.char_end):
                        break
                    spans.append((said.start, said.end))
                else:
                    out.append(
                        Candidate(rule.then, "present", min(s for s, _ in spans), max(e for _, e in spans))
                    )
                    break
        return out
