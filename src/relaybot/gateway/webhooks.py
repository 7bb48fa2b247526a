"""`POST /webhook/{channel}/{bot}`: verify, normalise, store durably, then answer."""

from __future__ import annotations

import secrets

import msgspec
import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from relaybot.channels.registry import ADAPTERS
from relaybot.core.channel import WebhookRejected
from relaybot.runtime import metrics
from relaybot.system import System

log = structlog.get_logger("relaybot.gateway")


def new_trace_id() -> str:
    return secrets.token_hex(8)


def webhook_router(system: System) -> APIRouter:
    router = APIRouter(tags=["webhooks"])

    async def receive(channel: str, bot: str, request: Request, subpath: str = "") -> Response:
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

    async def endpoint(request: Request) -> Response:
        # A plain Starlette route: every update passes here, and FastAPI's dependency
        # solving and response handling were a twentieth of the whole process's time.
        path = request.path_params
        return await receive(path["channel"], path["bot"], request, path.get("subpath", ""))

    router.add_route("/webhook/{channel}/{bot}", endpoint, methods=["POST"])
    router.add_route("/webhook/{channel}/{bot}/{subpath:path}", endpoint, methods=["POST"])
    return router
