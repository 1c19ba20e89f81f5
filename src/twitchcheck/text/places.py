"""Where: body sites said with a twitch, how far the twitching spreads, and on which side."""

from __future__ import annotations

from collections.abc import Sequence

from twitchcheck.text.decide import VALUE, Candidate
from twitchcheck.text.document_index import DocumentIndex


class PlaceReader(DocumentIndex):
    """Body sites, spread and laterality: a body part is a twitch site only if a twitch is said near it."""

    def locations(self) -> list[Candidate]:
        """Body sites said together with a twitch-like movement (or denied together with it)."""
        out: list[Candidate] = []
        by_place = set(self.grammar.location_context.negation_by_place)
        negated_twitch = {o.clause for o in self._live if o.finding.id in by_place and o.negated}
        for t in self.targets:
            if not self.is_site(t) or t.info.kind != "synonym" or self.decider.blocked(t):
                continue
            clause = self.layout.clauses[t.clause]
            if t.clause in negated_twitch and not self._twitch_in(t.clause):
                out.append(Candidate(t.finding.id, "absent", t.start, t.end))
            elif not t.negated and self.twitch_licensed(clause):
                out.append(Candidate(t.finding.id, "present", t.start, t.end))
        return out

    def denied_only_by_location(self) -> set[tuple[int, int]]:
        """Negated twitches whose negation is about a place ("no twitching in the tongue")."""
        by_place = set(self.grammar.location_context.negation_by_place)
        sites = {o.clause for o in self.targets if self.is_site(o) and o.info.kind == "synonym"}
        return {
            (t.start, t.end)
            for t in self.targets
            if t.finding.id in by_place and t.negated and t.clause in sites
        }

    def spread(self, locations: Sequence[Candidate]) -> Candidate | None:
        rule = self.grammar.spread
        finding = self.findings.get(rule.finding)
        if finding is None:
            return None
        for clause in self.layout.clauses:
            if not self.twitch_licensed(clause):
                continue
            piece = self.text[clause.char_start : clause.char_end]
            for state, pattern in self.rules.spread:
                match = pattern.search(piece)
                if match and state in finding.state_ids:
                    start = clause.char_start + match.start()
                    return Candidate(finding.id, state, start, clause.char_start + match.end(), VALUE)
        elsewhere = self._only_in_clauses(set(rule.not_from))
        present = [
            c for c in locations if c.state == "present" and self._clause_at(c.start).index not in elsewhere
        ]
        regions: dict[str, tuple[int, int]] = {}
        for c in present:
            regions.setdefault(c.finding, (c.start, c.end))
        covered = {i for c in present for i in range(c.start, c.end)}
        contains = {self.normalize(w): set(inside) for w, inside in rule.regions.items()}
        strings = self.strings
        for i, norm in enumerate(strings.norm):
            inside = contains.get(norm)
            if inside is None or strings.idx[i] in covered or inside & set(regions):
                continue
            if self._twitch_in(self.layout.clause_of[i]) and not self._token_blocked(i):
                regions.setdefault("region:" + norm, (strings.idx[i], strings.end_char(i)))
        count = len(regions)
        if count < 2:
            return None
        chosen = None
        for state, threshold in sorted(rule.from_count.items(), key=lambda kv: kv[1]):
            if count >= threshold and state in finding.state_ids:
                chosen = state
        if chosen is None:
            return None
        spans = sorted(regions.values())
        return Candidate(finding.id, chosen, spans[0][0], spans[-1][1])

    def _only_in_clauses(self, findings: set[str]) -> set[int]:
        """Clauses where one of ``findings`` is the only twitch-like thing said."""
        if not findings:
            return set()
        own, _ = self._anchor_index(findings)
        others, _ = self._anchor_index(set(self._twitch) - findings)
        return set(own - others)

    def laterality(self) -> Candidate | None:
        rule = self.grammar.laterality
        finding = self.findings.get(rule.finding)
        if finding is None:
            return None
        for clause in self.layout.clauses:
            piece = self.text[clause.char_start : clause.char_end]
            match = self.rules.same_side.search(piece)
            if match is None:
                continue
            if self.layout.sentence_of[clause.start] in self._affirmed_sentences:
                start = clause.char_start + match.start()
                return Candidate(finding.id, "present", start, clause.char_start + match.end())
        parts = self._body_parts()
        left = {p for p, side, _ in parts if side == "left"}
        right = {p for p, side, _ in parts if side == "right"}
        first = min((s for _, _, s in parts), default=None)
        if first is None:
            return None
        if left and right:
            return Candidate(finding.id, "absent", first[0], first[1])
        if len(left or right) >= 2:
            return Candidate(finding.id, "present", first[0], first[1])
        return None

    def _body_parts(self) -> list[tuple[str, str, tuple[int, int]]]:
        """(part, side, span) for affirmed body parts that carry a side word."""
        lat = self.grammar.laterality
        left = {w.lower() for w in lat.left}
        right = {w.lower() for w in lat.right}
        part_at: dict[int, str] = {}
        for t in self.targets:
            if (
                self.is_site(t)
                and t.info.kind == "synonym"
                and not t.firmly_negated
                and not self.decider.blocked(t)
            ):
                for i in range(t.tok_start, t.tok_end):
                    part_at[i] = t.finding.id
        region_norms = {self.normalize(w) for w in self.grammar.spread.regions}
        strings = self.strings
        words, texts, n = strings.lower, strings.text, len(strings.lower)
        for i, norm in enumerate(strings.norm):
            if norm in region_norms and i not in part_at and not self._token_blocked(i):
                part_at[i] = "region:" + norm
        out: list[tuple[str, str, tuple[int, int]]] = []
        for i, lower in enumerate(words):
            text = texts[i]
            is_letter = len(text) == 1 and text.isupper()
            if lower in left and (len(lower) > 1 or is_letter):
                side = "left"
            elif lower in right and (len(lower) > 1 or is_letter):
                side = "right"
            else:
                continue
            clause = self.layout.clause_of[i]
            prev = words[max(0, i - 2) : i]
            if prev and prev[-1] in ("the", "on") or prev[-2:] == ["on", "the"]:
                for j in range(i - 1, max(-1, i - 8), -1):
                    if self.layout.clause_of[j] != clause and texts[j] != ",":
                        break
                    if j in part_at:
                        out.append((part_at[j], side, (strings.idx[i], strings.end_char(i))))
                        break
                continue
            j = i + 1
            found = False
            while j < n and j < i + 6:
                if j in part_at:
                    found = True
                    break
                if words[j] in left | right:
                    break
                j += 1
            if not found:
                continue
            while j < n:
                part = part_at.get(j)
                if part is not None:
                    out.append((part, side, (strings.idx[j], strings.end_char(j))))
                    j += 1
                    while j < n and part_at.get(j) == part:
                        j += 1
                    continue
                if words[j] in ("and", ",", "or", "&", "/", "+", "my", "the", "upper", "lower", "whole"):
                    j += 1
                    continue
                break
        return out
