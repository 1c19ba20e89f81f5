"""Read the diary's plain HTML entry form into an ``EntryCreate``, keeping what was typed on error.

The form is a thin skin over the diary schema: the schema does all the checking, and each of its
errors is shown next to the field it names, with the person's input still in the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from twitchcheck.diary.schemas import EntryBase, EntryCreate, EntryPublic, local_time, new_entry
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.web.forms import FormData

# Typed in as text, from the entry's model (regions and symptoms are ticked; the time has its own reader).
NUMBER_FIELDS = EntryBase.fields_of("number")
TEXT_FIELDS = EntryBase.fields_of("choice", "text")
MAX_OFFSET_MINUTES = 14 * 60


@dataclass
class EntryForm:
    """The values as typed (strings), the parsed entry when valid, and errors by field."""

    values: dict[str, str] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)
    symptoms: list[str] = field(default_factory=list)
    entry: EntryCreate | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> EntryForm:
        return cls(values={"kind": "fasciculation"})

    @classmethod
    def from_entry(cls, entry: EntryPublic) -> EntryForm:
        """Pre-fill the edit form from a stored entry, in the time zone it was written in."""
        values = {
            name: "" if getattr(entry, name) is None else _plain(getattr(entry, name))
            for name in (*NUMBER_FIELDS, *TEXT_FIELDS)
        }
        when = entry.occurred_at
        offset = when.utcoffset() or timedelta(0)
        values["occurred_at"] = when.strftime("%Y-%m-%dT%H:%M")
        values["tz_offset"] = str(int(-offset.total_seconds() // 60))
        return cls(values=values, regions=list(entry.regions), symptoms=list(entry.symptoms))


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(raw: str) -> float | str | None:
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        return raw  # the schema rejects it with a message naming the field


def _occurred_at(raw: str, offset_raw: str, errors: dict[str, str]) -> datetime | None:
    """A ``datetime-local`` value in the browser's zone (``tz_offset`` as JavaScript reports it)."""
    try:
        js_offset = int(offset_raw) if offset_raw.strip() else 0
    except ValueError:
        js_offset = 0
    if abs(js_offset) > MAX_OFFSET_MINUTES:
        js_offset = 0
    zone = timezone(timedelta(minutes=-js_offset))
    if not raw.strip():
        return local_time(datetime.now(UTC), -js_offset)
    try:
        return datetime.fromisoformat(raw.strip()).replace(tzinfo=zone)
    except ValueError:
        errors["occurred_at"] = "Enter the date and time as shown, for example 2026-11-25 08:30."
        return None


def parse_entry_form(data: FormData, kb: KnowledgeBase) -> EntryForm:
    """The form as an entry whose regions and symptoms are ``kb``'s."""
    form = EntryForm()
    form.values = {
        name: data.get(name) for name in (*NUMBER_FIELDS, *TEXT_FIELDS, "occurred_at", "tz_offset")
    }
    form.regions = data.getlist("loc")
    form.symptoms = data.getlist("symptom")
    payload: dict[str, Any] = {name: _number(form.values[name]) for name in NUMBER_FIELDS}
    for name in TEXT_FIELDS:
        payload[name] = form.values[name] or None
    payload["kind"] = payload["kind"] or "fasciculation"
    payload["regions"] = form.regions
    payload["symptoms"] = form.symptoms
    when = _occurred_at(form.values["occurred_at"], form.values["tz_offset"], form.errors)
    if when is not None:
        payload["occurred_at"] = when
    if form.errors:
        return form
    try:
        form.entry = new_entry(kb, payload)
    except ValidationError as exc:
        for error in exc.errors(include_input=False):
            name = str(error["loc"][0]) if error["loc"] else "form"
            message = str(error["msg"]).removeprefix("Value error, ")
            form.errors.setdefault(name, message)
    return form
