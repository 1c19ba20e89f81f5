"""Tables. Every row that belongs to a person hangs off ``users.id`` with ON DELETE CASCADE,
so deleting the account removes everything in one statement.

Times are stored in UTC (``UTCDateTime`` gives back aware datetimes on both backends);
entries also keep the writer's UTC offset so local days and hours are reconstructed exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

KINDS = ("fasciculation", "cramp", "spasm", "stiffness", "jerking", "rippling", "tremor", "tetany", "other")
SIDES = ("left", "right", "both")
LEVELS = ("self_care", "routine", "urgent", "emergency")
SEXES = ("male", "female")
MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns (PostgreSQL refuses a larger number in a query)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive values are refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("datetimes stored in the diary must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"sex IS NULL OR {_in('sex', SEXES)}", name="sex"),
        CheckConstraint(
            "year_of_birth IS NULL OR (year_of_birth BETWEEN 1890 AND 2200)", name="year_of_birth"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    year_of_birth: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(6))


class ApiToken(Base):
    """A token for the JSON API. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()


class LoginSession(Base):
    """A browser login session. Only the SHA-256 of the cookie value is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class LoginAttempt(Base):
    """Failed and successful log-ins per (client address, username) pair, for the log-in back-off.
    Not linked to ``users``: attempts against unknown usernames count too. ``address`` is a keyed
    hash, never the address itself (NULL on rows from before it was kept). Removed with the account
    and pruned by age."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_address_at", "username", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class AddressAttempt(Base):
    """Counted events per key, for the limits that every worker process shares: password checks and
    registrations per client address, sign-ups that found a name taken per address, and expensive
    operations (PDF report, export, import) per user. ``address`` is a keyed hash of the key: an
    address itself is never stored. Pruned by age on every attempt."""

    __tablename__ = "address_attempts"
    __table_args__ = (
        Index("ix_address_attempts_address_at", "address", "at"),
        Index("ix_address_attempts_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_user_id_occurred_at", "user_id", "occurred_at"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(f"side IS NULL OR {_in('side', SIDES)}", name="side"),
        CheckConstraint("utc_offset_minutes BETWEEN -1080 AND 1080", name="utc_offset"),
        CheckConstraint("intensity IS NULL OR (intensity BETWEEN 0 AND 10)", name="intensity"),
        CheckConstraint("stress IS NULL OR (stress BETWEEN 0 AND 10)", name="stress"),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes >= 0", name="duration"),
        CheckConstraint('"count" IS NULL OR "count" >= 0', name="count"),
        CheckConstraint("caffeine_mg IS NULL OR caffeine_mg >= 0", name="caffeine_mg"),
        CheckConstraint("caffeine_cups IS NULL OR caffeine_cups >= 0", name="caffeine_cups"),
        CheckConstraint("alcohol_units IS NULL OR alcohol_units >= 0", name="alcohol"),
        CheckConstraint("sleep_hours IS NULL OR (sleep_hours BETWEEN 0 AND 24)", name="sleep"),
        CheckConstraint("exercise_minutes IS NULL OR exercise_minutes >= 0", name="exercise"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column()
    utc_offset_minutes: Mapped[int] = mapped_column(SmallInteger, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    side: Mapped[str | None] = mapped_column(String(5))
    regions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    intensity: Mapped[int | None] = mapped_column(SmallInteger)
    duration_minutes: Mapped[float | None] = mapped_column(Float)
    count: Mapped[int | None] = mapped_column(Integer)
    caffeine_mg: Mapped[float | None] = mapped_column(Float)
    caffeine_cups: Mapped[float | None] = mapped_column(Float)
    alcohol_units: Mapped[float | None] = mapped_column(Float)
    sleep_hours: Mapped[float | None] = mapped_column(Float)
    stress: Mapped[int | None] = mapped_column(SmallInteger)
    exercise_minutes: Mapped[float | None] = mapped_column(Float)
    exercised: Mapped[bool | None] = mapped_column(Boolean)
    medications: Mapped[str | None] = mapped_column(Text)
    symptoms: Mapped[list[str]] = mapped_column(JSONType, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    note_findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RetriageRecord(Base):
    """One re-run of the assessment on a person's diary pattern."""

    __tablename__ = "retriage_results"
    __table_args__ = (
        Index("ix_retriage_results_user_id_created_at", "user_id", "created_at"),
        CheckConstraint(_in("level", LEVELS), name="level"),
        CheckConstraint(f"previous_level IS NULL OR {_in('previous_level', LEVELS)}", name="previous_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    level: Mapped[str] = mapped_column(String(10))
    previous_level: Mapped[str | None] = mapped_column(String(10))
    rose: Mapped[bool] = mapped_column(Boolean)
    top_conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    evidence: Mapped[dict[str, str]] = mapped_column(JSONType)
    reasons: Mapped[list[str]] = mapped_column(JSONType)
    entry_count: Mapped[int] = mapped_column(Integer)
    last_entry_at: Mapped[datetime | None] = mapped_column()


TABLES = [t.name for t in Base.metadata.sorted_tables]
