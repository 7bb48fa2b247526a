"""The tables of the classifieds app: ad kinds (data, not code), ads, and each ad's posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from relaybot import Base, BigId, UTCDateTime, utcnow

AD_STATUSES = ("draft", "pending", "posted", "rejected", "discarded", "sold")
"""draft: being written or previewed; pending: waiting for a moderator; posted: in the
channel; rejected: a moderator said no; discarded: the author threw it away; sold: done."""


class AdKind(Base):
    """A kind of ad one bot takes (a sale, a repair request): its stages and their choices."""

    __tablename__ = "classified_kinds"
    __table_args__ = (UniqueConstraint("bot", "code", name="uq_classified_kinds_bot_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(80))
    stages: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)


class Ad(Base):
    __tablename__ = "classified_ads"
    __table_args__ = (
        Index("idx_classified_ads_bot_status", "bot", "status"),
        Index("idx_classified_ads_author", "bot", "author_id"),
        Index("idx_classified_ads_remind_at", "remind_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    kind_title: Mapped[str] = mapped_column(String(80))
    author_id: Mapped[str] = mapped_column(String(128))
    author_chat: Mapped[str] = mapped_column(String(128))
    author_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback: Mapped[list[str]] = mapped_column(JSON, default=list)
    reject_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AdPost(Base):
    """One appearance of an ad in the channel; a repost is a new row. `message_ids` come
    back from the channel in a delivery receipt (empty until then)."""

    __tablename__ = "classified_posts"
    __table_args__ = (
        Index("idx_classified_posts_ad", "ad_id"),
        Index("idx_classified_posts_message", "chat_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ad_id: Mapped[int] = mapped_column(ForeignKey("classified_ads.id", ondelete="CASCADE"))
    chat_id: Mapped[str] = mapped_column(String(128))
    message_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    message_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """The first of `message_ids`: the one a discussion group's forward names."""
    with_media: Mapped[bool] = mapped_column(Boolean, default=False)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ANY = ""
"""A filter field left open: "any kind", "any category", "any region"."""


class AdFilter(Base):
    """What one subscriber of a filter bot wants to hear of, until `expires_at`.

    Matching reads the composite index (ads bot, kind, category, region, expiry) with "any"
    stored as "" so that a post's eight combinations of exact and open fields are eight
    index ranges, never a pass over every filter; price and keywords are checked on those
    candidates only."""

    __tablename__ = "classified_filters"
    __table_args__ = (
        Index(
            "idx_classified_filters_match",
            "ads_bot",
            "kind",
            "category",
            "region",
            "expires_at",
        ),
        Index("idx_classified_filters_owner", "bot", "chat_id"),
        Index("idx_classified_filters_expires", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8), default="en")
    ads_bot: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), default=ANY)
    category: Mapped[str] = mapped_column(String(80), default=ANY)
    region: Mapped[str] = mapped_column(String(60), default=ANY)
    price_min: Mapped[float | None] = mapped_column(nullable=True)
    price_max: Mapped[float | None] = mapped_column(nullable=True)
    currency: Mapped[str | None] = mapped_column(String(8), nullable=True)
    keywords: Mapped[str] = mapped_column(String(200), default="")
    """Lower-case words the post must all have, joined by commas ("" for none): plain text,
    since matching reads it for thousands of candidates at a time."""
    period_days: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warned: Mapped[bool] = mapped_column(Boolean, default=False)
