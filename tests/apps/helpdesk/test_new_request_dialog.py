"""The new-request dialog and the buttons around it: typed or pressed, stale or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from relaybot.apps.helpdesk.models import Demand
from relaybot.store.models import DialogStateRow
from relaybot.testing import ChatDriver

from .conftest import Catalogue, texts


async def demand_count(driver: ChatDriver) -> int:
    async with driver.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Demand)) or 0)


async def test_a_request_can_be_typed_step_by_step_and_back_goes_one_question_back(
    driver: ChatDriver, cat: Catalogue
) -> None:
    ann = driver.person("ann", bot="helpdesk")
    await ann.say("/new")
    assert "What kind of help do you need in Bishkek?" in texts(await ann.say("bishkek"))
    assert "Choose a place" in texts(await ann.press("Back"))
    await ann.say("Osh")
    assert "Please choose one of the options." in texts(await ann.say("Plumbing"))
    assert "Food in Osh." in texts(await ann.say("food"))
    assert "in a few words" in texts(await ann.say("ok"))
    created = await ann.say("Two bags of flour, please.")
    assert "Your request #1 is created (Osh / Food)" in texts(created)
    assert "I got help, close it" in ann.buttons()


async def test_cancelling_the_dialog_creates_nothing_and_start_again_opens_it_again(
    driver: ChatDriver, cat: Catalogue
) -> None:
    ann = driver.person("ann", bot="helpdesk")
    await ann.say("/new")
    await ann.press("Bishkek")
    assert "Cancelled." in texts(await ann.press("Cancel"))
    assert await demand_count(driver) == 0
    assert "What would you like to do?" in texts(await ann.say("/menu"))
    await ann.say("/new")
    await ann.press("Cancel")
    assert "Choose a place" in texts(await ann.press("Start again"))


async def test_an_old_or_forged_button_is_answered_with_the_menu_and_changes_nothing(
    driver: ChatDriver, cat: Catalogue
) -> None:
    ann = driver.person("ann", bot="helpdesk")
    await ann.say("/start")
    for payload in ("hd:close:1", "hd.close:abc", "hd.try-as:emperor", "choice:1"):
        reply = await ann.say("", payload=payload)
        assert [m.text for m in reply] == ["That button is no longer active."], payload
        assert "New request" in ann.buttons(), payload
    assert await demand_count(driver) == 0


async def test_an_expired_dialog_says_so_once_and_starts_over(
    driver: ChatDriver, cat: Catalogue
) -> None:
    ann = driver.person("ann", bot="helpdesk")
    await ann.say("/new")
    await ann.press("Bishkek")
    async with driver.sessions() as session, session.begin():
        yesterday = datetime.now(UTC) - timedelta(days=1)
        await session.execute(update(DialogStateRow).values(expires_at=yesterday))
    reply = await ann.press("Food")
    assert reply[0].text == "Your previous conversation expired, so we are starting over."
    assert "New request" in ann.buttons()
    assert "Choose a place" in texts(await ann.press("New request"))
