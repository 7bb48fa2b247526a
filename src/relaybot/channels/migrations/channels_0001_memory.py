"""channel adapters' memory: long button payloads and per-chat facts

Revision ID: channels_0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot.store.base import UTCDateTime

revision: str = "channels_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("channels",)
depends_on: str | Sequence[str] | None = "0001"


def upgrade() -> None:
    op.create_table(
        "channel_button_payloads",
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bot", "key", name=op.f("pk_channel_button_payloads")),
    )
    op.create_table(
        "channel_chat_memory",
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.Column("transport", sa.String(length=64), nullable=True),
        sa.Column("trigger_id", sa.String(length=256), nullable=True),
        sa.Column("trigger_at", sa.Float(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bot", "chat_id", name=op.f("pk_channel_chat_memory")),
    )


def downgrade() -> None:
    op.drop_table("channel_chat_memory")
    op.drop_table("channel_button_payloads")
