"""`twitchcheck diary ...` on a local profile in a temporary data directory."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from twitchcheck.cli import app
from twitchcheck.cli import diary as diary_cli
from twitchcheck.diary.db import DB_FILENAME
from twitchcheck.diary.schemas import birth_years
from twitchcheck.engine.evidence import MAX_AGE
from twitchcheck.knowledge import KnowledgeBase

from .conftest import fake_extractor

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TWITCHCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TWITCHCHECK_DATABASE_URL", raising=False)
    monkeypatch.setattr(diary_cli, "EXTRACTOR", fake_extractor)
    yield tmp_path


def run(*args: str) -> Any:
    result = runner.invoke(app, ["diary", *args])
    return result


def test_add_list_and_the_local_file(home: Path) -> None:
    r = run("add", "-r", "calf", "-n", "12", "--caffeine-cups", "3", "--when", "2026-01-10T08:00:00+01:00",
            "--note", "calf after coffee", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    payload = json.loads(r.output)
    assert payload["entry"]["regions"] == ["loc_calf"] and payload["entry"]["count"] == 12
    assert {f["finding"] for f in payload["entry"]["note_findings"]} == {"loc_calf", "trigger_caffeine"}
    assert payload["retriage"]["stored"] is True and payload["retriage"]["rose"] is False
    db_file = home / "data" / DB_FILENAME
    assert db_file.exists() and (db_file.stat().st_mode & 0o777) == 0o600
    r = run("add", "-r", "eyelid", "--when", "2026-01-12")
    assert r.exit_code == 0 and "Saved entry 2" in r.output
    r = run("list", "--json")
    lines = [json.loads(line) for line in r.output.splitlines()]
    assert [e["id"] for e in lines] == [2, 1]
    r = run("list")
    assert r.exit_code == 0 and "Diary entries" in r.output


def test_validation_errors_name_the_field(home: Path) -> None:
    r = run("add", "-r", "knee")
    assert r.exit_code == 2 and "regions.0" in r.output and "not a body region" in r.output
    r = run("add", "--intensity", "12")
    assert r.exit_code == 2 and "intensity" in r.output
    r = run("add", "--when", "yesterday-ish")
    assert r.exit_code == 2 and "--when" in r.output
    assert not (home / "data").exists()  # nothing was opened or written


def test_a_profile_age_the_assessment_cannot_take_is_refused(home: Path) -> None:
    too_old = str(birth_years()[0] - 1)
    r = run("profile", "--year-of-birth", too_old)
    assert r.exit_code == 2 and "year_of_birth" in r.output and f"over {MAX_AGE} years" in r.output
    assert run("add", "-r", "calf", "--json").exit_code == 0  # and the re-triage still works


def test_the_diary_commands_take_a_knowledge_base(home: Path, diary_mini_kb: KnowledgeBase) -> None:
    other = ["--kb", str(diary_mini_kb.root)]
    refused = run("add", "-r", "eyelid", *other)  # the packaged base has eyelids, this one not
    assert refused.exit_code == 2 and "regions.0" in refused.output
    r = run("add", "-r", "hand", "--when", "2026-01-10", "--json", *other)
    assert r.exit_code == 0, r.output
    conditions = {t["condition"] for t in json.loads(r.output)["retriage"]["top_conditions"]}
    assert conditions == set(diary_mini_kb.conditions)
    retriaged = json.loads(run("retriage", "--json", *other).output)
    assert {t["condition"] for t in retriaged["top_conditions"]} == conditions
    found = json.loads(run("patterns", "--json", *other).output)
    assert [c["label"] for c in found["regions"]] == [diary_mini_kb.findings["loc_hand"].label]
    assert run("retriage", "--kb", str(home / "nowhere")).exit_code == 1


def test_rise_is_shown_prominently(home: Path) -> None:
    assert run("profile", "--year-of-birth", "1990", "--sex", "female").exit_code == 0
    assert run("add", "-r", "eyelid", "--when", "2026-01-10").exit_code == 0
    r = run("add", "-r", "eyelid", "-s", "dysphagia", "-s", "slurred_speech", "--when", "2026-01-11")
    assert r.exit_code == 0, r.output
    assert "Triage rose" in r.output and "self care" in r.output
    r = run("retriage", "--json")
    data = json.loads(r.output)
    assert data["level"] in ("urgent", "emergency") and data["rose"] is False  # already stored


def test_export_import_patterns_plot_delete(home: Path) -> None:
    for day in range(1, 13):
        args = ["-r", "calf", "-n", str(day), "--stress", str(day % 10), "--when", f"2026-02-{day:02d}"]
        assert run("add", *args, "--no-retriage").exit_code == 0
    out = home / "diary.json"
    assert run("export", "-o", str(out)).exit_code == 0
    assert len(json.loads(out.read_text())["entries"]) == 12
    csv_out = home / "diary.csv"
    assert run("export", "-f", "csv", "-o", str(csv_out)).exit_code == 0
    bundle = home / "diary.zip"
    assert run("export", "-f", "bundle", "-o", str(bundle)).exit_code == 0
    assert "timeline.svg" in zipfile.ZipFile(bundle).namelist()
    assert run("export", "-f", "bundle").exit_code == 2
    r = run("import", str(out))
    assert r.exit_code == 0 and "Imported 0 entries; skipped 12" in r.output
    r = run("patterns", "--json")
    assert json.loads(r.output)["entries"] == 12
    r = run("patterns")
    assert r.exit_code == 0 and "not proof of cause" in r.output
    timeline, body = home / "t.svg", home / "b.svg"
    assert run("plot", "--timeline", str(timeline), "--body-map", str(body)).exit_code == 0
    assert timeline.read_text().startswith("<svg") and body.read_text().startswith("<svg")
    assert run("delete", "3", "--yes").exit_code == 0
    assert run("delete", "3", "--yes").exit_code == 1
    assert len(run("list", "--json").output.splitlines()) == 11


def test_import_csv_into_a_fresh_profile(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        run("add", "-r", "hand", "--when", "2026-03-01T10:00:00+00:00", "--note", "weak grip").exit_code == 0
    )
    csv_out = home / "x.csv"
    assert run("export", "-f", "csv", "-o", str(csv_out)).exit_code == 0
    monkeypatch.setenv("TWITCHCHECK_DATA_DIR", str(tmp_path / "other"))
    r = run("import", str(csv_out))
    assert r.exit_code == 0 and "Imported 1 entries" in r.output
    entry = json.loads(run("list", "--json").output)
    assert entry["regions"] == ["loc_hand"] and entry["note"] == "weak grip"
    bad = home / "bad.json"
    bad.write_text('[{"when": "2026-03-01T10:00:00Z", "stress": 99}]')
    r = run("import", str(bad))
    assert r.exit_code == 2 and "entry 1: stress" in r.output
