"""The knowledge base: conditions, findings, red flags and sources as validated data."""

from twitchcheck.knowledge.loader import CACHED_BASES, KnowledgeBase, KnowledgeError, load_kb

__all__ = ["CACHED_BASES", "KnowledgeBase", "KnowledgeError", "load_kb"]
