"""The engine: evidence (finding -> state) in; ranked causes, triage, explanations and the next question out.

It reads only the knowledge base (numpy, no text reader, no web app). Typical use::

    model = compile_model(kb)                          # dense tables, once per base (cached)
    result = assess_observations(model, observations)  # an Assessment
    step = interview.next_step(model, state)           # the question that matters most now

The names below load on first use, so importing one engine module does not load the others.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twitchcheck.engine.assessment import Assessment, assess_observations
    from twitchcheck.engine.evidence import MAX_AGE, UNKNOWN, EvidenceError, Observation
    from twitchcheck.engine.interview import InterviewState
    from twitchcheck.engine.model import Model, compile_model
    from twitchcheck.engine.triage import TriageDecision

_LAZY = {
    "Assessment": "assessment",
    "assess_observations": "assessment",
    "EvidenceError": "evidence",
    "MAX_AGE": "evidence",
    "Observation": "evidence",
    "UNKNOWN": "evidence",
    "InterviewState": "interview",
    "Model": "model",
    "compile_model": "model",
    "TriageDecision": "triage",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "MAX_AGE",
    "UNKNOWN",
    "Assessment",
    "EvidenceError",
    "InterviewState",
    "Model",
    "Observation",
    "TriageDecision",
    "assess_observations",
    "compile_model",
]
