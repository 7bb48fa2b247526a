"""The orders' back office in the console: the orders, filtered and sorted, and the status
change, through the same rules and notices as the operators' chat and the REST API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from relaybot import (
    N_,
    PanelAction,
    PanelActor,
    PanelColumn,
    PanelField,
    PanelFilter,
    PanelQuery,
    PanelRefused,
    PanelRows,
    PanelSection,
    PanelTable,
    SessionMaker,
    Settings,
    panel_page,
    panel_row_id,
    translator,
)

from . import lifecycle
from .models import ORDER_STATUSES, REASON_MAX, Order
from .outside import operator_chats_everywhere, tell

SORTS = {
    "id": Order.id,
    "status": Order.status,
    "bottles_count": Order.bottles_count,
    "bot": Order.bot,
    "created_at": Order.created_at,
    "updated_at": Order.updated_at,
}
STATUS_CHOICES = tuple((s, lifecycle.STATUS_WORDS[s]) for s in ORDER_STATUSES)


def _row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": lifecycle.STATUS_WORDS[order.status],
        "state": order.status,
        "client_phone": order.client_phone,
        "delivery_address": order.delivery_address,
        "bottles_count": order.bottles_count,
        "bot": order.bot,
        "cancel_reason": order.cancel_reason,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def panel(settings: Settings, sessions: SessionMaker) -> PanelSection:
    async def fetch(asked: PanelQuery) -> PanelRows:
        conditions = []
        if "status" in asked.filters:
            conditions.append(Order.status == asked.filters["status"])
        if "bot" in asked.filters:
            conditions.append(Order.bot == asked.filters["bot"])
        if "phone" in asked.filters:
            conditions.append(Order.client_phone.contains(asked.filters["phone"]))
        if asked.bots is not None:
            conditions.append(Order.bot.in_(asked.bots))
        rows, total = await panel_page(sessions, select(Order), conditions, asked, SORTS, Order.id)
        return PanelRows([_row(order) for order in rows], total)

    async def change(key: str, values: Mapping[str, str], who: PanelActor) -> str:
        order_id = panel_row_id(key)
        if order_id is None:
            raise PanelRefused(N_("There is no such order."))
        t = translator(who.locale)
        default = translator(settings.default_locale)
        try:
            async with sessions() as session, session.begin():
                done = await lifecycle.change_status(
                    session,
                    order_id,
                    values["status"],
                    actor=who.actor,
                    channel="console",
                    now=datetime.now(UTC),
                    default_locale=settings.default_locale,
                    reason=values.get("reason") or None,
                )
                told = await tell(session, settings, done.client, done.client_text)
                for chat in (
                    await operator_chats_everywhere(session, settings) if done.changed else []
                ):
                    await tell(session, settings, chat, lifecycle.operators_news(done, default))
        except lifecycle.OrderMissing:
            raise PanelRefused(t(N_("There is no such order."))) from None
        except lifecycle.OrderRefused as refused:
            raise PanelRefused(t(refused.message, **_words(t, refused.values))) from None
        if not done.changed:
            return t(
                N_("Order No. {number} is {status} already."),
                number=done.order.id,
                status=t(lifecycle.STATUS_WORDS[done.order.status]),
            )
        news = lifecycle.operators_news(done, t)
        return news + (" " + t(N_("The client is told.")) if told else "")

    return PanelSection(
        app="orders",
        title=N_("Orders"),
        tables=(
            PanelTable(
                name="orders",
                title=N_("Orders"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("status", N_("Status"), kind="word"),
                    PanelColumn("client_phone", N_("Phone"), sortable=False, person=True),
                    PanelColumn("delivery_address", N_("Address"), sortable=False, person=True),
                    PanelColumn("bottles_count", N_("Bottles"), kind="number"),
                    PanelColumn("bot", N_("Bot")),
                    PanelColumn("cancel_reason", N_("Reason"), sortable=False),
                    PanelColumn("created_at", N_("Placed"), kind="time"),
                    PanelColumn("updated_at", N_("Changed"), kind="time"),
                ),
                fetch=fetch,
                filters=(
                    PanelFilter("status", N_("Status"), STATUS_CHOICES),
                    PanelFilter("bot", N_("Bot")),
                    PanelFilter("phone", N_("Phone")),
                ),
                actions=(
                    PanelAction(
                        "status",
                        N_("Change status"),
                        change,
                        fields=(
                            PanelField(
                                "status",
                                N_("New status"),
                                choices=tuple(
                                    (s, lifecycle.STATUS_WORDS[s])
                                    for s in ("confirmed", "delivered", "cancelled")
                                ),
                            ),
                            PanelField(
                                "reason",
                                N_("Reason (for a cancellation)"),
                                required=False,
                                max_length=REASON_MAX,
                            ),
                        ),
                        applies=lambda row: bool(lifecycle.NEXT[row["state"]]),
                    ),
                ),
                default_sort="id",
                bot_column="bot",
            ),
        ),
    )


def _words(t: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """A refusal's status words, in the operator's language."""
    return {k: t(v) if k in ("status", "wanted") else v for k, v in values.items()}
