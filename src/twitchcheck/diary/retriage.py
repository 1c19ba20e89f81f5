"""Re-triage: the diary's pattern, as evidence (``pattern_evidence.py``), assessed by the same engine a
one-shot check uses, stored per user.

When the level rises above the last stored one the result says so (``rose``, ``previous_level``) with the
reasons first. A rise is a headline only once the diary covers its baseline
(``patterns.BASELINE_DAYS``: ``pattern_changed``), or, sooner, when it reaches urgent or emergency care: a
warning sign does not wait for a baseline.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from twitchcheck.diary.db import begin_write, writing
from twitchcheck.diary.models import RetriageRecord, User, utcnow
from twitchcheck.diary.pattern_evidence import diary_evidence
from twitchcheck.diary.patterns import compute_patterns, covers_baseline
from twitchcheck.diary.repository import NotFound, load_summary
from twitchcheck.diary.schemas import LevelName, UserPublic
from twitchcheck.diary.series import DiarySummary
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Level

StoreMode = Literal["always", "if_changed", "never"]

TOP_CONDITIONS = 5
# Before the diary covers its baseline a rise is a headline only at this level or above (a new warning
# sign), and it is not called a change of pattern.
EARLY_RISE_FROM = Level.urgent


# ---------------------------------------------------------------------------------------------- results


class TopCondition(BaseModel):
    condition: str
    name: str
    lay_name: str
    probability: float
    care: LevelName


class RetriageResult(BaseModel):
    """What the diary's pattern means now. ``rose`` is the headline: the level went up, and the diary
    covers its baseline (then ``pattern_changed``) or the level is now urgent or emergency."""

    id: int | None
    created_at: AwareDatetime
    level: LevelName
    previous_level: LevelName | None
    rose: bool
    reasons: list[str]
    changes: list[str]
    advice: str
    top_conditions: list[TopCondition]
    evidence: dict[str, str]
    evidence_reasons: dict[str, str]
    entry_count: int
    stored: bool
    assessment: dict[str, Any] | None = None
    pattern_changed: bool = False
    days_covered: float = 0.0
    first_entry_at: AwareDatetime | None = None


class RetriagePublic(BaseModel):
    """One stored re-triage, as the history shows it."""

    id: int
    created_at: AwareDatetime
    level: LevelName
    previous_level: LevelName | None
    rose: bool
    reasons: list[str]
    top_conditions: list[TopCondition]
    evidence: dict[str, str]
    entry_count: int
    last_entry_at: AwareDatetime | None


def _state_words(kb: KnowledgeBase, finding: str, state: str) -> str:
    f = kb.findings[finding]
    if f.type == "binary":
        return {"present": "yes", "absent": "no"}.get(state, state)
    for s in f.states:
        if s.id == state:
            return (s.lay_label or s.label).lower()
    return state


def evidence_changes(
    kb: KnowledgeBase, old: dict[str, str] | None, new: dict[str, str], why: dict[str, str]
) -> list[str]:
    """Plain-words list of what the diary now shows that it did not at the previous re-triage."""
    old = old or {}
    lines = []
    for finding, state in new.items():
        label = kb.findings[finding].label
        reason = why.get(finding, "")
        if finding not in old:
            lines.append(f"New: {label}: {_state_words(kb, finding, state)}. {reason}".strip())
        elif old[finding] != state:
            before, after = _state_words(kb, finding, old[finding]), _state_words(kb, finding, state)
            lines.append(f"Changed: {label}: {before} \u2192 {after}. {reason}".strip())
    for finding in old:
        if finding not in new and finding in kb.findings:
            lines.append(f"No longer shown by the diary: {kb.findings[finding].label}.")
    return lines


def _latest(session: Session, user_id: int) -> RetriageRecord | None:
    return session.scalar(
        select(RetriageRecord)
        .where(RetriageRecord.user_id == user_id)
        .order_by(RetriageRecord.created_at.desc(), RetriageRecord.id.desc())
        .limit(1)
    )


def retriage(
    session: Session,
    user_id: int,
    *,
    kb: KnowledgeBase,
    age: float | None = None,
    sex: str | None = None,
    store: StoreMode = "if_changed",
    include_assessment: bool = False,
    summary: DiarySummary | None = None,
) -> RetriageResult:
    """Assess the user's diary now on ``kb``; store the result (by default only when the evidence or
    level changed).

    Age and sex default to the user's profile. Raises ``NotFound`` for an unknown user and
    ``EvidenceError`` for an impossible age or sex.
    """
    from twitchcheck.pipeline import assess

    if store != "never":
        begin_write(session)  # read and (maybe) write in one transaction, holding the SQLite write lock
    try:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        profile = UserPublic.model_validate(user)
        now = utcnow()
        age = age if age is not None else profile.age(now)
        sex = sex if sex is not None else profile.sex
        summary = summary if summary is not None else load_summary(session, user_id)
        patterns = compute_patterns(summary, kb)
        found = diary_evidence(summary, patterns, kb)
        result = assess(evidence=found.evidence, age=age, sex=sex, kb=kb)
        level: LevelName = result.triage.level
        top = [
            TopCondition(
                condition=d.condition,
                name=d.name,
                lay_name=d.lay_name,
                probability=d.probability,
                care=d.care,
            )
            for d in result.differential[:TOP_CONDITIONS]
        ]
        previous = _latest(session, user_id)
        previous_level: LevelName | None = previous.level if previous is not None else None  # type: ignore[assignment]
        went_up = previous_level is not None and Level.parse(level) > Level.parse(previous_level)
        pattern_changed = went_up and covers_baseline(patterns.span_days)
        rose = pattern_changed or (went_up and Level.parse(level) >= EARLY_RISE_FROM)
        changes = evidence_changes(
            kb, previous.evidence if previous is not None else None, found.evidence, found.why
        )
        reasons = list(result.triage.reasons)
        if rose:
            assert previous_level is not None
            headline = (
                f"Your diary now points to '{level.replace('_', ' ')}' care, up from "
                f"'{previous_level.replace('_', ' ')}' at the last check."
            )
            reasons = [headline, *changes, *reasons]
        changed = previous is None or previous.evidence != found.evidence or previous.level != level
        should_store = store == "always" or (store == "if_changed" and changed and summary.entries > 0)
    except BaseException:
        session.rollback()
        raise
    record_id = None
    last_entry_at = patterns.last
    if should_store:
        record = RetriageRecord(
            user_id=user_id,
            created_at=now,
            level=level,
            previous_level=previous_level,
            rose=rose,
            top_conditions=[t.model_dump() for t in top],
            evidence=found.evidence,
            reasons=reasons,
            entry_count=summary.entries,
            last_entry_at=last_entry_at,
        )
        with writing(session):
            session.add(record)
        record_id = record.id
    else:
        session.rollback()  # end the read transaction
    return RetriageResult(
        id=record_id,
        created_at=now,
        level=level,
        previous_level=previous_level,
        rose=rose,
        reasons=reasons,
        changes=changes,
        advice=result.triage.advice,
        top_conditions=top,
        evidence=found.evidence,
        evidence_reasons=found.why,
        entry_count=summary.entries,
        stored=should_store,
        assessment=result.to_json() if include_assessment else None,
        pattern_changed=pattern_changed,
        days_covered=patterns.span_days,
        first_entry_at=patterns.first,
    )


def retriage_history(session: Session, user_id: int, *, limit: int | None = None) -> list[RetriagePublic]:
    query = (
        select(RetriageRecord)
        .where(RetriageRecord.user_id == user_id)
        .order_by(RetriageRecord.created_at.desc(), RetriageRecord.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [RetriagePublic.model_validate(r, from_attributes=True) for r in session.scalars(query)]


def current(
    session: Session,
    user_id: int,
    *,
    kb: KnowledgeBase,
    include_assessment: bool = False,
    summary: DiarySummary | None = None,
) -> RetriageResult:
    """The diary's triage now, stored nothing. A stored rise stays the headline while its level holds.

    Changes re-triage and store as they happen, so by the time a page asks, the rise is the latest
    stored record; comparing with that record alone would report "no change" and hide it.
    """
    result = retriage(
        session, user_id, kb=kb, store="never", include_assessment=include_assessment, summary=summary
    )
    latest = _latest(session, user_id)
    if not result.rose and latest is not None and latest.rose and latest.level == result.level:
        session.rollback()
        # A change of pattern if the diary already covered its baseline when that rise was stored.
        first, at_rise = result.first_entry_at, latest.last_entry_at
        covered = (at_rise - first).total_seconds() / 86_400 if first and at_rise else 0.0
        return result.model_copy(
            update={
                "rose": True,
                "previous_level": latest.previous_level,
                "reasons": list(latest.reasons),
                "pattern_changed": covers_baseline(covered),
            }
        )
    session.rollback()
    return result
