"""Who may use the console: a visitor without a session is sent to sign in, an operator sees
only what is granted to them, a change needs the form's CSRF token, guessing passwords locks
the account, and no page ever shows a secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from relaybot.apps.orders.models import Order
from relaybot.store.models import AuditEntry, DeadLetter
from relaybot.store.panel_models import ConsoleAccount
from relaybot.testing import RelaybotServer
from tests.gateway.panel.conftest import PASSWORD, Console, make_account

PAGES = [
    "/admin",
    "/admin/overview/live",
    "/admin/bots",
    "/admin/ops/conversations",
    "/admin/ops/conversations.csv",
    "/admin/funnels",
    "/admin/ops/dlq",
    "/admin/ops/audit",
    "/admin/orders/orders",
    "/admin/orders/orders.csv",
    "/admin/helpdesk/scenarios",
    "/admin/booking/bookings",
    "/admin/classifieds/moderation",
]
ACTIONS = [
    "/admin/orders/orders/act/status",
    "/admin/ops/dlq/act/replay",
    "/admin/ops/dlq/act/drop",
    "/admin/bots",
    "/admin/bots/orders/check",
    "/admin/bots/orders/disable",
    "/admin/booking/bookings/act/cancel",
    "/admin/helpdesk/scenarios/act/edit",
    "/admin/classifieds/moderation/act/approve",
    "/admin/classifieds/ads/act/lock",
    "/admin/logout",
]


async def an_order(server: RelaybotServer) -> int:
    assert server.system is not None
    now = datetime.now(UTC)
    async with server.system.sessions() as session, session.begin():
        order = Order(
            client_phone="+996555123456",
            delivery_address="Chui avenue 120",
            bottles_count=3,
            source="webchat",
            bot="orders",
            client_id="c-1",
            chat_id="c-1",
            status="new",
            created_at=now,
            updated_at=now,
        )
        session.add(order)
        await session.flush()
        return order.id


async def a_dead_letter(server: RelaybotServer) -> int:
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        letter = DeadLetter(
            outbox_id=1,
            bot="orders",
            channel="webchat",
            chat_id="c-1",
            payload=b"{}",
            attempts=8,
            last_error="HTTP 500",
            trace_id="",
            created_at=0.0,
            failed_at=1.0,
        )
        session.add(letter)
        await session.flush()
        return letter.id


async def state_of(server: RelaybotServer) -> tuple[list[str], int, list[str]]:
    assert server.system is not None
    async with server.system.sessions() as session:
        orders = list(await session.scalars(select(Order.status).order_by(Order.id)))
        dead = len(list(await session.scalars(select(DeadLetter.id))))
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    return orders, dead, actions


async def test_without_a_session_every_page_and_action_sends_the_browser_to_sign_in(
    server, console: Console
):
    order = await an_order(server)
    letter = await a_dead_letter(server)
    before = await state_of(server)
    for path in PAGES:
        answer = await console.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/login?next=/admin"), path
    for path in ACTIONS:
        answer = await console.post(path, {"key": str(order), "status": "confirmed"}, csrf=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/admin/login?next=/admin", path
    answer = await console.post("/admin/ops/dlq/act/drop", {"key": str(letter), "csrf": "guess"})
    assert answer.status_code == 303
    assert await state_of(server) == before
    login = await console.get("/admin/login")
    assert login.status_code == 200 and 'name="password"' in login.text
    polled = await console.get("/admin/overview/live", headers={"HX-Request": "true"})
    assert polled.status_code == 401 and polled.headers["hx-redirect"].startswith("/admin/login")


async def test_an_operator_sees_only_the_apps_granted_and_changes_nothing_else(
    server, console: Console
):
    await make_account(server, "desk", role="operator", grants=["helpdesk"])
    order = await an_order(server)
    letter = await a_dead_letter(server)
    assert (await console.sign_in("desk")).status_code == 303
    before = await state_of(server)

    home = await console.get("/admin")
    assert home.status_code == 200
    assert "/admin/helpdesk/" in home.text and "/admin/orders/" not in home.text
    assert "/admin/ops/audit" not in home.text
    for path in ("/admin/orders/orders", "/admin/orders/orders.csv", "/admin/ops/audit"):
        assert (await console.get(path)).status_code == 403, path
    assert (await console.get("/admin/helpdesk/scenarios")).status_code == 200

    refused = await console.post(
        "/admin/orders/orders/act/status", {"key": str(order), "status": "confirmed"}
    )
    assert refused.status_code == 403
    # The dead letter belongs to the orders bot, which the operator does not see.
    dlq = await console.get("/admin/ops/dlq")
    assert dlq.status_code == 200 and "HTTP 500" not in dlq.text
    replay = await console.post("/admin/ops/dlq/act/replay", {"key": str(letter)})
    assert replay.status_code == 409
    assert (await console.get("/admin/funnels", params={"bot": "orders"})).status_code == 403
    assert (await console.get("/admin/conversation/orders/c-1")).status_code == 403
    assert await state_of(server) == before


async def test_a_change_without_the_csrf_token_is_refused_and_nothing_changes(
    server, console: Console
):
    await make_account(server, "root")
    order = await an_order(server)
    letter = await a_dead_letter(server)
    assert (await console.sign_in("root")).status_code == 303
    before = await state_of(server)
    missing = await console.post(
        "/admin/orders/orders/act/status", {"key": str(order), "status": "confirmed"}, csrf=False
    )
    assert missing.status_code == 403 and "CSRF" in missing.text
    wrong = await console.http.post(
        "/admin/ops/dlq/act/drop", data={"key": str(letter), "csrf": "x" * 43}
    )
    assert wrong.status_code == 403
    assert (await console.post("/admin/logout", csrf=False)).status_code == 403
    assert await state_of(server) == before

    done = await console.post("/admin/ops/dlq/act/drop", {"key": str(letter)})
    assert done.status_code == 200 and "Dropped." in done.text
    assert (await state_of(server))[1] == 0


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    server, console: Console
):
    await make_account(server, "alice")
    for _ in range(4):
        wrong = await console.sign_in("alice", "not the password")
        assert wrong.status_code == 401 and "wrong" in wrong.text
    locked = await console.sign_in("alice", "still not it")
    assert locked.status_code == 423 and "locked" in locked.text
    assert (await console.sign_in("alice")).status_code == 423
    assert (await console.sign_in("nobody")).status_code == 401

    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        await session.execute(
            update(ConsoleAccount).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await console.sign_in("alice")).status_code == 303
    assert "console.locked" in (await state_of(server))[2]


async def test_the_session_cookie_is_httponly_strict_and_secure_behind_https(
    server, console: Console
):
    await make_account(server, "root")
    plain = await console.sign_in("root")
    cookie = plain.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie
    assert (await console.get("/admin")).headers["cache-control"] == "no-store"
    behind_https = await console.http.post(
        "/admin/login",
        data={"username": "root", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "Secure" in behind_https.headers["set-cookie"]


async def test_a_disabled_account_is_signed_out_at_once(server, console: Console):
    from relaybot.store import panel_accounts

    await make_account(server, "bob", role="operator", grants=["orders"])
    assert (await console.sign_in("bob")).status_code == 303
    assert (await console.get("/admin")).status_code == 200
    assert server.system is not None
    assert await panel_accounts.disable(server.system.sessions, "bob", actor="t", channel="cli")
    assert (await console.get("/admin")).status_code == 303
    assert (await console.sign_in("bob")).status_code == 401


async def test_sign_in_leads_only_to_console_pages(server, console: Console):
    await make_account(server, "root")
    answer = await console.http.post(
        "/admin/login",
        data={"username": "root", "password": PASSWORD, "next": "//evil.example/admin"},
    )
    assert answer.headers["location"] == "/admin"


async def test_a_client_guessing_names_or_passwords_is_slowed_down(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, auth_failures_per_minute=3)
    async with RelaybotServer(settings) as server:
        await make_account(server, "alice")
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            console = Console(http)
            for name in ("root", "admin", "alice"):
                assert (await console.sign_in(name, "guess")).status_code == 401
            slowed = await console.sign_in("alice")
            assert slowed.status_code == 429 and "try again in a minute" in slowed.text
