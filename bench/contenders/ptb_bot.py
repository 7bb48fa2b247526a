"""The order dialog on python-telegram-bot 22, written the way PTB's documentation shows.

A `ConversationHandler` (states ADDRESS, PHONE, BOTTLES, CONFIRM; data in `user_data`) in an
`Application` served by `run_webhook` (PTB's tornado webhook server, `secret_token` checked),
`concurrent_updates` on as PTB's concurrency guide suggests for bots with many users (one
chat's updates still arrive one by one here). uvloop runs the event loop, as for every
contender. Replies go to `--api` (the Telegram stand-in) through PTB's own HTTPX client.

    python bench/contenders/ptb_bot.py --port 8081 --api http://127.0.0.1:8082 \
        --token 123:abc --secret s --db /tmp/orders.db
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvloop
from order_rules import (
    ASK_ADDRESS,
    ASK_BOTTLES,
    ASK_PHONE,
    ASK_YES_NO,
    BOTTLE_CHOICES,
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
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

ADDRESS, PHONE, BOTTLES, CONFIRM = range(4)


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
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
PROMPTS = {
    ADDRESS: (ASK_ADDRESS, ADDRESS_KB),
    PHONE: (ASK_PHONE, PHONE_KB),
    BOTTLES: (ASK_BOTTLES, BOTTLES_KB),
}
Ctx = ContextTypes.DEFAULT_TYPE


def build_conversation(orders: OrderBook) -> ConversationHandler[Ctx]:
    async def ask(update: Update, context: Ctx, step: int) -> int:
        chat = update.effective_chat
        if chat is None:
            return ConversationHandler.END
        if step == CONFIRM:
            data = context.user_data if context.user_data is not None else {}
            await context.bot.send_message(chat.id, summary(data), reply_markup=CONFIRM_KB)
        else:
            text, markup = PROMPTS[step]
            await context.bot.send_message(chat.id, text, reply_markup=markup)
        return step

    async def start(update: Update, context: Ctx) -> int:
        if context.user_data is not None:
            context.user_data.clear()
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, GREETING)
        return await ask(update, context, ADDRESS)

    def answered(
        step: int, field: str, clean: Callable[[str], object]
    ) -> Callable[[Update, Ctx], Awaitable[int]]:
        following = {ADDRESS: PHONE, PHONE: BOTTLES, BOTTLES: CONFIRM}

        async def handler(update: Update, context: Ctx) -> int:
            message = update.effective_message
            if message is None or context.user_data is None:
                return step
            try:
                value = clean(message.text or "")
            except Invalid as invalid:
                await message.reply_text(str(invalid))
                return await ask(update, context, step)
            context.user_data[field] = value
            if context.user_data.pop("editing", False):
                return await ask(update, context, CONFIRM)
            return await ask(update, context, following[step])

        return handler

    async def complete(update: Update, context: Ctx) -> int:
        data = context.user_data if context.user_data is not None else {}
        chat = update.effective_chat
        if chat is None:
            return ConversationHandler.END
        number = await orders.place(
            phone=data["phone"],
            address=data["address"],
            bottles=data["bottles"],
            client_id=str(chat.id),
        )
        await context.bot.send_message(
            chat.id, THANKS.format(number=number, phone=data["phone"]), reply_markup=AGAIN_KB
        )
        data.clear()
        return ConversationHandler.END

    async def decline(update: Update, context: Ctx) -> int:
        if context.user_data is not None:
            context.user_data.clear()
        if update.effective_chat is not None:
            await context.bot.send_message(
                update.effective_chat.id, DECLINED, reply_markup=AGAIN_KB
            )
        return ConversationHandler.END

    async def confirm(update: Update, context: Ctx) -> int:
        answer = ((update.effective_message and update.effective_message.text) or "").lower()
        if answer.strip() in YES_WORDS:
            return await complete(update, context)
        if answer.strip() in NO_WORDS:
            return await decline(update, context)
        if update.effective_message is not None:
            await update.effective_message.reply_text(ASK_YES_NO)
        return await ask(update, context, CONFIRM)

    async def pressed(update: Update, context: Ctx) -> int:
        query = update.callback_query
        if query is None:
            return ConversationHandler.END
        await query.answer()
        data = query.data or ""
        if data == "yes":
            return await complete(update, context)
        if data == "no":
            return await decline(update, context)
        if data.startswith("bottles:") and context.user_data is not None:
            context.user_data["bottles"] = clean_bottles(data.split(":", 1)[1])
            return await ask(update, context, CONFIRM)
        if data.startswith("edit:") and context.user_data is not None:
            context.user_data["editing"] = True
            steps = {"address": ADDRESS, "phone": PHONE, "bottles": BOTTLES}
            return await ask(update, context, steps[data.split(":", 1)[1]])
        if data == "back":
            previous = {"phone": ADDRESS, "bottles": PHONE}
            return await ask(update, context, previous.get(_current(context), BOTTLES))
        return await cancel(update, context)

    async def cancel(update: Update, context: Ctx) -> int:
        if context.user_data is not None:
            context.user_data.clear()
        if update.effective_chat is not None:
            await context.bot.send_message(
                update.effective_chat.id, CANCELLED, reply_markup=AGAIN_KB
            )
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    cancel_words = filters.Regex(r"(?i)^\s*(cancel|отмена|stop)\s*$")
    answer = text & ~cancel_words
    return ConversationHandler(
        entry_points=[
            CommandHandler("start", start),
            MessageHandler(text, start),
            CallbackQueryHandler(start, pattern="^restart$"),
        ],
        states={
            ADDRESS: [MessageHandler(answer, answered(ADDRESS, "address", clean_address))],
            PHONE: [MessageHandler(answer, answered(PHONE, "phone", clean_phone))],
            BOTTLES: [MessageHandler(answer, answered(BOTTLES, "bottles", clean_bottles))],
            CONFIRM: [MessageHandler(answer, confirm)],
        },
        fallbacks=[
            CommandHandler(["cancel", "start"], cancel),
            MessageHandler(cancel_words, cancel),
            CallbackQueryHandler(pressed),
        ],
    )


def _current(context: Ctx) -> str:
    data = context.user_data or {}
    if "bottles" in data:
        return "confirm"
    if "phone" in data:
        return "bottles"
    if "address" in data:
        return "phone"
    return "address"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", required=True, help="Bot API base URL (the stand-in)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    orders = OrderBook(args.db)

    async def post_init(_application: Application) -> None:  # type: ignore[type-arg]
        await orders.open()

    async def post_shutdown(_application: Application) -> None:  # type: ignore[type-arg]
        await orders.close()

    application = (
        Application.builder()
        .token(args.token)
        .base_url(f"{args.api}/bot")
        .concurrent_updates(True)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.add_handler(build_conversation(orders))
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.set_event_loop(asyncio.new_event_loop())
    application.run_webhook(
        listen=args.host,
        port=args.port,
        url_path="webhook/telegram/bench",
        secret_token=args.secret,
        webhook_url=f"http://{args.host}:{args.port}/webhook/telegram/bench",
    )


if __name__ == "__main__":
    main()
