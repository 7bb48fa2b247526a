"""Mattermost: slash commands, message buttons, interactive dialogs and outgoing webhooks in;
REST posts out, with a bot account's personal access token.

A slash command, a button press or a dialog belongs to a person, so its chat is `@<user_id>`
and replies go to the direct channel between the bot and that person. A message seen by an
outgoing webhook belongs to its channel, so its chat is the channel id. Button contexts and
dialog states are HMAC-signed: only what relaybot sent can come back as a press.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import httpx
import structlog

from relaybot.channels.i18n import channel_translator
from relaybot.channels.mattermost import render
from relaybot.channels.mattermost.options import MattermostOptions
from relaybot.channels.options import read_options, require_token
from relaybot.channels.store import ChatMemoryStore
from relaybot.channels.text import split_text
from relaybot.channels.verify import Signer, same_secret
from relaybot.config import BotConfig
from relaybot.core.channel import Limit, WebhookRejected, WebhookResult
from relaybot.core.errors import ChatBlocked, DeliveryError, PermanentDeliveryError, RetryAfter
from relaybot.core.i18n import N_
from relaybot.core.types import OutgoingMessage, Update, UpdateKind

if TYPE_CHECKING:
    from starlette.requests import Request

    from relaybot.channels.registry import AdapterDeps

log = structlog.get_logger("relaybot.mattermost")

ACKNOWLEDGED = N_("On it: I will answer in our direct messages.")
FORM_FAILED = N_("The form could not be opened; please answer in the chat instead.")
FORM_SUBMITTED = "flow:form"
DM_PREFIX = "@"
_MAX_FIELD = 4000


class MattermostAdapter:
    channel = "mattermost"

    def __init__(self, bot: BotConfig, deps: AdapterDeps) -> None:
        self.bot = bot
        self.options = read_options(bot, MattermostOptions)
        self._token = require_token(bot)
        if bot.api_base is None:
            raise ValueError(f"bot {bot.name!r}: set api_base to your Mattermost server's URL")
        if bot.webhook_secret is None or not bot.webhook_secret.get_secret_value():
            raise ValueError(
                f"bot {bot.name!r}: set webhook_secret to the slash command's token from "
                "Mattermost (Integrations > Slash Commands)"
            )
        self.api_base = bot.api_base.rstrip("/")
        settings = deps.settings
        base = self.options.callback_url or settings.public_url
        base = (base or f"http://{settings.host}:{settings.port}").rstrip("/")
        self.webhook_base = f"{base}/webhook/mattermost/{bot.name}"
        self.default_locale = settings.default_locale
        self.buttons = Signer(self._token, f"mattermost-button:{bot.name}")
        self.dialogs = Signer(self._token, f"mattermost-dialog:{bot.name}")
        self.memory = ChatMemoryStore(deps.sessions, bot.name)
        self._direct: dict[str, str] = {}
        self._me: str | None = self.options.bot_user_id
        self._http: httpx.AsyncClient | None = None

    # -- in ---------------------------------------------------------------------------------
    async def handle_webhook(self, request: Request, subpath: str) -> WebhookResult:
        if subpath == "command":
            return await self._command(request)
        if subpath == "actions":
            return await self._action(request)
        if subpath == "dialog":
            return await self._dialog(request)
        if subpath == "outgoing":
            return await self._outgoing(request)
        raise WebhookRejected(
            404, "Mattermost posts to /webhook/mattermost/{bot}/command|actions|dialog|outgoing"
        )

    async def _command(self, request: Request) -> WebhookResult:
        form = await _fields(request)
        header = request.headers.get("authorization", "")
        given = header[len("Token ") :] if header.startswith("Token ") else form.get("token")
        if not same_secret(given, self.bot.webhook_secret):
            raise WebhookRejected(401, "wrong or missing slash command token")
        user_id = _required(form, "user_id")
        trigger = form.get("trigger_id") or ""
        args = (form.get("text") or "").strip()
        chat_id = DM_PREFIX + user_id
        update = Update(
            channel="mattermost",
            bot=self.bot.name,
            chat_id=chat_id,
            user_id=user_id,
            update_id="cmd:" + (trigger or secrets.token_hex(16))[:100],
            kind="command",
            text=args or "/start",
            user_name=form.get("user_name") or None,
            received_at=time.time(),
            raw={
                "command": form.get("command") or "",
                "channel_id": form.get("channel_id") or "",
                "team_id": form.get("team_id") or "",
            },
        )
        if trigger:
            await self.memory.set(chat_id, trigger_id=trigger[:256], trigger_at=time.time())
        t = channel_translator(None, self.default_locale)
        return WebhookResult([update], {"response_type": "ephemeral", "text": t(ACKNOWLEDGED)})

    async def _action(self, request: Request) -> WebhookResult:
        body = await _json_object(request)
        context: dict[str, Any] = body["context"] if isinstance(body.get("context"), dict) else {}
        signed = self.buttons.verify(context.get("token"))
        if signed is None:
            raise WebhookRejected(401, "the button's context is not signed by this bot")
        user_id = str(body.get("user_id") or "")
        chat_id = str(signed.get("chat", ""))
        if not self._may_act(chat_id, user_id, str(body.get("channel_id") or "")):
            raise WebhookRejected(403, "this button belongs to someone else's conversation")
        trigger = str(body.get("trigger_id") or "")
        if isinstance(signed.get("form"), dict):
            opened = await self._open_dialog(chat_id, signed["form"], trigger)
            if opened:
                return WebhookResult([], {})
            t = channel_translator(None, self.default_locale)
            return WebhookResult([], {"ephemeral_text": t(FORM_FAILED)})
        press = hashlib.sha256(f"{body.get('post_id')}:{trigger}".encode()).hexdigest()[:40]
        update = Update(
            channel="mattermost",
            bot=self.bot.name,
            chat_id=chat_id,
            user_id=user_id or chat_id,
            update_id=f"btn:{press}",
            kind="button",
            text=str(signed.get("label", "")),
            payload=str(signed.get("payload", "")),
            user_name=str(body.get("user_name") or "") or None,
            received_at=time.time(),
        )
        return WebhookResult([update], {})

    async def _dialog(self, request: Request) -> WebhookResult:
        raw_body = await request.body()
        body = _parse_object(raw_body)
        state = self.dialogs.verify(body.get("state"))
        if state is None:
            raise WebhookRejected(401, "the dialog's state is not signed by this bot")
        user_id = str(body.get("user_id") or "")
        chat_id = str(state.get("chat", ""))
        if not self._may_act(chat_id, user_id, str(body.get("channel_id") or "")):
            raise WebhookRejected(403, "this form belongs to someone else's conversation")
        if body.get("cancelled"):
            return WebhookResult([], {})
        submission = body.get("submission")
        if not isinstance(submission, dict):
            raise WebhookRejected(400, "a dialog submission carries a submission object")
        values = {str(k): "" if v is None else str(v)[:_MAX_FIELD] for k, v in submission.items()}
        update = Update(
            channel="mattermost",
            bot=self.bot.name,
            chat_id=chat_id,
            user_id=user_id or chat_id,
            update_id="dlg:" + hashlib.sha256(raw_body).hexdigest()[:40],
            kind="event",
            text="",
            payload=FORM_SUBMITTED,
            received_at=time.time(),
            raw={"form": {"flow": str(state.get("flow", "")), "values": values}},
        )
        return WebhookResult([update], {})

    async def _outgoing(self, request: Request) -> WebhookResult:
        form = await _fields(request)
        expected = self.options.outgoing_token or self.bot.webhook_secret
        if not same_secret(form.get("token"), expected):
            raise WebhookRejected(401, "wrong or missing outgoing webhook token")
        channel_id, post_id = _required(form, "channel_id"), _required(form, "post_id")
        user_id = form.get("user_id") or ""
        if user_id and user_id == self._me:
            return WebhookResult([], {})
        text = (form.get("text") or "").strip()
        trigger_word = (form.get("trigger_word") or "").strip()
        if trigger_word and text.startswith(trigger_word):
            text = text[len(trigger_word) :].strip()
        kind: UpdateKind = "command" if text.startswith("/") else "message"
        update = Update(
            channel="mattermost",
            bot=self.bot.name,
            chat_id=channel_id,
            user_id=user_id or channel_id,
            update_id=f"post:{post_id}",
            kind=kind,
            text=text,
            user_name=form.get("user_name") or None,
            chat_type="channel",
            received_at=time.time(),
            raw={"channel_name": form.get("channel_name") or ""},
        )
        return WebhookResult([update] if text else [], {})

    def _may_act(self, chat_id: str, user_id: str, channel_id: str) -> bool:
        if chat_id.startswith(DM_PREFIX):
            return user_id == chat_id[len(DM_PREFIX) :]
        return bool(channel_id) and channel_id == chat_id

    # -- out --------------------------------------------------------------------------------
    async def send(self, chat_id: str, message: OutgoingMessage) -> None:
        form = message.meta.get("form") if isinstance(message.meta.get("form"), dict) else None
        channel_id = await self._channel_of(chat_id)
        if form is not None:
            await self._open_with_stored_trigger(chat_id, form)
        links = render.media_links(message)
        text = "\n".join([message.text, *links]) if links else message.text
        parts = split_text(text, self.options.text_limit) if text else [""]
        props = render.attachments(
            message,
            chat_id=chat_id,
            actions_url=f"{self.webhook_base}/actions",
            signer=self.buttons,
            form=form,
        )
        for position, part in enumerate(parts):
            last = position == len(parts) - 1
            body: dict[str, Any] = {"channel_id": channel_id, "message": part}
            if last and props:
                body["props"] = {"attachments": props}
            if body["message"] or "props" in body:
                await self._request("POST", "/api/v4/posts", body)

    async def _open_with_stored_trigger(self, chat_id: str, form: dict[str, Any]) -> None:
        """A slash command's trigger id lives a few seconds: open the form if it still does."""
        memory = await self.memory.get(chat_id)
        if memory is None or not memory.trigger_id or memory.trigger_at is None:
            return
        trigger = memory.trigger_id
        await self.memory.set(chat_id, trigger_id=None, trigger_at=None)
        if time.time() - memory.trigger_at > self.options.trigger_ttl:
            return
        await self._open_dialog(chat_id, form, trigger)

    async def _open_dialog(self, chat_id: str, form: dict[str, Any], trigger: str) -> bool:
        if not trigger:
            return False
        state = self.dialogs.sign(
            {"chat": chat_id, "flow": form.get("flow"), "nonce": secrets.token_hex(8)}
        )
        body = {
            "trigger_id": trigger,
            "url": f"{self.webhook_base}/dialog",
            "dialog": render.dialog(
                form, fallback_title=self.bot.title or self.bot.name, state=state
            ),
        }
        try:
            await self._request("POST", "/api/v4/actions/dialogs/open", body)
        except DeliveryError as exc:
            log.info("could not open a dialog", bot=self.bot.name, error=str(exc))
            return False
        return True

    async def _channel_of(self, chat_id: str) -> str:
        if not chat_id.startswith(DM_PREFIX):
            return chat_id
        known = self._direct.get(chat_id)
        if known is not None:
            return known
        me = await self._bot_user_id()
        channel = await self._request(
            "POST", "/api/v4/channels/direct", [me, chat_id[len(DM_PREFIX) :]]
        )
        if not isinstance(channel, dict) or not channel.get("id"):
            raise DeliveryError("Mattermost did not return the direct channel")
        self._direct[chat_id] = str(channel["id"])
        return self._direct[chat_id]

    async def _bot_user_id(self) -> str:
        if self._me is None:
            me = await self._request("GET", "/api/v4/users/me", None)
            if not isinstance(me, dict) or not me.get("id"):
                raise DeliveryError("Mattermost did not say who the bot is")
            self._me = str(me["id"])
        return self._me

    async def _request(self, method: str, path: str, body: Any) -> Any:
        try:
            response = await self._client().request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Mattermost unreachable: {type(exc).__name__}") from None
        status = response.status_code
        if status == 429:
            raise RetryAfter(_reset_after(response))
        if status == 403:
            raise ChatBlocked(f"Mattermost refused ({status}): {_message(response)}")
        if status >= 500 or status in (401, 408):
            raise DeliveryError(f"Mattermost answered {status}")
        if status >= 400:
            raise PermanentDeliveryError(f"Mattermost refused ({status}): {_message(response)}")
        try:
            return response.json()
        except ValueError:
            return None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.api_base,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self.options.request_timeout,
            )
        return self._http

    def limits(self, chat_id: str) -> list[Limit]:
        o = self.options
        return [Limit(self.bot.name, rate=o.requests_per_second, burst=o.burst)]

    async def start(self) -> None:
        self._client()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


async def _fields(request: Request) -> dict[str, str]:
    """Slash commands and outgoing webhooks post a form, or JSON when so configured."""
    body = await request.body()
    if "application/json" in request.headers.get("content-type", ""):
        return {k: str(v) for k, v in _parse_object(body).items() if v is not None}
    try:
        return dict(parse_qsl(body.decode(), keep_blank_values=True))
    except UnicodeDecodeError:
        raise WebhookRejected(400, "the body is not a form") from None


async def _json_object(request: Request) -> dict[str, Any]:
    return _parse_object(await request.body())


def _parse_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise WebhookRejected(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise WebhookRejected(400, "the body must be a JSON object")
    return data


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise WebhookRejected(400, f"the request has no {name}")
    return value


def _reset_after(response: httpx.Response) -> float:
    for header in ("Retry-After", "X-Ratelimit-Reset"):
        try:
            return max(0.0, float(response.headers.get(header, "")))
        except ValueError:
            continue
    return 1.0


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])[:300]
    return response.text[:300]
