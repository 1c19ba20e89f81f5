"""Free-text understanding: lay and clinical text -> evidence for the engine.

``extract(text, kb)`` returns an :class:`Extraction` of :class:`Mention` objects (finding, state,
exact span). It runs a spaCy + medspaCy pipeline whose targets come only from the knowledge base's
finding synonyms; negation, family, worry and history come from medspaCy ConText with our rules
in ``data/context_rules.json``; numbers, units and time words come from ``data/grammar.yaml``.
"""

from twitchcheck.text.extract import extract
from twitchcheck.text.model import Extraction, Mention

__all__ = ["Extraction", "Mention", "extract"]
