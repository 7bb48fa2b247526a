"""An operator signs in to the console in Chromium, opens every page, and does on each what
the job is: accepts an order (the client reads it in their chat), replays a dead letter (it is
delivered), edits a help desk scenario, cancels a booking (the client is told), approves an
ad (its author is told) and switches a reminder job off. axe-core finds nothing serious or
critical on any page."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from relaybot.apps.reminders.models import ReminderJob
from relaybot.testing import RelaybotServer, WebchatClient
from tests.apps.reminders.world import a_job, an_account
from tests.gateway.panel.conftest import PASSWORD, make_account
from tests.gateway.panel.seeds import (
    a_booking_for,
    a_dead_letter,
    an_ad_waiting,
    chat_of,
    day_of,
    order_water,
    the_scenarios,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
# RELAYBOT_UPDATE_SCREENSHOT=1 refreshes the pictures of docs/operations.md from this very run
# (read now: the settings fixture clears RELAYBOT_* variables before the test runs).
UPDATE_SCREENSHOTS = os.environ.get("RELAYBOT_UPDATE_SCREENSHOT") == "1"


async def serious_violations(page: Any) -> list[tuple[str, list[Any]]]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def test_an_operator_runs_the_bots_from_the_console(
    browser, make_settings, sqlite_url, tmp_path
):
    from playwright.async_api import expect

    settings = make_settings(sqlite_url, default_locale="en")
    async with (
        RelaybotServer(settings) as server,
        WebchatClient(server.url, "orders") as client,
        WebchatClient(server.url, "booking") as visitor,
        WebchatClient(server.url, "classifieds") as author,
    ):
        await make_account(server, "root", time_zone="Asia/Bishkek")
        await order_water(client, "3")
        await client.say("/start", expect=2)  # a second dialog, left at its first step
        orders_chat = await chat_of(server, "orders")
        await visitor.say("/start")
        booking = await a_booking_for(server, await chat_of(server, "booking"))
        booking_day = await day_of(server, booking, "Asia/Bishkek")
        await author.say("/start")
        ad = await an_ad_waiting(server, await chat_of(server, "classifieds"))
        await the_scenarios(server)
        letter = await a_dead_letter(server, "orders", orders_chat, "Back from the dead letters")
        assert server.system is not None
        reminder = await a_job(server.system, await an_account(server.system), now=time.time())

        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        problems: dict[str, Any] = {}

        async def check(name: str) -> None:
            found = await serious_violations(page)
            if found:
                problems[name] = found

        await page.goto(f"{server.url}/admin")
        await expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
        await check("login")
        await page.get_by_label("User name").fill("root")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        await expect(page.locator("#live")).to_contain_text("orders")
        async with page.expect_response(lambda r: "/admin/overview/live" in r.url) as polled:
            pass  # htmx asks for the rows again every 5 seconds
        assert (await polled.value).status == 200
        await check("overview")
        target = DOCS if UPDATE_SCREENSHOTS else tmp_path
        await page.screenshot(path=str(target / "console-overview.png"), full_page=True)

        # An order accepted: the client reads it in their own chat.
        start = len(client.received)
        await page.goto(f"{server.url}/admin/orders/orders")
        await check("orders")
        await page.locator("#do-status-1 summary").click()
        await page.locator("#do-status-1 select").select_option("confirmed")
        await page.locator("#do-status-1 button").click()
        await expect(page.get_by_role("status")).to_contain_text("Order No. 1 is now accepted")
        told = await client.replies(start)
        assert any("order No. 1 is accepted" in m["text"] for m in told)

        # A dead letter replayed is delivered.
        start = len(client.received)
        await page.goto(f"{server.url}/admin/ops/dlq")
        await check("dlq")
        await page.get_by_label(f"Choose {letter}").check()
        await page.get_by_role("button", name="Replay").click()
        await expect(page.get_by_role("status")).to_contain_text("back in the outbox")
        delivered = await client.replies(start)
        assert any(m["text"] == "Back from the dead letters" for m in delivered)

        # A help desk scenario edited.
        await page.goto(f"{server.url}/admin/helpdesk/scenarios")
        await check("helpdesk")
        await page.locator("#do-edit-1 summary").click()
        await page.locator("#do-edit-1 textarea").fill("Groceries brought to the door")
        await page.locator("#do-edit-1 button").click()
        await expect(page.get_by_role("status")).to_contain_text("The scenario is saved.")
        await expect(page.locator("table.grid")).to_contain_text("Groceries brought to the door")

        # The day's calendar shows the booking under its specialist, then it is cancelled and
        # the client is told.
        await page.goto(f"{server.url}/admin/booking/calendar?f.day={booking_day}")
        await check("booking calendar")
        await expect(page.locator("table.grid")).to_contain_text(f"(No. {booking})")
        start = len(visitor.received)
        await page.goto(f"{server.url}/admin/booking/bookings")
        await check("booking")
        await page.locator(f"#do-cancel-{booking} summary").click()
        await page.locator(f"#do-cancel-{booking} button").click()
        await expect(page.get_by_role("status")).to_contain_text("is cancelled")
        told = await visitor.replies(start)
        assert any("cancel" in m["text"].lower() for m in told), told

        # An ad approved: its author is told.
        start = len(author.received)
        await page.goto(f"{server.url}/admin/classifieds/moderation")
        await check("classifieds")
        await page.locator(f"#do-approve-{ad} summary").click()
        await page.locator(f"#do-approve-{ad} button").click()
        await expect(page.get_by_role("status")).to_contain_text("Approved and posted.")
        told = await author.replies(start)
        assert any("approved and posted" in m["text"] for m in told)

        # A reminder job switched off, through the app's own rule.
        await page.goto(f"{server.url}/admin/reminders/jobs")
        await check("reminders")
        await expect(page.locator("table.grid")).to_contain_text("at 09:00")
        await page.locator(f"#do-off-{reminder} summary").click()
        await page.locator(f"#do-off-{reminder} button").click()
        await expect(page.get_by_role("status")).to_contain_text("standup is switched off.")
        async with server.system.sessions() as session:
            switched = await session.get(ReminderJob, reminder)
        assert switched is not None and not switched.active
        await page.goto(f"{server.url}/admin/reminders/runs?f.job={reminder}")
        await check("reminder runs")

        # The rest: bots, a conversation, the funnel, the audit log of all of the above.
        await page.goto(f"{server.url}/admin/bots")
        await check("bots")
        await page.get_by_role("button", name="Check orders").click()
        await expect(page.get_by_role("status")).to_be_visible()
        await page.goto(f"{server.url}/admin/ops/conversations?f.bot=orders")
        await check("conversations")
        await page.get_by_role("link", name=orders_chat).click()
        await expect(page.get_by_role("heading", name="Transcript")).to_be_visible()
        await expect(page.locator("ol.transcript")).to_contain_text("Chui avenue 120")
        await check("conversation")
        await page.goto(f"{server.url}/admin/funnels?bot=orders")
        await expect(page.locator("table.grid")).to_contain_text("address")
        await check("funnels")
        await page.screenshot(path=str(target / "console-funnel.png"), full_page=True)
        await page.goto(f"{server.url}/admin/ops/audit")
        await check("audit")
        for action in (
            "orders.set_status",
            "dlq.replay",
            "helpdesk.scenario.update",
            "booking.cancel",
            "classifieds.approve",
        ):
            await expect(page.locator("table.grid")).to_contain_text(action)
        for section in (
            "helpdesk/queue",
            "helpdesk/messages",
            "helpdesk/people",
            "helpdesk/links",
            "booking/services",
            "booking/specialists",
            "classifieds/ads",
        ):
            await page.goto(f"{server.url}/admin/{section}")
            await check(section)
    assert problems == {}
