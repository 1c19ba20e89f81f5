"""Free-text extraction measured against the hand-annotated set in tests/data/text_annotations.jsonl.

Each line: {"id", "audience", "text", "expected": {finding_id: "present" | "absent" | graded state id}}.
``expected`` lists every finding a careful clinician would code from the text with the vocabulary in
knowledge/data/findings/ (age and sex are left out; they are tested elsewhere). Annotation conventions:

* Any muscle twitching, flickering, jumping or fasciculation (eyelid included) -> ``fasciculations``;
  ``loc_*`` marks where twitching, cramps, spasms, jerks, tetany or rippling happen (not weakness or
  stiffness); generic "legs" gets no ``loc_*``.
* ``twitch_spread``: "all over / everywhere / whole body / generalised" -> widespread; twitching in two
  or more distinct body regions -> several_sites; "only one spot" -> one_site. ``one_sided`` only when
  the text says the symptoms are on one side (e.g. arm and leg on the left), not for a single limb.
* Implied findings are coded too: weakness_progressive/rapid/one_side, weakness_proximal and weak_grip
  imply ``weakness``; weakness_progressive implies ``progressive``; weakness_one_side implies
  ``one_sided``; severe_headache -> headache; cramp_prolonged -> cramps; seizure_prolonged -> seizure;
  perioral_tingling, distal_sensory_loss and saddle_numbness -> numbness_tingling; hx_diabetes ->
  hx_stroke_risk; long-term heavy drinking -> heavy_alcohol and hx_liver_disease; "since childhood /
  birth" -> twitch_duration years.
* Negation covers only what is named ("no weakness" -> weakness absent, nothing more); lists
  ("no weakness, cramps or numbness") negate every item; "no clonus" -> clonus_beats none.
* Condition names in fears, questions or relatives' histories are not findings ("could this be MS?",
  "my mum has MS" -> nothing); a close relative with ALS/MND -> fh_als; the patient's own diagnosis
  -> hx_*. A resolved past episode (e.g. vision loss that recovered) -> previous_episode only.
* Durations (of the twitching or other motor complaint) map to twitch_duration by days: days < 14 <=
  weeks < 90 <= months < 365 <= years (a month = 30 days, "2/52" = 2 weeks, "3/12" = 3 months).
  A time from now ("review in 2/52", "exams in 3 weeks") is no duration. An onset at a child's age
  ("since I was 8", "from the age of 4"; under 16) -> since_childhood and twitch_duration years.
* ``assessed_normal``: the person reports an earlier assessment with normal results ("a neurologist
  checked me, reflexes normal"); a check alone, one that found something abnormal, or a clinician's
  own examination in a note is not coded.
* Weight lost, with or without a number ("lost 8 kg", "dropped 10 pounds") -> weight_loss.
* Lab values map to graded states by the bounds of each finding, converting units (e.g. Ca mg/dL x
  0.2495, Mg mg/dL x 0.4114, phosphate mg/dL x 0.3229, PTH pmol/L x 9.43, B12 pmol/L x 1.355,
  vitamin D ng/mL x 2.496, free T4 ng/dL x 12.87); lower bounds are inclusive.

Scoring: micro precision/recall/F1 over (finding, state) pairs; a wrong state counts as one false
positive and one false negative. The negated score restricts both sides to pairs with state "absent".
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from twitchcheck.blind import Counts as ScoreCounts

ROOT = Path(__file__).resolve().parents[2]
ANNOTATIONS = ROOT / "tests" / "data" / "text_annotations.jsonl"
FINDINGS_DIR = ROOT / "src" / "twitchcheck" / "knowledge" / "data" / "findings"
DEMOGRAPHIC = {"age_band", "sex"}
F1_OVERALL = 0.95
F1_NEGATED = 0.95

Pair = tuple[str, str]


def load_annotations() -> list[dict[str, Any]]:
    return [json.loads(line) for line in ANNOTATIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def vocabulary() -> dict[str, set[str]]:
    states: dict[str, set[str]] = {}
    for path in sorted(FINDINGS_DIR.glob("*.yaml")):
        for finding in yaml.safe_load(path.read_text(encoding="utf-8"))["findings"]:
            if finding["type"] == "binary":
                states[finding["id"]] = {"present", "absent"}
            else:
                states[finding["id"]] = {s["id"] for s in finding["states"]}
    return states


def test_annotation_file_is_well_formed() -> None:
    rows = load_annotations()
    assert len(rows) >= 240
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    vocab = vocabulary()
    problems = []
    for r in rows:
        assert set(r) == {"id", "audience", "text", "expected"}, r["id"]
        assert r["audience"] in {"patient", "clinician"}, r["id"]
        for finding, state in r["expected"].items():
            if finding in DEMOGRAPHIC:
                problems.append(f"{r['id']}: {finding} is demographic")
            elif finding not in vocab:
                problems.append(f"{r['id']}: unknown finding {finding}")
            elif state not in vocab[finding]:
                problems.append(f"{r['id']}: {finding} has no state {state!r}")
    assert not problems, problems
    negated = sum(state == "absent" for r in rows for state in r["expected"].values())
    assert negated >= 80


class Counts(ScoreCounts):
    """The blind set's precision/recall counts, filled from sets of (finding, state) pairs."""

    def add(self, predicted: set[Pair], expected: set[Pair]) -> None:
        self.tp += len(predicted & expected)
        self.fp += len(predicted - expected)
        self.fn += len(expected - predicted)

    def line(self, name: str) -> str:
        return (
            f"{name:<10} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
            f"(tp={self.tp} fp={self.fp} fn={self.fn})"
        )


def absent_only(pairs: Iterable[Pair]) -> set[Pair]:
    return {p for p in pairs if p[1] == "absent"}


def error_table(per_finding: dict[str, Counter[str]], examples: dict[str, list[str]]) -> str:
    lines = [f"{'finding':<28} {'tp':>4} {'fp':>4} {'fn':>4}  examples of errors"]
    ranked = sorted(per_finding.items(), key=lambda kv: -(kv[1]["fp"] + kv[1]["fn"]))
    for finding, c in ranked:
        if not c["fp"] and not c["fn"]:
            continue
        shown = "; ".join(examples[finding][:3])
        lines.append(f"{finding:<28} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4}  {shown}")
    return "\n".join(lines)


def test_extraction_matches_annotations() -> None:
    from twitchcheck.knowledge import load_kb
    from twitchcheck.text import extract

    kb = load_kb()
    overall, negated = Counts(), Counts()
    per_finding: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for row in load_annotations():
        extraction = extract(row["text"], kb)
        predicted: set[Pair] = {
            (m.finding, m.state) for m in extraction.mentions if m.finding not in DEMOGRAPHIC
        }
        expected: set[Pair] = set(row["expected"].items())
        overall.add(predicted, expected)
        negated.add(absent_only(predicted), absent_only(expected))
        for finding, _state in predicted & expected:
            per_finding[finding]["tp"] += 1
        for finding, state in predicted - expected:
            per_finding[finding]["fp"] += 1
            examples[finding].append(f"{row['id']} +{state}")
        for finding, state in expected - predicted:
            per_finding[finding]["fn"] += 1
            examples[finding].append(f"{row['id']} -{state}")
    report = "\n".join([overall.line("overall"), negated.line("negated"), error_table(per_finding, examples)])
    print(report)
    assert overall.f1 >= F1_OVERALL, report
    assert negated.f1 >= F1_NEGATED, report
