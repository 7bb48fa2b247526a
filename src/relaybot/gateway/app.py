"""The FastAPI application; its lifespan starts the components this process runs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from relaybot import __version__
from relaybot.channels.registry import RouteDeps, channel_routers
from relaybot.gateway.admin_api import admin_router
from relaybot.gateway.bots_api import bots_router
from relaybot.gateway.headers import SecurityHeadersMiddleware
from relaybot.gateway.health import health_router
from relaybot.gateway.host import GatewayHost
from relaybot.gateway.limits import OUT_OF_RANGE, BodyLimitMiddleware, number_out_of_range
from relaybot.gateway.panel import mount_panel
from relaybot.gateway.responses import install_method_not_allowed, truthful_openapi
from relaybot.gateway.unavailable import unavailable
from relaybot.gateway.webhooks import WebhookLane
from relaybot.runtime.ratelimit import MemoryRateLimiter
from relaybot.store.unavailable import store_unavailable

log = structlog.get_logger("relaybot.gateway")
WEBCHAT_UPLOADS = re.compile(r"/chat/api/[^/]+/files")  # a file's bytes, not JSON


def create_app(
    host: GatewayHost,
    *,
    roles: Iterable[str] = ("gateway",),
    on_started: Callable[[], None] | None = None,
) -> FastAPI:
    """The HTTP face of `host`; its lifespan starts and stops the parts `roles` name."""
    roles = tuple(roles)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await host.start(roles)
        log.info("relaybot started", roles=",".join(roles), bots=",".join(host.bots))
        if on_started is not None:
            on_started()
        try:
            yield
        finally:
            await host.close()

    app = FastAPI(
        title="relaybot",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
        # relaybot exports its own Prometheus metrics and structured logs; FastAPI's native
        # OpenTelemetry costs every request an environment lookup unless switched on.
        telemetry={
            "tracing": host.settings.opentelemetry,
            "metrics": host.settings.opentelemetry,
            "logs": host.settings.opentelemetry,
        },
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=host.settings.max_body_bytes,
        max_json_depth=host.settings.max_json_depth,
        uploads=WEBCHAT_UPLOADS,
        upload_bytes=host.settings.webchat_file_max_bytes,
    )
    app.add_middleware(  # added last, so outermost: webhooks skip the layers above
        WebhookLane,
        bots=host.bots,
        adapters=host.adapters,
        ingest=host.ingest,
        max_bytes=host.settings.max_body_bytes,
        max_json_depth=host.settings.max_json_depth,
    )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", error_type=type(exc).__name__, exc_info=exc)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(OverflowError)
    async def _database_refused(request: Request, exc: Exception) -> JSONResponse:
        """A request's integer that no column can hold is the caller's mistake (422)."""
        if number_out_of_range(exc):
            where = ["body"] if request.method in ("POST", "PUT", "PATCH") else ["query"]
            return JSONResponse(
                {"detail": [{"loc": where, "msg": OUT_OF_RANGE, "type": "value_error"}]},
                status_code=422,
            )
        if store_unavailable(exc):
            log.error("the store refused a write", error_type=type(exc).__name__, exc_info=exc)
            return unavailable()
        return await _unexpected(request, exc)

    app.include_router(
        health_router(
            host.sessions, host.queue, max_pending_age=host.settings.health_max_pending_age
        )
    )
    channels = RouteDeps(
        adapters=host.adapter_deps,
        bots=host.bots,
        apps=host.apps,
        ingest=host.ingest,
        new_limiter=lambda: MemoryRateLimiter(host.adapter_deps.clock),
    )
    for channel_router in channel_routers(channels, every=host.bot_admin is not None):
        app.include_router(channel_router)
    app.include_router(admin_router(host.settings, host.sessions))
    app.include_router(bots_router(host.settings, host.sessions, host.bot_admin))
    for app_type in host.app_types:
        router = app_type.api_router(host.settings, host.sessions)
        if router is not None:
            app.include_router(router)
    install_method_not_allowed(app)
    mount_panel(app, host)  # after: its error pages wrap the 405 handler for other paths
    app.openapi = truthful_openapi(app)  # type: ignore[method-assign]
    return app
