"""the shop's items and orders, with a few products to sell

Revision ID: shop_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot import UTCDateTime

revision: str = "shop_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("shop",)
depends_on: str | Sequence[str] | None = "0001"

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    items = op.create_table(
        "shop_items",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_items")),
    )
    op.create_table(
        "shop_orders",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.Boolean(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_orders")),
    )
    op.create_index("idx_shop_orders_client_id", "shop_orders", ["client_id"])
    op.bulk_insert(
        items,
        [
            {"id": 1, "name": "Green tea", "price": 350, "stock": 40},
            {"id": 2, "name": "Black tea", "price": 300, "stock": 25},
            {"id": 3, "name": "Clay teapot", "price": 1900, "stock": 3},
            {"id": 4, "name": "Tea cups, set of 6", "price": 1200, "stock": 0},
        ],
    )


def downgrade() -> None:
    op.drop_table("shop_orders")
    op.drop_table("shop_items")
