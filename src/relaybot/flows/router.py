"""The Router: a bot's whole surface declared in one place, in the order a person meets it.

Handlers are matched in declaration order, nested routers included where they were
included; the first match wins. Fallbacks are tried only when nothing else in the whole tree
matched. A dialog in progress (a flow's state) receives every update except the commands and
buttons declared to interrupt it; leaving it records the outcome "left".
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from relaybot.core.app import Context, DialogState
from relaybot.core.calls import CallResult, check_tag
from relaybot.flows.engine import Flow
from relaybot.flows.payloads import Payload, StalePayload
from relaybot.flows.savepoint import Refused, undoable
from relaybot.flows.words import EXPIRED, REFUSAL, STALE_BUTTON, restarted_flow

P = TypeVar("P", bound=Payload)
Handler = Callable[[Context], Awaitable[None]]
ButtonHandler = Callable[[Context, P], Awaitable[None]]
ResultHandler = Callable[[Context, CallResult], Awaitable[None]]
RoleLookup = Callable[[Context], Awaitable[Collection[str]]]
H = TypeVar("H", bound=Handler)
R = TypeVar("R", bound=RoleLookup)

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")

RefusalAnswer = Callable[[Context, Refused], Awaitable[None]]
A = TypeVar("A", bound=RefusalAnswer)


@dataclass(frozen=True)
class _Guard:
    """Who may use a handler (None: everybody) and what the others are told."""

    roles: frozenset[str] | None = None
    refusal: str | None = None


def _guard(roles: Collection[str] | None, refusal: str | None) -> _Guard:
    if isinstance(roles, str):
        raise TypeError(f"roles must be a collection of role names, not the string {roles!r}")
    return _Guard(None if roles is None else frozenset(roles), refusal)


@dataclass(frozen=True)
class _Command:
    names: frozenset[str]
    words: frozenset[str]
    run: Handler
    guard: _Guard
    interrupts: bool
    flow: Flow | None = None  # set when the command enters this flow


@dataclass(frozen=True)
class _ButtonRoute:
    payload: type[Payload]
    run: Callable[[Context, Any], Awaitable[None]]
    guard: _Guard
    interrupts: bool
    flow: Flow | None = None


@dataclass(frozen=True)
class _TextRoute:
    words: frozenset[str] | None
    pattern: re.Pattern[str] | None
    run: Handler

    def matches(self, text: str) -> bool:
        stripped = text.strip()
        if not stripped:
            return False
        if self.words is not None and stripped.lower() not in self.words:
            return False
        return self.pattern is None or self.pattern.search(stripped) is not None


@dataclass(frozen=True)
class _AttachmentRoute:
    kind: str | None
    run: Handler


@dataclass(frozen=True)
class _ResultRoute:
    tag: str
    run: ResultHandler


@dataclass(frozen=True)
class _Fallback:
    run: Handler
    guard: _Guard
    flow: Flow | None = None


_Route = _Command | _ButtonRoute | _TextRoute | _AttachmentRoute | _ResultRoute | _Fallback


class Router:
    """Commands, typed buttons, text, attachments, flows and a fallback, matched in order.

    `roles` guards every handler of this router (and of routers included in it): the person
    needs one of those roles, and also one of a handler's own `roles=`. `refusal` is what the
    others are told, unless the handler says otherwise; a refused update changes nothing.
    `savepoint` (on the router that dispatches) makes each handler undoable: when it raises
    `Refused`, the database, the dialog state, the journal and the outgoing messages are as
    they were before it (see `flows/savepoint.py`).
    """

    def __init__(
        self,
        *,
        roles: Collection[str] | None = None,
        refusal: str | None = None,
        savepoint: bool = False,
    ) -> None:
        self.roles_required = _guard(roles, refusal).roles
        self.refusal = refusal
        self.savepoint = savepoint
        self._entries: list[_Route | Router] = []
        self._lookup: RoleLookup | None = None
        self._answer: RefusalAnswer | None = None
        self._flows: dict[str, Flow] = {}

    # -- declaring --------------------------------------------------------------------------
    def roles(self, lookup: R) -> R:
        """Decorate `async (ctx) -> Collection[str]`: the roles of the person in this update.

        Routers included in this one use it too unless they declare their own; it runs at
        most once per update, and only when a guarded handler matches.
        """
        self._lookup = lookup
        return lookup

    def refused(self, answer: A) -> A:
        """Decorate `async (ctx, refusal) -> None`: how a missing role, a `Refused` handler or
        a stale button is answered (say, with the app's menu). Without it the text alone is
        said. Included routers use it too unless they declare their own."""
        self._answer = answer
        return answer

    def command(
        self,
        *names: str,
        words: Collection[str] = (),
        roles: Collection[str] | None = None,
        refusal: str | None = None,
        interrupts: bool = True,
    ) -> Callable[[H], H]:
        """Handle "/name" (also "/name@bot" and "/name args": see `Context.args`).

        `words` are typed texts that run the same handler when no dialog is in progress.
        `interrupts`: whether the command leaves a dialog in progress (otherwise the dialog
        receives it).
        """
        command_names = _command_names(names)
        guard = _guard(roles, refusal)
        typed = frozenset(word.strip().lower() for word in words)

        def register(handler: H) -> H:
            self._entries.append(_Command(command_names, typed, handler, guard, interrupts))
            return handler

        return register

    def button(
        self,
        payload: type[P],
        *,
        roles: Collection[str] | None = None,
        refusal: str | None = None,
        interrupts: bool = True,
    ) -> Callable[[ButtonHandler[P]], ButtonHandler[P]]:
        """Handle presses of buttons made by `payload(...).button(label)`; the handler gets
        the unpacked payload. A stale or forged one is answered politely and goes no further;
        so is one the handler itself finds stale (it raises `StalePayload` before changing
        anything).
        """
        if not (isinstance(payload, type) and issubclass(payload, Payload)):
            raise TypeError(f"router.button needs a Payload class, not {payload!r}")
        guard = _guard(roles, refusal)

        def register(handler: ButtonHandler[P]) -> ButtonHandler[P]:
            self._entries.append(_ButtonRoute(payload, handler, guard, interrupts))
            return handler

        return register

    def text(
        self, words: Collection[str] | None = None, pattern: str | re.Pattern[str] | None = None
    ) -> Callable[[H], H]:
        """Handle typed text (not commands, not attachments): any text, one of `words`
        (case-insensitive, the whole message), or text in which `pattern` is found."""
        if isinstance(words, str):
            raise TypeError(f"words must be a collection of words, not the string {words!r}")
        typed = None if words is None else frozenset(w.strip().lower() for w in words)
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern

        def register(handler: H) -> H:
            self._entries.append(_TextRoute(typed, compiled, handler))
            return handler

        return register

    def attachment(self, kind: str | None = None) -> Callable[[H], H]:
        """Handle messages with an attachment of `kind` ("photo", "document", "location"...),
        or with any attachment when no kind is given."""

        def register(handler: H) -> H:
            self._entries.append(_AttachmentRoute(kind, handler))
            return handler

        return register

    def result(self, tag: str) -> Callable[[ResultHandler], ResultHandler]:
        """Handle the result of calls made with `ctx.call(..., tag=tag)`: the handler gets
        the `CallResult`, success or final failure. The dialog in progress stays where it
        is (the handler may move it on); a result nobody handles is dropped quietly."""
        check_tag(tag)

        def register(handler: ResultHandler) -> ResultHandler:
            self._entries.append(_ResultRoute(tag, handler))
            return handler

        return register

    def fallback(self, *, flow: Flow | None = None) -> Callable[[H], H]:
        """Handle what nothing else in the router tree matched. With `flow` (a flow this
        router declares), the handler also gets that flow's buttons pressed when no dialog is
        in progress (a menu's Cancel, an old prompt's choice), as a fallback flow would."""

        def register(handler: H) -> H:
            self._entries.append(_Fallback(handler, _Guard(), flow))
            return handler

        return register

    def flow(
        self,
        flow: Flow,
        *,
        command: str | Sequence[str] | None = None,
        button: type[Payload] | None = None,
        fallback: bool = False,
        roles: Collection[str] | None = None,
        refusal: str | None = None,
    ) -> Flow:
        """Make `flow` a handler: entered by `command`, by a `button` payload (its fields seed
        the flow's data), or as the fallback. While its dialog is in progress it receives the
        updates no interrupting command or button takes."""
        if any(flow.name in r._flows for r in self._routers()):
            raise ValueError(f"router already has a flow named {flow.name!r}")
        self._flows[flow.name] = flow
        guard = _guard(roles, refusal)
        if command is not None:
            names = _command_names((command,) if isinstance(command, str) else tuple(command))

            async def enter(ctx: Context) -> None:
                await flow.start(ctx)

            self._entries.append(_Command(names, frozenset(), enter, guard, True, flow))
        if button is not None:

            async def press(ctx: Context, payload: Payload) -> None:
                await flow.start(ctx, **payload.as_data())

            self._entries.append(_ButtonRoute(button, press, guard, True, flow))
        if fallback:
            self._entries.append(_Fallback(flow.handle, guard, flow))
        return flow

    def include_router(self, router: Router) -> Router:
        """Nest `router` here: its handlers are tried at this point of the declaration order."""
        if any(r is self for r in router._routers()):
            raise ValueError("a router cannot include itself or a router that includes it")
        if any(r is router for r in self._routers()):
            raise ValueError("this router is already included")
        mine = {name for r in self._routers() for name in r._flows}
        clash = mine & {name for r in router._routers() for name in r._flows}
        if clash:
            raise ValueError(f"both routers declare flows named {sorted(clash)}")
        self._entries.append(router)
        return router

    # -- dispatching ------------------------------------------------------------------------
    async def dispatch(self, ctx: Context) -> bool:
        """Route one update; False when nothing matched and there is no fallback."""
        return await _Dispatch(self, ctx).run()

    def _routers(self) -> Iterator[Router]:
        yield self
        for entry in self._entries:
            if isinstance(entry, Router):
                yield from entry._routers()

    def _walk(self, chain: tuple[Router, ...] = ()) -> Iterator[tuple[_Route, tuple[Router, ...]]]:
        """Every route in declaration order, with the routers from the root down to its own."""
        chain = (*chain, self)
        for entry in self._entries:
            if isinstance(entry, Router):
                yield from entry._walk(chain)
            else:
                yield entry, chain

    def _flow_named(self, name: str) -> Flow | None:
        return next((r._flows[name] for r in self._routers() if name in r._flows), None)


def _command_names(names: Sequence[str]) -> frozenset[str]:
    if not names:
        raise ValueError("a command needs at least one name")
    for name in names:
        if not isinstance(name, str) or not _COMMAND_NAME.match(name):
            raise ValueError(
                f"command name {name!r} must be 1-32 lower-case letters, digits or '_', "
                "without the leading '/'"
            )
    return frozenset(names)


class _Dispatch:
    """One update through the router tree: the dialog in progress, roles looked up once."""

    def __init__(self, root: Router, ctx: Context) -> None:
        self.root = root
        self.ctx = ctx
        self.roles: dict[int, frozenset[str]] = {}
        self.active: Flow | None = None

    async def run(self) -> bool:
        ctx = self.ctx
        state = await ctx.storage.load(ctx.update.bot, ctx.update.chat_id)
        self.active = None if state is None else self.root._flow_named(state.flow)
        if self.active is not None and state is not None and _expired(state, ctx):
            await self.active.abandon(ctx, "expired")
            ctx.reply(ctx.t(EXPIRED))
            self.active = None
        if ctx.result is not None:
            return await self._result(ctx.result)
        if ctx.update.payload:
            return await self._button(ctx.update.payload)
        if ctx.command is not None and await self._command(ctx.command):
            return True
        if self.active is not None:
            await self._run((self.root,), partial(self.active.handle, ctx))
            return True
        return await self._message()

    async def _button(self, data: str) -> bool:
        for route, chain in self.root._walk():
            if isinstance(route, _ButtonRoute) and route.payload.matches(data):
                if self.active is not None and not route.interrupts:
                    break
                try:
                    payload = route.payload.unpack(data)
                except StalePayload:
                    await self._stale(chain)
                    return True
                if await self._allowed(route.guard, chain):
                    handler = partial(route.run, self.ctx, payload)
                    await self._run(chain, handler, leaves=True, enters=route.flow)
                return True
        if self.active is not None:
            await self._run((self.root,), partial(self.active.handle, self.ctx))
            return True
        for route, chain in self.root._walk():
            if isinstance(route, _Fallback) and route.flow is not None:
                if await self._allowed(route.guard, chain):
                    await self._run(chain, partial(route.run, self.ctx))
                return True
        restarted = self.root._flow_named(restarted_flow(data) or "")
        if restarted is not None:  # Start again, pressed after the dialog ended
            await self._run((self.root,), partial(restarted.start, self.ctx))
            return True
        await self._stale((self.root,))
        return True

    async def _result(self, result: CallResult) -> bool:
        for route, chain in self.root._walk():
            if isinstance(route, _ResultRoute) and route.tag == result.tag:
                await self._run(chain, partial(route.run, self.ctx, result))
                return True
        return False

    async def _command(self, name: str) -> bool:
        for route, chain in self.root._walk():
            if isinstance(route, _Command) and name in route.names:
                if self.active is not None and not route.interrupts:
                    return False
                if await self._allowed(route.guard, chain):
                    await self._run(
                        chain, partial(route.run, self.ctx), leaves=True, enters=route.flow
                    )
                return True
        return False

    async def _message(self) -> bool:
        update = self.ctx.update
        text = update.text or ""
        lowered = text.strip().lower()
        kinds = {attachment.kind for attachment in update.attachments}
        for route, chain in self.root._walk():
            handler: Handler | None = None
            guard = _Guard()
            if isinstance(route, _AttachmentRoute):
                if kinds and (route.kind is None or route.kind in kinds):
                    handler = route.run
            elif kinds or self.ctx.command is not None:
                continue
            elif isinstance(route, _TextRoute) and route.matches(text):
                handler = route.run
            elif isinstance(route, _Command) and lowered and lowered in route.words:
                handler, guard = route.run, route.guard
            if handler is not None:
                if await self._allowed(guard, chain):
                    await self._run(chain, partial(handler, self.ctx))
                return True
        for route, chain in self.root._walk():
            if isinstance(route, _Fallback):
                if await self._allowed(route.guard, chain):
                    await self._run(chain, partial(route.run, self.ctx))
                return True
        return False

    async def _leave_for(self, target: Flow | None) -> None:
        """Before another handler runs, the dialog in progress is left (or restarted)."""
        if self.active is None:
            return
        await self.active.abandon(self.ctx, "restarted" if self.active is target else "left")
        self.active = None

    async def _run(
        self,
        chain: tuple[Router, ...],
        handler: Callable[[], Awaitable[None]],
        *,
        leaves: bool = False,
        enters: Flow | None = None,
    ) -> None:
        """Run a handler, first leaving the dialog in progress when it `leaves` (for the flow
        it `enters`, if any). A `Refused` one takes back its messages (and, with a savepoint,
        its changes) and is answered."""
        mark, calls = len(self.ctx.outgoing), len(self.ctx.calls)
        self.ctx.handler = handler_name(handler)

        async def act() -> None:
            if leaves:
                await self._leave_for(enters)
            await handler()

        try:
            if self.root.savepoint:
                async with undoable(self.ctx):
                    await act()
            else:
                await act()
        except Refused as refusal:
            del self.ctx.outgoing[mark:]
            del self.ctx.calls[calls:]
            await self._refuse(chain, refusal)
        except StalePayload:  # the handler found that the button names what no longer fits
            del self.ctx.outgoing[mark:]
            del self.ctx.calls[calls:]
            await self._stale(chain)

    async def _refuse(self, chain: tuple[Router, ...], refusal: Refused) -> None:
        answer = next((r._answer for r in reversed(chain) if r._answer is not None), None)
        if answer is None:
            self.ctx.reply(self.ctx.t(refusal.message, **refusal.values))
        else:
            await answer(self.ctx, refusal)

    async def _stale(self, chain: tuple[Router, ...]) -> None:
        await self._refuse(chain, Refused(STALE_BUTTON))

    async def _allowed(self, guard: _Guard, chain: tuple[Router, ...]) -> bool:
        """Whether the person has every role the handler and its routers require; if not,
        they are told so politely and nothing else happens."""
        required = [r.roles_required for r in chain if r.roles_required is not None]
        if guard.roles is not None:
            required.append(guard.roles)
        if not required:
            return True
        held = await self._roles_of(chain)
        if all(held & needed for needed in required):
            return True
        refusal = guard.refusal or next((r.refusal for r in reversed(chain) if r.refusal), REFUSAL)
        await self._refuse(chain, Refused(refusal))
        return False

    async def _roles_of(self, chain: tuple[Router, ...]) -> frozenset[str]:
        lookup = next((r._lookup for r in reversed(chain) if r._lookup is not None), None)
        if lookup is None:
            raise RuntimeError("a handler requires roles but no @router.roles lookup is declared")
        key = id(lookup)
        if key not in self.roles:
            self.roles[key] = frozenset(await lookup(self.ctx))
        return self.roles[key]


def _expired(state: DialogState, ctx: Context) -> bool:
    return state.expires_at is not None and state.expires_at <= ctx.now


def handler_name(handler: Callable[..., object]) -> str:
    """What logs call a handler: its function's qualified name, or the flow it belongs to."""
    while isinstance(handler, partial):
        handler = handler.func
    owner = getattr(handler, "__self__", None)
    if isinstance(owner, Flow):
        return f"flow {owner.name}"
    return getattr(handler, "__qualname__", type(handler).__name__)
