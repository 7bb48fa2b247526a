"""An administrator corrects a mistyped price, length, address or time zone in the chat,
deletes what no booking refers to, and takes back roles; each act is in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from relaybot.apps.booking.models import AdTemplate, Location, Service, User
from relaybot.apps.booking.ui import payloads as ui
from relaybot.store.models import AuditEntry
from tests.apps.booking.world import World, make_world


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url))
    await built.admin.say("/start")
    yield built
    await built.system.close()


async def entries(world: World) -> list[tuple[str, str, str, dict]]:
    async with world.system.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.startswith("booking."))
            .order_by(AuditEntry.id)
        )
        return [(e.action, e.target or "", e.channel, dict(e.details)) for e in rows]


async def test_a_mistyped_price_and_length_are_corrected_from_the_service_card(world):
    admin = world.admin
    await admin.press("Services")
    card = await admin.press("Edit: Haircut")
    assert card[-1].text.startswith("✓ Haircut, 60 min, 1,000 KGS")
    await admin.press("Change: Price")
    summary = await admin.say("1 300")
    assert "New value: 1,300 KGS" in summary[0].text
    done = await admin.press("Yes")
    assert done[0].text == "Saved."
    assert done[-1].text.startswith("✓ Haircut, 60 min, 1,300 KGS")

    await admin.press("Change: Length, min")
    refused = await admin.say("50")
    assert "a multiple of 15" in refused[0].text
    await admin.say("45")
    done = await admin.press("Yes")
    assert done[-1].text.startswith("✓ Haircut, 45 min, 1,300 KGS")

    await admin.press("Change: Name")
    await admin.say("Men's haircut")
    await admin.press("Yes")
    async with world.system.sessions() as session:
        haircut = await session.get(Service, world.haircut)
    assert haircut is not None
    assert (haircut.name, haircut.duration_min, haircut.price_minor) == (
        "Men's haircut",
        45,
        130000,
    )

    edits = [e for e in await entries(world) if e[0] == "booking.service.edit"]
    assert [(e[1], e[2], e[3]) for e in edits] == [
        (
            "service:1",
            "webchat",
            {"before": {"price_minor": 100000}, "after": {"price_minor": 130000}},
        ),
        ("service:1", "webchat", {"before": {"duration_min": 60}, "after": {"duration_min": 45}}),
        (
            "service:1",
            "webchat",
            {"before": {"name": "Haircut"}, "after": {"name": "Men's haircut"}},
        ),
    ]


async def test_an_address_and_a_time_zone_are_corrected_and_bookings_keep_their_moment(world):
    client = await world.new_client("Dana")
    made = await world.book(client, world.aigul, world.haircut, "10:00")
    admin = world.admin
    await admin.press("Locations")
    await admin.press("Edit: Central")
    await admin.press("Change: Address")
    await admin.say("Chui 125")
    await admin.press("Yes")
    await admin.press("Change: Timezone")
    refused = await admin.say("Mars/Olympus")
    assert "Unknown timezone" in refused[0].text
    await admin.say("asia/almaty")
    done = await admin.press("Yes")
    assert "Chui 125\nAsia/Almaty" in done[-1].text
    async with world.system.sessions() as session:
        place = await session.get(Location, world.location)
    assert place is not None and (place.address, place.timezone) == ("Chui 125", "Asia/Almaty")
    [kept] = await world.bookings()
    assert kept.starts_at == made.starts_at
    zone = [e for e in await entries(world) if e[0] == "booking.location.edit"]
    assert zone[-1][3] == {
        "before": {"timezone": "Asia/Bishkek"},
        "after": {"timezone": "Asia/Almaty"},
    }


async def test_an_ad_text_is_corrected_and_deleted(world):
    admin = world.admin
    await admin.say(payload=ui.Ads().pack())
    await admin.press("Add ad text")
    await admin.say("Haircut -10% on Tuesdays")
    await admin.press("Yes")
    await admin.press("Edit #1")
    await admin.say("Haircut -15% on Tuesdays")
    shown = await admin.press("Yes")
    assert "#1 ✓ Haircut -15% on Tuesdays" in shown[-1].text
    gone = await admin.press("Delete #1")
    assert gone[0].text == "Deleted." and "No ad texts yet." in gone[-1].text
    assert await world.count(AdTemplate) == 0
    actions = [e[0] for e in await entries(world)]
    assert actions[-3:] == ["booking.ad.add", "booking.ad.edit", "booking.ad.delete"]


async def test_what_has_bookings_is_not_deleted_and_deactivating_is_offered(world):
    client = await world.new_client("Dana")
    await world.book(client, world.aigul, world.haircut, "10:00")
    admin = world.admin
    await admin.press("Services")
    await admin.press("Edit: Haircut")
    refused = await admin.press("Delete")
    assert refused[0].text == (
        "This service has 1 upcoming bookings, so it cannot be deleted. Deactivate it instead: "
        "it then takes no new bookings and keeps the existing ones."
    )
    await admin.say(payload=ui.Services().pack())
    await admin.press("Edit: Shave")
    deleted = await admin.press("Delete")
    assert deleted[0].text == "Deleted." and "Shave" not in deleted[-1].text
    assert await world.count(Service) == 1


async def test_a_specialist_account_is_unlinked_and_an_admin_role_taken_back_but_never_the_last(
    world,
):
    aigul, erlan = world.aigul_chat, world.client("erlan", name="Erlan")
    await aigul.say("/start")
    await erlan.say("/start")
    admin = world.admin
    await admin.say(payload=ui.ShowSpecialist(id=world.aigul).pack())
    done = await admin.press("Revoke sign-in")
    assert done[0].text.startswith("That account no longer signs in as this specialist.")
    menu = await aigul.say("/menu")
    assert "Book an appointment" in menu[-1].buttons and "Today" not in menu[-1].buttons

    erlan_id = await world.user_id(erlan)
    async with world.system.sessions() as session, session.begin():
        person = await session.get(User, erlan_id)
        assert person is not None
        person.role = "admin"
    await admin.press("Main menu")
    shown = await admin.press("Administrators")
    assert "• Asel" in shown[-1].text and "• Erlan" in shown[-1].text
    taken = await admin.press("Revoke: Erlan")
    assert taken[0].text == "Erlan is no longer an administrator."
    last = await admin.say(payload=ui.RevokeAdmin(user=world.admin_user).pack())
    assert last[0].text == "This is the last administrator. Make someone else one first."
    refused = await erlan.say(payload=ui.RevokeAdmin(user=world.admin_user).pack())
    assert "only an administrator" in refused[0].text

    found = [
        (a, t, d)
        for a, t, _c, d in await entries(world)
        if a in ("booking.specialist.revoke", "booking.user.role")
    ]
    assert found == [
        (
            "booking.specialist.revoke",
            "specialist:1",
            {"before": {"user_id": world.aigul_user}, "after": {"user_id": None}},
        ),
        (
            "booking.user.role",
            f"user:{erlan_id}",
            {"before": {"role": "admin"}, "after": {"role": "client"}},
        ),
    ]
