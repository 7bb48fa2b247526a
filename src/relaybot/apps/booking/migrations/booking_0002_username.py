"""booking users' Telegram usernames, to send a sign-in code to the person who names one

Revision ID: booking_0002
Revises: booking_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "booking_0002"
down_revision: str | Sequence[str] | None = "booking_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking_users") as batch:
        batch.add_column(sa.Column("username", sa.String(length=64), nullable=True))
    op.create_index("ix_booking_users_username", "booking_users", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_booking_users_username", table_name="booking_users")
    with op.batch_alter_table("booking_users") as batch:
        batch.drop_column("username")
