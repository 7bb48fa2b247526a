"""The help desk REST API: who may call it (401/403), clear 422s, and the admin's CRUD."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy import select

from relaybot.config import Settings
from relaybot.gateway.app import create_app
from relaybot.store import api_tokens
from relaybot.store.models import AuditEntry
from relaybot.testing import ChatDriver

from .conftest import Catalogue, add_catalogue, make_provider, user_id

ADMIN = "bootstrap-admin-token-for-tests-0123456789"


@pytest.fixture
async def desk(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> AsyncIterator[tuple[ChatDriver, httpx.AsyncClient]]:
    settings = make_settings(sqlite_url, admin_token=ADMIN)
    async with ChatDriver.running(settings) as driver:
        assert driver.system is not None
        app = create_app(driver.system)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
            yield driver, client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_without_a_valid_token_the_api_answers_401_and_reveals_nothing(
    desk: tuple[ChatDriver, httpx.AsyncClient],
) -> None:
    _driver, api = desk
    for headers in ({}, bearer("wrong"), {"Authorization": "Basic YWRtaW46YWRtaW4="}):
        response = await api.get("/api/helpdesk/demands", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "items" not in response.text
    created = await api.post("/api/helpdesk/places", json={"name": "Osh"}, headers=bearer("x"))
    assert created.status_code == 401
    listing = await api.get("/api/helpdesk/places", headers=bearer(ADMIN))
    assert listing.json() == []  # nothing was created by the refused call


async def test_a_token_of_the_wrong_role_gets_403_and_changes_nothing(
    desk: tuple[ChatDriver, httpx.AsyncClient],
) -> None:
    driver, api = desk
    _, readonly = await api_tokens.create(
        driver.sessions, name="dashboard", role="readonly", actor="test", channel="cli"
    )
    _, operator = await api_tokens.create(
        driver.sessions, name="coordinator", role="operator", actor="test", channel="cli"
    )
    assert (await api.get("/api/helpdesk/places", headers=bearer(readonly))).status_code == 200
    refused = await api.post("/api/helpdesk/places", json={"name": "Osh"}, headers=bearer(readonly))
    assert refused.status_code == 403 and "readonly" in refused.json()["detail"]
    assert (await api.get("/api/helpdesk/places", headers=bearer(readonly))).json() == []

    # An operator keeps the catalogue, but only an admin hands out roles.
    place = await api.post("/api/helpdesk/places", json={"name": "Osh"}, headers=bearer(operator))
    assert place.status_code == 201
    roles = await api.patch(
        "/api/helpdesk/users/1/roles", json={"admin": True}, headers=bearer(operator)
    )
    assert roles.status_code == 403


async def test_bad_input_gets_a_422_that_names_the_field(
    desk: tuple[ChatDriver, httpx.AsyncClient],
) -> None:
    _driver, api = desk
    auth = bearer(ADMIN)
    cases = [
        ("post", "/api/helpdesk/places", {"name": "   "}, ["body", "name"]),
        ("post", "/api/helpdesk/places", {"name": "x" * 101}, ["body", "name"]),
        ("post", "/api/helpdesk/places", {"description": "no name"}, ["body", "name"]),
        ("post", "/api/helpdesk/resources", {"name": 42}, ["body", "name"]),
        (
            "post",
            "/api/helpdesk/scenarios",
            {"place_id": "one", "resource_id": 1},
            ["body", "place_id"],
        ),
        (
            "post",
            "/api/helpdesk/scenarios",
            {"place_id": 0, "resource_id": 1},
            ["body", "place_id"],
        ),
        ("post", "/api/helpdesk/links", {"user_id": 1}, ["body", "scenario_id"]),
        ("get", "/api/helpdesk/demands?status=lost", None, ["query", "status"]),
        ("get", "/api/helpdesk/demands?limit=0", None, ["query", "limit"]),
        ("get", "/api/helpdesk/demands/abc", None, ["path", "demand_id"]),
        ("patch", "/api/helpdesk/users/1/roles", {"moderator": "maybe"}, ["body", "moderator"]),
    ]
    for method, url, body, location in cases:
        response = await api.request(method, url, json=body, headers=auth)
        assert response.status_code == 422, (url, body, response.text)
        assert location in [error["loc"] for error in response.json()["detail"]], (url, body)
    malformed = await api.post(
        "/api/helpdesk/places",
        content=b"{not json",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 422


async def test_an_admin_builds_the_catalogue_links_a_helper_and_reads_requests(
    desk: tuple[ChatDriver, httpx.AsyncClient],
) -> None:
    driver, api = desk
    auth = bearer(ADMIN)

    bishkek = (
        await api.post("/api/helpdesk/places", json={"name": " Bishkek "}, headers=auth)
    ).json()
    assert bishkek["name"] == "Bishkek"
    duplicate = await api.post("/api/helpdesk/places", json={"name": "bishkek"}, headers=auth)
    assert duplicate.status_code == 409 and "exists already" in duplicate.json()["detail"]
    food = (await api.post("/api/helpdesk/resources", json={"name": "Food"}, headers=auth)).json()
    renamed = await api.patch(
        f"/api/helpdesk/resources/{food['id']}", json={"description": "Parcels"}, headers=auth
    )
    assert renamed.json()["description"] == "Parcels"

    scenario = await api.post(
        "/api/helpdesk/scenarios",
        json={"place_id": bishkek["id"], "resource_id": food["id"], "description": "Parcels."},
        headers=auth,
    )
    assert scenario.status_code == 201
    sid = scenario.json()["id"]
    assert scenario.json()["title"] == "Bishkek / Food"
    again = await api.post(
        "/api/helpdesk/scenarios",
        json={"place_id": bishkek["id"], "resource_id": food["id"]},
        headers=auth,
    )
    assert again.status_code == 409
    missing = await api.post(
        "/api/helpdesk/scenarios", json={"place_id": 999, "resource_id": food["id"]}, headers=auth
    )
    assert missing.status_code == 404
    in_use = await api.delete(f"/api/helpdesk/places/{bishkek['id']}", headers=auth)
    assert in_use.status_code == 409 and "used by 1 scenario" in in_use.json()["detail"]

    # People appear once they write; the helper tells the admin their id from /id.
    asel, bakyt = driver.person("asel", bot="helpdesk"), driver.person("bakyt", bot="helpdesk")
    told = await bakyt.say("/id")
    bakyt_id = await user_id(driver.sessions, bakyt)
    assert f"Your help desk id: {bakyt_id}" in told[0].text
    link = await api.post(
        "/api/helpdesk/links", json={"user_id": bakyt_id, "scenario_id": sid}, headers=auth
    )
    assert link.status_code == 201
    relink = await api.post(
        "/api/helpdesk/links", json={"user_id": bakyt_id, "scenario_id": sid}, headers=auth
    )
    assert relink.status_code == 409
    user = (await api.get(f"/api/helpdesk/users/{bakyt_id}", headers=auth)).json()
    assert user["roles"] == ["requester", "provider"] and user["scenario_ids"] == [sid]
    helpers = (await api.get("/api/helpdesk/users?role=provider", headers=auth)).json()
    assert [u["id"] for u in helpers] == [bakyt_id]

    await asel.say("/new")
    await asel.press("Bishkek")
    await asel.press("Food")
    await asel.say("A parcel for a family of four.")
    await bakyt.say("/next")
    await asel.say("Thank you!")

    page = (await api.get("/api/helpdesk/demands?status=in_progress", headers=auth)).json()
    assert page["total"] == 1 and page["items"][0]["category"] == "Bishkek / Food"
    assert (await api.get("/api/helpdesk/demands?status=new", headers=auth)).json()["total"] == 0
    detail = (await api.get(f"/api/helpdesk/demands/{page['items'][0]['id']}", headers=auth)).json()
    assert [m["text"] for m in detail["messages"]] == [
        "A parcel for a family of four.",
        "Thank you!",
    ]
    assert [(p["role"], p["user_id"]) for p in detail["participants"]] == [
        ("requester", await user_id(driver.sessions, asel)),
        ("provider", bakyt_id),
    ]
    assert (await api.get("/api/helpdesk/demands/999", headers=auth)).status_code == 404
    busy = await api.delete(f"/api/helpdesk/scenarios/{sid}", headers=auth)
    assert busy.status_code == 409 and "deactivate" in busy.json()["detail"]
    hidden = await api.patch(f"/api/helpdesk/scenarios/{sid}", json={"active": False}, headers=auth)
    assert hidden.json()["active"] is False

    roles = await api.patch(
        f"/api/helpdesk/users/{bakyt_id}/roles", json={"moderator": True}, headers=auth
    )
    assert roles.json()["roles"] == ["requester", "moderator"]  # the only category is hidden
    unlinked = await api.delete(f"/api/helpdesk/links/{bakyt_id}/{sid}", headers=auth)
    assert unlinked.status_code == 204
    assert (
        await api.delete(f"/api/helpdesk/links/{bakyt_id}/{sid}", headers=auth)
    ).status_code == 404

    async with driver.sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.channel == "rest")
                .order_by(AuditEntry.id)
            )
        )
    assert actions == [
        "helpdesk.place.add",
        "helpdesk.resource.add",
        "helpdesk.resource.update",
        "helpdesk.scenario.add",
        "helpdesk.link",
        "helpdesk.scenario.update",
        "helpdesk.grant",
        "helpdesk.unlink",
    ]


async def test_the_openapi_document_describes_the_help_desk_routes_and_their_auth(
    desk: tuple[ChatDriver, httpx.AsyncClient],
) -> None:
    _driver, api = desk
    document = (await api.get("/api/openapi.json")).json()
    paths = document["paths"]
    for path in (
        "/api/helpdesk/places",
        "/api/helpdesk/resources/{item_id}",
        "/api/helpdesk/scenarios",
        "/api/helpdesk/links",
        "/api/helpdesk/users/{user_id}/roles",
        "/api/helpdesk/demands",
        "/api/helpdesk/demands/{demand_id}",
    ):
        assert path in paths, path
    listing = paths["/api/helpdesk/demands"]["get"]
    assert {"401", "403"} <= set(listing["responses"])
    assert listing["security"]
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


async def test_helpdesk_catalogue_fixture_works_with_the_api(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    """Data made through the services reads back the same through REST."""
    settings = make_settings(sqlite_url, admin_token=ADMIN)
    async with ChatDriver.running(settings) as driver:
        cat: Catalogue = await add_catalogue(driver.sessions)
        bakyt = driver.person("bakyt", bot="helpdesk")
        await bakyt.say("/start")
        await make_provider(driver.sessions, bakyt, cat.osh_food)
        assert driver.system is not None
        transport = httpx.ASGITransport(app=create_app(driver.system))
        async with httpx.AsyncClient(transport=transport, base_url="http://desk") as api:
            links = (await api.get("/api/helpdesk/links", headers=bearer(ADMIN))).json()
            scenarios = (await api.get("/api/helpdesk/scenarios", headers=bearer(ADMIN))).json()
    assert [link["scenario_id"] for link in links] == [cat.osh_food]
    assert [s["title"] for s in scenarios] == ["Bishkek / Food", "Bishkek / Medicine", "Osh / Food"]
