"""Visitors attach photos and files: checked by their content, kept under the data folder,
served only to the chats they belong to, with their real type; a Photo step takes them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from relaybot.testing import RelaybotServer, WebchatClient
from tests.channels.webchat.pictures import EXE, HTML, PDF, png

PHOTO_BACK = {"name": "photoback", "app": "tests.channels.apps:PhotoBackApp", "channel": "webchat"}


async def upload(chat: WebchatClient, content: bytes, name: str) -> httpx.Response:
    return await chat.http.post(
        f"/chat/api/{chat.bot}/files",
        params={"name": name},
        content=content,
        headers={"Origin": chat.base_url, "Content-Type": "image/png"},
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_a_photo_sent_in_the_web_chat_reaches_a_photo_step_and_comes_back(
    make_settings, sqlite_url, tmp_path
):
    settings = make_settings(sqlite_url, bots=[PHOTO_BACK], webchat_files_dir=tmp_path / "files")
    picture = png()
    async with RelaybotServer(settings) as server:
        async with WebchatClient(server.url, "photoback") as chat:
            assert "Send me a photo" in (await chat.say("hello"))[-1]["text"]
            kept = await upload(chat, picture, "../../bottle.PNG")
            assert kept.status_code == 201
            file = kept.json()
            assert file["kind"] == "photo" and file["mime_type"] == "image/png"
            assert file["name"] == "bottle.png" and file["size"] == len(picture)

            back = await chat.say("my bottle", files=[file["id"]], msg_id="photo-message-1")
            history = await chat.history()
            served = await chat.http.get(file["url"])
    mine = next(m for m in history if m.get("client_id") == "photo-message-1")
    assert mine["media"][0]["url"] == file["url"] and mine["media"][0]["caption"] == "my bottle"
    (answer,) = back
    assert answer["text"] == "Here is your photo back."
    assert answer["media"][0]["url"] == file["url"], "the bot's own media shows in the chat"
    assert served.status_code == 200 and served.content == picture
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline")
    (on_disk,) = stored_files(tmp_path / "files")
    assert on_disk.read_bytes() == picture and on_disk.suffix == ""
    assert on_disk.stat().st_mode & 0o111 == 0, "never executable"


async def test_a_document_is_offered_for_download_never_shown_inline(
    make_settings, sqlite_url, tmp_path
):
    settings = make_settings(sqlite_url, webchat_files_dir=tmp_path / "files")
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with WebchatClient(server.url, "helpdesk") as chat:
            kept = (await upload(chat, PDF, "prescription.pdf")).json()
            served = await chat.http.get(kept["url"])
    assert kept["kind"] == "document" and kept["mime_type"] == "application/pdf"
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("attachment")
    assert 'filename="prescription.pdf"' in served.headers["content-disposition"]


@pytest.mark.parametrize(
    ("content", "name"),
    [(EXE, "photo.png"), (HTML, "photo.png"), (b"just some text", "notes.txt")],
    ids=["exe-called-png", "html-called-png", "plain-text"],
)
async def test_a_file_whose_content_is_not_a_photo_or_pdf_is_refused(
    make_settings, sqlite_url, tmp_path, content, name
):
    settings = make_settings(sqlite_url, webchat_files_dir=tmp_path / "files")
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with WebchatClient(server.url, "helpdesk") as chat:
            refused = await upload(chat, content, name)
    assert refused.status_code == 415
    assert refused.json()["detail"] == (
        "this file is not one the chat accepts: "
        "only JPEG, PNG, GIF or WebP photos and PDF documents"
    )
    assert stored_files(tmp_path / "files") == [], "nothing of it was kept"


async def test_a_file_over_the_size_setting_is_refused(make_settings, sqlite_url, tmp_path):
    settings = make_settings(
        sqlite_url, webchat_files_dir=tmp_path / "files", webchat_file_max_bytes=2000
    )
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with WebchatClient(server.url, "helpdesk") as chat:
            fits = await upload(chat, png(padding=1000), "small.png")
            too_big = await upload(chat, png(padding=3000), "big.png")
            empty = await upload(chat, b"", "empty.png")
    assert fits.status_code == 201
    assert too_big.status_code == 413 and "too large" in too_big.json()["detail"]
    assert empty.status_code == 422 and empty.json()["detail"] == "the file is empty"
    assert len(stored_files(tmp_path / "files")) == 1


async def test_a_chat_keeps_at_most_the_files_its_setting_allows(
    make_settings, sqlite_url, tmp_path
):
    settings = make_settings(
        sqlite_url, webchat_files_dir=tmp_path / "files", webchat_files_per_chat=2
    )
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with WebchatClient(server.url, "helpdesk") as chat:
            answers = [await upload(chat, png(), f"photo{n}.png") for n in range(3)]
            eleven = await chat.http.post(
                "/chat/api/helpdesk/messages",
                json={"id": "too-many-files", "files": ["x" * 20] * 11},
                headers={"Origin": chat.base_url},
            )
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["detail"] == "this chat already has 2 files, the most it may keep"
    assert eleven.status_code == 422, "at most ten files in one message"


async def test_another_visitor_can_neither_read_nor_send_a_file(
    make_settings, sqlite_url, tmp_path
):
    settings = make_settings(sqlite_url, webchat_files_dir=tmp_path / "files")
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with WebchatClient(server.url, "helpdesk") as owner:
            kept = (await upload(owner, png(), "mine.png")).json()
            async with WebchatClient(server.url, "helpdesk") as stranger:
                read = await stranger.http.get(kept["url"])
                forged = await stranger.http.post(
                    "/chat/api/helpdesk/messages",
                    json={"id": "forged-file-1", "text": "look", "files": [kept["id"]]},
                    headers={"Origin": stranger.base_url},
                )
            async with httpx.AsyncClient(base_url=server.url) as anonymous:
                no_session = await anonymous.get(kept["url"])
            unknown = await owner.http.get("/chat/api/files/not-a-file-id-at-all")
            other_bot = await owner.http.post(
                "/chat/api/orders/messages",
                json={"id": "wrong-bot-file", "text": "look", "files": [kept["id"]]},
                headers={"Origin": owner.base_url},
            )
    assert read.status_code == 404 and read.json() == {"detail": "no such file in your chats"}
    assert forged.status_code == 422
    assert forged.json() == {"detail": "a file of the message was not sent to this chat"}
    assert no_session.status_code == 403
    assert unknown.status_code == 404
    assert other_bot.status_code == 422, "a file is sent with the bot it was uploaded to"


async def test_a_photo_larger_than_a_json_body_and_full_of_brackets_is_still_a_photo(
    make_settings, sqlite_url, tmp_path
):
    """A file's body is bounded by the files' setting and never read as JSON."""
    settings = make_settings(sqlite_url, webchat_files_dir=tmp_path / "files", max_body_bytes=4096)
    bracketed = png(padding=0)[:-12] + b"[" * 20_000 + png()[-12:]
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with WebchatClient(server.url, "helpdesk") as chat:
            kept = await upload(chat, bracketed, "brackets.png")
    assert kept.status_code == 201 and kept.json()["size"] == len(bracketed)
