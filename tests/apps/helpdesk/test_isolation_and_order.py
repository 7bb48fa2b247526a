"""Messages reach exactly the participants of their request, and in the order they were written."""

from __future__ import annotations

import re

from sqlalchemy import select

from relaybot.apps.helpdesk.models import Participant
from relaybot.core.types import Attachment
from relaybot.testing import ChatDriver, Person

from .conftest import Catalogue, make_moderator, make_provider, texts, user_id

RELAYED = re.compile(r"^#(\d+) · ")


async def ask(person: Person, place: str, kind: str, need: str) -> None:
    await person.say("/new")
    await person.press(place)
    await person.press(kind)
    await person.say(need)


def relayed_requests(person: Person) -> set[int]:
    """Numbers of the requests whose conversation messages this person received."""
    return {int(m.group(1)) for text in person.texts if (m := RELAYED.match(text))}


async def test_nobody_receives_messages_of_a_request_they_are_not_part_of(
    driver: ChatDriver, cat: Catalogue
) -> None:
    asel, dana = driver.person("asel", bot="helpdesk"), driver.person("dana", bot="helpdesk")
    bakyt, chyngyz = (
        driver.person("bakyt", bot="helpdesk"),
        driver.person("chyngyz", bot="helpdesk"),
    )
    moder, outsider = driver.person("moder", bot="helpdesk"), driver.person("eldar", bot="helpdesk")
    for person in (bakyt, chyngyz, moder, outsider):
        await person.say("/start")
    # Bakyt helps in both categories, Chyngyz only in Osh; the moderator joins only #1.
    await make_provider(driver.sessions, bakyt, cat.bishkek_food, cat.osh_food)
    await make_provider(driver.sessions, chyngyz, cat.osh_food)
    await make_moderator(driver.sessions, moder)

    await ask(asel, "Bishkek", "Food", "Flour and oil, please.")  # 1
    await ask(dana, "Osh", "Food", "Baby food for a one-year-old.")  # 2
    await bakyt.say("/next")  # takes #1
    await chyngyz.say("/next")  # takes #2
    await moder.say("/join 1")

    for speaker, line in (
        (asel, "secret of one: door code 4417"),
        (dana, "secret of two: flat 9"),
        (bakyt, "on my way to one"),
        (chyngyz, "on my way to two"),
        (moder, "moderator in one"),
    ):
        await speaker.say(line)

    assert relayed_requests(asel) == {1}
    assert relayed_requests(bakyt) == {1}
    assert relayed_requests(moder) == {1}
    assert relayed_requests(dana) == {2}
    assert relayed_requests(chyngyz) == {2}
    assert relayed_requests(outsider) == set()
    assert "door code" not in "\n".join(dana.texts + chyngyz.texts + outsider.texts)
    assert "flat 9" not in "\n".join(asel.texts + bakyt.texts + moder.texts + outsider.texts)

    # Someone outside a request cannot read it, switch to it, close or decline it either.
    asel.unread()
    bakyt.unread()
    for attempt in ("/open 1", "/history 1", "/close 1", "/cancel 1", "/decline 1", "/leave 1"):
        reply = await outsider.say(attempt)
        assert "door code" not in texts(reply) and "Flour" not in texts(reply), attempt
    for attempt in ("/history 1", "/open 1", "/close 1", "/cancel 1"):
        assert "You have no request #1." in texts(await dana.say(attempt)), attempt
    assert "only moderators" in texts(await outsider.say("/join 1"))
    assert asel.unread() == [] and bakyt.unread() == []


async def test_a_provider_who_declined_stops_receiving_the_requests_messages(
    driver: ChatDriver, cat: Catalogue
) -> None:
    asel, bakyt = driver.person("asel", bot="helpdesk"), driver.person("bakyt", bot="helpdesk")
    await bakyt.say("/start")
    await make_provider(driver.sessions, bakyt, cat.bishkek_food)
    await ask(asel, "Bishkek", "Food", "Some bread, please.")
    await bakyt.say("/next")
    await asel.say("before the decline")
    assert "#1 · Requester: before the decline" in texts(bakyt.unread())

    await bakyt.say("/decline")
    asel.unread()
    for line in ("after the decline", "still there?"):
        await asel.say(line)
    assert bakyt.unread() == []

    # And what the provider writes now goes nowhere near the request.
    reply = await bakyt.say("hello again")
    assert "not in a conversation" in texts(reply)
    assert asel.unread() == []
    refused = await bakyt.say("/open 1")
    assert "You have no request #1." in texts(refused)
    async with driver.sessions() as session:
        rows = list(
            await session.scalars(
                select(Participant).where(
                    Participant.user_id == await user_id(driver.sessions, bakyt)
                )
            )
        )
    assert [(p.role, p.left_reason) for p in rows] == [("provider", "declined")]


async def test_relayed_messages_arrive_in_the_order_they_were_written(
    driver: ChatDriver, cat: Catalogue
) -> None:
    asel, bakyt = driver.person("asel", bot="helpdesk"), driver.person("bakyt", bot="helpdesk")
    await bakyt.say("/start")
    await make_provider(driver.sessions, bakyt, cat.bishkek_food)
    await ask(asel, "Bishkek", "Food", "Groceries for the week.")
    await bakyt.say("/next")
    asel.unread()
    bakyt.unread()

    # Both write fast and interleaved; the worker gets them as one batch, like a busy minute.
    script = [(asel if n % 3 else bakyt, f"line {n:02d}") for n in range(30)]
    await driver.deliver([who.update(line) for who, line in script])

    from_asel = [line for who, line in script if who is asel]
    from_bakyt = [line for who, line in script if who is bakyt]
    assert [m.text.split(": ", 1)[1] for m in bakyt.unread()] == from_asel
    assert [m.text.split(": ", 1)[1] for m in asel.unread()] == from_bakyt


async def test_a_photo_is_stored_and_relayed_with_its_caption(
    driver: ChatDriver, cat: Catalogue
) -> None:
    asel, bakyt = driver.person("asel", bot="helpdesk"), driver.person("bakyt", bot="helpdesk")
    await bakyt.say("/start")
    await make_provider(driver.sessions, bakyt, cat.bishkek_medicine)
    await asel.say("/new")
    await asel.press("Bishkek")
    await asel.press("Medicine")
    prescription = Attachment(kind="photo", ref="https://example.org/rx.jpg", caption="rx")
    reply = await asel.say("", attachments=[prescription])
    assert "Now please describe in words" in texts(reply)
    await asel.say("This medicine, two boxes.")

    taken = await bakyt.say("/next")
    assert taken[0].media == (prescription,)  # the request's photo comes with it
    assert "[attachments: 1]" in taken[0].text

    await asel.say("The box looks like this", attachments=[prescription])
    relayed = bakyt.unread()
    assert relayed[0].text == "#1 · Requester: The box looks like this"
    assert relayed[0].media == (prescription,)

    await bakyt.say("", attachments=[Attachment(kind="photo", ref="tg-file-id-only-here")])
    back = asel.unread()
    assert back[0].text.startswith("#1 · Helper sent an attachment.")
    assert back[0].media and back[0].media[0].ref == "tg-file-id-only-here"  # same bot: usable
