"""The key that encrypts bot credentials kept in the database (Fernet: AES-128-CBC + HMAC).

The key comes from `bots_key` (RELAYBOT_BOTS_KEY) or the file `bots_key_file`. On SQLite, the
embedded default, a missing file is created with a fresh key and owner-only permissions, so a
first start needs no setup; elsewhere every process must be given the same key, so none is
made up.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from relaybot.config import Settings


class BotKeyError(ValueError):
    """The key is missing, malformed, or does not open what is stored."""


@dataclass(frozen=True)
class BotCipher:
    """Seals a bot's secrets into one opaque value and opens it again."""

    fernet: Fernet
    source: str  # where the key came from, for messages ("RELAYBOT_BOTS_KEY", a file path)

    def seal(self, secrets: dict[str, Any]) -> bytes:
        return self.fernet.encrypt(json.dumps(secrets, sort_keys=True).encode())

    def open(self, sealed: bytes, *, bot: str) -> dict[str, Any]:
        try:
            opened: dict[str, Any] = json.loads(self.fernet.decrypt(sealed))
        except InvalidToken:
            raise BotKeyError(
                f"the bots key from {self.source} does not open the stored credentials of bot "
                f"{bot!r}: start relaybot with the key they were stored with"
            ) from None
        return opened


@dataclass(frozen=True)
class LoadedKey:
    cipher: BotCipher | None
    created: Path | None = None  # set when this call made a new key file


def _cipher(value: str, source: str) -> BotCipher:
    try:
        return BotCipher(Fernet(value.strip().encode()), source)
    except ValueError:
        raise BotKeyError(
            f"the bots key from {source} is not a Fernet key (44 characters of url-safe "
            "base64); make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from None


def load_bots_key(settings: Settings, *, create: bool = True) -> LoadedKey:
    """The cipher for bot credentials, or None where no key is configured (and none made)."""
    if settings.bots_key is not None and settings.bots_key.get_secret_value():
        return LoadedKey(_cipher(settings.bots_key.get_secret_value(), "RELAYBOT_BOTS_KEY"))
    path = settings.bots_key_file
    if path.is_file():
        return LoadedKey(_cipher(path.read_text(), str(path)))
    if not create or not settings.database_url.startswith("sqlite"):
        return LoadedKey(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key + b"\n")
    return LoadedKey(_cipher(key.decode(), str(path)), created=path)
