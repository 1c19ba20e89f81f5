"""A diary's pattern as evidence: finding -> state of the knowledge base, each with a reason in plain words.

Pure: from the diary's day summary and patterns to what the engine reads, for the re-triage
(``retriage.py``) to assess. Every finding id and state used here is checked against the knowledge base
when the evidence is built (:func:`require_state`), so a renamed state fails loudly instead of silently
dropping evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from twitchcheck.diary.patterns import MIN_RECENT_DAYS, RECENT_DAYS, Patterns
from twitchcheck.diary.schemas import vocabulary
from twitchcheck.diary.series import Detail, DiarySummary, EntrySeries
from twitchcheck.knowledge import KnowledgeBase, KnowledgeError

# Analysis choices for turning a diary into course findings (not clinical figures):
DAILY_FRACTION = 0.7  # logged on at least 70% of recent days -> "daily"
OCCASIONAL_FRACTION = 0.3  # on at most 30% of the last four weeks -> "occasional"...
MIN_OCCASIONAL_WINDOW = 28  # ...but only from a diary that covers four weeks
MIN_OCCASIONAL_ENTRIES = 5  # and is kept (a sparse diary may just be a forgotten one)
CONSTANT_MINUTES_PER_DAY = 480.0  # daily, and the median day logs 8+ hours of twitching -> "constant"
MIN_SIDED_ENTRIES = 3

DURATION = "twitch_duration"
SPREAD = "twitch_spread"
FREQUENCY = "twitch_frequency"
# twitch_spread: the knowledge base labels several_sites "two or three body regions".
SPREAD_STATES = ((1, "one_site"), (2, "several_sites"), (4, "widespread"))
FREQUENCY_STATES = ("occasional", "daily", "constant")


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
    if recent.window_days >= MIN_RECENT_DAYS:
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
