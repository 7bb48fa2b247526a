"""A Chat2Desk REST API stand-in: `POST /v1/messages`, webhooks, clients writing in.

Register relaybot's webhook (`POST /v1/webhooks`, as with the real API, or
`add_webhook(url)`), then let a client write::

    async with Chat2DeskStandin(token="c2d-token") as chat2desk:
        chat2desk.add_webhook(f"{relaybot_url}/webhook/chat2desk/orders/{secret}")
        client = chat2desk.client(client_id=7001, name="Aida", phone="+996555123456")
        replies = await client.say("Hello")
        await client.choose("Yes")      # types the option's number, as a person would

Run it alone with `python -m relaybot.testing.chat2desk_standin --port 8083`.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from relaybot.testing.standin import StandinServer, read_params, serve_forever

_OPTION = re.compile(r"^(?:(\d+)\.|•)\s+(.+)$")


@dataclass
class SentMessage:
    """A message relaybot sent to a client through the API."""

    client_id: int
    text: str
    message_id: int
    transport: str | None
    type: str
    attachment: str | None = None
    pdf: str | None = None
    at: float = field(default_factory=time.time)


@dataclass
class Webhook:
    id: int
    name: str
    url: str
    events: list[str]


class Chat2DeskStandin(StandinServer):
    name = "chat2desk"

    def __init__(self, *, token: str = "c2d-token", host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.token = token
        self.sent: list[SentMessage] = []
        self.webhooks: list[Webhook] = []
        self.deliveries: list[int] = []
        self._ids = itertools.count(9_000_001)
        self._http: httpx.AsyncClient | None = None
        self._clients: dict[int, Chat2DeskClient] = {}

    def add_webhook(self, url: str, *, events: tuple[str, ...] = ("inbox",)) -> Webhook:
        hook = Webhook(next(self._ids), f"hook{len(self.webhooks) + 1}", url, list(events))
        self.webhooks.append(hook)
        return hook

    def client(
        self,
        client_id: int = 7001,
        *,
        name: str = "Client",
        phone: str | None = None,
        transport: str = "whatsapp",
    ) -> Chat2DeskClient:
        """The client with this id (the same one each time, so message ids keep counting)."""
        known = self._clients.get(client_id)
        if known is None:
            known = Chat2DeskClient(self, client_id, name=name, phone=phone, transport=transport)
            self._clients[client_id] = known
        return known

    def sent_to(self, client_id: int | str) -> list[SentMessage]:
        return [m for m in self.sent if m.client_id == int(client_id)]

    async def emit(self, event: str, payload: dict[str, Any]) -> list[httpx.Response]:
        """POST an event to every webhook subscribed to it; their answers, as sent."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=30)
        answers = []
        for hook in self.webhooks:
            if event in hook.events:
                body = {**payload, "hook_type": event}
                response = await self._http.post(hook.url, json=body)
                self.deliveries.append(response.status_code)
                answers.append(response)
        return answers

    # -- the REST API -----------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route("/v1/messages", self._messages, methods=["POST"]),
            Route("/v1/webhooks", self._list_webhooks, methods=["GET"]),
            Route("/v1/webhooks", self._create_webhook, methods=["POST"]),
        ]

    async def _authorised(
        self, request: Request, method: str
    ) -> tuple[dict[str, Any], Response | None]:
        try:
            params = await read_params(request)
        except ValueError:
            params = {}
        call = self.record(method, request, params)
        if request.headers.get("authorization") != self.token:
            call.status = 401
            return params, JSONResponse({"status": "error", "message": "Unauthorized"}, 401)
        fault = await self.fault_for(method, params, request)
        if fault is not None:
            call.status = fault.status
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(int(fault.retry_after))
            body = {"status": "error", "message": fault.description or f"error {fault.status}"}
            return params, JSONResponse(body, fault.status, headers=headers)
        call.status = 200
        return params, None

    async def _messages(self, request: Request) -> Response:
        params, refused = await self._authorised(request, "messages")
        if refused is not None:
            return refused
        client_id = params.get("client_id")
        text = params.get("text")
        if not str(client_id or "").isdigit():
            self.calls[-1].status = 400
            return JSONResponse({"status": "error", "message": "client_id is required"}, 400)
        if not text and not params.get("attachment") and not params.get("pdf"):
            self.calls[-1].status = 400
            return JSONResponse({"status": "error", "message": "text is required"}, 400)
        message = SentMessage(
            client_id=int(str(client_id)),
            text=str(text or ""),
            message_id=next(self._ids),
            transport=params.get("transport"),
            type=str(params.get("type") or "to_client"),
            attachment=params.get("attachment"),
            pdf=params.get("pdf"),
        )
        self.sent.append(message)
        self.changed()
        return JSONResponse(
            {
                "status": "success",
                "data": {
                    "message_id": message.message_id,
                    "channel_id": 1,
                    "operator_id": None,
                    "transport": message.transport or "whatsapp",
                    "type": message.type,
                    "client_id": message.client_id,
                    "dialog_id": 500_000 + message.client_id,
                    "request_id": 600_000 + message.client_id,
                },
            }
        )

    async def _list_webhooks(self, request: Request) -> Response:
        _params, refused = await self._authorised(request, "webhooks.list")
        if refused is not None:
            return refused
        data = [
            {"id": h.id, "name": h.name, "url": h.url, "events": h.events} for h in self.webhooks
        ]
        return JSONResponse({"status": "success", "data": data})

    async def _create_webhook(self, request: Request) -> Response:
        params, refused = await self._authorised(request, "webhooks.create")
        if refused is not None:
            return refused
        url = str(params.get("url") or "")
        if not url.startswith(("http://", "https://")):
            return JSONResponse({"status": "error", "message": "url is invalid"}, 400)
        hook = self.add_webhook(url, events=tuple(params.get("events") or ("inbox",)))
        return JSONResponse({"status": "success", "data": {"id": hook.id}})

    def control_routes(self) -> list[Route]:
        async def write(request: Request) -> Response:
            body = await request.json()
            client = self.client(int(body["client_id"]), name=str(body.get("name", "Client")))
            answers = await client.write(str(body.get("text", "")))
            return JSONResponse({"delivered_status": [a.status_code for a in answers]})

        async def messages(request: Request) -> Response:
            client = request.query_params.get("client_id")
            items = [
                {"client_id": m.client_id, "text": m.text, "message_id": m.message_id, "at": m.at}
                for m in self.sent
                if client is None or m.client_id == int(client)
            ]
            return JSONResponse({"messages": items})

        return [
            Route("/_standin/chat2desk/inbox", write, methods=["POST"]),
            Route("/_standin/chat2desk/messages", messages, methods=["GET"]),
        ]

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        await super().stop()


class Chat2DeskClient:
    """A customer writing through Chat2Desk (WhatsApp by default) to the bot."""

    def __init__(
        self,
        standin: Chat2DeskStandin,
        client_id: int,
        *,
        name: str,
        phone: str | None,
        transport: str,
    ) -> None:
        self.standin = standin
        self.client_id = client_id
        self.name = name
        self.phone = phone
        self.transport = transport
        self._message_ids = itertools.count(client_id * 1000 + 1)

    @property
    def messages(self) -> list[SentMessage]:
        return self.standin.sent_to(self.client_id)

    def inbox_event(self, text: str, *, message_id: int | None = None) -> dict[str, Any]:
        return {
            "message_id": message_id if message_id is not None else next(self._message_ids),
            "type": "from_client",
            "text": text,
            "transport": self.transport,
            "client_id": self.client_id,
            "operator_id": None,
            "dialog_id": 500_000 + self.client_id,
            "channel_id": 1,
            "photo": None,
            "coordinates": None,
            "audio": None,
            "pdf": None,
            "client": {
                "id": self.client_id,
                "phone": self.phone,
                "client_phone": self.phone,
                "name": self.name,
                "assigned_name": None,
                "external_id": None,
            },
            "request_id": 600_000 + self.client_id,
            "attachments": [],
            "is_new_request": False,
            "is_new_client": False,
            "extra_data": {},
            "event_time": time.strftime("%Y-%m-%dT%H:%M:%S UTC", time.gmtime()),
        }

    async def write(self, text: str, *, message_id: int | None = None) -> list[httpx.Response]:
        return await self.standin.emit("inbox", self.inbox_event(text, message_id=message_id))

    async def say(
        self,
        text: str,
        *,
        message_id: int | None = None,
        expect: int = 1,
        timeout: float = 10.0,
        quiet: float = 0.3,
    ) -> list[SentMessage]:
        """Write `text` and return the bot's replies (at least `expect`, then `quiet` s)."""
        start = len(self.messages)
        answers = await self.write(text, message_id=message_id)
        for answer in answers:
            if answer.status_code != 200:
                raise AssertionError(f"the bot's webhook answered {answer.status_code}")
        await self.standin.wait_until(lambda: len(self.messages) - start >= expect, timeout=timeout)
        seen = len(self.messages)
        while True:
            await asyncio.sleep(quiet)
            if len(self.messages) == seen:
                return self.messages[start:]
            seen = len(self.messages)

    def options(self) -> list[tuple[str | None, str]]:
        """(number or None, label) of the options listed in the bot's latest message."""
        for message in reversed(self.messages):
            found = [
                (m.group(1), m.group(2).strip())
                for m in (_OPTION.match(line.strip()) for line in message.text.splitlines())
                if m is not None
            ]
            if found:
                return found
        return []

    async def choose(self, label: str, **wait: Any) -> list[SentMessage]:
        """Answer the latest list of options the way a person does: by number, or by label."""
        for number, offered in self.options():
            if offered == label:
                return await self.say(number or offered, **wait)
        raise LookupError(f"no option {label!r} in the latest message: {self.options()}")


if __name__ == "__main__":
    serve_forever(
        lambda host, port: Chat2DeskStandin(host=host, port=port),
        "A Chat2Desk API stand-in for tests (token: c2d-token)",
    )
