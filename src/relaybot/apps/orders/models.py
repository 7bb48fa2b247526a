"""The tables of the order-intake app: orders, and the chats its operators work in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from relaybot import Base, BigId, UTCDateTime, utcnow

ORDER_STATUSES = ("new", "confirmed", "delivered", "cancelled")
REASON_MAX = 200


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("idx_orders_created_at", "created_at"),
        Index("idx_orders_status", "status"),
        Index("idx_orders_client_id", "client_id"),
        Index("idx_orders_chat2desk_client_id", "chat2desk_client_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_phone: Mapped[str] = mapped_column(String(32))
    delivery_address: Mapped[str] = mapped_column(String(200))
    bottles_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(32))
    bot: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="new")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The client's chat and language, so each change reaches them where and as they ordered.
    chat_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The Chat2Desk client id, set for orders that came through Chat2Desk.
    chat2desk_client_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(REASON_MAX), nullable=True)


class OperatorChat(Base):
    """A chat (a Telegram group, a Mattermost channel, a web chat) where new orders are
    announced and whose members may accept, deliver and cancel them."""

    __tablename__ = "orders_operator_chats"
    __table_args__ = (UniqueConstraint("bot", "chat_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
