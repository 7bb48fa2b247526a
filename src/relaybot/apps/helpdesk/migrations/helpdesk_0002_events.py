"""help desk: events for the live stream, and when a waiting request was escalated

Revision ID: helpdesk_0002
Revises: helpdesk_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot import UTCDateTime

revision: str = "helpdesk_0002"
down_revision: str | Sequence[str] | None = "helpdesk_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("helpdesk_demands") as batch:
        batch.add_column(sa.Column("escalated_at", UTCDateTime(), nullable=True))
    op.create_table(
        "helpdesk_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("demand_id", BigId, nullable=False),
        sa.Column("message_id", BigId, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["helpdesk_users.id"],
            name=op.f("fk_helpdesk_events_user_id_helpdesk_users"),
        ),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["helpdesk_demands.id"],
            name=op.f("fk_helpdesk_events_demand_id_helpdesk_demands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_events")),
    )
    op.create_index("ix_helpdesk_events_user", "helpdesk_events", ["user_id", "id"])


def downgrade() -> None:
    op.drop_table("helpdesk_events")
    with op.batch_alter_table("helpdesk_demands") as batch:
        batch.drop_column("escalated_at")
