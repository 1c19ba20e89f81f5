"""The knowledge base: conditions, findings, red flags and sources as validated data."""

from twitchcheck.knowledge.loader import KnowledgeBase, KnowledgeError, load_kb

__all__ = ["KnowledgeBase", "KnowledgeError", "load_kb"]
