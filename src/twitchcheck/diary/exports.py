"""Everything a person has stored, out (JSON, CSV, a zip bundle with the pictures) and back in.

Imports run in one transaction: a file either goes in completely or not at all. Entries already in
the diary (same moment and kind) are skipped, so importing the same export twice adds nothing.
What one import may ask of a server is bounded (:data:`IMPORT_LIMITS`), checked on the whole file
before any note is read or any row written.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from twitchcheck import __version__
from twitchcheck.diary.accounts import get_user, list_api_tokens
from twitchcheck.diary.models import Entry
from twitchcheck.diary.patterns import compute_patterns
from twitchcheck.diary.repository import NoteExtractor, add_entries, list_entries, load_summary
from twitchcheck.diary.retriage import retriage_history
from twitchcheck.diary.schemas import (
    EntryBase,
    EntryCreate,
    EntryPublic,
    NoteFinding,
    format_errors,
    new_entry,
)
from twitchcheck.knowledge import KnowledgeBase

FORMAT = "twitchcheck-diary"
FORMAT_VERSION = 1
# The columns are the model's fields (the id first): a field added to the entry is exported and imported.
CSV_FIELDS = ("id", *(name for name in EntryPublic.model_fields if name != "id"))
LIST_FIELDS = EntryBase.fields_of("ids")  # joined with ';'
TEXT_FIELDS = EntryBase.fields_of("text")  # the person's own words: guarded against spreadsheet formulas
# What the diary sets itself (id, times, what was read from the note): never taken from a file as it is.
SERVER_FIELDS = tuple(name for name in EntryPublic.model_fields if name not in EntryBase.model_fields)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ExportFormat = Literal["json", "csv", "zip"]


class ImportFailed(ValueError):
    """The file cannot be imported; the message names the record and field, ``field`` is its dotted
    path in the export (``entries.2.intensity``, ``version``) or ``body`` for the file as a whole.
    ``status`` is the HTTP status that says why: 422 for content that is wrong, 413 for a file over
    the :class:`ImportLimits`."""

    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


SPLIT_ADVICE = (
    "please split it into smaller files (for example one per year) and import them one after another; "
    "entries already in the diary are skipped"
)


@dataclass(frozen=True)
class ImportLimits:
    """The most one import may ask of the server: ``entries`` in the file, and ``note_characters``
    of notes and medications to read (those that come without their ``note_findings``; a
    twitchcheck export has them, so its notes are not read and do not count)."""

    entries: int
    note_characters: int

    def check_entries(self, count: int, *, at_least: bool = False) -> None:
        if count > self.entries:
            has = f"more than {self.entries:,}" if at_least else f"{count:,}"
            raise ImportFailed(
                f"the file has {has} entries; at most {self.entries:,} are imported in one go: "
                + SPLIT_ADVICE,
                "entries",
                413,
            )

    def check_reading(self, characters: int) -> None:
        if characters > self.note_characters:
            raise ImportFailed(
                f"the notes to be read in this file come to {characters:,} characters; at most "
                f"{self.note_characters:,} characters of notes without their note_findings are read in one "
                "go: " + SPLIT_ADVICE,
                "entries",
                413,
            )


# What one import request may ask of a server (issue 13, finding 9: 16 MiB of body held about
# 400,000 small entries, or 3,300 notes of 5,000 characters to read, 4 to 7 minutes of one core).
# - 20,000 entries: ten years of five entries a day is 18,250. Checking and writing 20,000 takes
#   about 2 s on SQLite and 4 s on PostgreSQL on a 2-core machine. (A JSON export is about
#   0.9 KB per entry, so the 16 MiB import body holds about 18,000 exported entries; the CSV export,
#   about 0.3 KB per entry, holds all 20,000.)
# - 1,000,000 characters of notes to read: only notes without their findings are read (a file made
#   elsewhere, or edited); a twitchcheck export brings its findings and reads nothing. Room for ten
#   years of three notes a day of 90 characters. Reading costs about 0.4 ms a note and 15-37
#   microseconds a character, so one import reads for at most about 36 s of one core on a 2-core
#   machine (measured through this function: 20,000 notes of 50 characters, random new words 36 s,
#   the openings of people's messages 29 s; 200 notes of 5,000 characters of the slowest shape 26 s).
# The web API holds every import to these; the command line (the person's own machine) to none.
IMPORT_LIMITS = ImportLimits(entries=20_000, note_characters=1_000_000)


@dataclass(frozen=True)
class ImportReport:
    added: int
    skipped: int
    ids: list[int]


def export_data(session: Session, user_id: int, kb: KnowledgeBase) -> dict[str, Any]:
    """All of a person's data as one JSON-able object (no password hash, no token hashes), the
    patterns read with ``kb``."""
    user = get_user(session, user_id)
    entries = list_entries(session, user_id, newest_first=False)
    summary = load_summary(session, user_id)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "twitchcheck": __version__,
        "user": user.model_dump(mode="json", exclude={"id"}),
        "entries": [e.model_dump(mode="json") for e in entries],
        "retriage_history": [r.model_dump(mode="json") for r in retriage_history(session, user_id)],
        "api_tokens": [t.model_dump(mode="json") for t in list_api_tokens(session, user_id)],
        "patterns": compute_patterns(summary, kb).to_json(),
    }


def export_json(session: Session, user_id: int, kb: KnowledgeBase) -> str:
    return json.dumps(export_data(session, user_id, kb), ensure_ascii=False, indent=2)


def _csv_safe(value: str) -> str:
    """Stop spreadsheets from running a note as a formula (OWASP CSV injection advice)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def entries_to_csv(entries: list[EntryPublic]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        row = entry.model_dump(mode="json")
        for name in LIST_FIELDS:
            row[name] = ";".join(row[name])
        for name in TEXT_FIELDS:
            row[name] = _csv_safe(row[name]) if row[name] is not None else ""
        row["note_findings"] = (
            json.dumps(row["note_findings"], ensure_ascii=False) if row["note_findings"] else ""
        )
        writer.writerow({k: ("" if row[k] is None else row[k]) for k in CSV_FIELDS})
    return out.getvalue()


def export_csv(session: Session, user_id: int) -> str:
    """One row per entry; lists joined with ';', note findings as JSON."""
    return entries_to_csv(list_entries(session, user_id, newest_first=False))


def export_bundle(session: Session, user_id: int, kb: KnowledgeBase) -> bytes:
    """A zip: diary.json, entries.csv, timeline.svg, body_map.svg and a short README."""
    from twitchcheck.diary.plots import body_map_svg, timeline_svg

    summary = load_summary(session, user_id)
    files = {
        "diary.json": export_json(session, user_id, kb),
        "entries.csv": export_csv(session, user_id),
        "timeline.svg": timeline_svg(summary),
        "body_map.svg": body_map_svg(summary, kb),
        "README.txt": (
            "twitchcheck diary export\n\n"
            "diary.json    everything stored for this account (entries, re-triage history, patterns)\n"
            "entries.csv   the entries, one per row (open in a spreadsheet)\n"
            "timeline.svg  twitching per day with caffeine, alcohol, sleep, stress and exercise\n"
            "body_map.svg  where twitching was written down\n\n"
            "This is health information: keep it private. twitchcheck is not a diagnosis.\n"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def export(session: Session, user_id: int, fmt: ExportFormat, kb: KnowledgeBase) -> str | bytes:
    """One of the downloads by name: everything (json), the entries (csv), or both with the plots (zip)."""
    if fmt == "csv":
        return export_csv(session, user_id)
    return export_json(session, user_id, kb) if fmt == "json" else export_bundle(session, user_id, kb)


# ---------------------------------------------------------------------------------------------- import


def _parse_record(record: Any, index: int, kb: KnowledgeBase) -> tuple[EntryCreate, list[NoteFinding] | None]:
    where, path = f"entry {index + 1}", f"entries.{index}"
    if not isinstance(record, dict):
        raise ImportFailed(f"{where}: each entry must be an object", path)
    data = {k: v for k, v in record.items() if k not in SERVER_FIELDS}
    try:
        entry = new_entry(kb, data)
    except ValidationError as exc:
        first = exc.errors()[0]["loc"]
        field = f"{path}.{first[0]}" if first else path
        raise ImportFailed(f"{where}: " + "; ".join(format_errors(exc)), field) from None
    found = record.get("note_findings")
    notes: list[NoteFinding] | None = None
    if isinstance(found, list):
        notes = []
        for i, item in enumerate(found):
            try:
                notes.append(NoteFinding.model_validate(item))
            except ValidationError as exc:
                first = exc.errors()[0]["loc"]
                field = f"{path}.note_findings.{i}" + (f".{first[0]}" if first else "")
                problems = "; ".join(f"note_findings.{i}.{line}" for line in format_errors(exc))
                raise ImportFailed(f"{where}: {problems}", field) from None
    if notes is not None:
        for f in notes:
            text = entry.note if f.field == "note" else entry.medications
            if text is None or text[f.start : f.end] != f.span:
                notes = None  # stale findings: read the note again
                break
    if notes is None and entry.note is None and entry.medications is None:
        notes = []
    return entry, notes


def _existing_keys(session: Session, user_id: int) -> set[tuple[datetime, str]]:
    rows = session.execute(select(Entry.occurred_at, Entry.kind).where(Entry.user_id == user_id))
    return {(when, kind) for when, kind in rows}


def _to_read(entry: EntryCreate) -> int:
    """Characters :func:`twitchcheck.diary.repository.read_texts` would read for ``entry``."""
    return len(entry.note or "") + len(entry.medications or "")


def import_records(
    session: Session,
    user_id: int,
    records: list[Any],
    *,
    kb: KnowledgeBase,
    extractor: NoteExtractor | None = None,
    skip_duplicates: bool = True,
    limits: ImportLimits | None = IMPORT_LIMITS,
) -> ImportReport:
    """Check every record, leave out duplicates, read the notes that need reading, then write all of
    them in one transaction. ``limits`` (``None``: none) are checked before anything is read or written."""
    if limits is not None:
        limits.check_entries(len(records))
    parsed = [_parse_record(r, i, kb) for i, r in enumerate(records)]
    seen = _existing_keys(session, user_id) if skip_duplicates else set()
    keep: list[tuple[EntryCreate, list[NoteFinding] | None]] = []
    for entry, notes in parsed:
        key = (entry.occurred_at.astimezone(UTC), entry.kind)
        if skip_duplicates and key in seen:
            continue
        seen.add(key)
        keep.append((entry, notes))
    if limits is not None:
        limits.check_reading(sum(_to_read(entry) for entry, notes in keep if notes is None))
    session.rollback()  # end the read before the (slow) note reading
    ids = add_entries(
        session,
        user_id,
        [e for e, _ in keep],
        kb=kb,
        extractor=extractor,
        note_findings=[n for _, n in keep],
    )
    return ImportReport(added=len(ids), skipped=len(parsed) - len(keep), ids=ids)


def import_json(
    session: Session,
    user_id: int,
    payload: str | bytes | dict[str, Any] | list[Any],
    *,
    kb: KnowledgeBase,
    extractor: NoteExtractor | None = None,
    skip_duplicates: bool = True,
    limits: ImportLimits | None = IMPORT_LIMITS,
) -> ImportReport:
    """Import a twitchcheck JSON export (or a bare list of entries)."""
    try:
        data = json.loads(payload) if isinstance(payload, str | bytes) else payload
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise ImportFailed("not readable: nested too deeply") from None
    except UnicodeDecodeError:
        raise ImportFailed("not UTF-8 text") from None
    if isinstance(data, dict):
        if data.get("format") not in (None, FORMAT):
            raise ImportFailed(f"not a {FORMAT} file (format {data.get('format')!r})", "format")
        version = data.get("version", FORMAT_VERSION)
        if isinstance(version, float) and version.is_integer():
            version = int(version)
        if isinstance(version, bool) or not isinstance(version, int):
            raise ImportFailed("version: must be a whole number", "version")
        if version > FORMAT_VERSION:
            raise ImportFailed(
                f"file version {version} is newer than this twitchcheck understands", "version"
            )
        records = data.get("entries")
    else:
        records = data
    if not isinstance(records, list):
        raise ImportFailed("expected a list of entries (or an export with an 'entries' list)", "entries")
    return import_records(
        session, user_id, records, kb=kb, extractor=extractor, skip_duplicates=skip_duplicates, limits=limits
    )


def csv_records(text: str, limits: ImportLimits | None = None) -> list[dict[str, Any]]:
    """The rows of an export's CSV as records; with ``limits``, stops at the first row over them."""
    try:
        return _csv_records(text, limits)
    except csv.Error as exc:  # the csv module's own complaint, e.g. a bare carriage return in a field
        raise ImportFailed(f"not a readable CSV file ({exc})") from None


def _csv_records(text: str, limits: ImportLimits | None) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    records: list[dict[str, Any]] = []
    missing = {"occurred_at"} - set(reader.fieldnames or [])
    if missing:
        raise ImportFailed(f"CSV header lacks {sorted(missing)}; expected columns like {list(CSV_FIELDS)}")
    for row in reader:
        if limits is not None:
            limits.check_entries(len(records) + 1, at_least=True)
        record: dict[str, Any] = {}
        for key, value in row.items():
            if key is None or key not in CSV_FIELDS or key in ("id", "created_at", "updated_at"):
                continue
            value = value or ""
            if key in LIST_FIELDS:
                record[key] = [v for v in value.split(";") if v.strip()]
            elif key == "note_findings":
                try:
                    record[key] = json.loads(value) if value.strip() else []
                except json.JSONDecodeError as exc:
                    message = f"line {reader.line_num}: note_findings: {exc.msg}"
                    raise ImportFailed(message, f"entries.{len(records)}.note_findings") from None
                except RecursionError:  # e.g. '[' x 5000: nested too deeply to be note findings
                    message = f"line {reader.line_num}: note_findings: nested too deeply to be read"
                    raise ImportFailed(message, f"entries.{len(records)}.note_findings") from None
            elif value == "":
                continue
            elif key in TEXT_FIELDS:
                record[key] = _csv_unsafe(value)
            else:
                record[key] = value
        records.append(record)
    return records


def import_csv(
    session: Session,
    user_id: int,
    text: str,
    *,
    kb: KnowledgeBase,
    extractor: NoteExtractor | None = None,
    skip_duplicates: bool = True,
    limits: ImportLimits | None = IMPORT_LIMITS,
) -> ImportReport:
    """Import the CSV that :func:`export_csv` writes (empty cells are missing values)."""
    records = csv_records(text, limits)
    return import_records(
        session, user_id, records, kb=kb, extractor=extractor, skip_duplicates=skip_duplicates, limits=limits
    )
