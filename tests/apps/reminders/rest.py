"""A person at the REST API of the constructor: registers, signs in, and calls with tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

JWT_SECRET = "reminders-test-jwt-secret-" + "s" * 32
API = "/api/reminders"


def a_job(**changes: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "short_name": "standup",
        "target": "team-channel",
        "text": "Stand-up in 10 minutes",
        "cron": "0 9 * * 1-5",
        "timezone": "Asia/Bishkek",
    }
    job.update(changes)
    return job


@dataclass
class Person:
    http: httpx.AsyncClient
    login: str
    password: str
    access: str = ""
    refresh: str = ""

    @classmethod
    async def registered(cls, http: httpx.AsyncClient, login: str) -> Person:
        person = cls(http, login, f"{login}-secret-password")
        answer = await http.post(f"{API}/users", json={"login": login, "password": person.password})
        assert answer.status_code == 201, answer.text
        await person.sign_in()
        return person

    async def sign_in(self) -> None:
        answer = await self.http.post(
            f"{API}/token", json={"login": self.login, "password": self.password}
        )
        assert answer.status_code == 200, answer.text
        self.access, self.refresh = answer.json()["access_token"], answer.json()["refresh_token"]

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(API + path, headers=self.headers())

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.http.post(API + path, json=body, headers=self.headers())

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.http.patch(API + path, json=body, headers=self.headers())

    async def delete(self, path: str) -> httpx.Response:
        return await self.http.delete(API + path, headers=self.headers())


def field_of(answer: httpx.Response) -> list[str | int]:
    """The `loc` a 422 names."""
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    return list(error["loc"])
