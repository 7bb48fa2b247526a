"""The public board of an ad bot with no channel: `/board/{bot}`, its posts newest first.

In the embedded default there is no Telegram channel to post to, so the board is the
channel: each ad's latest post with its photos, sold ones marked, the page reloading itself
every few seconds. `/board/{bot}/posts` gives the same as JSON.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from relaybot import N_, BotConfig, SessionMaker, Settings

from .models import Ad, AdPost
from .publish import BOARD, channel_translator, render_post

APP = "classifieds"
REFRESH_SECONDS = 5
LIMIT = 100
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_SHOWN_SCHEMES = ("https://", "http://", "/")


class BoardPost(BaseModel):
    """One ad as the board shows it."""

    ad_id: int
    text: str = Field(max_length=8000)
    sold: bool
    photos: list[str] = Field(max_length=10)
    posted_at: str


class NoBoard(BaseModel):
    detail: str


def board_bots(settings: Settings) -> dict[str, BotConfig]:
    """The ad bots that post to their board (they have no `channel`)."""
    bots = {b.name: b for b in settings.bots if b.app == APP and not b.options.get("channel")}
    if settings.webchat_for_bundled_apps and settings.bot(APP) is None:
        bots[APP] = BotConfig(name=APP, app=APP, channel="webchat")
    return bots


async def _posts(sessions: SessionMaker, settings: Settings, bot_name: str) -> list[BoardPost]:
    bot = board_bots(settings).get(bot_name)
    if bot is None:
        raise HTTPException(404, f"there is no board called {bot_name!r}")
    latest = (
        select(AdPost.ad_id, func.max(AdPost.id).label("post_id"))
        .join(Ad, Ad.id == AdPost.ad_id)
        .where(Ad.bot == bot_name, AdPost.chat_id == BOARD, Ad.status.in_(("posted", "sold")))
        .group_by(AdPost.ad_id)
        .subquery()
    )
    async with sessions() as session:
        rows = await session.execute(
            select(Ad, AdPost)
            .join(latest, latest.c.ad_id == Ad.id)
            .join(AdPost, AdPost.id == latest.c.post_id)
            .order_by(AdPost.posted_at.desc(), AdPost.id.desc())
            .limit(LIMIT)
        )
        found = []
        for ad, post in rows:
            text, media = render_post(ad, bot, settings)
            found.append(
                BoardPost(
                    ad_id=ad.id,
                    text=text,
                    sold=ad.status == "sold",
                    photos=[m.ref for m in media],
                    posted_at=post.posted_at.isoformat(),
                )
            )
    return found


def build_board_router(settings: Settings, sessions: SessionMaker) -> APIRouter:
    router = APIRouter(tags=["classifieds board"])

    @router.get(
        "/board/{bot}/posts",
        response_model=list[BoardPost],
        responses={
            404: {"model": NoBoard, "description": "No ad bot posts to a board by that name."}
        },
        summary="The posts of an ad bot's board, newest first",
    )
    async def board_posts(bot: str) -> list[BoardPost]:
        return await _posts(sessions, settings, bot)

    @router.get("/board/{bot}", response_class=HTMLResponse, include_in_schema=False)
    async def board_page(bot: str) -> HTMLResponse:
        posts = await _posts(sessions, settings, bot)
        config = board_bots(settings)[bot]
        t = channel_translator(config, settings)
        page = _templates.get_template("board.html").render(
            lang=t.locale,
            title=t(N_("Ads of {bot}"), bot=config.title or bot),
            empty=t(N_("No ads yet.")),
            sold_label=t(N_("SOLD")),
            refresh=REFRESH_SECONDS,
            posts=[
                {
                    "ad_id": p.ad_id,
                    "text": p.text,
                    "sold": p.sold,
                    "images": [src for src in p.photos if src.startswith(_SHOWN_SCHEMES)],
                    "photo_count": len(p.photos),
                    "posted_at": p.posted_at,
                    "posted_at_shown": p.posted_at[:16].replace("T", " "),
                }
                for p in posts
            ],
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    return router
