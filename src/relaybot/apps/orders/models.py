"""The orders table of the order-intake app."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from relaybot import Base, BigId, UTCDateTime, utcnow

ORDER_STATUSES = ("new", "confirmed", "delivered", "cancelled")


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("idx_orders_created_at", "created_at"),
        Index("idx_orders_status", "status"),
        Index("idx_orders_client_id", "client_id"),
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
