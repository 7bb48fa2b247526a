"""Every action checks the actor's role: a refusal is polite, told to the actor only, and inert."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from relaybot.apps.helpdesk.models import (
    Demand,
    DemandMessage,
    HelpdeskSetting,
    HelpdeskUser,
    Participant,
    UserScenario,
)
from relaybot.store.models import AuditEntry, DialogStateRow
from relaybot.testing import ChatDriver, Person

from .conftest import Catalogue, make_moderator, make_provider, self_service, texts, user_id

# Who may not do what, on request #1 that the requester asked, the helper holds and the
# moderator joined. "bystander" is anyone else; "other helper" is linked but holds nothing.
REFUSED = {
    "/next": ["requester", "bystander", "moderator"],
    "/decline 1": ["requester", "bystander", "moderator", "other helper", "admin"],
    "/close 1": ["helper", "other helper", "bystander"],
    "/cancel 1": ["helper", "other helper", "bystander", "moderator", "admin"],
    "/join 1": ["requester", "helper", "other helper", "bystander"],
    "/queue": ["requester", "helper", "other helper", "bystander"],
    "/leave 1": ["requester", "helper", "bystander"],
    "/open 1": ["other helper", "bystander"],
    "/history 1": ["other helper", "bystander"],
    "/scenarios": ["requester", "helper", "bystander", "moderator"],
    "/grant 1 admin": ["requester", "helper", "bystander", "moderator"],
    "/revoke 1 moderator": ["requester", "helper", "bystander", "moderator"],
    "/link 1 1": ["requester", "helper", "bystander", "moderator"],
    "/unlink 1 1": ["requester", "helper", "bystander", "moderator"],
    "/try admin": ["requester", "helper", "bystander", "moderator", "admin"],
}
CASES = [(command, role) for command, roles in REFUSED.items() for role in roles]


async def snapshot(driver: ChatDriver) -> list[Any]:
    """Everything an action could change, as plain values."""
    tables: list[Any] = [
        Demand,
        DemandMessage,
        HelpdeskUser,
        Participant,
        UserScenario,
        HelpdeskSetting,
        AuditEntry,
        DialogStateRow,
    ]
    state: list[Any] = []
    async with driver.sessions() as session:
        for table in tables:
            rows = (await session.execute(select(table.__table__))).all()
            state.append(
                sorted(
                    tuple(v for k, v in row._mapping.items() if k != "last_seen") for row in rows
                )
            )
    return state


@pytest.fixture
async def cast(driver: ChatDriver, cat: Catalogue) -> dict[str, Person]:
    people = {
        role: driver.person(role.replace(" ", "-"), bot="helpdesk")
        for role in ("requester", "helper", "other helper", "moderator", "admin", "bystander")
    }
    for person in people.values():
        await person.say("/start")
    await make_provider(driver.sessions, people["helper"], cat.bishkek_food)
    await make_provider(driver.sessions, people["other helper"], cat.bishkek_medicine)
    await make_moderator(driver.sessions, people["moderator"])
    admin_id = await user_id(driver.sessions, people["admin"])
    async with driver.sessions() as session, session.begin():
        admin = await session.get(HelpdeskUser, admin_id)
        assert admin is not None
        admin.is_admin = True
    await self_service(driver.sessions, False)
    requester = people["requester"]
    await requester.say("/new")
    await requester.press("Bishkek")
    await requester.press("Food")
    await requester.say("Please bring water.")
    await people["helper"].say("/next")
    await people["moderator"].say("/join 1")
    for person in people.values():
        person.unread()
    return people


async def test_every_action_outside_ones_role_is_refused_politely_and_changes_nothing(
    driver: ChatDriver, cast: dict[str, Person]
) -> None:
    """One setup for all cases: since a refusal changes nothing, each case sees the same desk."""
    before = await snapshot(driver)
    for command, role in CASES:
        reply = await cast[role].say(command)
        case = f"{role} {command}"
        assert len(reply) == 1, case
        assert not reply[0].text.startswith("Sorry, something went wrong"), case
        assert "My requests" in [b.text for row in reply[0].buttons for b in row], case
        assert await snapshot(driver) == before, case
        for name, person in cast.items():
            if name != role:
                assert person.unread() == [], f"{name} heard about {case}"


async def test_refusals_say_why(cast: dict[str, Person]) -> None:
    assert "Only helpers can take requests" in texts(await cast["requester"].say("/next"))
    assert "only moderators" in texts(await cast["helper"].say("/queue"))
    assert "only administrators" in texts(await cast["moderator"].say("/link 1 1"))
    assert "If you cannot help, decline it" in texts(await cast["helper"].say("/close 1"))
    assert "Only the person who asked for help can cancel" in texts(
        await cast["moderator"].say("/cancel 1")
    )
    assert "not available" in texts(await cast["admin"].say("/try admin"))


async def test_an_admin_links_a_helper_and_grants_a_moderator_from_the_chat(
    driver: ChatDriver, cat: Catalogue, cast: dict[str, Person]
) -> None:
    admin, bystander = cast["admin"], cast["bystander"]
    bystander_id = await user_id(driver.sessions, bystander)
    listing = await admin.say("/scenarios")
    assert f"{cat.osh_food}: Osh / Food" in texts(listing)

    done = await admin.say(f"/link {bystander_id} {cat.osh_food}")
    assert f"User {bystander_id} now helps in Osh / Food." in texts(done)
    told = bystander.unread()
    assert "You are now a helper in Osh / Food" in texts(told)
    assert "Take next" in bystander.buttons()

    await admin.say(f"/grant {bystander_id} moderator")
    assert "You are now a moderator of the help desk." in texts(bystander.unread())
    overview = await bystander.say("/queue")
    assert "Requests by status" in texts(overview)

    usage = await admin.say("/grant someone")
    assert "Usage: /grant USER_ID moderator|admin" in texts(usage)
    missing = await admin.say("/grant 999 moderator")
    assert "There is no user with id 999." in texts(missing)
    async with driver.sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("helpdesk.%"))
            )
        )
    assert actions == ["helpdesk.join", "helpdesk.link", "helpdesk.grant"]
