"""Export everything (JSON, CSV, zip with SVGs) and import it back, all or nothing."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta, timezone
from typing import Any
from xml.etree import ElementTree

import pytest

from twitchcheck.diary import accounts, exports
from twitchcheck.diary import repository as repo
from twitchcheck.diary import retriage as rt
from twitchcheck.diary.schemas import EntryPublic, UserPublic

from .conftest import KB, entry, fake_extractor, make_user


def fill(session: Any, user: UserPublic) -> list[EntryPublic]:
    tz = timezone(timedelta(hours=2))
    first = entry(0, occurred_at=entry(0).occurred_at.astimezone(tz), kind="cramp", side="right",
                  regions=["calf", "thigh"], intensity=6, count=3, caffeine_mg=200.0, exercised=True,
                  note="calf weak, 2 coffee", medications="started salbutamol")  # fmt: skip
    second = entry(2, symptoms=["weakness"], sleep_hours=5.5, stress=7, note='=HYPERLINK("http://evil")')
    out = [
        repo.add_entry(session, user.id, first, extractor=fake_extractor, kb=KB),
        repo.add_entry(session, user.id, second, extractor=fake_extractor, kb=KB),
        repo.add_entry(session, user.id, entry(3, exercise_minutes=45, alcohol_units=2), kb=KB),
    ]
    rt.retriage(session, user.id, age=35, sex="female", kb=KB)
    accounts.create_api_token(session, user.id, "phone")
    return out


def comparable(e: EntryPublic) -> dict[str, Any]:
    return e.model_dump(exclude={"id", "created_at", "updated_at"})


def test_json_export_has_everything_and_no_secrets(session: Any, alice: UserPublic) -> None:
    entries = fill(session, alice)
    text = exports.export_json(session, alice.id, KB)
    data = json.loads(text)
    assert data["format"] == "twitchcheck-diary" and data["version"] == 1
    assert data["user"]["username"] == "alice" and "password_hash" not in data["user"]
    assert [e["id"] for e in data["entries"]] == [e.id for e in entries]
    assert len(data["retriage_history"]) == 1 and data["retriage_history"][0]["level"]
    assert data["api_tokens"][0]["name"] == "phone" and "token_hash" not in data["api_tokens"][0]
    assert data["patterns"]["entries"] == 3
    assert "$argon2" not in text and accounts.hash_secret("x")[:0] == ""


def test_json_round_trip_into_another_account(session: Any, alice: UserPublic, bob: UserPublic) -> None:
    entries = fill(session, alice)
    report = exports.import_json(
        session, bob.id, exports.export_json(session, alice.id, KB), extractor=_never, kb=KB
    )
    assert (report.added, report.skipped) == (3, 0)
    copied = repo.list_entries(session, bob.id, newest_first=False)
    assert [comparable(e) for e in copied] == [comparable(e) for e in entries]
    again = exports.import_json(
        session, bob.id, exports.export_json(session, alice.id, KB), extractor=_never, kb=KB
    )
    assert (again.added, again.skipped) == (0, 3)


def _never(text: str) -> list[Any]:
    raise AssertionError("stored note findings should be reused, not re-read")


def test_csv_round_trip_and_formula_guard(session: Any, alice: UserPublic, bob: UserPublic) -> None:
    entries = fill(session, alice)
    text = exports.export_csv(session, alice.id)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == [e.id for e in entries]
    assert rows[0]["regions"] == "loc_calf;loc_thigh"
    assert rows[1]["note"].startswith("'=")  # a spreadsheet will not run it
    assert rows[0]["occurred_at"].endswith("+02:00")
    report = exports.import_csv(session, bob.id, text, extractor=_never, kb=KB)
    assert report.added == 3
    copied = repo.list_entries(session, bob.id, newest_first=False)
    assert [comparable(e) for e in copied] == [comparable(e) for e in entries]
    assert copied[1].note == '=HYPERLINK("http://evil")'


def test_bundle_contains_data_and_pictures(session: Any, alice: UserPublic) -> None:
    fill(session, alice)
    blob = exports.export_bundle(session, alice.id, KB)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = set(archive.namelist())
        assert names == {"diary.json", "entries.csv", "timeline.svg", "body_map.svg", "README.txt"}
        for name in ("timeline.svg", "body_map.svg"):
            root = ElementTree.fromstring(archive.read(name))
            assert root.tag.endswith("svg")
        assert json.loads(archive.read("diary.json"))["patterns"]["entries"] == 3


def test_import_is_all_or_nothing_and_names_the_problem(session: Any, alice: UserPublic) -> None:
    records = [entry(d).model_dump(mode="json") for d in range(3)]
    records[2]["intensity"] = 42
    with pytest.raises(exports.ImportFailed, match=r"entry 3: intensity"):
        exports.import_json(session, alice.id, {"format": "twitchcheck-diary", "entries": records}, kb=KB)
    assert repo.count_entries(session, alice.id) == 0
    with pytest.raises(exports.ImportFailed, match="not valid JSON"):
        exports.import_json(session, alice.id, "{oops", kb=KB)
    with pytest.raises(exports.ImportFailed, match="format"):
        exports.import_json(session, alice.id, {"format": "something-else", "entries": []}, kb=KB)
    with pytest.raises(exports.ImportFailed, match="occurred_at"):
        exports.import_csv(session, alice.id, "kind,count\ncramp,3\n", kb=KB)


def test_import_reads_notes_without_stored_findings(session: Any, alice: UserPublic) -> None:
    records = [{"occurred_at": "2026-01-10T10:00:00+00:00", "note": "calf"}, {"when": "2026-01-11T10:00:00Z"}]
    report = exports.import_json(session, alice.id, records, extractor=fake_extractor, kb=KB)
    assert report.added == 2
    first = repo.get_entry(session, alice.id, report.ids[0])
    assert [f.finding for f in first.note_findings] == ["loc_calf"]


def test_import_limits_refuse_before_anything_is_read_or_written(session: Any, alice: UserPublic) -> None:
    """Issue 13, finding 9: one import could ask for ~400,000 entries or ~3,000 notes of 5,000 characters
    to be read. The limits are checked on the file as a whole, before a note is read or a row written;
    only notes that must be read count (not those whose findings come with them, not duplicates)."""
    limits = exports.ImportLimits(entries=3, note_characters=10)
    kept = repo.add_entry(session, alice.id, entry(0, note="calf"), extractor=fake_extractor, kb=KB)
    read: list[str] = []

    def reader(text: str) -> list[Any]:
        read.append(text)
        return fake_extractor(text)

    four = [entry(day).model_dump(mode="json") for day in (1, 2, 3, 4)]
    with pytest.raises(exports.ImportFailed, match=r"4 entries.*at most 3.*[Ss]plit") as refused:
        exports.import_json(session, alice.id, four, kb=KB, extractor=reader, limits=limits)
    assert (refused.value.status, refused.value.field) == (413, "entries")
    rows = "occurred_at\n" + "".join(f"{r['occurred_at']}\n" for r in four)
    with pytest.raises(exports.ImportFailed, match=r"at most 3") as refused_csv:
        exports.import_csv(session, alice.id, rows, kb=KB, extractor=reader, limits=limits)
    assert refused_csv.value.status == 413

    eleven = [
        entry(1, note="calf weak").model_dump(mode="json"),
        entry(2, medications="ab").model_dump(mode="json"),
    ]
    with pytest.raises(exports.ImportFailed, match=r"11 characters.*at most 10.*[Ss]plit") as too_long:
        exports.import_json(session, alice.id, eleven, kb=KB, extractor=reader, limits=limits)
    assert (too_long.value.status, too_long.value.field) == (413, "entries")
    assert read == []
    assert [comparable(e) for e in repo.list_entries(session, alice.id)] == [comparable(kept)]

    # At the limits: 3 entries and 10 characters to read. The duplicate of the saved entry is skipped,
    # so its note is not read and does not count; nor does a long note that comes with its findings.
    duplicate = {k: v for k, v in kept.model_dump(mode="json").items() if k != "note_findings"}
    at_limits = [entry(1, note="calf weak"), entry(2, note="a")]
    report = exports.import_json(
        session, alice.id, [*(e.model_dump(mode="json") for e in at_limits), duplicate], kb=KB,
        extractor=reader, limits=limits,
    )  # fmt: skip
    assert (report.added, report.skipped) == (2, 1) and read == ["calf weak", "a"]
    long_note = "calf " * 100
    with_findings = {
        **entry(3, note=long_note).model_dump(mode="json"),
        "note_findings": [{"finding": "loc_calf", "state": "present", "span": "calf", "start": 0, "end": 4}],
    }
    again = exports.import_json(session, alice.id, [with_findings], kb=KB, extractor=reader, limits=limits)
    assert again.added == 1 and read == ["calf weak", "a"]

    # Without limits (the command line, on the person's own machine) any number goes in.
    more = [entry(day).model_dump(mode="json") for day in (10, 11, 12, 13)]
    assert exports.import_json(session, alice.id, more, kb=KB, extractor=reader, limits=None).added == 4


def test_export_of_an_empty_account(session: Any) -> None:
    user = make_user(session, "empty")
    data = exports.export_data(session, user.id, KB)
    assert data["entries"] == [] and data["patterns"]["entries"] == 0
    assert exports.export_csv(session, user.id).strip() == ",".join(exports.CSV_FIELDS)
    with zipfile.ZipFile(io.BytesIO(exports.export_bundle(session, user.id, KB))) as archive:
        assert b"No diary entries yet" in archive.read("timeline.svg")
