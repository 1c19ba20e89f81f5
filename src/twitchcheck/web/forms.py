"""Read the pages' plain HTML forms (they work without JavaScript) into typed input.

Problems a person can fix are collected per field and shown next to that field; the
evidence itself is checked by the engine, like any other input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from fastapi import Request
from starlette.datastructures import FormData as StarletteForm
from starlette.datastructures import QueryParams

from twitchcheck.engine.evidence import MAX_AGE, UNKNOWN
from twitchcheck.engine.interview import Mode
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.pipeline import MAX_TEXT_CHARS
from twitchcheck.web.bodymap import regions
from twitchcheck.web.errors import InputError

SEXES = ("female", "male")
MAX_EVIDENCE_FIELDS = 400


URLENCODED = "application/x-www-form-urlencoded"


async def read_form(request: Request) -> StarletteForm | QueryParams:
    """The posted form (or the query parameters of a GET).

    Our forms are sent the way browsers send a form without files (URL-encoded); Starlette would
    read bytes that are not UTF-8 as Latin-1 without a word, so a form whose percent-decoded bytes
    are not UTF-8 is refused (400), and so is any other encoding (415), whose text cannot be
    checked: nothing is stored as something other than what was typed."""
    if request.method != "POST":
        return request.query_params
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    raw = await request.body()
    if raw and media != URLENCODED:
        sent = media or "without a type"
        detail = f"This form must be sent as {URLENCODED}, as a browser sends it, not {sent}."
        raise InputError(detail, None, 415)
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            "The form arrived with characters that are not UTF-8 text, so nothing was changed. "
            "Reload the page and send it again.",
            None,
            400,
        ) from None
    return await request.form()


class FormData:
    """Form fields or query parameters as plain lists of strings (uploads are ignored)."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        self._fields = fields

    def get(self, key: str) -> str:
        values = self._fields.get(key)
        return values[0] if values else ""

    def getlist(self, key: str) -> list[str]:
        return list(self._fields.get(key, []))


@dataclass
class AssessForm:
    """The start form and the result page's correction form share these fields."""

    text: str = ""
    age_raw: str = ""
    age: float | None = None
    sex: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    locations: list[str] = field(default_factory=list)
    mode: Mode = "lay"
    print_view: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def _pair(raw: str) -> tuple[str, str] | None:
    finding, sep, state = raw.partition("=")
    if not sep or not finding or not state:
        return None
    return finding.strip(), state.strip()


def parse_assess_form(data: FormData, kb: KnowledgeBase) -> AssessForm:
    form = AssessForm()
    form.text = data.get("text").replace("\r\n", "\n")
    if len(form.text) > MAX_TEXT_CHARS:
        form.errors["text"] = f"Please shorten the description to at most {MAX_TEXT_CHARS:,} characters."
    try:
        form.text.encode("utf-8")
    except UnicodeEncodeError:
        form.errors["text"] = "The description contains characters that cannot be read."
    form.age_raw = data.get("age").strip()
    if form.age_raw:
        try:
            age = float(form.age_raw.replace(",", "."))
        except ValueError:
            age = math.nan
        if math.isfinite(age) and 0 <= age <= MAX_AGE:
            form.age = age
        else:
            form.errors["age"] = (
                f"Enter your age in years, as a number from 0 to {MAX_AGE} (or leave it empty)."
            )
    sex = data.get("sex").strip().lower()
    if sex in SEXES:
        form.sex = sex
    elif sex:
        form.errors["sex"] = "Choose female, male, or leave it unanswered."
    form.mode = "clinician" if data.get("mode") == "clinician" else "lay"
    form.print_view = data.get("print") == "1"

    evidence_items = data.getlist("e")[:MAX_EVIDENCE_FIELDS]
    for raw in evidence_items:
        pair = _pair(raw)
        if pair is None:
            form.errors["evidence"] = "A corrected finding was not in the form 'finding=state'."
            continue
        form.evidence[pair[0]] = pair[1]
    allowed = {r.finding for r in regions(kb)}
    for raw in data.getlist("loc"):
        loc = raw
        if loc not in allowed:
            form.errors["loc"] = "An unknown body area was chosen."
            continue
        form.locations.append(loc)
        form.evidence[loc] = "present"
    for raw in (data.get("set"), data.get("add")):
        pair = _pair(raw)
        if pair is not None:
            form.evidence[pair[0]] = pair[1]
    return form


def carried_evidence(evidence: dict[str, str]) -> list[str]:
    """Hidden-field values that carry explicit answers (withdrawals included) to the next round."""
    return [f"{finding}={state}" for finding, state in evidence.items()]


__all__ = ["UNKNOWN", "AssessForm", "FormData", "carried_evidence", "parse_assess_form"]
