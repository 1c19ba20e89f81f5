"""The diary API's JSON shapes: an entry in and a change to it, read strictly as the API document states
them (the diary's own models are lenient on purpose: a CSV import reads every cell as text), filter times,
and the patterns out."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
)

from twitchcheck.diary.patterns import Patterns
from twitchcheck.diary.schemas import EntryBase, EntryUpdate
from twitchcheck.web.schemas import whole_number


def _vocabulary_enums(schema: dict[str, Any]) -> None:
    """Mark the region and symptom ids, which ``patch_openapi`` lists from the app's knowledge base."""
    for name, marker in (("regions", "region"), ("symptoms", "symptom")):
        prop = schema["properties"][name]
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("type") == "array":
                option["items"] = {"type": "string", "x-kb": marker}


ENTRY_EXAMPLE = {
    "occurred_at": "2026-03-01T08:30:00+01:00",
    "kind": "fasciculation",
    "side": "left",
    "regions": ["loc_calf"],
    "intensity": 3,
    "count": 20,
    "caffeine_cups": 4,
    "sleep_hours": 6,
    "stress": 7,
    "note": "Left calf jumping after a long run, no weakness.",
}


def _entry_schema(schema: dict[str, Any]) -> None:
    _vocabulary_enums(schema)
    schema["examples"] = [ENTRY_EXAMPLE]


def _patch_schema(schema: dict[str, Any]) -> None:
    _vocabulary_enums(schema)
    for prop in schema["properties"].values():
        prop.pop("default", None)  # a field left out of a patch is unchanged, not set to a default
    schema["examples"] = [{"intensity": 5, "note": None}]


RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_DATETIME = TypeAdapter(AwareDatetime)


def rfc3339(value: Any) -> Any:
    """A date-time as JSON Schema means it: RFC 3339 text with a timezone, not a Unix time or a guess."""
    if not isinstance(value, str):
        return value
    if not RFC3339.fullmatch(value):
        raise ValueError("must be a date-time with a timezone, like 2026-03-01T08:30:00+01:00")
    try:
        return _DATETIME.validate_python(value)
    except ValidationError:
        raise ValueError("is not a valid date-time") from None


DateTimeText = Annotated[AwareDatetime, BeforeValidator(rfc3339)]


def in_utc_range(value: datetime) -> datetime:
    """A filter moment must exist in UTC: 0001-01-01T00:00:00+14:00 is before the first moment a
    datetime can hold once converted, 9999-12-31T23:59:59-14:00 after the last."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range: in UTC it falls outside the years 1 to 9999") from None
    return value


FilterTime = Annotated[DateTimeText, AfterValidator(in_utc_range)]


class _JsonEntry(BaseModel):
    """How the JSON API reads an entry: strictly, as the document states it ('3' is not a number).

    The diary's own models are lenient on purpose (CSV import reads every cell as text)."""

    model_config = ConfigDict(strict=True)

    @field_validator("occurred_at", mode="before", check_fields=False)
    @classmethod
    def _datetime_text(cls, value: Any) -> Any:
        return rfc3339(value)

    @field_validator("intensity", "count", "stress", mode="before", check_fields=False)
    @classmethod
    def _whole(cls, value: Any) -> Any:
        return whole_number(value)


class EntryIn(_JsonEntry, EntryBase):
    """A new diary entry; regions and symptoms are ids of the knowledge base (GET /api/v1/findings)."""

    model_config = ConfigDict(json_schema_extra=_entry_schema)


class _PatchBase(_JsonEntry, EntryUpdate):
    model_config = ConfigDict(json_schema_extra=_patch_schema)


def _patch_model() -> type[EntryUpdate]:
    """``EntryUpdate`` with the constraints of an entry on each field, so the document states them.

    The merged entry is validated again as a whole (rules across fields, times not in the future, ids
    of the app's knowledge base).
    """
    fields: dict[str, Any] = {}
    for name, info in EntryBase.model_fields.items():
        annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        # Left out means unchanged; null is accepted only where the entry itself allows it.
        fields[name] = (
            annotation,
            Field(default=None, validation_alias=info.validation_alias, description=info.description),
        )
    model: type[EntryUpdate] = create_model("EntryPatch", __base__=_PatchBase, **fields)
    model.__doc__ = "A partial change: only the fields given are changed; ``null`` clears an optional field."
    return model


if TYPE_CHECKING:
    EntryPatch = EntryUpdate  # at run time a subclass with an entry's constraints
else:
    EntryPatch = _patch_model()


def _dataclass_model(cls: type, **extra: Any) -> type[BaseModel]:
    """A response model with exactly the fields of a result dataclass (nested ones are documented too)."""
    hints = get_type_hints(cls)
    fields: dict[str, Any] = {name: (hints[name], ...) for name in cls.__dataclass_fields__}  # type: ignore[attr-defined]
    return create_model(f"{cls.__name__}Out", **fields, **extra)


PatternsOut = _dataclass_model(Patterns, distinct_regions=(int, ...))
