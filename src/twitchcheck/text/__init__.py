"""Free-text understanding (interim): a case-insensitive phrase matcher over the findings' synonyms.

The medspaCy pipeline with negation, family and value handling replaces this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from twitchcheck.knowledge import KnowledgeBase


@dataclass(frozen=True)
class Mention:
    finding: str
    state: str
    span: str
    start: int
    end: int


@dataclass(frozen=True)
class Extraction:
    mentions: tuple[Mention, ...]
    age: int | None
    sex: str | None


def extract(text: str, kb: KnowledgeBase) -> Extraction:
    """Each binary finding whose synonym occurs as whole words is present (no negation yet)."""
    mentions: dict[str, Mention] = {}
    for finding in kb.findings.values():
        if finding.type != "binary":
            continue
        for phrase in finding.synonyms:
            match = re.search(rf"\b{re.escape(phrase)}\b", text, flags=re.IGNORECASE)
            if match and finding.id not in mentions:
                span = match.group(0)
                mentions[finding.id] = Mention(finding.id, "present", span, match.start(), match.end())
    return Extraction(tuple(mentions.values()), None, None)


__all__ = ["Extraction", "Mention", "extract"]
