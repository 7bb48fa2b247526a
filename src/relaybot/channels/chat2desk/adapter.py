"""Chat2Desk: `inbox` webhooks in, `POST /v1/messages` out, buttons as typed options."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import httpx
import structlog

from relaybot.channels import choices
from relaybot.channels.chat2desk.options import DEFAULT_API_BASE, Chat2DeskOptions
from relaybot.channels.i18n import channel_translator
from relaybot.channels.limits import window_limit
from relaybot.channels.options import read_options, require_token
from relaybot.channels.store import ChatMemoryStore
from relaybot.channels.text import split_text
from relaybot.channels.verify import same_secret
from relaybot.config import BotConfig
from relaybot.core.channel import Limit, WebhookRejected, WebhookResult
from relaybot.core.errors import DeliveryError, PermanentDeliveryError, RetryAfter
from relaybot.core.i18n import N_
from relaybot.core.types import Attachment, OutgoingMessage, Update

if TYPE_CHECKING:
    from starlette.requests import Request

    from relaybot.channels.registry import AdapterDeps

log = structlog.get_logger("relaybot.chat2desk")

HINT_NUMBERED = N_("Reply with the number of your choice.")
HINT_LABELS = N_("Reply with one of the options.")
_KNOWN_TRANSPORTS = 10_000


class Chat2DeskAdapter:
    channel = "chat2desk"

    def __init__(self, bot: BotConfig, deps: AdapterDeps) -> None:
        self.bot = bot
        self.options = read_options(bot, Chat2DeskOptions)
        self._token = require_token(bot)
        if bot.webhook_secret is None or not bot.webhook_secret.get_secret_value():
            raise ValueError(
                f"bot {bot.name!r}: a Chat2Desk bot needs webhook_secret; put it in the webhook "
                "URL (/webhook/chat2desk/{bot}/{secret}) or send it in the secret header"
            )
        self.api_base = (bot.api_base or DEFAULT_API_BASE).rstrip("/")
        self.memory = ChatMemoryStore(deps.sessions, bot.name)
        self.default_locale = deps.settings.default_locale
        self._transports: OrderedDict[str, str] = OrderedDict()
        self._http: httpx.AsyncClient | None = None

    # -- in ---------------------------------------------------------------------------------
    async def handle_webhook(self, request: Request, subpath: str) -> WebhookResult:
        given = subpath or request.headers.get(self.options.secret_header)
        if not same_secret(given, self.bot.webhook_secret):
            raise WebhookRejected(401, "wrong or missing webhook secret")
        try:
            data = json.loads(await request.body())
        except ValueError:
            raise WebhookRejected(400, "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise WebhookRejected(400, "a Chat2Desk event is a JSON object")
        hook = data.get("hook_type") or data.get("event")
        if hook != "inbox" or data.get("type", "from_client") != "from_client":
            return WebhookResult([], {"status": "ignored"})
        message_id, client_id = data.get("message_id"), data.get("client_id")
        if client_id is None and isinstance(data.get("client"), dict):
            client_id = data["client"].get("id")
        if not _is_id(message_id) or not _is_id(client_id):
            raise WebhookRejected(400, "an inbox event needs message_id and client_id")
        chat_id = str(client_id)
        update = await self._to_update(data, chat_id=chat_id, message_id=str(message_id))
        if update is None:
            return WebhookResult([], {"status": "ignored"})
        await self._remember_transport(chat_id, data.get("transport"))
        return WebhookResult([update], {"status": "success"})

    async def _to_update(
        self, data: dict[str, Any], *, chat_id: str, message_id: str
    ) -> Update | None:
        text: str = data["text"] if isinstance(data.get("text"), str) else ""
        attachments = _attachments(data)
        if not text and not attachments:
            return None
        client: dict[str, Any] = data["client"] if isinstance(data.get("client"), dict) else {}
        name = client.get("name") or client.get("assigned_name")
        kind, payload = "message", None
        if text:
            memory = await self.memory.get(chat_id)
            offered = [(str(o[0]), str(o[1])) for o in (memory.options or [])] if memory else []
            picked = choices.match(text, offered)
            if picked is not None:
                kind, payload = "button", picked[1]
        raw: dict[str, Any] = {"message_id": message_id}
        for key in ("transport", "dialog_id", "channel_id", "request_id"):
            if data.get(key) is not None:
                raw[key] = data[key]
        phone = client.get("phone") or client.get("client_phone")
        if phone:
            raw["phone"] = str(phone)
        return Update(
            channel="chat2desk",
            bot=self.bot.name,
            chat_id=chat_id,
            user_id=chat_id,
            update_id=message_id,
            kind="button" if kind == "button" else "message",
            text=text.strip(),
            payload=payload,
            attachments=attachments,
            user_name=str(name) if name else None,
            received_at=time.time(),
            raw=raw,
        )

    async def _remember_transport(self, chat_id: str, transport: object) -> None:
        """Written only when it changes, so a busy chat costs no extra write per message."""
        if not isinstance(transport, str) or not transport:
            return
        if self._transports.get(chat_id) == transport:
            return
        await self.memory.set(chat_id, transport=transport[:64])
        self._transports[chat_id] = transport
        self._transports.move_to_end(chat_id)
        while len(self._transports) > _KNOWN_TRANSPORTS:
            self._transports.popitem(last=False)

    # -- out --------------------------------------------------------------------------------
    async def send(self, chat_id: str, message: OutgoingMessage) -> None:
        offered = choices.flatten(message.buttons)
        memory = await self.memory.get(chat_id)
        transport = self.options.transport or (memory.transport if memory else None)
        if offered or (memory and memory.options):
            await self.memory.set(chat_id, options=[list(o) for o in offered] or None)
        t = channel_translator(None, self.default_locale)
        hint = t(HINT_NUMBERED if choices.numbered(offered) else HINT_LABELS)
        text = choices.render(message.text, offered, hint=hint)
        extra_links: list[str] = []
        for item in message.media:
            body = _media_body(item)
            if body is None:
                extra_links.append(item.ref)
            else:
                await self._post(chat_id, body, transport)
        if extra_links:
            text = "\n".join([text, *extra_links]) if text else "\n".join(extra_links)
        if text.strip():
            for part in split_text(text, self.options.text_limit):
                await self._post(chat_id, {"text": part}, transport)

    async def _post(self, chat_id: str, body: dict[str, Any], transport: str | None) -> None:
        payload: dict[str, Any] = {
            "client_id": int(chat_id) if chat_id.isdigit() else chat_id,
            "type": self.options.message_type,
            **body,
        }
        if transport:
            payload["transport"] = transport
        try:
            response = await self._client().post("/v1/messages", json=payload)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Chat2Desk unreachable: {type(exc).__name__}") from None
        status = response.status_code
        if status == 429:
            raise RetryAfter(_retry_after(response, default=60 / self.options.requests_per_minute))
        if status >= 500 or status in (401, 403, 408):
            raise DeliveryError(f"Chat2Desk answered {status}")
        if status >= 400:
            raise PermanentDeliveryError(
                f"Chat2Desk refused the message ({status}): {_error_text(response)}"
            )
        answer = _json(response)
        if isinstance(answer, dict) and answer.get("status") not in (None, "success"):
            raise PermanentDeliveryError(f"Chat2Desk refused the message: {_error_text(response)}")

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.api_base,
                headers={"Authorization": self._token},
                timeout=self.options.request_timeout,
            )
        return self._http

    def limits(self, chat_id: str) -> list[Limit]:
        o = self.options
        return [window_limit(self.bot.name, o.requests_per_minute, 60.0, burst=o.burst)]

    async def start(self) -> None:
        self._client()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _is_id(value: object) -> bool:
    return (
        isinstance(value, int | str) and not isinstance(value, bool) and 0 < len(str(value)) <= 64
    )


def _attachments(data: dict[str, Any]) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if isinstance(data.get("photo"), str) and data["photo"]:
        found.append(Attachment("photo", data["photo"]))
    if isinstance(data.get("pdf"), str) and data["pdf"]:
        found.append(Attachment("document", data["pdf"], mime_type="application/pdf"))
    if isinstance(data.get("audio"), str) and data["audio"]:
        found.append(Attachment("audio", data["audio"]))
    if data.get("coordinates"):
        found.append(Attachment("location", str(data["coordinates"])))
    for item in data.get("attachments") or []:
        if isinstance(item, dict):
            link = item.get("link") or item.get("url")
            if isinstance(link, str) and link:
                found.append(Attachment("other", link, name=item.get("name")))
    return tuple(found)


def _media_body(item: Attachment) -> dict[str, Any] | None:
    if not item.ref.startswith(("http://", "https://")):
        return None
    if item.kind == "photo":
        return {"attachment": item.ref, **({"text": item.caption} if item.caption else {})}
    if item.kind == "document" and (item.mime_type or "").endswith("pdf"):
        return {"pdf": item.ref}
    return None


def _retry_after(response: httpx.Response, *, default: float) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return default


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_text(response: httpx.Response) -> str:
    body = _json(response)
    if isinstance(body, dict):
        for key in ("message", "errors", "error"):
            if body.get(key):
                return str(body[key])[:300]
    return response.text[:300]
