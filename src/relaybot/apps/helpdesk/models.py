"""Tables of the help desk: the catalogue (places, resources, scenarios), people and requests.

A person is known by where they can be reached, `(bot, chat_id)`, so the same help desk serves
web chat, Telegram and the other channels at once. Being a provider is not a flag: it is having
links to scenarios. Moderator and admin are flags an admin sets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relaybot import Base, BigId, UTCDateTime, utcnow

DEMAND_STATUSES = ("new", "in_progress", "closed", "cancelled")
OPEN_STATUSES = ("new", "in_progress")
PARTICIPANT_ROLES = ("requester", "provider", "moderator")

NAME_MAX = 100
DESCRIPTION_MAX = 1000


class Place(Base):
    __tablename__ = "helpdesk_places"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Resource(Base):
    __tablename__ = "helpdesk_resources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Scenario(Base):
    """A category of help: this resource at this place. Inactive ones are hidden from menus."""

    __tablename__ = "helpdesk_scenarios"
    __table_args__ = (UniqueConstraint("place_id", "resource_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    place_id: Mapped[int] = mapped_column(BigId, ForeignKey("helpdesk_places.id"))
    resource_id: Mapped[int] = mapped_column(BigId, ForeignKey("helpdesk_resources.id"))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    place: Mapped[Place] = relationship(lazy="joined", innerjoin=True)
    resource: Mapped[Resource] = relationship(lazy="joined", innerjoin=True)

    @property
    def title(self) -> str:
        return f"{self.place.name} / {self.resource.name}"


class HelpdeskUser(Base):
    """Someone the help desk talks to; `current_demand_id` is the one conversation they are in."""

    __tablename__ = "helpdesk_users"
    __table_args__ = (UniqueConstraint("bot", "chat_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    is_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    current_demand_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_take_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UserScenario(Base):
    """A provider's link to a category they can help with."""

    __tablename__ = "helpdesk_user_scenarios"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("helpdesk_users.id", ondelete="CASCADE"), primary_key=True
    )
    scenario_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("helpdesk_scenarios.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Demand(Base):
    """A request for help. `priority` 1 puts a declined request ahead of the waiting ones."""

    __tablename__ = "helpdesk_demands"
    __table_args__ = (
        # The queue order of "take next", so the next request is the first index entry.
        Index(
            "ix_helpdesk_demands_queue",
            "status",
            text("priority DESC"),
            "created_at",
            "id",
        ),
        Index("ix_helpdesk_demands_requester", "requester_id"),
        Index("ix_helpdesk_demands_provider", "provider_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int] = mapped_column(BigId, ForeignKey("helpdesk_scenarios.id"))
    requester_id: Mapped[int] = mapped_column(BigId, ForeignKey("helpdesk_users.id"))
    provider_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("helpdesk_users.id"), nullable=True
    )
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new")
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("helpdesk_users.id"), nullable=True
    )
    # When the moderators were told that this request waits too long (once per request).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    scenario: Mapped[Scenario] = relationship(lazy="joined", innerjoin=True)


class Participant(Base):
    """Who is in a request and as what. A row with `left_at` set no longer receives anything."""

    __tablename__ = "helpdesk_participants"
    __table_args__ = (
        UniqueConstraint("demand_id", "user_id", "role"),
        Index("ix_helpdesk_participants_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    demand_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("helpdesk_demands.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("helpdesk_users.id"))
    role: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    left_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)


class DemandMessage(Base):
    """What a participant wrote into a request, kept for its history and the REST API."""

    __tablename__ = "helpdesk_messages"
    __table_args__ = (Index("ix_helpdesk_messages_demand", "demand_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    demand_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("helpdesk_demands.id", ondelete="CASCADE")
    )
    author_id: Mapped[int] = mapped_column(BigId, ForeignKey("helpdesk_users.id"))
    author_role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HelpdeskSetting(Base):
    """Switches an operator flips at run time (self-service roles for the demo)."""

    __tablename__ = "helpdesk_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeskEvent(Base):
    """Something that concerns one person (a message, a request taken, declined or closed),
    kept for their live event stream (`GET /api/helpdesk/events`) to read in order."""

    __tablename__ = "helpdesk_events"
    __table_args__ = (Index("ix_helpdesk_events_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("helpdesk_users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    demand_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("helpdesk_demands.id", ondelete="CASCADE")
    )
    message_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
