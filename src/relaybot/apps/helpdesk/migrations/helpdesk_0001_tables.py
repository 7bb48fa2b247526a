"""help desk tables

Revision ID: helpdesk_0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot import UTCDateTime

revision: str = "helpdesk_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("helpdesk",)
depends_on: str | Sequence[str] | None = "0001"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[int]:
    return sa.Column("id", BigId, autoincrement=True, nullable=False)


def upgrade() -> None:
    for table in ("helpdesk_places", "helpdesk_resources"):
        op.create_table(
            table,
            _id(),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("description", sa.String(length=1000), nullable=False),
            sa.Column("created_at", UTCDateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("name", name=op.f(f"uq_{table}_name")),
        )
    op.create_table(
        "helpdesk_scenarios",
        _id(),
        sa.Column("place_id", BigId, nullable=False),
        sa.Column("resource_id", BigId, nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["helpdesk_places.id"],
            name=op.f("fk_helpdesk_scenarios_place_id_helpdesk_places"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["helpdesk_resources.id"],
            name=op.f("fk_helpdesk_scenarios_resource_id_helpdesk_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_scenarios")),
        sa.UniqueConstraint(
            "place_id", "resource_id", name=op.f("uq_helpdesk_scenarios_place_id_resource_id")
        ),
    )
    op.create_table(
        "helpdesk_users",
        _id(),
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("is_moderator", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("current_demand_id", BigId, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("last_take_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_users")),
        sa.UniqueConstraint("bot", "chat_id", name=op.f("uq_helpdesk_users_bot_chat_id")),
    )
    op.create_table(
        "helpdesk_user_scenarios",
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("scenario_id", BigId, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["helpdesk_users.id"],
            name=op.f("fk_helpdesk_user_scenarios_user_id_helpdesk_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["helpdesk_scenarios.id"],
            name=op.f("fk_helpdesk_user_scenarios_scenario_id_helpdesk_scenarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "scenario_id", name=op.f("pk_helpdesk_user_scenarios")),
    )
    op.create_table(
        "helpdesk_demands",
        _id(),
        sa.Column("scenario_id", BigId, nullable=False),
        sa.Column("requester_id", BigId, nullable=False),
        sa.Column("provider_id", BigId, nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["helpdesk_scenarios.id"],
            name=op.f("fk_helpdesk_demands_scenario_id_helpdesk_scenarios"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["helpdesk_users.id"],
            name=op.f("fk_helpdesk_demands_requester_id_helpdesk_users"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["helpdesk_users.id"],
            name=op.f("fk_helpdesk_demands_provider_id_helpdesk_users"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["helpdesk_users.id"],
            name=op.f("fk_helpdesk_demands_closed_by_id_helpdesk_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_demands")),
    )
    op.create_index(
        "ix_helpdesk_demands_queue",
        "helpdesk_demands",
        ["status", sa.text("priority DESC"), "created_at", "id"],
    )
    op.create_index("ix_helpdesk_demands_requester", "helpdesk_demands", ["requester_id"])
    op.create_index("ix_helpdesk_demands_provider", "helpdesk_demands", ["provider_id"])
    op.create_table(
        "helpdesk_participants",
        _id(),
        sa.Column("demand_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("left_at", UTCDateTime(), nullable=True),
        sa.Column("left_reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["helpdesk_demands.id"],
            name=op.f("fk_helpdesk_participants_demand_id_helpdesk_demands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["helpdesk_users.id"],
            name=op.f("fk_helpdesk_participants_user_id_helpdesk_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_participants")),
        sa.UniqueConstraint(
            "demand_id",
            "user_id",
            "role",
            name=op.f("uq_helpdesk_participants_demand_id_user_id_role"),
        ),
    )
    op.create_index("ix_helpdesk_participants_user", "helpdesk_participants", ["user_id"])
    op.create_table(
        "helpdesk_messages",
        _id(),
        sa.Column("demand_id", BigId, nullable=False),
        sa.Column("author_id", BigId, nullable=False),
        sa.Column("author_role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["helpdesk_demands.id"],
            name=op.f("fk_helpdesk_messages_demand_id_helpdesk_demands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["helpdesk_users.id"],
            name=op.f("fk_helpdesk_messages_author_id_helpdesk_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_messages")),
    )
    op.create_index("ix_helpdesk_messages_demand", "helpdesk_messages", ["demand_id", "id"])
    op.create_table(
        "helpdesk_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_helpdesk_settings")),
    )


def downgrade() -> None:
    for table in (
        "helpdesk_settings",
        "helpdesk_messages",
        "helpdesk_participants",
        "helpdesk_demands",
        "helpdesk_user_scenarios",
        "helpdesk_users",
        "helpdesk_scenarios",
        "helpdesk_resources",
        "helpdesk_places",
    ):
        op.drop_table(table)
