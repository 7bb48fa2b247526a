"""Secrets never reach logs, error answers or metrics, even at debug level and on bad input.

The stories run against `relaybot run` in a subprocess whose whole output is captured."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest
import structlog

from relaybot.runtime.logs import _redact, register_secrets, scrub
from relaybot.testing import WebchatClient, free_port
from relaybot.testing.telegram_standin import TelegramStandin

ADMIN_TOKEN = "admin-bootstrap-7f3c9a1e5b2d4c6e8a0b"
JWT_SECRET = "jwt-signing-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
BOT_TOKEN = "123456789:AAH-shop-bot-token-zyxwvutsrqponmlkjih"
WEBHOOK_SECRET = "webhook-secret-Qm9vbGVhbkxvZ2ljUm9ja3M"
TELEGRAM_TOKEN = "7300001:AAsecret-telegram-token-of-the-water-bot"
TELEGRAM_SECRET = "telegram-webhook-secret_Zx81"
SECRETS = (ADMIN_TOKEN, JWT_SECRET, BOT_TOKEN, WEBHOOK_SECRET, TELEGRAM_TOKEN, TELEGRAM_SECRET)
# The bot token travels in Bot API URL paths; its numeric part alone names the bot publicly.
TELEGRAM_TOKEN_SECRET_PART = TELEGRAM_TOKEN.split(":", 1)[1]


async def start_relaybot(
    workdir: Path, port: int, telegram: TelegramStandin
) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYBOT_")}
    env.update(
        RELAYBOT_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'relaybot.db'}",
        RELAYBOT_ADMIN_TOKEN=ADMIN_TOKEN,
        RELAYBOT_JWT_SECRET=JWT_SECRET,
        RELAYBOT_LOG_LEVEL="debug",
        RELAYBOT_LOG_FORMAT="json",
        RELAYBOT_POLL_INTERVAL="0.2",
        RELAYBOT_BOTS=json.dumps(
            [
                {
                    "name": "shop",
                    "app": "orders",
                    "channel": "webchat",
                    "token": BOT_TOKEN,
                    "webhook_secret": WEBHOOK_SECRET,
                },
                {
                    "name": "water",
                    "app": "orders",
                    "channel": "telegram",
                    "token": TELEGRAM_TOKEN,
                    "webhook_secret": TELEGRAM_SECRET,
                    "api_base": telegram.url,
                    "options": {"per_chat_per_second": 100.0, "per_chat_burst": 100},
                },
            ]
        ),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "relaybot.cli",
        "run",
        "--port",
        str(port),
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with httpx.AsyncClient() as http:
        for _ in range(600):
            if process.returncode is not None:
                break
            try:
                if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    if process.returncode is None:
        process.kill()
    output, _ = await process.communicate()
    raise RuntimeError(f"relaybot did not start: {output.decode(errors='replace')[-2000:]}")


async def test_order_stories_on_web_chat_and_telegram_leave_no_secret_in_logs_or_answers(
    tmp_path: Path,
):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with TelegramStandin() as telegram:
        minted, answers, logs = await run_stories(tmp_path, port, url, telegram)
    assert "relaybot started" in logs and "authentication failed" in logs
    for secret in (*SECRETS, TELEGRAM_TOKEN_SECRET_PART, minted):
        assert secret not in logs, f"a secret leaked into the logs: {secret[:6]}..."
        for answer in answers:
            assert secret not in answer, f"a secret leaked into an answer: {answer[:80]}"


async def run_stories(
    tmp_path: Path, port: int, url: str, telegram: TelegramStandin
) -> tuple[str, list[str], str]:
    """Both order stories and the hostile calls; returns the minted token, answers and logs."""
    process = await start_relaybot(tmp_path, port, telegram)
    answers: list[str] = []
    try:
        state = telegram.bot(TELEGRAM_TOKEN)
        state.webhook_url = f"{url}/webhook/telegram/water"
        state.webhook_secret = TELEGRAM_SECRET
        aida = telegram.user(TELEGRAM_TOKEN, user_id=5300001, first_name="Aida")
        await aida.say("/start", expect=2)
        await aida.say("Bishkek, Chui avenue 120, apt 5")
        await aida.share_contact("+996555123456")
        await aida.press("3")
        done = await aida.press("Yes")
        assert "is accepted" in done[-1].text
        state.webhook_secret = "a-wrong-secret-for-once"
        refused = await telegram.push_update(TELEGRAM_TOKEN, {"message": {"text": "hi"}})
        assert refused is not None and refused.status_code == 401
        answers.append(f"{refused.status_code} {refused.headers} {refused.text}")

        async with WebchatClient(url, "shop") as chat:
            await chat.say("hello", expect=2)
            await chat.say("Bishkek, Chui avenue 120")
            await chat.say("0555 123 456")
            await chat.say("2")
            done = await chat.press("Yes")
            assert "is accepted" in done[-1]["text"]
        async with httpx.AsyncClient(base_url=url) as http:
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            created = await http.post("/api/admin/tokens", json={"name": "ci"}, headers=admin)
            minted = created.json()["token"]
            calls = [
                http.get("/api/admin/whoami", headers={"Authorization": f"Bearer {minted}"}),
                http.get("/api/admin/tokens", headers={"Authorization": f"Bearer {ADMIN_TOKEN}x"}),
                http.get("/api/admin/tokens", headers={"Authorization": f"Basic {JWT_SECRET}"}),
                http.post(
                    "/webhook/telegram/shop",
                    content=b"{not json",
                    headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                ),
                http.post(f"/webhook/telegram/{BOT_TOKEN}", json={"update_id": 1}),
                http.post("/webhook/webchat/shop", json={"token": WEBHOOK_SECRET}),
                http.post("/chat/api/shop/messages", json={"id": "x", "text": ADMIN_TOKEN}),
                http.get("/metrics"),
                http.get("/health"),
                http.get("/api/openapi.json"),
            ]
            for response in await asyncio.gather(*calls):
                assert response.status_code < 500
                answers.append(f"{response.status_code} {response.headers} {response.text}")
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    return minted, answers, output.decode("utf-8", "replace")


def test_known_secrets_are_masked_in_any_field_and_in_tracebacks():
    register_secrets("p4ss-w0rd-for-the-courier-api")
    try:
        raise RuntimeError("login failed with p4ss-w0rd-for-the-courier-api")
    except RuntimeError as exc:
        failure = exc
    event = {
        "event": "calling https://courier:p4ss@example.com/api",
        "headers": {"X-Api": "p4ss-w0rd-for-the-courier-api"},
        "api_token": "anything at all",
        "error": failure,
        "exception": "Traceback ... 987654321:AAAbbbCCCdddEEEfffGGGhhhIII",
        "count": 3,
    }
    cleaned = _redact(None, "info", dict(event))
    rendered = json.dumps(cleaned, default=str)
    assert "p4ss" not in rendered and "AAAbbb" not in rendered
    assert cleaned["api_token"] == "***" and cleaned["count"] == 3
    assert scrub("no secrets here") == "no secrets here"


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_library_logs_go_through_the_same_redaction(fmt, capsys):
    import logging

    from relaybot.runtime.logs import configure_logging

    register_secrets("library-secret-value-42")
    configure_logging("info", fmt)
    try:
        logging.getLogger("uvicorn.error").error("boom with library-secret-value-42")
        logging.getLogger("httpx").info("HTTP Request: POST https://api/bot1:x/sendMessage")
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers = []
    err = capsys.readouterr().err
    assert "boom with ***" in err and "library-secret-value-42" not in err
    assert "HTTP Request" not in err
