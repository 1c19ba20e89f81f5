"""Keep one mention per finding and add what specific findings imply.

A measured value beats a statement; among statements an affirmed one beats a negated one
("no weakness in the legs ... my grip is weak" -> weakness present), then the earliest wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from twitchcheck.text.decide import LEARNED, Candidate
from twitchcheck.text.model import Mention


def resolve(candidates: Iterable[Candidate]) -> dict[str, Candidate]:
    best: dict[str, Candidate] = {}
    for cand in candidates:
        current = best.get(cand.finding)
        if current is None or _rank(cand) > _rank(current):
            best[cand.finding] = cand
    return best


def _rank(c: Candidate) -> tuple[int, int, int]:
    return (c.priority, int(c.affirmed), -c.start)


def apply_implications(
    chosen: dict[str, Candidate], implications: Mapping[str, Sequence[str]], known: Iterable[str]
) -> dict[str, Candidate]:
    """A present specific finding makes its general findings present ("weak grip" -> weakness)."""
    known_ids = set(known)
    out = dict(chosen)
    for fid, cand in chosen.items():
        if cand.state != "present":
            continue
        for implied in implications.get(fid, ()):
            if implied not in known_ids:
                continue
            current = out.get(implied)
            if current is None or not current.affirmed:
                out[implied] = Candidate(implied, "present", cand.start, cand.end, cand.priority)
    return out


def to_mentions(chosen: Mapping[str, Candidate], text: str) -> tuple[Mention, ...]:
    mentions = [
        Mention(
            c.finding,
            c.state,
            text[c.start : c.end],
            c.start,
            c.end,
            "learned" if c.priority == LEARNED else "rules",
        )
        for c in chosen.values()
    ]
    mentions.sort(key=lambda m: (m.start, m.finding))
    return tuple(mentions)
