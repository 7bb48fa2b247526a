"""sign_in_codes: one-time sign-in codes, kept as HMACs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot.store.base import UTCDateTime

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_codes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_codes")),
    )
    op.create_index("ix_sign_in_codes_subject_created", "sign_in_codes", ["subject", "created_at"])
    op.create_index(
        "ix_sign_in_codes_requester_created", "sign_in_codes", ["requester", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_sign_in_codes_requester_created", table_name="sign_in_codes")
    op.drop_index("ix_sign_in_codes_subject_created", table_name="sign_in_codes")
    op.drop_table("sign_in_codes")
