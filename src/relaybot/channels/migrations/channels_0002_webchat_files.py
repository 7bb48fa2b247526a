"""web chat files: what visitors attached, and which chats may see each file

Revision ID: channels_0002
Revises: channels_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot.store.base import UTCDateTime

revision: str = "channels_0002"
down_revision: str | Sequence[str] | None = "channels_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webchat_files",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mime_type", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_files")),
    )
    op.create_index("ix_webchat_files_chat", "webchat_files", ["chat_id", "bot"])
    op.create_table(
        "webchat_file_access",
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("file_id", "chat_id", name=op.f("pk_webchat_file_access")),
    )


def downgrade() -> None:
    op.drop_table("webchat_file_access")
    op.drop_index("ix_webchat_files_chat", table_name="webchat_files")
    op.drop_table("webchat_files")
