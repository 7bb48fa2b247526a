"""A browser-less web chat visitor: posts like the page does and reads replies live."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import httpx
import websockets


class WebchatClient:
    """One visitor (one cookie) talking to one bot of a running relaybot."""

    def __init__(self, base_url: str, bot: str, *, locale: str = "en") -> None:
        self.base_url = base_url.rstrip("/")
        self.bot = bot
        self.locale = locale
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=10)
        self.received: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()  # a message of the bot to this visitor
        self._seen = asyncio.Event()  # anything new in the history, the visitor's own too
        self._listener: asyncio.Task[None] | None = None
        self._last_id = 0
        self.menu: list[list[dict[str, str]]] = []  # the chat's persistent menu, as pushed

    async def __aenter__(self) -> WebchatClient:
        response = await self.http.get("/")
        response.raise_for_status()
        self._listener = asyncio.create_task(self._listen())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(BaseException):
                await self._listener
        await self.http.aclose()

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    async def _listen(self) -> None:
        ws_url = self.base_url.replace("http://", "ws://") + f"/chat/ws?after={self._last_id}"
        while True:
            try:
                async with websockets.connect(
                    ws_url, additional_headers={"Cookie": self.cookie, "Origin": self.base_url}
                ) as socket:
                    async for raw in socket:
                        pushed = json.loads(raw)
                        if self.bot in pushed.get("menus", {}):
                            self.menu = pushed["menus"][self.bot]
                        for message in pushed["messages"]:
                            self._last_id = max(self._last_id, message["id"])
                            if message["bot"] == self.bot and message["direction"] == "out":
                                self.received.append(message)
                                self._arrived.set()
                        self._seen.set()
            except (OSError, websockets.ConnectionClosed):
                await asyncio.sleep(0.2)
            ws_url = self.base_url.replace("http://", "ws://") + f"/chat/ws?after={self._last_id}"

    async def post(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        msg_id: str | None = None,
        files: Sequence[str] = (),
    ) -> httpx.Response:
        """Post a message; `files` are ids `upload` answered, sent with it."""
        body = {
            "id": msg_id or uuid.uuid4().hex,
            "text": text,
            "payload": payload,
            "locale": self.locale,
            "files": list(files),
        }
        return await self.http.post(
            f"/chat/api/{self.bot}/messages", json=body, headers={"Origin": self.base_url}
        )

    async def say(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        msg_id: str | None = None,
        files: Sequence[str] = (),
        expect: int = 1,
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """Send and return the bot's replies to it: all of them, once the server says the
        message is settled (handled, and its replies in the history), and at least `expect`."""
        start = len(self.received)
        client_id = msg_id or uuid.uuid4().hex
        response = await self.post(text, payload=payload, msg_id=client_id, files=files)
        response.raise_for_status()
        async with asyncio.timeout(timeout):
            last_id = await self.settled(client_id)
            while self._last_id < last_id or len(self.received) - start < expect:
                self._seen.clear()
                await self._seen.wait()
        return self.received[start:]

    async def upload(self, content: bytes, name: str) -> dict[str, Any]:
        """Attach a file as the page does; what the server kept (its `id` goes in `files`)."""
        response = await self.http.post(
            f"/chat/api/{self.bot}/files",
            params={"name": name},
            content=content,
            headers={"Origin": self.base_url, "Content-Type": "application/octet-stream"},
        )
        response.raise_for_status()
        kept: dict[str, Any] = response.json()
        return kept

    async def settled(self, client_id: str, *, interval: float = 0.01) -> int:
        """Wait until the server says the message `client_id` is settled; the chat's newest
        history id then. A message it never took (over the flood limit) settles at once."""
        while True:
            response = await self.http.get(f"/chat/api/{self.bot}/messages/{client_id}")
            if response.status_code == 404:
                return 0
            response.raise_for_status()
            progress = response.json()
            if progress["settled"]:
                last_id: int = progress["last_id"]
                return last_id
            await asyncio.sleep(interval)

    async def replies(
        self, start: int, *, expect: int = 1, timeout: float = 10.0, quiet: float = 0.3
    ) -> list[dict[str, Any]]:
        """The bot's messages after the first `start`: at least `expect`, then until `quiet`
        s of silence (for what another visitor's message makes the bot say here)."""
        async with asyncio.timeout(timeout):
            while len(self.received) - start < expect:
                self._arrived.clear()
                await self._arrived.wait()
        while True:
            self._arrived.clear()
            try:
                async with asyncio.timeout(quiet):
                    await self._arrived.wait()
            except TimeoutError:
                return self.received[start:]

    async def press(self, label: str, **kwargs: Any) -> list[dict[str, Any]]:
        """Press the button labelled `label` on the bot's latest message that has buttons."""
        for message in reversed(self.received):
            for row in message.get("buttons") or []:
                for button in row:
                    if button["text"] == label:
                        return await self.say(button["text"], payload=button["payload"], **kwargs)
            if message.get("buttons"):
                break
        raise LookupError(f"no button {label!r} on the latest message")

    async def tap_menu(self, label: str, **kwargs: Any) -> list[dict[str, Any]]:
        """Press the button labelled `label` on the chat's persistent menu."""
        for row in self.menu:
            for button in row:
                if button["text"] == label:
                    return await self.say(button["text"], payload=button["payload"], **kwargs)
        raise LookupError(f"no {label!r} on the chat's menu: {self.menu}")

    def buttons(self) -> list[str]:
        for message in reversed(self.received):
            if message.get("buttons"):
                return [b["text"] for row in message["buttons"] for b in row]
        return []

    async def history(self) -> list[dict[str, Any]]:
        response = await self.http.get(f"/chat/api/{self.bot}/history")
        response.raise_for_status()
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages
