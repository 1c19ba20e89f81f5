"""Fill the knowledge-base enumerations into the OpenAPI document.

Which findings exist and which states each takes is data, not code, so the pydantic models
only mark those fields (``x-kb``); here the markers become exact JSON Schema: an ``Evidence``
object whose properties are the finding ids with their allowed states. Clients and fuzzers
then know every valid request, and nothing valid is rejected later by the engine.
"""

from __future__ import annotations

from typing import Any

from twitchcheck.diary.schemas import vocabulary
from twitchcheck.engine.evidence import UNKNOWN
from twitchcheck.knowledge import KnowledgeBase

EVIDENCE_REF = "#/components/schemas/Evidence"
KEEP = ("description", "title", "examples")


def evidence_schema(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "title": "Evidence",
        "type": "object",
        "description": (
            "Finding id -> state. 'unknown' (don't know) is allowed for every finding; a finding left out "
            "is unknown too. Yes-no findings take 'present' or 'absent'."
        ),
        "properties": {
            fid: {"type": "string", "enum": [*finding.state_ids, UNKNOWN], "description": finding.label}
            for fid, finding in kb.findings.items()
        },
        "additionalProperties": False,
    }


def _replacement(kb: KnowledgeBase, kind: str) -> dict[str, Any]:
    if kind == "evidence":
        return {"$ref": EVIDENCE_REF}
    if kind == "finding":
        return {"type": "string", "enum": list(kb.findings)}
    if kind == "question":
        return {"type": "string", "enum": [*kb.findings, *([kb.checklist.id] if kb.checklist else [])]}
    if kind == "checklist_item":
        items = [item.finding for item in kb.checklist.all_items] if kb.checklist else []
        return {"type": "string", "enum": items} if items else {"not": {}}
    if kind == "state":
        states = sorted({s for f in kb.findings.values() for s in f.state_ids} | {UNKNOWN})
        return {"type": "string", "enum": states}
    if kind == "region":  # a diary entry's (``calf`` is accepted too)
        return {"type": "string", "enum": list(vocabulary(kb).regions)}
    if kind == "symptom":
        return {"type": "string", "enum": list(vocabulary(kb).symptoms)}
    raise ValueError(f"unknown x-kb marker {kind!r}")


def answer_branches(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """One branch per question: which values an answer to that finding (or to the checklist) may take."""
    branches: list[dict[str, Any]] = [
        {
            "properties": {
                "finding": {"const": fid},
                "value": {"type": "string", "enum": [*finding.state_ids, UNKNOWN]},
            }
        }
        for fid, finding in kb.findings.items()
    ]
    if kb.checklist is not None:
        ticks = {"type": "array", "items": _replacement(kb, "checklist_item"), "uniqueItems": True}
        value = {"anyOf": [{"const": UNKNOWN}, ticks]}
        branches.append({"properties": {"finding": {"const": kb.checklist.id}, "value": value}})
    return branches


def _walk(node: Any, kb: KnowledgeBase) -> Any:
    if isinstance(node, list):
        return [_walk(item, kb) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("x-kb") == "answer":
        rest = {key: _walk(value, kb) for key, value in node.items() if key != "x-kb"}
        return {**rest, "anyOf": answer_branches(kb)}
    if "x-kb" in node:
        new = _replacement(kb, node["x-kb"])
        new.update({k: node[k] for k in KEEP if k in node and k != "title"})
        return new
    return {key: _walk(value, kb) for key, value in node.items()}


def patch_openapi(schema: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """Return ``schema`` with every ``x-kb`` marker replaced by the knowledge base's enumerations."""
    patched: dict[str, Any] = _walk(schema, kb)
    patched.setdefault("components", {}).setdefault("schemas", {})["Evidence"] = evidence_schema(kb)
    return patched
