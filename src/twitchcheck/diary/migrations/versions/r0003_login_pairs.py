"""Log-in attempts per (address, username) pair: the back-off applies to the pair, so failures from
one address can no longer lock the owner out from another.

Revision ID: 0003_login_pairs
Revises: 0002_address_attempts
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_login_pairs"
down_revision: str | None = "0002_address_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts") as batch:
        batch.add_column(sa.Column("address", sa.String(length=64), nullable=True))
        batch.drop_index("ix_login_attempts_username_at")
        batch.create_index("ix_login_attempts_username_address_at", ["username", "address", "at"])


def downgrade() -> None:
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_index("ix_login_attempts_username_address_at")
        batch.create_index("ix_login_attempts_username_at", ["username", "at"])
        batch.drop_column("address")
