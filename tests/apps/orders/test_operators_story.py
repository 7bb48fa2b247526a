"""The operators' chat: each new order is announced there with its buttons, each change is
told to the client in their own chat, and only the operators' chat may make one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.orders.models import Order
from relaybot.apps.orders.payloads import Accept, ClientCancel
from relaybot.cli.root import main
from relaybot.config import Settings
from relaybot.store.models import AuditEntry
from relaybot.testing import ChatDriver, Person


def texts(messages: list[object]) -> str:
    return "\n".join(getattr(m, "text", "") for m in messages)


def relaybot(settings: Settings, *args: str) -> str:
    """A `relaybot ...` command against the test's database, as an administrator runs it."""
    env = {"RELAYBOT_DATABASE_URL": settings.database_url, "RELAYBOT_LOG_LEVEL": "warning"}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def settings(make_settings, sqlite_url: str) -> Settings:
    return make_settings(sqlite_url, default_locale="en")  # the operators' chat's language


@pytest.fixture
async def driver(settings: Settings) -> AsyncIterator[ChatDriver]:
    async with ChatDriver.running(settings) as running:
        yield running


async def operators_room(driver: ChatDriver, settings: Settings) -> Person:
    """An operator opens the bot's chat, asks /operators, and an admin registers that chat."""
    operator = driver.person("operator", bot="orders")
    said = texts(await operator.say("/operators"))
    assert f"relaybot orders operators add orders {operator.chat_id}" in said
    out = await asyncio.to_thread(
        relaybot, settings, "orders", "operators", "add", "orders", operator.chat_id
    )
    assert "is now an operators' chat" in out
    assert "operators' chat" in texts(await operator.say("/operators"))
    return operator


async def place_order(client: Person, bottles: str = "3") -> str:
    await client.say("hello")
    await client.say("Bishkek, Chui avenue 120, apt 5")
    await client.say("0555 123 456")
    await client.say(bottles)
    return texts(await client.press("Yes" if client.chat.language != "ru" else "Да"))


async def statuses(driver: ChatDriver) -> list[tuple[int, str, str | None]]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(Order).order_by(Order.id))
        return [(o.id, o.status, o.cancel_reason) for o in rows]


async def test_the_operators_accept_and_deliver_and_the_client_hears_each_step(
    driver: ChatDriver, settings: Settings
) -> None:
    operator = await operators_room(driver, settings)
    client = driver.person("client", bot="orders")

    assert "order No. 1 is accepted" in await place_order(client)
    announced = operator.unread()
    assert len(announced) == 1
    assert "New order No. 1" in announced[0].text
    assert "Bishkek, Chui avenue 120, apt 5" in announced[0].text
    assert "+996555123456" in announced[0].text and "Bottles: 3" in announced[0].text
    assert operator.buttons() == ["Accept", "Cancel"]

    said = texts(await operator.press("Accept"))
    assert "Order No. 1 is now accepted." in said
    assert operator.buttons() == ["Delivered", "Cancel"]
    assert [m.text for m in client.unread()] == [
        "Your order No. 1 is accepted: the courier is on the way."
    ]

    await operator.press("Delivered")
    assert [m.text for m in client.unread()] == ["Your order No. 1 is delivered. Thank you!"]
    assert await statuses(driver) == [(1, "delivered", None)]

    listed = json.loads(await asyncio.to_thread(relaybot, settings, "orders", "list", "--json"))
    assert [(o["id"], o["status"]) for o in listed] == [(1, "delivered")]
    async with driver.sessions() as session:
        audited = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "orders.set_status")
        )
        steps = [(e.actor, e.details) for e in audited]
    assert steps == [
        (f"webchat:{operator.chat_id}", {"from": "new", "to": "confirmed"}),
        (f"webchat:{operator.chat_id}", {"from": "confirmed", "to": "delivered"}),
    ]


async def test_an_operator_cancels_with_a_reason_the_client_reads(
    driver: ChatDriver, settings: Settings
) -> None:
    operator = await operators_room(driver, settings)
    client = driver.person("client", bot="orders")
    await place_order(client)
    operator.unread()

    asked = texts(await operator.press("Cancel"))
    assert "Why is the order cancelled?" in asked
    done = texts(await operator.say("No 19 l bottles left today"))
    assert "the client is told" in done
    assert [m.text for m in client.unread()] == [
        "Your order No. 1 is cancelled: No 19 l bottles left today"
    ]
    assert await statuses(driver) == [(1, "cancelled", "No 19 l bottles left today")]


async def test_a_client_sees_their_orders_and_cancels_one_while_it_is_new(
    driver: ChatDriver, settings: Settings
) -> None:
    operator = await operators_room(driver, settings)
    client = driver.person("client", bot="orders")
    await place_order(client, "2")
    await place_order(client, "5")
    operator.unread()

    await operator.press("Accept")  # the latest announcement: order No. 2
    mine = texts(await client.say("/orders"))
    assert "No. 2: 5 × 19 l to Bishkek, Chui avenue 120, apt 5, accepted" in mine
    assert "No. 1: 2 × 19 l to Bishkek, Chui avenue 120, apt 5, new" in mine
    assert client.buttons() == ["Cancel No. 1"], "an accepted order is not the client's to cancel"

    said = texts(await client.press("Cancel No. 1"))
    assert "Your order No. 1 is cancelled: cancelled by the client" in said
    told = texts(operator.unread())
    assert "Order No. 1 is now cancelled." in told and "cancelled by the client" in told

    refused = texts(await client.say(payload=ClientCancel(order_id=2).pack()))
    assert "Order No. 2 is already accepted: only a new order can be cancelled." in refused
    assert await statuses(driver) == [
        (1, "cancelled", "cancelled by the client"),
        (2, "confirmed", None),
    ]


async def test_operator_buttons_from_any_other_chat_and_forged_ones_change_nothing(
    driver: ChatDriver, settings: Settings
) -> None:
    await operators_room(driver, settings)
    client = driver.person("client", bot="orders")
    stranger = driver.person("stranger", bot="orders")
    await place_order(client)

    refused = texts(await client.say(payload=Accept(order_id=1).pack()))
    assert "Only the operators' chat can do that." in refused
    for forged in ("ord.accept:abc", "ord.accept:1:2", "ord.accept:99999999999999999999"):
        answer = texts(await client.say(payload=forged))
        assert answer, forged
        assert "accepted" not in answer
    answer = texts(await stranger.say(payload=ClientCancel(order_id=1).pack()))
    assert "There is no order No. 1." in answer, "somebody else's order is not even shown"
    assert await statuses(driver) == [(1, "new", None)]
    assert client.unread() == [] or "accepted" not in texts(client.unread())


async def test_a_client_who_writes_in_russian_hears_of_the_order_in_russian(
    driver: ChatDriver, settings: Settings
) -> None:
    operator = await operators_room(driver, settings)
    client = driver.person("klient", bot="orders", language="ru")
    assert "Ваш заказ № 1 принят" in await place_order(client, "1")
    operator.unread()
    await operator.press("Accept")
    assert [m.text for m in client.unread()] == ["Ваш заказ № 1 принят: курьер уже в пути."]
    mine = texts(await client.say("/orders"))
    assert "№ 1: 1 × 19 л, Bishkek, Chui avenue 120, apt 5, принят" in mine
