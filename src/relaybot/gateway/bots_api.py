"""`/api/bots`: the stored bots over REST, for admin API tokens (readers may list them).

The gateway does not change bots itself: the process hands it a `BotAdmin` (relaybot's
`BotManager`), the same object `relaybot bots ...` uses, so both validate, store, audit and
announce a change alike. Every secret in an answer is masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model

from relaybot.config import Settings
from relaybot.core.bots import BOT_NAME_PATTERN, BUNDLED_APPS
from relaybot.gateway.bot_bodies import HTTP_URL, bot_bodies, options_model, parsed_body
from relaybot.security.auth import Authenticator, Principal
from relaybot.store.bots import BotInvalid, BotProblem, BotUnavailable
from relaybot.store.db import SessionMaker

ChannelName = Literal["webchat", "telegram", "mattermost", "chat2desk"]
Mode = Literal["webhook", "polling"]
BotName = Annotated[str, Path(pattern=BOT_NAME_PATTERN, description="The bot's name.")]


class Outcome(Protocol):
    @property
    def bot(self) -> dict[str, Any]: ...

    @property
    def notes(self) -> list[str]: ...


class Found(Protocol):
    @property
    def ok(self) -> bool: ...

    @property
    def message(self) -> str: ...


class BotAdmin(Protocol):
    """What the routes need of the process's bot manager."""

    async def listing(self) -> list[dict[str, Any]]: ...

    async def show(self, name: str) -> dict[str, Any]: ...

    async def add(self, fields: dict[str, Any], *, actor: str, channel: str) -> Outcome: ...

    async def update(
        self,
        name: str,
        changes: dict[str, Any],
        *,
        remove_options: Iterable[str] = (),
        actor: str,
        channel: str,
    ) -> Outcome: ...

    async def set_enabled(
        self, name: str, enabled: bool, *, actor: str, channel: str
    ) -> Outcome: ...

    async def remove(self, name: str, *, actor: str, channel: str) -> list[str]: ...

    async def check(self, name: str) -> Found: ...


class BotChangeBase(BaseModel):
    """Only the fields given change; `options` are merged into the bot's options."""

    model_config = ConfigDict(extra="forbid", strict=True)

    channel: ChannelName | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    token: str | None = Field(default=None, min_length=1, max_length=4096)
    webhook_secret: str | None = Field(default=None, min_length=1, max_length=256)
    mode: Mode | None = None
    api_base: str | None = Field(
        default=None, min_length=1, max_length=500, pattern=HTTP_URL, description="An http(s) URL."
    )
    remove_options: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=100
    )


class BotOut(BaseModel):
    name: str
    app: str
    channel: str
    title: str | None
    mode: Mode
    api_base: str | None
    token: str | None = Field(description="Masked: the bot id of a Telegram token, else ***.")
    webhook_secret: str | None = Field(description="Masked.")
    options: dict[str, JsonValue] = Field(description="Secret options masked.")
    enabled: bool
    source: Literal["database", "relaybot.toml", "bundled"]
    revision: int | None
    created_at: str | None
    updated_at: str | None
    changed_by: str | None


class BotChanged(BaseModel):
    bot: BotOut
    notes: list[str] = Field(description="What else happened (setWebhook, a generated secret).")


class Removed(BaseModel):
    notes: list[str]


class CheckOut(BaseModel):
    ok: bool = Field(description="Whether the channel accepted the bot's credentials.")
    message: str


class Problem(BaseModel):
    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(BaseModel):
    detail: list[FieldError]


AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No token, or a token that is not valid."},
    403: {"model": Problem, "description": "The token's role may not do this."},
    429: {"model": Problem, "description": "Too many failed sign-ins from this address."},
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": Invalid, "description": "A field is missing or wrong; `loc` names it."}
}
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such bot in the database."}
}
TAKEN: dict[int | str, dict[str, Any]] = {
    409: {
        "model": Problem,
        "description": "The name is taken, or the bot is defined in relaybot.toml.",
    }
}
CHANGE_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": Problem,
        "description": "The bot is defined in relaybot.toml, or the change would leave it "
        "without what its channel or app needs; `detail` names the field.",
    }
}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": Problem, "description": "This process manages no stored bots."}
}


def _refused(problem: BotProblem) -> JSONResponse:
    if problem.status == 422:
        field = problem.field or "body"
        message = problem.message.removeprefix(f"{field}: ")
        error = {"loc": ["body", *field.split(".")], "msg": message, "type": "value_error"}
        return JSONResponse({"detail": [error]}, status_code=422)
    return JSONResponse({"detail": problem.message}, status_code=problem.status)


def _changed(outcome: Outcome, status: int = 200) -> JSONResponse:
    return JSONResponse({"bot": outcome.bot, "notes": outcome.notes}, status_code=status)


def change_body(apps: tuple[str, ...]) -> type[BaseModel]:
    """A change names its app from the same list as a new bot."""
    named: Any = Literal[apps]
    options: Any = options_model(None)  # the bot's channel checks them once merged
    return create_model(
        "BotChange",
        __base__=BotChangeBase,
        app=(named | None, None),
        options=(options | None, Field(default=None, description="Merged into the bot's.")),
    )


def bots_router(settings: Settings, sessions: SessionMaker, admin: BotAdmin | None) -> APIRouter:
    apps = (*BUNDLED_APPS, *(a for a in settings.api_apps if a not in BUNDLED_APPS))
    bodies = bot_bodies(apps)
    BotChange = change_body(apps)
    auth = Authenticator(settings, sessions)
    changer = Depends(auth.admin("admin"))
    reader = Depends(auth.admin("admin", "operator", "readonly"))
    router = APIRouter(
        prefix="/api/bots", tags=["bots"], responses={**AUTH, **INVALID, **UNAVAILABLE}
    )

    def manager() -> BotAdmin:
        if admin is None:
            raise BotUnavailable("this process manages no stored bots")
        return admin

    @router.get("", response_model=list[BotOut], summary="Every bot")
    async def list_bots(_who: Principal = reader) -> Response:
        """The bots of relaybot.toml, the bundled web chat bots and the stored ones."""
        try:
            return JSONResponse(await manager().listing())
        except BotProblem as problem:
            return _refused(problem)

    @router.get("/{name}", response_model=BotOut, summary="One bot", responses=MISSING)
    async def show_bot(name: BotName, _who: Principal = reader) -> Response:
        try:
            return JSONResponse(await manager().show(name))
        except BotProblem as problem:
            return _refused(problem)

    @router.post(
        "",
        status_code=201,
        response_model=BotChanged,
        summary="Add a bot",
        responses=TAKEN,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": bodies.schema()}},
            }
        },
    )
    async def add_bot(request: Request, who: Principal = changer) -> Response:
        """Served by every relaybot process within seconds. What a bot needs depends on its
        channel: the body is one of the four shapes below."""
        fields = await parsed_body(request, bodies)
        try:
            outcome = await manager().add(fields, actor=who.actor, channel="rest")
        except BotProblem as problem:
            return _refused(problem)
        return _changed(outcome, 201)

    async def update_bot(name: BotName, body: BotChangeBase, who: Principal = changer) -> Response:
        changes = body.model_dump(exclude_unset=True, exclude={"remove_options"})
        try:
            outcome = await manager().update(
                name,
                changes,
                remove_options=body.remove_options,
                actor=who.actor,
                channel="rest",
            )
        except BotInvalid as problem:
            # The body fits the schema; the bot it would make does not work (a token on a web
            # chat bot, an option the app refuses): a conflict with what the bot is.
            return JSONResponse({"detail": str(problem)}, status_code=409)
        except BotProblem as problem:
            return _refused(problem)
        return _changed(outcome)

    # The body's model is this process's (its apps), so FastAPI is given the class itself.
    update_bot.__annotations__["body"] = BotChange
    router.add_api_route(
        "/{name}",
        update_bot,
        methods=["PATCH"],
        response_model=BotChanged,
        summary="Change a bot",
        responses={**MISSING, **CHANGE_CONFLICT},
    )

    def _switch(get: Any, enabled: bool) -> Any:
        async def switch(name: BotName, who: Principal = changer) -> Response:
            try:
                outcome = await get().set_enabled(name, enabled, actor=who.actor, channel="rest")
            except BotProblem as problem:
                return _refused(problem)
            return _changed(outcome)

        switch.__name__ = "enable_bot" if enabled else "disable_bot"
        return switch

    for verb, enabled in (("enable", True), ("disable", False)):
        router.add_api_route(
            f"/{{name}}/{verb}",
            _switch(manager, enabled),
            methods=["POST"],
            response_model=BotChanged,
            summary=f"{verb.capitalize()} a bot",
            responses={**MISSING, **TAKEN},
        )

    @router.delete(
        "/{name}",
        response_model=Removed,
        summary="Remove a bot",
        responses={**MISSING, **TAKEN},
    )
    async def remove_bot(name: BotName, who: Principal = changer) -> Response:
        """Its webhook answers 404 at once; replies already written are still delivered."""
        try:
            notes = await manager().remove(name, actor=who.actor, channel="rest")
        except BotProblem as problem:
            return _refused(problem)
        return JSONResponse({"notes": notes})

    @router.post(
        "/{name}/check",
        response_model=CheckOut,
        summary="Ask the channel about the bot's credentials",
        responses=MISSING,
    )
    async def check_bot(name: BotName, _who: Principal = changer) -> Response:
        """Telegram getMe, Mattermost users/me: `ok` says whether the channel accepted them."""
        try:
            found = await manager().check(name)
        except BotProblem as problem:
            return _refused(problem)
        return JSONResponse({"ok": found.ok, "message": found.message})

    return router
