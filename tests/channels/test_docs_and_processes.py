"""docs/channels.md's settings load as written; the stand-ins also run as processes of their own."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from relaybot.channels.registry import AdapterDeps, build_adapter
from relaybot.config import load_settings
from relaybot.testing import free_port

DOC = Path(__file__).resolve().parents[2] / "docs" / "channels.md"


def toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("block", toml_blocks())
def test_every_toml_snippet_in_the_channels_guide_builds_its_bots(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "relaybot.toml"
    config.write_text(block, encoding="utf-8")
    settings = load_settings(config)
    assert settings.bots
    deps = AdapterDeps(settings=settings, sessions=None, clock=None, hub=None)  # type: ignore[arg-type]
    for bot in settings.bots:
        adapter = build_adapter(bot, deps)
        assert adapter.channel == bot.channel
        assert adapter.limits("42"), "every channel door has a rate limit"


@pytest.mark.parametrize(
    ("module", "probe", "status"),
    [
        ("relaybot.testing.telegram_standin", "/bot123456:abc/getMe", 503),
        ("relaybot.testing.chat2desk_standin", "/v1/webhooks", 503),
        ("relaybot.testing.mattermost_standin", "/api/v4/users/me", 401),  # no bot account yet
    ],
)
async def test_a_stand_in_runs_as_its_own_process_and_reports_over_http(module, probe, status):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            for _ in range(100):
                try:
                    await http.get("/_standin/calls")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            faulted = await http.post(
                "/_standin/faults", json={"status": 503, "times": 1, "description": "down"}
            )
            assert faulted.status_code == 200
            first = await http.post(probe, headers={"Authorization": "c2d-token"})
            calls = (await http.get("/_standin/calls")).json()["calls"]
        assert first.status_code == status
        assert len(calls) == 1 and calls[0]["path"] == probe and calls[0]["at"] > 0
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_telegram_stand_in_process_takes_a_persons_message_and_serves_it_to_polling():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "relaybot.testing.telegram_standin", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    token = "123456:process-test"
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            for _ in range(100):
                try:
                    await http.get("/_standin/calls")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            said = await http.post(
                "/_standin/telegram/say", json={"token": token, "user_id": 77, "text": "/start"}
            )
            assert said.json() == {"delivered_status": None}, "no webhook: queued for polling"
            updates = (await http.post(f"/bot{token}/getUpdates", data={"timeout": "0"})).json()
            (update,) = updates["result"]
            assert update["message"]["text"] == "/start"
            assert update["message"]["entities"][0]["type"] == "bot_command"
            offset = str(update["update_id"] + 1)
            confirmed = await http.post(f"/bot{token}/getUpdates", data={"offset": offset})
            assert confirmed.json()["result"] == []
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_the_testing_example_in_the_channels_guide_passes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (block,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    namespace: dict[str, object] = {}
    exec(compile(block, str(DOC), "exec"), namespace)
    await namespace["test_the_order_bot_greets_and_survives_a_429"](tmp_path)  # type: ignore[operator]
