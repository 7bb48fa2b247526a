"""`relaybot booking ...` at the shell: the first admin, sample data, the day's bookings."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.booking.models import Booking, Location, Specialist, User
from relaybot.cli import main
from relaybot.config import load_settings
from relaybot.system import open_store


@pytest.fixture
def shell(make_settings, sqlite_url, monkeypatch):
    make_settings(sqlite_url)  # isolates the environment and the working directory
    monkeypatch.setenv("RELAYBOT_DATABASE_URL", sqlite_url)

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    return run


def rows(model, *where):
    async def fetch():
        async with open_store(load_settings()) as sessions, sessions() as session:
            return list(await session.scalars(select(model).where(*where)))

    return asyncio.run(fetch())


def test_init_admin_for_a_web_chat_visitor_and_the_errors_that_explain_themselves(shell):
    code, out = shell("booking", "init-admin", "--user", "booking:3f2a9c", "--name", "Asel")
    assert code == 0 and "booking:3f2a9c new administrator" in out
    [admin] = rows(User)
    assert (admin.bot, admin.chat_id, admin.role, admin.name, admin.channel) == (
        "booking",
        "3f2a9c",
        "admin",
        "Asel",
        "webchat",
    )
    code, out = shell("booking", "init-admin", "--user", "booking:3f2a9c")
    assert code == 0 and "is now an administrator" in out and len(rows(User)) == 1

    code, out = shell("booking", "init-admin", "--user", "orders:1")
    assert code == 2 and "no booking bot named 'orders'" in out
    code, out = shell("booking", "init-admin", "--user", "nocolon")
    assert code == 2 and "BOT:CHAT_ID" in out
    code, out = shell("booking", "init-admin")
    assert code == 2 and "either --telegram-id" in out
    code, out = shell("booking", "init-admin", "--telegram-id", "12345")
    assert code == 2 and "no Telegram booking bot is configured" in out


def test_init_admin_by_telegram_id_uses_the_telegram_booking_bot(shell, monkeypatch):
    bots = [{"name": "salon", "app": "booking", "channel": "telegram", "token": "1:x"}]
    monkeypatch.setenv("RELAYBOT_BOTS", json.dumps(bots))
    code, out = shell("booking", "init-admin", "--telegram-id", "not-a-number")
    assert code == 2 and "numeric Telegram id" in out
    code, out = shell("booking", "init-admin", "--telegram-id", "123456789")
    assert code == 0, out
    assert [(u.bot, u.chat_id, u.channel, u.role) for u in rows(User)] == [
        ("salon", "123456789", "telegram", "admin")
    ]


def test_demo_data_is_added_once_and_lists_its_bookings(shell):
    code, out = shell("booking", "demo-data", "--locale", "en")
    assert code == 0 and "sample data added" in out and "2 bookings" in out
    assert [s.name for s in rows(Specialist)] == ["Aigul", "Bakyt", "Saltanat"]
    code, out = shell("booking", "demo-data")
    assert code == 0 and "the sample data is already there; nothing was added" in out
    assert len(rows(Location)) == 1
    booked = rows(Booking)
    day = booked[0].starts_at.date().isoformat()
    code, out = shell("booking", "list", "--day", day, "--days", "7", "--json")
    listed = json.loads(out)
    assert code == 0 and [item["client"] for item in listed] == ["Nurlan", "Elena"]
    assert listed[0]["local_start"].endswith("10:00") and listed[0]["status"] == "confirmed"
    code, out = shell("booking", "list", "--day", "31.12")
    assert code == 2 and "YYYY-MM-DD" in out


def test_the_list_shows_the_coming_week_by_default(shell):
    shell("booking", "demo-data", "--locale", "en")
    code, out = shell("booking", "list", "--json")
    assert code == 0 and [item["client"] for item in json.loads(out)] == ["Nurlan", "Elena"]
    code, out = shell("booking", "list")
    assert code == 0 and "Nurlan" in out and "Elena" in out
    code, out = shell("booking", "list", "--day", "2000-01-01")
    assert code == 0 and "no bookings from 2000-01-01 for 7 day(s)" in out
    code, out = shell("booking", "list", "--days", "0")
    assert code == 2 and "--days" in out


def test_demo_data_leaves_a_business_of_its_own_alone(shell):
    shell("booking", "list")  # the store is created and migrated

    async def own_studio() -> None:
        async with open_store(load_settings()) as sessions, sessions() as session:
            async with session.begin():
                session.add(Location(name="Own studio", address="", timezone="Asia/Bishkek"))

    asyncio.run(own_studio())
    code, out = shell("booking", "demo-data")
    assert code == 0 and "there are locations already; sample data was not added" in out
    assert [loc.name for loc in rows(Location)] == ["Own studio"]


def test_a_notice_is_switched_off_for_one_channel_from_the_shell(shell):
    code, out = shell(
        "booking", "notification", "booking_created", "specialist", "off", "--channel", "telegram"
    )
    assert code == 0 and "booking_created -> specialist on telegram: off" in out
    code, out = shell("booking", "notifications")
    lines = out.splitlines()
    assert "booking_created      specialist  telegram   off" in lines
    assert "booking_created      admin       *          on" in lines
    code, out = shell("booking", "notification", "booking_done", "client", "on")
    assert code == 2 and "no notice booking_done/client" in out
    code, out = shell("booking", "notification", "booking_created", "admin", "on", "--ad", "7")
    assert code == 2 and "no ad text #7" in out


@pytest.mark.parametrize(
    ("locale", "studio", "specialists"),
    [
        ("en", "Central studio", ["Aigul", "Bakyt", "Saltanat"]),
        ("ru", "Студия в центре", ["Айгуль", "Бакыт", "Салтанат"]),
    ],
)
def test_demo_data_speaks_the_default_locale_of_the_settings(
    shell, monkeypatch, locale, studio, specialists
):
    monkeypatch.setenv("RELAYBOT_DEFAULT_LOCALE", locale)
    code, out = shell("booking", "demo-data")
    assert code == 0 and "sample data added" in out
    assert [loc.name for loc in rows(Location)] == [studio]
    assert sorted(s.name for s in rows(Specialist)) == specialists
    code, out = shell("booking", "demo-data", "--locale", "en" if locale == "ru" else "ru")
    assert code == 0 and "the sample data is already there" in out, "in either language"


def test_a_rest_token_for_a_person_and_the_booking_part_of_the_audit_log(shell, monkeypatch):
    from relaybot.apps.booking.catalog import Catalog
    from relaybot.apps.booking.users import Actor
    from relaybot.security.auth import access_tokens
    from relaybot.store.audit import audit

    shell("booking", "init-admin", "--user", "booking:3f2a9c", "--name", "Asel")
    code, out = shell("booking", "token", "--user", "booking:3f2a9c")
    assert code == 2 and "set RELAYBOT_JWT_SECRET" in out
    monkeypatch.setenv("RELAYBOT_JWT_SECRET", "s" * 40)
    code, out = shell("booking", "token", "--user", "booking:nobody")
    assert code == 2 and "has not written to the booking bot yet" in out
    code, out = shell("booking", "token", "--user", "booking:3f2a9c")
    assert code == 0
    [admin] = rows(User)
    claims = access_tokens(load_settings()).verify(out.strip().splitlines()[-1])
    assert (claims.subject, claims.role) == (f"booking:{admin.id}", "admin")

    async def act() -> None:
        async with open_store(load_settings()) as sessions, sessions() as session:
            async with session.begin():
                person = await session.get(User, admin.id)
                assert person is not None
                catalog = Catalog(session, Actor(person), channel="telegram")
                service = await catalog.add_service(
                    name="Haircut", duration_min=60, price_minor=100, currency="KGS"
                )
                await catalog.edit_service(service.id, price_minor=150)
                await audit(session, actor="cli:ops", channel="cli", action="token.create")

    asyncio.run(act())
    code, out = shell("audit", "list", "--app", "booking", "--json")
    entries = json.loads(out)
    assert [(e["action"], e["channel"]) for e in entries] == [
        ("booking.service.edit", "telegram"),
        ("booking.service.add", "telegram"),
        ("booking.token.issue", "cli"),
    ]
    assert entries[0]["details"] == {"before": {"price_minor": 100}, "after": {"price_minor": 150}}
    code, out = shell("audit", "list", "--app", "booking")
    assert code == 0 and "booking.service.edit" in out and "token.create" not in out
