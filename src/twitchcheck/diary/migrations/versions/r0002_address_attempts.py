"""Per-address log-in attempts in the database, so that several worker processes count together.

Revision ID: 0002_address_attempts
Revises: 0001_initial
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from twitchcheck.diary.models import UTCDateTime

revision: str = "0002_address_attempts"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "address_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_attempts")),
    )
    op.create_index("ix_address_attempts_address_at", "address_attempts", ["address", "at"])
    op.create_index("ix_address_attempts_at", "address_attempts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_address_attempts_at", table_name="address_attempts")
    op.drop_index("ix_address_attempts_address_at", table_name="address_attempts")
    op.drop_table("address_attempts")
