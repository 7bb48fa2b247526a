"""The operations console at `/admin`: server-rendered pages (Jinja2 and the vendored htmx)
for the people who run the bots."""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from relaybot.gateway.host import GatewayHost
from relaybot.gateway.panel.auth import COOKIE, Forbidden, SignInNeeded, Viewer
from relaybot.gateway.panel.render import page
from relaybot.gateway.panel.routes import panel_router
from relaybot.gateway.panel.sections import app_sections
from relaybot.store import panel_accounts

HEADINGS = {400: "The request is not right", 403: "Not allowed", 404: "Not found", 413: "Too large"}


def mount_panel(app: FastAPI, host: GatewayHost) -> None:
    """Serve the console on `app`; its errors are pages, the rest of the app keeps JSON."""
    sections = app_sections(host.app_types, host.settings, host.sessions)
    app.include_router(
        panel_router(host.settings, host.sessions, host.bots, sections, host.bot_admin)
    )

    others = app.exception_handlers.get(StarletteHTTPException)

    async def _http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if isinstance(exc, SignInNeeded):
            return Response(status_code=exc.status_code, headers=exc.headers)
        if not request.url.path.startswith("/admin/") and request.url.path != "/admin":
            if others is not None:
                answer = others(request, exc)
                return await answer if inspect.isawaitable(answer) else answer
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        locale = "ru" if "lang=ru" in request.url.query else "en"
        found = await panel_accounts.session_of(host.sessions, request.cookies.get(COOKIE))
        return page(
            "error.html",
            None if found is None else Viewer(found.account, found.csrf_token),
            status=exc.status_code,
            locale=locale,
            heading=HEADINGS.get(exc.status_code, "Something is wrong"),
            reason=str(exc.detail),
        )

    app.add_exception_handler(StarletteHTTPException, _http_error)


__all__ = ["Forbidden", "mount_panel"]
