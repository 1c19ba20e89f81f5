"""``twitchcheck diary``: keep the diary from the command line, for one local person.

Uses the single-user profile "local" in the default SQLite file (or ``TWITCHCHECK_DATABASE_URL``).
Heavy imports happen inside the commands so the rest of the CLI starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from twitchcheck.cli.options import KbOption, open_kb

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from twitchcheck.diary.exports import ExportFormat
    from twitchcheck.diary.repository import NoteExtractor
    from twitchcheck.diary.retriage import RetriageResult

diary_app = typer.Typer(
    help="A twitching diary: record episodes and triggers over months, see the pattern, re-check triage.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)

# Tests swap in a fake note reader; None means twitchcheck.text.extract.
EXTRACTOR: NoteExtractor | None = None

LEVEL_STYLE = {
    "self_care": "green",
    "routine": "yellow",
    "urgent": "bold red",
    "emergency": "bold white on red",
}


def _fail(message: str | list[str], code: int = 2) -> typer.Exit:
    for line in [message] if isinstance(message, str) else message:
        err_console.print(f"[bold red]error:[/] {line}", highlight=False, markup=True)
    return typer.Exit(code)


@contextmanager
def _local() -> Iterator[tuple[Session, int]]:
    """A session on the local database and the local user's id."""
    from sqlalchemy.exc import SQLAlchemyError

    from twitchcheck.diary.accounts import get_or_create_local_user
    from twitchcheck.diary.db import Database, DatabaseError, database_url

    try:
        db = Database.open()
    except (SQLAlchemyError, DatabaseError, OSError) as exc:
        raise _fail(f"cannot open the diary database {_redact(database_url())}: {exc}") from None
    try:
        with db.session() as session:
            user = get_or_create_local_user(session)
            yield session, user.id
    finally:
        db.close()


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return "<database url>"


def parse_when(value: str | None) -> datetime:
    """ISO date or date-time; without a time zone it is local time; a bare date means noon."""
    if value is None or value.strip().lower() == "now":
        return datetime.now().astimezone()
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time(12)).astimezone()
        else:
            parsed = datetime.fromisoformat(text)
            parsed = parsed if parsed.tzinfo is not None else parsed.astimezone()
        parsed.astimezone(UTC)  # the diary stores UTC: 0001-01-01T00:00+14:00 has no UTC moment
    except ValueError:
        raise _fail(f"--when {value!r}: expected an ISO date or date-time, e.g. 2026-03-01T08:30") from None
    except OverflowError:
        raise _fail(f"{value!r}: out of range (in UTC it falls outside the years 1 to 9999)") from None
    return parsed


def _validation_failed(exc: Exception) -> typer.Exit:
    from pydantic import ValidationError

    from twitchcheck.diary.schemas import format_errors

    if isinstance(exc, ValidationError):
        return _fail(format_errors(exc))
    return _fail(str(exc))


def _print_retriage(result: RetriageResult, *, full: bool) -> None:
    style = LEVEL_STYLE.get(result.level, "bold")
    level = result.level.replace("_", " ")
    if result.rose:
        previous = (result.previous_level or "").replace("_", " ")
        body = "\n".join(f"\u2022 {line}" for line in result.reasons)
        console.print(
            Panel(
                f"{body}\n\n{result.advice}",
                title=f"[bold]Triage rose: {previous} \u2192 {level}[/]",
                border_style="red",
            )
        )
        return
    if not full:
        console.print(f"Diary triage: [{style}]{level}[/] (unchanged)." if not result.changes else
                      f"Diary triage: [{style}]{level}[/].")  # fmt: skip
        return
    console.print(f"Diary triage: [{style}]{level}[/]")
    console.print(result.advice)
    for line in result.reasons:
        console.print(f"  \u2022 {line}", highlight=False)
    if result.changes:
        console.print("[bold]Since the last check:[/]")
        for line in result.changes:
            console.print(f"  \u2022 {line}", highlight=False)
    console.print("[bold]Most likely causes:[/]")
    for item in result.top_conditions:
        console.print(f"  {item.probability:5.1%}  {item.lay_name}", highlight=False)


@diary_app.command("add")
def add(
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="Body region (loc_calf or calf); repeatable.")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", "-k", help="fasciculation, cramp, spasm, stiffness, ...")] = (
        "fasciculation"
    ),
    when: Annotated[str | None, typer.Option(help="ISO date/time (local if no zone); default now.")] = None,
    side: Annotated[str | None, typer.Option(help="left, right or both.")] = None,
    intensity: Annotated[int | None, typer.Option("--intensity", "-i", help="0-10.")] = None,
    count: Annotated[int | None, typer.Option("--count", "-n", help="How many twitches.")] = None,
    minutes: Annotated[float | None, typer.Option(help="How long, in minutes.")] = None,
    caffeine_cups: Annotated[
        float | None, typer.Option("--caffeine-cups", help="Cups of coffee/tea.")
    ] = None,
    caffeine_mg: Annotated[float | None, typer.Option("--caffeine-mg", help="Caffeine in mg.")] = None,
    alcohol: Annotated[float | None, typer.Option(help="Alcohol units.")] = None,
    sleep: Annotated[float | None, typer.Option(help="Hours slept last night.")] = None,
    stress: Annotated[int | None, typer.Option(help="Stress 0-10.")] = None,
    exercise: Annotated[float | None, typer.Option(help="Minutes of exercise.")] = None,
    exercised: Annotated[
        bool | None, typer.Option("--exercised/--no-exercise", help="Exercised today?")
    ] = None,
    medication: Annotated[str | None, typer.Option(help="Medicine started or changed (free text).")] = None,
    symptom: Annotated[
        list[str] | None, typer.Option("--symptom", "-s", help="New symptom id (weakness, dysphagia...).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Free note; findings in it are read and kept.")] = None,
    no_retriage: Annotated[bool, typer.Option("--no-retriage", help="Skip re-checking the triage.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entry and re-triage as JSON.")] = False,
    kb_path: KbOption = None,
) -> None:
    """Add an entry; then re-check the diary's triage and say so prominently if it rose."""
    from pydantic import ValidationError

    from twitchcheck.diary.repository import add_entry
    from twitchcheck.diary.retriage import retriage
    from twitchcheck.diary.schemas import new_entry

    data: dict[str, Any] = {
        "occurred_at": parse_when(when),
        "kind": kind,
        "side": side,
        "regions": region or [],
        "intensity": intensity,
        "count": count,
        "duration_minutes": minutes,
        "caffeine_cups": caffeine_cups,
        "caffeine_mg": caffeine_mg,
        "alcohol_units": alcohol,
        "sleep_hours": sleep,
        "stress": stress,
        "exercise_minutes": exercise,
        "exercised": exercised,
        "medications": medication,
        "symptoms": symptom or [],
        "note": note,
    }
    kb = open_kb(kb_path)
    try:
        entry = new_entry(kb, {k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        raise _validation_failed(exc) from None
    if (entry.note or entry.medications) and EXTRACTOR is None and not as_json:
        err_console.print("[dim]Reading the note (the first time takes a few seconds)...[/]")
    with _local() as (session, user_id):
        saved = add_entry(session, user_id, entry, kb=kb, extractor=EXTRACTOR)
        result = None if no_retriage else retriage(session, user_id, kb=kb)
    if as_json:
        payload = {
            "entry": saved.model_dump(mode="json"),
            "retriage": result.model_dump(mode="json") if result else None,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    console.print(f"Saved entry [bold]{saved.id}[/] ({saved.occurred_at:%Y-%m-%d %H:%M}).")
    for found in saved.note_findings:
        console.print(
            f"  read from the {found.field}: {found.finding} = {found.state} (\u201c{found.span}\u201d)"
        )
    if result is not None:
        _print_retriage(result, full=False)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@diary_app.command("list")
def list_(
    since: Annotated[str | None, typer.Option(help="From this date/time (inclusive).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date/time.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one entry per line.")] = False,
) -> None:
    """Show entries, newest first."""
    from twitchcheck.diary.repository import list_entries

    with _local() as (session, user_id):
        entries = list_entries(
            session,
            user_id,
            since=parse_when(since) if since else None,
            until=parse_when(until) if until else None,
            limit=limit,
        )
    if as_json:
        for entry in entries:
            typer.echo(entry.model_dump_json())
        return
    if not entries:
        console.print("No entries yet. Add one with: twitchcheck diary add --region calf --count 10")
        return
    table = Table(title="Diary entries", show_lines=False)
    for column in (
        "id",
        "when",
        "kind",
        "where",
        "int.",
        "count",
        "min",
        "caff.",
        "sleep",
        "stress",
        "symptoms",
    ):
        table.add_column(column)
    table.add_column("note", overflow="fold", max_width=40)
    for e in entries:
        caffeine = f"{e.caffeine_mg:g} mg" if e.caffeine_mg is not None else _cell(e.caffeine_cups)
        where = ", ".join(r.removeprefix("loc_") for r in e.regions) + (f" ({e.side})" if e.side else "")
        table.add_row(
            str(e.id), f"{e.occurred_at:%Y-%m-%d %H:%M}", e.kind, where, _cell(e.intensity), _cell(e.count),
            _cell(e.duration_minutes), caffeine, _cell(e.sleep_hours), _cell(e.stress), ", ".join(e.symptoms),
            (e.note or "")[:120],
        )  # fmt: skip
    console.print(table)


@diary_app.command("delete")
def delete(
    entry_id: Annotated[int, typer.Argument(help="The entry id (see 'diary list').")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete one entry."""
    from twitchcheck.diary.repository import NotFound, delete_entry

    if not yes and not typer.confirm(f"Delete entry {entry_id}?"):
        raise typer.Exit(1)
    with _local() as (session, user_id):
        try:
            delete_entry(session, user_id, entry_id)
        except NotFound:
            raise _fail(f"no entry {entry_id}", 1) from None
    console.print(f"Deleted entry {entry_id}.")


# The command line calls the zip download a bundle.
EXPORT_FORMATS: dict[str, ExportFormat] = {"json": "json", "csv": "csv", "bundle": "zip"}


@diary_app.command("export")
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json, csv or bundle (zip with SVG plots).")
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")
    ] = None,
    kb_path: KbOption = None,
) -> None:
    """Export everything: JSON (all data), CSV (entries) or a zip bundle with the plots."""
    from twitchcheck.diary.exports import export

    if fmt not in EXPORT_FORMATS:
        raise _fail(f"--format {fmt!r}: expected json, csv or bundle")
    if fmt == "bundle" and output is None:
        raise _fail("--format bundle writes a zip file: give --output FILE.zip")
    kb = open_kb(kb_path)
    with _local() as (session, user_id):
        content = export(session, user_id, EXPORT_FORMATS[fmt], kb)
    if output is None:
        assert isinstance(content, str)
        sys.stdout.write(content if content.endswith("\n") else content + "\n")
        return
    if isinstance(content, bytes):
        output.write_bytes(content)
    else:
        output.write_text(content, encoding="utf-8")
    err_console.print(f"Wrote {output}.")


@diary_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A JSON export, a JSON list of entries, or a CSV export.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="auto, json or csv.")] = "auto",
    keep_duplicates: Annotated[
        bool,
        typer.Option("--keep-duplicates", help="Also add entries already in the diary (same time and kind)."),
    ] = False,
    kb_path: KbOption = None,
) -> None:
    """Import entries (all or nothing; no limit on size, unlike the web API)."""
    from twitchcheck.diary.exports import ImportFailed, import_csv, import_json

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}") from None
    kind = fmt if fmt != "auto" else ("csv" if path.suffix.lower() == ".csv" else "json")
    if kind not in ("json", "csv"):
        raise _fail(f"--format {fmt!r}: expected auto, json or csv")
    kb = open_kb(kb_path)
    with _local() as (session, user_id):
        try:
            read = import_csv if kind == "csv" else import_json
            report = read(
                session, user_id, text, kb=kb, extractor=EXTRACTOR, skip_duplicates=not keep_duplicates,
                limits=None,
            )  # fmt: skip
        except ImportFailed as exc:
            raise _fail(str(exc)) from None
    console.print(f"Imported {report.added} entries; skipped {report.skipped} already in the diary.")


@diary_app.command("patterns")
def patterns(as_json: Annotated[bool, typer.Option("--json")] = False, kb_path: KbOption = None) -> None:
    """How long, how often, where, weakness, and your personal triggers."""
    from twitchcheck.diary.patterns import compute_patterns
    from twitchcheck.diary.repository import load_summary

    kb = open_kb(kb_path)
    with _local() as (session, user_id):
        found = compute_patterns(load_summary(session, user_id), kb)
    if as_json:
        typer.echo(json.dumps(found.to_json(), ensure_ascii=False))
        return
    if found.entries == 0:
        console.print("No entries yet.")
        return
    assert found.first is not None and found.last is not None
    console.print(
        f"[bold]{found.entries}[/] entries on {found.active_days} days, "
        f"{found.first:%Y-%m-%d} to {found.last:%Y-%m-%d} ({found.span_days:.0f} days)."
    )
    t = found.trend
    if t.slope_per_week is not None:
        console.print(
            f"Trend over {t.weeks} weeks: [bold]{t.direction}[/] "
            f"({t.slope_per_week:+.2f} twitches/day per week, 95% CI {t.ci_low:+.2f} to {t.ci_high:+.2f})."
        )
    else:
        console.print(f"Trend: {t.direction} ({t.weeks} weeks).")
    r = found.recent
    console.print(f"Lately: twitching logged on {r.active_days} of the last {r.window_days} days.")
    if found.regions:
        console.print("[bold]Where[/] (first seen):")
        for c in found.regions:
            console.print(
                f"  {c.first_seen:%Y-%m-%d}  {c.label} ({c.entries}){'  [yellow]new[/]' if c.new else ''}"
            )
    w = found.weakness
    console.print(f"[bold]Weakness:[/] {w.why}")
    console.print("[bold]Personal triggers:[/]")
    for a in found.triggers:
        mark = "[red]\u25cf[/]" if a.supports_trigger else "\u25cb"
        console.print(f"  {mark} {a.summary}", highlight=False)
    console.print(f"[dim]{found.caution}[/]")


@diary_app.command("retriage")
def retriage_cmd(
    age: Annotated[float | None, typer.Option(help="Age in years (default: from the profile).")] = None,
    sex: Annotated[str | None, typer.Option(help="male or female (default: from the profile).")] = None,
    always: Annotated[
        bool, typer.Option("--store", help="Store the result even if nothing changed.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    kb_path: KbOption = None,
) -> None:
    """Re-run the assessment on the diary's pattern and compare with the last stored result."""
    from twitchcheck.diary.retriage import retriage
    from twitchcheck.engine.evidence import EvidenceError

    kb = open_kb(kb_path)
    with _local() as (session, user_id):
        try:
            result = retriage(
                session, user_id, kb=kb, age=age, sex=sex, store="always" if always else "if_changed"
            )
        except EvidenceError as exc:
            raise _fail(str(exc)) from None
    if as_json:
        typer.echo(result.model_dump_json())
        return
    _print_retriage(result, full=True)


@diary_app.command("profile")
def profile(
    year_of_birth: Annotated[int | None, typer.Option(help="Year of birth (used for age).")] = None,
    sex: Annotated[str | None, typer.Option(help="male or female.")] = None,
) -> None:
    """Show or set the local profile used by the re-triage."""
    from pydantic import ValidationError

    from twitchcheck.diary.accounts import update_profile
    from twitchcheck.diary.schemas import ProfileUpdate

    changes = {k: v for k, v in {"year_of_birth": year_of_birth, "sex": sex}.items() if v is not None}
    try:
        update = ProfileUpdate.model_validate(changes)
    except ValidationError as exc:
        raise _validation_failed(exc) from None
    with _local() as (session, user_id):
        user = update_profile(session, user_id, update)
    console.print(f"Profile: year of birth {user.year_of_birth or 'not set'}, sex {user.sex or 'not set'}.")


@diary_app.command("plot")
def plot(
    timeline: Annotated[Path | None, typer.Option(help="Write the timeline SVG here.")] = None,
    body_map: Annotated[Path | None, typer.Option("--body-map", help="Write the body map SVG here.")] = None,
    kb_path: KbOption = None,
) -> None:
    """Write the timeline and body map as SVG files."""
    from twitchcheck.diary.plots import body_map_svg, timeline_svg
    from twitchcheck.diary.repository import load_summary

    if timeline is None and body_map is None:
        raise _fail("give --timeline FILE.svg and/or --body-map FILE.svg")
    kb = open_kb(kb_path)
    with _local() as (session, user_id):
        summary = load_summary(session, user_id)
    if timeline is not None:
        timeline.write_text(timeline_svg(summary), encoding="utf-8")
        err_console.print(f"Wrote {timeline}.")
    if body_map is not None:
        body_map.write_text(body_map_svg(summary, kb), encoding="utf-8")
        err_console.print(f"Wrote {body_map}.")
