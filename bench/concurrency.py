"""Steps/s of the order dialog when each order also calls a CRM that takes 200 ms.

The bundled order bot, with one change: each confirmed order is registered with a CRM (the
`ServiceStandin`, holding every answer `--delay` seconds). `inline` awaits the CRM inside the
handler, as an app that knows nothing of `ctx.call` would; `durable` records the call with
`ctx.call`, made after the commit by the caller role. For each worker concurrency, `--chats`
chats each queue the dialog's five updates at once (greeting, address, phone, bottles,
confirm); the figure is the dialog steps committed per second until every order is accepted
(and, for `durable`, every CRM call is done). One process, the embedded SQLite default unless
`--database-url` says otherwise; each run gets a new database.

    python bench/concurrency.py --chats 100 --delay 0.2 --concurrency 1 5 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from relaybot import Context, HttpCall
from relaybot.apps.orders.app import OrdersApp
from relaybot.config import BotConfig, load_settings
from relaybot.core.types import Update
from relaybot.runtime.logs import configure_logging
from relaybot.store.models import OutboxMessage, OutgoingCall
from relaybot.system import System, build_system
from relaybot.testing import ServiceStandin
from relaybot.testing.waiting import eventually

SCRIPT = ("/start", "Bishkek, Chui avenue 120, flat 7", "0555 123 456", "3", "yes")


class OrdersWithCrm(OrdersApp):
    """The order bot, registering each confirmed order with the CRM of its `crm_url`."""

    crm: httpx.AsyncClient | None = None

    async def handle(self, ctx: Context) -> None:
        confirmed = ctx.update.text == "yes" and ctx.result is None
        crm = f"{self.bot.options['crm_url']}/orders"
        key = {"Idempotency-Key": ctx.update.update_id}
        if confirmed and self.bot.options["crm_mode"] == "inline":
            if self.crm is None:  # one client, its connections kept, as an app would
                self.crm = httpx.AsyncClient(timeout=30)
            (await self.crm.post(crm, json={"chat": ctx.update.chat_id}, headers=key)).json()
        await super().handle(ctx)
        if confirmed and self.bot.options["crm_mode"] == "durable":
            ctx.call(HttpCall("POST", crm, json={"chat": ctx.update.chat_id}), tag="crm")


def updates(chats: int) -> list[Update]:
    now = time.time()
    return [
        Update(
            channel="webchat",
            bot="shop",
            chat_id=f"chat{chat}",
            user_id=f"chat{chat}",
            update_id=f"chat{chat}-{step}",
            text=text,
            language="en",
            received_at=now,
        )
        for chat in range(chats)
        for step, text in enumerate(SCRIPT)
    ]


async def finished(system: System, chats: int, mode: str) -> bool:
    async with system.sessions() as session:
        replies = await session.scalar(select(func.count()).select_from(OutboxMessage))
        calls_done = await session.scalar(
            select(func.count()).select_from(OutgoingCall).where(OutgoingCall.status == "done")
        )
    # 2 replies to the greeting, one to each other step
    return (replies or 0) >= 6 * chats and (mode == "inline" or calls_done == chats)


async def one_run(args: argparse.Namespace, concurrency: int, mode: str) -> dict[str, Any]:
    async with ServiceStandin() as crm:
        crm.answer_delay = args.delay
        with tempfile.TemporaryDirectory() as tmp:
            database_url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            settings = load_settings(
                None,
                database_url=database_url,
                bots=[
                    BotConfig(
                        name="shop",
                        app="__main__:OrdersWithCrm",
                        options={"crm_url": crm.url, "crm_mode": mode},
                    )
                ],
                webchat_for_bundled_apps=False,
                worker_concurrency=concurrency,
                call_concurrency=max(16, concurrency),
                default_locale="en",
            )
            system = await build_system(settings)
            try:
                await system.start(["worker", "caller"])
                started = time.perf_counter()
                await system.queue.put_many(updates(args.chats))
                system.worker_signal.notify()
                await eventually(lambda: finished(system, args.chats, mode), timeout=600)
                elapsed = time.perf_counter() - started
            finally:
                await system.close()
    steps = len(SCRIPT) * args.chats
    return {
        "event": "run",
        "mode": mode,
        "concurrency": concurrency,
        "chats": args.chats,
        "crm_delay_s": args.delay,
        "steps": steps,
        "seconds": round(elapsed, 3),
        "steps_per_s": round(steps / elapsed, 1),
        "crm_calls": len(crm.calls),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.2, help="the CRM's answer time, s")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 5, 50])
    parser.add_argument("--modes", nargs="+", default=["inline", "durable"])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    configure_logging("warning")  # slow-handler warnings stay: they are part of the story
    for mode in args.modes:
        for concurrency in args.concurrency:
            print(json.dumps(await one_run(args, concurrency, mode)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
