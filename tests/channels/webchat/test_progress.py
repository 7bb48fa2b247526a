"""A client can ask how far its message has gone, and so wait for exactly its answer: the
message is settled once the bot has handled it and its replies are in the history."""

from __future__ import annotations

from relaybot.testing import RelaybotServer, WebchatClient


async def test_a_message_is_settled_once_its_answers_are_in_the_history(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            answers = await chat.say("hello", msg_id="hello-settles")
            progress = await chat.http.get("/chat/api/orders/messages/hello-settles")
            history = await chat.history()
    assert [m["text"][:6] for m in answers] == ["Hello!", "Where "]
    assert progress.status_code == 200
    assert progress.json() == {
        "id": "hello-settles",
        "handled": True,
        "settled": True,
        "last_id": history[-1]["id"],
    }


async def test_a_message_not_yet_handled_is_neither_handled_nor_settled(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url), roles=("gateway",)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.post("hello", msg_id="waits-for-a-worker")
            progress = await chat.http.get("/chat/api/orders/messages/waits-for-a-worker")
    assert progress.json()["handled"] is False and progress.json()["settled"] is False


async def test_another_visitor_and_unknown_ids_learn_nothing(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url), roles=("gateway",)) as server:
        async with WebchatClient(server.url, "orders") as owner:
            await owner.post("hello", msg_id="owners-message")
            async with WebchatClient(server.url, "orders") as stranger:
                foreign = await stranger.http.get("/chat/api/orders/messages/owners-message")
            unknown = await owner.http.get("/chat/api/orders/messages/never-sent-this")
            malformed = await owner.http.get("/chat/api/orders/messages/bad")
            other_bot = await owner.http.get("/chat/api/nobot/messages/owners-message")
    assert foreign.status_code == 404
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "this chat sent no message with that id"}
    assert malformed.status_code == 422
    assert malformed.json()["detail"].startswith("the client id is too short")
    assert other_bot.status_code == 404
