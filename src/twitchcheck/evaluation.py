"""Evaluation harness: run vignettes through ``assess`` and score diagnosis, triage and calibration.

Vignette file: JSON Lines, one object per line with the fields of :class:`Vignette` (the format of
``shared/vignettes/public.jsonl``). Blank lines and lines starting with ``#`` are skipped.

Metrics (see :meth:`EvalReport.summary`):

* ``top1`` / ``top3``: share of vignettes whose first (any of the first three) ranked conditions is in
  ``acceptable``.
* ``triage_accuracy``: share whose triage level is in ``triage_acceptable``.
* ``under_triage`` / ``over_triage``: share whose level is below every / above every acceptable level
  (order self_care < routine < urgent < emergency).
* ``emergency_under_triage``: COUNT of vignettes with gold triage ``emergency`` assessed below emergency
  (the safety floor; should be 0).
* ``brier``: multi-class Brier score, averaged over vignettes. For one vignette it is
  ``sum_c (p_c - y_c)^2`` over every condition in the differential plus the "other cause" leak
  (``y_c`` = 1 only for the gold condition, 0 otherwise, so the leak always counts as wrong).
  0 is perfect, 2 is the worst possible; always predicting the uniform distribution over 34 classes
  scores about 0.97.
* ``mean_ms``: mean wall-clock time of one ``assess`` call in milliseconds, after one untimed warm-up call
  (the text pipeline loads once per process).

Interviews (:func:`evaluate_interview`) add ``questions_median`` / ``questions_p90`` (questions asked per
vignette), ``questions_answered_share`` (share of them the simulated patient could answer) and the
``full_info_*`` metrics of the same vignettes assessed from their whole text.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from twitchcheck.knowledge.schema import Level, LevelName

if TYPE_CHECKING:
    from twitchcheck.pipeline import QuestionOut

AssessFn = Callable[..., Any]
Progress = Callable[[int, int], None]
RELIABILITY_BINS = 10


class VignetteError(ValueError):
    """A vignette file or line is malformed; the message names the file, line and field."""


class Vignette(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    age: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["male", "female"] | None = None
    audience: Literal["patient", "clinician"]
    text: str = Field(min_length=1)
    gold: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    acceptable: list[str] = Field(min_length=1)
    triage: LevelName
    triage_acceptable: list[LevelName] = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Vignette:
        if self.gold not in self.acceptable:
            raise ValueError(f"gold {self.gold!r} must also be listed in acceptable")
        if self.triage not in self.triage_acceptable:
            raise ValueError(f"triage {self.triage!r} must also be listed in triage_acceptable")
        return self


class VignetteResult(BaseModel):
    id: str
    gold: str
    acceptable: list[str]
    predicted: list[str]  # top 3, most likely first
    p_gold: float
    level: LevelName
    triage: LevelName
    triage_acceptable: list[LevelName]
    top1_hit: bool
    top3_hit: bool
    triage_hit: bool
    under_triage: bool
    over_triage: bool
    brier: float
    ms: float
    probabilities: dict[str, float]  # every condition, plus "other" for the leak when reported


class EvalReport(BaseModel):
    rows: list[VignetteResult]

    def summary(self) -> dict[str, float | int]:
        n = len(self.rows)

        def share(flags: Iterable[bool]) -> float:
            return sum(flags) / n if n else 0.0

        return {
            "n": n,
            "top1": share(r.top1_hit for r in self.rows),
            "top3": share(r.top3_hit for r in self.rows),
            "triage_accuracy": share(r.triage_hit for r in self.rows),
            "under_triage": share(r.under_triage for r in self.rows),
            "emergency_under_triage": sum(
                r.triage == "emergency" and Level[r.level] < Level.emergency for r in self.rows
            ),
            "over_triage": share(r.over_triage for r in self.rows),
            "brier": sum(r.brier for r in self.rows) / n if n else 0.0,
            "mean_ms": sum(r.ms for r in self.rows) / n if n else 0.0,
        }


def _field_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(line)"
        parts.append(f"field {loc!r}: {err['msg']}")
    return "; ".join(parts)


def load_vignettes(path: str | Path) -> list[Vignette]:
    """Read and validate a vignette JSONL file. Raises :class:`VignetteError` naming line and field."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise VignetteError(f"{path}: cannot read: {exc.strerror or exc}") from None
    vignettes: list[Vignette] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise VignetteError(f"{path}:{number}: not valid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(data, dict):
            raise VignetteError(f"{path}:{number}: expected a JSON object, got {type(data).__name__}")
        try:
            vignette = Vignette.model_validate(data)
        except ValidationError as exc:
            raise VignetteError(f"{path}:{number}: {_field_errors(exc)}") from None
        if vignette.id in seen:
            raise VignetteError(
                f"{path}:{number}: field 'id': duplicate id {vignette.id!r} "
                f"(first on line {seen[vignette.id]})"
            )
        seen[vignette.id] = number
        vignettes.append(vignette)
    if not vignettes:
        raise VignetteError(f"{path}: no vignettes found")
    return vignettes


def _as_mapping(result: object) -> Mapping[str, Any]:
    """Accept an Assessment (anything with ``to_json``) or its JSON dict."""
    to_json = getattr(result, "to_json", None)
    data = to_json() if callable(to_json) else result
    if not isinstance(data, Mapping):
        raise TypeError(f"assess returned {type(result).__name__}; expected an Assessment or a dict")
    return data


def _default_assess() -> AssessFn:
    from twitchcheck import assess

    return assess


def score(vignette: Vignette, result: object, ms: float = 0.0, unknown_ok: bool = False) -> VignetteResult:
    """Score one assessment result against its vignette.

    A gold cause the knowledge base lacks is an error, or with ``unknown_ok`` a miss (blind sets are
    written against the causes people have, not the ones the base has).
    """
    data = _as_mapping(result)
    ranked = [(str(item["condition"]), float(item["probability"])) for item in data["differential"]]
    probabilities = dict(ranked)
    known = set(probabilities)
    unknown = sorted({vignette.gold, *vignette.acceptable} - known)
    if unknown and not unknown_ok:
        raise VignetteError(f"vignette {vignette.id}: condition id(s) not in the differential: {unknown}")
    probabilities.setdefault(vignette.gold, 0.0)
    if data.get("other_cause_probability") is not None:
        probabilities["other"] = float(data["other_cause_probability"])
    level: LevelName = data["triage"]["level"]
    got = Level.parse(level)
    allowed = [Level.parse(x) for x in vignette.triage_acceptable]
    predicted = [cid for cid, _ in ranked[:3]]
    brier = sum((p - (1.0 if cid == vignette.gold else 0.0)) ** 2 for cid, p in probabilities.items())
    return VignetteResult(
        id=vignette.id,
        gold=vignette.gold,
        acceptable=list(vignette.acceptable),
        predicted=predicted,
        p_gold=probabilities[vignette.gold],
        level=level,
        triage=vignette.triage,
        triage_acceptable=list(vignette.triage_acceptable),
        top1_hit=bool(predicted) and predicted[0] in vignette.acceptable,
        top3_hit=any(cid in vignette.acceptable for cid in predicted),
        triage_hit=got in allowed,
        under_triage=got < min(allowed),
        over_triage=got > max(allowed),
        brier=brier,
        ms=ms,
        probabilities=probabilities,
    )


def evaluate(
    vignettes: Sequence[Vignette],
    assess_fn: AssessFn | None = None,
    progress: Progress | None = None,
    reference: datetime | None = None,
    unknown_ok: bool = False,
) -> EvalReport:
    """Run every vignette through ``assess_fn(text=, age=, sex=)`` (default: ``twitchcheck.assess``).

    Relative times ("since sunday") are read against the vignette's ``written_at`` when it has one,
    else ``reference`` (when given).
    """
    fn = assess_fn or _default_assess()
    rows: list[VignetteResult] = []
    if vignettes:  # load models once outside the timing, so mean_ms is the per-assessment cost
        fn(text=vignettes[0].text, age=vignettes[0].age, sex=vignettes[0].sex)
    for done, vignette in enumerate(vignettes, start=1):
        when = getattr(vignette, "written_at", None) or reference
        extra = {"reference": when} if when is not None else {}
        start = time.perf_counter()
        result = fn(text=vignette.text, age=vignette.age, sex=vignette.sex, **extra)
        ms = (time.perf_counter() - start) * 1000.0
        rows.append(score(vignette, result, ms, unknown_ok))
        if progress is not None:
            progress(done, len(vignettes))
    return EvalReport(rows=rows)


def render_text(report: EvalReport) -> str:
    """A plain-text summary plus one line per vignette (misses marked)."""
    s = report.summary()
    lines = [
        f"n={s['n']}  top1={s['top1']:.1%}  top3={s['top3']:.1%}  triage={s['triage_accuracy']:.1%}  "
        f"under={s['under_triage']:.1%}  over={s['over_triage']:.1%}  "
        f"emergency_under_triage={s['emergency_under_triage']}  brier={s['brier']:.3f}  "
        f"mean_ms={s['mean_ms']:.1f}",
        "",
        f"{'id':<6} {'gold':<30} {'p_gold':>6}  {'top3 predicted':<70} {'triage (gold)':<28}",
    ]
    for r in report.rows:
        mark = "" if r.top3_hit else " x"
        tri = f"{r.level} ({r.triage})" + ("" if r.triage_hit else (" UNDER" if r.under_triage else " OVER"))
        lines.append(f"{r.id:<6} {r.gold:<30} {r.p_gold:>6.3f}  {', '.join(r.predicted):<70} {tri:<28}{mark}")
    return "\n".join(lines)


def _reliability(report: EvalReport, bins: int) -> list[tuple[float, float, int]]:
    """(mean predicted, observed frequency, count) per non-empty probability bin, over all condition pairs."""
    sums = [[0.0, 0.0, 0] for _ in range(bins)]
    for r in report.rows:
        for cid, p in r.probabilities.items():
            if cid == "other":
                continue
            b = min(int(p * bins), bins - 1)
            sums[b][0] += p
            sums[b][1] += 1.0 if cid == r.gold else 0.0
            sums[b][2] += 1
    return [(sp / int(c), so / int(c), int(c)) for sp, so, c in sums if c]


def write_plots(report: EvalReport, directory: str | Path) -> list[Path]:
    """Write confusion_matrix.png (gold vs top-1) and reliability.png (calibration) into ``directory``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    ids = sorted({r.gold for r in report.rows} | {r.predicted[0] for r in report.rows if r.predicted})
    index = {cid: i for i, cid in enumerate(ids)}
    matrix = [[0] * len(ids) for _ in ids]
    for r in report.rows:
        if r.predicted:
            matrix[index[r.gold]][index[r.predicted[0]]] += 1
    size = max(6.0, 0.32 * len(ids) + 3)
    fig, ax = plt.subplots(figsize=(size, size))
    peak = max((c for row in matrix for c in row), default=1)
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=max(peak, 1))
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                ax.text(
                    j,
                    i,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if count > peak / 2 else "black",
                )
    ax.set_xticks(range(len(ids)), ids, rotation=90, fontsize=7)
    ax.set_yticks(range(len(ids)), ids, fontsize=7)
    ax.set_xlabel("top-1 predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"Confusion matrix (n={len(report.rows)})")
    fig.tight_layout()
    path = out / "confusion_matrix.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    written.append(path)

    points = _reliability(report, RELIABILITY_BINS)
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    if points:
        xs, ys, counts = zip(*points, strict=True)
        ax.plot(xs, ys, marker="o", label="conditions (all vignettes)")
        for x, y, c in points:
            ax.annotate(f"n={c}", (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability of a condition (binned)")
    ax.set_ylabel("observed frequency (condition is the gold one)")
    ax.set_title(f"Reliability, {RELIABILITY_BINS} bins; Brier {report.summary()['brier']:.3f}")
    ax.legend(loc="upper left")
    fig.tight_layout()
    path = out / "reliability.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    written.append(path)
    return written


class InterviewEvalReport(BaseModel):
    """Simulated-patient interviews, with the full-information run of the same vignettes beside them."""

    interview: EvalReport
    full_info: EvalReport
    questions: list[int]
    answered: list[int] = Field(default_factory=list, description="questions that got a real answer")
    stop_reasons: list[str] = Field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        ordered = sorted(self.questions)
        n = len(ordered)
        full = self.full_info.summary()
        return {
            **self.interview.summary(),
            "questions_median": float(ordered[(n - 1) // 2] + ordered[n // 2]) / 2 if n else 0.0,
            "questions_p90": float(ordered[min(n - 1, int(0.9 * n))]) if n else 0.0,
            "questions_answered_share": sum(self.answered) / sum(ordered) if sum(ordered) else 0.0,
            "full_info_top1": full["top1"],
            "full_info_triage_accuracy": full["triage_accuracy"],
            "full_info_emergency_under_triage": full["emergency_under_triage"],
        }


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def _simulated_answer(question: QuestionOut, knows: Mapping[str, str]) -> str | list[str]:
    """What the simulated patient says: what its text says, 'unknown' otherwise; on a checklist it ticks
    the items its text says are present."""
    if question.type == "checklist":
        return [o.value for o in question.options if knows.get(o.value) == "present"]
    return knows.get(question.finding, "unknown")


def evaluate_interview(
    vignettes: Sequence[Vignette], progress: Progress | None = None
) -> InterviewEvalReport:
    """Each simulated patient knows what its full text says and answers 'unknown' to everything else;
    the interview starts from the first sentence only."""
    from twitchcheck import assess
    from twitchcheck.engine.evidence import UNKNOWN
    from twitchcheck.knowledge import load_kb
    from twitchcheck.pipeline import answer_interview, gather, start_interview

    kb = load_kb()
    rows, full_rows, questions, answered, reasons = [], [], [], [], []
    for done, vignette in enumerate(vignettes, start=1):
        start = time.perf_counter()
        full = assess(text=vignette.text, age=vignette.age, sex=vignette.sex)
        full_rows.append(score(vignette, full, (time.perf_counter() - start) * 1000.0))
        knows = {o.finding: o.state for o in gather(kb, vignette.text, None, vignette.age, vignette.sex)}
        mode: Literal["lay", "clinician"] = "clinician" if vignette.audience == "clinician" else "lay"
        start = time.perf_counter()
        step = start_interview(first_sentence(vignette.text), vignette.age, vignette.sex, mode=mode)
        while step.question is not None:
            reply = _simulated_answer(step.question, knows)
            step = answer_interview(step.state, step.question.finding, reply)
        rows.append(score(vignette, step.assessment, (time.perf_counter() - start) * 1000.0))
        questions.append(step.asked)
        answered.append(
            sum(step.state.answers.get(f, UNKNOWN) != UNKNOWN for f in step.state.asked)
            + bool(step.state.ticked)
        )
        reasons.append(step.stop_reason or "")
        if progress is not None:
            progress(done, len(vignettes))
    return InterviewEvalReport(
        interview=EvalReport(rows=rows),
        full_info=EvalReport(rows=full_rows),
        questions=questions,
        answered=answered,
        stop_reasons=reasons,
    )
