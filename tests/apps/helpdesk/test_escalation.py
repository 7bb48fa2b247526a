"""A request nobody takes is escalated to the moderators once it has waited longer than the
bot's `escalate_after_minutes`: once, whichever of two schedulers runs the check."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from relaybot.config import Settings
from relaybot.core.clock import ManualClock
from relaybot.runtime.scheduler import Scheduler
from relaybot.system import open_store
from relaybot.testing import ChatDriver

from .conftest import add_catalogue, make_moderator, make_provider, texts


def schedulers(driver: ChatDriver, clock: ManualClock) -> list[Scheduler]:
    jobs = [j for j in driver.system.scheduler().jobs if j.name == "helpdesk.escalate"]
    assert jobs, "the help desk declares its escalation job"
    return [
        Scheduler(
            settings=driver.system.settings,
            sessions=driver.system.sessions,
            jobs=jobs,
            bots=driver.system.bots,
            clock=clock,
            holder=f"process-{n}",
        )
        for n in range(2)
    ]


async def test_a_request_waiting_too_long_is_escalated_to_every_moderator_once(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    options = {"escalate_after_minutes": 20}
    settings = make_settings(
        sqlite_url, bots=[{"name": "helpdesk", "app": "helpdesk", "options": options}]
    )
    async with open_store(settings) as sessions:
        cat = await add_catalogue(sessions)
    async with ChatDriver.running(settings) as driver:
        asel = driver.person("asel", bot="helpdesk")
        bakyt = driver.person("bakyt", bot="helpdesk")
        moder = driver.person("moder", bot="helpdesk")
        for person in (bakyt, moder):
            await person.say("/start")
        await make_provider(driver.sessions, bakyt, cat.bishkek_food)
        await make_moderator(driver.sessions, moder)
        await asel.say("hello")
        await asel.press("New request")
        await asel.press("Bishkek")
        await asel.press("Food")
        await asel.say("We ran out of food.")
        assert moder.unread() == [], "a helper is linked: no alarm yet"

        clock = ManualClock(start=time.time())
        first, second = schedulers(driver, clock)
        await asyncio.gather(first.tick(), second.tick())
        await driver.collect()
        assert moder.unread() == [], "it has not waited 20 minutes yet"

        clock.advance(21 * 60)
        await asyncio.gather(first.tick(), second.tick())
        clock.advance(5 * 60)
        await asyncio.gather(first.tick(), second.tick())
        await driver.collect()
        told = moder.unread()
        assert [m.text for m in told] == [
            "Request #1 in Bishkek / Food has waited for a helper for more than 20 minutes."
        ]
        assert "waited" not in texts(bakyt.unread())
