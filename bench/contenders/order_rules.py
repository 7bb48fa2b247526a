"""The order dialog's texts, validation and order book, shared by the aiogram and PTB bots.

A bot author on either framework writes these once, framework-free; both contenders use this
module so they do the same work as relaybot's order app: the same prompts and keyboards, the
same phone parsing (phonenumbers), and the order saved in SQLite before its number is sent.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import aiosqlite
import phonenumbers

GREETING = (
    "Hello! I will take your order for 19-litre bottles of drinking water. "
    "It takes three short questions."
)
ASK_ADDRESS = "Where should we deliver? Please send the full address."
ASK_PHONE = "Your phone number, so the courier can call you (e.g. 0555 123 456)."
ASK_BOTTLES = "How many 19 l bottles? From 1 to 50."
SUMMARY_TITLE = "Please check your order:"
ASK_YES_NO = "Please answer Yes or No, or choose what to change."
CANCELLED = "Cancelled. Send any message when you want to start again."
DECLINED = "All right, nothing was saved. Send any message to start again."
THANKS = (
    "Thank you! Your order No. {number} is accepted. "
    "We will call {phone} to agree on the delivery time."
)
BAD_PHONE = "This does not look like a phone number we can call. Example: +996555123456"
BAD_BOTTLES = "Please send the number of bottles as a whole number from 1 to 50."
BOTTLE_CHOICES = ("1", "2", "3", "5", "10")
YES_WORDS = {"yes", "да", "y", "ok", "confirm"}
NO_WORDS = {"no", "нет", "n"}
CANCEL_WORDS = {"cancel", "отмена", "/cancel", "stop"}

_SPACES = re.compile(r"\s+")
_QUANTITY = re.compile(r"^\s*(\d{1,4})\s*(?:шт\.?|штук[аи]?|бутыл[а-я]*|bottles?|pcs)?\s*$", re.I)


class Invalid(ValueError):
    """The answer cannot be used; the message says why, for the person."""


def clean_address(text: str) -> str:
    address = _SPACES.sub(" ", text).strip()
    if len(address) < 5:
        raise Invalid("The address is too short: please write at least 5 characters.")
    if len(address) > 200:
        raise Invalid("The address is too long: please keep it within 200 characters.")
    return address


def clean_phone(text: str, region: str = "KG") -> str:
    candidate = text.strip()
    if not candidate or len(candidate) > 32 or not re.search(r"\d", candidate):
        raise Invalid(BAD_PHONE)
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(BAD_PHONE) from exc
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.region_code_for_number(number) != region
    ):
        raise Invalid(BAD_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_bottles(text: str) -> int:
    match = _QUANTITY.match(text)
    if match is None:
        raise Invalid(BAD_BOTTLES)
    count = int(match.group(1))
    if not 1 <= count <= 50:
        raise Invalid("We deliver from 1 to 50 bottles per order.")
    return count


def summary(data: dict[str, object]) -> str:
    return "\n".join(
        [
            SUMMARY_TITLE,
            f"Address: {data['address']}",
            f"Phone: {data['phone']}",
            f"Bottles: {data['bottles']} × 19 l",
        ]
    )


class OrderBook:
    """Orders in SQLite (WAL, synchronous=NORMAL, like relaybot's embedded store)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self._db = await aiosqlite.connect(self.path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute(
            "CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "client_phone TEXT, delivery_address TEXT, bottles_count INTEGER, source TEXT, "
            "client_id TEXT, status TEXT, created_at REAL, updated_at REAL)"
        )
        await self._db.commit()

    async def place(self, *, phone: str, address: str, bottles: int, client_id: str) -> int:
        if self._db is None:
            raise RuntimeError("the order book is not open")
        now = time.time()
        cursor = await self._db.execute(
            "INSERT INTO orders (client_phone, delivery_address, bottles_count, source, "
            "client_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (phone, address, bottles, "telegram", client_id, "new", now, now),
        )
        await self._db.commit()
        number = cursor.lastrowid
        if number is None:
            raise sqlite3.DatabaseError("the insert returned no row id")
        return number

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None
