"""/api/orders/ on a running relaybot: the web chat's operators' room gets each order, the
REST API lists, reads and moves it, and the client in the web chat is told of each change."""

from __future__ import annotations

import asyncio
import re

import httpx
from click.testing import CliRunner
from sqlalchemy import func, select

from relaybot.apps.orders.models import Order
from relaybot.cli.root import main
from relaybot.store import api_tokens
from relaybot.store.models import AuditEntry
from relaybot.testing import RelaybotServer, WebchatClient

ADMIN = "orders-rest-admin-token-" + "a" * 32


async def order_water(chat: WebchatClient, bottles: str) -> None:
    await chat.say("/start", expect=2)
    await chat.say("Bishkek, Chui avenue 120, apt 5")
    await chat.say("0555 123 456")
    await chat.say(bottles)
    await chat.press("Yes")


async def open_operators_room(server: RelaybotServer, operator: WebchatClient) -> None:
    """The operator asks the bot for the command; the admin runs what it says."""
    said = (await operator.say("/operators"))[-1]["text"]
    found = re.search(r"relaybot orders operators add orders (\S+)", said)
    assert found is not None, said
    added = await asyncio.to_thread(
        relaybot, server, "orders", "operators", "add", "orders", found.group(1)
    )
    assert "is now an operators' chat" in added


def relaybot(server: RelaybotServer, *args: str) -> str:
    env = {"RELAYBOT_DATABASE_URL": server.settings.database_url, "RELAYBOT_LOG_LEVEL": "warning"}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


async def snapshot(server: RelaybotServer) -> list[tuple[int, str, str | None]]:
    assert server.system is not None
    async with server.system.sessions() as session:
        rows = await session.scalars(select(Order).order_by(Order.id))
        return [(o.id, o.status, o.cancel_reason) for o in rows]


async def test_operators_and_integrations_follow_orders_over_rest(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, admin_token=ADMIN, default_locale="en")
    async with (
        RelaybotServer(settings) as server,
        WebchatClient(server.url, "orders") as operator,
        WebchatClient(server.url, "orders") as client,
        httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {ADMIN}"}
        ) as http,
    ):
        await open_operators_room(server, operator)
        start = len(operator.received)
        await order_water(client, "3")
        await order_water(client, "5")
        announced = await operator.replies(start, expect=2)
        assert ["New order No. 1" in m["text"] for m in announced][-2:] == [True, False]
        assert "New order No. 2" in announced[-1]["text"]

        page = (await http.get("/api/orders", params={"limit": 1})).json()
        assert page["total"] == 2 and [o["id"] for o in page["items"]] == [2]
        page = (await http.get("/api/orders", params={"limit": 1, "offset": 1})).json()
        assert [o["id"] for o in page["items"]] == [1]
        assert (await http.get("/api/orders", params={"status": "confirmed"})).json()["total"] == 0
        one = (await http.get("/api/orders/1")).json()
        assert (one["bottles_count"], one["status"], one["source"]) == (3, "new", "webchat")

        heard = len(client.received)
        moved = await http.patch("/api/orders/1", json={"status": "confirmed"})
        assert moved.status_code == 200 and moved.json()["status"] == "confirmed"
        news = await client.replies(heard)
        assert news[-1]["text"] == "Your order No. 1 is accepted: the courier is on the way."

        heard = len(client.received)
        cancelled = await http.patch(
            "/api/orders/2", json={"status": "cancelled", "reason": "The street is closed"}
        )
        assert cancelled.json()["cancel_reason"] == "The street is closed"
        news = await client.replies(heard)
        assert news[-1]["text"] == "Your order No. 2 is cancelled: The street is closed"
        assert (await http.get("/api/orders", params={"status": "confirmed"})).json()["total"] == 1

        before = await snapshot(server)
        assert server.system is not None
        _info, readonly = await api_tokens.create(
            server.system.sessions, name="dashboard", role="readonly", actor="test", channel="cli"
        )
        refused = [
            (await http.patch("/api/orders/1", json={"status": "shipped"})).status_code,
            (await http.patch("/api/orders/1", json={"status": "cancelled"})).status_code,
            (
                await http.patch("/api/orders/1", json={"status": "cancelled", "reason": " "})
            ).status_code,
            (await http.patch("/api/orders/2", json={"status": "delivered"})).status_code,
            (await http.patch("/api/orders/99", json={"status": "delivered"})).status_code,
            (await http.patch("/api/orders/1", content=b"{not json")).status_code,
            (
                await http.patch(
                    "/api/orders/1",
                    json={"status": "delivered"},
                    headers={"Authorization": f"Bearer {readonly}"},
                )
            ).status_code,
            (
                await http.patch(
                    "/api/orders/1", json={"status": "delivered"}, headers={"Authorization": ""}
                )
            ).status_code,
        ]
        assert refused == [422, 422, 422, 409, 404, 422, 403, 401]
        assert (
            await http.get("/api/orders/1", headers={"Authorization": f"Bearer {readonly}"})
        ).status_code == 200
        await asyncio.sleep(0.3)
        assert await snapshot(server) == before
        async with server.system.sessions() as session:
            audited = await session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "orders.set_status", AuditEntry.channel == "rest")
            )
        assert audited == 2
