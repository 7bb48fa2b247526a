"""`POST /webhook/{channel}/{bot}`: verify, normalise, store durably, then answer.

Every update a channel pushes comes through here, so the route is served by `WebhookLane`, a
plain ASGI layer at the front of the application, rather than through FastAPI's middleware,
exception and routing layers: those were a tenth of the whole process's time at saturation.
The lane applies the same body limits and response headers itself.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from relaybot.channels.registry import ADAPTERS
from relaybot.config import BotConfig
from relaybot.core.channel import ChannelAdapter, Ingest, WebhookRejected
from relaybot.gateway.headers import add_security_headers
from relaybot.gateway.limits import read_body, replaying
from relaybot.gateway.unavailable import unavailable
from relaybot.runtime import metrics
from relaybot.store.unavailable import store_unavailable

log = structlog.get_logger("relaybot.gateway")

PREFIX = "/webhook/"


class WebhookLane:
    """Serves `POST /webhook/{channel}/{bot}[/{subpath}]`; passes everything else on.

    The adapter verifies and parses the call; its updates go down the one ingest path, and
    the channel gets its answer only once they are stored.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        bots: Mapping[str, BotConfig],
        adapters: Mapping[str, ChannelAdapter],
        ingest: Ingest,
        max_bytes: int,
        max_json_depth: int,
    ) -> None:
        self.app = app
        self.bots = bots
        self.adapters = adapters
        self.ingest = ingest
        self.max_bytes = max_bytes
        self.max_json_depth = max_json_depth
        # One histogram child per channel, found once: `labels()` per call doubles the cost.
        self.timers = {
            name: metrics.WEBHOOK_SECONDS.labels(name) for name in (*ADAPTERS, "unknown")
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _webhook_route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self._serve(route, scope, receive, send)
        finally:
            timer = self.timers.get(route[0]) or self.timers["unknown"]  # bounded label values
            timer.observe(time.perf_counter() - started)

    async def _serve(
        self, route: tuple[str, str, str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        body = await read_body(
            scope, receive, send, max_bytes=self.max_bytes, max_json_depth=self.max_json_depth
        )
        if body is None:
            return
        replay = replaying(body, receive)
        request = Request(scope, replay)
        channel, bot, subpath = route
        response = await self.receive_webhook(channel, bot, request, subpath)
        add_security_headers(response.headers, scope["path"])
        await response(scope, replay, send)

    async def receive_webhook(
        self, channel: str, bot: str, request: Request, subpath: str = ""
    ) -> Response:
        config = self.bots.get(bot)
        adapter = self.adapters.get(bot)
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
        if result.updates:
            try:
                await self.ingest(result.updates)
            except Exception as exc:
                if not store_unavailable(exc):
                    raise
                metrics.UPDATES_REJECTED.labels(channel, "store_unavailable").inc()
                log.error(
                    "update not stored; the channel will send it again", bot=bot, exc_info=exc
                )
                return unavailable()
        return JSONResponse(result.response)


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
