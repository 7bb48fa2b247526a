"""The call runner: makes the calls apps recorded, after their commit, and hands back results.

Each due call is claimed with a lease (a second runner process leaves it alone), made outside
any transaction within `call_timeout`, and retried with exponential backoff while it fails in
a way that may pass (a timeout, a refused connection, a 5xx or 429, a task that raised). Its
result, or its failure after the last attempt (then the row stays as the call's dead letter),
goes into the inbound queue as an update whose id is derived from the call's id, and only
then is the call marked finished. A process killed at any point repeats the call at most, with
the same idempotency key, and the queue drops the repeated result.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import structlog
from sqlalchemy import select, update

from relaybot.config import BotConfig, Settings
from relaybot.core.calls import (
    RESULT_PREFIX,
    CallResult,
    HttpCall,
    TaskCall,
    TaskFunction,
    decode_request,
    result_update_id,
)
from relaybot.core.clock import Clock, SystemClock
from relaybot.core.types import Update
from relaybot.runtime import metrics
from relaybot.runtime.signal import Signal
from relaybot.store.db import SessionMaker, write_lock
from relaybot.store.models import OutgoingCall

log = structlog.get_logger("relaybot.caller")

Deliver = Callable[[Sequence[Update]], Awaitable[list[bool]]]
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRY_STATUSES = frozenset({408, 425, 429})
LEASE_MARGIN = 5.0  # seconds a claim outlives the call's timeout: time to hand back its result


@dataclass(frozen=True)
class _Claimed:
    id: str
    bot: str
    chat_id: str
    user_id: str
    language: str | None
    tag: str
    kind: str
    request: dict[str, Any]
    attempts: int  # this attempt's number, counted when it was claimed
    trace_id: str


@dataclass(frozen=True)
class _Attempt:
    """What one attempt came to: a `result` when the call is finished, else a retryable error."""

    result: CallResult | None
    error: str = ""
    status: int | None = None


class CallRunner:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: SessionMaker,
        bots: Mapping[str, BotConfig],
        tasks: Mapping[str, Mapping[str, TaskFunction]],
        deliver: Deliver,
        clock: Clock | None = None,
        wake: Signal | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.bots = bots
        self.tasks = tasks
        self.deliver = deliver
        self.clock = clock or SystemClock()
        self.wake = wake or Signal()
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._running: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None

    async def run(self, stop: asyncio.Event) -> None:
        log.info("call runner started")
        try:
            while not stop.is_set():
                try:
                    started = await self.tick()
                except Exception:
                    log.exception("call runner tick failed; retrying")
                    started = 0
                if not started:
                    await self.wake.wait(self.settings.poll_interval)
            await self.idle()
        finally:
            await self.close()
        log.info("call runner stopped")

    async def tick(self) -> int:
        """Claim what is due and start it, up to `call_concurrency` at once; how many started."""
        free = self.settings.call_concurrency - len(self._running)
        if free <= 0:
            await asyncio.wait(
                self._running,
                timeout=self.settings.poll_interval,
                return_when=asyncio.FIRST_COMPLETED,
            )
            return 0
        claimed = await self._claim(free)
        for row in claimed:
            task = asyncio.create_task(self._complete(row), name=f"call:{row.id}")
            self._running.add(task)
            task.add_done_callback(self._finished)
        return len(claimed)

    async def idle(self) -> None:
        """Wait for the calls in flight to finish (each is bounded by its timeout)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call failed unexpectedly", error=repr(task.exception()))
        self.wake.notify()  # a slot is free

    async def _claim(self, limit: int) -> list[_Claimed]:
        """Lease up to `limit` due calls; the WHERE is checked again by the UPDATE, so two
        runners never both take one. The attempt is counted as it is claimed: a call that
        kills its process each time still ends in the dead letters."""
        now = self.clock.now()
        free = (OutgoingCall.claimed_until.is_(None)) | (OutgoingCall.claimed_until <= now)
        due = (OutgoingCall.status == "pending", OutgoingCall.next_attempt_at <= now, free)
        async with self.sessions() as session, session.begin():
            await write_lock(session)
            ids = list(
                await session.scalars(
                    select(OutgoingCall.id)
                    .where(*due)
                    .order_by(OutgoingCall.next_attempt_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)  # PostgreSQL: pass over another's picks
                )
            )
            if not ids:
                return []
            rows = await session.execute(
                update(OutgoingCall)
                .where(OutgoingCall.id.in_(ids), *due)
                .values(
                    claimed_until=now + self.settings.call_timeout + LEASE_MARGIN,
                    attempts=OutgoingCall.attempts + 1,
                )
                .returning(
                    OutgoingCall.id,
                    OutgoingCall.bot,
                    OutgoingCall.chat_id,
                    OutgoingCall.user_id,
                    OutgoingCall.language,
                    OutgoingCall.tag,
                    OutgoingCall.kind,
                    OutgoingCall.request,
                    OutgoingCall.attempts,
                    OutgoingCall.trace_id,
                )
                .execution_options(synchronize_session=False)
            )
            return [_Claimed(*r) for r in rows]

    async def _complete(self, row: _Claimed) -> None:
        """One attempt at `row`, then its result handed back or its retry scheduled."""
        structlog.contextvars.bind_contextvars(trace_id=row.trace_id, bot=row.bot)
        try:
            attempt = await self._attempt(row)
            attempts = row.attempts
            result = attempt.result
            if result is None and attempts >= self.settings.call_max_attempts:
                log.error("call failed for good", tag=row.tag, error=attempt.error)
                result = CallResult(
                    call_id=row.id,
                    tag=row.tag,
                    ok=False,
                    status=attempt.status,
                    error=attempt.error,
                    attempts=attempts,
                )
            if result is None:
                await self._retry(row, attempt.error)
                return
            result = msgspec.structs.replace(result, attempts=attempts)
            await self._hand_back(row, result)
            await self._finish(row, result)
        finally:
            structlog.contextvars.unbind_contextvars("trace_id", "bot")

    async def _attempt(self, row: _Claimed) -> _Attempt:
        try:
            request = decode_request(row.kind, row.request)
        except (msgspec.ValidationError, ValueError) as exc:
            return self._refused(row, f"the recorded call cannot be read: {exc}")
        try:
            async with asyncio.timeout(self.settings.call_timeout):
                if isinstance(request, HttpCall):
                    return await self._http_call(row, request)
                return await self._task_call(row, request)
        except TimeoutError:
            error = f"no answer within {self.settings.call_timeout:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # a task that raised: it may pass on the next attempt
            error = f"{type(exc).__name__}: {exc}"
        metrics.CALLS_MADE.labels(row.kind, "failed").inc()
        log.warning("call failed; will retry if attempts remain", tag=row.tag, error=error[:500])
        return _Attempt(None, error[:2000])

    async def _http_call(self, row: _Claimed, request: HttpCall) -> _Attempt:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.settings.call_timeout)
        headers = {**request.headers, IDEMPOTENCY_HEADER: row.id}
        response = await self._http.request(
            request.method.upper(), request.url, json=request.json, headers=headers
        )
        status = response.status_code
        body = _body_of(response)
        if 200 <= status < 300:
            metrics.CALLS_MADE.labels("http", "ok").inc()
            return _Attempt(
                CallResult(call_id=row.id, tag=row.tag, ok=True, status=status, body=body)
            )
        error = f"HTTP {status}"
        if status >= 500 or status in RETRY_STATUSES:
            metrics.CALLS_MADE.labels("http", "failed").inc()
            log.warning("call answered with an error; will retry", tag=row.tag, status=status)
            return _Attempt(None, error, status)
        metrics.CALLS_MADE.labels("http", "refused").inc()
        log.warning("call refused by the service", tag=row.tag, status=status)
        result = CallResult(
            call_id=row.id, tag=row.tag, ok=False, status=status, body=body, error=error
        )
        return _Attempt(result)

    async def _task_call(self, row: _Claimed, request: TaskCall) -> _Attempt:
        task = self.tasks.get(row.bot, {}).get(request.name)
        if task is None:
            return self._refused(row, f"no task named {request.name!r} is registered")
        value = await task(dict(request.args), idempotency_key=row.id)
        try:
            body = msgspec.to_builtins(value)
        except TypeError as exc:
            return self._refused(row, f"task {request.name!r} returned what is not JSON: {exc}")
        metrics.CALLS_MADE.labels("task", "ok").inc()
        return _Attempt(CallResult(call_id=row.id, tag=row.tag, ok=True, body=body))

    def _refused(self, row: _Claimed, error: str) -> _Attempt:
        """A failure no retry can mend: the app is told at once."""
        metrics.CALLS_MADE.labels(row.kind, "refused").inc()
        log.error("call cannot be made", tag=row.tag, error=error)
        return _Attempt(CallResult(call_id=row.id, tag=row.tag, ok=False, error=error))

    async def _hand_back(self, row: _Claimed, result: CallResult) -> None:
        bot = self.bots.get(row.bot)
        if bot is None:
            log.warning("call result has no bot to go to", tag=row.tag)
            return
        upd = Update(
            channel=bot.channel,
            bot=row.bot,
            chat_id=row.chat_id,
            user_id=row.user_id,
            update_id=result_update_id(row.id),
            kind="event",
            payload=f"{RESULT_PREFIX}{row.tag}",
            language=row.language,
            trace_id=row.trace_id,
            raw={"call": msgspec.to_builtins(result)},
        )
        await self.deliver([upd])

    async def _finish(self, row: _Claimed, result: CallResult) -> None:
        """Done, or dead: a failed call's row stays as its dead letter, with the reason."""
        values: dict[str, Any] = {
            "status": "done" if result.ok else "dead",
            "attempts": result.attempts,
            "finished_at": self.clock.now(),
            "claimed_until": None,
            "last_error": result.error,
        }
        await self._update(row, values)

    async def _retry(self, row: _Claimed, error: str) -> None:
        delay = min(
            self.settings.call_backoff_base * 2 ** (row.attempts - 1),
            self.settings.call_backoff_max,
        )
        await self._update(
            row,
            {
                "next_attempt_at": self.clock.now() + delay,
                "claimed_until": None,
                "last_error": error,
            },
        )

    async def _update(self, row: _Claimed, values: dict[str, Any]) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutgoingCall)
                .where(OutgoingCall.id == row.id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )


def _body_of(response: httpx.Response) -> Any:
    """The answer as JSON when it is JSON, else its text."""
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            pass
    return response.text
