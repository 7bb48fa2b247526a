"""classified kinds, ads and posts

Revision ID: classifieds_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot import UTCDateTime

revision: str = "classifieds_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("classifieds",)
depends_on: str | Sequence[str] | None = "0001"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "classified_kinds",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classified_kinds")),
        sa.UniqueConstraint("bot", "code", name="uq_classified_kinds_bot_code"),
    )
    op.create_table(
        "classified_ads",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("kind_title", sa.String(length=80), nullable=False),
        sa.Column("author_id", sa.String(length=128), nullable=False),
        sa.Column("author_chat", sa.String(length=128), nullable=False),
        sa.Column("author_name", sa.String(length=128), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.JSON(), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.Column("remind_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classified_ads")),
    )
    op.create_index("idx_classified_ads_bot_status", "classified_ads", ["bot", "status"])
    op.create_index("idx_classified_ads_author", "classified_ads", ["bot", "author_id"])
    op.create_index("idx_classified_ads_remind_at", "classified_ads", ["remind_at"])
    op.create_table(
        "classified_posts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("ad_id", _ID, nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.String(length=32), nullable=True),
        sa.Column("with_media", sa.Boolean(), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_id"],
            ["classified_ads.id"],
            name=op.f("fk_classified_posts_ad_id_classified_ads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classified_posts")),
    )
    op.create_index("idx_classified_posts_ad", "classified_posts", ["ad_id"])
    op.create_index("idx_classified_posts_message", "classified_posts", ["chat_id", "message_id"])


def downgrade() -> None:
    op.drop_table("classified_posts")
    op.drop_table("classified_ads")
    op.drop_table("classified_kinds")
