"""Calls to other services: what an app asks for, and the result that comes back to it.

An app never awaits a CRM or a payment provider inside a handler: it records the call with
`Context.call`, the update's transaction commits it with the dialog state, and the call runner
makes it afterwards, outside any transaction. Its result returns as an update of its own
(kind "event"), so the dialog goes on in the chat's order. A call may be made more than once
(a process killed mid-call repeats it), always with the same `idempotency_key`; its result
reaches the app once, because the result update's id is derived from the call's id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

import msgspec

from relaybot.core.types import Update

CallKind = Literal["http", "task"]
RESULT_PREFIX = "call:"
_TAG = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})

TaskFunction = Callable[..., Awaitable[Any]]
"""`async def fn(args: dict, *, idempotency_key: str) -> JSON`: a task an app registers in
`App.tasks`; what it returns (JSON-able) is the result's `body`, what it raises a failure."""


class InvalidCall(ValueError):
    """A call an app described wrongly (a bad tag, method or URL): a bug to fix, not to retry."""


class HttpCall(msgspec.Struct, frozen=True, omit_defaults=True):
    """An HTTP request to make after the commit; `json` is the body, if any."""

    method: str
    url: str
    json: Any = None
    headers: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method.upper() not in _METHODS:
            raise InvalidCall(f"HTTP method {self.method!r} is not one of {sorted(_METHODS)}")
        if not self.url.startswith(("http://", "https://")):
            raise InvalidCall(f"URL {self.url!r} must start with http:// or https://")


class TaskCall(msgspec.Struct, frozen=True, omit_defaults=True):
    """A task the app registered under `name` in `App.tasks`, run with JSON `args`."""

    name: str
    args: dict[str, Any] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name:
            raise InvalidCall("a task call needs the name of a registered task")


class PendingCall(msgspec.Struct, frozen=True):
    """A call recorded by a handler, written with the update's transaction."""

    id: str
    tag: str
    request: HttpCall | TaskCall

    @property
    def kind(self) -> CallKind:
        return "http" if isinstance(self.request, HttpCall) else "task"


class CallResult(msgspec.Struct, frozen=True, omit_defaults=True):
    """How a call ended: `ok` with the service's answer, or its final failure.

    `status` is the HTTP status (None for a task or when no answer came); `body` the answer's
    JSON (or text) or a task's return value; `error` says why a failed call failed.
    """

    call_id: str
    tag: str
    ok: bool
    status: int | None = None
    body: Any = None
    error: str | None = None
    attempts: int = 1


def call_id(bot: str, update_id: str, index: int) -> str:
    """The same update always records the same calls: a stable id, also the idempotency key."""
    digest = hashlib.sha256(f"{bot}\0{update_id}\0{index}".encode()).hexdigest()
    return digest[:32]


def check_tag(tag: str) -> str:
    if not isinstance(tag, str) or not _TAG.match(tag):
        raise InvalidCall(f"call tag {tag!r} must be 1-64 letters, digits, '_', '.' or '-'")
    return tag


def result_update_id(call: str) -> str:
    """The result update's id: a second result of the same call is a repeat the queue drops."""
    return f"{RESULT_PREFIX}{call}"


def result_of(update: Update) -> CallResult | None:
    """The call result an update carries, or None for any other update."""
    if update.kind != "event" or not (update.payload or "").startswith(RESULT_PREFIX):
        return None
    raw = update.raw.get("call")
    if not isinstance(raw, Mapping):
        return None
    try:
        return msgspec.convert(raw, CallResult)
    except msgspec.ValidationError:
        return None


def encode_request(request: HttpCall | TaskCall) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(request)
    return data


def decode_request(kind: str, data: Mapping[str, Any]) -> HttpCall | TaskCall:
    target: type[HttpCall] | type[TaskCall] = HttpCall if kind == "http" else TaskCall
    return msgspec.convert(dict(data), target)
