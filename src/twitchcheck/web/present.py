"""View models: ``Assessment.to_json()`` and knowledge-base data arranged for the templates.

Only presentation happens here (which rows to show, plain words for numbers and states, which
sources to list); every clinical number and decision comes from the engine's JSON as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Source
from twitchcheck.wording import LEVEL_TITLES, likelihood_words

SHOWN_MIN = 3
SHOWN_MAX = 8
SHOWN_FLOOR = 0.01  # rows under 1% are left out unless needed to reach SHOWN_MIN
EMERGENCY_NUMBERS = (("999", "UK"), ("112", "Europe"), ("911", "US and Canada"))
LEVEL_ICONS = {"emergency": "alert", "urgent": "clock", "routine": "calendar", "self_care": "home"}


def state_words(kb: KnowledgeBase, finding_id: str, state: str) -> str:
    """'yes' / 'no' for yes-no findings, the state's plain label for graded ones."""
    if state == "present":
        return "yes"
    if state == "absent":
        return "no"
    if state == "unknown":
        return "don't know"
    finding = kb.findings.get(finding_id)
    if finding is not None:
        for s in finding.states:
            if s.id == state:
                return s.lay_label or s.label
    return state.replace("_", " ")


def percent(p: float) -> str:
    """Whole percentages, without ever rounding to a false 0% or 100%."""
    if p < 0.005:
        return "under 1%"
    if p > 0.995:
        return "over 99%"
    return f"{p:.0%}"


@dataclass
class SourceList:
    """Sources in order of first citation, numbered for [n] references."""

    kb: KnowledgeBase
    order: list[str] = field(default_factory=list)

    def cite(self, ids: list[str] | tuple[str, ...]) -> list[int]:
        numbers = []
        for sid in ids:
            if sid not in self.kb.sources:
                continue
            if sid not in self.order:
                self.order.append(sid)
            numbers.append(self.order.index(sid) + 1)
        return sorted(set(numbers))

    def entries(self) -> list[tuple[int, Source]]:
        return [(i, self.kb.sources[sid]) for i, sid in enumerate(self.order, start=1)]


def _factors(kb: KnowledgeBase, sources: SourceList, factors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": f["label"],
            "state": state_words(kb, f["finding"], f["state"]),
            "span": f["span"],
            "ratio": f["likelihood_ratio"],
            "refs": sources.cite(f["sources"]),
        }
        for f in factors
    ]


def _shown(differential: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [d for d in differential[:SHOWN_MAX] if d["probability"] >= SHOWN_FLOOR]
    return rows if len(rows) >= SHOWN_MIN else differential[:SHOWN_MIN]


def chip(kb: KnowledgeBase, item: dict[str, Any]) -> dict[str, Any]:
    finding = kb.findings.get(item["finding"])
    binary = finding is not None and finding.type == "binary"
    options = []
    if finding is not None and not binary:
        options = [{"value": s.id, "label": s.lay_label or s.label} for s in finding.states]
    return {
        "finding": item["finding"],
        "label": item["label"],
        "state": item["state"],
        "words": state_words(kb, item["finding"], item["state"]),
        "span": item["span"],
        "origin": item["origin"],
        "binary": binary,
        "flipped": ("absent" if item["state"] == "present" else "present") if binary else None,
        "options": options,
        "editable": item["origin"] != "demographic",
    }


def result_view(kb: KnowledgeBase, data: dict[str, Any]) -> dict[str, Any]:
    """Everything the result page shows, from one ``Assessment.to_json()``."""
    sources = SourceList(kb)
    level = data["triage"]["level"]
    red_flags = [{**flag, "refs": sources.cite(flag["sources"])} for flag in data["red_flags"]]
    rows = []
    for item in _shown(data["differential"]):
        condition = kb.conditions.get(item["condition"])
        rows.append(
            {
                "id": item["condition"],
                "name": item["lay_name"],
                "clinical_name": item["name"],
                "percent": percent(item["probability"]),
                "width": round(max(item["probability"], 0.005) * 100, 1),
                "words": likelihood_words(item["probability"]),
                "care": LEVEL_TITLES[item["care"]],
                "supporting": _factors(kb, sources, item["supporting"]),
                "opposing": _factors(kb, sources, item["opposing"]),
                "linked": condition is not None,
            }
        )
    other = data["other_cause_probability"]
    policy_refs = sources.cite(kb.policy.source)
    return {
        "level": level,
        "title": LEVEL_TITLES[level],
        "icon": LEVEL_ICONS[level],
        "emergency": level == "emergency",
        "numbers": EMERGENCY_NUMBERS,
        "advice": data["triage"]["advice"],
        "reasons": data["triage"]["reasons"],
        "safety_net": data["triage"]["safety_net"],
        "red_flags": red_flags,
        "rows": rows,
        "other": {
            "name": kb.policy.leak_name,
            "percent": percent(other),
            "width": round(max(other, 0.005) * 100, 1),
            "words": likelihood_words(other),
        },
        "chips": [chip(kb, e) for e in data["evidence"]],
        "tests": data["next_steps"]["tests"],
        "self_care": data["next_steps"]["self_care"],
        "clinician_questions": data["next_steps"]["clinician_questions"],
        "disclaimer": data["disclaimer"],
        "policy_refs": policy_refs,
        "sources": sources.entries(),
        "condition_names": {cid: c.lay_name for cid, c in kb.conditions.items()},
    }


def addable_findings(kb: KnowledgeBase, known: set[str]) -> list[dict[str, Any]]:
    """Findings a person can add by hand on the result page, grouped by category."""
    groups: dict[str, list[dict[str, str]]] = {}
    for finding in kb.findings.values():
        if finding.clinician_only or finding.id in known or finding.category == "demographic":
            continue
        if finding.type == "binary":
            choices = [("present", "yes"), ("absent", "no")]
        else:
            choices = [(s.id, s.lay_label or s.label) for s in finding.states]
        for value, words in choices:
            groups.setdefault(finding.category, []).append(
                {"value": f"{finding.id}={value}", "label": f"{finding.label}: {words}"}
            )
    return [{"category": c.capitalize(), "options": o} for c, o in groups.items()]
