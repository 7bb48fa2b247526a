"""Long polling confirms only what is stored; the CLI points Telegram at relaybot and back."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from relaybot.cli import main
from relaybot.system import build_system
from tests.channels.helpers import TELEGRAM_SECRET, TELEGRAM_TOKEN, stored_count, telegram_bot


async def test_polling_moves_the_offset_only_after_the_updates_are_stored(
    make_settings, sqlite_url, telegram
):
    bot = telegram_bot(telegram, mode="polling", options={"poll_timeout": 1})
    system = await build_system(make_settings(sqlite_url, bots=[bot]))
    adapter = system.adapters["water"]
    user = telegram.user(TELEGRAM_TOKEN)
    await user.send({"message": user._message(text="hello")})
    (waiting,) = telegram.bot(TELEGRAM_TOKEN).pending
    attempts: list[list[str]] = []
    stop = asyncio.Event()

    async def database_down_once(updates):
        attempts.append([u.update_id for u in updates])
        if len(attempts) == 1:
            raise ConnectionError("the database is restarting")
        stop.set()  # stored, then the process dies before confirming
        return await system.ingest(updates)

    try:
        await asyncio.wait_for(adapter.poll(database_down_once, stop), timeout=15)
        assert attempts == [[str(waiting["update_id"])]] * 2
        offsets = [c.params.get("offset") for c in telegram.calls_to("getUpdates")]
        assert offsets == [None, None], "nothing was confirmed while it was not stored"
        assert telegram.bot(TELEGRAM_TOKEN).pending == [waiting]

        again = asyncio.Event()
        restarted = asyncio.create_task(adapter.poll(system.ingest, again))
        await telegram.wait_until(
            lambda: any(c.params.get("offset") for c in telegram.calls_to("getUpdates"))
        )
        again.set()
        await asyncio.wait_for(restarted, timeout=5)
        assert telegram.bot(TELEGRAM_TOKEN).pending == [], "confirmed after the re-read"
        assert await stored_count(system) == 1, "the re-read update is a duplicate"
    finally:
        await system.close()


def write_config(path, telegram) -> None:
    path.write_text(
        "[[bots]]\n"
        'name = "water"\n'
        'app = "orders"\n'
        'channel = "telegram"\n'
        f'token = "{TELEGRAM_TOKEN}"\n'
        f'webhook_secret = "{TELEGRAM_SECRET}"\n'
        'mode = "webhook"\n'
        f'api_base = "{telegram.url}"\n',
        encoding="utf-8",
    )


async def test_the_cli_sets_and_deletes_the_webhook_with_the_bots_secret(
    make_settings, tmp_path, telegram
):
    config = tmp_path / "relaybot.toml"
    write_config(config, telegram)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--config", str(config), "telegram", *args])

    result = await asyncio.to_thread(run, "set-webhook", "water", "https://bots.example.com")
    assert result.exit_code == 0, result.output
    state = telegram.bot(TELEGRAM_TOKEN)
    assert state.webhook_url == "https://bots.example.com/webhook/telegram/water"
    assert state.webhook_secret == TELEGRAM_SECRET
    assert state.allowed_updates == ["message", "callback_query"]
    assert "webhook of water is set to https://bots.example.com/webhook/telegram/water" in (
        result.output
    )

    info = await asyncio.to_thread(run, "webhook-info", "water")
    assert info.exit_code == 0 and "bots.example.com" in info.output

    result = await asyncio.to_thread(run, "delete-webhook", "water")
    assert result.exit_code == 0 and state.webhook_url is None

    unknown = await asyncio.to_thread(run, "set-webhook", "nobody", "https://x.example")
    assert unknown.exit_code != 0 and "no Telegram bot named 'nobody'" in unknown.output
    bad = await asyncio.to_thread(run, "set-webhook", "water", "ftp://x.example")
    assert bad.exit_code != 0 and "not an http(s) URL" in bad.output
    assert TELEGRAM_TOKEN not in result.output + unknown.output + bad.output
