"""The 'types of twitching' guide: its content is knowledge-base data (``guide.yaml``); this is only
the list of sources the page cites."""

from __future__ import annotations

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import TwitchType


def twitch_types(kb: KnowledgeBase) -> tuple[TwitchType, ...]:
    return tuple(kb.guide.twitch_types) if kb.guide else ()


def cited(kb: KnowledgeBase) -> tuple[str, ...]:
    """Every source the guide page cites, each once, in the order they first appear."""
    faq = kb.guide.faq_sources if kb.guide else []
    return tuple(dict.fromkeys([s for t in twitch_types(kb) for s in t.sources] + list(faq)))
