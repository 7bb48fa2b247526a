"""The CRM order bot of docs/writing-a-bot.md ("Calling other services"), against a stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from relaybot import BotConfig
from relaybot.testing import RelaybotServer, ServiceStandin, WebchatClient

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


async def test_the_client_is_told_the_crms_order_number(
    make_settings, sqlite_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    # --8<-- [start:story]
    async with ServiceStandin() as crm:
        crm.fail("orders", status=503, times=1)  # the CRM stumbles once
        bot = BotConfig(name="shop", app="crm:CrmShop", options={"crm_url": crm.url})
        settings = make_settings(
            sqlite_url, bots=[bot], webchat_for_bundled_apps=False, call_backoff_base=0.1
        )
        roles = ("gateway", "worker", "sender", "caller")
        async with RelaybotServer(settings, roles=roles) as server:
            async with WebchatClient(server.url, "shop") as chat:
                replies = await chat.say("/order green tea", expect=2)
    assert [r["text"] for r in replies] == [
        "Thank you! Registering your order for green tea...",
        "Your order number is CRM-1001.",
    ]
    assert crm.keys[0] == crm.keys[1]  # the retry carried the same Idempotency-Key
    # --8<-- [end:story]
    assert [c.params for c in crm.calls] == [{"item": "green tea"}] * 2


async def test_a_crm_that_keeps_failing_is_apologised_for(
    make_settings, sqlite_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    async with ServiceStandin() as crm:
        crm.fail("orders", status=500, times=10)
        bot = BotConfig(name="shop", app="crm:CrmShop", options={"crm_url": crm.url})
        settings = make_settings(
            sqlite_url,
            bots=[bot],
            webchat_for_bundled_apps=False,
            call_backoff_base=0.05,
            call_max_attempts=2,
        )
        roles = ("gateway", "worker", "sender", "caller")
        async with RelaybotServer(settings, roles=roles) as server:
            async with WebchatClient(server.url, "shop") as chat:
                replies = await chat.say("/order", expect=2)
    assert replies[-1]["text"] == "The CRM is not answering, we will call you back."
    assert len(crm.calls) == 2
