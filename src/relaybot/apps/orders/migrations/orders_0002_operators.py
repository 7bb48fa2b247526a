"""orders: the client's chat and language, the Chat2Desk client id, the cancel reason, and
the operators' chats

Existing orders keep every row: their chat is their client id (a private chat's id is its
person's), and orders that came through Chat2Desk get their Chat2Desk client id.

Revision ID: orders_0002
Revises: orders_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot import UTCDateTime

revision: str = "orders_0002"
down_revision: str | Sequence[str] | None = "orders_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("chat_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("chat2desk_client_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.String(length=200), nullable=True))
    op.execute("UPDATE orders SET chat_id = client_id")
    op.execute("UPDATE orders SET chat2desk_client_id = client_id WHERE source = 'chat2desk'")
    op.create_index("idx_orders_chat2desk_client_id", "orders", ["chat2desk_client_id"])
    op.create_table(
        "orders_operator_chats",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_operator_chats")),
        sa.UniqueConstraint("bot", "chat_id", name=op.f("uq_orders_operator_chats_bot_chat_id")),
    )


def downgrade() -> None:
    op.drop_table("orders_operator_chats")
    op.drop_index("idx_orders_chat2desk_client_id", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("cancel_reason")
        batch.drop_column("chat2desk_client_id")
        batch.drop_column("language")
        batch.drop_column("chat_id")
