"""`relaybot classifieds ...` at the shell: sample kinds, listing, showing, lock, unlock, delete."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.classifieds.models import Ad, AdKind, AdPost
from relaybot.cli import main
from relaybot.config import load_settings
from relaybot.store.models import AuditEntry
from relaybot.system import open_store


@pytest.fixture
def shell(make_settings, sqlite_url, monkeypatch):
    make_settings(sqlite_url)
    monkeypatch.setenv("RELAYBOT_DATABASE_URL", sqlite_url)

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args))
        return result.exit_code, result.output

    return run


def rows(model):
    async def fetch():
        async with open_store(load_settings()) as sessions, sessions() as session:
            return list(await session.scalars(select(model)))

    return asyncio.run(fetch())


def add_posted_ad() -> int:
    async def add() -> int:
        async with open_store(load_settings()) as sessions, sessions() as session:
            async with session.begin():
                now = datetime.now(UTC)
                ad = Ad(
                    bot="classifieds",
                    kind="parts",
                    kind_title="Car parts for sale",
                    author_id="w1",
                    author_chat="w1",
                    language="en",
                    status="posted",
                    locked=False,
                    answers={"title": "Front bumper", "price": {"negotiable": True}},
                    feedback=[],
                    created_at=now,
                    updated_at=now,
                    posted_at=now,
                )
                session.add(ad)
                await session.flush()
                session.add(AdPost(ad_id=ad.id, chat_id="-100777", message_ids=["5", "6"]))
                return ad.id

    return asyncio.run(add())


def test_sample_kinds_are_added_once(shell):
    code, out = shell("classifieds", "demo-data", "--locale", "en")
    assert code == 0 and "classifieds: 2 sample ad kinds added" in out
    code, out = shell("classifieds", "demo-data")
    assert code == 0 and "already there; nothing was added" in out
    assert sorted(k.code for k in rows(AdKind)) == ["parts", "repair"]
    code, out = shell("classifieds", "demo-data", "--bot", "water")
    assert code == 1 and "'water' is not a bot of the classifieds app" in out


def test_list_show_lock_unlock_and_delete_an_ad_each_audited(shell):
    code, out = shell("classifieds", "list")
    assert code == 0 and "no ads yet" in out
    ad_id = add_posted_ad()
    code, out = shell("classifieds", "list", "--json")
    [listed] = json.loads(out)
    assert (listed["id"], listed["status"], listed["posts"], listed["title"]) == (
        ad_id,
        "posted",
        1,
        "Front bumper",
    )
    code, out = shell("classifieds", "list", "--status", "sold")
    assert code == 0 and "no ads yet" in out
    code, out = shell("classifieds", "show", str(ad_id))
    assert code == 0 and "title: Front bumper" in out and "to -100777" in out and "5, 6" in out
    code, out = shell("classifieds", "show", str(ad_id), "--json")
    assert json.loads(out)["post_list"][0]["message_ids"] == ["5", "6"]

    code, out = shell("classifieds", "lock", str(ad_id))
    assert code == 0 and f"ad {ad_id} locked" in out
    assert [a.locked for a in rows(Ad)] == [True]
    code, out = shell("classifieds", "unlock", str(ad_id))
    assert code == 0 and [a.locked for a in rows(Ad)] == [False]
    code, out = shell("classifieds", "delete", str(ad_id))
    assert code == 0 and rows(Ad) == [] and rows(AdPost) == []
    actions = [(a.action, a.target) for a in rows(AuditEntry)]
    assert actions == [
        ("classifieds.lock", str(ad_id)),
        ("classifieds.unlock", str(ad_id)),
        ("classifieds.delete", str(ad_id)),
    ]
    code, out = shell("classifieds", "show", "999")
    assert code == 1 and "ad 999 does not exist" in out
    code, out = shell("classifieds", "lock", "999")
    assert code == 1 and "ad 999 does not exist" in out
