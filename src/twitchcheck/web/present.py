"""View models: ``Assessment.to_json()`` and knowledge-base data arranged for the templates.

Only presentation happens here (which rows to show, plain words for numbers and states, which
sources to list, which few safety-net lines matter for this story); every clinical number and
decision comes from the engine's JSON as it is.

Lay mode (the default) shows plain words only: lay labels for findings, no codes, no guideline
numbers; clinician mode shows the clinical labels beside them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from twitchcheck.engine.triage import holds
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.loader import AGE_FINDING, SEX_FINDING
from twitchcheck.knowledge.schema import FaqEntry, Level, Source
from twitchcheck.wording import (
    LEVEL_TITLES,
    ViewMode,
    finding_label,
    lay_text,
    likelihood_words,
    natural_frequency,
    percent,
    reason_words,
    state_words,
)

SHOWN_MIN = 3
SHOWN_MAX = 8
SHOWN_FLOOR = 0.01  # rows under 1% are left out unless needed to reach SHOWN_MIN
TOP_MAX = 3  # causes on the first screen
TOP_FLOOR = 0.05  # ... at least this likely (the first is always shown)
SAFETY_NET_ITEMS = 3  # knowledge-base lines, plus the top cause's own advice
SAFETY_NET_MIN = 2
SEEK_CARE_FLOOR = 0.3  # the top cause's own "get help sooner" advice is shown from this probability
FEAR_RAISERS = 3
EMERGENCY_NUMBERS = (("999", "UK"), ("112", "Europe"), ("911", "US and Canada"))
LEVEL_ICONS = {"emergency": "alert", "urgent": "clock", "routine": "calendar", "self_care": "home"}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def first_sentence(text: str) -> tuple[str, str]:
    """(first sentence, the rest) of a paragraph."""
    parts = SENTENCE_END.split(text.strip(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


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


def _factors(
    kb: KnowledgeBase, sources: SourceList, factors: list[dict[str, Any]], mode: ViewMode
) -> list[dict[str, Any]]:
    return [
        {
            "label": finding_label(kb, f["finding"], mode),
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


def chip(kb: KnowledgeBase, item: dict[str, Any], mode: ViewMode = "lay") -> dict[str, Any]:
    finding = kb.findings.get(item["finding"])
    binary = finding is not None and finding.type == "binary"
    options = []
    if finding is not None and not binary:
        options = [{"value": s.id, "label": s.lay_label or s.label} for s in finding.states]
    return {
        "finding": item["finding"],
        "label": finding_label(kb, item["finding"], mode),
        "state": item["state"],
        "words": state_words(kb, item["finding"], item["state"]),
        "span": item["span"],
        "origin": item["origin"],
        "binary": binary,
        "flipped": ("absent" if item["state"] == "present" else "present") if binary else None,
        "options": options,
        "editable": item["origin"] != "demographic",
    }


def _flag_view(flag: dict[str, Any], level: str, sources: SourceList) -> dict[str, Any]:
    """A fired warning sign explains; only one at the result's own level says what to do, so the page never
    gives two timeframes (an emergency sign's action is the banner's; an urgent or routine one adds what to
    do while waiting, without its own timeframe)."""
    action, rest = first_sentence(flag["action"])
    same = flag["level"] == level
    return {
        **flag,
        "refs": sources.cite(flag["sources"]),
        "do_now": flag["action"] if same and level == "emergency" else "",
        "also": rest if same and level != "emergency" else "",
    }


def _story_states(data: dict[str, Any]) -> dict[str, str]:
    return {e["finding"]: e["state"] for e in data["evidence"]}


def _candidate_states(kb: KnowledgeBase, finding_id: str, now: str | None) -> list[str]:
    finding = kb.findings[finding_id]
    if finding.type == "binary":
        return [] if now == "present" else ["present"]
    return [s for s in finding.state_ids if s != now]


def _p_state(kb: KnowledgeBase, finding_id: str, state: str, condition_id: str | None) -> float | None:
    """P(finding = state) for a condition (None: in general), or None when the base does not model it."""
    finding = kb.findings[finding_id]
    rate: float | dict[str, float] | None
    if condition_id is None:
        rate = finding.base_rate
    else:
        entry = kb.conditions[condition_id].likelihoods.get(finding_id)
        if entry is None:
            return None
        rate = entry.p if entry.p is not None else entry.states
    if isinstance(rate, dict):
        return rate.get(state)
    if rate is None:
        return None
    return rate if state == "present" else 1.0 - rate


def _telling(kb: KnowledgeBase, finding_id: str, state: str, likely: list[tuple[str, float]]) -> float:
    """How much this finding would tell about the likely causes: their probability times the size of its
    log likelihood ratio for each (0 for a finding none of them models, such as a stroke sign for a calf
    twitch)."""
    base = _p_state(kb, finding_id, state, None)
    if not base:
        return 0.0
    total = 0.0
    for condition_id, p in likely:
        given = _p_state(kb, finding_id, state, condition_id)
        if given:
            total += p * abs(math.log(given / base))
    return total


def tailored_safety_net(kb: KnowledgeBase, data: dict[str, Any]) -> list[str]:
    """The few 'get help sooner if' lines that matter for this story.

    An item counts when one of its watched findings, appearing now, would fire a warning-sign rule that
    raises the level. Items are ranked by how much that finding would tell about the likely causes (signs
    that the likely causes model, such as weakness for a twitch, before signs of unrelated emergencies),
    with a bonus when the rule needs something already in the story (closest to firing), then by the
    level the rule would give.
    """
    level = Level.parse(data["triage"]["level"])
    if level == Level.emergency or not kb.safety_net_items:
        return []
    states = _story_states(data)
    base = {k: v for k, v in states.items() if k in (AGE_FINDING, SEX_FINDING)}
    fired = {f["id"] for f in data["red_flags"]}
    likely = [
        (d["condition"], d["probability"])
        for d in data["differential"][:TOP_MAX]
        if d["probability"] >= TOP_FLOOR and d["condition"] in kb.conditions
    ]
    scored = []
    for order, item in enumerate(kb.safety_net_items):
        best: tuple[float, int, int] | None = None
        for finding_id in item.watch:
            for state in _candidate_states(kb, finding_id, states.get(finding_id)):
                after = {**states, finding_id: state}
                raised = [
                    flag
                    for flag in kb.red_flags
                    if flag.id not in fired and Level.parse(flag.level) > level and holds(flag.when, after)
                ]
                if not raised:
                    continue
                closest = any(not holds(flag.when, {**base, finding_id: state}) for flag in raised)
                weight = _telling(kb, finding_id, state, likely) + (0.5 if closest else 0.0)
                modelled = any(finding_id in kb.conditions[c].likelihoods for c, _ in likely)
                score = (round(weight, 6), int(modelled), max(int(Level.parse(f.level)) for f in raised))
                best = score if best is None or score > best else best
        if best is not None:
            scored.append((best, -order, item.text))
    scored.sort(reverse=True)
    # Signs the likely causes model come first; unrelated emergencies only fill a list shorter than two.
    related = [text for (weight, modelled, _), _, text in scored if weight > 0 or modelled]
    others = [text for (weight, modelled, _), _, text in scored if not (weight > 0 or modelled)]
    lines = related[:SAFETY_NET_ITEMS]
    lines += others[: max(0, SAFETY_NET_MIN - len(lines))]
    return lines


def cause_advice(kb: KnowledgeBase, data: dict[str, Any]) -> dict[str, str] | None:
    """The likely top cause's own 'when to get help' advice (not for an emergency: the banner says it all)."""
    if data["triage"]["level"] == "emergency" or not data["differential"]:
        return None
    top = data["differential"][0]
    condition = kb.conditions.get(top["condition"])
    if condition is None or top["probability"] < SEEK_CARE_FLOOR:
        return None
    return {"name": in_sentence(condition.lay_name), "text": lay_text(condition.seek_care)}


def in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: 'Harmless muscle twitching' -> 'harmless ...', 'ALS' stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _names_fear(entry: FaqEntry, text: str) -> bool:
    for name in entry.names:
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE):
            return True
    return any(re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", text) for a in entry.acronyms)


def _raised_by(kb: KnowledgeBase, condition_id: str, known: set[str], mode: ViewMode) -> list[str]:
    """What would make the condition more likely: its most telling yes/no findings not yet known."""
    ranked = []
    for finding_id, entry in kb.conditions[condition_id].likelihoods.items():
        finding = kb.findings.get(finding_id)
        if (
            finding is None
            or finding_id in known
            or finding.clinician_only
            or finding.type != "binary"
            or entry.p is None
            or entry.p < 0.3
            or not isinstance(finding.base_rate, float)
        ):
            continue
        ranked.append((entry.p / finding.base_rate, finding_id))
    ranked.sort(reverse=True)
    return [finding_label(kb, fid, mode).lower() for _, fid in ranked[:FEAR_RAISERS]]


def fear_answers(kb: KnowledgeBase, data: dict[str, Any], text: str, mode: ViewMode) -> list[dict[str, Any]]:
    """For a feared disease named in the description: its chance for this person and what would change it."""
    if not text or not data.get("understood", True):
        return []
    by_id = {d["condition"]: d for d in data["differential"]}
    known = set(_story_states(data))
    answers = []
    for entry in kb.faq:
        if not entry.conditions or not _names_fear(entry, text):
            continue
        rows = [by_id[c] for c in entry.conditions if c in by_id]
        if not rows:
            continue
        p = sum(r["probability"] for r in rows)
        main = rows[0]
        lowered = [
            f"{finding_label(kb, f['finding'], mode).lower()}: {state_words(kb, f['finding'], f['state'])}"
            for f in main["opposing"][:2]
        ]
        answers.append(
            {
                "id": entry.id,
                "question": entry.question,
                "short": entry.short,
                "name": kb.conditions[main["condition"]].lay_name,
                "percent": percent(p),
                "frequency": natural_frequency(p),
                "words": likelihood_words(p),
                "lowered": lowered,
                "raised_by": _raised_by(kb, main["condition"], known, mode),
            }
        )
    return answers[:2]


def _what_changed(
    kb: KnowledgeBase, data: dict[str, Any], before: dict[str, str] | None
) -> dict[str, Any] | None:
    """After a correction: the level and the top cause, before and after."""
    if not before or not before.get("level") or not data["differential"]:
        return None
    top = data["differential"][0]["condition"]
    level = data["triage"]["level"]
    old_level, old_top = before["level"], before.get("top", "")
    if old_level not in LEVEL_TITLES:
        return None

    def name(cid: str) -> str:
        condition = kb.conditions.get(cid)
        return condition.lay_name if condition else ""

    return {
        "level_before": LEVEL_TITLES[old_level],
        "level_after": LEVEL_TITLES[level],
        "level_changed": old_level != level,
        "top_before": name(old_top),
        "top_after": name(top),
        "top_changed": bool(old_top) and old_top != top,
    }


def result_view(
    kb: KnowledgeBase,
    data: dict[str, Any],
    *,
    text: str = "",
    mode: ViewMode = "lay",
    before: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the result page shows, from one ``Assessment.to_json()``."""
    sources = SourceList(kb)
    level = data["triage"]["level"]
    understood = bool(data.get("understood", True))
    red_flags = [_flag_view(flag, level, sources) for flag in data["red_flags"]]
    rows = []
    for item in _shown(data["differential"]):
        condition = kb.conditions.get(item["condition"])
        rows.append(
            {
                "id": item["condition"],
                "name": item["lay_name"],
                "clinical_name": item["name"],
                "probability": item["probability"],
                "percent": percent(item["probability"]),
                "frequency": natural_frequency(item["probability"]),
                "width": round(max(item["probability"], 0.005) * 100, 1),
                "words": likelihood_words(item["probability"]),
                "care": LEVEL_TITLES[item["care"]],
                "supporting": _factors(kb, sources, item["supporting"], mode),
                "opposing": _factors(kb, sources, item["opposing"], mode),
                "linked": condition is not None,
            }
        )
    top = [r for i, r in enumerate(rows[:TOP_MAX]) if i == 0 or r["probability"] >= TOP_FLOOR]
    other = data["other_cause_probability"]
    policy_refs = sources.cite(kb.policy.source)
    advice = data["triage"]["advice"]
    action, advice_more = first_sentence(advice)
    possible = [
        {
            **p,
            "label": finding_label(kb, p["finding"], mode),
            "emergency": p["level"] == "emergency",
        }
        for p in data.get("possible_red_flags", [])
    ]
    reasons = [reason_words(r, mode) for r in data["triage"]["reasons"]]
    return {
        "mode": mode,
        "understood": understood,
        "level": level,
        "title": LEVEL_TITLES[level],
        "icon": LEVEL_ICONS[level],
        "emergency": level == "emergency",
        "numbers": EMERGENCY_NUMBERS,
        "advice": advice,
        "action": action,
        "advice_more": advice_more,
        "reasons": reasons,
        # (an emergency word in another language comes first, then why this is not an assessment)
        "not_understood": " ".join(reasons) if not understood and reasons else kb.policy.not_understood,
        "possible": possible,
        "fears": fear_answers(kb, data, text, mode),
        "changed": _what_changed(kb, data, before),
        "top_id": data["differential"][0]["condition"] if data["differential"] else "",
        "safety_net": data["triage"]["safety_net"],
        "safety_net_tailored": tailored_safety_net(kb, data) if understood else [],
        "cause_advice": cause_advice(kb, data) if understood else None,
        "red_flags": red_flags,
        "rows": rows,
        "top": top,
        "other": {
            "name": kb.policy.leak_name,
            "percent": percent(other),
            "frequency": natural_frequency(other),
            "width": round(max(other, 0.005) * 100, 1),
            "words": likelihood_words(other),
        },
        "chips": [chip(kb, e, mode) for e in data["evidence"]],
        "tests": data["next_steps"]["tests"],
        "self_care": data["next_steps"]["self_care"],
        "clinician_questions": data["next_steps"]["clinician_questions"],
        "disclaimer": data["disclaimer"],
        "policy_refs": policy_refs,
        "sources": sources.entries(),
        "condition_names": {cid: c.lay_name for cid, c in kb.conditions.items()},
    }


def addable_findings(kb: KnowledgeBase, known: set[str], mode: ViewMode = "lay") -> list[dict[str, Any]]:
    """Findings a person can add by hand on the result page, grouped by category."""
    groups: dict[str, list[dict[str, str]]] = {}
    for finding in kb.findings.values():
        if finding.clinician_only or finding.id in known or finding.category == "demographic":
            continue
        if finding.type == "binary":
            choices = [("present", "yes"), ("absent", "no")]
        else:
            choices = [(s.id, s.lay_label or s.label) for s in finding.states]
        label = finding_label(kb, finding.id, mode)
        for value, words in choices:
            groups.setdefault(finding.category, []).append(
                {"value": f"{finding.id}={value}", "label": f"{label}: {words}"}
            )
    return [{"category": CATEGORY_WORDS.get(c, c.capitalize()), "options": o} for c, o in groups.items()]


CATEGORY_WORDS = {
    "location": "Where",
    "character": "What it is like",
    "course": "How it has changed",
    "trigger": "What sets it off",
    "medication": "Medicines",
    "symptom": "Other symptoms",
    "history": "Your health history",
    "family": "Your family",
}


def faq_view(kb: KnowledgeBase, mode: ViewMode) -> tuple[list[dict[str, Any]], list[tuple[int, Source]]]:
    """The FAQ entries with their numbered sources."""
    sources = SourceList(kb)
    entries = [
        {
            "id": e.id,
            "question": e.question,
            "answer": [lay_text(p) if mode == "lay" else p for p in e.answer],
            "refs": sources.cite(e.sources),
            "conditions": [(c, kb.conditions[c].lay_name) for c in e.conditions],
        }
        for e in kb.faq
    ]
    return entries, sources.entries()
