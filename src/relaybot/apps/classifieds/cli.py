"""`relaybot classifieds ...`: the ads of the classifieds bots and what an operator does."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import delete, select

from relaybot import (
    Column,
    SessionMaker,
    Settings,
    audit,
    cli_actor,
    json_option,
    minute_cell,
    print_rows,
    settings_of,
    with_store,
)

from .demo import seed_kinds
from .models import AD_STATUSES, Ad, AdPost

APP = "classifieds"


@click.group()
def classifieds() -> None:
    """Ads placed with the classifieds bots."""


def classifieds_bots(settings: Settings) -> list[str]:
    """The bots that run the app: configured ones, and the bundled web chat bot."""
    names = [b.name for b in settings.bots if b.app == APP]
    if settings.webchat_for_bundled_apps and settings.bot(APP) is None:
        names.append(APP)
    return names


@classifieds.command("demo-data")
@click.option(
    "--bot", "bot_name", default=None, help="Only this bot (default: every classifieds bot)."
)
@click.option(
    "--locale",
    type=click.Choice(["ru", "en"]),
    default=None,
    help="Language of the sample kinds (default: the default locale).",
)
@click.pass_context
def demo_data(ctx: click.Context, bot_name: str | None, locale: str | None) -> None:
    """Add the sample ad kinds (car parts for sale, repair requests); twice adds nothing."""
    settings = settings_of(ctx)
    bots = classifieds_bots(settings)
    if bot_name is not None:
        if bot_name not in bots:
            raise click.ClickException(f"{bot_name!r} is not a bot of the classifieds app")
        bots = [bot_name]
    if not bots:
        raise click.ClickException("no bot runs the classifieds app")

    async def seed(sessions: SessionMaker) -> dict[str, int]:
        async with sessions() as session, session.begin():
            return {
                bot: await seed_kinds(session, bot=bot, locale=locale or settings.default_locale)
                for bot in bots
            }

    for bot, added in with_store(ctx, seed).items():
        if added:
            click.echo(f"{bot}: {added} sample ad kinds added")
        else:
            click.echo(f"{bot}: the sample ad kinds are already there; nothing was added")


COLUMNS = (
    Column("id", "NO.", right=True),
    Column("updated_at", "UPDATED (UTC)", cell=minute_cell("updated_at")),
    Column("bot", "BOT"),
    Column("kind", "KIND"),
    Column("status", "STATUS"),
    Column("locked", "LOCKED", cell=lambda row: "yes" if row["locked"] else ""),
    Column("posts", "POSTS", right=True),
    Column("title", "TITLE", width=50),
)


def _row(ad: Ad, posts: list[AdPost]) -> dict[str, Any]:
    return {
        "id": ad.id,
        "bot": ad.bot,
        "kind": ad.kind,
        "status": ad.status,
        "locked": ad.locked,
        "title": ad.answers.get("title") or ad.kind_title,
        "author_id": ad.author_id,
        "posts": len(posts),
        "created_at": ad.created_at.isoformat(),
        "updated_at": ad.updated_at.isoformat(),
        "posted_at": ad.posted_at.isoformat() if ad.posted_at else None,
    }


@classifieds.command("list")
@json_option
@click.option("--status", type=click.Choice(AD_STATUSES), default=None)
@click.option("--bot", "bot_name", default=None)
@click.option("--limit", default=50, show_default=True, help="Newest N ads.")
@click.pass_context
def list_ads(
    ctx: click.Context, as_json: bool, status: str | None, bot_name: str | None, limit: int
) -> None:
    """Ads, newest first."""

    async def fetch(sessions: SessionMaker) -> list[dict[str, Any]]:
        async with sessions() as session:
            query = select(Ad).order_by(Ad.id.desc()).limit(limit)
            if status:
                query = query.where(Ad.status == status)
            if bot_name:
                query = query.where(Ad.bot == bot_name)
            ads = list(await session.scalars(query))
            posts: dict[int, list[AdPost]] = {ad.id: [] for ad in ads}
            for post in await session.scalars(select(AdPost).where(AdPost.ad_id.in_(posts))):
                posts[post.ad_id].append(post)
            return [_row(ad, posts[ad.id]) for ad in ads]

    print_rows(with_store(ctx, fetch), COLUMNS, as_json=as_json, empty="no ads yet")


@classifieds.command("show")
@json_option
@click.argument("ad_id", type=int)
@click.pass_context
def show(ctx: click.Context, as_json: bool, ad_id: int) -> None:
    """One ad: its answers, feedback and every post with the channel's message ids."""

    async def fetch(sessions: SessionMaker) -> dict[str, Any] | None:
        async with sessions() as session:
            ad = await session.get(Ad, ad_id)
            if ad is None:
                return None
            posts = list(
                await session.scalars(
                    select(AdPost).where(AdPost.ad_id == ad_id).order_by(AdPost.id)
                )
            )
            return {
                **_row(ad, posts),
                "answers": ad.answers,
                "feedback": ad.feedback,
                "reject_reason": ad.reject_reason,
                "post_list": [
                    {
                        "id": p.id,
                        "chat_id": p.chat_id,
                        "message_ids": p.message_ids,
                        "posted_at": p.posted_at.isoformat(),
                    }
                    for p in posts
                ],
            }

    found = with_store(ctx, fetch)
    if found is None:
        raise click.ClickException(f"ad {ad_id} does not exist")
    if as_json:
        import json

        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"ad {found['id']} ({found['bot']}, {found['kind']}): {found['status']}"
        + (", locked" if found["locked"] else "")
    )
    for name, value in found["answers"].items():
        click.echo(f"  {name}: {value}")
    for note in found["feedback"]:
        click.echo(f"  update: {note}")
    for post in found["post_list"]:
        ids = ", ".join(post["message_ids"]) or "not delivered yet"
        click.echo(f"  post {post['id']} to {post['chat_id']} at {post['posted_at']}: {ids}")


def _change(ctx: click.Context, ad_id: int, action: str) -> str:
    async def change(sessions: SessionMaker) -> str | None:
        async with sessions() as session, session.begin():
            ad = await session.get(Ad, ad_id)
            if ad is None:
                return None
            before = {"status": ad.status, "locked": ad.locked}
            if action == "lock":
                ad.locked = True
            elif action == "unlock":
                ad.locked = False
            await audit(
                session,
                actor=cli_actor(),
                channel="cli",
                action=f"classifieds.{action}",
                target=str(ad_id),
                bot=ad.bot,
                details={"before": before, "title": ad.answers.get("title")},
            )
            if action == "delete":
                await session.execute(delete(AdPost).where(AdPost.ad_id == ad_id))
                await session.delete(ad)
            return ad.bot

    if with_store(ctx, change) is None:
        raise click.ClickException(f"ad {ad_id} does not exist")
    return {"lock": "locked", "unlock": "unlocked", "delete": "deleted"}[action]


@classifieds.command("lock")
@click.argument("ad_id", type=int)
@click.pass_context
def lock(ctx: click.Context, ad_id: int) -> None:
    """Close an ad against any change by its author (audited)."""
    click.echo(f"ad {ad_id} {_change(ctx, ad_id, 'lock')}")


@classifieds.command("unlock")
@click.argument("ad_id", type=int)
@click.pass_context
def unlock(ctx: click.Context, ad_id: int) -> None:
    """Let the author change an ad again (audited)."""
    click.echo(f"ad {ad_id} {_change(ctx, ad_id, 'unlock')}")


@classifieds.command("delete")
@click.argument("ad_id", type=int)
@click.pass_context
def delete_ad(ctx: click.Context, ad_id: int) -> None:
    """Delete an ad and its posts' records (audited); channel posts stay where they are."""
    click.echo(f"ad {ad_id} {_change(ctx, ad_id, 'delete')}")
