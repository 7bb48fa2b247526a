"""The order dialog on aiogram 3, written the way aiogram's documentation shows.

A `Router` with an FSM (`StatesGroup`), `MemoryStorage` or `RedisStorage`, served as a webhook
by aiohttp through `SimpleRequestHandler` + `setup_application`, `set_webhook` on start-up.
uvloop is on, as the `aiogram[fast]` extra recommends. Replies go to `--api` (the Telegram
stand-in) through aiogram's own `AiohttpSession`.

    python bench/contenders/aiogram_bot.py --port 8081 --api http://127.0.0.1:8082 \
        --token 123:abc --secret s --storage redis --db /tmp/orders.db
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import uvloop
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from order_rules import (
    ASK_ADDRESS,
    ASK_BOTTLES,
    ASK_PHONE,
    ASK_YES_NO,
    BOTTLE_CHOICES,
    CANCEL_WORDS,
    CANCELLED,
    DECLINED,
    GREETING,
    NO_WORDS,
    THANKS,
    YES_WORDS,
    Invalid,
    OrderBook,
    clean_address,
    clean_bottles,
    clean_phone,
    summary,
)


class OrderForm(StatesGroup):
    address = State()
    phone = State()
    bottles = State()
    confirm = State()


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
            for row in rows
        ]
    )


NAV = [("Back", "back"), ("Cancel", "cancel")]
ADDRESS_KB = keyboard([("Cancel", "cancel")])
PHONE_KB = keyboard(NAV)
BOTTLES_KB = keyboard([(n, f"bottles:{n}") for n in BOTTLE_CHOICES], NAV)
CONFIRM_KB = keyboard(
    [("Yes", "yes"), ("No", "no")],
    [("Change: Address", "edit:address"), ("Change: Phone", "edit:phone")],
    [("Change: Bottles", "edit:bottles"), ("Back", "back")],
)
AGAIN_KB = keyboard([("Start again", "restart")])


def build_router(orders: OrderBook) -> Router:
    router = Router()

    async def ask(message: Message, state: FSMContext, step: State) -> None:
        await state.set_state(step)
        if step == OrderForm.address:
            await message.answer(ASK_ADDRESS, reply_markup=ADDRESS_KB)
        elif step == OrderForm.phone:
            await message.answer(ASK_PHONE, reply_markup=PHONE_KB)
        elif step == OrderForm.bottles:
            await message.answer(ASK_BOTTLES, reply_markup=BOTTLES_KB)
        else:
            await message.answer(summary(await state.get_data()), reply_markup=CONFIRM_KB)

    async def accepted(message: Message, state: FSMContext, field: str, value: Any) -> None:
        data = await state.update_data({field: value})
        following = {"address": OrderForm.phone, "phone": OrderForm.bottles}
        if data.pop("editing", False) or field == "bottles":
            await state.update_data(editing=False)
            await ask(message, state, OrderForm.confirm)
        else:
            await ask(message, state, following[field])

    @router.message(F.text.lower().in_(CANCEL_WORDS))
    async def cancel(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(CANCELLED, reply_markup=AGAIN_KB)

    @router.message(StateFilter(None))
    @router.message(CommandStart())
    async def start(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(GREETING)
        await ask(message, state, OrderForm.address)

    @router.message(OrderForm.address, F.text)
    async def address(message: Message, state: FSMContext) -> None:
        try:
            value = clean_address(message.text or "")
        except Invalid as invalid:
            await message.answer(str(invalid))
            await message.answer(ASK_ADDRESS, reply_markup=ADDRESS_KB)
            return
        await accepted(message, state, "address", value)

    @router.message(OrderForm.phone, F.text)
    async def phone(message: Message, state: FSMContext) -> None:
        try:
            value = clean_phone(message.text or "")
        except Invalid as invalid:
            await message.answer(str(invalid))
            await message.answer(ASK_PHONE, reply_markup=PHONE_KB)
            return
        await accepted(message, state, "phone", value)

    @router.message(OrderForm.bottles, F.text)
    async def bottles(message: Message, state: FSMContext) -> None:
        try:
            value = clean_bottles(message.text or "")
        except Invalid as invalid:
            await message.answer(str(invalid))
            await message.answer(ASK_BOTTLES, reply_markup=BOTTLES_KB)
            return
        await accepted(message, state, "bottles", value)

    async def complete(message: Message, state: FSMContext, client_id: str) -> None:
        data = await state.get_data()
        number = await orders.place(
            phone=data["phone"],
            address=data["address"],
            bottles=data["bottles"],
            client_id=client_id,
        )
        await state.clear()
        await message.answer(
            THANKS.format(number=number, phone=data["phone"]), reply_markup=AGAIN_KB
        )

    @router.message(OrderForm.confirm, F.text)
    async def confirm(message: Message, state: FSMContext) -> None:
        answer = (message.text or "").strip().lower()
        if answer in YES_WORDS:
            await complete(message, state, str(message.chat.id))
        elif answer in NO_WORDS:
            await state.clear()
            await message.answer(DECLINED, reply_markup=AGAIN_KB)
        else:
            await message.answer(ASK_YES_NO)
            await ask(message, state, OrderForm.confirm)

    @router.callback_query()
    async def pressed(query: CallbackQuery, state: FSMContext) -> None:
        await query.answer()
        message = query.message
        if not isinstance(message, Message):
            return
        data, current = query.data or "", await state.get_state()
        if data == "cancel":
            await state.clear()
            await message.answer(CANCELLED, reply_markup=AGAIN_KB)
        elif data == "restart":
            await message.answer(GREETING)
            await ask(message, state, OrderForm.address)
        elif data == "yes" and current == OrderForm.confirm.state:
            await complete(message, state, str(query.from_user.id))
        elif data == "no" and current == OrderForm.confirm.state:
            await state.clear()
            await message.answer(DECLINED, reply_markup=AGAIN_KB)
        elif data.startswith("bottles:") and current == OrderForm.bottles.state:
            await accepted(message, state, "bottles", clean_bottles(data.split(":", 1)[1]))
        elif data.startswith("edit:") and current == OrderForm.confirm.state:
            await state.update_data(editing=True)
            await ask(message, state, getattr(OrderForm, data.split(":", 1)[1]))
        elif data == "back":
            back = {
                OrderForm.phone.state: OrderForm.address,
                OrderForm.bottles.state: OrderForm.phone,
                OrderForm.confirm.state: OrderForm.bottles,
            }
            await ask(message, state, back.get(current or "", OrderForm.address))

    return router


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", required=True, help="Bot API base URL (the stand-in)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--storage", choices=("memory", "redis"), default="memory")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--redis-prefix", default="bench-aiogram")
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    storage: BaseStorage
    if args.storage == "redis":
        # A pool as large as the webhook's concurrency: redis-py's default refuses
        # ("Too many connections") when 200 chats are answered at once.
        storage = RedisStorage.from_url(
            args.redis_url,
            connection_kwargs={"max_connections": 1024},
            key_builder=DefaultKeyBuilder(prefix=args.redis_prefix),
        )
    else:
        storage = MemoryStorage()
    session = AiohttpSession(api=TelegramAPIServer.from_base(args.api))
    bot = Bot(args.token, session=session)
    orders = OrderBook(args.db)
    dispatcher = Dispatcher(storage=storage)
    dispatcher.include_router(build_router(orders))
    path = "/webhook/telegram/bench"

    async def on_startup(bot: Bot) -> None:
        await orders.open()
        await bot.set_webhook(f"http://{args.host}:{args.port}{path}", secret_token=args.secret)

    async def on_shutdown() -> None:
        await orders.close()

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)

    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=args.secret).register(
        app, path=path
    )

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/health", health)
    setup_application(app, dispatcher, bot=bot)
    uvloop.install()
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
