"""chat_links: chats that act as a person after a one-time code proved who writes there

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot.store.base import UTCDateTime

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_links",
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bot", "chat_id", name=op.f("pk_chat_links")),
    )
    op.create_index("ix_chat_links_subject", "chat_links", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_chat_links_subject", table_name="chat_links")
    op.drop_table("chat_links")
