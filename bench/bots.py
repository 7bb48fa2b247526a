"""What a bot costs when bots are data: memory per idle bot, and the time from `bots add`
to its first answered update.

Starts `relaybot run` on SQLite with the Telegram Bot API stand-in, then:

* memory: stores `--bots` Telegram bots in webhook mode, waits until the running process
  serves all of them, and reads its resident memory (/proc, so Linux only) before and after;
  then as many in long-polling mode (each holds a getUpdates call open). Printed per bot.
* add to answer: runs `relaybot bots add` for a new Telegram bot `--adds` times and measures
  how long the command took, then until the bot's webhook accepted its first update, then
  until its reply reached the stand-in.

    python bench/bots.py --bots 100 --adds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from relaybot.config import BotConfig, load_settings
from relaybot.fleet.definition import has_secrets, split
from relaybot.security.bot_keys import load_bots_key
from relaybot.store import bots as bots_store
from relaybot.system import open_store
from relaybot.testing import TelegramStandin, free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env
from relaybot.testing.waiting import eventually

COUNTING = "relaybot.testing.counting:CountingApp"
SECRET = "bench-bots-webhook-secret"


def token(n: int) -> str:
    return f"{400000 + n}:AAH-bench-bots-token-{n:05d}-abcdefgh"


def rss_kib(process: RelaybotProcess) -> int:
    assert process.process is not None
    for line in Path(f"/proc/{process.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def store(env: dict[str, str], bots: list[BotConfig]) -> None:
    """Store bots as `relaybot bots add` does, without asking the channel about each."""
    settings = load_settings(
        None, database_url=env["RELAYBOT_DATABASE_URL"], bots_key=env["RELAYBOT_BOTS_KEY"]
    )
    cipher = load_bots_key(settings).cipher
    assert cipher is not None
    async with open_store(settings) as sessions:
        for bot in bots:
            columns, secrets = split(bot)
            sealed = cipher.seal(secrets) if has_secrets(secrets) else None
            await bots_store.insert(
                sessions,
                {**columns, "credentials": sealed, "enabled": True},
                actor="bench",
                channel="cli",
            )


async def served(http: httpx.AsyncClient, name: str) -> bool:
    """A served webhook bot answers a wrong secret 401; an unknown one 404."""
    answer = await http.post(
        f"/webhook/telegram/{name}", json={}, headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
    )
    return answer.status_code != 404


async def settled_rss(relay: RelaybotProcess, seconds: float = 3.0) -> int:
    await asyncio.sleep(seconds)
    return rss_kib(relay)


def update(chat: int, text: str) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": "Bench", "language_code": "en"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Bench"},
            "from": person,
            "text": text,
        },
    }


async def memory(
    args: argparse.Namespace,
    env: dict[str, str],
    telegram: TelegramStandin,
    relay: RelaybotProcess,
    http: httpx.AsyncClient,
) -> dict[str, float]:
    results: dict[str, float] = {}
    offset = 0
    for mode in ("webhook", "polling"):
        names = [f"{mode}{n}" for n in range(args.bots)]
        bots = [
            BotConfig(
                name=name,
                app=COUNTING,
                channel="telegram",
                token=token(offset + n),
                mode=mode,
                webhook_secret=SECRET if mode == "webhook" else None,
                api_base=telegram.url,
            )
            for n, name in enumerate(names)
        ]
        offset += args.bots
        before = await settled_rss(relay)
        await store(env, bots)
        deadline = time.monotonic() + 120
        if mode == "webhook":
            while not all(await asyncio.gather(*(served(http, n) for n in names))):
                if time.monotonic() > deadline:
                    raise RuntimeError("the bots were not served within 120 s")
                await asyncio.sleep(0.5)
        else:
            polled = {token(offset - args.bots + n) for n in range(args.bots)}

            def polling(polled: set[str] = polled) -> bool:
                return polled <= {c.path.split("/")[1][3:] for c in telegram.calls_to("getUpdates")}

            await telegram.wait_until(polling, timeout=120)
        after = await settled_rss(relay)
        results[f"{mode}_kib_per_bot"] = round((after - before) / args.bots, 1)
        results[f"{mode}_rss_before_mib"] = round(before / 1024, 1)
        results[f"{mode}_rss_after_mib"] = round(after / 1024, 1)
    return results


async def add_to_answer(
    args: argparse.Namespace,
    telegram: TelegramStandin,
    relay: RelaybotProcess,
    http: httpx.AsyncClient,
) -> dict[str, float]:
    command, until_accepted, until_answered = [], [], []
    for n in range(args.adds):
        name = f"added{n}"
        bot_token = token(900_000 + n)
        chat = 7_700_000 + n
        started = time.monotonic()
        await asyncio.to_thread(
            relay.cli,
            "bots",
            "add",
            name,
            "--app",
            COUNTING,
            "--channel",
            "telegram",
            "--token",
            bot_token,
            "--webhook-secret",
            SECRET,
            "--api-base",
            telegram.url,
        )
        added = time.monotonic()
        while True:
            answer = await http.post(
                f"/webhook/telegram/{name}",
                json=update(chat, "hi"),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            if answer.status_code == 200:
                break
            await asyncio.sleep(0.05)
        accepted = time.monotonic()

        def replied(chat: int = chat) -> bool:
            return bool(telegram.sent_to(chat))

        await telegram.wait_until(replied, timeout=30)
        answered = time.monotonic()
        command.append(added - started)
        until_accepted.append(accepted - added)
        until_answered.append(answered - added)
    return {
        "bots_add_command_s": round(statistics.median(command), 2),
        "add_to_first_accepted_update_s": round(statistics.median(until_accepted), 2),
        "add_to_first_answer_s": round(statistics.median(until_answered), 2),
        "add_to_first_answer_max_s": round(max(until_answered), 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bots", type=int, default=100, help="bots per mode for memory")
    parser.add_argument("--adds", type=int, default=5, help="`bots add` runs to time")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = relaybot_env(
            {
                "RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'relaybot.db'}",
                "RELAYBOT_BOTS_KEY": Fernet.generate_key().decode(),
                "RELAYBOT_WEBCHAT_FOR_BUNDLED_APPS": "false",
                "RELAYBOT_LOG_LEVEL": "info",
            }
        )
        async with TelegramStandin() as telegram:
            relay = RelaybotProcess(
                ["run"], env=env, workdir=workdir, name="relaybot", port=free_port()
            )
            await relay.start(timeout=120)
            try:

                async def warmed_up() -> bool:
                    return "every channel is ready for new bots" in relay.log_path.read_text()

                await eventually(warmed_up, timeout=120, interval=0.2)
                async with httpx.AsyncClient(base_url=relay.url, timeout=30) as http:
                    result = await add_to_answer(args, telegram, relay, http)
                    result.update(await memory(args, env, telegram, relay, http))
            finally:
                await relay.stop()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
