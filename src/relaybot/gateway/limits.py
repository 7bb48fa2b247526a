"""Request body limits as pure ASGI middleware, checked before any handler or parser runs.

Oversize bodies get 413; JSON nested deeper than `max_json_depth` gets 400, because Python's
and msgspec's parsers recurse and a few hundred kilobytes of `[[[[...` would otherwise reach
them as a RecursionError (a 500) on whichever endpoint parses it.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'[]{}"')))
_SQUARE = bytes.maketrans(b"{}", b"[]")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when brackets outside strings nest deeper than `limit`, unclosed ones included.

    Only C-speed bytes operations: escapes and strings are cut out, what is left is brackets,
    and each pass of `replace` removes one level of innermost pairs.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    skeleton = _ESCAPE.sub(b"", body).translate(None, _NOT_STRUCTURE)
    skeleton = _STRING.sub(b"", skeleton).translate(_SQUARE, b'"')
    too_deep = b"[" * (limit + 1)
    for _ in range(limit):
        if too_deep in skeleton:
            return True
        if b"[]" not in skeleton:
            break
        skeleton = skeleton.replace(b"[]", b"")
    return b"[]" in skeleton or skeleton.count(b"[") > limit


class BodyLimitMiddleware:
    """`uploads` are the paths whose body is a file, not JSON: bounded by `upload_bytes`
    instead, and never read as brackets."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        max_json_depth: int = 64,
        uploads: re.Pattern[str] | None = None,
        upload_bytes: int = 0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_depth = max_json_depth
        self.uploads = uploads
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        upload = self.uploads is not None and self.uploads.fullmatch(scope.get("path", ""))
        body = await read_body(
            scope,
            receive,
            send,
            max_bytes=self.upload_bytes if upload else self.max_bytes,
            max_json_depth=self.max_json_depth,
            json=not upload,
        )
        if body is None:
            return
        await self.app(scope, replaying(body, receive), send)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands out the already-read body first, then the connection's events."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def read_body(
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    max_bytes: int,
    max_json_depth: int,
    json: bool = True,
) -> bytes | None:
    """The whole request body, or None when it was refused (the answer is sent already)."""
    declared = dict(scope.get("headers", [])).get(b"content-length")
    if declared is not None:
        try:
            too_big = int(declared) > max_bytes
        except ValueError:
            await _reject(send, 400, b'{"detail":"invalid Content-Length"}')
            return None
        if too_big:
            await _reject(send, 413, b'{"detail":"request body too large"}')
            return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            await _reject(send, 413, b'{"detail":"request body too large"}')
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if json and json_depth_exceeds(body, max_json_depth):
        await _reject(send, 400, b'{"detail":"JSON nested too deeply"}')
        return None
    return body


async def _reject(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


OUT_OF_RANGE = "a number in the request is too large or too small"


def number_out_of_range(exc: BaseException) -> bool:
    """True when a request's integer did not fit the database's column (SQLite: Python's
    OverflowError; PostgreSQL via asyncpg: "value out of int64 range"). Routes declare `int`,
    which has no bound, so any of them can meet this; it is the caller's mistake, a 422."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OverflowError):
            return True
        text = str(current)
        if "out of int" in text and "range" in text:
            return True
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else current.__cause__ or current.__context__
        )
    return False
