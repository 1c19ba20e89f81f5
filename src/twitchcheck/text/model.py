"""The result types of free-text extraction (the contract other packages rely on)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    """One piece of evidence found in the text.

    ``state`` is "present", "absent" or a graded state id of the finding; ``span`` is exactly
    ``text[start:end]`` so a user interface can highlight where the evidence came from.
    """

    finding: str
    state: str
    span: str
    start: int
    end: int
    # "rules" (synonyms, heads, frames, value and time readers) or "learned" (the second reader alone).
    source: str = "rules"


@dataclass(frozen=True)
class Extraction:
    """Everything read from one text: at most one mention per finding, plus age and sex if stated."""

    mentions: tuple[Mention, ...]
    age: float | None = None
    sex: str | None = None
    # Symptoms said with doubt or asked about ("I think her face might be drooping", "is it normal
    # that his speech is slurred?"): not evidence, but never dropped; the engine asks about the ones
    # that would be warning signs.
    possible: tuple[Mention, ...] = ()
    # The language the text seems to be in when not English ("es", "pl", "script" for another
    # alphabet); the reader reads English only, so such a text is not understood.
    language: str | None = None
    # One of the grammar's emergency words in that language, when the text says one ("convulsión").
    alarm: str | None = None

    def as_evidence(self) -> dict[str, str]:
        """Finding id -> state, the shape the engine takes as evidence."""
        return {m.finding: m.state for m in self.mentions}

    def get(self, finding: str) -> Mention | None:
        """The mention of ``finding``, or None when the text says nothing about it."""
        for mention in self.mentions:
            if mention.finding == finding:
                return mention
        return None
