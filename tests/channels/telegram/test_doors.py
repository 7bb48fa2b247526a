"""Only Telegram, with the bot's secret, gets an update in; bad input is refused clearly."""

from __future__ import annotations

import httpx
import pytest

from relaybot.testing import RelaybotServer
from tests.channels.helpers import TELEGRAM_SECRET, stored_updates, telegram_bot

UPDATE = {
    "update_id": 900001,
    "message": {
        "message_id": 1,
        "date": 1_760_000_000,
        "chat": {"id": 5000001, "type": "private", "first_name": "Aida"},
        "from": {"id": 5000001, "is_bot": False, "first_name": "Aida"},
        "text": "hello",
    },
}


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {"X-Telegram-Bot-Api-Secret-Token": ""}],
    ids=["missing", "wrong", "empty"],
)
async def test_a_webhook_call_without_the_right_secret_is_refused_and_nothing_is_stored(
    make_settings, sqlite_url, telegram, headers
):
    async with RelaybotServer(make_settings(sqlite_url, bots=[telegram_bot(telegram)])) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            response = await http.post("/webhook/telegram/water", json=UPDATE, headers=headers)
        assert response.status_code == 401
        assert "secret" in response.json()["detail"]
        assert await stored_updates(server) == 0
    assert telegram.calls == []


async def test_malformed_and_foreign_bodies_get_400_and_unknown_update_kinds_are_ignored(
    make_settings, sqlite_url, telegram
):
    secret = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with RelaybotServer(make_settings(sqlite_url, bots=[telegram_bot(telegram)])) as server:
        async with httpx.AsyncClient(base_url=server.url, headers=secret) as http:
            broken = await http.post("/webhook/telegram/water", content=b'{"update_id": ')
            assert broken.status_code == 400 and "JSON" in broken.json()["detail"]
            listed = await http.post("/webhook/telegram/water", json=[UPDATE])
            assert listed.status_code == 400
            foreign = await http.post("/webhook/telegram/water", json={"hello": "world"})
            assert foreign.status_code == 400
            edited = {"update_id": 900002, "edited_message": UPDATE["message"]}
            ignored = await http.post("/webhook/telegram/water", json=edited)
            assert ignored.status_code == 200
            joined = {
                "update_id": 900003,
                "message": {**UPDATE["message"], "text": None, "new_chat_members": []},
            }
            assert (await http.post("/webhook/telegram/water", json=joined)).status_code == 200
            elsewhere = await http.post("/webhook/telegram/nobody", json=UPDATE)
            assert elsewhere.status_code == 404
        assert await stored_updates(server) == 0
        async with httpx.AsyncClient(base_url=server.url, headers=secret) as http:
            accepted = await http.post("/webhook/telegram/water", json=UPDATE)
            repeated = await http.post("/webhook/telegram/water", json=UPDATE)
        assert accepted.status_code == repeated.status_code == 200
        assert await stored_updates(server) == 1


def test_a_webhook_bot_without_a_usable_secret_is_refused_at_start(make_settings, sqlite_url):
    from relaybot.channels.registry import AdapterDeps, build_adapter
    from relaybot.config import BotConfig

    settings = make_settings(sqlite_url)
    deps = AdapterDeps(settings=settings, sessions=None, clock=None, hub=None)  # type: ignore[arg-type]
    bot = BotConfig(
        name="water", app="orders", channel="telegram", token="1:a", webhook_secret="a b"
    )
    with pytest.raises(ValueError, match=r"water.*webhook_secret"):
        build_adapter(bot, deps)
    no_token = BotConfig(name="water", app="orders", channel="telegram", mode="polling")
    with pytest.raises(ValueError, match=r"water.*needs a token"):
        build_adapter(no_token, deps)
    wrong = BotConfig(
        name="water",
        app="orders",
        channel="telegram",
        token="1:a",
        mode="polling",
        options={"per_chat_per_second": "fast"},
    )
    with pytest.raises(ValueError, match=r"water.*per_chat_per_second"):
        build_adapter(wrong, deps)
