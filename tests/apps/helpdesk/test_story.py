"""The help desk story told through the real worker and outbox: ask, take, talk, decline, close."""

from __future__ import annotations

from relaybot.apps.helpdesk.models import Demand
from relaybot.testing import ChatDriver

from .conftest import Catalogue, make_moderator, make_provider, texts


async def test_requester_gets_help_from_a_provider_while_a_moderator_watches(
    any_driver: tuple[ChatDriver, Catalogue],
) -> None:
    driver, cat = any_driver
    asel = driver.person("asel", bot="helpdesk")
    bakyt = driver.person("bakyt", bot="helpdesk")
    moder = driver.person("moder", bot="helpdesk")
    await bakyt.say("/start")
    await moder.say("/start")
    await make_provider(driver.sessions, bakyt, cat.bishkek_food)
    await make_moderator(driver.sessions, moder)

    hello = await asel.say("hello")
    assert "help desk" in hello[0].text
    assert "New request" in asel.buttons()

    places = await asel.press("New request")
    assert "Choose a place" in places[0].text
    assert {"Bishkek", "Osh"} <= set(asel.buttons())
    kinds = await asel.press("Bishkek")
    assert "What kind of help do you need in Bishkek?" in kinds[0].text
    assert {"Food", "Medicine"} <= set(asel.buttons())
    ask = await asel.press("Food")
    assert "Food in Bishkek." in ask[0].text and "describe" in ask[0].text

    created = await asel.say("We ran out of food, two children at home. Chui 120.")
    assert "Your request #1 is created (Bishkek / Food)" in texts(created)
    notice = bakyt.unread()
    assert len(notice) == 1 and "New request #1 in Bishkek / Food" in notice[0].text
    assert moder.unread() == []  # moderators are not paged for every new request

    taken = await bakyt.press("Take next")
    assert "You are now helping with this request." in taken[0].text
    assert "We ran out of food" in taken[0].text  # the provider sees the request at once
    assert "Good news: a helper has taken your request #1" in texts(asel.unread())

    await asel.say("We are at home all day.")
    assert [m.text for m in bakyt.unread()] == ["#1 · Requester: We are at home all day."]
    await bakyt.say("I will bring a parcel at 6 pm.")
    assert [m.text for m in asel.unread()] == ["#1 · Helper: I will bring a parcel at 6 pm."]

    menu = await moder.say("/menu")
    assert "All requests" in moder.buttons() and menu
    await moder.press("All requests")
    assert "in progress: 1" in moder.buttons()
    await moder.press("in progress: 1")
    joined = await moder.press("Join #1")
    assert "We are at home all day." in joined[0].text and "6 pm" in joined[0].text
    assert "A moderator has joined request #1." in texts(asel.unread())
    assert "A moderator has joined request #1." in texts(bakyt.unread())

    await moder.say("I am watching this one; write to me if anything goes wrong.")
    assert "#1 · Moderator: I am watching" in texts(asel.unread())
    assert "#1 · Moderator: I am watching" in texts(bakyt.unread())
    await asel.say("Thank you!")
    assert "#1 · Requester: Thank you!" in texts(moder.unread())
    assert "#1 · Requester: Thank you!" in texts(bakyt.unread())

    closed = await asel.press("I got help, close it")
    assert "Request #1 is closed" in texts(closed)
    assert "was closed by the requester" in texts(bakyt.unread())
    assert "was closed by the requester" in texts(moder.unread())

    late = await bakyt.say("Anything else?")
    assert "not in a conversation" in texts(late)
    assert asel.unread() == []

    async with driver.sessions() as session:
        demand = await session.get(Demand, 1)
    assert demand is not None and demand.status == "closed"


async def test_a_declined_request_goes_first_to_the_next_provider_and_the_decliner_hears_no_more(
    any_driver: tuple[ChatDriver, Catalogue],
) -> None:
    driver, cat = any_driver
    asel = driver.person("asel", bot="helpdesk")
    dana = driver.person("dana", bot="helpdesk")
    bakyt = driver.person("bakyt", bot="helpdesk")
    chyngyz = driver.person("chyngyz", bot="helpdesk")
    for person in (bakyt, chyngyz):
        await person.say("/start")
        await make_provider(driver.sessions, person, cat.bishkek_food)

    for who, need in ((dana, "Bread and milk, please."), (asel, "Rice for a family of five.")):
        await who.say("/new")
        await who.press("Bishkek")
        await who.press("Food")
        await who.say(need)

    taken = await bakyt.say("/next")
    assert "Bread and milk" in texts(taken)  # the oldest first
    declined = await bakyt.press("Decline")
    assert "You declined request #1" in texts(declined)
    assert "The helper had to step back from your request #1" in texts(dana.unread())
    assert "Request #1 in Bishkek / Food is waiting for a helper again." in texts(chyngyz.unread())

    await dana.say("Still need it, thanks.")
    assert bakyt.unread() == []  # the decliner is out of the conversation

    second = await chyngyz.say("/next")
    assert "Bread and milk" in texts(second)  # back at the front, ahead of the rice
    third = await bakyt.say("/next")
    assert "Rice for a family of five." in texts(third)  # never request #1 again

    await dana.say("Here is my address: Manas 12.")
    assert "Manas 12" in texts(chyngyz.unread())
    assert bakyt.unread() == []
