"""The help desk's back office in the console: the queue of requests, their messages, the
scenarios (edited through the catalogue's own rules), the people and their links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, select

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
    audit,
    panel_page,
    panel_row_id,
)

from . import catalog
from .errors import Conflict, NotFound
from .models import (
    DEMAND_STATUSES,
    DESCRIPTION_MAX,
    Demand,
    DemandMessage,
    HelpdeskUser,
    Scenario,
    UserScenario,
)

STATUS_WORDS = {
    "new": N_("waiting"),
    "in_progress": N_("in progress"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}
YES_NO = (("yes", N_("yes")), ("no", N_("no")))


def panel(settings: Settings, sessions: SessionMaker) -> PanelSection:
    async def queue(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        if "status" in asked.filters:
            conditions.append(Demand.status == asked.filters["status"])
        sorts = {
            "id": Demand.id,
            "status": Demand.status,
            "priority": Demand.priority,
            "created_at": Demand.created_at,
            "updated_at": Demand.updated_at,
        }
        rows, total = await panel_page(
            sessions, select(Demand), conditions, asked, sorts, Demand.id
        )
        return PanelRows(
            [
                {
                    "id": d.id,
                    "status": STATUS_WORDS.get(d.status, d.status),
                    "scenario": d.scenario.title,
                    "description": d.description,
                    "priority": d.priority,
                    "created_at": d.created_at,
                    "updated_at": d.updated_at,
                }
                for d in rows
            ],
            total,
        )

    async def messages(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        wanted = panel_row_id(asked.filters.get("demand", ""))
        if "demand" in asked.filters:
            conditions.append(DemandMessage.demand_id == (wanted if wanted is not None else -1))
        sorts = {
            "id": DemandMessage.id,
            "demand_id": DemandMessage.demand_id,
            "created_at": DemandMessage.created_at,
        }
        rows, total = await panel_page(
            sessions, select(DemandMessage), conditions, asked, sorts, DemandMessage.id
        )
        return PanelRows(
            [
                {
                    "id": m.id,
                    "demand_id": m.demand_id,
                    "author_role": m.author_role,
                    "text": m.text,
                    "created_at": m.created_at,
                }
                for m in rows
            ],
            total,
        )

    async def scenarios(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        if asked.filters.get("active") in ("yes", "no"):
            conditions.append(Scenario.active.is_(asked.filters["active"] == "yes"))
        sorts = {"id": Scenario.id, "created_at": Scenario.created_at}
        rows, total = await panel_page(
            sessions, select(Scenario), conditions, asked, sorts, Scenario.id
        )
        return PanelRows(
            [
                {
                    "id": s.id,
                    "place": s.place.name,
                    "resource": s.resource.name,
                    "description": s.description,
                    "active": N_("yes") if s.active else N_("no"),
                    "created_at": s.created_at,
                }
                for s in rows
            ],
            total,
        )

    async def edit_scenario(key: str, values: Mapping[str, str], who: PanelActor) -> str:
        number = panel_row_id(key)
        if number is None:
            raise PanelRefused(N_("There is no such scenario."))
        active = {"yes": True, "no": False}.get(values.get("active", ""))
        try:
            async with sessions() as session, session.begin():
                await catalog.update_scenario(
                    session, number, description=values.get("description") or None, active=active
                )
                await audit(
                    session,
                    actor=who.actor,
                    channel="console",
                    action="helpdesk.scenario.update",
                    target=f"scenario:{number}",
                )
        except NotFound:
            raise PanelRefused(N_("There is no such scenario.")) from None
        except Conflict as conflict:
            raise PanelRefused(str(conflict)) from None
        return N_("The scenario is saved.")

    async def people(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        if "bot" in asked.filters:
            conditions.append(HelpdeskUser.bot == asked.filters["bot"])
        if asked.bots is not None:
            conditions.append(HelpdeskUser.bot.in_(asked.bots))
        sorts = {
            "id": HelpdeskUser.id,
            "bot": HelpdeskUser.bot,
            "last_seen": HelpdeskUser.last_seen,
        }
        rows, total = await panel_page(
            sessions, select(HelpdeskUser), conditions, asked, sorts, HelpdeskUser.id
        )
        return PanelRows(
            [
                {
                    "id": u.id,
                    "bot": u.bot,
                    "channel": u.channel,
                    "name": u.name,
                    "chat_id": u.chat_id,
                    "roles": _roles(u),
                    "last_seen": u.last_seen,
                }
                for u in rows
            ],
            total,
        )

    async def links(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        person = panel_row_id(asked.filters.get("person", ""))
        if "person" in asked.filters:
            conditions.append(UserScenario.user_id == (person if person is not None else -1))
        sorts = {"user_id": UserScenario.user_id, "created_at": UserScenario.created_at}
        rows, total = await panel_page(
            sessions, select(UserScenario), conditions, asked, sorts, UserScenario.scenario_id
        )
        titles: dict[int, str] = {}
        async with sessions() as session:
            for scenario in await catalog.list_scenarios(session):
                titles[scenario.id] = scenario.title
        return PanelRows(
            [
                {
                    "user_id": link.user_id,
                    "scenario": titles.get(link.scenario_id, "?"),
                    "created_at": link.created_at,
                }
                for link in rows
            ],
            total,
        )

    return PanelSection(
        app="helpdesk",
        title=N_("Help desk"),
        tables=(
            PanelTable(
                name="queue",
                title=N_("Requests"),
                columns=(
                    PanelColumn(
                        "id",
                        N_("No."),
                        kind="number",
                        link="/admin/helpdesk/messages?f.demand={id}",
                    ),
                    PanelColumn("status", N_("Status"), kind="word"),
                    PanelColumn("scenario", N_("Scenario"), sortable=False),
                    PanelColumn("description", N_("Request"), sortable=False, person=True),
                    PanelColumn("priority", N_("Priority"), kind="number"),
                    PanelColumn("created_at", N_("Asked"), kind="time"),
                    PanelColumn("updated_at", N_("Changed"), kind="time"),
                ),
                fetch=queue,
                filters=(
                    PanelFilter(
                        "status", N_("Status"), tuple((s, STATUS_WORDS[s]) for s in DEMAND_STATUSES)
                    ),
                ),
                default_sort="id",
            ),
            PanelTable(
                name="messages",
                title=N_("Messages"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("demand_id", N_("Request"), kind="number"),
                    PanelColumn("author_role", N_("From"), sortable=False),
                    PanelColumn("text", N_("Text"), sortable=False, person=True),
                    PanelColumn("created_at", N_("When"), kind="time"),
                ),
                fetch=messages,
                filters=(PanelFilter("demand", N_("Request No.")),),
                default_sort="id",
            ),
            PanelTable(
                name="scenarios",
                title=N_("Scenarios"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("place", N_("Place"), sortable=False),
                    PanelColumn("resource", N_("Kind of help"), sortable=False),
                    PanelColumn("description", N_("Description"), sortable=False),
                    PanelColumn("active", N_("Offered"), sortable=False, kind="word"),
                    PanelColumn("created_at", N_("Created"), kind="time"),
                ),
                fetch=scenarios,
                filters=(PanelFilter("active", N_("Offered"), YES_NO),),
                actions=(
                    PanelAction(
                        "edit",
                        N_("Edit"),
                        edit_scenario,
                        fields=(
                            PanelField(
                                "description",
                                N_("Description"),
                                required=False,
                                multiline=True,
                                max_length=DESCRIPTION_MAX,
                            ),
                            PanelField("active", N_("Offered"), choices=YES_NO),
                        ),
                    ),
                ),
                default_sort="id",
            ),
            PanelTable(
                name="people",
                title=N_("People"),
                columns=(
                    PanelColumn(
                        "id", N_("No."), kind="number", link="/admin/helpdesk/links?f.person={id}"
                    ),
                    PanelColumn("bot", N_("Bot")),
                    PanelColumn("channel", N_("Channel"), sortable=False),
                    PanelColumn("name", N_("Name"), sortable=False, person=True),
                    PanelColumn("chat_id", N_("Chat"), sortable=False, person=True),
                    PanelColumn("roles", N_("Roles"), sortable=False),
                    PanelColumn("last_seen", N_("Last seen"), kind="time"),
                ),
                fetch=people,
                filters=(PanelFilter("bot", N_("Bot")),),
                default_sort="id",
                bot_column="bot",
            ),
            PanelTable(
                name="links",
                title=N_("Links"),
                key="user_id",
                columns=(
                    PanelColumn("user_id", N_("Person No."), kind="number"),
                    PanelColumn("scenario", N_("Scenario"), sortable=False),
                    PanelColumn("created_at", N_("Since"), kind="time"),
                ),
                fetch=links,
                filters=(PanelFilter("person", N_("Person No.")),),
                default_sort="user_id",
            ),
        ),
    )


def _roles(user: HelpdeskUser) -> str:
    roles: list[Any] = []
    if user.is_admin:
        roles.append("admin")
    if user.is_moderator:
        roles.append("moderator")
    return ", ".join(roles) or "-"
