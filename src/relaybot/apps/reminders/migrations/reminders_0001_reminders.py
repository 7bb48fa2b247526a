"""reminders: accounts, chat links, link codes, refresh tokens, bots, jobs, runs, marks

Revision ID: reminders_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot import UTCDateTime

revision: str = "reminders_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("reminders",)
depends_on: str | Sequence[str] | None = "0001"

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "reminders_accounts",
        _id(),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_accounts")),
        sa.UniqueConstraint("login", name=op.f("uq_reminders_accounts_login")),
    )
    op.create_table(
        "reminders_chat_links",
        _id(),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("bot", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("chat_id", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["reminders_accounts.id"],
            name=op.f("fk_reminders_chat_links_account_id_reminders_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_chat_links")),
        sa.UniqueConstraint("bot", "user_id", name=op.f("uq_reminders_chat_links_bot_user_id")),
    )
    op.create_table(
        "reminders_link_codes",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["reminders_accounts.id"],
            name=op.f("fk_reminders_link_codes_account_id_reminders_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_reminders_link_codes")),
    )
    op.create_table(
        "reminders_refresh_tokens",
        _id(),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("family", sa.String(32), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("spent", sa.Boolean(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["reminders_accounts.id"],
            name=op.f("fk_reminders_refresh_tokens_account_id_reminders_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reminders_refresh_tokens_token_hash")),
    )
    op.create_index("idx_reminders_refresh_family", "reminders_refresh_tokens", ["family"])
    op.create_table(
        "reminders_bots",
        _id(),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("via", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["reminders_accounts.id"],
            name=op.f("fk_reminders_bots_owner_id_reminders_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_bots")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_reminders_bots_owner_id_name")),
    )
    op.create_table(
        "reminders_jobs",
        _id(),
        sa.Column("bot_id", ID, nullable=False),
        sa.Column("short_name", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cron", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("ends_at", sa.Float(), nullable=True),
        sa.Column("missed", sa.String(8), nullable=False),
        sa.Column("next_due_at", sa.Float(), nullable=True),
        sa.Column("off_reason", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bot_id"],
            ["reminders_bots.id"],
            name=op.f("fk_reminders_jobs_bot_id_reminders_bots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_jobs")),
        sa.UniqueConstraint(
            "bot_id", "short_name", name=op.f("uq_reminders_jobs_bot_id_short_name")
        ),
    )
    op.create_index("idx_reminders_jobs_due", "reminders_jobs", ["active", "next_due_at"])
    op.create_table(
        "reminders_runs",
        _id(),
        sa.Column("job_id", ID, nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("ran_at", sa.Float(), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["reminders_jobs.id"],
            name=op.f("fk_reminders_runs_job_id_reminders_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_runs")),
        sa.UniqueConstraint("job_id", "due_at", name=op.f("uq_reminders_runs_job_id_due_at")),
    )
    op.create_table(
        "reminders_marks",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", ID, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_reminders_marks")),
    )
    # Refusals of messages sent before the app existed are none of its business.
    op.execute(
        "INSERT INTO reminders_marks (name, value) "
        "SELECT 'refusals', COALESCE(MAX(id), 0) FROM outbox"
    )


def downgrade() -> None:
    for table in (
        "reminders_marks",
        "reminders_runs",
        "reminders_jobs",
        "reminders_bots",
        "reminders_refresh_tokens",
        "reminders_link_codes",
        "reminders_chat_links",
        "reminders_accounts",
    ):
        op.drop_table(table)
