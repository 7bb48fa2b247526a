"""A Telegram Bot API stand-in: `/bot<token>/<method>` on loopback, as the real API answers.

It keeps the chats, the messages bots sent and the updates users made; it serves
`getUpdates` (offsets confirm, long polling waits) and, once a bot called `setWebhook`,
delivers updates to that URL with the secret header, executing a method given in the
webhook's answer like Telegram does. `TelegramUser` plays a person in a private chat::

    async with TelegramStandin() as telegram:
        user = telegram.user(TOKEN, first_name="Aida")
        replies = await user.say("/start", expect=2)
        await user.press("Yes")

Run it alone with `python -m relaybot.testing.telegram_standin --port 8082`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from relaybot.testing.standin import Call, StandinServer, read_params, serve_forever

TOKEN_PATTERN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{1,100}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TEXT_LIMIT, CAPTION_LIMIT, CALLBACK_DATA_LIMIT, ANSWER_TEXT_LIMIT = 4096, 1024, 64, 200
MEDIA_METHODS = {
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendVideo": "video",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendAnimation": "animation",
}
JSON_PARAMS = {
    "reply_markup",
    "media",
    "allowed_updates",
    "reply_parameters",
    "entities",
    "prices",
}


class ApiError(Exception):
    """An answer of the form `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, code: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": int(self.retry_after)}
        return JSONResponse(body, status_code=self.code)


@dataclass
class BotMessage:
    """A message a bot sent, as the stand-in stored it."""

    chat_id: int
    message_id: int
    kind: str
    text: str = ""
    token: str = ""
    media: list[str] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    media_group_id: str | None = None
    at: float = field(default_factory=time.time)
    raw: dict[str, Any] = field(default_factory=dict)
    edits: list[str] = field(default_factory=list)
    """The texts (or captions) the bot replaced this message's with, oldest first."""
    markup_edits: int = 0
    """How often the bot replaced or removed this message's inline keyboard."""

    @property
    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def labels(self) -> list[str]:
        return [str(b.get("text", "")) for b in self.buttons]


@dataclass
class BotState:
    token: str
    id: int
    username: str
    webhook_url: str | None = None
    webhook_secret: str | None = None
    allowed_updates: list[str] | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 100_000
    new_update: asyncio.Event = field(default_factory=asyncio.Event)
    deliveries: list[int] = field(default_factory=list)


class TelegramStandin(StandinServer):
    name = "telegram"

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, tokens: list[str] | None = None
    ) -> None:
        super().__init__(host=host, port=port)
        self.allowed_tokens = set(tokens) if tokens else None
        self.bots: dict[str, BotState] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.sent: list[BotMessage] = []
        self.blocked: set[int] = set()
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_ids = itertools.count(1)
        self._media_groups = itertools.count(1)
        self._http: httpx.AsyncClient | None = None
        self.discussions: dict[int, int] = {}
        self._forwards: set[asyncio.Task[Any]] = set()

    # -- state ------------------------------------------------------------------------------
    def bot(self, token: str) -> BotState:
        match = TOKEN_PATTERN.match(token)
        if match is None or (self.allowed_tokens is not None and token not in self.allowed_tokens):
            raise ApiError(401, "Unauthorized")
        state = self.bots.get(token)
        if state is None:
            bot_id = int(match.group(1))
            state = BotState(token=token, id=bot_id, username=f"relay{bot_id}_bot")
            self.bots[token] = state
        return state

    def chat(self, chat_id: int) -> dict[str, Any]:
        known = self.chats.get(chat_id)
        if known is not None:
            return known
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}

    def link_discussion(self, channel_id: int, group_id: int, *, title: str = "Ads") -> None:
        """Make `channel_id` a channel whose posts Telegram copies into the discussion group
        `group_id`, as automatic forwards the bot receives there."""
        self.chats[channel_id] = {"id": channel_id, "type": "channel", "title": title}
        self.chats[group_id] = {"id": group_id, "type": "supergroup", "title": f"{title} chat"}
        self.discussions[channel_id] = group_id

    def _forward_to_discussion(self, state: BotState, post: dict[str, Any]) -> None:
        """What Telegram does with a channel post when the channel has a discussion group."""
        channel = post["chat"]
        group_id = self.discussions[int(channel["id"])]
        copied = {
            k: v for k, v in post.items() if k in ("text", "caption", "photo", "media_group_id")
        }
        message = {
            "message_id": self.next_message_id(group_id),
            "date": int(time.time()),
            "chat": self.chat(group_id),
            "from": {"id": 777000, "is_bot": False, "first_name": "Telegram"},
            "sender_chat": channel,
            "is_automatic_forward": True,
            "forward_origin": {
                "type": "channel",
                "chat": channel,
                "message_id": post["message_id"],
                "date": post["date"],
            },
            **copied,
        }
        task = asyncio.get_running_loop().create_task(
            self.push_update(state.token, {"message": message})
        )
        self._forwards.add(task)
        task.add_done_callback(self._forwards.discard)

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def sent_to(self, chat_id: int | str, *, token: str | None = None) -> list[BotMessage]:
        """Messages bots sent to the chat (only the bot with `token`, when given)."""
        return [
            m
            for m in self.sent
            if m.chat_id == int(chat_id) and (token is None or m.token == token)
        ]

    def block(self, chat_id: int | str) -> None:
        """The user blocks the bot: every send to the chat gets 403 from now on."""
        self.blocked.add(int(chat_id))

    def user(
        self,
        token: str,
        *,
        user_id: int = 5000001,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> TelegramUser:
        return TelegramUser(
            self,
            token,
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    # -- updates ----------------------------------------------------------------------------
    async def push_update(self, token: str, update: dict[str, Any]) -> httpx.Response | None:
        """Hand an update to the bot: POST it to the webhook if one is set, else queue it.

        Returns the webhook's answer (any status, as Telegram would see it) or None.
        """
        state = self.bot(token)
        update = {"update_id": state.next_update_id, **update}
        state.next_update_id = int(update["update_id"]) + 1
        if state.webhook_url is None:
            state.pending.append(update)
            state.new_update.set()
            self.changed()
            return None
        headers = {"Content-Type": "application/json"}
        if state.webhook_secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = state.webhook_secret
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=60)
        response = await self._http.post(state.webhook_url, json=update, headers=headers)
        state.deliveries.append(response.status_code)
        if response.status_code == 200 and "json" in response.headers.get("content-type", ""):
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("method"), str):
                params = {k: v for k, v in body.items() if k != "method"}
                with contextlib.suppress(ApiError):
                    self._call(state, body["method"], params)
                self.calls.append(
                    Call(body["method"], "(webhook answer)", params, {}, time.time(), 200)
                )
                self.changed()
        return response

    # -- the Bot API ------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]

    async def _endpoint(self, request: Request) -> Response:
        token = request.path_params["token"]
        method = request.path_params["method"]
        try:
            params = _decode_json_params(await read_params(request))
        except ValueError:
            return ApiError(400, "Bad Request: can't parse request").response()
        call = self.record(method, request, params)
        try:
            state = self.bot(token)
            fault = await self.fault_for(method, params, request)
            if fault is not None:
                raise ApiError(
                    fault.status,
                    fault.description or _default_description(fault.status, fault.retry_after),
                    fault.retry_after,
                )
            if method == "getUpdates":
                result = await self._get_updates(state, params)
            else:
                result = self._call(state, method, params)
        except ApiError as error:
            call.status = error.code
            return error.response()
        call.status = 200
        self.changed()
        return JSONResponse({"ok": True, "result": result})

    def _call(self, state: BotState, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": state.id,
                "is_bot": True,
                "first_name": "Relay bot",
                "username": state.username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "sendMessage":
            chat_id = self._target(params)
            text = str(params.get("text") or "")
            if not text.strip():
                raise ApiError(400, "Bad Request: message text is empty")
            if len(text) > TEXT_LIMIT:
                raise ApiError(400, "Bad Request: message is too long")
            markup = _check_markup(params.get("reply_markup"))
            return self._store(state, chat_id, "text", text=text, reply_markup=markup)
        if method in MEDIA_METHODS:
            kind = MEDIA_METHODS[method]
            chat_id = self._target(params)
            caption = str(params.get("caption") or "")
            if len(caption) > CAPTION_LIMIT:
                raise ApiError(400, "Bad Request: message caption is too long")
            media = params.get(kind)
            if not media:
                raise ApiError(400, f"Bad Request: there is no {kind} in the request")
            markup = _check_markup(params.get("reply_markup"))
            return self._store(
                state, chat_id, kind, text=caption, media=[_ref(media)], reply_markup=markup
            )
        if method == "sendMediaGroup":
            chat_id = self._target(params)
            items = params.get("media")
            if not isinstance(items, list) or not 2 <= len(items) <= 10:
                raise ApiError(400, "Bad Request: wrong number of media in the album")
            group = f"g{next(self._media_groups)}"
            results = []
            for item in items:
                caption = str(item.get("caption") or "")
                if len(caption) > CAPTION_LIMIT:
                    raise ApiError(400, "Bad Request: message caption is too long")
                results.append(
                    self._store(
                        state,
                        chat_id,
                        str(item.get("type", "photo")),
                        text=caption,
                        media=[_ref(item.get("media"))],
                        media_group_id=group,
                    )
                )
            return results
        if method in ("editMessageText", "editMessageCaption"):
            return self._edit(state, method, params)
        if method == "editMessageReplyMarkup":
            return self._edit_markup(state, params)
        if method == "sendInvoice":
            return self._invoice(state, params)
        if method == "sendLocation":
            chat_id = self._target(params)
            ref = f"{params.get('latitude')},{params.get('longitude')}"
            return self._store(state, chat_id, "location", media=[ref])
        if method == "sendChatAction":
            self._target(params)
            return True
        if method == "answerCallbackQuery":
            if not params.get("callback_query_id"):
                raise ApiError(400, "Bad Request: query is too old and response timeout expired")
            if len(str(params.get("text") or "")) > ANSWER_TEXT_LIMIT:
                raise ApiError(400, "Bad Request: text is too long")
            return True
        if method == "setWebhook":
            url = str(params.get("url") or "")
            secret = params.get("secret_token")
            if secret is not None and not SECRET_PATTERN.match(str(secret)):
                raise ApiError(400, "Bad Request: secret token contains unallowed characters")
            if url and not url.startswith(("http://", "https://")):
                raise ApiError(400, "Bad Request: bad webhook: invalid URL")
            state.webhook_url = url or None
            state.webhook_secret = None if secret is None else str(secret)
            if params.get("allowed_updates") is not None:
                state.allowed_updates = list(params["allowed_updates"])
            if _truthy(params.get("drop_pending_updates")):
                state.pending.clear()
            return True
        if method == "deleteWebhook":
            state.webhook_url = None
            state.webhook_secret = None
            if _truthy(params.get("drop_pending_updates")):
                state.pending.clear()
            return True
        if method == "getWebhookInfo":
            info: dict[str, Any] = {
                "url": state.webhook_url or "",
                "has_custom_certificate": False,
                "pending_update_count": len(state.pending),
            }
            if state.allowed_updates is not None:
                info["allowed_updates"] = state.allowed_updates
            return info
        raise ApiError(404, "Not Found: method not found")

    async def _get_updates(self, state: BotState, params: dict[str, Any]) -> list[dict[str, Any]]:
        if state.webhook_url is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if offset is not None:
            confirmed = int(offset)
            state.pending = [u for u in state.pending if u["update_id"] >= confirmed]
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, min(50.0, float(params.get("timeout") or 0)))
        allowed = params.get("allowed_updates")
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in state.pending if _allowed(u, allowed)][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self.stopping:
                return ready
            state.new_update.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await state.new_update.wait()

    def _edit(self, state: BotState, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageText / editMessageCaption of a message this bot sent to that chat."""
        chat_id = self._target(params)
        try:
            message_id = int(str(params.get("message_id")))
        except ValueError:
            raise ApiError(400, "Bad Request: message to edit not found") from None
        found = next(
            (
                m
                for m in self.sent
                if m.chat_id == chat_id and m.message_id == message_id and m.token == state.token
            ),
            None,
        )
        if found is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        field_name = "text" if method == "editMessageText" else "caption"
        if (found.kind == "text") != (field_name == "text"):
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        new = str(params.get(field_name) or "")
        limit = TEXT_LIMIT if field_name == "text" else CAPTION_LIMIT
        if field_name == "text" and not new.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(new) > limit:
            raise ApiError(400, f"Bad Request: message {field_name} is too long")
        if new == found.text:
            raise ApiError(400, "Bad Request: message is not modified")
        found.text = new
        found.raw[field_name] = new
        found.edits.append(new)
        markup = _check_markup(params.get("reply_markup"))
        if markup is not None:
            found.reply_markup = markup
            found.raw["reply_markup"] = markup
        return found.raw

    def _edit_markup(self, state: BotState, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageReplyMarkup: replace (or, without reply_markup, remove) the inline
        keyboard of a message this bot sent; the same keyboard again is "not modified"."""
        chat_id = self._target(params)
        found = next(
            (
                m
                for m in self.sent
                if m.chat_id == chat_id
                and str(m.message_id) == str(params.get("message_id"))
                and m.token == state.token
            ),
            None,
        )
        if found is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = _check_markup(params.get("reply_markup"))
        if markup == found.reply_markup or (markup is None and not found.buttons):
            raise ApiError(400, "Bad Request: message is not modified")
        found.reply_markup = markup
        if markup is None:
            found.raw.pop("reply_markup", None)
        else:
            found.raw["reply_markup"] = markup
        found.markup_edits += 1
        return found.raw

    def _invoice(self, state: BotState, params: dict[str, Any]) -> dict[str, Any]:
        """sendInvoice: Telegram Stars (XTR) need no provider token and exactly one price."""
        chat_id = self._target(params)
        for name in ("title", "description", "payload", "currency", "prices"):
            if not params.get(name):
                raise ApiError(400, f"Bad Request: {name} is empty")
        prices = params["prices"]
        if not isinstance(prices, list) or not all(
            isinstance(p, dict) and isinstance(p.get("amount"), int) for p in prices
        ):
            raise ApiError(400, "Bad Request: can't parse prices JSON object")
        if params["currency"] == "XTR" and (len(prices) != 1 or params.get("provider_token")):
            raise ApiError(400, "Bad Request: XTR invoices take one price and no provider token")
        stored = self._store(state, chat_id, "invoice", text=str(params["title"]))
        invoice = {
            "title": params["title"],
            "description": params["description"],
            "start_parameter": "",
            "currency": params["currency"],
            "total_amount": sum(int(p["amount"]) for p in prices),
        }
        stored["invoice"] = invoice
        self.sent[-1].raw = stored
        return stored

    def _target(self, params: dict[str, Any]) -> int:
        raw = params.get("chat_id")
        try:
            chat_id = int(str(raw))
        except ValueError as exc:
            raise ApiError(400, "Bad Request: chat not found") from exc
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _store(
        self,
        state: BotState,
        chat_id: int,
        kind: str,
        *,
        text: str = "",
        media: list[str] | None = None,
        reply_markup: dict[str, Any] | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        message_id = self.next_message_id(chat_id)
        raw: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": {
                "id": state.id,
                "is_bot": True,
                "first_name": "Relay bot",
                "username": state.username,
            },
        }
        if kind == "text":
            raw["text"] = text
        elif kind == "invoice":
            pass  # the caller adds the invoice object
        elif kind == "location":
            lat, lon = (media or ["0,0"])[0].split(",")
            raw["location"] = {"latitude": float(lat), "longitude": float(lon)}
        else:
            ref = (media or [""])[0]
            if kind == "photo":
                raw["photo"] = [
                    {
                        "file_id": ref,
                        "file_unique_id": f"u{message_id}",
                        "width": 800,
                        "height": 600,
                    }
                ]
            else:
                raw[kind] = {"file_id": ref, "file_unique_id": f"u{message_id}"}
                if kind in ("video", "audio", "voice", "animation"):
                    raw[kind]["duration"] = 1
                if kind in ("video", "animation"):
                    raw[kind].update(width=640, height=480)
            if text:
                raw["caption"] = text
        if media_group_id is not None:
            raw["media_group_id"] = media_group_id
        if reply_markup is not None:
            raw["reply_markup"] = reply_markup
        if chat_id in self.discussions and kind != "invoice":
            self._forward_to_discussion(state, raw)
        self.sent.append(
            BotMessage(
                chat_id=chat_id,
                message_id=message_id,
                kind=kind,
                token=state.token,
                text=text,
                media=list(media or []),
                reply_markup=reply_markup,
                media_group_id=media_group_id,
                raw=raw,
            )
        )
        return raw

    # -- control over HTTP ------------------------------------------------------------------
    def control_routes(self) -> list[Route]:
        async def inject(request: Request) -> Response:
            body = await request.json()
            response = await self.push_update(str(body["token"]), dict(body["update"]))
            return JSONResponse(
                {"delivered_status": None if response is None else response.status_code}
            )

        async def say(request: Request) -> Response:
            """A person writes: {"token", "user_id", "text"} (a /command gets its entity)."""
            body = await request.json()
            user = self.user(str(body["token"]), user_id=int(body.get("user_id", 5000001)))
            content: dict[str, Any] = {"text": str(body["text"])}
            if content["text"].startswith("/"):
                length = len(content["text"].split()[0])
                content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            response = await self.push_update(user.token, {"message": user._message(**content)})
            return JSONResponse(
                {"delivered_status": None if response is None else response.status_code}
            )

        async def messages(request: Request) -> Response:
            chat = request.query_params.get("chat_id")
            items = [m.raw for m in self.sent if chat is None or m.chat_id == int(chat)]
            return JSONResponse({"messages": items})

        async def block(request: Request) -> Response:
            self.block(int((await request.json())["chat_id"]))
            return JSONResponse({"ok": True})

        return [
            Route("/_standin/telegram/updates", inject, methods=["POST"]),
            Route("/_standin/telegram/say", say, methods=["POST"]),
            Route("/_standin/telegram/messages", messages, methods=["GET"]),
            Route("/_standin/telegram/blocked", block, methods=["POST"]),
        ]

    async def stop(self) -> None:
        self.stopping = True
        await asyncio.gather(*self._forwards, return_exceptions=True)
        for state in self.bots.values():
            state.new_update.set()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        await super().stop()


class TelegramUser:
    """A person in a private chat with one bot, driving it through the stand-in."""

    def __init__(
        self,
        standin: TelegramStandin,
        token: str,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self.standin = standin
        self.token = token
        self.user_id = user_id
        self.chat_id = user_id
        self.profile: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            self.profile["last_name"] = last_name
        if username:
            self.profile["username"] = username
        if language_code:
            self.profile["language_code"] = language_code
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if username:
            chat["username"] = username
        standin.chats[user_id] = chat

    @property
    def messages(self) -> list[BotMessage]:
        """Everything this bot sent to this chat, oldest first."""
        return self.standin.sent_to(self.chat_id, token=self.token)

    def buttons(self) -> list[str]:
        """The labels on the bot's latest message that has buttons."""
        for message in reversed(self.messages):
            if message.buttons:
                return message.labels
        return []

    def menu(self) -> list[list[str]]:
        """The rows of the reply keyboard the bot keeps up in this chat ([] when none)."""
        for message in reversed(self.messages):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return [[str(b.get("text", "")) for b in row] for row in markup["keyboard"]]
            if markup.get("remove_keyboard"):
                return []
        return []

    async def tap_menu(self, label: str, **wait: Any) -> list[BotMessage]:
        """Tap a button of the reply keyboard: Telegram sends its label as a plain text."""
        if not any(label in row for row in self.menu()):
            raise LookupError(f"no {label!r} on the chat's menu: {self.menu()}")
        return await self.say(label, **wait)

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": self.standin.next_message_id(self.chat_id),
            "from": self.profile,
            "chat": self.standin.chat(self.chat_id),
            "date": int(time.time()),
            **content,
        }

    async def send(self, update: dict[str, Any]) -> None:
        response = await self.standin.push_update(self.token, update)
        if response is not None and response.status_code != 200:
            raise AssertionError(
                f"the bot's webhook answered {response.status_code}: {response.text[:200]}"
            )

    async def say(self, text: str, **wait: Any) -> list[BotMessage]:
        """Send a text (a /command gets its entity) and return the bot's replies."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._exchange({"message": self._message(**content)}, **wait)

    async def send_photo(
        self,
        file_id: str,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        **wait: Any,
    ) -> list[BotMessage]:
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": f"{file_id}-s",
                    "file_unique_id": f"{file_id}-s",
                    "width": 90,
                    "height": 90,
                },
                {"file_id": file_id, "file_unique_id": file_id, "width": 1280, "height": 960},
            ]
        }
        if caption:
            content["caption"] = caption
        if media_group_id:
            content["media_group_id"] = media_group_id
        return await self._exchange({"message": self._message(**content)}, **wait)

    async def share_contact(self, phone: str, **wait: Any) -> list[BotMessage]:
        contact = {
            "phone_number": phone,
            "first_name": self.profile["first_name"],
            "user_id": self.user_id,
        }
        return await self._exchange({"message": self._message(contact=contact)}, **wait)

    async def press(
        self, label: str, *, on: BotMessage | None = None, **wait: Any
    ) -> list[BotMessage]:
        """Press the button `label` on the bot's latest message that has buttons, or on the
        older message `on` (a button left behind in the chat's history)."""
        for message in [on] if on is not None else reversed(self.messages):
            if not message.buttons:
                continue
            for button in message.buttons:
                if button.get("text") == label:
                    query = {
                        "id": str(next(self.standin._callback_ids)),
                        "from": self.profile,
                        "message": message.raw,
                        "chat_instance": f"ci{self.chat_id}",
                        "data": button.get("callback_data"),
                    }
                    return await self._exchange({"callback_query": query}, **wait)
            raise LookupError(f"no button {label!r} on the latest message: {message.labels}")
        raise LookupError("the bot has sent no buttons")

    async def _exchange(
        self,
        update: dict[str, Any],
        *,
        expect: int = 1,
        timeout: float = 10.0,
        quiet: float = 0.3,
    ) -> list[BotMessage]:
        start = len(self.messages)
        await self.send(update)
        return await self.replies(start, expect=expect, timeout=timeout, quiet=quiet)

    async def replies(
        self, start: int, *, expect: int = 1, timeout: float = 10.0, quiet: float = 0.3
    ) -> list[BotMessage]:
        """Bot messages after the first `start`: at least `expect`, then until `quiet` s pass."""
        await self.standin.wait_until(lambda: len(self.messages) - start >= expect, timeout=timeout)
        seen = len(self.messages)
        while True:
            await asyncio.sleep(quiet)
            if len(self.messages) == seen:
                return self.messages[start:]
            seen = len(self.messages)


def _decode_json_params(params: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_PARAMS & params.keys():
        value = params[key]
        if isinstance(value, str):
            params[key] = json.loads(value)
    return params


def _check_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("keyboard") or []:
        for button in row:
            if not str(button.get("text") or "").strip():
                raise ApiError(400, "Bad Request: keyboard button text is empty")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if not str(button.get("text") or "").strip():
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _ref(media: Any) -> str:
    if isinstance(media, dict):
        return str(media.get("filename") or "upload")
    return str(media)


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _allowed(update: dict[str, Any], allowed: Any) -> bool:
    if not allowed:
        return True
    return any(kind in update for kind in allowed)


def _default_description(status: int, retry_after: float | None) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {int(retry_after or 1)}"
    if status == 403:
        return "Forbidden: bot was blocked by the user"
    if status == 400:
        return "Bad Request: chat not found"
    if status >= 500:
        return "Internal Server Error"
    return "Error"


if __name__ == "__main__":
    serve_forever(
        lambda host, port: TelegramStandin(host=host, port=port),
        "A Telegram Bot API stand-in for tests",
    )
