"""The web chat's doors: a page, a small JSON API and a WebSocket, scoped to the visitor.

A visitor is known only by an unguessable cookie. Everything a request can read or write is
filtered by the chat id behind that cookie, so one browser never sees another's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, JsonValue
from starlette.requests import HTTPConnection

from relaybot.channels.registry import RouteDeps
from relaybot.channels.webchat import files, store
from relaybot.channels.webchat.clientid import checked_client_id
from relaybot.channels.webchat.live import SocketCounter, WebchatHub
from relaybot.channels.webchat.origins import origin_allowed
from relaybot.core.channel import Limit
from relaybot.core.i18n import normalize_locale, translator
from relaybot.core.types import Update

COOKIE = "relaybot_session"
MAX_ID = 2**62
STATIC = Path(__file__).resolve().parent / "static"
LIVE_REREAD_SECONDS = 2.0
_PROBLEM: dict[str, Any] = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            }
        }
    }
}
_NO_SESSION: dict[int | str, dict[str, Any]] = {
    403: {**_PROBLEM, "description": "No web chat session (or a foreign Origin)."}
}
_NO_BOT: dict[int | str, dict[str, Any]] = {
    404: {**_PROBLEM, "description": "No web chat bot of that name."}
}
_REFUSED_TEXT: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "The body does not match the schema, or its id or text is not usable.",
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/HTTPValidationError"},
                        _PROBLEM["content"]["application/json"]["schema"],
                    ]
                }
            }
        },
    }
}


class OutgoingText(BaseModel):
    """What the page posts: a client-made id (for safe retries), text or a button payload.

    The id and the text's length (`webchat_max_text`) are checked by the route, which says
    in words what is wrong with them.
    """

    id: JsonValue = None
    text: str = ""
    payload: str | None = Field(default=None, max_length=256)
    locale: str | None = Field(default=None, max_length=16)
    files: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list,
        max_length=files.PER_MESSAGE,
        description="ids of files this visitor uploaded to this bot, sent with the text",
    )


class UploadedFile(BaseModel):
    """A file the web chat kept (`POST /chat/api/{bot}/files`)."""

    id: str
    kind: str = Field(description="photo or document")
    mime_type: str = Field(description="the type its content is, as it is served")
    name: str
    size: int = Field(ge=1)
    url: str = Field(description="where this visitor's page reads it")


class MessageProgress(BaseModel):
    """Where one message the visitor sent stands (`GET /chat/api/{bot}/messages/{id}`)."""

    id: str = Field(description="the page's client id of the message")
    handled: bool = Field(description="the bot has processed it and committed what it did")
    settled: bool = Field(
        description="handled, and every reply then due in this chat is in the history"
    )
    last_id: int = Field(ge=0, description="the newest history id of this chat with this bot")


class Problem(BaseModel):
    detail: str


def _problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    reasons = {
        403: "no web chat session (open the page first), or an origin not allowed",
        404: "no such web chat bot, or nothing of this session under that id",
        413: "the file is larger than the web chat accepts",
        415: "the file's content is not of a type the web chat accepts",
        422: "a malformed id or request",
        429: "too many files in this chat",
    }
    answers: dict[int | str, dict[str, object]] = {
        status: {"model": Problem, "description": reasons[status]} for status in statuses
    }
    if 422 in statuses:  # the route's own sentence, or FastAPI's list of invalid fields
        answers[422] = {**_REFUSED_TEXT[422], "description": reasons[422]}
    return answers


def webchat_router(deps: RouteDeps) -> APIRouter:
    """The page at `/`, the API under `/chat/api/`, the socket at `/chat/ws`, the page's files."""
    router = APIRouter(tags=["web chat"])
    settings = deps.adapters.settings
    sessions = deps.adapters.sessions
    hub: WebchatHub = deps.adapters.hub
    ingest = deps.ingest
    max_text = settings.webchat_max_text
    page_html = _page(max_text)

    def webchat_bots() -> list[str]:
        return [name for name, bot in deps.bots.items() if bot.channel == "webchat"]

    new_sessions = deps.new_limiter()
    per_minute = settings.webchat_sessions_per_minute

    def origin_ok(connection: HTTPConnection) -> bool:
        return origin_allowed(
            connection.headers.get("origin"),
            settings.public_url,
            port=settings.port,
            host_header=connection.headers.get("host"),
            scheme=connection.url.scheme,
        )

    known = store.SessionCache(sessions)
    kept = files.FileStore(
        sessions,
        settings.webchat_files_dir,
        max_bytes=settings.webchat_file_max_bytes,
        per_chat=settings.webchat_files_per_chat,
    )
    sockets = SocketCounter(
        per_visitor=settings.webchat_sockets_per_visitor,
        per_address=settings.webchat_sockets_per_address,
    )

    async def visitor_of(request: Request) -> store.Visitor:
        visitor = await known.find(request.cookies.get(COOKIE))
        if visitor is None:
            raise HTTPException(403, "no valid web chat session: open the chat page first")
        return visitor

    def set_cookie(response: Response, token: str, secure: bool) -> None:
        response.set_cookie(
            COOKIE,
            token,
            max_age=180 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> Response:
        response = HTMLResponse(page_html, headers=_PAGE_HEADERS)
        if await known.find(request.cookies.get(COOKIE)) is None:
            client = request.client.host if request.client else "unknown"
            limit = Limit(f"session:{client}", per_minute / 60.0, per_minute)
            if await new_sessions.reserve([limit]) > 0:
                return HTMLResponse(_TOO_MANY_VISITORS, status_code=429, headers=_PAGE_HEADERS)
            token, _visitor = await store.create_session(sessions)
            secure = (settings.public_url or "").startswith("https://")
            set_cookie(response, token, secure)
        return response

    @router.get("/chat/api/bots", responses=_NO_SESSION)
    async def bots(
        request: Request, locale: str | None = Query(None, max_length=16)
    ) -> JSONResponse:
        await visitor_of(request)
        t = translator(normalize_locale(locale, settings.default_locale))
        result = []
        for name in webchat_bots():
            app = deps.apps[name]
            bot = deps.bots[name]
            result.append(
                {
                    "name": name,
                    "title": bot.title or t(app.title),
                    "description": t(app.description),
                }
            )
        return JSONResponse({"bots": result})

    @router.get("/chat/api/{bot}/history", responses={**_NO_SESSION, **_NO_BOT})
    async def bot_history(
        bot: str, request: Request, after: int = Query(0, ge=0, le=MAX_ID)
    ) -> JSONResponse:
        visitor = await visitor_of(request)
        if bot not in webchat_bots():
            raise HTTPException(404, "no such web chat bot")
        items = await store.history(sessions, chat_id=visitor.chat_id, bot=bot, after=after)
        menu = await store.menus(sessions, chat_id=visitor.chat_id, bots={bot})
        return JSONResponse({"messages": items, "menu": menu[bot]})

    @router.post(
        "/chat/api/{bot}/messages",
        status_code=202,
        responses={**_NO_SESSION, **_NO_BOT, **_REFUSED_TEXT},
    )
    async def post_message(bot: str, body: OutgoingText, request: Request) -> JSONResponse:
        if not origin_ok(request):
            raise HTTPException(403, "origin not allowed")
        visitor = await visitor_of(request)
        if bot not in webchat_bots():
            raise HTTPException(404, "no such web chat bot")
        try:
            client_id = checked_client_id(body.id)
        except ValueError as problem:
            raise HTTPException(422, str(problem)) from None
        text = body.text.strip()
        if not text and not body.payload and not body.files:
            raise HTTPException(422, "send some text, a file or press a button")
        if len(text) > max_text:
            raise HTTPException(
                422, f"the message is too long: {len(text)} characters, at most {max_text}"
            )
        try:
            attached = await kept.owned(chat_id=visitor.chat_id, bot=bot, ids=body.files)
        except LookupError:
            raise HTTPException(422, "a file of the message was not sent to this chat") from None
        attachments = tuple(f.attachment(text) for f in attached)
        update = Update(
            channel="webchat",
            bot=bot,
            chat_id=visitor.chat_id,
            user_id=visitor.chat_id,
            update_id=f"{visitor.chat_id}:{client_id}",
            kind="button" if body.payload else "message",
            text=text,
            payload=body.payload,
            attachments=() if body.payload else attachments,
            language=body.locale,
            received_at=time.time(),
        )
        screened = await ingest.screen([update])
        if [u.update_id for u in screened] != [update.update_id]:
            # Over the flood limit: acknowledged, not recorded; a notice may stand in for it.
            await ingest.store(screened)
            return JSONResponse(
                {"accepted": False, "duplicate": False, "throttled": True}, status_code=202
            )
        # The visitor's line goes into the history before the update can reach the worker,
        # so the bot's answer is always shown after it.
        fresh = await store.add_incoming(
            sessions,
            chat_id=visitor.chat_id,
            bot=bot,
            client_id=client_id,
            text=text,
            media=[msgspec.to_builtins(a) for a in update.attachments],
        )
        (accepted,) = await ingest.store(screened)
        hub.publish(visitor.chat_id)
        return JSONResponse({"accepted": accepted, "duplicate": not fresh}, status_code=202)

    @router.post(
        "/chat/api/{bot}/files",
        status_code=201,
        response_model=UploadedFile,
        responses=_problems(403, 404, 413, 415, 422, 429),
        summary="Keep a photo or document to send with a message",
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": f"the file itself: {files.ACCEPTED_WORDS}",
                "content": {
                    mime: {"schema": {"type": "string", "format": "binary"}}
                    for mime in files.ACCEPTED
                },
            }
        },
    )
    async def upload(
        bot: str, request: Request, name: str | None = Query(None, max_length=255)
    ) -> UploadedFile:
        """The body is the file; its type is what its content is, whatever it is called."""
        if not origin_ok(request):
            raise HTTPException(403, "origin not allowed")
        visitor = await visitor_of(request)
        if bot not in webchat_bots():
            raise HTTPException(404, "no such web chat bot")
        try:
            stored = await kept.keep(
                chat_id=visitor.chat_id, bot=bot, name=name, content=await request.body()
            )
        except files.FileRefused as refused:
            raise HTTPException(refused.status, refused.detail) from None
        return UploadedFile(**stored.as_json())

    @router.get(
        "/chat/api/files/{file_id}",
        response_class=Response,
        responses={
            200: {
                "description": "the file, as the type its content is",
                "content": {m: {} for m in files.ACCEPTED},
            },
            **_problems(403, 404),
        },
        summary="A file of this visitor's chats",
    )
    async def read_file(file_id: str, request: Request) -> Response:
        """Only to a chat the file was sent from or shown in; any other asker gets 404."""
        visitor = await visitor_of(request)
        found = await kept.readable(chat_id=visitor.chat_id, file_id=file_id)
        if found is None:
            raise HTTPException(404, "no such file in your chats")
        stored, path = found
        return FileResponse(
            path,
            media_type=stored.mime_type,
            filename=stored.name,
            content_disposition_type="inline" if stored.kind == "photo" else "attachment",
            headers=_FILE_HEADERS,
        )

    @router.get(
        "/chat/api/{bot}/messages/{client_id}",
        response_model=MessageProgress,
        responses=_problems(403, 404, 422),
        summary="How far a message the visitor sent has gone",
    )
    async def message_progress(bot: str, client_id: str, request: Request) -> MessageProgress:
        """Lets a client wait for exactly the answer to its message instead of for silence."""
        visitor = await visitor_of(request)
        if bot not in webchat_bots():
            raise HTTPException(404, "no such web chat bot")
        try:
            checked = checked_client_id(client_id)
        except ValueError as problem:
            raise HTTPException(422, str(problem)) from None
        found = await store.progress(sessions, chat_id=visitor.chat_id, bot=bot, client_id=checked)
        if found is None:
            raise HTTPException(404, "this chat sent no message with that id")
        return MessageProgress(
            id=found.client_id, handled=found.handled, settled=found.settled, last_id=found.last_id
        )

    @router.websocket("/chat/ws")
    async def live(websocket: WebSocket) -> None:
        if not origin_ok(websocket):
            await websocket.close(code=4403, reason="origin not allowed")
            return
        visitor = await known.find(websocket.cookies.get(COOKIE))
        if visitor is None:
            await websocket.close(code=4403, reason="no valid web chat session")
            return
        client = websocket.client.host if websocket.client else "unknown"
        if not sockets.open(visitor.chat_id, client):
            await _deny(websocket, 429, "too many live connections")
            return
        try:
            await _serve_live(websocket, visitor)
        finally:
            sockets.close(visitor.chat_id, client)

    async def _serve_live(websocket: WebSocket, visitor: store.Visitor) -> None:
        await websocket.accept()
        after = _cursor(websocket.query_params.get("after"))
        reader = asyncio.create_task(_drain(websocket))
        try:
            async with hub.listen(visitor.chat_id) as wake:
                while not reader.done():
                    items = await store.history(
                        sessions, chat_id=visitor.chat_id, bot=None, after=after
                    )
                    if items:
                        after = items[-1]["id"]
                        # A bot's message may have changed its menu: the new one comes along.
                        said = {m["bot"] for m in items if m["direction"] == "out"}
                        menus = await store.menus(sessions, chat_id=visitor.chat_id, bots=said)
                        pushed = {"messages": items, "menus": menus}
                        await websocket.send_text(msgspec.json.encode(pushed).decode())
                        continue
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(LIVE_REREAD_SECONDS):
                            await wake.wait()
                    wake.clear()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(Exception):
                await reader

    router.add_api_route("/static/{name}", _static, methods=["GET"], include_in_schema=False)
    return router


async def _deny(websocket: WebSocket, status: int, detail: str) -> None:
    """Refuse a handshake with a real HTTP status where the server can send one."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(JSONResponse({"detail": detail}, status_code=status))
    else:
        await websocket.close(code=4000 + status, reason=detail)


def _cursor(raw: str | None) -> int:
    """The `after` of a live connection; anything that is not a sane id starts from 0."""
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return 0
    return int(raw)


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the page sends, so a closed socket is noticed at once."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


_TOO_MANY_VISITORS = (
    "<!doctype html><title>Please wait</title>"
    "<p>Too many new chats were opened from your address. Please try again in a minute.</p>"
)
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, max-age=86400",
}
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _page(max_text: int) -> str:
    """The chat page, its message box as long as the API accepts."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    return html.replace("{max_text}", str(max_text))


async def _static(name: str) -> Response:
    path = (STATIC / name).resolve()
    if path.parent != STATIC or path.suffix not in _STATIC_TYPES or not path.is_file():
        raise HTTPException(404, "not found")
    return Response(
        path.read_bytes(),
        media_type=_STATIC_TYPES[path.suffix],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
