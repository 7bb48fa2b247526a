"""The order story over Mattermost: a slash command starts it and one dialog fills it in."""

from __future__ import annotations

import httpx

from relaybot.testing import RelaybotServer
from tests.channels.helpers import orders_in, stored_updates

BOT_TOKEN = "mm-bot-personal-access-token"
COMMAND_TOKEN = "mm-slash-command-token"
OUTGOING_TOKEN = "mm-outgoing-token"


def mattermost_bot(standin) -> dict:
    standin.add_bot(BOT_TOKEN, username="water-bot")
    return {
        "name": "water",
        "app": "orders",
        "channel": "mattermost",
        "token": BOT_TOKEN,
        "webhook_secret": COMMAND_TOKEN,
        "api_base": standin.url,
        "options": {"outgoing_token": OUTGOING_TOKEN},
    }


def wire(standin, server) -> None:
    standin.add_command(
        "order", url=f"{server.url}/webhook/mattermost/water/command", token=COMMAND_TOKEN
    )


def texts(posts) -> str:
    return "\n".join(p.message for p in posts)


async def test_a_slash_command_opens_one_form_that_places_the_order(
    make_settings, database_url, mattermost
):
    settings = make_settings(database_url, bots=[mattermost_bot(mattermost)])
    async with RelaybotServer(settings) as server:
        wire(mattermost, server)
        aida = mattermost.user("aida")
        ack = await aida.run_command("/order")
        assert ack.status_code == 200
        assert ack.json()["response_type"] == "ephemeral" and ack.json()["text"]

        opened = await aida.wait_for_dialog()
        fields = {e["name"]: e for e in opened.dialog["elements"]}
        assert list(fields) == ["address", "phone", "bottles"]
        assert fields["bottles"]["placeholder"].startswith("1, 2, 3")
        assert len(opened.dialog["title"]) <= 24
        await mattermost.wait_until(lambda: bool(aida.buttons()))
        assert "Fill in as a form" in aida.buttons() or "Заполнить форму" in aida.buttons()

        summary = await aida.submit(
            {"address": "Bishkek, Chui avenue 120, apt 5", "phone": "0555 123 456", "bottles": "3"}
        )
        body = texts(summary)
        assert "Bishkek, Chui avenue 120, apt 5" in body and "+996555123456" in body
        done = await aida.press(aida.buttons()[0])  # Yes / Да
        assert "1" in texts(done)
    orders = await orders_in(server)
    assert [(o.client_phone, o.bottles_count, o.source, o.client_id) for o in orders] == [
        ("+996555123456", 3, "mattermost", aida.id)
    ]
    auth = {c.headers["authorization"] for c in mattermost.calls if c.path.startswith("/api/")}
    assert auth == {f"Bearer {BOT_TOKEN}"}


async def test_a_form_with_a_wrong_field_is_answered_clearly_and_reopened_filled_in(
    make_settings, sqlite_url, mattermost
):
    settings = make_settings(sqlite_url, bots=[mattermost_bot(mattermost)], default_locale="en")
    async with RelaybotServer(settings) as server:
        wire(mattermost, server)
        aida = mattermost.user("aida")
        await aida.run_command("/order")
        await aida.wait_for_dialog()
        await mattermost.wait_until(lambda: bool(aida.buttons()))
        reply = await aida.submit(
            {"address": "Osh, Lenina 1", "phone": "12345", "bottles": "70"}, expect=2
        )
        assert reply[0].message.startswith("Please correct these answers:")
        assert "Phone: This does not look like a phone number" in reply[0].message
        assert "Bottles: We deliver from 1 to 50 bottles" in reply[0].message
        assert "phone number" in reply[-1].message, "then the first wrong question again"

        await aida.press("Fill in as a form", expect=0)
        reopened = await aida.wait_for_dialog()
        defaults = {e["name"]: e.get("default") for e in reopened.dialog["elements"]}
        assert defaults == {"address": "Osh, Lenina 1", "phone": "12345", "bottles": "70"}

        summary = await aida.submit(
            {"address": "Osh, Lenina 1", "phone": "+996 555 123456", "bottles": "2"}
        )
        assert "2 × 19 l" in texts(summary)
        assert "Yes" in aida.buttons()
        done = await aida.press("Yes")
        assert "order No. 1 is accepted" in texts(done)
    assert [(o.delivery_address, o.bottles_count) for o in await orders_in(server)] == [
        ("Osh, Lenina 1", 2)
    ]


async def test_the_flow_also_goes_step_by_step_with_buttons_when_the_form_is_closed(
    make_settings, sqlite_url, mattermost
):
    settings = make_settings(sqlite_url, bots=[mattermost_bot(mattermost)], default_locale="en")
    async with RelaybotServer(settings) as server:
        wire(mattermost, server)
        aida = mattermost.user("aida")
        await aida.run_command("/order")
        await aida.wait_for_dialog()
        await mattermost.wait_until(lambda: bool(aida.buttons()))
        cancelled = await aida.press("Cancel")
        assert "Cancelled" in texts(cancelled)
        assert await orders_in(server) == []


async def test_mattermost_doors_refuse_wrong_tokens_forged_contexts_and_other_peoples_buttons(
    make_settings, sqlite_url, mattermost
):
    settings = make_settings(sqlite_url, bots=[mattermost_bot(mattermost)], default_locale="en")
    async with RelaybotServer(settings) as server:
        wire(mattermost, server)
        aida, boris = mattermost.user("aida"), mattermost.user("boris")
        assert (await aida.run_command("/order", token="wrong")).status_code == 401
        assert (await aida.run_command("/order", token="")).status_code == 401
        assert await stored_updates(server) == 0

        await aida.run_command("/order")
        await aida.wait_for_dialog()
        await mattermost.wait_until(lambda: bool(aida.buttons()))
        post = aida.messages[-1]
        cancel = next(a for a in post.actions if a["name"] == "Cancel")
        url = cancel["integration"]["url"]
        async with httpx.AsyncClient() as http:
            as_boris = {
                "user_id": boris.id,
                "channel_id": post.channel_id,
                "post_id": post.id,
                "trigger_id": "t",
                "context": cancel["integration"]["context"],
            }
            assert (await http.post(url, json=as_boris)).status_code == 403
            forged = {**as_boris, "user_id": aida.id, "context": {"token": "e30.forged"}}
            assert (await http.post(url, json=forged)).status_code == 401
            dialog_url = f"{server.url}/webhook/mattermost/water/dialog"
            fake_state = {
                "type": "dialog_submission",
                "state": "x.y",
                "user_id": aida.id,
                "submission": {"address": "x"},
            }
            assert (await http.post(dialog_url, json=fake_state)).status_code == 401
            assert (await http.post(dialog_url, content=b"{broken")).status_code == 400
            unknown = await http.post(f"{server.url}/webhook/mattermost/water/elsewhere", json={})
            assert unknown.status_code == 404
        assert await stored_updates(server) == 1, "only the good slash command"


async def test_a_message_in_a_channel_with_an_outgoing_webhook_is_answered_there(
    make_settings, sqlite_url, mattermost
):
    settings = make_settings(sqlite_url, bots=[mattermost_bot(mattermost)], default_locale="en")
    async with RelaybotServer(settings) as server:
        sales = mattermost.add_channel("sales")
        mattermost.add_outgoing_webhook(
            sales,
            url=f"{server.url}/webhook/mattermost/water/outgoing",
            token=OUTGOING_TOKEN,
            trigger_words=("#water",),
        )
        aida = mattermost.user("aida")
        answers = await aida.post_in_channel(sales, "#water hello")
        assert [a.status_code for a in answers] == [200]
        await mattermost.wait_until(lambda: len(mattermost.posts_in(sales)) >= 2)
        assert "19-litre" in mattermost.posts_in(sales)[0].message
        mattermost.outgoing[0].token = "stolen"
        refused = await aida.post_in_channel(sales, "#water again")
        assert [a.status_code for a in refused] == [401]
