"""Validated shapes of what goes in and out (the Base/Create/Public layering of the FastAPI template).

``EntryCreate`` checks every field, body regions (``loc_*`` findings) and new symptoms (symptom or
character findings) against the knowledge base given in the validation context (:func:`new_entry`),
so one app or command never mixes two bases, and fails with errors that name the field;
``format_errors`` turns a ``ValidationError`` into one readable line per problem.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from twitchcheck.engine.evidence import MAX_AGE
from twitchcheck.knowledge import CACHED_BASES, KnowledgeBase
from twitchcheck.knowledge.schema import ID_PATTERN

Kind = Literal[
    "fasciculation", "cramp", "spasm", "stiffness", "jerking", "rippling", "tremor", "tetany", "other"
]
Side = Literal["left", "right", "both"]
Sex = Literal["male", "female"]
LevelName = Literal["self_care", "routine", "urgent", "emergency"]

# The knowledge-base finding each kind of twitch is evidence for ("other" is evidence for nothing).
KIND_FINDINGS: dict[str, str | None] = {
    "fasciculation": "fasciculations",
    "cramp": "cramps",
    "spasm": "spasms",
    "stiffness": "stiffness",
    "jerking": "jerks_move_joint",
    "rippling": "rippling",
    "tremor": "tremor",
    "tetany": "tetany",
    "other": None,
}
SYMPTOM_CATEGORIES = ("symptom", "character")
MAX_LIST = 30
MAX_NOTE = 5000
FUTURE_SLACK = timedelta(days=1)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Vocabulary:
    """The knowledge-base ids a diary entry may use, with labels for display."""

    regions: tuple[str, ...]
    symptoms: tuple[str, ...]
    kind_findings: dict[str, str | None]
    labels: dict[str, str]

    def region_id(self, value: str) -> str:
        """``loc_calf``, ``calf`` or ``Calf`` -> ``loc_calf``; unknown values are returned unchanged."""
        key = value.strip().lower().replace(" ", "_")
        if key in self.regions:
            return key
        prefixed = f"loc_{key}"
        return prefixed if prefixed in self.regions else key


def build_vocabulary(kb: KnowledgeBase) -> Vocabulary:
    regions = tuple(
        f.id
        for f in kb.findings.values()
        if f.category == "location" and f.type == "binary" and f.id.startswith("loc_")
    )
    symptoms = tuple(
        f.id for f in kb.findings.values() if f.category in SYMPTOM_CATEGORIES and f.type == "binary"
    )
    for kind, finding in KIND_FINDINGS.items():
        if finding is not None and finding not in kb.findings:
            raise ValueError(f"kind {kind!r} maps to {finding!r}, which is not in the knowledge base")
    return Vocabulary(regions, symptoms, dict(KIND_FINDINGS), {f.id: f.label for f in kb.findings.values()})


@lru_cache(maxsize=CACHED_BASES)
def vocabulary(kb: KnowledgeBase) -> Vocabulary:
    """:func:`build_vocabulary` once per loaded base (bases are identity-hashed)."""
    return build_vocabulary(kb)


def unstorable(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None. PostgreSQL refuses NUL (U+0000) in text and
    in JSON; no database can store an unpaired surrogate, which is not Unicode text at all. Refused
    on both databases alike, so that a diary behaves the same wherever it lives."""
    if "\x00" in value:
        return "contains a NUL character (U+0000), which cannot be stored; remove it"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains invalid Unicode (an unpaired surrogate), which cannot be stored"
    return None


def storable(value: str) -> str:
    """Validator: text that both databases can store (see :func:`unstorable`)."""
    problem = unstorable(value)
    if problem is not None:
        raise ValueError(problem)
    return value


StorableText = Annotated[str, AfterValidator(storable)]


def _clean_text(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


KB_CONTEXT = "kb"  # the validation context's key for the knowledge base: {"kb": kb}


def _vocabulary(info: ValidationInfo) -> Vocabulary:
    """The ids of the knowledge base in the validation context; no base is a bug, never a guess."""
    kb = info.context.get(KB_CONTEXT) if isinstance(info.context, dict) else None
    if not isinstance(kb, KnowledgeBase):
        raise TypeError("diary ids are checked against a knowledge base: validate with new_entry(kb, data)")
    return vocabulary(kb)


def _region(value: str, info: ValidationInfo) -> str:
    vocab = _vocabulary(info)
    region = vocab.region_id(value)
    if region not in vocab.regions:
        raise ValueError(f"{value!r} is not a body region; expected one of {list(vocab.regions)}")
    return region


def _symptom(value: str, info: ValidationInfo) -> str:
    key = value.strip().lower()
    if key not in _vocabulary(info).symptoms:
        raise ValueError(
            f"{value!r} is not a symptom finding id (e.g. weakness, cramps, slurred_speech, dysphagia)"
        )
    return key


# Each id is checked on its own, so an error names it: regions.0, symptoms.2.
_KNOWN_IDS = {
    "regions": TypeAdapter(list[Annotated[str, AfterValidator(_region)]]),
    "symptoms": TypeAdapter(list[Annotated[str, AfterValidator(_symptom)]]),
}


# What an entry field holds, read from its annotation: each use of "the entry's numbers" (or its yes/no
# fields, its ids, its texts) asks the model (``EntryBase.fields_of``) instead of keeping a list of its own.
FieldKind = Literal["time", "number", "flag", "choice", "text", "ids", "records"]


def bare_type(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` -> ``X``: the type a field holds, without its constraints."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(annotation):
            rest = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def field_kind(annotation: Any) -> FieldKind:
    """What a field of that annotation holds; a type this does not know fails at import, never silently."""
    bare = bare_type(annotation)
    origin = get_origin(bare)
    if origin is Literal:
        return "choice"
    if origin is list:
        (item,) = get_args(bare)
        return "records" if isinstance(item, type) and issubclass(item, BaseModel) else "ids"
    if bare is bool:
        return "flag"
    if bare in (int, float):
        return "number"
    if bare is str:
        return "text"
    if bare is AwareDatetime or (isinstance(bare, type) and issubclass(bare, datetime)):
        return "time"
    raise TypeError(f"no field kind for {annotation!r}: teach diary.schemas.field_kind what it holds")


class NoteFinding(BaseModel):
    """A finding read from the free note (or the medications text), with the exact span."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    finding: Annotated[str, Field(max_length=64, pattern=ID_PATTERN)]
    state: Annotated[str, Field(max_length=64, pattern=ID_PATTERN)]
    span: Annotated[StorableText, Field(max_length=MAX_NOTE)]
    start: int = Field(ge=0, le=MAX_NOTE)
    end: int = Field(ge=0, le=MAX_NOTE)
    field: Literal["note", "medications"] = "note"


class EntryBase(BaseModel):
    """An entry's fields and the rules between them. Regions and symptoms are ids of the knowledge base,
    checked by ``EntryCreate``; stored rows and the JSON API's first reading take them as they are."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    occurred_at: AwareDatetime = Field(
        validation_alias=AliasChoices("occurred_at", "when"),
        description="When it happened, with a timezone (e.g. 2026-03-01T08:30:00+01:00).",
    )
    kind: Kind = "fasciculation"
    side: Side | None = None
    regions: Annotated[list[str], Field(max_length=MAX_LIST)] = Field(
        default_factory=list,
        description="Body regions: knowledge-base ids such as loc_calf (or just 'calf').",
    )
    intensity: Annotated[int, Field(ge=0, le=10)] | None = None
    duration_minutes: Annotated[float, Field(ge=0, le=1440)] | None = None
    count: Annotated[int, Field(ge=0, le=100_000)] | None = None
    caffeine_mg: Annotated[float, Field(ge=0, le=5000)] | None = None
    caffeine_cups: Annotated[float, Field(ge=0, le=50)] | None = None
    alcohol_units: Annotated[float, Field(ge=0, le=100)] | None = None
    sleep_hours: Annotated[float, Field(ge=0, le=24)] | None = None
    stress: Annotated[int, Field(ge=0, le=10)] | None = None
    exercise_minutes: Annotated[float, Field(ge=0, le=1440)] | None = None
    exercised: bool | None = None
    medications: Annotated[StorableText, Field(max_length=2000)] | None = Field(
        default=None, description="Medicines started or changed, in your own words."
    )
    symptoms: Annotated[list[str], Field(max_length=MAX_LIST)] = Field(
        default_factory=list, description="New symptoms: knowledge-base ids such as weakness or dysphagia."
    )
    note: Annotated[StorableText, Field(max_length=MAX_NOTE)] | None = None

    @classmethod
    def fields_of(cls, *kinds: FieldKind) -> tuple[str, ...]:
        """The model's fields that hold one of ``kinds``, in the model's order.

        The model is the one list of an entry's fields: the series behind the patterns, the database's
        summary, the stored row, the CSV and the entry form take theirs from here, so a field added to the
        model reaches all of them (tests/diary/test_entry_fields.py)."""
        return tuple(name for name, info in cls.model_fields.items() if field_kind(info.annotation) in kinds)

    @field_validator("medications", "note", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return _clean_text(value)

    @field_validator("occurred_at")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        offset = value.utcoffset()
        if offset is None or abs(offset) > timedelta(hours=18) or offset % timedelta(minutes=1):
            raise ValueError("timezone offset must be whole minutes within ±18 hours")
        if value > datetime.now(UTC) + FUTURE_SLACK:
            raise ValueError("is in the future")
        if value < EARLIEST:
            raise ValueError("is before 1900")
        return value

    @field_validator("regions", "symptoms", mode="after")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return _dedupe(value)

    @model_validator(mode="after")
    def _exercise_consistent(self) -> EntryBase:
        if self.exercise_minutes is not None:
            if self.exercised is False and self.exercise_minutes > 0:
                raise ValueError("exercised is false but exercise_minutes is above 0")
            if self.exercised is None:
                self.exercised = self.exercise_minutes > 0
        return self


class EntryCreate(EntryBase):
    """A new diary entry, its regions and symptoms checked against the knowledge base (:func:`new_entry`)."""

    @field_validator("regions", "symptoms", mode="after")
    @classmethod
    def _known(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not value:
            return value
        assert info.field_name is not None
        return _dedupe(_KNOWN_IDS[info.field_name].validate_python(value, context=info.context))


def new_entry(kb: KnowledgeBase, data: Any) -> EntryCreate:
    """``data`` (a mapping or a model of an entry's fields) as a new entry whose ids are ``kb``'s."""
    if isinstance(data, BaseModel):
        data = data.model_dump()
    return EntryCreate.model_validate(data, context={KB_CONTEXT: kb})


class _EntryChange(BaseModel):
    """A partial change: only the fields given are changed (``null`` clears an optional field)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


def _entry_change_model() -> type[_EntryChange]:
    """:class:`_EntryChange` with every field of an entry, optional and unchecked: the merged entry is
    validated as a whole (``repository.update_entry``), so the rules between fields see the result."""
    fields: dict[str, Any] = {
        name: (bare_type(info.annotation) | None, Field(default=None, validation_alias=info.validation_alias))
        for name, info in EntryBase.model_fields.items()
    }
    model: type[_EntryChange] = create_model(
        "EntryUpdate", __base__=_EntryChange, __module__=__name__, __doc__=_EntryChange.__doc__, **fields
    )
    return model


if TYPE_CHECKING:
    EntryUpdate = _EntryChange  # at run time, with the fields of an entry
else:
    EntryUpdate = _entry_change_model()


class EntryPublic(EntryBase):
    """An entry as stored, in the writer's own UTC offset, with what was read from the note."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, from_attributes=True)

    id: int
    note_findings: list[NoteFinding] = Field(default_factory=list)
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @field_validator("occurred_at")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:  # stored rows are trusted as they are
        return value

    def as_create(self, kb: KnowledgeBase) -> EntryCreate:
        return new_entry(kb, self.model_dump(exclude={"id", "note_findings", "created_at", "updated_at"}))


def local_time(utc: datetime, offset_minutes: int) -> datetime:
    return utc.astimezone(timezone(timedelta(minutes=offset_minutes)))


def offset_minutes(value: datetime) -> int:
    offset = value.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(description="3-64 characters: lowercase letters, digits, '.', '_' or '-'.")
    password: str = Field(min_length=8, max_length=1024, repr=False)

    @field_validator("username", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not USERNAME_RE.match(value):
            raise ValueError("must be 3-64 characters: lowercase letters, digits, '.', '_' or '-'")
        return value


def birth_years(on: datetime | None = None) -> tuple[int, int]:
    """The years of birth that give an age the engine takes (0 to ``MAX_AGE``), asked anew each time:
    a server that runs over New Year must not keep last year's range."""
    year = (on or datetime.now(UTC)).year
    return year - MAX_AGE, year


def _birth_year(value: int) -> int:
    """A stored year of birth becomes the age of every re-triage, so it must give an age the engine takes."""
    first, last = birth_years()
    if value > last:
        raise ValueError("is in the future")
    if value < first:
        raise ValueError(f"gives an age over {MAX_AGE} years; enter a year from {first} to {last}")
    return value


def _document_birth_years(schema: dict[str, Any]) -> None:
    schema["minimum"], schema["maximum"] = birth_years()  # when the document is built


YearOfBirth = Annotated[int, AfterValidator(_birth_year), Field(json_schema_extra=_document_birth_years)]


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year_of_birth: YearOfBirth | None = None
    sex: Sex | None = None


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    created_at: AwareDatetime
    year_of_birth: int | None = None
    sex: Sex | None = None

    def age(self, on: datetime | None = None) -> int | None:
        """Age in whole years, to within one year (only the year of birth is kept)."""
        if self.year_of_birth is None:
            return None
        return (on or datetime.now(UTC)).year - self.year_of_birth


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: AwareDatetime
    last_used_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None


class NewToken(BaseModel):
    """Shown once: the plaintext token is never stored and cannot be shown again."""

    token: str = Field(repr=False)
    info: TokenPublic


def format_errors(exc: ValidationError) -> list[str]:
    """One line per problem, naming the field: ``intensity: Input should be less than or equal to 10``."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "entry"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}")
    return lines
