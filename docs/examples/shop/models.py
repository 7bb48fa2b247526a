"""The shop's two tables: what is on the shelf, and what people ordered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy import Date as SQLDate
from sqlalchemy.orm import Mapped, mapped_column

from relaybot import Base, BigId, UTCDateTime, utcnow


# --8<-- [start:models]
class Item(Base):
    """A product on the shelf; `stock` goes down as orders are placed."""

    __tablename__ = "shop_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    price: Mapped[int] = mapped_column(Integer)  # in whole som
    stock: Mapped[int] = mapped_column(Integer)


class ShopOrder(Base):
    """One order, as the dialog collected it."""

    __tablename__ = "shop_orders"
    __table_args__ = (Index("idx_shop_orders_client_id", "client_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bot: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(128))
    item_id: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    delivery: Mapped[bool]
    address: Mapped[str | None] = mapped_column(String(300))
    photos: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the channel's photo ids
    day: Mapped[date] = mapped_column(SQLDate)
    phone: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --8<-- [end:models]
