"""booking tables

Revision ID: booking_0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from relaybot import UTCDateTime

revision: str = "booking_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("booking",)
depends_on: str | Sequence[str] | None = "0001"


def upgrade() -> None:
    op.create_table(
        "booking_ad_templates",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_ad_templates")),
    )
    op.create_table(
        "booking_locations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("schedule_version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_locations")),
    )
    op.create_table(
        "booking_services",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "duration_min > 0 AND duration_min % 15 = 0", name=op.f("ck_booking_services_duration")
        ),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_booking_services_price")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_services")),
    )
    op.create_table(
        "booking_users",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("bot", sa.String(length=64), nullable=True),
        sa.Column("chat_id", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'specialist', 'client')", name=op.f("ck_booking_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_users")),
        sa.UniqueConstraint("bot", "chat_id", name=op.f("uq_booking_users_bot_chat_id")),
    )
    op.create_index("ix_booking_users_role", "booking_users", ["role"], unique=False)
    op.create_table(
        "booking_broadcasts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_user_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["booking_users.id"],
            name=op.f("fk_booking_broadcasts_created_by_booking_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_broadcasts")),
    )
    op.create_table(
        "booking_notification_settings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("recipient_role", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "ad_template_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["ad_template_id"],
            ["booking_ad_templates.id"],
            name=op.f("fk_booking_notification_settings_ad_template_id_booking_ad_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_notification_settings")),
        sa.UniqueConstraint(
            "event",
            "recipient_role",
            "channel",
            name=op.f("uq_booking_notification_settings_event_recipient_role_channel"),
        ),
    )
    op.create_table(
        "booking_slot_versions",
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["booking_locations.id"],
            name=op.f("fk_booking_slot_versions_location_id_booking_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", "day", name=op.f("pk_booking_slot_versions")),
    )
    op.create_table(
        "booking_specialists",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("invite_code", sa.String(length=16), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["booking_users.id"],
            name=op.f("fk_booking_specialists_user_id_booking_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_specialists")),
        sa.UniqueConstraint("invite_code", name=op.f("uq_booking_specialists_invite_code")),
        sa.UniqueConstraint("user_id", name=op.f("uq_booking_specialists_user_id")),
    )
    op.create_table(
        "booking_bookings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "specialist_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("completion_asked_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'done', 'cancelled', 'no_show')",
            name=op.f("ck_booking_bookings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["booking_users.id"],
            name=op.f("fk_booking_bookings_client_id_booking_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["booking_users.id"],
            name=op.f("fk_booking_bookings_created_by_booking_users"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["booking_locations.id"],
            name=op.f("fk_booking_bookings_location_id_booking_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["booking_services.id"],
            name=op.f("fk_booking_bookings_service_id_booking_services"),
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["booking_specialists.id"],
            name=op.f("fk_booking_bookings_specialist_id_booking_specialists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_bookings")),
    )
    op.create_index(
        "ix_booking_bookings_client_start",
        "booking_bookings",
        ["client_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_booking_bookings_location_start",
        "booking_bookings",
        ["location_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_booking_bookings_specialist_start",
        "booking_bookings",
        ["specialist_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_booking_bookings_status_end", "booking_bookings", ["status", "ends_at"], unique=False
    )
    op.create_table(
        "booking_schedule_exceptions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "specialist_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_min", sa.Integer(), nullable=True),
        sa.Column("end_min", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(start_min IS NULL AND end_min IS NULL) OR (start_min >= 0 AND end_min <= 1440 AND start_min < end_min)",
            name=op.f("ck_booking_schedule_exceptions_interval"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["booking_locations.id"],
            name=op.f("fk_booking_schedule_exceptions_location_id_booking_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["booking_specialists.id"],
            name=op.f("fk_booking_schedule_exceptions_specialist_id_booking_specialists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_schedule_exceptions")),
    )
    op.create_index(
        "ix_booking_schedule_exceptions_location_day",
        "booking_schedule_exceptions",
        ["location_id", "day"],
        unique=False,
    )
    op.create_table(
        "booking_specialist_services",
        sa.Column(
            "specialist_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["booking_services.id"],
            name=op.f("fk_booking_specialist_services_service_id_booking_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["booking_specialists.id"],
            name=op.f("fk_booking_specialist_services_specialist_id_booking_specialists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "specialist_id", "service_id", name=op.f("pk_booking_specialist_services")
        ),
    )
    op.create_table(
        "booking_working_hours",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "specialist_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_min", sa.Integer(), nullable=False),
        sa.Column("end_min", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6 AND start_min >= 0 AND end_min <= 1440 AND start_min < end_min",
            name=op.f("ck_booking_working_hours_interval"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["booking_locations.id"],
            name=op.f("fk_booking_working_hours_location_id_booking_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["booking_specialists.id"],
            name=op.f("fk_booking_working_hours_specialist_id_booking_specialists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_working_hours")),
    )
    op.create_index(
        "ix_booking_working_hours_location",
        "booking_working_hours",
        ["location_id", "specialist_id"],
        unique=False,
    )
    op.create_table(
        "booking_cells",
        sa.Column(
            "specialist_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column(
            "booking_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["booking_bookings.id"],
            name=op.f("fk_booking_cells_booking_id_booking_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["booking_specialists.id"],
            name=op.f("fk_booking_cells_specialist_id_booking_specialists"),
        ),
        sa.PrimaryKeyConstraint("specialist_id", "cell", name=op.f("pk_booking_cells")),
    )
    op.create_index("ix_booking_cells_booking", "booking_cells", ["booking_id"], unique=False)


def downgrade() -> None:
    op.drop_table("booking_cells")
    op.drop_table("booking_working_hours")
    op.drop_table("booking_specialist_services")
    op.drop_table("booking_schedule_exceptions")
    op.drop_table("booking_bookings")
    op.drop_table("booking_specialists")
    op.drop_table("booking_slot_versions")
    op.drop_table("booking_notification_settings")
    op.drop_table("booking_broadcasts")
    op.drop_table("booking_users")
    op.drop_table("booking_services")
    op.drop_table("booking_locations")
    op.drop_table("booking_ad_templates")
