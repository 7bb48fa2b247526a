"""`st run --checks all` against relaybot's own OpenAPI document, as an API client's author
would run it: every status code, body, bound, type, content type and `Allow` header the
document promises is what relaybot answers, and schemathesis finds no failure at all."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

from relaybot.apps.helpdesk import catalog
from relaybot.apps.helpdesk.api.events_routes import issue_token
from relaybot.apps.helpdesk.models import HelpdeskUser, Place, Resource, UserScenario
from relaybot.apps.reminders import service as reminders_service
from relaybot.apps.reminders.models import Account
from relaybot.security.auth import access_tokens
from tests.hostile.hostile_support import ADMIN_TOKEN, ThreadedRelaybot, store_problems

ST = Path(sys.executable).with_name("st")
# A fixed seed, so a failure found once is found again by whoever runs the suite next.
SEED = "18180"


def st_run(relaybot: ThreadedRelaybot, token: str, cwd: Path, *options: str) -> str:
    """`st run --checks all` with `token`; the closing summary, asserting no failure."""
    run = subprocess.run(
        [
            str(ST),
            "run",
            f"{relaybot.url}/api/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "30",
            "--seed",
            SEED,
            "--workers",
            "1",
            # A bot's check waits up to 8 s for its channel (the first also imports aiogram).
            "--request-timeout",
            "20",
            "--no-color",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=540,
        cwd=cwd,
    )
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary
    assert " passed" in summary and "failures" not in summary, summary
    return summary


async def a_signed_in_helper(relaybot: ThreadedRelaybot) -> str:
    """A help desk moderator linked to a scenario, and an access token for them."""
    system = relaybot.server.system
    assert system is not None
    now = datetime.now(UTC)
    async with system.sessions() as session, session.begin():
        place = await catalog.add_named(session, Place, "Contract place", "", now)
        kind = await catalog.add_named(session, Resource, "Contract help", "", now)
        scenario = await catalog.add_scenario(
            session, place_id=place.id, resource_id=kind.id, description="", now=now
        )
        user = HelpdeskUser(
            bot="helpdesk",
            chat_id="contract-helper",
            channel="webchat",
            user_id="contract-helper",
            is_moderator=True,
            is_admin=False,
            created_at=now,
            last_seen=now,
        )
        session.add(user)
        await session.flush()
        session.add(UserScenario(user_id=user.id, scenario_id=scenario.id, created_at=now))
        user_id = user.id
    return issue_token(relaybot.server.settings, system.sessions, user_id)[0]


def test_schemathesis_with_every_check_finds_no_contract_failure(
    relaybot: ThreadedRelaybot, http: httpx.Client, tmp_path: Path
) -> None:
    st_run(relaybot, ADMIN_TOKEN, tmp_path, "--exclude-path-regex", "^/api/bots")
    assert http.get("/health").status_code == 200
    assert relaybot.run(store_problems(relaybot)) == []


def test_the_liveness_readiness_and_health_routes_keep_their_contract(
    relaybot: ThreadedRelaybot, http: httpx.Client, tmp_path: Path
) -> None:
    summary = st_run(
        relaybot, ADMIN_TOKEN, tmp_path, "--include-path-regex", "^/(livez|readyz|health)$"
    )
    assert "Tested: 3" in summary, summary
    assert http.get("/readyz").json() == {"status": "ready", "failing": []}


def test_the_bots_routes_keep_their_contract_too(
    relaybot: ThreadedRelaybot, http: httpx.Client, tmp_path: Path
) -> None:
    """Run alone, since schemathesis adds bots here: each channel's body is its own shape in
    the document (a web chat bot has no token, a Mattermost bot needs its server's address),
    so every body the document allows is a bot relaybot takes."""
    st_run(
        relaybot,
        ADMIN_TOKEN,
        tmp_path,
        "--include-path-regex",
        "^/api/bots",
    )
    assert relaybot.run(store_problems(relaybot)) == []


def test_the_help_desk_calls_of_a_signed_in_person_keep_their_contract_too(
    relaybot: ThreadedRelaybot, http: httpx.Client, tmp_path: Path
) -> None:
    token = relaybot.run(a_signed_in_helper(relaybot))
    # The event stream stays open for minutes by design; tests/apps/helpdesk reads it.
    st_run(relaybot, token, tmp_path, "--include-path-regex", "^/api/helpdesk/(me|requests)")
    assert relaybot.run(store_problems(relaybot)) == []


async def a_signed_in_reminders_account(relaybot: ThreadedRelaybot) -> str:
    """An account of the reminders constructor with a bot and a job, and its access token."""
    system = relaybot.server.system
    assert system is not None
    async with system.sessions() as session, session.begin():
        account = Account(login="contract", password_hash=None, role="user", token_version=1)
        session.add(account)
        await session.flush()
        await reminders_service.create_bot(
            session,
            reminders_service.Owner(account.id),
            "Contract",
            "reminders",
            reminders_service.JobFields(
                short_name="standup",
                target="contract",
                text="Stand-up",
                cron="0 9 * * 1-5",
                timezone="Asia/Bishkek",
            ),
            relays=["reminders"],
            now=datetime.now(UTC).timestamp(),
        )
        account_id = account.id
    return access_tokens(relaybot.server.settings).issue(
        f"reminders:{account_id}", role="user", extra={"ver": 1}
    )


def test_the_reminders_calls_of_a_signed_in_person_keep_their_contract_too(
    relaybot: ThreadedRelaybot, http: httpx.Client, tmp_path: Path
) -> None:
    """Every check but one: a cron line that never comes due, a time zone that is no IANA
    name and a short name the bot already has are rules of the data the schema does not spell
    out; they are refused with 422 naming the field (tests/apps/reminders)."""
    token = relaybot.run(a_signed_in_reminders_account(relaybot))
    st_run(
        relaybot,
        token,
        tmp_path,
        "--include-path-regex",
        "^/api/reminders",
        "--exclude-checks",
        "positive_data_acceptance",
    )
    assert relaybot.run(store_problems(relaybot)) == []


async def a_booking_admin(relaybot: ThreadedRelaybot) -> str:
    """An administrator of the booking app with a studio to manage, and their access token."""
    from relaybot.apps.booking.api.base import issue_token as booking_token
    from relaybot.apps.booking.catalog import Catalog
    from relaybot.apps.booking.models import User as BookingUser
    from relaybot.apps.booking.users import Actor

    system = relaybot.server.system
    assert system is not None
    async with system.sessions() as session, session.begin():
        admin = BookingUser(bot="booking", chat_id="contract-admin", name="Asel", role="admin")
        session.add(admin)
        await session.flush()
        catalog = Catalog(session, Actor(admin), channel="rest")
        place = await catalog.add_location(name="Central", address="", timezone="Asia/Bishkek")
        cut = await catalog.add_service(
            name="Haircut", duration_min=60, price_minor=1000, currency="KGS"
        )
        person = await catalog.add_specialist(name="Aigul", service_ids=[cut.id])
        await catalog.set_hours(
            person.id, place.id, weekdays=range(7), intervals=[(9 * 60, 18 * 60)]
        )
        user_id = admin.id
    return booking_token(relaybot.server.settings, system.sessions, user_id, "admin")


def test_the_booking_api_of_a_signed_in_admin_keeps_its_contract(
    relaybot: ThreadedRelaybot, http: httpx.Client, tmp_path: Path
) -> None:
    """Every check but the acceptance of any body the schema allows: rules across fields
    (an interval's end after its start, a time zone that exists, a start that is free) are
    answered 422 or 409 naming the reason (tests/apps/booking/test_rest_api.py)."""
    token = relaybot.run(a_booking_admin(relaybot))
    st_run(
        relaybot,
        token,
        tmp_path,
        "--include-path-regex",
        "^/api/booking/",
        "--exclude-checks",
        "positive_data_acceptance",
    )
    assert relaybot.run(store_problems(relaybot)) == []
