"""`/api/bots`: an integrator adds, changes and removes bots over REST while relaybot serves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from relaybot.config import BotConfig
from relaybot.store import api_tokens
from relaybot.testing import RelaybotServer, TelegramStandin, WebchatClient

ADMIN = "bootstrap-admin-token-for-bots-0123456789"
TOKEN = "700100200:AAH-rest-bot-token-abcdefghijklmnop"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def server(make_settings: Any, sqlite_url: str) -> Any:
    desk = BotConfig(name="desk", app="helpdesk", channel="webchat")
    settings = make_settings(sqlite_url, admin_token=ADMIN, bots=[desk])
    async with RelaybotServer(settings) as running:
        yield running


async def test_a_web_chat_bot_added_over_rest_answers_at_once(server):
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(ADMIN)) as http:
        created = await http.post(
            "/api/bots", json={"name": "kiosk", "app": "orders", "title": "Kiosk"}
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["bot"]["name"] == "kiosk" and body["bot"]["source"] == "database"
        assert body["bot"]["changed_by"] == "token:bootstrap" and body["notes"] == []

        async with WebchatClient(server.url, "kiosk") as chat:
            greeting = await chat.say("hello", expect=2)
        assert greeting

        names = {b["name"]: b["source"] for b in (await http.get("/api/bots")).json()}
        assert names == {
            "booking": "bundled",
            "classifieds": "bundled",
            "classifieds-filter": "bundled",
            "desk": "relaybot.toml",
            "helpdesk": "bundled",
            "kiosk": "database",
            "orders": "bundled",
            "reminders": "bundled",
        }
        disabled = await http.post("/api/bots/kiosk/disable")
        assert disabled.status_code == 200 and disabled.json()["bot"]["enabled"] is False
        async with httpx.AsyncClient(base_url=server.url) as anonymous:
            session = await anonymous.post("/api/webchat/kiosk/sessions", json={})
        assert session.status_code == 404
        removed = await http.delete("/api/bots/kiosk")
        assert removed.status_code == 200 and removed.json() == {"notes": []}
        assert (await http.get("/api/bots/kiosk")).status_code == 404


async def test_only_admin_tokens_change_bots_and_readers_see_them_masked(server):
    assert server.system is not None
    _info, reader = await api_tokens.create(
        server.system.sessions, name="dashboard", role="readonly", actor="test", channel="cli"
    )
    # The first Telegram bot of a process loads Telegram's library: seconds on a busy machine.
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        assert (await http.get("/api/bots")).status_code == 401
        wrong = await http.get("/api/bots", headers=bearer("rbt_not-a-token"))
        assert wrong.status_code == 401
        assert (await http.get("/api/bots", headers=bearer(reader))).status_code == 200
        refused = await http.post(
            "/api/bots", json={"name": "x", "app": "orders"}, headers=bearer(reader)
        )
        assert refused.status_code == 403
        added = await http.post(
            "/api/bots",
            json={
                "name": "tg",
                "app": "orders",
                "channel": "telegram",
                "mode": "polling",
                "token": TOKEN,
                "api_base": "http://127.0.0.1:9",
            },
            headers=bearer(ADMIN),
        )
        assert added.status_code == 201, added.text
        shown = await http.get("/api/bots/tg", headers=bearer(reader))
    assert shown.json()["token"] == "700100200:***"
    assert TOKEN not in added.text and TOKEN not in shown.text


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        ({"channel": "telegram", "token": "12:ab"}, ["body", "token"], "not a Telegram token"),
        ({"app": "nope"}, ["body", "app"], "unknown app 'nope'"),
        ({"app": "..relative:Nope"}, ["body", "app"], "unknown app"),
        (
            {"channel": "mattermost", "token": "mm-token-0123", "webhook_secret": "slash-token"},
            ["body", "api_base"],
            "Mattermost server's URL",
        ),
        ({"channel": "chat2desk", "token": "c2d-token-0123"}, ["body", "webhook_secret"], ""),
        ({"name": "no spaces"}, ["body", "name"], ""),
        ({"colour": "red"}, ["body", "colour"], ""),
        ({"enabled": "yes"}, ["body", "enabled"], ""),
        ({"channel": "pigeon"}, ["body", "channel"], ""),
        (
            {"options": {"per_bot_burst": 0}, "channel": "telegram", "token": TOKEN},
            ["body", "options", "per_bot_burst"],
            "greater than or equal to 1",
        ),
    ],
)
async def test_a_bot_that_would_not_work_is_refused_naming_the_field(server, body, loc, message):
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(ADMIN)) as http:
        with capture_logs() as logs:
            refused = await http.post("/api/bots", json={"name": "newbot", "app": "orders", **body})
        listing = (await http.get("/api/bots")).json()
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["detail"]
    assert error["loc"] == loc and message in error["msg"]
    assert "newbot" not in {b["name"] for b in listing}
    assert TOKEN not in refused.text and TOKEN not in repr(logs)


async def test_taken_names_and_relaybot_toml_bots_are_conflicts(server):
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(ADMIN)) as http:
        assert (
            await http.post("/api/bots", json={"name": "a", "app": "orders"})
        ).status_code == 201
        again = await http.post("/api/bots", json={"name": "a", "app": "helpdesk"})
        assert again.status_code == 409 and "exists already" in again.json()["detail"]
        toml = await http.post("/api/bots", json={"name": "desk", "app": "orders"})
        assert toml.status_code == 409 and "relaybot.toml" in toml.json()["detail"]
        change = await http.patch("/api/bots/desk", json={"title": "Desk"})
        assert change.status_code == 409
        assert (await http.delete("/api/bots/desk")).status_code == 409
        assert (await http.get("/api/bots/desk")).json()["source"] == "relaybot.toml"
        assert (await http.patch("/api/bots/zzz", json={"title": "Z"})).status_code == 404
        assert (await http.post("/api/bots/zzz/enable")).status_code == 404
        assert (await http.get("/api/bots/bad%20name")).status_code == 422
        changed = await http.patch("/api/bots/a", json={"title": "Shop A", "options": {"k": 1}})
        assert changed.status_code == 200 and changed.json()["bot"]["title"] == "Shop A"
        assert (
            changed.json()["bot"]["options"] == {"k": 1} and changed.json()["bot"]["revision"] == 2
        )
        dropped = await http.patch("/api/bots/a", json={"remove_options": ["k", "missing"]})
        assert dropped.status_code == 200 and dropped.json()["bot"]["options"] == {}
        assert "option 'missing' was not set" in dropped.json()["notes"]
        tokened = await http.patch("/api/bots/a", json={"token": "a-token-for-a-web-chat"})
        assert tokened.status_code == 409 and "token" in tokened.json()["detail"]
        renamed = await http.patch("/api/bots/a", json={"name": "b"})
        assert renamed.status_code == 422


async def test_telegram_is_pointed_at_relaybot_on_add_and_let_go_on_remove(
    make_settings, sqlite_url
):
    async with TelegramStandin() as telegram:
        settings = make_settings(
            sqlite_url, admin_token=ADMIN, public_url="https://bots.example.com"
        )
        async with (
            RelaybotServer(settings) as server,
            httpx.AsyncClient(base_url=server.url, headers=bearer(ADMIN)) as http,
        ):
            added = await http.post(
                "/api/bots",
                json={
                    "name": "shop",
                    "app": "orders",
                    "channel": "telegram",
                    "token": TOKEN,
                    "api_base": telegram.url,
                },
            )
            assert added.status_code == 201, added.text
            state = telegram.bot(TOKEN)
            assert state.webhook_url == "https://bots.example.com/webhook/telegram/shop"
            assert state.webhook_secret is not None and len(state.webhook_secret) >= 32
            assert added.json()["notes"] == [
                "a webhook secret was generated for this bot",
                "Telegram delivers to https://bots.example.com/webhook/telegram/shop",
            ]
            checked = await http.post("/api/bots/shop/check")
            assert checked.json() == {
                "ok": True,
                "message": "Telegram knows this bot: @relay700100200_bot (id 700100200); "
                "webhook https://bots.example.com/webhook/telegram/shop",
            }
            removed = await http.delete("/api/bots/shop")
            assert removed.json() == {
                "notes": ["Telegram no longer delivers to relaybot's webhook"]
            }
            assert state.webhook_url is None
            metrics = (await http.get("/metrics")).text
        assert TOKEN not in metrics and TOKEN not in added.text and TOKEN not in checked.text
        assert state.webhook_secret is None


async def test_openapi_lists_every_status_of_every_bots_route(server):
    async with httpx.AsyncClient(base_url=server.url) as http:
        schema = (await http.get("/api/openapi.json")).json()
    expected = {
        ("get", "/api/bots"): {"200", "401", "403", "422", "429", "503"},
        # 400 and 413: the body layers in front of every route that takes a body
        ("post", "/api/bots"): {"201", "400", "401", "403", "409", "413", "422", "429", "503"},
        ("get", "/api/bots/{name}"): {"200", "401", "403", "404", "422", "429", "503"},
        ("patch", "/api/bots/{name}"): {
            "200",
            "400",
            "401",
            "403",
            "404",
            "409",
            "413",
            "422",
            "429",
            "503",
        },
        ("delete", "/api/bots/{name}"): {"200", "401", "403", "404", "409", "422", "429", "503"},
        ("post", "/api/bots/{name}/enable"): {
            "200",
            "401",
            "403",
            "404",
            "409",
            "422",
            "429",
            "503",
        },
        ("post", "/api/bots/{name}/disable"): {
            "200",
            "401",
            "403",
            "404",
            "409",
            "422",
            "429",
            "503",
        },
        ("post", "/api/bots/{name}/check"): {"200", "401", "403", "404", "422", "429", "503"},
    }
    for (method, path), statuses in expected.items():
        responses = schema["paths"][path][method]["responses"]
        assert set(responses) == statuses, (method, path)
        for status, response in responses.items():
            assert "application/json" in response["content"], (method, path, status)
    body = schema["paths"]["/api/bots"]["post"]["requestBody"]
    assert body["required"] is True
    shapes = {
        shape["properties"]["channel"]["const"]: shape
        for shape in body["content"]["application/json"]["schema"]["oneOf"]
    }
    assert set(shapes) == {"webchat", "telegram", "mattermost", "chat2desk"}
    assert all(shape["additionalProperties"] is False for shape in shapes.values())
    assert shapes["webchat"]["properties"]["name"]["pattern"] == "^[A-Za-z0-9_-]{1,64}$"
    assert "token" not in shapes["webchat"]["properties"]
    assert shapes["telegram"]["properties"]["token"]["pattern"].startswith("^[0-9]{3,20}:")
    assert {"token", "api_base", "webhook_secret"} <= set(shapes["mattermost"]["required"])
    assert shapes["telegram"]["properties"]["options"]["properties"]["per_bot_burst"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 10000,
        "default": 3,
        "title": "Per Bot Burst",
    }
    assert "orders" in shapes["chat2desk"]["properties"]["app"]["enum"]
    invalid = schema["components"]["schemas"]["Invalid"]
    assert invalid["properties"]["detail"]["items"]["$ref"].endswith("FieldError")


async def test_an_admin_token_names_only_the_apps_the_operator_allowed(make_settings, sqlite_url):
    own = "relaybot.testing.counting:CountingApp"
    settings = make_settings(sqlite_url, admin_token=ADMIN, api_apps=[own])
    async with (
        RelaybotServer(settings) as running,
        httpx.AsyncClient(base_url=running.url, headers=bearer(ADMIN)) as http,
    ):
        allowed = await http.post("/api/bots", json={"name": "counter", "app": own})
        other = await http.post(
            "/api/bots", json={"name": "other", "app": "relaybot.testing.counting:Other"}
        )
        schema = (await http.get("/api/openapi.json")).json()
    assert allowed.status_code == 201, allowed.text
    assert other.status_code == 422 and other.json()["detail"][0]["loc"] == ["body", "app"]
    shapes = schema["paths"]["/api/bots"]["post"]["requestBody"]["content"]["application/json"]
    assert own in shapes["schema"]["oneOf"][0]["properties"]["app"]["enum"]
