"""Whole-base checks beyond the schema: coverage and how many numbers are published vs estimated."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from twitchcheck.knowledge.loader import AGE_FINDING, SEX_FINDING, KnowledgeBase, iter_leaves


@dataclass
class CheckReport:
    conditions: int
    findings: int
    red_flags: int
    sources: int
    numbers: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict[str, Any]:
        return {
            "conditions": self.conditions,
            "findings": self.findings,
            "red_flags": self.red_flags,
            "sources": self.sources,
            "numbers_published": self.numbers["published"],
            "numbers_estimated": self.numbers["estimate"],
            "problems": list(self.problems),
        }


def check_kb(kb: KnowledgeBase) -> CheckReport:
    """Count sourced numbers and list problems the loader cannot see (unused findings, unused sources)."""
    report = CheckReport(len(kb.conditions), len(kb.findings), len(kb.red_flags), len(kb.sources))
    used_findings = {AGE_FINDING, SEX_FINDING}
    used_sources = set(kb.policy.source)
    for finding in kb.findings.values():
        report.numbers[finding.base_rate_provenance.basis] += _count(finding.base_rate)
        used_sources.update(finding.base_rate_provenance.source)
    for condition in kb.conditions.values():
        entries = [condition.age, condition.sex, *condition.likelihoods.values()]
        for entry in entries:
            report.numbers[entry.basis] += _count(entry.p if entry.p is not None else entry.states)
            used_sources.update(entry.source)
        report.numbers[condition.prior.basis] += 1
        if condition.unexposed_factor is not None:
            report.numbers[condition.unexposed_factor.basis] += 1
            used_sources.update(condition.unexposed_factor.source)
        used_findings.update(condition.likelihoods)
        used_sources.update(condition.sources + condition.prior.source + condition.care.source)
        if condition.care.known is not None:
            used_sources.update(condition.care.known.source)
            used_findings.add(condition.care.known.finding)
    for flag in kb.red_flags:
        used_findings.update(leaf["finding"] for leaf in iter_leaves(flag.when))
        used_sources.update(flag.source)
    for finding_id in kb.findings:
        if finding_id not in used_findings:
            report.problems.append(f"finding {finding_id!r} is used by no condition and no red flag")
    for source_id in kb.sources:
        if source_id not in used_sources:
            report.problems.append(f"source {source_id!r} is cited nowhere")
    return report


def _count(value: object) -> int:
    return len(value) - 1 if isinstance(value, dict) else 1
