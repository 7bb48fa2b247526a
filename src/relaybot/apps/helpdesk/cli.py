"""`relaybot helpdesk ...`: the catalogue, people's roles and links, requests, and demo data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import (
    Column,
    SessionMaker,
    audit,
    cli_actor,
    json_option,
    minute_cell,
    print_rows,
    settings_of,
    with_store,
)

from . import catalog, demo, people, switches
from .errors import Conflict, NotFound
from .models import DEMAND_STATUSES, Demand, DemandMessage, Place, Resource, UserScenario
from .roles import GRANTABLE, Role

T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


def _run(ctx: click.Context, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `action` in one transaction; a domain error is a clean message and exit code 1."""

    async def go(sessions: SessionMaker) -> T:
        async with sessions() as session, session.begin():
            return await action(session)

    try:
        return with_store(ctx, go)
    except (NotFound, Conflict) as exc:
        raise click.ClickException(str(exc)) from exc


async def _note(session: AsyncSession, action: str, target: str, **details: Any) -> None:
    await audit(
        session,
        actor=cli_actor(),
        channel="cli",
        action=f"helpdesk.{action}",
        target=target,
        details=details,
    )


NAMED_COLUMNS = (Column("id", "ID", right=True), Column("name", "NAME"))
SCENARIO_COLUMNS = (
    Column("id", "ID", right=True),
    Column("active", "ACTIVE"),
    Column("providers", "HELPERS", right=True),
    Column("category", "CATEGORY", cell=lambda r: f"{r['place']} / {r['resource']}"),
)
USER_COLUMNS = (
    Column("id", "ID", right=True),
    Column("bot", "BOT", width=12),
    Column("channel", "CHANNEL", width=9),
    Column("name", "NAME", width=20, cell=lambda r: r["name"] or "-"),
    Column("roles", "ROLES"),
)
DEMAND_COLUMNS = (
    Column("id", "NO.", right=True),
    Column("created_at", "CREATED (UTC)", cell=minute_cell("created_at")),
    Column("status", "STATUS"),
    Column("category", "CATEGORY", width=30),
    Column("description", "DESCRIPTION", width=50),
)


@click.group()
def helpdesk() -> None:
    """The help desk: places, kinds of help, categories, helpers and requests."""


# -- places and resources -----------------------------------------------------------------------
def _named_group(model: type[Place] | type[Resource], plural: str, kind: str) -> click.Group:
    group = click.Group(plural, help=f"The {plural} of the help desk.")

    @group.command("list")
    @json_option
    @click.pass_context
    def list_items(ctx: click.Context, as_json: bool) -> None:
        async def go(session: AsyncSession) -> list[dict[str, Any]]:
            return [
                {"id": i.id, "name": i.name, "description": i.description}
                for i in await catalog.list_named(session, model)
            ]

        print_rows(_run(ctx, go), NAMED_COLUMNS, as_json=as_json, empty=f"no {plural} yet")

    @group.command("add")
    @click.argument("name")
    @click.option("--description", default="", help="Shown to admins and in the REST API.")
    @click.pass_context
    def add_item(ctx: click.Context, name: str, description: str) -> None:
        async def go(session: AsyncSession) -> int:
            item = await catalog.add_named(session, model, name, description, _now())
            await _note(session, f"{kind}.add", f"{kind}:{item.id}", name=item.name)
            return item.id

        click.echo(f"{kind} {_run(ctx, go)} added")

    @group.command("update")
    @click.argument("item_id", type=int)
    @click.option("--name", default=None)
    @click.option("--description", default=None)
    @click.pass_context
    def update_item(
        ctx: click.Context, item_id: int, name: str | None, description: str | None
    ) -> None:
        if name is None and description is None:
            raise click.UsageError("give --name or --description")

        async def go(session: AsyncSession) -> None:
            await catalog.update_named(session, model, item_id, name=name, description=description)
            await _note(session, f"{kind}.update", f"{kind}:{item_id}")

        _run(ctx, go)
        click.echo(f"{kind} {item_id} updated")

    @group.command("remove")
    @click.argument("item_id", type=int)
    @click.pass_context
    def remove_item(ctx: click.Context, item_id: int) -> None:
        async def go(session: AsyncSession) -> None:
            await catalog.delete_named(session, model, item_id)
            await _note(session, f"{kind}.delete", f"{kind}:{item_id}")

        _run(ctx, go)
        click.echo(f"{kind} {item_id} removed")

    return group


helpdesk.add_command(_named_group(Place, "places", "place"))
helpdesk.add_command(_named_group(Resource, "resources", "resource"))


async def _resolve(session: AsyncSession, model: type[Place] | type[Resource], ref: str) -> int:
    """An id, or a name (any case), of a place or resource."""
    if ref.isdigit():
        return (await catalog.get_named(session, model, int(ref))).id
    found = await catalog.find_named(session, model, ref)
    if found is None:
        kind = "place" if model is Place else "resource"
        raise NotFound(f"no {kind} is named {ref!r}")
    return found.id


# -- scenarios ------------------------------------------------------------------------------------
@helpdesk.group()
def scenarios() -> None:
    """Categories of help: a resource at a place."""


@scenarios.command("list")
@json_option
@click.pass_context
def scenarios_list(ctx: click.Context, as_json: bool) -> None:
    async def go(session: AsyncSession) -> list[dict[str, Any]]:
        rows = await session.execute(
            select(UserScenario.scenario_id, func.count()).group_by(UserScenario.scenario_id)
        )
        counts = {scenario_id: int(n) for scenario_id, n in rows}
        return [
            {
                "id": s.id,
                "place": s.place.name,
                "resource": s.resource.name,
                "description": s.description,
                "active": s.active,
                "providers": int(counts.get(s.id, 0)),
            }
            for s in await catalog.list_scenarios(session)
        ]

    empty = "no scenarios yet: add places and resources, then `scenarios add`"
    print_rows(_run(ctx, go), SCENARIO_COLUMNS, as_json=as_json, empty=empty)


@scenarios.command("add")
@click.argument("place")
@click.argument("resource")
@click.option("--description", default="", help="Shown to people choosing this category.")
@click.option("--inactive", is_flag=True, help="Add it hidden from the menus.")
@click.pass_context
def scenarios_add(
    ctx: click.Context, place: str, resource: str, description: str, inactive: bool
) -> None:
    """Pair a PLACE and a RESOURCE (each an id or a name)."""

    async def go(session: AsyncSession) -> int:
        scenario = await catalog.add_scenario(
            session,
            place_id=await _resolve(session, Place, place),
            resource_id=await _resolve(session, Resource, resource),
            description=description,
            active=not inactive,
            now=_now(),
        )
        await _note(session, "scenario.add", f"scenario:{scenario.id}")
        return scenario.id

    click.echo(f"scenario {_run(ctx, go)} added")


@scenarios.command("update")
@click.argument("scenario_id", type=int)
@click.option("--description", default=None)
@click.option("--active/--inactive", default=None, help="Show in or hide from the menus.")
@click.pass_context
def scenarios_update(
    ctx: click.Context, scenario_id: int, description: str | None, active: bool | None
) -> None:
    if description is None and active is None:
        raise click.UsageError("give --description, --active or --inactive")

    async def go(session: AsyncSession) -> None:
        await catalog.update_scenario(session, scenario_id, description=description, active=active)
        await _note(session, "scenario.update", f"scenario:{scenario_id}")

    _run(ctx, go)
    click.echo(f"scenario {scenario_id} updated")


@scenarios.command("remove")
@click.argument("scenario_id", type=int)
@click.pass_context
def scenarios_remove(ctx: click.Context, scenario_id: int) -> None:
    async def go(session: AsyncSession) -> None:
        await catalog.delete_scenario(session, scenario_id)
        await _note(session, "scenario.delete", f"scenario:{scenario_id}")

    _run(ctx, go)
    click.echo(f"scenario {scenario_id} removed")


# -- users, roles, links --------------------------------------------------------------------------
@helpdesk.command("users")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=None)
@json_option
@click.option("--limit", default=100, show_default=True)
@click.pass_context
def users(ctx: click.Context, role: str | None, as_json: bool, limit: int) -> None:
    """People who wrote to the help desk; each tells their id with /id in the chat."""

    async def go(session: AsyncSession) -> list[dict[str, Any]]:
        rows = await people.list_users(session, role=Role(role) if role else None, limit=limit)
        linked = await people.links_of(session, [u.id for u in rows])
        active = await people.links_of(session, [u.id for u in rows], active_only=True)
        return [
            {
                "id": u.id,
                "bot": u.bot,
                "channel": u.channel,
                "chat_id": u.chat_id,
                "name": u.name,
                "roles": people.roles_of(u, active[u.id]),
                "scenario_ids": linked[u.id],
                "last_seen": u.last_seen.isoformat(),
            }
            for u in rows
        ]

    empty = "nobody has written to the help desk yet"
    print_rows(_run(ctx, go), USER_COLUMNS, as_json=as_json, empty=empty)


_GRANTABLE = click.Choice([r.value for r in GRANTABLE])


@helpdesk.command("grant")
@click.argument("user_id", type=int)
@click.argument("role", type=_GRANTABLE)
@click.pass_context
def grant(ctx: click.Context, user_id: int, role: str) -> None:
    """Make a user a moderator or an admin."""
    _set_role(ctx, user_id, Role(role), True)
    click.echo(f"user {user_id} is now {role}")


@helpdesk.command("revoke")
@click.argument("user_id", type=int)
@click.argument("role", type=_GRANTABLE)
@click.pass_context
def revoke(ctx: click.Context, user_id: int, role: str) -> None:
    """Take the moderator or admin role away."""
    _set_role(ctx, user_id, Role(role), False)
    click.echo(f"user {user_id} is no longer {role}")


def _set_role(ctx: click.Context, user_id: int, role: Role, enabled: bool) -> None:
    async def go(session: AsyncSession) -> None:
        await people.set_role(session, user_id, role, enabled)
        await _note(session, "grant" if enabled else "revoke", f"user:{user_id}", role=role.value)

    _run(ctx, go)


@helpdesk.command("link")
@click.argument("user_id", type=int)
@click.argument("scenario_ids", type=int, nargs=-1, required=True)
@click.pass_context
def link(ctx: click.Context, user_id: int, scenario_ids: tuple[int, ...]) -> None:
    """Make a user a provider (helper) in one or more scenarios."""

    async def go(session: AsyncSession) -> list[int]:
        added = []
        for scenario_id in scenario_ids:
            if await people.link(session, user_id, scenario_id, _now()):
                await _note(session, "link", f"user:{user_id}", scenario=scenario_id)
                added.append(scenario_id)
        return added

    added = _run(ctx, go)
    already = [s for s in scenario_ids if s not in added]
    if added:
        click.echo(f"user {user_id} now helps in scenario(s) {', '.join(map(str, added))}")
    if already:
        click.echo(f"already linked: {', '.join(map(str, already))}")


@helpdesk.command("unlink")
@click.argument("user_id", type=int)
@click.argument("scenario_ids", type=int, nargs=-1, required=True)
@click.pass_context
def unlink(ctx: click.Context, user_id: int, scenario_ids: tuple[int, ...]) -> None:
    """Remove a user's links to scenarios."""

    async def go(session: AsyncSession) -> int:
        removed = 0
        for scenario_id in scenario_ids:
            if await people.unlink(session, user_id, scenario_id):
                await _note(session, "unlink", f"user:{user_id}", scenario=scenario_id)
                removed += 1
        return removed

    click.echo(f"removed {_run(ctx, go)} link(s)")


# -- requests -------------------------------------------------------------------------------------
@helpdesk.group()
def demands() -> None:
    """Requests for help."""


@demands.command("list")
@click.option("--status", type=click.Choice(DEMAND_STATUSES), default=None)
@json_option
@click.option("--limit", default=50, show_default=True, help="Newest N requests.")
@click.pass_context
def demands_list(ctx: click.Context, status: str | None, as_json: bool, limit: int) -> None:
    async def go(session: AsyncSession) -> list[dict[str, Any]]:
        query = select(Demand).order_by(Demand.id.desc()).limit(limit)
        if status:
            query = query.where(Demand.status == status)
        return [
            {
                "id": d.id,
                "status": d.status,
                "category": d.scenario.title,
                "requester_id": d.requester_id,
                "provider_id": d.provider_id,
                "description": d.description,
                "created_at": d.created_at.isoformat(),
            }
            for d in await session.scalars(query)
        ]

    print_rows(_run(ctx, go), DEMAND_COLUMNS, as_json=as_json, empty="no requests")


@demands.command("show")
@click.argument("demand_id", type=int)
@click.pass_context
def demands_show(ctx: click.Context, demand_id: int) -> None:
    """A request with its messages."""

    async def go(session: AsyncSession) -> list[str]:
        demand = await session.get(Demand, demand_id)
        if demand is None:
            raise NotFound(f"request {demand_id} does not exist")
        lines = [
            f"request {demand.id}: {demand.scenario.title} ({demand.status})",
            f"requester {demand.requester_id}, provider {demand.provider_id or '-'}",
            f"created {demand.created_at:%Y-%m-%d %H:%M} UTC",
            "",
        ]
        messages = await session.scalars(
            select(DemandMessage)
            .where(DemandMessage.demand_id == demand_id)
            .order_by(DemandMessage.id)
        )
        for message in messages:
            extra = f" [+{len(message.attachments)} attachment(s)]" if message.attachments else ""
            lines.append(
                f"{message.created_at:%H:%M} {message.author_role} {message.author_id}: "
                f"{message.text}{extra}"
            )
        return lines

    for line in _run(ctx, go):
        click.echo(line)


# -- demo -----------------------------------------------------------------------------------------
@helpdesk.command("demo-data")
@click.option(
    "--locale",
    type=click.Choice(["ru", "en"]),
    default=None,
    help="Language of the sample names (default: the settings' default locale).",
)
@click.option(
    "--self-service/--no-self-service",
    default=True,
    show_default=True,
    help="Let every visitor try every role with /try (a demo only, never in production).",
)
@click.pass_context
def demo_data(ctx: click.Context, locale: str | None, self_service: bool) -> None:
    """Fill the help desk with sample places and categories to try it in the web chat."""
    lang = locale or settings_of(ctx).default_locale

    async def go(session: AsyncSession) -> demo.DemoSummary:
        summary = await demo.seed(session, locale=lang, now=_now(), self_service=self_service)
        await _note(
            session, "demo-data", "catalogue", added=summary.added, self_service=self_service
        )
        return summary

    summary = _run(ctx, go)
    if summary.added == 0:
        click.echo(
            f"the sample data is already there: {summary.places} places, "
            f"{summary.resources} resources, {summary.scenarios} categories; nothing was added"
        )
    else:
        click.echo(
            f"demo data ready: {summary.places} places, {summary.resources} resources, "
            f"{summary.scenarios} categories ({summary.added} added now)"
        )
    if self_service:
        click.echo(
            "self-service roles are ON: every visitor can become helper, moderator or admin "
            "with /try. Turn it off with `relaybot helpdesk self-service off`."
        )
    click.echo("start `relaybot run`, open the web chat and choose the help desk")


@helpdesk.command("self-service")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.pass_context
def self_service(ctx: click.Context, state: str) -> None:
    """Let visitors give themselves roles with /try (on) or not (off)."""

    async def go(session: AsyncSession) -> None:
        await switches.turn(session, switches.SELF_SERVICE_ROLES, state == "on", _now())
        await _note(session, "self-service", "settings", on=state == "on")

    _run(ctx, go)
    click.echo(f"self-service roles are {state}")


@helpdesk.command("token")
@click.argument("user_id", type=int)
@click.pass_context
def token(ctx: click.Context, user_id: int) -> None:
    """Print an access token that signs USER_ID in to the help desk REST API (for an
    integration acting as that person); it lasts jwt_ttl_seconds."""
    from .api.events_routes import issue_token

    settings = settings_of(ctx)
    if settings.jwt_secret is None:
        raise click.ClickException(
            "set jwt_secret (RELAYBOT_JWT_SECRET) first: without it each relaybot process "
            "signs with a secret of its own, and no other process accepts its tokens"
        )

    async def issue(sessions: SessionMaker) -> str:
        async with sessions() as session, session.begin():
            await people.get(session, user_id)
            await audit(
                session,
                actor=cli_actor(),
                channel="cli",
                action="helpdesk.token",
                target=f"user:{user_id}",
            )
        return issue_token(settings, sessions, user_id)[0]

    try:
        click.echo(with_store(ctx, issue))
    except NotFound as missing:
        raise click.ClickException(str(missing)) from None
