"""How long a 10-photo ad takes from the author's Post to the channel, on Telegram's limits.

A relaybot (gateway, worker, sender) with an ad bot on the Telegram stand-in, its rate limits
left at their defaults (30 messages a second per bot, 1 a second per chat, 20 a minute per
group or channel). Each round is a draft with 10 photos whose author presses Post: the time
runs from the webhook carrying the press to the stand-in receiving the channel's
`sendMediaGroup`. Consecutive rounds post to the same channel, so the channel's per-minute
window shows once its burst is used up.

    python bench/classifieds_post.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from relaybot.apps.classifieds.models import Ad
from relaybot.apps.classifieds.payloads import AdAct
from relaybot.config import load_settings
from relaybot.runtime.logs import configure_logging
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin

TOKEN = "7000001:AAbench-token-of-the-ads-bot"
SECRET = "bench-secret_1"
CHANNEL = -1001234
AUTHOR = 5000001


async def draft(server: RelaybotServer, number: int) -> int:
    assert server.system is not None
    now = datetime.now(UTC)
    async with server.system.sessions() as session, session.begin():
        ad = Ad(
            bot="ads",
            kind="parts",
            kind_title="Car parts for sale",
            author_id=str(AUTHOR),
            author_chat=str(AUTHOR),
            language="en",
            status="draft",
            locked=False,
            answers={
                "category": "Body",
                "title": f"Front bumper No. {number}",
                "description": "Original bumper, a small scratch on the left side.",
                "price": {"amount": "15000", "currency": "KGS"},
                "region": "Bishkek",
                "condition": "Used",
                "photos": [f"photo-{number}-{n}" for n in range(1, 11)],
                "contact": "+996555123456",
            },
            feedback=[],
            created_at=now,
            updated_at=now,
        )
        session.add(ad)
        await session.flush()
        return ad.id


async def press_post(telegram: TelegramStandin, ad_id: int) -> float:
    user = telegram.user(TOKEN, user_id=AUTHOR, first_name="Timur")
    message = {
        "message_id": telegram.next_message_id(AUTHOR),
        "date": int(time.time()),
        "chat": telegram.chat(AUTHOR),
        "from": {"id": 7000001, "is_bot": True, "first_name": "Relay bot"},
        "text": "This is how your ad will look. Post it?",
    }
    query = {
        "id": f"q{ad_id}",
        "from": user.profile,
        "message": message,
        "chat_instance": "bench",
        "data": AdAct(ad=ad_id, act="post").pack(),
    }
    started = time.time()
    await user.send({"callback_query": query})
    return started


async def main(rounds: int) -> None:
    async with TelegramStandin() as telegram:
        with tempfile.TemporaryDirectory() as folder:
            bot = {
                "name": "ads",
                "app": "classifieds",
                "channel": "telegram",
                "token": TOKEN,
                "webhook_secret": SECRET,
                "api_base": telegram.url,
                "options": {"channel": str(CHANNEL), "locale": "en"},
            }
            settings = load_settings(
                None,
                database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
                bots=[bot],
                webchat_for_bundled_apps=False,
                poll_interval=0.2,
            )
            async with RelaybotServer(settings) as server:
                state = telegram.bot(TOKEN)
                state.webhook_url = f"{server.url}/webhook/telegram/ads"
                state.webhook_secret = SECRET
                times: list[float] = []
                for number in range(1, rounds + 1):
                    ad_id = await draft(server, number)
                    before = len(telegram.calls_to("sendMediaGroup", chat_id=CHANNEL))
                    started = await press_post(telegram, ad_id)
                    await telegram.wait_until(
                        lambda b=before: (
                            len(telegram.calls_to("sendMediaGroup", chat_id=CHANNEL)) > b
                        ),
                        timeout=300,
                    )
                    arrived = telegram.calls_to("sendMediaGroup", chat_id=CHANNEL)[-1].at
                    times.append(arrived - started)
                    album = telegram.calls_to("sendMediaGroup", chat_id=CHANNEL)[-1]
                    photos = len(album.params["media"])
                    print(f"ad {number}: {arrived - started:.2f} s, {photos} photos")
                print(
                    f"10-photo ad, Post to channel: median {statistics.median(times):.2f} s, "
                    f"first {times[0]:.2f} s, max {max(times):.2f} s over {rounds} rounds"
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    configure_logging("warning")
    asyncio.run(main(parser.parse_args().rounds))
