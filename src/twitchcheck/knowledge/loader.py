"""Load and cross-check the YAML knowledge base.

Schema errors and broken cross-references are raised as :class:`KnowledgeError`
with the file and field named, so a clinician reviewer can fix the data without
reading Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from twitchcheck.knowledge.schema import (
    Checklist,
    Condition,
    Finding,
    FindingFile,
    InterviewFile,
    Likelihood,
    RedFlag,
    RedFlagFile,
    Source,
    SourceFile,
    TriagePolicy,
    check_distribution,
)

DATA_DIR = Path(__file__).parent / "data"
AGE_FINDING = "age_band"
SEX_FINDING = "sex"

M = TypeVar("M", bound=BaseModel)


class KnowledgeError(ValueError):
    """The knowledge base is invalid; the message names the file and field."""


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Identity-hashed so compiled models can be cached per loaded base."""

    findings: dict[str, Finding]
    conditions: dict[str, Condition]
    red_flags: list[RedFlag]
    policy: TriagePolicy
    sources: dict[str, Source]
    root: Path
    checklist: Checklist | None = None  # the interview's opening checklist (interview.yaml)

    def finding(self, finding_id: str) -> Finding:
        try:
            return self.findings[finding_id]
        except KeyError:
            raise KeyError(f"unknown finding id {finding_id!r}") from None

    def likelihood(self, condition_id: str, finding_id: str) -> Likelihood | None:
        """The condition's own entry for a finding (age and sex included), or None for the base rate."""
        condition = self.conditions[condition_id]
        if finding_id == AGE_FINDING:
            return condition.age
        if finding_id == SEX_FINDING:
            return condition.sex
        return condition.likelihoods.get(finding_id)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from None
    except OSError as exc:
        raise KnowledgeError(f"{path.name}: cannot read: {exc.strerror}") from None


def _parse(model: type[M], path: Path, root: Path) -> M:
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more errors)" if exc.error_count() > 1 else ""
        rel = path.relative_to(root)
        raise KnowledgeError(f"{rel}: field {field}: {first['msg']}{more}") from None


def _yaml_files(folder: Path) -> Iterator[Path]:
    if not folder.is_dir():
        return iter(())
    return iter(sorted(folder.glob("*.yaml")))


def _unique(items: Iterator[tuple[str, M, Path]], what: str, root: Path) -> dict[str, M]:
    seen: dict[str, M] = {}
    where: dict[str, Path] = {}
    for key, item, path in items:
        if key in seen and seen[key] != item:
            raise KnowledgeError(
                f"{path.relative_to(root)}: {what} id {key!r} is already defined differently in "
                f"{where[key].relative_to(root)}"
            )
        seen.setdefault(key, item)
        where.setdefault(key, path)
    return seen


def load_kb(path: Path | None = None) -> KnowledgeBase:
    """Load the knowledge base at ``path`` (default: the packaged data), validated."""
    if path is None:
        return _default_kb()
    return _load(Path(path))


@cache
def _default_kb() -> KnowledgeBase:
    return _load(DATA_DIR)


def _load(root: Path) -> KnowledgeBase:
    if not root.is_dir():
        raise KnowledgeError(f"{root}: knowledge base folder not found")
    sources = _unique(
        (
            (source.id, source, path)
            for path in _yaml_files(root / "sources")
            for source in _parse(SourceFile, path, root).sources
        ),
        "source",
        root,
    )
    finding_files = {path: _parse(FindingFile, path, root) for path in _yaml_files(root / "findings")}
    findings = _unique(
        ((f.id, f, path) for path, ff in finding_files.items() for f in ff.findings), "finding", root
    )
    conditions: dict[str, Condition] = {}
    for path in _yaml_files(root / "conditions"):
        condition = _parse(Condition, path, root)
        if condition.id != path.stem:
            raise KnowledgeError(f"{path.relative_to(root)}: field id: {condition.id!r} must match file name")
        conditions[condition.id] = condition
    red_flag_path = root / "red_flags.yaml"
    red_flags = _parse(RedFlagFile, red_flag_path, root).red_flags if red_flag_path.exists() else []
    policy = _parse(TriagePolicy, root / "triage.yaml", root)
    interview_path = root / "interview.yaml"
    interview = _parse(InterviewFile, interview_path, root) if interview_path.exists() else None
    checklist = interview.opening_checklist if interview else None
    kb = KnowledgeBase(findings, conditions, red_flags, policy, sources, root, checklist)
    _cross_check(kb, finding_files)
    return kb


def _cross_check(kb: KnowledgeBase, finding_files: dict[Path, FindingFile]) -> None:
    root = kb.root
    for finding_path, ff in finding_files.items():
        rel = finding_path.relative_to(root)
        for i, finding in enumerate(ff.findings):
            _check_sources(kb, finding.base_rate_provenance.source, f"{rel}: findings[{i}] ({finding.id})")
    for name in (AGE_FINDING, SEX_FINDING):
        if name not in kb.findings:
            raise KnowledgeError(f"findings/: the demographic finding {name!r} is required")
    total_prior = 0.0
    for condition in kb.conditions.values():
        where = f"conditions/{condition.id}.yaml"
        _check_sources(kb, condition.sources, f"{where}: field sources")
        _check_sources(kb, condition.prior.source, f"{where}: field prior.source")
        _check_sources(kb, condition.care.source, f"{where}: field care.source")
        total_prior += condition.prior.value
        entries = {AGE_FINDING: condition.age, SEX_FINDING: condition.sex, **condition.likelihoods}
        for finding_id, lik in entries.items():
            field = finding_id if finding_id in (AGE_FINDING, SEX_FINDING) else f"likelihoods.{finding_id}"
            if finding_id not in kb.findings:
                raise KnowledgeError(f"{where}: field {field}: unknown finding id {finding_id!r}")
            finding = kb.findings[finding_id]
            _check_sources(kb, lik.source, f"{where}: field {field}.source")
            if finding.type == "binary" and lik.p is None:
                raise KnowledgeError(f"{where}: field {field}: binary finding needs 'p', not 'states'")
            if finding.type == "graded":
                if lik.states is None:
                    raise KnowledgeError(f"{where}: field {field}: graded finding needs 'states', not 'p'")
                try:
                    check_distribution(lik.states, finding.state_ids, "states")
                except ValueError as exc:
                    raise KnowledgeError(f"{where}: field {field}.{exc}") from None
    if total_prior >= 1.0:
        raise KnowledgeError(
            f"conditions/: priors sum to {total_prior:.4f}; they must leave room for the leak"
        )
    for i, flag in enumerate(kb.red_flags):
        where = f"red_flags.yaml: red_flags[{i}] ({flag.id})"
        _check_sources(kb, flag.source, f"{where}.source")
        for leaf in iter_leaves(flag.when):
            if leaf["finding"] not in kb.findings:
                raise KnowledgeError(f"{where}.when: unknown finding id {leaf['finding']!r}")
            finding = kb.findings[leaf["finding"]]
            states = leaf.get("states") or [leaf["state"]]
            bad = [s for s in states if s not in finding.state_ids]
            if bad:
                raise KnowledgeError(
                    f"{where}.when: finding {finding.id!r} has no state {bad[0]!r}; "
                    f"states: {finding.state_ids}"
                )
    _check_sources(kb, kb.policy.source, "triage.yaml: field source")
    if kb.checklist is not None:
        _check_checklist(kb, kb.checklist)


def _check_checklist(kb: KnowledgeBase, checklist: Checklist) -> None:
    """Ticking an item records its finding as present, so each must be a yes/no finding anyone can answer."""
    if checklist.id in kb.findings:
        raise KnowledgeError(f"interview.yaml: field opening_checklist.id: {checklist.id!r} is a finding id")
    seen: set[str] = set()
    numbered = [("items", i, item) for i, item in enumerate(checklist.items)]
    numbered += [("warning_signs", i, item) for i, item in enumerate(checklist.warning_signs)]
    for part, i, item in numbered:
        where = f"interview.yaml: field opening_checklist.{part}[{i}].finding"
        finding = kb.findings.get(item.finding)
        if finding is None:
            raise KnowledgeError(f"{where}: unknown finding id {item.finding!r}")
        if finding.type != "binary" or finding.clinician_only:
            raise KnowledgeError(f"{where}: {item.finding!r} must be a yes/no finding a person can report")
        if item.finding in seen:
            raise KnowledgeError(f"{where}: {item.finding!r} is listed twice")
        seen.add(item.finding)


def _check_sources(kb: KnowledgeBase, ids: list[str], where: str) -> None:
    for source_id in ids:
        if source_id not in kb.sources:
            raise KnowledgeError(f"{where}: unknown source id {source_id!r} (add it under sources/)")


def iter_leaves(expr: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield the ``{finding: ..}`` leaves of a red-flag expression."""
    if "finding" in expr:
        yield expr
        return
    for key in ("all", "any"):
        for item in expr.get(key, []):
            yield from iter_leaves(item)
    if "not" in expr:
        yield from iter_leaves(expr["not"])


def required_findings(expr: Mapping[str, Any]) -> frozenset[str] | None:
    """Findings of which at least one must be known for ``expr`` to hold (None: it can hold on nothing)."""
    if "finding" in expr:
        return frozenset([expr["finding"]])
    if "not" in expr:
        return None
    parts = [required_findings(e) for e in expr.get("all") or expr["any"]]
    if "all" in expr:
        known = [p for p in parts if p is not None]
        return min(known, key=len) if known else None
    if any(p is None for p in parts):
        return None
    return frozenset().union(*(p for p in parts if p is not None))
