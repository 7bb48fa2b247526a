"""The audit log: every admin action says who, what, when and from where, and exists exactly
when the change it describes does."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.orders.models import Order
from relaybot.cli import main
from relaybot.config import Settings
from relaybot.store.audit import audit, recent
from relaybot.store.models import AuditEntry, DeadLetter
from relaybot.system import open_store


async def test_an_audit_entry_rolls_back_with_the_change_it_describes(make_settings, sqlite_url):
    async with open_store(make_settings(sqlite_url)) as sessions:
        with pytest.raises(RuntimeError):
            async with sessions() as session, session.begin():
                await audit(session, actor="user:7", channel="telegram", action="demand.close")
                raise RuntimeError("the change itself failed")
        async with sessions() as session, session.begin():
            await audit(
                session,
                actor="user:7",
                channel="telegram",
                action="demand.close",
                target=12,
                bot="helpdesk",
                details={"reason": "solved", "api_token": "rbt_x", "nested": {"password": "p"}},
            )
        (entry,) = await recent(sessions)
        assert (entry.actor, entry.channel, entry.action, entry.target, entry.bot) == (
            "user:7",
            "telegram",
            "demand.close",
            "12",
            "helpdesk",
        )
        assert entry.details == {
            "reason": "solved",
            "api_token": "***",
            "nested": {"password": "***"},
        }
        assert abs(entry.at.timestamp() - time.time()) < 60
        with pytest.raises(ValueError):
            async with sessions() as session:
                await audit(session, actor="", channel="cli", action="x")


def test_operator_shell_actions_on_orders_and_dead_letters_are_audited(make_settings, sqlite_url):
    settings = make_settings(sqlite_url)
    asyncio.run(seed_an_order_and_two_dead_letters(settings))
    env = {"RELAYBOT_DATABASE_URL": sqlite_url, "RELAYBOT_LOG_LEVEL": "warning"}
    runner = CliRunner()
    for command in (
        ["orders", "set-status", "1", "confirmed"],
        ["orders", "set-status", "1", "confirmed"],  # no change, nothing to audit
        ["dlq", "replay", "1"],
        ["dlq", "drop", "2"],
    ):
        result = runner.invoke(main, command, env=env)
        assert result.exit_code == 0, result.output
    listed = runner.invoke(main, ["audit", "list", "--json"], env=env)
    entries = json.loads(listed.output)
    assert [(e["action"], e["target"], e["channel"], e["details"]) for e in entries] == [
        ("dlq.drop", "2", "cli", {"dropped": 1}),
        ("dlq.replay", "1", "cli", {"replayed": 1}),
        ("orders.set_status", "1", "cli", {"from": "new", "to": "confirmed"}),
    ]
    assert all(e["actor"].startswith("cli:") for e in entries)
    table = runner.invoke(main, ["audit", "list", "--action", "dlq.drop"], env=env)
    assert "dlq.drop" in table.output and "orders.set_status" not in table.output
    assert asyncio.run(count_entries(settings)) == 3


async def seed_an_order_and_two_dead_letters(settings: Settings) -> None:
    async with open_store(settings) as sessions, sessions() as session, session.begin():
        session.add(
            Order(
                client_phone="+996555123456",
                delivery_address="Osh, Lenina 1",
                bottles_count=2,
                source="webchat",
                bot="orders",
                client_id="w1",
                status="new",
            )
        )
        for n in (1, 2):
            session.add(
                DeadLetter(
                    outbox_id=n,
                    bot="orders",
                    channel="webchat",
                    chat_id="w1",
                    payload=b'{"text":"hi"}',
                    attempts=5,
                    last_error="timeout",
                    created_at=time.time(),
                    failed_at=time.time(),
                )
            )


async def count_entries(settings: Settings) -> int:
    async with open_store(settings) as sessions, sessions() as session:
        return len((await session.scalars(select(AuditEntry))).all())
