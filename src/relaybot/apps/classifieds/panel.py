"""The classifieds back office in the console: the moderation queue and every ad, approving a
waiting ad (posted and its author told, as a moderator's button does) and locking or unlocking
one, each audited."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, select

from relaybot import (
    N_,
    Address,
    BotConfig,
    OutgoingMessage,
    PanelAction,
    PanelActor,
    PanelColumn,
    PanelFilter,
    PanelQuery,
    PanelRefused,
    PanelRows,
    PanelSection,
    PanelTable,
    SessionMaker,
    Settings,
    audit,
    broadcast,
    panel_page,
    panel_row_id,
    translator,
)

from .ads import _after_post, _author_t
from .models import Ad
from .publish import publish

STATUSES = (
    ("draft", N_("draft")),
    ("pending", N_("waiting for a moderator")),
    ("posted", N_("posted")),
    ("sold", N_("sold")),
    ("discarded", N_("discarded")),
    ("rejected", N_("rejected")),
)
NOTICE_RATE = 30.0


def panel(settings: Settings, sessions: SessionMaker) -> PanelSection:
    def bot_of(name: str) -> BotConfig:
        found = settings.bot(name)
        return found or BotConfig(name=name, app="classifieds", channel="webchat")

    def fetcher(pending_only: bool):  # type: ignore[no-untyped-def]
        async def fetch(asked: PanelQuery) -> PanelRows:
            conditions: list[ColumnElement[bool]] = []
            if pending_only:
                conditions.append(Ad.status == "pending")
            elif "status" in asked.filters:
                conditions.append(Ad.status == asked.filters["status"])
            if "bot" in asked.filters:
                conditions.append(Ad.bot == asked.filters["bot"])
            if asked.bots is not None:
                conditions.append(Ad.bot.in_(asked.bots))
            sorts = {
                "id": Ad.id,
                "bot": Ad.bot,
                "status": Ad.status,
                "created_at": Ad.created_at,
                "updated_at": Ad.updated_at,
            }
            rows, total = await panel_page(sessions, select(Ad), conditions, asked, sorts, Ad.id)
            words = dict(STATUSES)
            return PanelRows(
                [
                    {
                        "id": ad.id,
                        "bot": ad.bot,
                        "kind": ad.kind_title,
                        "title": str(ad.answers.get("title", "")),
                        "author": ad.author_name,
                        "status": words.get(ad.status, ad.status),
                        "state": ad.status,
                        "locked": N_("yes") if ad.locked else N_("no"),
                        "is_locked": ad.locked,
                        "created_at": ad.created_at,
                        "updated_at": ad.updated_at,
                    }
                    for ad in rows
                ],
                total,
            )

        return fetch

    async def approve(key: str, _values: Mapping[str, str], who: PanelActor) -> str:
        number = panel_row_id(key)
        t = translator(who.locale)
        now = datetime.now(UTC)
        async with sessions() as session, session.begin():
            ad = await session.get(Ad, number, with_for_update=True) if number else None
            if ad is None or ad.status != "pending":
                raise PanelRefused(t(N_("That ad is not waiting for a decision any more.")))
            bot = bot_of(ad.bot)
            out: list[tuple[Address, OutgoingMessage]] = []
            await publish(session, ad, bot=bot, settings=settings, now=now, out=out)
            told = _author_t(ad)
            out.append(
                (
                    Address(ad.bot, ad.author_chat),
                    OutgoingMessage(
                        text=told(N_("Your ad #{id} is approved and posted."), id=ad.id),
                        buttons=tuple(tuple(row) for row in _after_post(told, ad)),
                    ),
                )
            )
            await broadcast(
                session,
                out,
                bots={bot.name: bot},
                rate=NOTICE_RATE,
                now=time.time(),
                key="classifieds:console",
            )
            await audit(
                session,
                actor=who.actor,
                channel="console",
                action="classifieds.approve",
                target=str(ad.id),
                bot=ad.bot,
            )
        return t(N_("Approved and posted."))

    def locker(lock: bool) -> PanelAction:
        async def change(key: str, _values: Mapping[str, str], who: PanelActor) -> str:
            number = panel_row_id(key)
            async with sessions() as session, session.begin():
                ad = await session.get(Ad, number, with_for_update=True) if number else None
                if ad is None:
                    raise PanelRefused(N_("There is no such ad."))
                before = ad.locked
                ad.locked = lock
                ad.updated_at = datetime.now(UTC)
                await audit(
                    session,
                    actor=who.actor,
                    channel="console",
                    action=f"classifieds.{'lock' if lock else 'unlock'}",
                    target=str(ad.id),
                    bot=ad.bot,
                    details={"before": {"locked": before}},
                )
            return N_("The ad is locked.") if lock else N_("The ad is unlocked.")

        return PanelAction(
            "lock" if lock else "unlock",
            N_("Lock") if lock else N_("Unlock"),
            change,
            applies=lambda row: bool(row["is_locked"]) != lock,
        )

    columns = (
        PanelColumn("id", N_("No."), kind="number"),
        PanelColumn("bot", N_("Bot")),
        PanelColumn("kind", N_("Kind"), sortable=False),
        PanelColumn("title", N_("Title"), sortable=False),
        PanelColumn("author", N_("Author"), sortable=False, person=True),
        PanelColumn("status", N_("Status"), kind="word"),
        PanelColumn("locked", N_("Locked"), sortable=False, kind="word"),
        PanelColumn("created_at", N_("Created"), kind="time"),
        PanelColumn("updated_at", N_("Changed"), kind="time"),
    )
    return PanelSection(
        app="classifieds",
        title=N_("Classifieds"),
        tables=(
            PanelTable(
                name="moderation",
                title=N_("Moderation queue"),
                columns=columns,
                fetch=fetcher(True),
                filters=(PanelFilter("bot", N_("Bot")),),
                actions=(
                    PanelAction("approve", N_("Approve"), approve),
                    locker(True),
                    locker(False),
                ),
                default_sort="id",
                bot_column="bot",
            ),
            PanelTable(
                name="ads",
                title=N_("Ads"),
                columns=columns,
                fetch=fetcher(False),
                filters=(
                    PanelFilter("status", N_("Status"), STATUSES),
                    PanelFilter("bot", N_("Bot")),
                ),
                actions=(locker(True), locker(False)),
                default_sort="id",
                bot_column="bot",
            ),
        ),
    )
