"""On Telegram the booking bot keeps one reply-keyboard menu for the person's role, and a newer
screen takes the buttons off the older one (editMessageReplyMarkup), so a chat's history holds
no buttons that could still be pressed by mistake."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from relaybot.apps.booking.catalog import Catalog
from relaybot.apps.booking.models import User
from relaybot.apps.booking.users import Actor
from relaybot.config import Settings
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin

TOKEN = "7000077:AAtest-token-of-the-booking-bot"
SECRET = "booking-secret_1"
QUIET = 0.2
CLIENT_MENU = [["Book an appointment", "My bookings"], ["Language"]]


def booking_bot(standin: TelegramStandin) -> dict[str, Any]:
    return {
        "name": "studio",
        "app": "booking",
        "channel": "telegram",
        "token": TOKEN,
        "webhook_secret": SECRET,
        "api_base": standin.url,
        "options": {"per_chat_per_second": 100.0, "per_chat_burst": 100},
    }


async def a_studio(server: RelaybotServer) -> None:
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        owner = User(name="Owner", role="admin")
        session.add(owner)
        await session.flush()
        catalog = Catalog(session, Actor(owner))
        place = await catalog.add_location(name="Central", address="Chui 1", timezone="UTC")
        cut = await catalog.add_service(
            name="Haircut", duration_min=60, price_minor=100000, currency="KGS"
        )
        shave = await catalog.add_service(
            name="Shave", duration_min=30, price_minor=50000, currency="KGS"
        )
        aigul = await catalog.add_specialist(name="Aigul", service_ids=[cut.id, shave.id])
        await catalog.set_hours(aigul.id, place.id, weekdays=range(7), intervals=[(540, 1080)])


async def promote(server: RelaybotServer, chat_id: str) -> None:
    """What `relaybot booking init-admin --telegram-id` does (tests/apps/booking/test_cli.py)."""
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        person = await session.scalar(select(User).where(User.chat_id == chat_id))
        assert person is not None
        person.role = "admin"


async def test_stale_inline_keyboards_are_removed_and_the_menu_follows_the_role(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    async with TelegramStandin() as telegram:
        settings = make_settings(sqlite_url, bots=[booking_bot(telegram)], default_locale="en")
        async with RelaybotServer(settings) as server:
            await a_studio(server)
            state = telegram.bot(TOKEN)
            state.webhook_url = f"{server.url}/webhook/telegram/studio"
            state.webhook_secret = SECRET
            dana = telegram.user(TOKEN, user_id=5200001, first_name="Dana", language_code="en")

            await dana.say("/start", expect=1, quiet=QUIET)
            greeting = next(m for m in dana.messages if m.buttons)
            assert "Book an appointment" in greeting.labels
            assert dana.menu() == CLIENT_MENU

            await dana.press("Book an appointment", expect=1, quiet=QUIET)
            services = dana.messages[-1]
            assert "Haircut · 60 min · 1,000 KGS" in services.labels
            await telegram.wait_until(lambda: not greeting.buttons)  # taken off, not left behind
            assert greeting.markup_edits == 1
            await dana.press("Haircut · 60 min · 1,000 KGS", expect=1, quiet=QUIET)
            await telegram.wait_until(lambda: not services.buttons)
            with_buttons = [m for m in dana.messages if m.buttons]
            assert with_buttons == [dana.messages[-1]]  # only the current screen's buttons

            # The menu under the message box is one tap away whatever screen is shown.
            await dana.tap_menu("My bookings", expect=1, quiet=QUIET)
            assert dana.messages[-1].text == "You have no upcoming bookings."
            await telegram.wait_until(lambda: len([m for m in dana.messages if m.buttons]) == 1)

            # When Telegram refuses the edit, the new screen is still sent once; the old
            # buttons stay up (pressing them is refused as outdated by the app).
            telegram.fail("editMessageReplyMarkup", status=400)
            sent, edits = len(dana.messages), len(telegram.calls_to("editMessageReplyMarkup"))
            await dana.press("Main menu", expect=1, quiet=QUIET)
            await telegram.wait_until(
                lambda: len(telegram.calls_to("editMessageReplyMarkup")) > edits
            )
            assert len(dana.messages) == sent + 1
            assert "Book an appointment" in dana.messages[-1].labels

            # Made an administrator, Dana gets the administrator's menu on her next message.
            await promote(server, "5200001")
            await dana.say("/menu", expect=1, quiet=QUIET)
            assert "Book for a client" in dana.menu()[0]
            assert dana.menu() != CLIENT_MENU
