from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from twitchcheck.cli import app
from twitchcheck.knowledge import load_kb

runner = CliRunner()
MINI_KB = Path(__file__).resolve().parents[1] / "data" / "mini_kb"


def _json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_assess_json_from_evidence() -> None:
    result = runner.invoke(
        app,
        [
            "assess",
            "-e",
            "weakness=present",
            "-e",
            "twitch_duration=months",
            "--age",
            "61",
            "--sex",
            "male",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["triage"]["level"] in {"routine", "urgent", "emergency"}
    assert len(data["differential"]) == 48
    assert data["disclaimer"]


def test_assess_readable_output_has_safety_net_and_disclaimer() -> None:
    result = runner.invoke(app, ["assess", "-e", "loc_eyelid=present", "-e", "trigger_caffeine=present"])
    assert result.exit_code == 0, result.output
    assert "Get help sooner" in result.output
    assert "not a diagnosis" in result.output


def test_unknown_finding_is_a_clear_error_not_a_traceback() -> None:
    result = runner.invoke(app, ["assess", "-e", "wobbly_knees=present"])
    assert result.exit_code == 2
    assert "unknown finding id 'wobbly_knees'" in result.output
    assert "Traceback" not in result.output


def test_bad_state_and_bad_age_are_clear_errors() -> None:
    bad_state = runner.invoke(app, ["assess", "-e", "twitch_duration=forever"])
    assert bad_state.exit_code == 2 and "has no state 'forever'" in bad_state.output
    bad_age = runner.invoke(app, ["assess", "-e", "weakness=absent", "--age", "400"])
    assert bad_age.exit_code == 2 and "age must be" in bad_age.output


def test_batch_keeps_order_and_ids_and_reports_bad_lines(tmp_path: Path) -> None:
    batch = tmp_path / "cases.jsonl"
    lines = [
        {"id": "a", "age": 30, "sex": "female", "evidence": {"loc_eyelid": "present"}},
        {"id": "b", "evidence": {"nonsense": "present"}},
        {"id": 3, "evidence": {"fever": "present", "stiff_neck": "present", "confusion": "present"}},
    ]
    batch.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    result = runner.invoke(app, ["assess", "--batch", str(batch)])
    assert result.exit_code == 1
    rows = _json_lines(result.output)
    assert [r["id"] for r in rows] == ["a", "b", "3", None]
    assert "unknown finding id 'nonsense'" in str(rows[1]["error"])
    assert rows[2]["triage"]["level"] == "emergency"  # type: ignore[index]
    assert "line 4" in str(rows[3]["error"])


def test_kb_check_export_and_show() -> None:
    check = runner.invoke(app, ["kb", "check", "--json"])
    assert check.exit_code == 0, check.output
    summary = json.loads(check.output)
    assert summary["conditions"] == 48 and summary["findings"] >= 100 and summary["problems"] == []

    export = runner.invoke(app, ["kb", "export", "--json"])
    data = json.loads(export.output)
    assert set(data) >= {"conditions", "findings", "red_flags", "sources"}
    duration = next(f for f in data["findings"] if f["id"] == "twitch_duration")
    assert [s["id"] for s in duration["states"]] == ["days", "weeks", "months", "years"]
    assert all(
        "id" in item for key in ("conditions", "findings", "red_flags", "sources") for item in data[key]
    )

    show = runner.invoke(app, ["kb", "show", "als"])
    assert show.exit_code == 0 and "Amyotrophic" in show.output
    finding = runner.invoke(app, ["kb", "show", "clonus_beats"])
    assert finding.exit_code == 0 and "sustained" in finding.output
    missing = runner.invoke(app, ["kb", "show", "nope"])
    assert missing.exit_code == 2


def test_kb_option_picks_the_knowledge_base(tmp_path: Path) -> None:
    """`--kb DIR` checks, shows and assesses with another base (the packaged one was the only choice)."""
    check = runner.invoke(app, ["kb", "check", "--kb", str(MINI_KB), "--json"])
    assert check.exit_code == 0, check.output
    assert json.loads(check.output)["conditions"] == 3
    show = runner.invoke(app, ["kb", "show", "benign", "--kb", str(MINI_KB)])
    assert show.exit_code == 0 and "Benign fasciculations" in show.output
    exported = json.loads(runner.invoke(app, ["kb", "export", "--kb", str(MINI_KB)]).output)
    assert {c["id"] for c in exported["conditions"]} == {"benign", "meningitis", "motor_neuron"}
    result = runner.invoke(app, ["assess", "-e", "weakness=present", "--kb", str(MINI_KB), "--json"])
    assert result.exit_code == 0, result.output
    assert {d["condition"] for d in json.loads(result.output)["differential"]} == {
        "benign",
        "meningitis",
        "motor_neuron",
    }
    broken = tmp_path / "broken"
    shutil.copytree(MINI_KB, broken)
    (broken / "conditions" / "benign.yaml").write_text("id: benign\nname: [unclosed\n")
    failed = runner.invoke(app, ["kb", "check", "--kb", str(broken)])
    assert failed.exit_code == 1 and "benign.yaml" in failed.output and "Traceback" not in failed.output
    nowhere = runner.invoke(app, ["kb", "check", "--kb", str(tmp_path / "nowhere")])
    assert nowhere.exit_code == 1 and "not found" in nowhere.output


def test_interview_numbered_choices_back_and_json_transcript() -> None:
    # age band, sex, then answer "Don't know" (last option) until it stops; 'b' goes back once.
    answers = "2\n1\nb\n1\n" + "\n".join(["3"] * 40) + "\n"
    result = runner.invoke(app, ["interview", "--json"], input=answers)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.splitlines()[-1])
    assert payload["stop_reason"]
    assert payload["transcript"][0]["finding"] == "age_band"
    assert payload["assessment"]["triage"]["level"] in {"self_care", "routine", "urgent", "emergency"}


def test_interview_checklist_takes_several_numbers_and_back() -> None:
    # The checklist first (no symptom named): an out-of-range number is asked again, then cramps and
    # weakness; 'b' at the next question returns to the checklist, answered "none" with Enter.
    answers = "4 99\n4 11\nb\n\n" + "\n".join(["3"] * 40) + "\n"
    result = runner.invoke(app, ["interview", "I'm 30.", "--sex", "male", "--json"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Please type numbers from 1 to 36" in result.stderr
    assert "Also tick any of these you have now" in result.stderr
    payload = json.loads(result.stdout.splitlines()[-1])
    first = payload["transcript"][0]
    assert (first["finding"], first["answer"]) == ("main_symptoms", [])
    assert all(step["finding"] != "main_symptoms" for step in payload["transcript"][1:])


ALS_TEXT = (
    "Over 6 months my right hand has got weaker and I drop things. The muscle at the base of my thumb is "
    "wasting away, my arm twitches and my speech has become slurred."
)


def test_assess_prints_plain_words_unless_clinician() -> None:
    """Lay words by default, as the web page shows them; --clinician gives the clinical names with their
    ICD-10 codes and clinical finding labels, as the page's clinician switch does."""
    kb = load_kb()
    args = ["assess", ALS_TEXT, "--age", "61", "--sex", "male"]
    lay = runner.invoke(app, args, env={"COLUMNS": "200"})
    clinician = runner.invoke(app, [*args, "--clinician"], env={"COLUMNS": "200"})
    assert lay.exit_code == 0 and clinician.exit_code == 0, lay.output + clinician.output
    als = kb.conditions["als"]
    assert als.lay_name in lay.output and als.name not in lay.output
    assert als.name in clinician.output and f"ICD-10 {als.codes.icd10}" in clinician.output
    assert "ICD-10" not in lay.output
    assert re.search(r"about \d+ in 100", lay.output)  # natural frequencies beside percentages
    for finding in ("muscle_wasting", "slurred_speech"):
        label = kb.findings[finding].label
        assert label != kb.lay_label(finding)
        assert kb.lay_label(finding) in lay.output and label not in lay.output
        assert label in clinician.output
    assert "threshold" in clinician.output and "threshold" not in lay.output  # the raw posterior-mass reason
    assert "History to take" in clinician.output and "History to take" not in lay.output
