"""Reading measured blind: texts written by people who never saw the reader, with their findings.

A blind text is a vignette (see :mod:`twitchcheck.evaluation`) plus the findings its writer says it
states or denies, with the exact words. Three things are measured (``docs/blind-evaluation.md``):

* reading: precision, recall and F1 of (finding, state) pairs, overall and for every finding an
  emergency or urgent red-flag rule uses (a wrong state counts as one false positive and one
  false negative);
* triage agreement: the level from the writer's findings vs the level from the text, both through
  the same engine with the same age and sex, which separates reading errors from knowledge-base
  errors;
* the vignette metrics of :func:`twitchcheck.evaluation.evaluate`, with gold causes the knowledge
  base does not have counted as misses.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from twitchcheck.evaluation import Vignette, VignetteError
from twitchcheck.knowledge.loader import iter_leaves
from twitchcheck.knowledge.schema import Level, LevelName

if TYPE_CHECKING:
    from twitchcheck.knowledge import KnowledgeBase


class GoldFinding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    finding: str
    state: str
    span: str


class BlindText(Vignette):
    """A vignette with the writer's annotations; ``written_at`` anchors relative times."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    audience: Literal["patient", "clinician"] = "patient"
    writer: int | str
    persona: str
    written_at: datetime | None = None
    findings: list[GoldFinding] = Field(default_factory=list)


class Counts(BaseModel):
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


class TextResult(BaseModel):
    id: str
    gold: dict[str, str]
    read: dict[str, str]
    level_from_gold: LevelName
    level_from_text: LevelName
    triage: LevelName
    triage_acceptable: list[LevelName]


# The first writers' brief banded durations as under 1 week / 1-6 weeks / 6 weeks-1 year / over a
# year; the knowledge base bands them as under 2 weeks / 2 weeks-3 months / 3-12 months / over a
# year. A read state inside the writer's band counts as right.
_BAND_OVERLAP = {
    "twitch_duration": {
        "days": {"days"},
        "weeks": {"days", "weeks"},
        "months": {"weeks", "months"},
        "years": {"months", "years"},
    },
}


def same_state(finding: str, gold: str, read: str | None) -> bool:
    return read == gold or read in _BAND_OVERLAP.get(finding, {}).get(gold, ())


class ReadingReport(BaseModel):
    rows: list[TextResult]
    red_flag_findings: list[str]

    def counts(self, only: Iterable[str] | None = None) -> dict[str, Counts]:
        keep = set(only) if only is not None else None
        out: dict[str, Counts] = {}
        for row in self.rows:
            for fid in set(row.gold) | set(row.read):
                if keep is not None and fid not in keep:
                    continue
                c = out.setdefault(fid, Counts())
                gold, read = row.gold.get(fid), row.read.get(fid)
                if gold is not None and same_state(fid, gold, read):
                    c.tp += 1
                    continue
                if read is not None:
                    c.fp += 1
                if gold is not None:
                    c.fn += 1
        return out

    def summary(self) -> dict[str, Any]:
        per = self.counts()
        total = Counts(
            tp=sum(c.tp for c in per.values()),
            fp=sum(c.fp for c in per.values()),
            fn=sum(c.fn for c in per.values()),
        )
        flags = {fid: c for fid, c in per.items() if fid in set(self.red_flag_findings)}
        flag_total = Counts(
            tp=sum(c.tp for c in flags.values()),
            fp=sum(c.fp for c in flags.values()),
            fn=sum(c.fn for c in flags.values()),
        )
        n = len(self.rows)
        agree = sum(r.level_from_gold == r.level_from_text for r in self.rows)
        emergency = [r for r in self.rows if r.triage == "emergency"]
        return {
            "n": n,
            "overall": total.as_dict(),
            "red_flag_findings": flag_total.as_dict(),
            "per_red_flag_finding": {fid: flags[fid].as_dict() for fid in sorted(flags)},
            "triage_agreement_gold_vs_read": round(agree / n, 4) if n else 0.0,
            "emergency_under_triage_from_gold_findings": sum(
                Level[r.level_from_gold] < Level.emergency for r in emergency
            ),
            "emergency_under_triage_from_text": sum(
                Level[r.level_from_text] < Level.emergency for r in emergency
            ),
        }


def load_blind(path: str | Path) -> list[BlindText]:
    """Read a blind-set JSONL file; errors name the line and field."""
    path = Path(path)
    out: list[BlindText] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(BlindText.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise VignetteError(f"{path}:{number}: {exc}") from None
    return out


def is_blind_file(path: str | Path) -> bool:
    """A vignette file whose first row carries the writer's findings."""
    for line in Path(path).read_text("utf-8").splitlines():
        if line.strip():
            try:
                return "findings" in json.loads(line)
            except json.JSONDecodeError:
                return False
    return False


def red_flag_findings(kb: KnowledgeBase) -> list[str]:
    """Every finding an emergency or urgent red-flag rule looks at (asked for present or absent)."""
    found = {
        str(leaf["finding"])
        for flag in kb.red_flags
        if flag.level in ("emergency", "urgent")
        for leaf in iter_leaves(flag.when)
    }
    return sorted(found & set(kb.findings))


def brief_findings(path: str | Path) -> frozenset[str] | None:
    """The finding ids the writers were given (``<set>.brief/findings.md`` beside the set), if present.

    Findings added after a batch was written cannot be in its annotations, so reading them is
    neither right nor wrong for that batch.
    """
    brief = Path(path).with_suffix(".brief") / "findings.md"
    if not brief.exists():
        return None
    return frozenset(
        line[2:].split(" :: ", 1)[0]
        for line in brief.read_text("utf-8").splitlines()
        if line.startswith("- ")
    )


def evaluate_reading(
    texts: Sequence[BlindText],
    kb: KnowledgeBase,
    scored: frozenset[str] | None = None,
    readers: frozenset[str] | None = None,
) -> ReadingReport:
    """Read every text and run both the read and the gold findings through the engine; reading is
    scored on ``scored`` findings only (default: all); ``readers``: rules, learned or both (None)."""
    from twitchcheck.engine.triage import warning_findings
    from twitchcheck.pipeline import assess
    from twitchcheck.text import extract

    warning = warning_findings(kb)
    rows = []
    for t in texts:
        gold = {g.finding: g.state for g in t.findings if g.finding in kb.findings}
        extraction = (
            extract(t.text, kb, reference=t.written_at)
            if readers is None
            else extract(t.text, kb, reference=t.written_at, readers=readers)
        )
        # Scored as evidence: a warning sign only the learned reader saw is asked, not read.
        read = {
            m.finding: m.state
            for m in extraction.mentions
            if not (m.source == "learned" and m.state == "present" and m.finding in warning)
        }
        level_gold = assess(evidence=gold, age=t.age, sex=t.sex, kb=kb).triage.level
        level_text = assess(
            t.text, age=t.age, sex=t.sex, kb=kb, reference=t.written_at, readers=readers
        ).triage.level
        rows.append(
            TextResult(
                id=t.id,
                gold=gold,
                read={
                    k: v
                    for k, v in read.items()
                    if k not in ("age_band", "sex") and (scored is None or k in scored)
                },
                level_from_gold=level_gold,
                level_from_text=level_text,
                triage=t.triage,
                triage_acceptable=list(t.triage_acceptable),
            )
        )
    return ReadingReport(rows=rows, red_flag_findings=red_flag_findings(kb))


def render_reading(report: ReadingReport, worst: int = 15) -> str:
    s = report.summary()
    o, f = s["overall"], s["red_flag_findings"]
    lines = [
        f"reading: n={s['n']}  precision={o['precision']:.3f}  recall={o['recall']:.3f}  f1={o['f1']:.3f}",
        f"red-flag findings: precision={f['precision']:.3f}  recall={f['recall']:.3f}  f1={f['f1']:.3f}",
        "triage agreement (gold findings vs read text, same engine): "
        f"{s['triage_agreement_gold_vs_read']:.1%}",
        "emergencies under-triaged: from gold findings "
        f"{s['emergency_under_triage_from_gold_findings']}, "
        f"from text {s['emergency_under_triage_from_text']}",
        "",
        "lowest-recall red-flag findings (recall, tp/fn/fp):",
    ]
    per = sorted(s["per_red_flag_finding"].items(), key=lambda kv: (kv[1]["recall"], -kv[1]["fn"]))
    for fid, c in per[:worst]:
        lines.append(f"  {fid:<24} {c['recall']:.2f}  {c['tp']}/{c['fn']}/{c['fp']}")
    return "\n".join(lines)


def misses(report: ReadingReport) -> Counter[tuple[str, str]]:
    """(finding, "fn"/"fp") counts: where reading goes wrong most often."""
    out: Counter[tuple[str, str]] = Counter()
    for fid, c in report.counts().items():
        out[(fid, "fn")] += c.fn
        out[(fid, "fp")] += c.fp
    return out
