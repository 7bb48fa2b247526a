"""A running relaybot with console accounts, and browsers-without-a-browser that sign in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest

from relaybot.store import panel_accounts
from relaybot.testing import RelaybotServer

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Console:
    """An httpx client signed in to /admin, which knows its CSRF token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.csrf = ""

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        answer = await self.http.post(
            "/admin/login", data={"username": username, "password": password, "next": "/admin"}
        )
        if answer.status_code == 303:
            page = await self.http.get("/admin")
            found = CSRF.search(page.text)
            self.csrf = found.group(1) if found else ""
        return answer

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True
    ) -> httpx.Response:
        body = dict(data or {})
        if csrf:
            body["csrf"] = self.csrf
        return await self.http.post(path, data=body)


@pytest.fixture
async def server(make_settings: Any, sqlite_url: str) -> AsyncIterator[RelaybotServer]:
    settings = make_settings(sqlite_url)
    async with RelaybotServer(settings) as running:
        yield running


async def make_account(
    server: RelaybotServer,
    username: str,
    role: str = "admin",
    grants: Sequence[str] = (),
    **extra: Any,
) -> panel_accounts.Account:
    assert server.system is not None
    return await panel_accounts.create(
        server.system.sessions,
        username=username,
        password=PASSWORD,
        role=role,
        grants=grants,
        actor="test",
        channel="cli",
        **extra,
    )


@pytest.fixture
async def console(server: RelaybotServer) -> AsyncIterator[Console]:
    async with httpx.AsyncClient(base_url=server.url, follow_redirects=False, timeout=30) as http:
        yield Console(http)
