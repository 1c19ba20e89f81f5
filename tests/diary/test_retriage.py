"""Re-triage: the diary's pattern as knowledge-base evidence, stored per user, with a clear 'rose'."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from twitchcheck import assess
from twitchcheck.diary import accounts
from twitchcheck.diary import pattern_evidence as pe
from twitchcheck.diary import repository as repo
from twitchcheck.diary import retriage as rt
from twitchcheck.diary.db import Database
from twitchcheck.diary.models import TABLES, RetriageRecord
from twitchcheck.diary.patterns import BASELINE_DAYS, compute_patterns
from twitchcheck.diary.schemas import EntryCreate, ProfileUpdate, UserPublic, vocabulary
from twitchcheck.diary.series import EntrySeries
from twitchcheck.knowledge import KnowledgeBase, KnowledgeError
from twitchcheck.knowledge.schema import Level

from .conftest import KB, entry, fake_extractor


def evidence_of(entries: list[EntryCreate], notes: list[list[Any]] | None = None) -> pe.DiaryEvidence:
    series = EntrySeries.from_entries(entries, notes or [[] for _ in entries])
    return pe.diary_evidence(series, compute_patterns(series, KB), KB)


@pytest.mark.parametrize(("days", "state"), [(0, "days"), (13.9, "days"), (30, "weeks"), (120, "months"),
                                             (400, "years")])  # fmt: skip
def test_duration_comes_from_the_span_and_the_kbs_bounds(kb: KnowledgeBase, days: float, state: str) -> None:
    assert pe.duration_state(kb, days) == state
    found = evidence_of([entry(0), entry(days)]) if days < 300 else None
    if found is not None:
        assert found.evidence["twitch_duration"] == state


@pytest.mark.parametrize(
    ("regions", "state"),
    [
        (0, None),
        (1, "one_site"),
        (2, "several_sites"),
        (3, "several_sites"),
        (4, "widespread"),
        (9, "widespread"),
    ],
)
def test_spread_states(kb: KnowledgeBase, regions: int, state: str | None) -> None:
    assert pe.spread_state(kb, regions) == state


def test_states_are_checked_against_the_knowledge_base(kb: KnowledgeBase) -> None:
    with pytest.raises(KnowledgeError, match="twitch_spread"):
        pe.require_state(kb, "twitch_spread", "everywhere")
    with pytest.raises(KnowledgeError, match="not in the knowledge base"):
        pe.require_state(kb, "twitch_elsewhere", "present")


def test_every_mapped_finding_and_state_exists(kb: KnowledgeBase) -> None:
    rng = random.Random(5)
    regions = vocabulary(KB).regions
    symptoms = vocabulary(KB).symptoms
    for _ in range(40):
        entries = [
            entry(
                rng.uniform(0, 250),
                regions=rng.sample(regions, rng.randint(0, 3)),
                kind=rng.choice(["fasciculation", "cramp", "spasm", "jerking", "rippling", "other"]),
                side=rng.choice([None, "left", "right", "both"]),
                symptoms=rng.sample(symptoms, rng.randint(0, 2)),
                caffeine_cups=rng.choice([None, rng.uniform(0, 6)]),
                count=rng.randint(0, 50),
                medications=rng.choice([None, "new pills"]),
            )
            for _ in range(rng.randint(1, 30))
        ]
        found = evidence_of(entries)
        for finding, state in found.evidence.items():
            assert state in kb.findings[finding].state_ids, (finding, state)
            assert found.why[finding]
        assess(evidence=found.evidence, age=40, sex="male")  # the engine accepts it as it is


def test_frequency_from_recent_days() -> None:
    daily = evidence_of([entry(d) for d in range(30)])
    assert daily.evidence["twitch_frequency"] == "daily"
    constant = evidence_of([entry(d, duration_minutes=600) for d in range(30)])
    assert constant.evidence["twitch_frequency"] == "constant"
    occasional = evidence_of([entry(d) for d in range(0, 60, 6)])
    assert occasional.evidence["twitch_frequency"] == "occasional"
    sparse = evidence_of([entry(0), entry(40)])  # too little diary to call it occasional
    assert "twitch_frequency" not in sparse.evidence
    short = evidence_of([entry(0), entry(3)])
    assert "twitch_frequency" not in short.evidence


def test_kinds_sides_symptoms_course_and_medicines() -> None:
    entries = [entry(d, kind="cramp", side="left", count=10 + d) for d in range(0, 70, 2)]
    entries.append(
        entry(50, symptoms=["weakness", "dysphagia"], side="left", medications="started salbutamol")
    )
    found = evidence_of(entries)
    ev = found.evidence
    assert ev["cramps"] == "present" and ev["loc_calf"] == "present" and ev["one_sided"] == "present"
    assert ev["weakness"] == "present" and ev["dysphagia"] == "present"
    assert ev["drug_new_or_changed"] == "present" and "salbutamol" in found.why["drug_new_or_changed"]
    assert ev["progressive"] == "present"  # twitch counts rise week on week
    both = evidence_of([entry(d, side=s) for d, s in enumerate(["left", "right", "left"])])
    assert both.evidence["one_sided"] == "absent"


def test_a_falling_trend_is_improving() -> None:
    found = evidence_of([entry(d, count=max(0, 80 - d)) for d in range(70)])
    assert found.evidence.get("improving") == "present" and "progressive" not in found.evidence


def test_a_personal_trigger_becomes_evidence() -> None:
    rng = np.random.default_rng(2)
    cups = rng.integers(0, 6, 40)
    found = evidence_of(
        [entry(d, caffeine_cups=float(c), count=int(3 * c + rng.integers(0, 3))) for d, c in enumerate(cups)]
    )
    assert found.evidence["trigger_caffeine"] == "present"
    assert "not proof of cause" in found.why["trigger_caffeine"]
    assert "trigger_stress" not in found.evidence


def test_notes_add_evidence_with_their_words() -> None:
    entries = [
        entry(0, note="no weakness"),
        entry(5, note="felt weak"),
        entry(6, note="twitching for months"),
    ]
    notes = [fake_extractor(e.note or "") for e in entries]
    found = evidence_of(entries, notes)
    assert found.evidence["weakness"] == "present"  # an affirmed mention beats an earlier "no"
    assert found.evidence["twitch_duration"] == "months"  # the note reaches further back than the diary
    assert "for months" in found.why["twitch_duration"]
    only_no = evidence_of([entry(0, note="no weakness")], [fake_extractor("no weakness")])
    assert only_no.evidence["weakness"] == "absent"


# ---------------------------------------------------------------------------------------------- stored


def test_empty_diary_is_assessed_but_not_stored(session: Any, alice: UserPublic) -> None:
    result = rt.retriage(session, alice.id, age=30, sex="female", kb=KB)
    assert result.entry_count == 0 and not result.stored and result.evidence == {}
    assert rt.retriage_history(session, alice.id) == []


def test_rose_previous_level_and_reasons(session: Any, alice: UserPublic) -> None:
    accounts.update_profile(session, alice.id, ProfileUpdate(year_of_birth=1996, sex="female"))
    for d in range(3):
        repo.add_entry(session, alice.id, entry(d, regions=["loc_eyelid"], count=5), kb=KB)
    first = rt.retriage(session, alice.id, kb=KB)
    assert first.stored and first.previous_level is None and not first.rose
    assert first.level == "self_care", first.reasons
    assert first.changes and all(line.startswith("New:") for line in first.changes)

    repo.add_entry(session, alice.id, entry(3, regions=["loc_eyelid"], count=4), kb=KB)
    same = rt.retriage(session, alice.id, kb=KB)
    assert not same.stored and not same.rose and same.level == first.level and same.changes == []

    repo.add_entry(
        session, alice.id, entry(4, regions=["loc_eyelid"], symptoms=["dysphagia", "slurred_speech"]), kb=KB
    )
    worse = rt.retriage(session, alice.id, kb=KB)
    assert worse.stored and worse.rose and worse.previous_level == "self_care"
    assert worse.level in ("urgent", "emergency")
    assert "up from 'self care'" in worse.reasons[0]
    assert any("Difficulty swallowing" in r or "swallow" in r.lower() for r in worse.reasons[1:])
    history = rt.retriage_history(session, alice.id)
    assert [h.level for h in history] == [worse.level, "self_care"]
    assert history[0].rose and history[0].previous_level == "self_care"
    assert history[0].top_conditions[0].probability >= history[0].top_conditions[-1].probability

    # It matches a one-shot assessment of the same evidence.
    direct = assess(evidence=worse.evidence, age=worse_age(alice, session), sex="female")
    assert direct.triage.level == worse.level


def test_no_pattern_change_before_the_diary_covers_its_baseline(session: Any, alice: UserPublic) -> None:
    """A calf entry then an eyelid entry a minute later spread the twitching to two regions (routine care):
    the level is shown, but a diary this short cannot show a changed pattern, as its report says."""
    repo.add_entry(session, alice.id, entry(0), kb=KB)
    first = rt.retriage(session, alice.id, age=30, sex="female", kb=KB)
    repo.add_entry(session, alice.id, entry(1 / 1440, regions=["loc_eyelid"]), kb=KB)
    second = rt.retriage(session, alice.id, age=30, sex="female", kb=KB)
    assert (first.level, second.level) == ("self_care", "routine")
    assert second.previous_level == "self_care" and second.stored
    assert not second.rose and not second.pattern_changed
    assert not rt.current(session, alice.id, kb=KB).rose  # and the page never makes it a headline later
    assert second.days_covered < BASELINE_DAYS
    notes = compute_patterns(repo.load_summary(session, alice.id), KB).notes
    assert f"less than {BASELINE_DAYS} days" in notes[0]


def test_a_pattern_change_once_the_diary_covers_its_baseline(session: Any, alice: UserPublic) -> None:
    """Twitching written down for more than two weeks asks for a routine check-up: a rise below urgent care,
    made a headline because the diary now covers its baseline."""
    repo.add_entry(session, alice.id, entry(0), kb=KB)
    repo.add_entry(session, alice.id, entry(BASELINE_DAYS - 1), kb=KB)
    before = rt.retriage(session, alice.id, age=30, sex="female", kb=KB)
    repo.add_entry(session, alice.id, entry(BASELINE_DAYS + 1), kb=KB)
    after = rt.retriage(session, alice.id, age=30, sex="female", kb=KB)
    assert (before.level, after.level) == ("self_care", "routine")
    assert after.rose and after.pattern_changed and "up from" in after.reasons[0]
    assert rt.current(session, alice.id, kb=KB).pattern_changed
    assert not compute_patterns(repo.load_summary(session, alice.id), KB).notes


def test_a_warning_sign_does_not_wait_for_the_baseline(session: Any, alice: UserPublic) -> None:
    """Urgent or emergency care is a headline on the first day, not called a change of pattern, and it
    stays that kind of headline while the level holds, however long the diary grows."""
    repo.add_entry(session, alice.id, entry(0), kb=KB)
    rt.retriage(session, alice.id, age=30, sex="female", kb=KB)
    repo.add_entry(session, alice.id, entry(0.1, symptoms=["dysphagia", "slurred_speech"]), kb=KB)
    early = rt.retriage(session, alice.id, age=30, sex="female", kb=KB)
    assert Level.parse(early.level) >= rt.EARLY_RISE_FROM
    assert early.rose and not early.pattern_changed and early.stored
    for day in range(1, BASELINE_DAYS + 3):
        repo.add_entry(session, alice.id, entry(day, symptoms=["dysphagia", "slurred_speech"]), kb=KB)
    later = rt.current(session, alice.id, kb=KB)
    assert later.level == early.level and later.rose and not later.pattern_changed


def worse_age(user: UserPublic, session: Any) -> int:
    age = accounts.get_user(session, user.id).age()
    assert age is not None
    return age


def test_store_modes(session: Any, alice: UserPublic) -> None:
    repo.add_entry(session, alice.id, entry(0), kb=KB)
    assert not rt.retriage(session, alice.id, age=30, store="never", kb=KB).stored
    assert rt.retriage(session, alice.id, age=30, kb=KB).stored
    assert not rt.retriage(session, alice.id, age=30, kb=KB).stored
    assert rt.retriage(session, alice.id, age=30, store="always", kb=KB).stored
    count = session.scalar(
        select(func.count()).select_from(RetriageRecord).where(RetriageRecord.user_id == alice.id)
    )
    assert count == 2


def test_a_falling_level_is_not_a_rise(session: Any, alice: UserPublic) -> None:
    saved = repo.add_entry(session, alice.id, entry(0, symptoms=["dysphagia", "slurred_speech"]), kb=KB)
    high = rt.retriage(session, alice.id, age=30, sex="male", kb=KB)
    repo.delete_entry(session, alice.id, saved.id)
    repo.add_entry(session, alice.id, entry(0, regions=["loc_eyelid"]), kb=KB)
    low = rt.retriage(session, alice.id, age=30, sex="male", kb=KB)
    assert low.previous_level == high.level and not low.rose
    assert any(line.startswith("No longer") for line in low.changes)


def test_full_assessment_on_request(session: Any, alice: UserPublic) -> None:
    repo.add_entry(session, alice.id, entry(0), kb=KB)
    result = rt.retriage(session, alice.id, age=30, include_assessment=True, store="never", kb=KB)
    assert result.assessment is not None and result.assessment["triage"]["level"] == result.level


def test_unknown_user(session: Any) -> None:
    with pytest.raises(repo.NotFound):
        rt.retriage(session, 123456, kb=KB)


def test_anonymous_assessments_store_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWITCHCHECK_DATA_DIR", str(tmp_path / "data"))
    assess("My calf has been twitching for two weeks, no weakness", age=30, sex="male")
    assess(evidence={"loc_calf": "present", "weakness": "absent"}, age=30)
    assert not (tmp_path / "data").exists()
    with db.engine.connect() as conn:
        from sqlalchemy import text

        assert all(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() == 0 for t in TABLES)
