"""`relaybot helpdesk ...`: what an operator does at the shell, with clean errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner, Result

from relaybot.apps.helpdesk import demands, people, switches
from relaybot.apps.helpdesk.models import HelpdeskUser
from relaybot.cli import main
from relaybot.config import Settings
from relaybot.system import open_store


@pytest.fixture
def shell(make_settings: Callable[..., Settings], sqlite_url: str) -> Callable[..., Result]:
    make_settings(sqlite_url)  # isolates the environment and the working directory

    def run(*args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(
            main, ["helpdesk", *args], env={"RELAYBOT_DATABASE_URL": sqlite_url}
        )
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def json_rows(result: Result) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows


def test_an_operator_builds_the_catalogue_at_the_shell(shell: Callable[..., Result]) -> None:
    assert "place 1 added" in shell("places", "add", "Bishkek").output
    shell("places", "add", "Osh")
    shell("resources", "add", "Food", "--description", "Parcels")
    assert "scenario 1 added" in shell("scenarios", "add", "bishkek", "Food").output
    shell("scenarios", "add", "2", "1", "--description", "Food parcels in Osh.")

    duplicate = shell("places", "add", "  osh ", ok=False)
    assert duplicate.exit_code == 1 and "a place named 'Osh' exists already" in duplicate.output
    unknown = shell("scenarios", "add", "Naryn", "Food", ok=False)
    assert unknown.exit_code == 1 and "no place is named 'Naryn'" in unknown.output
    used = shell("places", "remove", "1", ok=False)
    assert "used by 1 scenario(s)" in used.output
    assert "Traceback" not in used.output + unknown.output + duplicate.output

    shell("places", "update", "1", "--name", "Bishkek, centre")
    shell("scenarios", "update", "1", "--inactive")
    listed = json_rows(shell("scenarios", "list", "--json"))
    assert [(s["place"], s["resource"], s["active"]) for s in listed] == [
        ("Bishkek, centre", "Food", False),
        ("Osh", "Food", True),
    ]
    table = shell("scenarios", "list").output
    assert "Osh / Food" in table and "ACTIVE" in table
    shell("scenarios", "remove", "1")
    shell("places", "remove", "1")
    assert [p["name"] for p in json_rows(shell("places", "list", "--json"))] == ["Osh"]


def test_an_operator_makes_someone_a_helper_and_a_moderator_by_their_id(
    shell: Callable[..., Result], make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    shell("demo-data", "--locale", "en", "--no-self-service")
    settings = make_settings(sqlite_url)

    async def someone_writes() -> int:
        async with open_store(settings) as sessions, sessions() as session, session.begin():
            now = datetime.now(UTC)
            user = HelpdeskUser(
                bot="helpdesk",
                chat_id="w1",
                channel="webchat",
                user_id="w1",
                name="Bakyt",
                is_moderator=False,
                is_admin=False,
                created_at=now,
                last_seen=now,
            )
            session.add(user)
            await session.flush()
            return user.id

    uid = asyncio.run(someone_writes())
    assert "now helps in scenario(s) 1, 2" in shell("link", str(uid), "1", "2").output
    assert "already linked: 1" in shell("link", str(uid), "1").output
    shell("grant", str(uid), "moderator")
    row = json_rows(shell("users", "--json"))[0]
    assert row["roles"] == ["requester", "provider", "moderator"]
    assert row["scenario_ids"] == [1, 2]
    assert [u["id"] for u in json_rows(shell("users", "--role", "moderator", "--json"))] == [uid]

    shell("revoke", str(uid), "moderator")
    assert "removed 2 link(s)" in shell("unlink", str(uid), "1", "2").output
    assert json_rows(shell("users", "--json"))[0]["roles"] == ["requester"]
    missing = shell("grant", "999", "admin", ok=False)
    assert missing.exit_code == 1 and "user 999 does not exist" in missing.output
    wrong = shell("grant", str(uid), "provider", ok=False)
    assert wrong.exit_code == 2  # not a role one grants: providers come from links


def test_demo_data_is_idempotent_and_switches_self_service_on(
    shell: Callable[..., Result], make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    first = shell("demo-data", "--locale", "en").output
    assert "9 categories (18 added now)" in first and "self-service roles are ON" in first
    again = shell("demo-data", "--locale", "en")
    assert again.exit_code == 0
    assert "the sample data is already there" in again.output
    assert "nothing was added" in again.output
    assert len(json_rows(shell("scenarios", "list", "--json"))) == 9
    shell("self-service", "off")

    async def self_service_is_on() -> bool:
        async with open_store(make_settings(sqlite_url)) as sessions, sessions() as session:
            return await switches.is_on(session, switches.SELF_SERVICE_ROLES)

    assert asyncio.run(self_service_is_on()) is False


def test_russian_demo_data_a_second_time_is_already_there_and_exits_0(
    shell: Callable[..., Result],
) -> None:
    first = shell("demo-data", "--locale", "ru")
    assert first.exit_code == 0 and "(18 added now)" in first.output
    again = shell("demo-data", "--locale", "ru")
    assert again.exit_code == 0, again.output
    assert "the sample data is already there" in again.output
    assert "conflicts" not in again.output
    places = {row["name"] for row in json_rows(shell("places", "list", "--json"))}
    assert places == {"Бишкек, центр", "Бишкек, Аламедин", "Ош", "Онлайн"}


def test_requests_are_listed_and_shown_with_their_messages(
    shell: Callable[..., Result], make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    shell("demo-data", "--locale", "en")

    async def ask() -> None:
        async with open_store(make_settings(sqlite_url)) as sessions:
            async with sessions() as session, session.begin():
                now = datetime.now(UTC)
                user = HelpdeskUser(
                    bot="helpdesk",
                    chat_id="w9",
                    channel="webchat",
                    user_id="w9",
                    is_moderator=False,
                    is_admin=False,
                    created_at=now,
                    last_seen=now,
                )
                session.add(user)
                await session.flush()
                actor = await people.actor_of(session, user)
                await demands.create(
                    session, actor, scenario_id=1, text="Two food parcels", now=now, max_open=5
                )

    asyncio.run(ask())
    rows = json_rows(shell("demands", "list", "--json"))
    assert [(r["id"], r["status"], r["description"]) for r in rows] == [
        (1, "new", "Two food parcels")
    ]
    assert "no requests" in shell("demands", "list", "--status", "closed").output
    shown = shell("demands", "show", "1").output
    assert "request 1:" in shown and "requester" in shown and "Two food parcels" in shown
    assert "request 7 does not exist" in shell("demands", "show", "7", ok=False).output


@pytest.mark.parametrize(
    ("locale", "places"),
    [
        ("en", {"Bishkek, centre", "Bishkek, Alamedin", "Osh", "Online"}),
        ("ru", {"Бишкек, центр", "Бишкек, Аламедин", "Ош", "Онлайн"}),
    ],
)
def test_demo_data_speaks_the_default_locale_of_the_settings(
    shell: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, locale: str, places: set[str]
) -> None:
    monkeypatch.setenv("RELAYBOT_DEFAULT_LOCALE", locale)
    shell("demo-data")
    assert {row["name"] for row in json_rows(shell("places", "list", "--json"))} == places
    again = shell("demo-data", "--locale", "en" if locale == "ru" else "ru")
    assert "the sample data is already there" in again.output, "not doubled in another language"
    assert {row["name"] for row in json_rows(shell("places", "list", "--json"))} == places
