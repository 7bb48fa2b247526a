"""the persistent menu a chat was last given

Revision ID: channels_0003
Revises: channels_0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "channels_0003"
down_revision: str | Sequence[str] | None = "channels_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("channel_chat_memory", sa.Column("menu", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel_chat_memory") as batch:
        batch.drop_column("menu")
