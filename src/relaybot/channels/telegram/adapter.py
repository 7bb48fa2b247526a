"""The Telegram channel: webhook or long polling in, aiogram's `Bot` out, within the limits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
import structlog
from aiogram import Bot, types
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import ValidationError

from relaybot.channels.limits import window_limit
from relaybot.channels.options import read_options, require_token
from relaybot.channels.progress import PartialDeliveries, fingerprint
from relaybot.channels.store import (
    KEY_PREFIX,
    ChatMemoryStore,
    PayloadStore,
    menu_payload,
    menu_rows,
)
from relaybot.channels.telegram.keyboards import KeyboardKeeper, supersedes
from relaybot.channels.telegram.options import TelegramOptions
from relaybot.channels.telegram.parse import to_update
from relaybot.channels.telegram.render import Menu, Method, menu_markup, plan
from relaybot.channels.telegram.session import JsonAiohttpSession
from relaybot.channels.verify import same_secret
from relaybot.config import BotConfig
from relaybot.core.channel import Ingest, Limit, WebhookRejected, WebhookResult
from relaybot.core.errors import ChatBlocked, DeliveryError, PermanentDeliveryError, RetryAfter
from relaybot.core.types import Button, OutgoingMessage, Update

if TYPE_CHECKING:
    from starlette.requests import Request

    from relaybot.channels.registry import AdapterDeps

log = structlog.get_logger("relaybot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
CALLBACK_DATA_BYTES = 64
MENU_LABEL_CHARS = 64  # longer texts are never a menu label: no look-up for them
MENU_CACHE_SECONDS = 5.0  # another process's new menu is seen within this
MENU_CACHE_CHATS = 10_000
KEYBOARD_CACHE = 256  # keyboards kept built, most recently used first
T = TypeVar("T")


class _Stopped(Exception):
    pass


def telegram_bot(bot: BotConfig, *, timeout: float = 10.0) -> Bot:
    """aiogram's `Bot` for a configured bot, talking to `api_base` when one is set."""
    api = TelegramAPIServer.from_base(bot.api_base.rstrip("/")) if bot.api_base else PRODUCTION
    return Bot(require_token(bot), session=JsonAiohttpSession(api=api, timeout=timeout))


def _delivering_session(client: Bot) -> JsonAiohttpSession:
    assert isinstance(client.session, JsonAiohttpSession)
    return client.session


class TelegramAdapter:
    channel = "telegram"

    def __init__(self, bot: BotConfig, deps: AdapterDeps) -> None:
        self.bot = bot
        self.options = read_options(bot, TelegramOptions)
        self.polling = bot.mode == "polling"
        if not self.polling:
            secret = bot.webhook_secret.get_secret_value() if bot.webhook_secret else ""
            if not SECRET_PATTERN.match(secret):
                raise ValueError(
                    f"bot {bot.name!r}: a Telegram bot in webhook mode needs webhook_secret, "
                    '1-256 characters of A-Z a-z 0-9 _ - (or set mode = "polling")'
                )
        self._token = require_token(bot)
        self.client = telegram_bot(bot, timeout=self.options.request_timeout)
        self._session = _delivering_session(self.client)
        self.payloads = PayloadStore(deps.sessions, bot.name)
        self.memory = ChatMemoryStore(deps.sessions, bot.name)
        self._menus: OrderedDict[str, tuple[float, list[Any] | None]] = OrderedDict()
        self._shown_keyboards = KeyboardKeeper()
        self._partial = PartialDeliveries()
        self._answering: set[asyncio.Task[None]] = set()
        self._keyboards: OrderedDict[tuple[tuple[Button, ...], ...], InlineKeyboardMarkup] = (
            OrderedDict()
        )

    # -- in ---------------------------------------------------------------------------------
    async def handle_webhook(self, request: Request, subpath: str) -> WebhookResult:
        if self.polling:
            raise WebhookRejected(404, "this bot is configured for long polling, not a webhook")
        if subpath:
            raise WebhookRejected(404, "Telegram webhooks are posted to /webhook/telegram/{bot}")
        if not same_secret(request.headers.get(SECRET_HEADER), self.bot.webhook_secret):
            raise WebhookRejected(401, "wrong or missing secret token")
        try:
            data = json.loads(await request.body())
        except ValueError:
            raise WebhookRejected(400, "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise WebhookRejected(400, "a Telegram update is a JSON object")
        try:
            update = types.Update.model_validate(data, context={"bot": self.client})
        except ValidationError:
            raise WebhookRejected(400, "the body is not a Telegram update") from None
        core = to_update(update, bot=self.bot.name)
        if core is None:
            return WebhookResult([])
        core = await self._inbound(core)
        if update.callback_query is not None:
            # Telegram runs a method given in the webhook's answer: the button stops spinning
            # without a call of our own, and only once the update is stored.
            answer = AnswerCallbackQuery(callback_query_id=update.callback_query.id)
            body = {"method": answer.__api_method__, **answer.model_dump(exclude_none=True)}
            return WebhookResult([core], body)
        return WebhookResult([core])

    async def _inbound(self, update: Update) -> Update:
        """A short key back into its long payload; a tap on the chat's menu (Telegram sends
        a reply keyboard's button as its label) into that button's press."""
        payload = update.payload
        if payload is not None and payload.startswith(KEY_PREFIX):
            return msgspec.structs.replace(update, payload=await self.payloads.resolve(payload))
        if (
            update.kind == "message"
            and not update.attachments
            and 0 < len(update.text) <= MENU_LABEL_CHARS
        ):
            pressed = menu_payload(await self._shown_menu(update.chat_id), update.text)
            if pressed is not None:
                return msgspec.structs.replace(update, kind="button", payload=pressed)
        return update

    # -- polling ----------------------------------------------------------------------------
    async def poll(self, ingest: Ingest, stop: asyncio.Event) -> None:
        """getUpdates in a loop; the offset moves past updates only once they are stored."""
        offset: int | None = None
        failures = 0
        log.info("polling started", bot=self.bot.name)
        while not stop.is_set():
            try:
                batch = await self._until_stopped(
                    stop,
                    self.client.get_updates(
                        offset=offset,
                        limit=self.options.poll_limit,
                        timeout=self.options.poll_timeout,
                        allowed_updates=self.options.allowed_updates,
                        request_timeout=self.options.poll_timeout + 10,
                    ),
                )
                updates = [to_update(u, bot=self.bot.name) for u in batch]
                found = [await self._inbound(u) for u in updates if u is not None]
                if found:
                    await ingest(found)
                failures = 0
            except _Stopped:
                break
            except TelegramRetryAfter as exc:
                await self._sleep(stop, exc.retry_after)
                continue
            except TelegramConflictError:
                log.error(
                    "Telegram refuses polling while a webhook is set; run "
                    "`relaybot telegram delete-webhook BOT` for this bot",
                    bot=self.bot.name,
                )
                await self._sleep(stop, 30)
                continue
            except Exception as exc:
                failures += 1
                delay = min(30.0, 0.5 * 2**failures) * random.uniform(0.8, 1.2)
                log.warning(
                    "polling failed; retrying",
                    bot=self.bot.name,
                    error=self._clean(f"{type(exc).__name__}: {exc}"),
                    delay=round(delay, 1),
                )
                await self._sleep(stop, delay)
                continue
            for update in batch:
                if update.callback_query is not None:
                    self._answer_later(update.callback_query.id)
            if batch:
                offset = batch[-1].update_id + 1
        log.info("polling stopped", bot=self.bot.name)

    async def _until_stopped(self, stop: asyncio.Event, work: Awaitable[T]) -> T:
        task = asyncio.ensure_future(work)
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
            raise _Stopped
        return task.result()

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await stop.wait()

    def _answer_later(self, query_id: str) -> None:
        async def answer() -> None:
            try:
                async with asyncio.timeout(self.options.request_timeout):
                    await self.client.answer_callback_query(query_id)
            except Exception as exc:  # a spinner left turning is not worth more than a log line
                log.info("could not answer a button press", error=type(exc).__name__)

        task = asyncio.create_task(answer())
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    # -- out --------------------------------------------------------------------------------
    async def send(self, chat_id: str, message: OutgoingMessage) -> list[str]:
        markup = await self._keyboard(message)
        menu, new_menu = await self._menu(chat_id, message)
        target: int | str = int(chat_id) if _is_int(chat_id) else chat_id
        try:
            methods = plan(target, message, markup, menu)
        except ValueError as exc:
            raise PermanentDeliveryError(f"cannot render the message: {exc}") from None
        key = fingerprint(chat_id, message)
        ids: list[str] = []
        keyboard_id: str | None = None
        for position, method in enumerate(methods):
            if position < self._partial.sent_parts(key):
                continue
            made = [str(i) for i in await self._call(method)]
            ids.extend(made)
            if made and isinstance(getattr(method, "reply_markup", None), InlineKeyboardMarkup):
                keyboard_id = made[-1]
            if len(methods) > 1:
                self._partial.advance(key, position + 1)
        self._partial.finish(key)
        if new_menu is not None:
            await self.memory.set(chat_id, menu=new_menu)
            self._remember_menu(chat_id, new_menu)
        if keyboard_id is not None and supersedes(message):
            await self._clear_keyboard(chat_id, keyboard_id)
        return ids

    async def _clear_keyboard(self, chat_id: str, new_id: str) -> None:
        """Take the buttons off the chat's previous keyboard; a failure only leaves them up
        (and must not fail the send: the new message is out, a retry would send it twice)."""
        clear = self._shown_keyboards.replaced(chat_id, new_id)
        if clear is None:
            return
        try:
            await self._call(clear)
        except Exception as exc:  # tidiness only: the message was delivered
            log.info("an old keyboard stays up", error=type(exc).__name__)

    async def _shown_menu(self, chat_id: str) -> list[Any] | None:
        """The menu the chat has, from memory for a few seconds: a flood of texts from one
        chat costs one look-up, and this process's own sends keep it exact."""
        now = time.monotonic()
        cached = self._menus.get(chat_id)
        if cached is not None and cached[0] > now:
            self._menus.move_to_end(chat_id)
            return cached[1]
        memory = await self.memory.get(chat_id)
        self._remember_menu(chat_id, memory.menu if memory is not None else None)
        return memory.menu if memory is not None else None

    def _remember_menu(self, chat_id: str, menu: list[Any] | None) -> None:
        self._menus[chat_id] = (time.monotonic() + MENU_CACHE_SECONDS, menu)
        self._menus.move_to_end(chat_id)
        if len(self._menus) > MENU_CACHE_CHATS:
            self._menus.popitem(last=False)

    async def _menu(
        self, chat_id: str, message: OutgoingMessage
    ) -> tuple[Menu | None, list[list[dict[str, str]]] | None]:
        """The reply keyboard to send, when the message changes the chat's menu, and the menu
        to remember once it is sent. The same menu again sends nothing: it is still up."""
        if message.menu is None:
            return None, None
        rows = menu_rows(message.menu)
        shown = await self._shown_menu(chat_id)
        if shown == rows or (shown is None and not rows):
            return None, None  # still up, or nothing ever shown that could be taken away
        return menu_markup(message.menu), rows

    async def _keyboard(self, message: OutgoingMessage) -> InlineKeyboardMarkup | None:
        if not message.buttons:
            return None
        long = [
            b.payload
            for row in message.buttons
            for b in row
            if not 1 <= len(b.payload.encode()) <= CALLBACK_DATA_BYTES
            or b.payload.startswith(KEY_PREFIX)
        ]
        if not long:  # the same prompts come with the same keyboards: build each once
            cached = self._keyboards.get(message.buttons)
            if cached is None:
                cached = _markup(message.buttons, {})
                self._keyboards[message.buttons] = cached
                if len(self._keyboards) > KEYBOARD_CACHE:
                    self._keyboards.popitem(last=False)
            else:
                self._keyboards.move_to_end(message.buttons)
            return cached
        return _markup(message.buttons, await self.payloads.shorten(long))

    async def _call(self, method: Method) -> list[int]:
        try:
            return await self._session.deliver(self.client, method)
        except TelegramRetryAfter as exc:
            raise RetryAfter(float(exc.retry_after)) from None
        except TelegramForbiddenError as exc:
            raise ChatBlocked(self._clean(exc.message)) from None
        except TelegramMigrateToChat as exc:
            raise PermanentDeliveryError(
                f"the group became supergroup {exc.migrate_to_chat_id}"
            ) from None
        except (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge) as exc:
            raise PermanentDeliveryError(self._clean(exc.message)) from None
        except TelegramUnauthorizedError:
            raise DeliveryError("Telegram rejected the bot token") from None
        except TelegramAPIError as exc:  # 5xx, network errors and timeouts: retried
            raise DeliveryError(self._clean(f"{type(exc).__name__}: {exc.message}")) from None

    def _clean(self, text: str) -> str:
        return text.replace(self._token, "***")

    def limits(self, chat_id: str) -> list[Limit]:
        o = self.options
        found = [
            window_limit(self.bot.name, o.per_bot_per_second, 1.0, burst=o.per_bot_burst),
            Limit(f"{self.bot.name}:{chat_id}", rate=o.per_chat_per_second, burst=o.per_chat_burst),
        ]
        if chat_id.startswith("-"):  # groups, supergroups and channels have negative ids
            found.append(
                window_limit(
                    f"{self.bot.name}:{chat_id}:minute",
                    o.group_per_minute,
                    60.0,
                    burst=o.group_burst,
                )
            )
        return found

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        for task in list(self._answering):
            task.cancel()
        await asyncio.gather(*self._answering, return_exceptions=True)
        await self.client.session.close()


def _markup(buttons: tuple[tuple[Button, ...], ...], keys: dict[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.text, callback_data=keys.get(b.payload, b.payload))
                for b in row
            ]
            for row in buttons
            if row
        ]
    )


def _is_int(value: str) -> bool:
    return value.lstrip("-").isdigit()
