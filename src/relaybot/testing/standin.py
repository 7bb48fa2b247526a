"""The common part of the messenger stand-ins: a real HTTP server that records and misbehaves.

A stand-in speaks one messenger's documented wire format on loopback. It records every call
with its arrival time and can be told to answer the next calls with an error (429 with
`retry_after`, 5xx, 403) or to hang. It runs inside a test's event loop (`async with`) or as
its own process (`python -m relaybot.testing.telegram_standin --port 8082`); in both cases
`/_standin/...` exposes the record and the faults over HTTP for tests in other processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.parser
import email.policy
import json
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class Call:
    """One request the stand-in received: `method` is the API method or route name."""

    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Fault:
    """Answer the next `times` matching calls with `status` (or hang for `hang` seconds)."""

    method: str | None = None
    status: int = 500
    times: int = 1
    retry_after: float | None = None
    hang: float | None = None
    description: str | None = None
    match: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.times <= 0 or (self.method is not None and self.method != method):
            return False
        return all(str(params.get(k)) == v for k, v in self.match.items())


async def read_params(request: Request) -> dict[str, Any]:
    """Query string plus a JSON, urlencoded or multipart body, as one dict."""
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if not body:
        return params
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        data = json.loads(body)
        if isinstance(data, dict):
            params.update(data)
        else:
            params["_body"] = data
    elif "multipart/form-data" in content_type:
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            if part.get_filename():
                params[name] = {"filename": part.get_filename(), "size": len(part.get_content())}
            else:
                params[name] = part.get_content()
    else:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params


def bind_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class StandinServer:
    """Base class: subclasses add their routes in `routes()` and call `record`/`fault_for`."""

    name = "standin"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self._changed = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self.stopping = False
        self.app = Starlette(routes=[*self._control_routes(), *self.routes()])

    # -- for subclasses ---------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return []

    def record(self, method: str, request: Request, params: dict[str, Any]) -> Call:
        headers = {k.lower(): v for k, v in request.headers.items()}
        call = Call(method, request.url.path, params, headers, time.time())
        self.calls.append(call)
        self.changed()
        return call

    def changed(self) -> None:
        """Wake whoever waits for a call or a message."""
        self._changed.set()

    async def fault_for(
        self, method: str, params: dict[str, Any], request: Request | None = None
    ) -> Fault | None:
        """The first programmed fault for this call, consumed; a hang sleeps here.

        A caller that gave up during the hang (its timeout) gets nothing done: the call is
        answered 499 and has no effect, like a request lost on the way.
        """
        for fault in self.faults:
            if fault.matches(method, params):
                fault.times -= 1
                if fault.hang is not None:
                    await asyncio.sleep(fault.hang)
                    if request is not None and await request.is_disconnected():
                        return Fault(method, status=499, description="the caller went away")
                    if fault.status == 0:
                        return None
                return fault
        return None

    def spawn(self, coro: Awaitable[Any]) -> None:
        """A background task the stand-in keeps a reference to and cancels on stop."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- programming faults -----------------------------------------------------------------
    def fail(
        self,
        method: str | None = None,
        *,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
        description: str | None = None,
        **match: object,
    ) -> Fault:
        """Answer the next `times` calls of `method` (any, if None) with an error."""
        fault = Fault(
            method,
            status=status,
            times=times,
            retry_after=retry_after,
            description=description,
            match={k: str(v) for k, v in match.items()},
        )
        self.faults.append(fault)
        return fault

    def hang(self, method: str | None = None, *, seconds: float, times: int = 1) -> Fault:
        """Hold the next `times` calls for `seconds` before answering normally."""
        fault = Fault(method, status=0, times=times, hang=seconds)
        self.faults.append(fault)
        return fault

    # -- reading the record -----------------------------------------------------------------
    def calls_to(self, method: str, **match: object) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and all(str(c.params.get(k)) == str(v) for k, v in match.items())
        ]

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 5.0) -> None:
        """Wait until `predicate()` holds; it is re-checked whenever a call arrives."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.25):
                        await self._changed.wait()

    # -- serving ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="off",
            loop="none",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        for _ in range(500):
            if self._server.started:
                return
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        raise RuntimeError(f"{self.name} stand-in did not start within 5 s")

    async def stop(self) -> None:
        self.stopping = True
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await asyncio.wait_for(self._task, timeout=10)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- control over HTTP, for tests in another process -------------------------------------
    def _control_routes(self) -> list[Route]:
        async def list_calls(request: Request) -> Response:
            method = request.query_params.get("method")
            calls = [c.to_json() for c in self.calls if method is None or c.method == method]
            return JSONResponse({"calls": calls})

        async def clear_calls(_request: Request) -> Response:
            self.calls.clear()
            return JSONResponse({"ok": True})

        async def add_fault(request: Request) -> Response:
            body = await request.json()
            fault = Fault(
                body.get("method"),
                status=int(body.get("status", 500)),
                times=int(body.get("times", 1)),
                retry_after=body.get("retry_after"),
                hang=body.get("hang"),
                description=body.get("description"),
                match={k: str(v) for k, v in (body.get("match") or {}).items()},
            )
            self.faults.append(fault)
            return JSONResponse({"ok": True})

        async def clear_faults(_request: Request) -> Response:
            self.faults.clear()
            return JSONResponse({"ok": True})

        return [
            Route("/_standin/calls", list_calls, methods=["GET"]),
            Route("/_standin/calls", clear_calls, methods=["DELETE"]),
            Route("/_standin/faults", add_fault, methods=["POST"]),
            Route("/_standin/faults", clear_faults, methods=["DELETE"]),
            *self.control_routes(),
        ]

    def control_routes(self) -> list[Route]:
        return []


def serve_forever(standin_factory: Callable[[str, int], StandinServer], description: str) -> None:
    """`python -m relaybot.testing.<x>_standin --port N`: serve until interrupted."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    async def main() -> None:
        standin = standin_factory(args.host, args.port)
        await standin.start()
        print(f"{standin.name} stand-in listening on {standin.url}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await standin.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
