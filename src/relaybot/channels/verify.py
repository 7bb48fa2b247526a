"""Checks every webhook door shares: secrets compared in constant time, HMAC-signed context."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from pydantic import SecretStr


def same_secret(given: str | None, expected: SecretStr | str | None) -> bool:
    """Constant-time comparison; a missing value on either side never matches."""
    if given is None or expected is None:
        return False
    wanted = expected.get_secret_value() if isinstance(expected, SecretStr) else expected
    if not wanted:
        return False
    return hmac.compare_digest(given.encode(), wanted.encode())


class Signer:
    """Signs small JSON contexts that travel through a channel and come back to us.

    The key is derived from a bot secret and a purpose, so a context signed for one use
    (a message button) is never accepted for another (a dialog).
    """

    def __init__(self, secret: str, purpose: str) -> None:
        self._key = hashlib.sha256(f"relaybot:{purpose}:{secret}".encode()).digest()

    def sign(self, data: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(
            json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        ).decode()
        return f"{body}.{self._mac(body)}"

    def verify(self, token: object) -> dict[str, Any] | None:
        if not isinstance(token, str) or token.count(".") != 1 or len(token) > 65536:
            return None
        body, mac = token.split(".")
        if not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body.encode()))
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _mac(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")
