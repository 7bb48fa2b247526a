"""The console's tables and pages as an operator uses them: pages of rows sorted and filtered by
the server, the same rows as CSV, times in the operator's zone, Russian, people's data only for
roles that may see it, a clear 400 for a malformed query, and never a secret on any page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from relaybot.apps.orders.models import Order
from relaybot.config import BotConfig
from relaybot.store.models import AuditEntry
from relaybot.testing import RelaybotServer
from tests.gateway.panel.conftest import PASSWORD, Console, make_account

ADMIN_TOKEN = "console-admin-token-never-shown-0123456789"
JWT_SECRET = "console-jwt-secret-never-shown-0123456789abcdef"
BOT_TOKEN = "700100200:AAH-console-bot-token-never-shown"
WEBHOOK_SECRET = "console-webhook-secret-never-shown"


MALFORMED: list[dict[str, str]] = [
    {"sort": "client_phone; DROP TABLE orders"},
    {"dir": "sideways"},
    {"page": "0"},
    {"page": "-1"},
    {"page": "ten"},
    {"f.nothing": "x"},
    {"f.status": "lost"},
]


async def orders(server: RelaybotServer, count: int) -> None:
    assert server.system is not None
    start = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    async with server.system.sessions() as session, session.begin():
        for n in range(count):
            at = start + timedelta(minutes=n)
            session.add(
                Order(
                    client_phone=f"+99655512{n:04d}",
                    delivery_address=f"Chui avenue {n}",
                    bottles_count=1 + n % 7,
                    source="webchat",
                    bot="orders",
                    client_id=f"c-{n}",
                    chat_id=f"c-{n}",
                    status="new" if n % 3 else "delivered",
                    created_at=at,
                    updated_at=at,
                )
            )


async def test_orders_page_sort_filter_and_export_on_the_server(server, console: Console):
    await make_account(server, "root", time_zone="Asia/Bishkek")
    await orders(server, 60)
    await console.sign_in("root")

    first = await console.get("/admin/orders/orders")
    assert first.status_code == 200
    assert "60 rows" in first.text and "Page 1 of 3" in first.text
    assert ">60<" in first.text.replace("\n", "")  # newest first: No. 60 on page 1
    last = await console.get("/admin/orders/orders", params={"page": 3})
    assert "Page 3 of 3" in last.text and "Chui avenue 0" in last.text

    by_bottles = await console.get(
        "/admin/orders/orders", params={"sort": "bottles_count", "dir": "asc"}
    )
    assert 'aria-sort="ascending"' in by_bottles.text

    delivered = await console.get("/admin/orders/orders", params={"f.status": "delivered"})
    assert "20 rows" in delivered.text

    exported = await console.get("/admin/orders/orders.csv", params={"f.status": "delivered"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:2] == ["No.", "Status"] and len(rows) == 21
    # Placed at 23:30 UTC on 30 November is 05:30 on 1 December in Bishkek.
    assert any(r[7] == "2026-12-01 05:30" for r in rows[1:])
    assert all(r[2].startswith("'+996") for r in rows[1:]), "a phone is no spreadsheet formula"


async def test_a_malformed_table_query_is_a_clear_400(server, console: Console):
    await make_account(server, "root")
    await console.sign_in("root")
    for query in MALFORMED:
        answer = await console.get("/admin/orders/orders", params=query)
        assert answer.status_code == 400, query
        assert "text/html" in answer.headers["content-type"]


async def test_bad_input_to_an_action_changes_nothing_and_says_why(server, console: Console):
    await make_account(server, "root")
    await orders(server, 1)
    await console.sign_in("root")
    for form, status in (
        ({"key": "1", "status": "lost"}, 409),
        ({"key": "1", "status": "cancelled"}, 409),  # a cancellation needs a reason
        ({"key": "999999", "status": "confirmed"}, 409),
        ({"key": "x" * 3000, "status": "confirmed"}, 409),
        ({"key": "1", "status": "confirmed", "reason": "r" * 5000}, 409),
    ):
        answer = await console.post("/admin/orders/orders/act/status", form)
        assert answer.status_code == status, form
        assert 'class="notice bad"' in answer.text
    assert (await console.post("/admin/orders/orders/act/nothing", {"key": "1"})).status_code == 404
    assert (await console.get("/admin/orders/nothing")).status_code == 404
    assert (await console.get("/admin/nothing/orders")).status_code == 404
    huge = await console.http.post(
        "/admin/orders/orders/act/status",
        content=b"csrf=" + b"x" * 100_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code in (403, 413)
    assert server.system is not None
    async with server.system.sessions() as session:
        order = await session.get(Order, 1)
        assert order is not None and order.status == "delivered"


async def test_people_s_data_is_shown_only_to_roles_allowed_to_see_it(server, console: Console):
    await make_account(server, "clerk", role="operator", grants=["orders"])
    await make_account(server, "lead", role="operator", grants=["orders", "people"])
    await orders(server, 2)
    await console.sign_in("clerk")
    page = await console.get("/admin/orders/orders")
    assert page.status_code == 200 and "+996" not in page.text and "Chui avenue" not in page.text
    exported = await console.get("/admin/orders/orders.csv")
    assert "+996" not in exported.text
    await console.sign_in("lead")
    assert "+99655512" in (await console.get("/admin/orders/orders")).text


async def test_a_russian_operator_reads_the_console_in_russian(server, console: Console):
    await make_account(server, "oper", locale="ru", time_zone="Asia/Bishkek")
    await console.sign_in("oper")
    home = await console.get("/admin")
    assert '<html lang="ru">' in home.text and "Обзор" in home.text and "Выйти" in home.text
    table = await console.get("/admin/ops/audit")
    assert "Журнал действий" in table.text and "Выгрузить CSV" in table.text
    await orders(server, 2)
    listed = await console.get("/admin/orders/orders")
    assert "Заказы" in listed.text and ">новый<" in listed.text.replace("\n", "")
    refused = await console.get("/admin/orders/orders", params={"page": "0"})
    assert refused.status_code == 400 and "Запрос неверен" in refused.text
    login = await console.get("/admin/login", params={"lang": "ru"})
    assert "Вход в консоль" in login.text


async def test_no_page_ever_shows_a_secret_or_the_session(make_settings, sqlite_url):
    bot = BotConfig(
        name="tg",
        app="orders",
        channel="telegram",
        token=SecretStr(BOT_TOKEN),
        webhook_secret=SecretStr(WEBHOOK_SECRET),
    )
    settings = make_settings(sqlite_url, admin_token=ADMIN_TOKEN, jwt_secret=JWT_SECRET, bots=[bot])
    async with RelaybotServer(settings) as server:
        await make_account(server, "root")
        assert server.system is not None
        async with server.system.sessions() as session, session.begin():
            session.add(AuditEntry(actor="t", channel="cli", action="x", details={"token": "***"}))
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            console = Console(http)
            await console.sign_in("root")
            session_token = http.cookies.get("relaybot_console")
            assert session_token
            pages: list[Any] = []
            for path in (
                "/admin",
                "/admin/overview/live",
                "/admin/bots",
                "/admin/ops/conversations",
                "/admin/funnels?bot=tg",
                "/admin/ops/dlq",
                "/admin/ops/audit",
                "/admin/ops/audit.csv",
                "/admin/orders/orders",
                "/admin/helpdesk/people",
                "/admin/login",
            ):
                answer = await http.get(path)
                assert answer.status_code == 200, path
                pages.append((path, answer.text))
            checked = await http.post("/admin/bots/tg/check", data={"csrf": console.csrf})
            pages.append(("check", checked.text))
    for path, text in pages:
        for secret in (ADMIN_TOKEN, JWT_SECRET, BOT_TOKEN, WEBHOOK_SECRET, PASSWORD, session_token):
            assert secret not in text, path
