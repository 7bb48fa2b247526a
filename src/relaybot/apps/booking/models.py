"""Tables of the booking app (prefixed `booking_`).

Times of bookings are UTC; working hours are minutes after local midnight in the location's
timezone. `booking_cells` holds one row per 15-minute cell a booking occupies, and its
primary key (specialist, cell) is what makes a double booking impossible on every database.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from relaybot import Base, BigId, UTCDateTime, utcnow

ROLES = ("admin", "specialist", "client")
STATUSES = ("pending", "confirmed", "done", "cancelled", "no_show")
OPEN_STATUSES = ("pending", "confirmed")
EVENTS = ("booking_created", "booking_cancelled", "booking_rescheduled", "booking_done")


def new_version() -> int:
    """A slot version no transaction has used before, so a rolled-back one never matches."""
    return secrets.randbits(62)


class User(Base):
    """A person the bot knows; `bot`/`chat_id` is where they are told things (None: offline)."""

    __tablename__ = "booking_users"
    __table_args__ = (
        UniqueConstraint("bot", "chat_id"),
        CheckConstraint("role IN ('admin', 'specialist', 'client')", name="role"),
        Index("ix_booking_users_role", "role"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot: Mapped[str | None] = mapped_column(String(64), nullable=True)
    chat_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The Telegram @username (lower case, no "@"), when the channel tells it.
    username: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    role: Mapped[str] = mapped_column(String(16), default="client")
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Location(Base):
    __tablename__ = "booking_locations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    schedule_version: Mapped[int] = mapped_column(BigInteger, default=new_version)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Service(Base):
    __tablename__ = "booking_services"
    __table_args__ = (
        CheckConstraint("duration_min > 0 AND duration_min % 15 = 0", name="duration"),
        CheckConstraint("price_minor >= 0", name="price"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    duration_min: Mapped[int] = mapped_column(Integer)
    price_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="KGS")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Specialist(Base):
    __tablename__ = "booking_specialists"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_users.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    invite_code: Mapped[str | None] = mapped_column(String(16), nullable=True, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SpecialistService(Base):
    __tablename__ = "booking_specialist_services"

    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("booking_specialists.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[int] = mapped_column(
        ForeignKey("booking_services.id", ondelete="CASCADE"), primary_key=True
    )


class WorkingHours(Base):
    """A weekly interval: on `weekday` (0 = Monday) from `start_min` to `end_min`, local time."""

    __tablename__ = "booking_working_hours"
    __table_args__ = (
        CheckConstraint(
            "weekday BETWEEN 0 AND 6 AND start_min >= 0 AND end_min <= 1440 "
            "AND start_min < end_min",
            name="interval",
        ),
        Index("ix_booking_working_hours_location", "location_id", "specialist_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("booking_specialists.id", ondelete="CASCADE")
    )
    location_id: Mapped[int] = mapped_column(ForeignKey("booking_locations.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    start_min: Mapped[int] = mapped_column(Integer)
    end_min: Mapped[int] = mapped_column(Integer)


class ScheduleException(Base):
    """One date that differs from the week: a day off (no minutes) or changed hours."""

    __tablename__ = "booking_schedule_exceptions"
    __table_args__ = (
        CheckConstraint(
            "(start_min IS NULL AND end_min IS NULL) OR "
            "(start_min >= 0 AND end_min <= 1440 AND start_min < end_min)",
            name="interval",
        ),
        Index("ix_booking_schedule_exceptions_location_day", "location_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("booking_specialists.id", ondelete="CASCADE")
    )
    location_id: Mapped[int] = mapped_column(ForeignKey("booking_locations.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_min: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Booking(Base):
    __tablename__ = "booking_bookings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'confirmed', 'done', 'cancelled', 'no_show')", name="status"
        ),
        Index("ix_booking_bookings_specialist_start", "specialist_id", "starts_at"),
        Index("ix_booking_bookings_client_start", "client_id", "starts_at"),
        Index("ix_booking_bookings_location_start", "location_id", "starts_at"),
        Index("ix_booking_bookings_status_end", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("booking_users.id"))
    specialist_id: Mapped[int] = mapped_column(ForeignKey("booking_specialists.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("booking_services.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("booking_locations.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_min: Mapped[int] = mapped_column(Integer)
    price_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="KGS")
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("booking_users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completion_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Cell(Base):
    """One 15-minute cell (UTC seconds // 900) of a specialist taken by a booking."""

    __tablename__ = "booking_cells"
    __table_args__ = (Index("ix_booking_cells_booking", "booking_id"),)

    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("booking_specialists.id"), primary_key=True
    )
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking_bookings.id", ondelete="CASCADE"))


class SlotVersion(Base):
    """Bumped whenever a booking of (location, local day) changes; slot caches compare it."""

    __tablename__ = "booking_slot_versions"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("booking_locations.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class AdTemplate(Base):
    __tablename__ = "booking_ad_templates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationSetting(Base):
    """Whether `event` is told to `recipient_role` on `channel` ('*': every channel), with an ad."""

    __tablename__ = "booking_notification_settings"
    __table_args__ = (UniqueConstraint("event", "recipient_role", "channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event: Mapped[str] = mapped_column(String(32))
    recipient_role: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32), default="*")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    ad_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_ad_templates.id", ondelete="SET NULL"), nullable=True
    )


class Broadcast(Base):
    """An announcement to every client, fed into the outbox at the broadcast rate."""

    __tablename__ = "booking_broadcasts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    last_user_id: Mapped[int] = mapped_column(BigInteger, default=0)
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("booking_users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
