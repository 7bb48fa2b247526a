"""The embedded default: no token, so the ad bot's channel is its board page `/board/{bot}`,
and the web chat talks to both bots."""

from __future__ import annotations

import httpx
import pytest

from relaybot.apps.classifieds.demo import seed_kinds
from relaybot.testing import RelaybotServer, WebchatClient
from tests.browser.conftest import browser  # noqa: F401 - the fixture


async def place_repair_request(server: RelaybotServer) -> WebchatClient:
    client = WebchatClient(server.url, "classifieds")
    await client.__aenter__()
    await client.say("/start")
    await client.press("Repair request")
    await client.press("Electrics")
    await client.say("Headlights do not turn on")
    await client.say("Both headlights went dark yesterday, the fuses look fine.")
    await client.press("Osh")
    preview = await client.say("0555 123 456", expect=2)
    assert "Contact: +996555123456" in preview[0]["text"]
    posted = await client.press("Post")
    assert "is in the channel" in posted[-1]["text"]
    return client


async def seeded(server: RelaybotServer) -> None:
    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        await seed_kinds(session, bot="classifieds", locale="en")


async def test_the_board_lists_the_post_and_a_subscriber_hears_of_it(make_settings, sqlite_url):
    server = RelaybotServer(make_settings(sqlite_url, default_locale="en"))
    server.settings = server.settings.model_copy(update={"public_url": server.url})
    async with server:
        await seeded(server)
        async with WebchatClient(server.url, "classifieds-filter") as subscriber:
            await subscriber.say("/start")
            await subscriber.press("New filter")
            await subscriber.press("Repair request")
            await subscriber.press("Electrics")
            await subscriber.press("Any price")
            await subscriber.press("Anywhere")
            await subscriber.press("Skip")
            await subscriber.press("30 days")
            done = await subscriber.press("Yes")
            assert "Filter #1 is on until" in done[-1]["text"]

            client = await place_repair_request(server)
            try:
                await subscriber.replies(len(subscriber.received), expect=0)
                texts = [m["text"] for m in subscriber.received]
                assert any(
                    "New ad for your filter #1" in t and f"{server.url}/board/classifieds" in t
                    for t in texts
                ), texts
                async with httpx.AsyncClient(base_url=server.url) as http:
                    listed = (await http.get("/board/classifieds/posts")).json()
                    assert [(p["ad_id"], p["sold"]) for p in listed] == [(1, False)]
                    assert "Headlights do not turn on" in listed[0]["text"]
                    missing = await http.get("/board/nobody/posts")
                    assert missing.status_code == 404
                    assert missing.json() == {"detail": "there is no board called 'nobody'"}
                    schema = (await http.get("/api/openapi.json")).json()
                    route = schema["paths"]["/board/{bot}/posts"]["get"]
                    assert {"200", "404"} <= set(route["responses"])
                await client.press("Mark sold")
                async with httpx.AsyncClient(base_url=server.url) as http:
                    listed = (await http.get("/board/classifieds/posts")).json()
                assert [(p["ad_id"], p["sold"]) for p in listed] == [(1, True)]
            finally:
                await client.__aexit__(None, None, None)


@pytest.mark.browser
async def test_the_board_page_in_chromium_shows_the_post_then_marks_it_sold(
    make_settings,
    sqlite_url,
    browser,  # noqa: F811
):
    settings = make_settings(sqlite_url, default_locale="en")
    async with RelaybotServer(settings) as server:
        await seeded(server)
        client = await place_repair_request(server)
        try:
            page = await browser.new_page()
            await page.goto(f"{server.url}/board/classifieds")
            article = page.locator("article#ad1")
            assert "Headlights do not turn on" in await article.inner_text()
            assert await page.locator(".sold-mark").count() == 0
            await client.press("Mark sold")
            await page.wait_for_selector("article#ad1.sold .sold-mark", timeout=15_000)
            assert "SOLD" in await page.locator("article#ad1 .sold-mark").inner_text()
            missing = await page.goto(f"{server.url}/board/nobody")
            assert missing is not None and missing.status == 404
        finally:
            await client.__aexit__(None, None, None)
