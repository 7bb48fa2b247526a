"""The console's tables of the pipeline itself: dead letters, chats, the audit log."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import ColumnElement, select

from relaybot.core.i18n import N_
from relaybot.core.panel import (
    PanelAction,
    PanelActor,
    PanelColumn,
    PanelFilter,
    PanelQuery,
    PanelRefused,
    PanelRows,
    PanelTable,
)
from relaybot.store import dlq as dlq_store
from relaybot.store.db import SessionMaker
from relaybot.store.models import AuditEntry, Chat, DeadLetter
from relaybot.store.panel_query import panel_page

MAX_IDS = 500


def parse_ids(keys: str) -> list[int]:
    ids = [part for part in keys.split(",") if part]
    if not ids or len(ids) > MAX_IDS or not all(p.isdigit() and len(p) < 19 for p in ids):
        raise PanelRefused(N_("Choose the rows by their numbers."))
    return [int(p) for p in ids]


def dead_letters(sessions: SessionMaker) -> PanelTable:
    sorts = {
        "id": DeadLetter.id,
        "bot": DeadLetter.bot,
        "failed_at": DeadLetter.failed_at,
        "attempts": DeadLetter.attempts,
    }

    async def fetch(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        if asked.bots is not None:
            conditions.append(DeadLetter.bot.in_(asked.bots))
        if "bot" in asked.filters:
            conditions.append(DeadLetter.bot == asked.filters["bot"])
        if "error" in asked.filters:
            conditions.append(DeadLetter.last_error.contains(asked.filters["error"]))
        rows, total = await panel_page(
            sessions, select(DeadLetter), conditions, asked, sorts, DeadLetter.id
        )
        return PanelRows(
            [
                {
                    "id": r.id,
                    "bot": r.bot,
                    "channel": r.channel,
                    "chat_id": r.chat_id,
                    "attempts": r.attempts,
                    "last_error": r.last_error[:300],
                    "failed_at": r.failed_at,
                }
                for r in rows
            ],
            total,
        )

    return PanelTable(
        name="dlq",
        title=N_("Dead letters"),
        columns=(
            PanelColumn("id", N_("No."), kind="number"),
            PanelColumn("bot", N_("Bot")),
            PanelColumn("channel", N_("Channel"), sortable=False),
            PanelColumn("chat_id", N_("Chat"), sortable=False, person=True),
            PanelColumn("attempts", N_("Attempts"), kind="number"),
            PanelColumn("last_error", N_("Reason"), sortable=False),
            PanelColumn("failed_at", N_("Failed at"), kind="time"),
        ),
        fetch=fetch,
        filters=(PanelFilter("bot", N_("Bot")), PanelFilter("error", N_("Reason contains"))),
        default_sort="id",
        bot_column="bot",
    )


def dlq_actions_for(sessions: SessionMaker, bots: frozenset[str] | None) -> tuple[PanelAction, ...]:
    """The replay and drop of the viewer: only dead letters of bots they may see."""

    async def replay(keys: str, _values: Mapping[str, str], who: PanelActor) -> str:
        ids = await _owned(sessions, parse_ids(keys), bots)
        done = await dlq_store.replay(sessions, ids, actor=who.actor, channel="console")
        if not done:
            raise PanelRefused(N_("Those messages are not in the dead-letter queue."))
        return N_("Replayed: the messages are back in the outbox.")

    async def drop(keys: str, _values: Mapping[str, str], who: PanelActor) -> str:
        ids = await _owned(sessions, parse_ids(keys), bots)
        if not ids or not await dlq_store.drop(sessions, ids, actor=who.actor, channel="console"):
            raise PanelRefused(N_("Those messages are not in the dead-letter queue."))
        return N_("Dropped.")

    return (
        PanelAction("replay", N_("Replay"), replay, bulk=True),
        PanelAction("drop", N_("Drop"), drop, bulk=True),
    )


async def _owned(sessions: SessionMaker, ids: list[int], bots: frozenset[str] | None) -> list[int]:
    async with sessions() as session:
        query = select(DeadLetter.id).where(DeadLetter.id.in_(ids))
        if bots is not None:
            query = query.where(DeadLetter.bot.in_(bots))
        return list(await session.scalars(query)) or [-1]


def chats(sessions: SessionMaker) -> PanelTable:
    sorts = {"bot": Chat.bot, "last_seen": Chat.last_seen, "first_seen": Chat.first_seen}

    async def fetch(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        if asked.bots is not None:
            conditions.append(Chat.bot.in_(asked.bots))
        if "bot" in asked.filters:
            conditions.append(Chat.bot == asked.filters["bot"])
        if "person" in asked.filters:
            wanted = asked.filters["person"]
            conditions.append(
                Chat.user_id.contains(wanted)
                | Chat.user_name.contains(wanted)
                | Chat.chat_id.contains(wanted)
            )
        rows, total = await panel_page(
            sessions, select(Chat), conditions, asked, sorts, Chat.chat_id
        )
        return PanelRows(
            [
                {
                    "key": f"{r.bot}/{r.chat_id}",
                    "bot": r.bot,
                    "chat_id": r.chat_id,
                    "channel": r.channel,
                    "user_name": r.user_name,
                    "user_id": r.user_id,
                    "last_seen": r.last_seen,
                }
                for r in rows
            ],
            total,
        )

    return PanelTable(
        name="conversations",
        title=N_("Conversations"),
        key="key",
        columns=(
            PanelColumn("bot", N_("Bot")),
            PanelColumn("channel", N_("Channel"), sortable=False),
            PanelColumn(
                "chat_id", N_("Chat"), sortable=False, link="/admin/conversation/{bot}/{chat_id}"
            ),
            PanelColumn("user_name", N_("Person"), sortable=False, person=True),
            PanelColumn("user_id", N_("Person's id"), sortable=False, person=True),
            PanelColumn("last_seen", N_("Last message"), kind="time"),
        ),
        fetch=fetch,
        filters=(PanelFilter("bot", N_("Bot")), PanelFilter("person", N_("Person or chat"))),
        default_sort="last_seen",
        bot_column="bot",
    )


def audit_log(sessions: SessionMaker) -> PanelTable:
    sorts = {
        "id": AuditEntry.id,
        "at": AuditEntry.at,
        "actor": AuditEntry.actor,
        "action": AuditEntry.action,
    }

    async def fetch(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        for key, column in (
            ("actor", AuditEntry.actor),
            ("action", AuditEntry.action),
            ("bot", AuditEntry.bot),
        ):
            if key in asked.filters:
                conditions.append(column.contains(asked.filters[key]))
        rows, total = await panel_page(
            sessions, select(AuditEntry), conditions, asked, sorts, AuditEntry.id
        )
        return PanelRows(
            [
                {
                    "id": r.id,
                    "at": r.at,
                    "actor": r.actor,
                    "channel": r.channel,
                    "bot": r.bot,
                    "action": r.action,
                    "target": r.target,
                    "details": ", ".join(f"{k}={v}" for k, v in (r.details or {}).items())[:300],
                }
                for r in rows
            ],
            total,
        )

    return PanelTable(
        name="audit",
        title=N_("Audit log"),
        columns=(
            PanelColumn("id", N_("No."), kind="number"),
            PanelColumn("at", N_("When"), kind="time"),
            PanelColumn("actor", N_("Who")),
            PanelColumn("channel", N_("From"), sortable=False),
            PanelColumn("bot", N_("Bot"), sortable=False),
            PanelColumn("action", N_("Action")),
            PanelColumn("target", N_("Target"), sortable=False),
            PanelColumn("details", N_("Details"), sortable=False),
        ),
        fetch=fetch,
        filters=(
            PanelFilter("actor", N_("Who")),
            PanelFilter("action", N_("Action")),
            PanelFilter("bot", N_("Bot")),
        ),
        default_sort="id",
    )


DIGITS = re.compile(r"\d[\d\s()+-]{4,}\d")


def masked(text: str) -> str:
    """A text with its phone-like numbers hidden, for a viewer who may not see people's data."""
    return DIGITS.sub("•••", text)
