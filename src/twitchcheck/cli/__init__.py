"""Command-line interface: a thin Typer layer over the Python API.

``twitchcheck assess``, ``interview``, ``eval``, ``serve`` and ``kb ...`` are here; ``twitchcheck diary ...``
is in :mod:`twitchcheck.cli.diary`; the ``--kb DIR`` option they share is in :mod:`twitchcheck.cli.options`.
``python -m twitchcheck.cli`` runs it too.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from twitchcheck.cli.diary import diary_app
from twitchcheck.cli.options import KbOption, open_kb
from twitchcheck.engine.evidence import EvidenceError
from twitchcheck.knowledge import KnowledgeBase, load_kb
from twitchcheck.knowledge.check import check_kb

__all__ = ["app"]

app = typer.Typer(
    help="twitchcheck: evidence-based assessment and triage of muscle twitching.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Inspect and validate the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(diary_app, name="diary")

console = Console()
err_console = Console(stderr=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _parse_evidence(pairs: list[str] | None) -> dict[str, str]:
    evidence: dict[str, str] = {}
    for pair in pairs or []:
        if pair.lstrip().startswith("{"):
            try:
                loaded = json.loads(pair)
            except json.JSONDecodeError as exc:
                raise _fail(f"--evidence is not valid JSON: {exc.msg}") from None
            if not isinstance(loaded, dict):
                raise _fail("--evidence JSON must be an object mapping finding ids to states")
            evidence.update({str(k): v for k, v in loaded.items()})
            continue
        finding, sep, state = pair.partition("=")
        if not sep:
            raise _fail(f"--evidence {pair!r}: expected FINDING=STATE, e.g. weakness=absent")
        evidence[finding.strip()] = state.strip()
    return evidence


@app.command()
def assess(
    text: Annotated[str | None, typer.Argument(help="What you are feeling, in your own words.")] = None,
    age: Annotated[float | None, typer.Option(help="Age in years.")] = None,
    sex: Annotated[str | None, typer.Option(help="male or female.")] = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option("--evidence", "-e", help="FINDING=STATE (repeatable) or a JSON object."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    batch: Annotated[
        Path | None,
        typer.Option(help="JSONL file of {id, age, sex, text, evidence}; one JSON result per line."),
    ] = None,
    kb_path: KbOption = None,
    clinician: Annotated[
        bool,
        typer.Option(
            "--clinician", help="Clinical names with ICD-10 codes, clinical labels and guideline numbers."
        ),
    ] = False,
) -> None:
    """Assess a description and/or answers: ranked causes, triage, reasons and next steps, in plain words
    (or for clinicians with --clinician)."""
    from twitchcheck.console import render_assessment
    from twitchcheck.pipeline import assess as run

    if batch is None and text is None and not evidence:
        raise _fail("give a description, --evidence, or --batch FILE")
    kb = open_kb(kb_path)
    if batch is not None:
        raise typer.Exit(_run_batch(batch, kb))
    try:
        result = run(text=text, evidence=_parse_evidence(evidence), age=age, sex=sex, kb=kb)
    except EvidenceError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        render_assessment(console, result, mode="clinician" if clinician else "lay")


def _ask_ticks(out: Console, count: int) -> list[int] | str:
    """A checklist answer: the numbers ticked (Enter alone for none), or 'b' / 'q'."""
    from rich.prompt import Prompt

    while True:
        raw = Prompt.ask("Numbers of all that apply, with spaces (Enter = none)", default="", console=out)
        words = raw.replace(",", " ").split()
        if words in (["b"], ["q"]):
            return words[0]
        if all(w.isdigit() and 1 <= int(w) <= count for w in words):
            return sorted({int(w) for w in words})
        out.print(f"[prompt.invalid]Please type numbers from 1 to {count}, b or q")


@app.command()
def interview(
    text: Annotated[str | None, typer.Argument(help="Optional opening description.")] = None,
    age: Annotated[float | None, typer.Option(help="Age in years.")] = None,
    sex: Annotated[str | None, typer.Option(help="male or female.")] = None,
    clinician: Annotated[
        bool, typer.Option("--clinician", help="Also ask exam and test questions; show clinical terms.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the transcript and result as JSON.")] = False,
    kb_path: KbOption = None,
) -> None:
    """Answer questions one at a time (numbers to choose, b = back, q = quit) until the result is settled."""
    from rich.prompt import Prompt

    from twitchcheck.console import render_assessment, render_question
    from twitchcheck.pipeline import answer_interview, back_interview, start_interview

    out = err_console if as_json else console
    kb = open_kb(kb_path)
    try:
        step = start_interview(text, age, sex, mode="clinician" if clinician else "lay", kb=kb)
    except EvidenceError as exc:
        raise _fail(str(exc)) from None
    transcript: list[dict[str, str | list[str]]] = []
    while step.question is not None:
        question = step.question
        render_question(out, question, step.asked, step.progress)
        if question.type == "checklist":
            picked = _ask_ticks(out, len(question.options))
        else:
            choices = [str(i) for i in range(1, len(question.options) + 1)] + ["b", "q"]
            picked = Prompt.ask("Your answer", choices=choices, show_choices=False, console=out)
        if picked == "q":
            raise typer.Exit(0)
        if picked == "b":
            if transcript:
                transcript.pop()
            step = back_interview(step.state, kb=kb)
            continue
        value: str | list[str]
        if isinstance(picked, list):
            value = [question.options[i - 1].value for i in picked]
        else:
            value = question.options[int(picked) - 1].value
        transcript.append({"finding": question.finding, "question": question.text, "answer": value})
        step = answer_interview(step.state, question.finding, value, kb=kb)
    assert step.assessment is not None
    if as_json:
        payload = {
            "transcript": transcript,
            "stop_reason": step.stop_reason,
            "assessment": step.assessment.to_json(),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        console.print(f"[dim]Interview finished: {step.stop_reason}.[/]")
        render_assessment(console, step.assessment, mode="clinician" if clinician else "lay")


_BATCH_KEYS = {"id", "age", "sex", "text", "evidence"}


def _run_batch(path: Path, kb: KnowledgeBase) -> int:
    from twitchcheck.pipeline import assess as run

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}") from None
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record: Any = None
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise EvidenceError("each line must be a JSON object")
            unknown = set(record) - _BATCH_KEYS
            if unknown:
                raise EvidenceError(f"unknown keys {sorted(unknown)}; allowed: {sorted(_BATCH_KEYS)}")
            result = run(
                text=record.get("text"),
                evidence=record.get("evidence"),
                age=record.get("age"),
                sex=record.get("sex"),
                id=_as_id(record.get("id")),
                kb=kb,
            )
            typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
        except (json.JSONDecodeError, EvidenceError) as exc:
            failures += 1
            rid = record.get("id") if isinstance(record, dict) else None
            typer.echo(json.dumps({"id": rid, "error": f"line {number}: {exc}"}))
            err_console.print(f"[red]line {number}:[/] {exc}", highlight=False)
    return 1 if failures else 0


def _as_id(value: Any) -> str | None:
    return None if value is None else str(value)


@app.command("eval")
def evaluate(
    path: Annotated[Path, typer.Argument(help="Vignettes, one JSON object per line (public.jsonl format).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object of metrics.")] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write confusion matrix and reliability PNGs here.")
    ] = None,
    interview_mode: Annotated[
        bool, typer.Option("--interview", help="Simulated-patient interviews from the first sentence.")
    ] = False,
    reference_date: Annotated[
        datetime | None,
        typer.Option(
            "--reference-date",
            help="When the texts were written, for relative times ('since sunday'); default now. "
            "A blind text's own written_at wins.",
        ),
    ] = None,
    readers: Annotated[
        str,
        typer.Option(
            help="Which readers read the texts: both (the product), rules or learned (to measure each)."
        ),
    ] = "both",
) -> None:
    """Score the system on vignettes: top-1/top-3, triage, under/over-triage, Brier, time.

    A blind set (rows with the writer's `findings`) also gets the reading table: precision, recall
    and F1 overall and per red-flag finding, and triage from the gold vs the read findings.
    """
    from rich.progress import Progress

    from twitchcheck import blind, evaluation
    from twitchcheck.pipeline import assess

    is_blind = path.exists() and blind.is_blind_file(path)
    if readers not in ("both", "rules", "learned"):
        raise _fail(f"--readers must be both, rules or learned, not {readers!r}")
    chosen = None if readers == "both" else frozenset({readers})
    try:
        vignettes: list[Any] = blind.load_blind(path) if is_blind else evaluation.load_vignettes(path)
    except evaluation.VignetteError as exc:
        raise _fail(str(exc)) from None
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("assessing vignettes", total=len(vignettes))

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done)

        summary: dict[str, Any]
        if interview_mode:
            interviewed = evaluation.evaluate_interview(vignettes, progress=advance)
            report, summary = interviewed.interview, dict(interviewed.summary())
        else:
            report = evaluation.evaluate(
                vignettes,
                progress=advance,
                reference=reference_date,
                unknown_ok=is_blind,
                assess_fn=None if chosen is None else partial(assess, readers=chosen),
            )
            summary = dict(report.summary())
    reading = (
        blind.evaluate_reading(vignettes, load_kb(), blind.brief_findings(path), chosen) if is_blind else None
    )
    if reading is not None:
        summary["reading"] = reading.summary()
    if plot is not None:
        evaluation.write_plots(report, plot)
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        console.print(evaluation.render_text(report), highlight=False, soft_wrap=True)
        if reading is not None:
            console.print(blind.render_reading(reading), highlight=False, soft_wrap=True)
        if interview_mode:
            console.print({k: v for k, v in summary.items() if k.startswith(("questions", "full_info"))})


@kb_app.command("check")
def kb_check(as_json: Annotated[bool, typer.Option("--json")] = False, kb_path: KbOption = None) -> None:
    """Validate the whole knowledge base; exit 1 with the file and field named on any problem."""
    report = check_kb(open_kb(kb_path))
    if as_json:
        typer.echo(json.dumps(report.summary()))
    else:
        s = report.summary()
        console.print(
            f"{s['conditions']} conditions, {s['findings']} findings, {s['red_flags']} red flags, "
            f"{s['sources']} sources; {s['numbers_published']} published and "
            f"{s['numbers_estimated']} estimated numbers."
        )
        for problem in report.problems:
            err_console.print(f"[red]problem:[/] {problem}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@kb_app.command("export")
def kb_export(
    as_json: Annotated[bool, typer.Option("--json", help="JSON (the only format).")] = True,
    kb_path: KbOption = None,
) -> None:
    """Print the whole knowledge base as one JSON object."""
    kb = open_kb(kb_path)
    data = {
        "conditions": [c.model_dump(mode="json") for c in kb.conditions.values()],
        "findings": [
            {**f.model_dump(mode="json"), "states": _states(f.state_ids, f.model_dump()["states"])}
            for f in kb.findings.values()
        ],
        "red_flags": [f.model_dump(mode="json") for f in kb.red_flags],
        "sources": [s.model_dump(mode="json") for s in kb.sources.values()],
        "triage_policy": kb.policy.model_dump(mode="json"),
    }
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def _states(state_ids: list[str], declared: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return declared or [{"id": s, "label": s} for s in state_ids]


@kb_app.command("show")
def kb_show(
    item_id: Annotated[str, typer.Argument(help="A condition or finding id.")], kb_path: KbOption = None
) -> None:
    """Show one condition or finding readably, for a clinician reviewer."""
    from twitchcheck.console import render_condition, render_finding

    kb = open_kb(kb_path)
    if item_id in kb.conditions:
        render_condition(console, kb, kb.conditions[item_id])
    elif item_id in kb.findings:
        render_finding(console, kb, kb.findings[item_id])
    else:
        raise _fail(f"no condition or finding with id {item_id!r}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="Log each request (off by default: URLs can hold answers).")
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            envvar="TWITCHCHECK_FORWARDED_ALLOW_IPS",
            help="Comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto headers are "
            "trusted (default: none; the headers are ignored).",
        ),
    ] = None,
    kb_path: KbOption = None,
) -> None:
    """Run the web app and JSON API (pages at /, API docs at /docs)."""
    from twitchcheck.web.server import process_limits, run

    kb = open_kb(kb_path)
    console.print(f"twitchcheck is running at http://{host}:{port} (Ctrl+C to stop)", highlight=False)
    console.print(process_limits(), highlight=False)
    run(host, port, kb, access_log=access_log, forwarded=forwarded_allow_ips)
