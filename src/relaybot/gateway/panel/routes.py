"""`/admin`: the operations console's pages and actions.

Every route first asks the `Gate`: no session sends the browser to sign in; an action also
needs the session's CSRF token; a page or row of an app or bot the account is not granted is
403 before anything is read or changed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select

from relaybot.config import BotConfig, Settings
from relaybot.core.i18n import N_
from relaybot.core.panel import PanelSection, PanelTable
from relaybot.core.types import decode_message
from relaybot.gateway.bots_api import BotAdmin
from relaybot.gateway.panel import charts, core_tables, funnels, overview
from relaybot.gateway.panel.auth import COOKIE, Forbidden, Gate, Viewer, read_form, secure_cookie
from relaybot.gateway.panel.render import HERE, page
from relaybot.gateway.panel.tables import (
    PAGE_SIZE,
    cell,
    csv_response,
    find_action,
    link,
    parse,
    run_action,
    visible_columns,
)
from relaybot.security.auth import FailureThrottle
from relaybot.store import panel_accounts
from relaybot.store.bots import BotProblem
from relaybot.store.db import SessionMaker
from relaybot.store.models import Chat, DialogStateRow, MessageLog, OutboxMessage

STATIC = {"htmx.min.js": "text/javascript", "panel.css": "text/css"}
CORE = "ops"
MAX_FUNNEL_DAYS = 366


def _safe_next(target: str | None) -> str:
    """Only a console page may be where sign-in leads: never another site."""
    if target and target.startswith("/admin") and not target.startswith("//"):
        return target
    return "/admin"


def panel_router(
    settings: Settings,
    sessions: SessionMaker,
    bots: Mapping[str, BotConfig],
    sections: Mapping[str, PanelSection],
    bot_admin: BotAdmin | None,
) -> APIRouter:
    gate = Gate(sessions)
    # Each wrong password costs an argon2id hash: a client guessing names or passwords is
    # slowed down per address, beside the lockout of each account.
    throttle = FailureThrottle(settings.auth_failures_per_minute)
    router = APIRouter(prefix="/admin", include_in_schema=False)
    core = {
        "dlq": core_tables.dead_letters(sessions),
        "conversations": core_tables.chats(sessions),
        "audit": core_tables.audit_log(sessions),
    }

    def visible_bots(viewer: Viewer) -> frozenset[str] | None:
        if viewer.is_admin:
            return None
        return frozenset(name for name, bot in bots.items() if viewer.may_see_bot(name, bot.app))

    def names_for(viewer: Viewer) -> list[str]:
        allowed = visible_bots(viewer)
        return sorted(bots) if allowed is None else sorted(allowed)

    def nav(viewer: Viewer) -> list[tuple[str, str]]:
        items = [
            ("/admin", N_("Overview")),
            ("/admin/bots", N_("Bots")),
            (f"/admin/{CORE}/conversations", N_("Conversations")),
            ("/admin/funnels", N_("Funnels")),
            (f"/admin/{CORE}/dlq", N_("Dead letters")),
        ]
        for name, section in sections.items():
            if viewer.account.may_see(name):
                first = section.tables[0].name if section.tables else ""
                items.append((f"/admin/{name}/{first}", section.title))
        if viewer.is_admin:
            items.append((f"/admin/{CORE}/audit", N_("Audit log")))
        return items

    def table_of(
        viewer: Viewer, section: str, name: str
    ) -> tuple[PanelTable, frozenset[str] | None]:
        if section == CORE:
            table = core.get(name)
            if table is None:
                raise HTTPException(404, "no such page")
            if name == "audit":
                viewer.require_admin()
            allowed = visible_bots(viewer)
            if name == "dlq":
                table = replace(table, actions=core_tables.dlq_actions_for(sessions, allowed))
            return table, allowed
        found = sections.get(section)
        if found is None:
            raise HTTPException(404, "no such page")
        if not viewer.account.may_see(section):
            raise Forbidden("this app is not granted to you")
        for table in found.tables:
            if table.name == name:
                return table, None
        raise HTTPException(404, "no such page")

    def show(name: str, viewer: Viewer, **values: Any) -> Response:
        return page(name, viewer, nav=nav(viewer), **values)

    # -- signing in ---------------------------------------------------------------------------
    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, "no such file")
        return FileResponse(
            HERE / "static" / name,
            media_type=STATIC[name],
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @router.get("/login")
    async def login_page(request: Request, next: str | None = None, lang: str = "en") -> Response:
        locale = "ru" if lang == "ru" else "en"
        return page("login.html", None, locale=locale, next=_safe_next(next), error=None)

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await read_form(request)
        client = request.client.host if request.client else "unknown"
        if throttle.blocked(client, time.monotonic()):
            locale = "ru" if form.get("lang") == "ru" else "en"
            return page(
                "login.html",
                None,
                status=429,
                locale=locale,
                next="/admin",
                error=N_("Too many failed sign-ins from here: try again in a minute."),
            )
        username = str(form.get("username", ""))[:64]
        password = str(form.get("password", ""))[:1024]
        locale = "ru" if form.get("lang") == "ru" else "en"
        target = _safe_next(str(form.get("next", "")))
        result = await panel_accounts.sign_in(sessions, username, password)
        if isinstance(result, panel_accounts.SignInRefused):
            throttle.failed(client, time.monotonic())
            error = (
                N_("Too many wrong passwords: the account is locked for a while.")
                if result.locked
                else N_("The user name or the password is wrong.")
            )
            return page(
                "login.html",
                None,
                status=401 if not result.locked else 423,
                locale=locale,
                next=target,
                error=error,
            )
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            result.token,
            max_age=panel_accounts.SESSION_HOURS * 3600,
            path="/admin",
            httponly=True,
            samesite="strict",
            secure=secure_cookie(request, settings),
        )
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        await gate.changer(request)
        await panel_accounts.sign_out(sessions, request.cookies.get(COOKIE))
        response = RedirectResponse("/admin/login", status_code=303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    # -- overview -----------------------------------------------------------------------------
    async def _overview_values(viewer: Viewer) -> dict[str, Any]:
        rows = await overview.figures(sessions, names_for(viewer))
        t = viewer.t
        return {
            "rows": rows,
            "charts": {
                row.bot: (
                    charts.sparkline(
                        row.updates_series, label=t("Updates a minute, last 30 minutes")
                    ),
                    charts.sparkline(
                        row.replies_series, label=t("Replies a minute, last 30 minutes")
                    ),
                )
                for row in rows
            },
        }

    @router.get("")
    async def home(request: Request) -> Response:
        viewer = await gate.viewer(request)
        return show("overview.html", viewer, **await _overview_values(viewer))

    @router.get("/overview/live")
    async def overview_live(request: Request) -> Response:
        viewer = await gate.viewer(request)
        return page("_overview_rows.html", viewer, **await _overview_values(viewer))

    # -- bots ---------------------------------------------------------------------------------
    async def _bot_rows(viewer: Viewer) -> list[dict[str, Any]]:
        if bot_admin is not None:
            listed = await bot_admin.listing()
        else:
            listed = [
                {
                    "name": b.name,
                    "app": b.app,
                    "channel": b.channel,
                    "enabled": True,
                    "source": "relaybot.toml",
                }
                for b in bots.values()
            ]
        return [b for b in listed if viewer.may_see_bot(str(b["name"]), str(b.get("app")))]

    @router.get("/bots")
    async def bots_page(request: Request) -> Response:
        viewer = await gate.viewer(request)
        return show(
            "bots.html",
            viewer,
            rows=await _bot_rows(viewer),
            notice=None,
            ok=True,
            can_change=bot_admin is not None and viewer.is_admin,
        )

    @router.post("/bots")
    async def bots_add(request: Request) -> Response:
        viewer, form = await gate.changer(request)
        viewer.require_admin()
        if bot_admin is None:
            raise HTTPException(404, "bots are not kept in the database here")
        fields: dict[str, Any] = {
            k: str(form.get(k, "")).strip()[:200]
            for k in ("name", "app", "channel", "title", "token")
        }
        fields = {k: v for k, v in fields.items() if v}
        try:
            await bot_admin.add(fields, actor=viewer.account.actor, channel="console")
            notice, ok = viewer.t("The bot {name} is added.", name=fields.get("name", "")), True
        except BotProblem as problem:
            notice, ok = str(problem), False
        return show(
            "bots.html",
            viewer,
            rows=await _bot_rows(viewer),
            notice=notice,
            ok=ok,
            can_change=True,
            status=200 if ok else 422,
        )

    @router.post("/bots/{name}/{what}")
    async def bots_change(request: Request, name: str, what: str) -> Response:
        viewer, _form = await gate.changer(request)
        if what not in ("check", "disable", "enable"):
            raise HTTPException(404, "no such action")
        bot = bots.get(name)
        if not viewer.may_see_bot(name, bot.app if bot else None):
            raise Forbidden("this bot is not granted to you")
        if bot_admin is None:
            raise HTTPException(404, "bots are not kept in the database here")
        ok = True
        try:
            if what == "check":
                found = await bot_admin.check(name)
                ok, notice = found.ok, found.message
            else:
                viewer.require_admin()
                await bot_admin.set_enabled(
                    name, what == "enable", actor=viewer.account.actor, channel="console"
                )
                notice = viewer.t(
                    "The bot {name} is {state}.",
                    name=name,
                    state=viewer.t(N_("enabled") if what == "enable" else N_("disabled")),
                )
        except BotProblem as problem:
            ok, notice = False, str(problem)
        return show(
            "bots.html",
            viewer,
            rows=await _bot_rows(viewer),
            notice=notice,
            ok=ok,
            can_change=viewer.is_admin,
            status=200 if ok or what == "check" else 422,
        )

    # -- conversations ------------------------------------------------------------------------
    @router.get("/conversation/{bot}/{chat_id:path}")
    async def conversation(request: Request, bot: str, chat_id: str) -> Response:
        viewer = await gate.viewer(request)
        config = bots.get(bot)
        if not viewer.may_see_bot(bot, config.app if config else None):
            raise Forbidden("this bot is not granted to you")
        async with sessions() as session:
            chat = await session.get(Chat, (bot, chat_id))
            state = await session.get(DialogStateRow, (bot, chat_id))
            said = (
                await session.execute(
                    select(MessageLog.created_at, MessageLog.text, MessageLog.dialog_state)
                    .where(MessageLog.bot == bot, MessageLog.chat_id == chat_id)
                    .order_by(MessageLog.id.desc())
                    .limit(200)
                )
            ).all()
            replied = (
                await session.execute(
                    select(OutboxMessage.created_at, OutboxMessage.payload, OutboxMessage.status)
                    .where(OutboxMessage.bot == bot, OutboxMessage.chat_id == chat_id)
                    .order_by(OutboxMessage.id.desc())
                    .limit(200)
                )
            ).all()
        if chat is None and not said and not replied:
            raise HTTPException(404, "no such conversation")
        lines: list[dict[str, Any]] = []
        for at, text, step in said:
            lines.append({"at": at, "who": "in", "text": text, "step": step})
        for created, payload, status in replied:
            try:
                text = decode_message(payload).text
            except Exception:
                text = "…"
            lines.append(
                {
                    "at": datetime.fromtimestamp(created, UTC),
                    "who": "out",
                    "text": text,
                    "step": status,
                }
            )
        lines.sort(key=lambda line: line["at"])
        if not viewer.sees_people:
            for line in lines:
                line["text"] = core_tables.masked(str(line["text"]))
        return show(
            "conversation.html",
            viewer,
            bot=bot,
            chat_id=chat_id,
            chat=chat,
            state=state,
            lines=lines,
            people=viewer.sees_people,
        )

    # -- funnels ------------------------------------------------------------------------------
    @router.get("/funnels")
    async def funnels_page(
        request: Request, bot: str | None = None, flow: str | None = None, days: int = 7
    ) -> Response:
        viewer = await gate.viewer(request)
        names = names_for(viewer)
        if not 1 <= days <= MAX_FUNNEL_DAYS:
            raise HTTPException(400, f"days is from 1 to {MAX_FUNNEL_DAYS}")
        chosen = bot or (names[0] if names else None)
        if chosen is not None and chosen not in names:
            raise Forbidden("this bot is not granted to you")
        until = datetime.now(UTC) + timedelta(minutes=1)
        result = None
        chart = ""
        if chosen is not None:
            result = await funnels.funnel(
                sessions, chosen, since=until - timedelta(days=days), until=until, flow=flow or None
            )
            t = viewer.t
            chart = charts.bars(
                [
                    (
                        s.step,
                        [
                            (t("moved on"), s.moved_on, "on"),
                            (t("went back"), s.went_back, "back"),
                            (t("left"), s.left, "left"),
                        ],
                    )
                    for s in result.steps
                ],
                label=t("People at each step of {bot}", bot=chosen),
            )
        return show(
            "funnels.html",
            viewer,
            names=names,
            bot=chosen,
            flow=flow or "",
            days=days,
            funnel=result,
            chart=chart,
        )

    # -- tables -------------------------------------------------------------------------------
    @router.get("/{section}/{name}.csv")
    async def table_csv(request: Request, section: str, name: str) -> Response:
        viewer = await gate.viewer(request)
        table, allowed = table_of(viewer, section, name)
        zone = viewer.account.time_zone
        asked = parse(
            request, table, allowed, limit=PAGE_SIZE, time_zone=zone, locale=viewer.account.locale
        )
        return await csv_response(table, asked, viewer)

    async def _table(
        request: Request,
        viewer: Viewer,
        section: str,
        name: str,
        notice: str | None = None,
        ok: bool = True,
        status: int = 200,
    ) -> Response:
        table, allowed = table_of(viewer, section, name)
        asked = parse(
            request,
            table,
            allowed,
            limit=PAGE_SIZE,
            time_zone=viewer.account.time_zone,
            locale=viewer.account.locale,
        )
        found = await table.fetch(asked.query)
        owner = sections.get(section)
        tabs = [(t.name, t.title) for t in owner.tables] if owner is not None else []
        pages = max(1, -(-found.total // PAGE_SIZE))
        return page(
            "table.html",
            viewer,
            nav=nav(viewer),
            status=status,
            section=section,
            table=table,
            tabs=tabs,
            asked=asked,
            rows=found.rows,
            total=found.total,
            pages=pages,
            columns=visible_columns(table, viewer),
            notice=notice,
            ok=ok,
            bulk=[a for a in table.actions if a.bulk],
            single=[a for a in table.actions if not a.bulk and not a.adds],
            adding=[a for a in table.actions if a.adds],
            quote=quote,
            cellof=lambda row, c: cell(row.get(c.key), c.kind, viewer),
            linkof=link,
        )

    @router.get("/{section}/{name}")
    async def table_page(request: Request, section: str, name: str) -> Response:
        viewer = await gate.viewer(request)
        return await _table(request, viewer, section, name)

    @router.post("/{section}/{name}/act/{action}")
    async def table_action(request: Request, section: str, name: str, action: str) -> Response:
        viewer, form = await gate.changer(request)
        table, _allowed = table_of(viewer, section, name)
        chosen = find_action(table, action)
        if chosen.adds:
            keys = ["new"]
        elif chosen.bulk:
            keys = form.getlist("key")
        else:
            keys = [str(form.get("key", ""))]
        done, told = await run_action(
            chosen, ",".join(str(k) for k in keys), {k: str(v) for k, v in form.items()}, viewer
        )
        return await _table(
            request, viewer, section, name, notice=told, ok=done, status=200 if done else 409
        )

    return router
