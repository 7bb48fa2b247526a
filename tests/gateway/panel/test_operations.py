"""What the console knows of the pipeline: the overview's figures and its live rows, a dialog
funnel, dead letters replayed in bulk, bots added and disabled, a conversation read with
people's numbers hidden from an operator without the grant, and forms from other sites refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from relaybot.core.types import OutgoingMessage, encode
from relaybot.gateway.panel import funnels, overview
from relaybot.store.models import (
    Chat,
    DeadLetter,
    DialogOutcome,
    InboundUpdate,
    MessageLog,
    OutboxMessage,
)
from relaybot.testing import RelaybotServer, eventually
from tests.gateway.panel.conftest import PASSWORD, Console, make_account

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def journal(server: RelaybotServer) -> None:
    """Two people in the order dialog: Aida goes back once and orders; Bek leaves at the
    address."""
    assert server.system is not None
    paths = {
        "aida": [
            ("start", 0),
            ("address", 10),
            ("phone", 40),
            ("address", 50),
            ("phone", 70),
            ("bottles", 90),
        ],
        "bek": [("start", 0), ("address", 20)],
    }
    async with server.system.sessions() as session, session.begin():
        for chat, steps in paths.items():
            for n, (step, second) in enumerate(steps):
                session.add(
                    MessageLog(
                        bot="orders",
                        chat_id=chat,
                        client_id=chat,
                        message_id=f"{chat}{n}",
                        text="0555 123 456" if step == "phone" else "hello",
                        dialog_state=step,
                        success=True,
                        created_at=T0 + timedelta(seconds=second),
                    )
                )
            session.add(
                Chat(
                    bot="orders",
                    chat_id=chat,
                    channel="webchat",
                    user_id=chat,
                    user_name=chat.title(),
                    first_seen=T0,
                    last_seen=T0,
                )
            )
        for chat, completed in (("aida", True), ("bek", False)):
            session.add(
                DialogOutcome(
                    bot="orders",
                    chat_id=chat,
                    flow="order",
                    completed=completed,
                    dropoff_state=None if completed else "address",
                    reason="completed" if completed else "expired",
                    total_messages=3,
                    duration_seconds=90,
                    started_at=T0,
                    finished_at=T0 + timedelta(minutes=2),
                )
            )


async def test_a_funnel_counts_who_moved_on_went_back_and_left(server):
    await journal(server)
    assert server.system is not None
    found = await funnels.funnel(
        server.system.sessions, "orders", since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)
    )
    steps = {s.step: s for s in found.steps}
    assert [s.step for s in found.steps] == ["start", "address", "phone", "bottles"]
    assert (steps["address"].entered, steps["address"].moved_on, steps["address"].left) == (2, 2, 1)
    assert (steps["phone"].moved_on, steps["phone"].went_back) == (1, 1)
    assert steps["address"].median_seconds == 25.0  # 30 s the first time, 20 s the second
    assert (found.completed, found.abandoned, found.flows) == (1, 1, ["order"])
    empty = await funnels.funnel(
        server.system.sessions, "orders", since=T0 - timedelta(days=9), until=T0 - timedelta(days=8)
    )
    assert empty.steps == [] and empty.completed == 0


async def test_the_overview_counts_the_queue_the_outbox_and_the_dead_letters(server, console):
    assert server.system is not None
    now = time.time()
    async with server.system.sessions() as session, session.begin():
        for n in range(3):
            session.add(
                InboundUpdate(
                    bot="helpdesk",
                    update_id=f"u{n}",
                    channel="webchat",
                    chat_id="x",
                    partition=0,
                    payload=b"{}",
                    trace_id="",
                    received_at=now - 30 - n,
                    status="pending" if n == 2 else "done",
                    processed_at=None if n == 2 else now - 29 - n,
                )
            )
        session.add(
            DeadLetter(
                outbox_id=1,
                bot="helpdesk",
                channel="webchat",
                chat_id="x",
                payload=b"{}",
                attempts=5,
                last_error="e",
                created_at=now,
                failed_at=now,
            )
        )
    [helpdesk] = [
        row for row in await overview.figures(server.system.sessions, ["helpdesk"], now=now)
    ]
    assert helpdesk.dead_letters == 1
    assert helpdesk.updates_series[-1] == 3 and abs(helpdesk.updates_per_minute - 0.6) < 1e-9
    assert helpdesk.p50_ms is not None and 900 < helpdesk.p50_ms < 1100

    await make_account(server, "root")
    await console.sign_in("root")
    live = await console.get("/admin/overview/live")
    assert live.status_code == 200 and "<html" not in live.text
    assert '<th scope="row">helpdesk</th>' in live.text and "<svg" in live.text
    full = await console.get("/admin")
    assert 'hx-get="/admin/overview/live"' in full.text and 'hx-trigger="every 5s"' in full.text


async def test_dead_letters_are_replayed_in_bulk_and_audited(server, console: Console):
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        for n in range(3):
            session.add(
                DeadLetter(
                    outbox_id=n,
                    bot="orders",
                    channel="webchat",
                    chat_id=f"c{n}",
                    payload=encode(OutgoingMessage(text=f"m{n}")),
                    attempts=5,
                    last_error="HTTP 502",
                    created_at=0.0,
                    failed_at=1.0,
                )
            )
    await make_account(server, "root")
    await console.sign_in("root")
    listed = await console.get("/admin/ops/dlq", params={"f.error": "502"})
    assert "3 rows" in listed.text
    done = await console.http.post(
        "/admin/ops/dlq/act/replay",
        data={"csrf": console.csrf, "key": ["1", "3"]},
    )
    assert done.status_code == 200 and "back in the outbox" in done.text
    async with server.system.sessions() as session:
        left = list(await session.scalars(select(DeadLetter.id)))
        queued = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_id.in_(["c0", "c2"]))
        )
    assert left == [2] and queued == 2
    audit = await console.get("/admin/ops/audit", params={"f.action": "dlq.replay"})
    assert "console:root" in audit.text and "1,3" in audit.text


async def test_an_admin_adds_and_disables_a_bot_and_an_operator_may_not(server, console: Console):
    await make_account(server, "root")
    await make_account(server, "clerk", role="operator", grants=["kiosk"])
    await console.sign_in("root")
    added = await console.post(
        "/admin/bots", {"name": "kiosk", "app": "orders", "channel": "webchat"}
    )
    assert added.status_code == 200 and "The bot kiosk is added." in added.text

    async def on_the_overview() -> bool:
        return '<th scope="row">kiosk</th>' in (await console.get("/admin/overview/live")).text

    await eventually(on_the_overview)
    refused = await console.post("/admin/bots", {"name": "Bad Name", "app": "orders"})
    assert refused.status_code == 422 and 'class="notice bad"' in refused.text
    await console.sign_in("clerk")
    assert "kiosk" in (await console.get("/admin/bots")).text
    assert (await console.post("/admin/bots/kiosk/disable")).status_code == 403
    await console.sign_in("root")
    disabled = await console.post("/admin/bots/kiosk/disable")
    assert disabled.status_code == 200 and "The bot kiosk is disabled." in disabled.text


async def test_a_conversation_hides_numbers_from_an_operator_without_the_people_grant(
    server, console: Console
):
    await journal(server)
    await make_account(server, "clerk", role="operator", grants=["orders"])
    await make_account(server, "lead", role="operator", grants=["orders", "people"])
    await console.sign_in("clerk")
    page = await console.get("/admin/conversation/orders/aida")
    assert page.status_code == 200 and "Transcript" in page.text
    assert "0555 123 456" not in page.text and "•••" in page.text and "Aida" not in page.text
    assert (await console.get("/admin/conversation/orders/nobody")).status_code == 404
    await console.sign_in("lead")
    page = await console.get("/admin/conversation/orders/aida")
    assert "0555 123 456" in page.text and "Aida" in page.text


async def test_a_form_from_another_site_is_refused(server, console: Console):
    await make_account(server, "root")
    other = await console.http.post(
        "/admin/login",
        data={"username": "root", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert other.status_code == 403 and "relaybot_console" not in other.headers.get(
        "set-cookie", ""
    )
    same = await console.http.post(
        "/admin/login",
        data={"username": "root", "password": PASSWORD},
        headers={"Origin": str(console.http.base_url).rstrip("/")},
    )
    assert same.status_code == 303


async def test_the_booking_catalogue_gets_a_new_service_and_switches_it_off(
    server, console: Console
):
    await make_account(server, "root")
    await console.sign_in("root")
    page = await console.get("/admin/booking/services")
    assert 'id="do-add"' in page.text
    bad = await console.post(
        "/admin/booking/services/act/add", {"name": "Massage", "duration": "60", "price": "lots"}
    )
    assert bad.status_code == 409 and "A price is a number" in bad.text
    odd = await console.post(
        "/admin/booking/services/act/add", {"name": "Massage", "duration": "7", "price": "1"}
    )
    assert odd.status_code == 409
    added = await console.post(
        "/admin/booking/services/act/add",
        {"name": "Massage", "duration": "60", "price": "1500.50"},
    )
    assert added.status_code == 200 and "The service is added." in added.text
    assert "Massage" in added.text and "1500.50 KGS" in added.text
    off = await console.post("/admin/booking/services/act/toggle", {"key": "1"})
    assert off.status_code == 200 and "Switched off." in off.text
    audit = await console.get("/admin/ops/audit", params={"f.action": "booking.service"})
    assert "booking.service.add" in audit.text and "booking.service.toggle" in audit.text
