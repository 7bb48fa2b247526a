"""A stand-in for a business service an app calls (a CRM): records every idempotency key.

`POST /orders` creates an order and answers its number; a repeat with the same
`Idempotency-Key` answers the same order and creates none, as an idempotent service does.
`answer_delay` holds the answer after the order is made: a caller killed meanwhile has had
its call done without hearing the result. `hold_answers()` holds every answer until the test
lets it go, so a test can look at what happened while a caller was waiting.
Faults (`fail("orders", status=500, times=2)`, `hang("orders", seconds=3)`) come from the
common stand-in.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from relaybot.testing.standin import StandinServer, read_params, serve_forever


class ServiceStandin(StandinServer):
    name = "service"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.orders: dict[str, dict[str, Any]] = {}  # by idempotency key
        self.answer_delay = 0.0
        self._gate: asyncio.Event | None = None
        self.held = 0
        """Requests waiting at the gate of `hold_answers` right now."""

    def routes(self) -> list[Route]:
        return [Route("/orders", self._create_order, methods=["POST"])]

    def hold_answers(self) -> asyncio.Event:
        """Hold the answers from now on until the returned event is set."""
        self._gate = asyncio.Event()
        return self._gate

    @property
    def keys(self) -> list[str]:
        """The idempotency key of every request received, repeats included, in order."""
        return [c.headers.get("idempotency-key", "") for c in self.calls]

    async def _create_order(self, request: Request) -> Response:
        params = await read_params(request)
        call = self.record("orders", request, params)
        fault = await self.fault_for("orders", params, request)
        if fault is not None:
            call.status = fault.status
            return JSONResponse({"error": fault.description or "failed"}, status_code=fault.status)
        key = request.headers.get("idempotency-key")
        if not key:
            call.status = 400
            return JSONResponse({"error": "an Idempotency-Key header is required"}, 400)
        order = self.orders.get(key)
        if order is None:
            order = {"number": f"CRM-{1000 + len(self.orders) + 1}", **params}
            self.orders[key] = order
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        if self._gate is not None:
            self.held += 1
            try:
                await self._gate.wait()
            finally:
                self.held -= 1
        call.status = 201
        return JSONResponse(order, status_code=201)


if __name__ == "__main__":
    serve_forever(lambda host, port: ServiceStandin(host=host, port=port), __doc__ or "")
