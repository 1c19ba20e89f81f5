"""Evaluation harness: metrics on hand-made results, file validation errors, plots, and the safety floor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from twitchcheck.evaluation import (
    EvalReport,
    InterviewEvalReport,
    Vignette,
    VignetteError,
    evaluate,
    evaluate_interview,
    first_sentence,
    load_vignettes,
    render_text,
    score,
    write_plots,
)
from twitchcheck.pipeline import assess

from .conftest import shared_file

DATA = Path(__file__).parent / "data"
EXTRA = DATA / "vignettes_extra.jsonl"
NEW_CONDITIONS = EXTRA.parent / "vignettes_new_conditions.jsonl"
CONDITIONS_DIR = (
    Path(__file__).resolve().parents[1] / "src" / "twitchcheck" / "knowledge" / "data" / "conditions"
)


def vignette(vid: str, gold: str, acceptable: list[str], triage: str, triage_ok: list[str]) -> Vignette:
    return Vignette.model_validate(
        {
            "id": vid,
            "age": 40,
            "sex": "female",
            "audience": "patient",
            "text": f"text of {vid}",
            "gold": gold,
            "acceptable": acceptable,
            "triage": triage,
            "triage_acceptable": triage_ok,
            "source": "hand-made test case",
        }
    )


def result(probs: dict[str, float], level: str, other: float | None = None) -> dict[str, Any]:
    ranked = sorted(probs.items(), key=lambda kv: -kv[1])
    out: dict[str, Any] = {
        "triage": {"level": level},
        "differential": [{"condition": c, "probability": p} for c, p in ranked],
    }
    if other is not None:
        out["other_cause_probability"] = other
    return out


# Four hand-made cases over conditions a, b, c, d (probabilities chosen so the metrics are easy to check).
CASES: list[tuple[Vignette, dict[str, Any]]] = [
    # top-1 hit; triage hit; leak 0.1 counts as a wrong class: brier .25+.09+.01+0+.01 = 0.36
    (
        vignette("V1", "a", ["a"], "routine", ["routine"]),
        result({"a": 0.5, "b": 0.3, "c": 0.1, "d": 0.0}, "routine", 0.1),
    ),
    # top-1 miss, top-3 hit; emergency under-triaged: brier .25+.64+.09+0 = 0.98
    (
        vignette("V2", "b", ["b"], "emergency", ["emergency"]),
        result({"a": 0.5, "c": 0.3, "b": 0.2, "d": 0.0}, "urgent"),
    ),
    # top-1 miss, top-3 hit via an acceptable alternative (b); triage in the acceptable range
    # brier .25+.09+.0225+.9025 = 1.265
    (
        vignette("V3", "c", ["c", "b"], "urgent", ["urgent", "emergency"]),
        result({"a": 0.5, "d": 0.3, "b": 0.15, "c": 0.05}, "emergency"),
    ),
    # top-3 miss; over-triage: brier .16+.09+.04+.81 = 1.10
    (
        vignette("V4", "d", ["d"], "self_care", ["self_care", "routine"]),
        result({"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}, "urgent"),
    ),
]


def fake_assess_factory() -> tuple[Any, list[dict[str, Any]]]:
    by_text = {v.text: r for v, r in CASES}
    calls: list[dict[str, Any]] = []

    def fake_assess(text: str | None = None, age: float | None = None, sex: str | None = None) -> Any:
        calls.append({"text": text, "age": age, "sex": sex})
        return by_text[text or ""]

    return fake_assess, calls


def test_metrics_on_hand_made_results() -> None:
    fake, calls = fake_assess_factory()
    seen: list[tuple[int, int]] = []
    report = evaluate([v for v, _ in CASES], assess_fn=fake, progress=lambda done, n: seen.append((done, n)))
    s = report.summary()
    assert s["n"] == 4
    assert s["top1"] == pytest.approx(0.25)
    assert s["top3"] == pytest.approx(0.75)
    assert s["triage_accuracy"] == pytest.approx(0.5)
    assert s["under_triage"] == pytest.approx(0.25)
    assert s["over_triage"] == pytest.approx(0.25)
    assert s["emergency_under_triage"] == 1
    assert s["brier"] == pytest.approx((0.36 + 0.98 + 1.265 + 1.10) / 4)
    assert s["mean_ms"] >= 0.0
    assert set(s) >= {
        "n",
        "top1",
        "top3",
        "triage_accuracy",
        "under_triage",
        "emergency_under_triage",
        "over_triage",
        "brier",
        "mean_ms",
    }
    assert calls[0] == {"text": "text of V1", "age": 40, "sex": "female"}
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]

    rows = {r.id: r for r in report.rows}
    assert rows["V2"].predicted == ["a", "c", "b"]
    assert rows["V2"].p_gold == pytest.approx(0.2)
    assert rows["V2"].under_triage and not rows["V2"].triage_hit
    assert rows["V3"].top3_hit and not rows["V3"].top1_hit and rows["V3"].triage_hit
    assert rows["V4"].over_triage and not rows["V4"].top3_hit
    assert rows["V1"].probabilities["other"] == pytest.approx(0.1)
    assert "V4" in render_text(report)


def test_accepts_assessment_objects_with_to_json() -> None:
    class FakeAssessment:
        def __init__(self, data: dict[str, Any]) -> None:
            self.data = data

        def to_json(self) -> dict[str, Any]:
            return self.data

    v, r = CASES[0]
    row = score(v, FakeAssessment(r))
    assert row.top1_hit and row.brier == pytest.approx(0.36)


def test_gold_missing_from_differential_is_an_error() -> None:
    v = vignette("V9", "zzz", ["zzz"], "routine", ["routine"])
    with pytest.raises(VignetteError, match="V9.*zzz"):
        score(v, result({"a": 1.0}, "routine"))


def test_report_round_trips_through_json() -> None:
    fake, _ = fake_assess_factory()
    report = evaluate([v for v, _ in CASES], assess_fn=fake)
    again = EvalReport.model_validate_json(report.model_dump_json())
    assert again.summary() == report.summary()


GOOD = {
    "id": "T001",
    "age": 30,
    "sex": None,
    "audience": "patient",
    "text": "eyelid twitch",
    "gold": "benign_fasciculations",
    "acceptable": ["benign_fasciculations"],
    "triage": "self_care",
    "triage_acceptable": ["self_care"],
    "source": "test",
}


def write_lines(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "v.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def with_(**changes: Any) -> str:
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...})


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (with_(triage=...), "'triage'"),
        (with_(triage="soon"), "'triage'"),
        (with_(audience="nurse"), "'audience'"),
        (with_(age=-3), "'age'"),
        (with_(sex="m"), "'sex'"),
        (with_(acceptable=[]), "'acceptable'"),
        (with_(gold="als"), "gold 'als' must also be listed in acceptable"),
        (with_(triage_acceptable=["routine"]), "triage_acceptable"),
        (with_(colour="blue"), "'colour'"),
        (with_(id="T000"), "duplicate id"),
    ],
)
def test_bad_lines_name_line_and_field(tmp_path: Path, bad_line: str, expected: str) -> None:
    first = with_(id="T000")
    path = write_lines(tmp_path, [first, "", "# comment", bad_line])
    with pytest.raises(VignetteError) as info:
        load_vignettes(path)
    message = str(info.value)
    assert f"{path}:4:" in message
    assert expected in message


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(VignetteError, match="no vignettes"):
        load_vignettes(write_lines(tmp_path, ["", "# nothing"]))
    with pytest.raises(VignetteError, match="cannot read"):
        load_vignettes(tmp_path / "missing.jsonl")


def test_vignette_files_are_valid() -> None:
    extra = load_vignettes(EXTRA)
    assert len(extra) >= 40
    path = shared_file("vignettes", "public.jsonl")
    if path is not None:
        public = load_vignettes(path)
        assert not {v.id for v in public} & {v.id for v in extra}


def test_extra_vignettes_cover_every_condition() -> None:
    """The cited case reports cover the first 33 conditions, the blind-written set the 15 added ones
    (three each, written by someone who had not read their knowledge-base files)."""
    extra = load_vignettes(EXTRA)
    added = load_vignettes(NEW_CONDITIONS)
    conditions = {p.stem for p in CONDITIONS_DIR.glob("*.yaml")}
    assert len(conditions) == 48
    for v in [*extra, *added]:
        assert set(v.acceptable) <= conditions, v.id
    assert {v.gold for v in extra} | {v.gold for v in added} == conditions
    gold = [v.gold for v in added]
    assert all(gold.count(c) >= 2 for c in set(gold)) and len(set(gold)) == 15


def test_write_plots(tmp_path: Path) -> None:
    fake, _ = fake_assess_factory()
    report = evaluate([v for v, _ in CASES], assess_fn=fake)
    paths = write_plots(report, tmp_path / "plots")
    assert sorted(p.name for p in paths) == ["confusion_matrix.png", "reliability.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def safety_vignettes() -> list[Vignette]:
    """The extra vignettes (in this repository) and the public ones (../shared, when present)."""
    public = shared_file("vignettes", "public.jsonl")
    return load_vignettes(EXTRA) + (load_vignettes(public) if public else [])


@pytest.mark.never_skip
def test_safety_floor_no_emergency_under_triage() -> None:
    """Public + extra vignettes through the real engine: no emergency may be triaged below emergency.

    Never skipped: if the engine, the reader or the base cannot load, this fails with that error."""
    vignettes = safety_vignettes()
    assert sum(v.triage == "emergency" for v in vignettes) >= 10
    report = evaluate(vignettes, assess_fn=assess)
    missed = [f"{r.id} ({r.gold}): {r.level}" for r in report.rows if r.triage == "emergency" != r.level]
    print(render_text(report))
    assert report.summary()["emergency_under_triage"] == 0, missed


def test_first_sentence_is_the_opening_only() -> None:
    assert first_sentence("I'm 28. Over the past year my speech has got slurred.") == "I'm 28."
    assert first_sentence("  60F, HTN, COPD. 1/7 fever 40 C.") == "60F, HTN, COPD."
    assert (
        first_sentence("My calf twitches, e.g. after runs. Else fine.")
        == "My calf twitches, e.g. after runs."
    )
    assert first_sentence("Why does it twitch? It started 2 days ago!") == "Why does it twitch?"
    assert first_sentence("one sentence without a stop") == "one sentence without a stop"


def test_interview_summary_on_hand_made_reports() -> None:
    fake, _ = fake_assess_factory()
    report = evaluate([v for v, _ in CASES], assess_fn=fake)
    interviewed = InterviewEvalReport(
        interview=report,
        full_info=report,
        questions=[20, 2, 6, 4],
        answered=[4, 1, 3, 2],
        stop_reasons=["limit", "settled", "settled", "settled"],
    )
    s = interviewed.summary()
    assert s["questions_median"] == 5.0
    assert s["questions_p90"] == 20.0
    assert s["questions_answered_share"] == pytest.approx(10 / 32)
    assert s["full_info_top1"] == s["top1"] == pytest.approx(0.25)
    assert s["full_info_emergency_under_triage"] == s["emergency_under_triage"] == 1
    restored = InterviewEvalReport.model_validate_json(interviewed.model_dump_json())
    assert restored.summary() == s


@pytest.mark.never_skip
def test_interview_safety_floor_no_emergency_under_triage() -> None:
    """Emergency vignettes interviewed from their first sentence, the patient answering only what the full
    text says: the interview must still end at emergency."""
    vignettes = [v for v in safety_vignettes() if v.triage == "emergency"]
    interviewed = evaluate_interview(vignettes)
    s = interviewed.summary()
    assert s["n"] == len(vignettes) >= 10
    assert all(0 <= a <= q <= 20 for a, q in zip(interviewed.answered, interviewed.questions, strict=True))
    assert all(interviewed.stop_reasons)
    missed = [f"{r.id} ({r.gold}): {r.level}" for r in interviewed.interview.rows if r.level != "emergency"]
    assert s["emergency_under_triage"] == 0, missed


def test_the_simulated_patient_ticks_only_what_its_text_says_is_present() -> None:
    from twitchcheck.evaluation import _simulated_answer
    from twitchcheck.pipeline import start_interview

    checklist = start_interview("I'm 30.", None, "female").question
    assert checklist is not None and checklist.type == "checklist"
    knows = {"cramps": "present", "weakness": "absent", "fever": "present", "reflexes": "brisk"}
    assert _simulated_answer(checklist, knows) == ["cramps", "fever"]
    assert _simulated_answer(checklist, {}) == []
    question = start_interview("my calf twitches", 30, "female").question
    assert question is not None and question.type != "checklist"
    first = question.options[0].value
    assert _simulated_answer(question, {question.finding: first}) == first
    assert _simulated_answer(question, knows | {question.finding: "unknown"}) == "unknown"
    assert _simulated_answer(question, {}) == "unknown"
