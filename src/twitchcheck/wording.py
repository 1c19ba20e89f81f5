"""Plain words shared by every view (terminal, web, reports), so they never disagree."""

from __future__ import annotations

LEVEL_TITLES = {
    "emergency": "Emergency: get help now",
    "urgent": "Urgent: see a doctor within 1-3 days",
    "routine": "Routine: book a doctor's appointment",
    "self_care": "Self-care: manage at home",
}


def likelihood_words(p: float) -> str:
    """Plain words for a probability, so numbers are never the only message."""
    if p >= 0.6:
        return "likely"
    if p >= 0.3:
        return "possible"
    if p >= 0.1:
        return "less likely"
    if p >= 0.02:
        return "unlikely"
    return "very unlikely"
