"""Initial diary schema: users, API tokens, login sessions and attempts, entries, re-triage results.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from twitchcheck.diary.models import UTCDateTime

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("fasciculation", "cramp", "spasm", "stiffness", "jerking", "rippling", "tremor", "tetany", "other")
SIDES = ("left", "right", "both")
LEVELS = ("self_care", "routine", "urgent", "emergency")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("year_of_birth", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=6), nullable=True),
        sa.CheckConstraint("sex IS NULL OR sex IN ('male', 'female')", name=op.f("ck_users_sex")),
        sa.CheckConstraint(
            "year_of_birth IS NULL OR (year_of_birth BETWEEN 1890 AND 2200)",
            name=op.f("ck_users_year_of_birth"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    op.create_index(op.f("ix_login_sessions_user_id"), "login_sessions", ["user_id"])
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("utc_offset_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=True),
        sa.Column("regions", _json(), nullable=False),
        sa.Column("intensity", sa.SmallInteger(), nullable=True),
        sa.Column("duration_minutes", sa.Float(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("caffeine_mg", sa.Float(), nullable=True),
        sa.Column("caffeine_cups", sa.Float(), nullable=True),
        sa.Column("alcohol_units", sa.Float(), nullable=True),
        sa.Column("sleep_hours", sa.Float(), nullable=True),
        sa.Column("stress", sa.SmallInteger(), nullable=True),
        sa.Column("exercise_minutes", sa.Float(), nullable=True),
        sa.Column("exercised", sa.Boolean(), nullable=True),
        sa.Column("medications", sa.Text(), nullable=True),
        sa.Column("symptoms", _json(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("note_findings", _json(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_entries_kind")),
        sa.CheckConstraint(f"side IS NULL OR {_in('side', SIDES)}", name=op.f("ck_entries_side")),
        sa.CheckConstraint("utc_offset_minutes BETWEEN -1080 AND 1080", name=op.f("ck_entries_utc_offset")),
        sa.CheckConstraint(
            "intensity IS NULL OR (intensity BETWEEN 0 AND 10)", name=op.f("ck_entries_intensity")
        ),
        sa.CheckConstraint("stress IS NULL OR (stress BETWEEN 0 AND 10)", name=op.f("ck_entries_stress")),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0", name=op.f("ck_entries_duration")
        ),
        sa.CheckConstraint('"count" IS NULL OR "count" >= 0', name=op.f("ck_entries_count")),
        sa.CheckConstraint("caffeine_mg IS NULL OR caffeine_mg >= 0", name=op.f("ck_entries_caffeine_mg")),
        sa.CheckConstraint(
            "caffeine_cups IS NULL OR caffeine_cups >= 0", name=op.f("ck_entries_caffeine_cups")
        ),
        sa.CheckConstraint("alcohol_units IS NULL OR alcohol_units >= 0", name=op.f("ck_entries_alcohol")),
        sa.CheckConstraint(
            "sleep_hours IS NULL OR (sleep_hours BETWEEN 0 AND 24)", name=op.f("ck_entries_sleep")
        ),
        sa.CheckConstraint(
            "exercise_minutes IS NULL OR exercise_minutes >= 0", name=op.f("ck_entries_exercise")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_entries_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
    )
    op.create_index("ix_entries_user_id_occurred_at", "entries", ["user_id", "occurred_at"])
    op.create_table(
        "retriage_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("previous_level", sa.String(length=10), nullable=True),
        sa.Column("rose", sa.Boolean(), nullable=False),
        sa.Column("top_conditions", _json(), nullable=False),
        sa.Column("evidence", _json(), nullable=False),
        sa.Column("reasons", _json(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("last_entry_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(_in("level", LEVELS), name=op.f("ck_retriage_results_level")),
        sa.CheckConstraint(
            f"previous_level IS NULL OR {_in('previous_level', LEVELS)}",
            name=op.f("ck_retriage_results_previous_level"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_retriage_results_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retriage_results")),
    )
    op.create_index("ix_retriage_results_user_id_created_at", "retriage_results", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_table("retriage_results")
    op.drop_table("entries")
    op.drop_table("login_sessions")
    op.drop_table("api_tokens")
    op.drop_table("login_attempts")
    op.drop_table("users")
