"""The reminders app's tables: accounts, refresh tokens, reminder bots, their jobs and runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from relaybot import Base, BigId, UTCDateTime, utcnow

LOGIN_MAX = 64
NAME_MAX = 64
SHORT_NAME_MAX = 64
TEXT_MAX = 4000
CRON_MAX = 100
TZ_MAX = 64
TARGET_MAX = 128
MISSED_POLICIES = ("once", "skip")
ROLES = ("user", "admin")


class Account(Base):
    """A person who owns reminder bots; `token_version` rises when the password changes, which
    revokes every token issued before."""

    __tablename__ = "reminders_accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(LOGIN_MAX), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="user")
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatLink(Base):
    """A chat identity (bot + user id) tied to an account, so REST and chat see the same bots."""

    __tablename__ = "reminders_chat_links"
    __table_args__ = (UniqueConstraint("bot", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("reminders_accounts.id", ondelete="CASCADE"))
    bot: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    # Where the person last used the bot: where the engine tells them a reminder was switched off.
    chat_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LinkCode(Base):
    """A one-time code an account holder types in chat to link that chat identity."""

    __tablename__ = "reminders_link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("reminders_accounts.id", ondelete="CASCADE"))
    expires_at: Mapped[float] = mapped_column(Float)


class RefreshToken(Base):
    """A refresh token, stored only as its hash; using one spends it (rotation), and using a
    spent one revokes its whole family (it was stolen)."""

    __tablename__ = "reminders_refresh_tokens"
    __table_args__ = (Index("idx_reminders_refresh_family", "family"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("reminders_accounts.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(32))
    token_version: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)
    spent: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ReminderBot(Base):
    """A person's reminder bot: a name of their choice, posting through relaybot bot `via`."""

    __tablename__ = "reminders_bots"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("reminders_accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    via: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderJob(Base):
    """One reminder: what to post where, on which cron line in which time zone.

    `next_due_at` (epoch seconds) is the one due time not yet run; the engine advances it in
    the transaction that records the run, which is what makes each due time run once.
    """

    __tablename__ = "reminders_jobs"
    __table_args__ = (
        UniqueConstraint("bot_id", "short_name"),
        Index("idx_reminders_jobs_due", "active", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot_id: Mapped[int] = mapped_column(ForeignKey("reminders_bots.id", ondelete="CASCADE"))
    short_name: Mapped[str] = mapped_column(String(SHORT_NAME_MAX))
    target: Mapped[str] = mapped_column(String(TARGET_MAX))
    text: Mapped[str] = mapped_column(Text)
    cron: Mapped[str] = mapped_column(String(CRON_MAX))
    timezone: Mapped[str] = mapped_column(String(TZ_MAX))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ends_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    missed: Mapped[str] = mapped_column(String(8), default="once")
    next_due_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    off_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderRun(Base):
    """What became of one due time: sent, skipped (missed while down) or failed."""

    __tablename__ = "reminders_runs"
    __table_args__ = (UniqueConstraint("job_id", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("reminders_jobs.id", ondelete="CASCADE"))
    due_at: Mapped[float] = mapped_column(Float)
    ran_at: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)


class EngineMark(Base):
    """Small named counters of the engine (how far it has read the refused deliveries)."""

    __tablename__ = "reminders_marks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigId, default=0)
