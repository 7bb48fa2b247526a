"""`POST /webhook/{channel}/{bot}`: verify, normalise, store durably, then answer.

Every update a channel pushes comes through here, so the route is served by `WebhookLane`, a
plain ASGI layer at the front of the application, rather than through FastAPI's middleware,
exception and routing layers: those were a tenth of the whole process's time at saturation.
The lane applies the same body limits and response headers itself.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import msgspec
import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from relaybot.channels.registry import ADAPTERS
from relaybot.core.channel import WebhookRejected
from relaybot.gateway.headers import add_security_headers
from relaybot.gateway.limits import read_body, replaying
from relaybot.runtime import metrics

if TYPE_CHECKING:
    from relaybot.system import System

log = structlog.get_logger("relaybot.gateway")

PREFIX = "/webhook/"


def new_trace_id() -> str:
    return secrets.token_hex(8)


async def receive_webhook(
    system: System, channel: str, bot: str, request: Request, subpath: str = ""
) -> Response:
    config = system.bots.get(bot)
    adapter = system.adapters.get(bot)
    if config is None or adapter is None or config.channel != channel:
        label = channel if channel in ADAPTERS else "unknown"  # bounded label values
        metrics.UPDATES_REJECTED.labels(label, "unknown_bot").inc()
        return JSONResponse({"detail": "no such bot"}, status_code=404)
    try:
        result = await adapter.handle_webhook(request, subpath)
    except WebhookRejected as rejected:
        metrics.UPDATES_REJECTED.labels(channel, str(rejected.status)).inc()
        log.info("webhook rejected", bot=bot, status=rejected.status, reason=rejected.detail)
        return JSONResponse({"detail": rejected.detail}, status_code=rejected.status)
    except Exception as exc:  # an adapter that chokes on odd input must not answer 500
        metrics.UPDATES_REJECTED.labels(channel, "unparsable").inc()
        log.error("adapter could not read a webhook call", bot=bot, exc_info=exc)
        return JSONResponse({"detail": "the update could not be read"}, status_code=400)
    screened = await system.guard.screen(result.updates) if result.updates else []
    if screened:
        updates = [
            msgspec.structs.replace(u, trace_id=u.trace_id or new_trace_id()) for u in screened
        ]
        accepted = await system.batcher.submit(updates)
        for upd, is_new in zip(updates, accepted, strict=True):
            if is_new:
                metrics.UPDATES_RECEIVED.labels(upd.channel, upd.bot).inc()
            else:
                metrics.UPDATES_DUPLICATE.labels(upd.bot).inc()
            log.debug("update stored", trace_id=upd.trace_id, bot=upd.bot, duplicate=not is_new)
        if any(accepted):
            system.worker_signal.notify()
    return JSONResponse(result.response)


class WebhookLane:
    """Serves `POST /webhook/{channel}/{bot}[/{subpath}]`; passes everything else on."""

    def __init__(
        self, app: ASGIApp, *, system: System, max_bytes: int, max_json_depth: int
    ) -> None:
        self.app = app
        self.system = system
        self.max_bytes = max_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _webhook_route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        body = await read_body(
            scope, receive, send, max_bytes=self.max_bytes, max_json_depth=self.max_json_depth
        )
        if body is None:
            return
        replay = replaying(body, receive)
        request = Request(scope, replay)
        channel, bot, subpath = route
        response = await receive_webhook(self.system, channel, bot, request, subpath)
        add_security_headers(response.headers, scope["path"])
        await response(scope, replay, send)


def _webhook_route(scope: Scope) -> tuple[str, str, str] | None:
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    path: str = scope["path"]
    if not path.startswith(PREFIX):
        return None
    channel, _, rest = path[len(PREFIX) :].partition("/")
    bot, _, subpath = rest.partition("/")
    if not channel or not bot:
        return None  # not a webhook address: the application answers 404
    return channel, bot, subpath
