"""classified filters of the filter bots

Revision ID: classifieds_0002
Revises: classifieds_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot import UTCDateTime

revision: str = "classifieds_0002"
down_revision: str | Sequence[str] | None = "classifieds_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classified_filters",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("ads_bot", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=60), nullable=False),
        sa.Column("price_min", sa.Float(), nullable=True),
        sa.Column("price_max", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("keywords", sa.String(length=200), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("warned", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classified_filters")),
    )
    op.create_index(
        "idx_classified_filters_match",
        "classified_filters",
        ["ads_bot", "kind", "category", "region", "expires_at"],
    )
    op.create_index("idx_classified_filters_owner", "classified_filters", ["bot", "chat_id"])
    op.create_index("idx_classified_filters_expires", "classified_filters", ["expires_at"])


def downgrade() -> None:
    op.drop_table("classified_filters")
