"""Admin API tokens: made and revoked at the shell or over REST, hashed at rest, audited."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi import Depends, FastAPI
from sqlalchemy import select

from relaybot.cli import main
from relaybot.config import Settings
from relaybot.security.auth import Authenticator, Principal
from relaybot.store import api_tokens
from relaybot.store.models import ApiToken, AuditEntry
from relaybot.system import open_store
from relaybot.testing import RelaybotServer

BOOTSTRAP = "bootstrap-admin-token-0123456789abcdef"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def cli_env(make_settings: Any, sqlite_url: str) -> dict[str, str]:
    make_settings(sqlite_url)  # isolates the environment and the working directory
    return {"RELAYBOT_DATABASE_URL": sqlite_url, "RELAYBOT_LOG_LEVEL": "warning"}


def test_operator_creates_lists_and_revokes_a_token_at_the_shell(cli_env, sqlite_url):
    runner = CliRunner()
    created = runner.invoke(main, ["tokens", "create", "deploy-script"], env=cli_env)
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("rbt_") and len(token) > 40

    listed = runner.invoke(main, ["tokens", "list", "--json"], env=cli_env)
    rows = json.loads(listed.output)
    assert [(r["id"], r["name"], r["role"], r["revoked_at"]) for r in rows] == [
        (1, "deploy-script", "admin", None)
    ]
    assert token not in listed.output and api_tokens.digest(token) not in listed.output

    revoked = runner.invoke(main, ["tokens", "revoke", "1"], env=cli_env)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    again = runner.invoke(main, ["tokens", "revoke", "1"], env=cli_env)
    assert again.exit_code == 1 and "revoked already" in again.output
    missing = runner.invoke(main, ["tokens", "revoke", "99"], env=cli_env)
    assert missing.exit_code == 1

    audit = runner.invoke(main, ["audit", "list", "--json"], env=cli_env)
    entries = json.loads(audit.output)
    assert [(e["action"], e["target"], e["channel"]) for e in entries] == [
        ("token.revoke", "1", "cli"),
        ("token.create", "1", "cli"),
    ]
    assert all(e["actor"].startswith("cli:") for e in entries)
    assert token not in audit.output


async def test_only_the_hash_of_a_token_is_stored_and_a_revoked_token_stops_working(
    make_settings, sqlite_url
):
    settings: Settings = make_settings(sqlite_url)
    async with open_store(settings) as sessions:
        info, token = await api_tokens.create(
            sessions, name="ci", role="readonly", actor="test", channel="cli"
        )
        async with sessions() as session:
            row = (await session.scalars(select(ApiToken))).one()
        assert row.token_hash == api_tokens.digest(token) and token not in row.token_hash
        assert (await api_tokens.verify(sessions, token)) == info
        assert await api_tokens.verify(sessions, token[:-1] + "x") is None
        assert await api_tokens.verify(sessions, "rbt_" + "A" * 43) is None
        assert await api_tokens.verify(sessions, row.token_hash) is None
        assert await api_tokens.revoke(sessions, info.id, actor="test", channel="cli")
        assert await api_tokens.verify(sessions, token) is None
        with pytest.raises(ValueError, match="role"):
            await api_tokens.create(sessions, name="x", role="root", actor="t", channel="cli")
        with pytest.raises(ValueError, match="name"):
            await api_tokens.create(sessions, name="  ", actor="t", channel="cli")


async def test_rest_admin_api_answers_401_to_strangers_and_403_to_a_weaker_role(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url, admin_token=BOOTSTRAP)
    async with RelaybotServer(settings) as server, httpx.AsyncClient(base_url=server.url) as http:
        anonymous = await http.get("/api/admin/tokens")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"
        wrong = await http.get("/api/admin/tokens", headers=bearer("rbt_guessed"))
        assert wrong.status_code == 401
        basic = await http.get("/api/admin/tokens", headers={"Authorization": "Basic YTpi"})
        assert basic.status_code == 401

        made = await http.post(
            "/api/admin/tokens",
            json={"name": "reports", "role": "readonly"},
            headers=bearer(BOOTSTRAP),
        )
        assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
        reader = made.json()["token"]

        me = await http.get("/api/admin/whoami", headers=bearer(reader))
        assert me.json() == {"actor": "token:reports#1", "role": "readonly", "kind": "api_token"}
        assert (await http.get("/api/admin/audit", headers=bearer(reader))).status_code == 200
        refused = await http.post(
            "/api/admin/tokens", json={"name": "sneaky"}, headers=bearer(reader)
        )
        assert refused.status_code == 403 and "readonly" in refused.json()["detail"]
        assert (await http.delete("/api/admin/tokens/1", headers=bearer(reader))).status_code == 403

        gone = await http.delete("/api/admin/tokens/1", headers=bearer(BOOTSTRAP))
        assert gone.status_code == 204
        assert (await http.get("/api/admin/whoami", headers=bearer(reader))).status_code == 401
        assert (
            await http.delete("/api/admin/tokens/1", headers=bearer(BOOTSTRAP))
        ).status_code == 404

        audit = (await http.get("/api/admin/audit", headers=bearer(BOOTSTRAP))).json()
        assert [(e["actor"], e["channel"], e["action"], e["target"]) for e in audit] == [
            ("token:bootstrap", "rest", "token.revoke", "1"),
            ("token:bootstrap", "rest", "token.create", "1"),
        ]
        tokens = (await http.get("/api/admin/tokens", headers=bearer(BOOTSTRAP))).json()
        assert [t["name"] for t in tokens] == ["reports"] and "token" not in tokens[0]
        assert server.system is not None
        async with server.system.sessions() as session:
            assert len((await session.scalars(select(AuditEntry))).all()) == 2


async def test_a_client_that_keeps_guessing_tokens_is_slowed_down(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, admin_token=BOOTSTRAP, auth_failures_per_minute=5)
    async with RelaybotServer(settings) as server, httpx.AsyncClient(base_url=server.url) as http:
        statuses = [
            (await http.get("/api/admin/whoami", headers=bearer(f"rbt_guess{i}"))).status_code
            for i in range(7)
        ]
        assert statuses == [401] * 5 + [429] * 2
        blocked = await http.get("/api/admin/whoami", headers=bearer(BOOTSTRAP))
        assert blocked.status_code == 429


async def test_user_routes_admit_jwt_access_tokens_by_role(make_settings, sqlite_url):
    settings: Settings = make_settings(sqlite_url, jwt_secret="j" * 48)
    async with open_store(settings) as sessions:
        auth = Authenticator(settings, sessions)
        api = FastAPI()

        @api.post("/moderate")
        async def moderate(who: Principal = Depends(auth.user("moderator", "admin"))) -> Any:
            return {"actor": who.actor, "role": who.role}

        @api.get("/me")
        async def me(who: Principal = Depends(auth.user())) -> Any:
            return {"actor": who.actor}

        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            moderator = auth.tokens.issue("42", role="moderator")
            requester = auth.tokens.issue("43", role="requester")
            ok = await http.post("/moderate", headers=bearer(moderator))
            assert ok.json() == {"actor": "user:42", "role": "moderator"}
            assert (await http.post("/moderate", headers=bearer(requester))).status_code == 403
            assert (await http.get("/me", headers=bearer(requester))).json() == {"actor": "user:43"}
            assert (await http.post("/moderate")).status_code == 401
            assert (await http.post("/moderate", headers=bearer("a.b.c"))).status_code == 401
            stranger = Authenticator(
                settings.model_copy(update={"jwt_secret": None}), sessions
            ).tokens.issue("42", role="moderator")
            assert (await http.post("/moderate", headers=bearer(stranger))).status_code == 401
