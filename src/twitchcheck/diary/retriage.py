"""Re-triage: the diary's pattern becomes evidence for the same engine a one-shot check uses.

Every finding id and state used here is checked against the knowledge base when the evidence is
built (:func:`require_state`), so a renamed state fails loudly instead of silently dropping
evidence. Each result is stored per user; when the level rises above the last stored one the
result says so (``rose``, ``previous_level``) with the reasons first. A rise is a headline only once
the diary covers its baseline (``patterns.BASELINE_DAYS``: ``pattern_changed``), or, sooner, when it
reaches urgent or emergency care: a warning sign does not wait for a baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from twitchcheck.diary.db import begin_write, writing
from twitchcheck.diary.models import RetriageRecord, User, utcnow
from twitchcheck.diary.patterns import (
    RECENT_DAYS,
    Detail,
    DiarySummary,
    EntrySeries,
    Patterns,
    compute_patterns,
    covers_baseline,
)
from twitchcheck.diary.repository import NotFound, load_summary
from twitchcheck.diary.schemas import LevelName, UserPublic, vocabulary
from twitchcheck.knowledge import KnowledgeBase, KnowledgeError
from twitchcheck.knowledge.schema import Level

StoreMode = Literal["always", "if_changed", "never"]

# Analysis choices for turning a diary into course findings (not clinical figures):
DAILY_FRACTION = 0.7  # logged on at least 70% of recent days -> "daily"
OCCASIONAL_FRACTION = 0.3  # on at most 30% of the last four weeks -> "occasional"...
MIN_OCCASIONAL_WINDOW = 28  # ...but only from a diary that covers four weeks
MIN_OCCASIONAL_ENTRIES = 5  # and is kept (a sparse diary may just be a forgotten one)
CONSTANT_MINUTES_PER_DAY = 480.0  # daily, and the median day logs 8+ hours of twitching -> "constant"
MIN_SIDED_ENTRIES = 3
TOP_CONDITIONS = 5
# Before the diary covers its baseline a rise is a headline only at this level or above (a new warning
# sign), and it is not called a change of pattern.
EARLY_RISE_FROM = Level.urgent

DURATION = "twitch_duration"
SPREAD = "twitch_spread"
FREQUENCY = "twitch_frequency"
# twitch_spread: the knowledge base labels several_sites "two or three body regions".
SPREAD_STATES = ((1, "one_site"), (2, "several_sites"), (4, "widespread"))
FREQUENCY_STATES = ("occasional", "daily", "constant")
BINARY = ("present", "absent")


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def require_state(kb: KnowledgeBase, finding_id: str, state: str) -> str:
    finding = kb.findings.get(finding_id)
    if finding is None:
        raise KnowledgeError(
            f"diary re-triage uses finding {finding_id!r}, which is not in the knowledge base"
        )
    if state not in finding.state_ids:
        raise KnowledgeError(
            f"diary re-triage uses state {state!r} of {finding_id!r}; "
            f"the knowledge base has {finding.state_ids}"
        )
    return state


def duration_state(kb: KnowledgeBase, days: float) -> str:
    """The ``twitch_duration`` state whose [low, high) day bounds contain ``days``."""
    finding = kb.findings.get(DURATION)
    if finding is None or finding.unit != "days":
        raise KnowledgeError(f"diary re-triage needs graded finding {DURATION!r} measured in days")
    state = finding.state_for(days)
    if state is None:
        raise KnowledgeError(f"no {DURATION} state covers {days:.1f} days")
    return state


def spread_state(kb: KnowledgeBase, regions: int) -> str | None:
    chosen = None
    for minimum, state in SPREAD_STATES:
        require_state(kb, SPREAD, state)
        if regions >= minimum:
            chosen = state
    return chosen


@dataclass(frozen=True)
class DiaryEvidence:
    evidence: dict[str, str]
    why: dict[str, str]


def _later(kb: KnowledgeBase, finding_id: str, a: str | None, b: str | None) -> str | None:
    """The further-along of two states of an ordered graded finding."""
    if a is None or b is None:
        return a or b
    order = kb.findings[finding_id].state_ids
    return a if order.index(a) >= order.index(b) else b


def _note_evidence(kb: KnowledgeBase, summary: DiarySummary) -> dict[str, tuple[str, str, Detail]]:
    """Findings read from notes: an affirmed mention anywhere beats a negated one; else the latest wins."""
    out: dict[str, tuple[str, str, Detail]] = {}
    for detail in summary.details:
        for item in detail.note_findings:
            finding, state = item["finding"], item["state"]
            if finding not in kb.findings or state not in kb.findings[finding].state_ids:
                continue
            if kb.findings[finding].category == "demographic":
                continue
            previous = out.get(finding)
            if previous is not None and previous[0] != "absent" and state == "absent":
                continue
            out[finding] = (state, item.get("span", ""), detail)
    return out


def diary_evidence(data: EntrySeries | DiarySummary, patterns: Patterns, kb: KnowledgeBase) -> DiaryEvidence:
    """Map a diary to finding -> state of ``kb``, each with a plain-words reason."""
    summary = data.summary() if isinstance(data, EntrySeries) else data
    vocab = vocabulary(kb)
    evidence: dict[str, str] = {}
    why: dict[str, str] = {}

    def put(finding: str, state: str, reason: str) -> None:
        evidence[finding] = require_state(kb, finding, state)
        why[finding] = reason

    if summary.entries == 0:
        return DiaryEvidence(evidence, why)
    first = patterns.first.date().isoformat() if patterns.first else "?"
    last = patterns.last.date().isoformat() if patterns.last else "?"
    days = patterns.span_days
    notes = _note_evidence(kb, summary)

    # How long: the span of the diary is a lower bound; a note may say it began earlier.
    diary_duration = duration_state(kb, days)
    note_duration = notes[DURATION][0] if DURATION in notes else None
    chosen = _later(kb, DURATION, diary_duration, note_duration)
    assert chosen is not None
    if chosen == diary_duration:
        put(DURATION, chosen, f"Entries span {days:.0f} days ({first} to {last}).")
    else:
        put(
            DURATION,
            chosen,
            f"A note says: \u201c{notes[DURATION][1]}\u201d (the diary itself spans {days:.0f} days).",
        )

    # Where: distinct body regions ever written down.
    spread = spread_state(kb, patterns.distinct_regions)
    note_spread = notes[SPREAD][0] if SPREAD in notes else None
    spread_chosen = _later(kb, SPREAD, spread, note_spread)
    if spread_chosen is not None:
        names = ", ".join(c.label for c in patterns.regions) or "a note"
        put(
            SPREAD,
            spread_chosen,
            f"{plural(patterns.distinct_regions, 'body region', 'body regions')} in the diary: {names}.",
        )
    for course in patterns.regions:
        put(
            course.finding,
            "present",
            f"Written down in {plural(course.entries, 'entry', 'entries')} since {course.first_seen.date()}.",
        )

    # How often lately.
    recent = patterns.recent
    for state in FREQUENCY_STATES:
        require_state(kb, FREQUENCY, state)
    if recent.window_days >= 7:
        share = f"{recent.active_days} of the last {recent.window_days} days"
        if recent.fraction >= DAILY_FRACTION:
            minutes = recent.median_minutes_per_day
            if minutes is not None and minutes >= CONSTANT_MINUTES_PER_DAY:
                put(
                    FREQUENCY,
                    "constant",
                    f"Twitching logged on {share}, about {minutes / 60:.0f} hours a day.",
                )
            else:
                put(FREQUENCY, "daily", f"Twitching logged on {share}.")
        elif (
            recent.fraction <= OCCASIONAL_FRACTION
            and recent.window_days >= MIN_OCCASIONAL_WINDOW
            and summary.entries >= MIN_OCCASIONAL_ENTRIES
        ):
            put(FREQUENCY, "occasional", f"Twitching logged on only {share}.")

    # What kind.
    kinds: dict[str, int] = {}
    sides: dict[str, int] = {}
    for group in summary.groups:
        kinds[group.kind] = kinds.get(group.kind, 0) + group.entries
        if group.side is not None:
            sides[group.side] = sides.get(group.side, 0) + group.entries
    for kind, n in kinds.items():
        finding = vocab.kind_findings.get(kind)
        if finding is not None:
            put(finding, "present", f"{plural(n, 'diary entry describes', 'diary entries describe')} {kind}.")

    # Which side.
    sided = sum(sides.values())
    if sided >= MIN_SIDED_ENTRIES:
        if set(sides) in ({"left"}, {"right"}):
            put("one_sided", "present", f"All {sided} entries that name a side say {next(iter(sides))}.")
        elif "both" in sides or {"left", "right"} <= set(sides):
            put("one_sided", "absent", "Entries name both sides of the body.")

    # New symptoms, and weakness that is new or getting worse.
    for course in patterns.symptoms:
        label = "first written" if course.new else "written"
        times = plural(course.entries, "entry", "entries")
        put(course.finding, "present", f"{course.label} {label} on {course.first_seen.date()} ({times}).")
    if patterns.weakness.progressive:
        put("weakness_progressive", "present", patterns.weakness.why)

    # Course.
    trend = patterns.trend
    if trend.direction == "rising" and days >= RECENT_DAYS:
        put("progressive", "present", f"Twitching has been increasing week on week over {trend.weeks} weeks.")
    elif trend.direction == "falling" and days >= RECENT_DAYS:
        put("improving", "present", f"Twitching has been decreasing week on week over {trend.weeks} weeks.")

    # Personal triggers: only a clear association in the expected direction counts.
    for assoc in patterns.triggers:
        if assoc.supports_trigger:
            put(assoc.finding, "present", assoc.summary)

    # Medicines started or changed.
    meds = [d for d in summary.details if d.medications]
    if meds:
        text = meds[-1].medications or ""
        put(
            "drug_new_or_changed",
            "present",
            f"Medicine change written on {meds[-1].date}: \u201c{text[:80]}\u201d.",
        )

    # Everything else the notes said, where the structured diary said nothing.
    for finding, (state, span, detail) in notes.items():
        if finding in evidence or finding in (DURATION, SPREAD):
            continue
        put(finding, state, f"From a note on {detail.date}: \u201c{span}\u201d.")
    return DiaryEvidence(dict(sorted(evidence.items())), why)


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
