"""/api/reminders/: accounts and sign-in, and each person's reminder bots and jobs.

Accounts sign in with a login and password and get the deployment's short-lived JWT access
token plus a refresh token. Every bot and job route takes the access token: a person sees
and changes only their own bots (another's answers 404, as if it did not exist), an admin
account sees all. A request that breaks a rule is refused with 422 naming the field, and
writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import (
    MAX_JSON_INT,
    NOT_BLANK,
    STRICT_BODY,
    Authenticator,
    Principal,
    SessionMaker,
    Settings,
    audit,
    translator,
)

from . import accounts, service
from .models import (
    CRON_MAX,
    LOGIN_MAX,
    NAME_MAX,
    SHORT_NAME_MAX,
    TARGET_MAX,
    TEXT_MAX,
    TZ_MAX,
    Account,
    ReminderBot,
)
from .problems import Conflict, Missing, Refused

Missed = Literal["once", "skip"]
Role = Literal["user", "admin"]
RunResult = Literal["sent", "skipped", "failed"]
DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PASSWORD_MAX = 1024


class Problem(BaseModel):
    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(BaseModel):
    detail: list[FieldError]


class Registration(BaseModel):
    model_config = STRICT_BODY

    login: str = Field(min_length=3, max_length=LOGIN_MAX, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    password: str = Field(min_length=8, max_length=PASSWORD_MAX)


class SignIn(BaseModel):
    model_config = STRICT_BODY

    login: str = Field(min_length=1, max_length=LOGIN_MAX)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)


class RefreshIn(BaseModel):
    model_config = STRICT_BODY

    refresh_token: str = Field(min_length=1, max_length=200)


class PasswordChange(BaseModel):
    model_config = STRICT_BODY

    old_password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    new_password: str = Field(min_length=8, max_length=PASSWORD_MAX)


class AccountOut(BaseModel):
    id: int
    login: str
    role: Role


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int
    refresh_token: str


class LinkCodeOut(BaseModel):
    code: str = Field(description="Type `/remind link CODE` in the bot's chat within 15 minutes.")
    expires_in: int


class JobIn(BaseModel):
    """A reminder: where, what, and when (a cron line of five fields in an IANA time zone)."""

    model_config = STRICT_BODY

    short_name: str = Field(min_length=1, max_length=SHORT_NAME_MAX, pattern=NOT_BLANK)
    target: str = Field(
        min_length=1,
        max_length=TARGET_MAX,
        pattern=NOT_BLANK,
        description="The chat the bot posts in: a Mattermost channel id, a Telegram chat id, "
        "or a web chat visitor id.",
    )
    text: str = Field(min_length=1, max_length=TEXT_MAX, pattern=NOT_BLANK)
    cron: str = Field(min_length=9, max_length=CRON_MAX, examples=["0 9 * * 1-5"])
    timezone: str = Field(min_length=1, max_length=TZ_MAX, examples=["Asia/Bishkek"])
    active: bool = True
    ends_on: str | None = Field(default=None, pattern=DAY, description="Last day, inclusive.")
    missed: Missed = Field(
        default="once",
        description="Due times missed while relaybot was down: posted once on return, or skipped.",
    )


class BotIn(BaseModel):
    model_config = STRICT_BODY

    name: str = Field(min_length=1, max_length=NAME_MAX, pattern=NOT_BLANK)
    via: str = Field(
        min_length=1, max_length=64, description="The relaybot bot that posts the reminders."
    )
    job: JobIn


class JobChange(BaseModel):
    """Any of: the status, the text, the schedule, the target, the missed-run policy."""

    model_config = STRICT_BODY

    active: bool | None = None
    text: str | None = Field(default=None, min_length=1, max_length=TEXT_MAX, pattern=NOT_BLANK)
    cron: str | None = Field(default=None, min_length=9, max_length=CRON_MAX)
    timezone: str | None = Field(default=None, min_length=1, max_length=TZ_MAX)
    target: str | None = Field(default=None, min_length=1, max_length=TARGET_MAX, pattern=NOT_BLANK)
    missed: Missed | None = None


class RunOut(BaseModel):
    due_at: datetime
    ran_at: datetime
    result: RunResult
    detail: str | None


class JobOut(BaseModel):
    id: int
    short_name: str
    target: str
    text: str
    cron: str
    timezone: str
    schedule: str = Field(description='In words: "at 09:00 on Monday to Friday, Asia/Bishkek".')
    active: bool
    missed: Missed
    ends_at: datetime | None
    off_reason: str | None
    next_runs: list[str] = Field(description="The next three due times, local, ISO 8601.")
    last_run: RunOut | None


class BotOut(BaseModel):
    id: int
    name: str
    via: str
    owner: str
    created_at: datetime
    jobs: list[JobOut]


BotId = Annotated[int, Path(gt=0, le=MAX_JSON_INT)]
JobId = Annotated[int, Path(gt=0, le=MAX_JSON_INT)]
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": Invalid, "description": "A field breaks a rule; `loc` names it."}
}
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such bot or job of yours."}
}


def _invalid(problem: Refused | Conflict) -> HTTPException:
    return HTTPException(
        422, [{"loc": ["body", problem.field], "msg": str(problem), "type": "value_error"}]
    )


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refused("ends_on", f"{value!r} is not a day (YYYY-MM-DD)") from None


def _fields(body: JobIn) -> service.JobFields:
    return service.JobFields(
        short_name=body.short_name,
        target=body.target,
        text=body.text,
        cron=body.cron,
        timezone=body.timezone,
        active=body.active,
        ends_on=_day(body.ends_on),
        missed=body.missed,
    )


async def stored_relays(session: AsyncSession) -> list[str]:
    """The bots of the bot registry (the `bots` table, `relaybot bots add`) that run this app
    and are enabled: a reminder bot may post through those too."""
    rows = await session.execute(
        text("SELECT name FROM bots WHERE app = :app AND enabled"), {"app": "reminders"}
    )
    return [str(name) for (name,) in rows]


def build_router(settings: Settings, sessions: SessionMaker, relays: Collection[str]) -> APIRouter:
    auth = Authenticator(settings, sessions)
    signed_in = auth.user()
    router = APIRouter(prefix="/api/reminders", tags=["reminders"])
    t = translator(settings.default_locale)

    def tokens_for(account: Account, refresh_token: str) -> TokenOut:
        access = auth.tokens.issue(
            f"{accounts.SUBJECT_PREFIX}{account.id}",
            role=account.role,
            extra={"ver": account.token_version},
        )
        return TokenOut(
            access_token=access,
            token_type="bearer",
            expires_in=auth.tokens.ttl_seconds,
            refresh_token=refresh_token,
        )

    async def owner_of(session: AsyncSession, who: Principal) -> tuple[Account, service.Owner]:
        """The account an access token names, if the token is still good for it."""
        refused = HTTPException(
            401, "the token is invalid, expired or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
        prefix, _, number = who.name.partition(":")
        if f"{prefix}:" != accounts.SUBJECT_PREFIX or not number.isdigit() or who.claims is None:
            raise refused
        account = await session.get(Account, int(number))
        if account is None or who.claims.extra.get("ver") != account.token_version:
            raise refused
        return account, service.Owner(account.id, admin=account.role == "admin")

    async def bot_out(session: AsyncSession, bot: ReminderBot) -> BotOut:
        jobs = await service.jobs_of(session, bot)
        last = await service.last_runs(session, [j.id for j in jobs])
        owner = await session.get(Account, bot.owner_id)
        now = time.time()
        return BotOut(
            id=bot.id,
            name=bot.name,
            via=bot.via,
            owner=owner.login if owner else "",
            created_at=bot.created_at,
            jobs=[JobOut(**service.job_view(j, last.get(j.id), t, now)) for j in jobs],
        )

    @router.post(
        "/users",
        status_code=201,
        summary="Register an account",
        responses={
            **INVALID,
            409: {"model": Problem, "description": "The login is taken."},
        },
    )
    async def register(body: Registration) -> AccountOut:
        try:
            async with sessions() as session, session.begin():
                account = await accounts.register(session, body.login, body.password)
                return AccountOut(id=account.id, login=account.login, role="user")
        except Refused as problem:
            raise _invalid(problem) from None
        except Conflict as taken:
            raise HTTPException(409, str(taken)) from None

    @router.post(
        "/token",
        summary="Sign in: an access token and a refresh token",
        responses={
            401: {"model": Problem, "description": "Wrong login or password."},
            429: {"model": Problem, "description": "Too many failed attempts from this address."},
        },
    )
    async def sign_in(body: SignIn, request: Request) -> TokenOut:
        client = request.client.host if request.client else "unknown"
        moment = time.monotonic()
        if auth.throttle.blocked(client, moment):
            raise HTTPException(429, "too many failed sign-in attempts; try again in a minute")
        try:
            async with sessions() as session, session.begin():
                grant = await accounts.sign_in(session, body.login, body.password, time.time())
                return tokens_for(grant.account, grant.refresh_token)
        except accounts.SignInFailed:
            auth.throttle.failed(client, moment)
            raise HTTPException(
                401, "wrong login or password", headers={"WWW-Authenticate": "Bearer"}
            ) from None

    @router.post(
        "/token/refresh",
        summary="Spend a refresh token for new tokens (each refresh token works once)",
        responses={401: {"model": Problem, "description": "Unknown, spent, expired or revoked."}},
    )
    async def refresh(body: RefreshIn) -> TokenOut:
        failed = False
        async with sessions() as session, session.begin():
            try:
                grant = await accounts.refresh(session, body.refresh_token, time.time())
                return tokens_for(grant.account, grant.refresh_token)
            except accounts.SignInFailed:
                failed = True  # commits: a replayed token's family stays revoked
        assert failed
        raise HTTPException(
            401, "the refresh token is not valid", headers={"WWW-Authenticate": "Bearer"}
        )

    @router.put(
        "/me/password",
        status_code=204,
        summary="Change the password; every token issued before is revoked",
        responses=INVALID,
    )
    async def change_password(
        body: PasswordChange, who: Principal = Depends(signed_in)
    ) -> Response:
        try:
            async with sessions() as session, session.begin():
                account, _ = await owner_of(session, who)
                await accounts.change_password(
                    session, account, body.old_password, body.new_password
                )
        except Refused as problem:
            raise _invalid(problem) from None
        return Response(status_code=204)

    @router.post(
        "/me/link-code",
        status_code=201,
        summary="A one-time code that links a chat (Mattermost, Telegram) to this account",
    )
    async def link_code(who: Principal = Depends(signed_in)) -> LinkCodeOut:
        async with sessions() as session, session.begin():
            account, _ = await owner_of(session, who)
            code = await accounts.new_link_code(session, account, time.time())
        return LinkCodeOut(code=code, expires_in=int(accounts.LINK_CODE_TTL))

    @router.get("/bots", summary="Your reminder bots with their jobs (an admin's: every bot)")
    async def list_bots(who: Principal = Depends(signed_in)) -> list[BotOut]:
        async with sessions() as session:
            _, owner = await owner_of(session, who)
            return [await bot_out(session, bot) for bot in await service.bots_of(session, owner)]

    @router.post(
        "/bots",
        status_code=201,
        summary="Create a bot together with its first job (an invalid job: no bot either)",
        responses=INVALID,
    )
    async def create_bot(body: BotIn, who: Principal = Depends(signed_in)) -> BotOut:
        try:
            async with sessions() as session, session.begin():
                _, owner = await owner_of(session, who)
                bot, _job = await service.create_bot(
                    session,
                    owner,
                    body.name,
                    body.via,
                    _fields(body.job),
                    relays=[*relays, *await stored_relays(session)],
                    now=time.time(),
                )
                await audit(
                    session,
                    actor=who.actor,
                    channel="rest",
                    action="reminders.bot.add",
                    target=str(bot.id),
                    bot=bot.via,
                )
                return await bot_out(session, bot)
        except Refused as problem:
            raise _invalid(problem) from None

    @router.get("/bots/{bot_id}", summary="A bot with its jobs", responses=MISSING)
    async def get_bot(bot_id: BotId, who: Principal = Depends(signed_in)) -> BotOut:
        try:
            async with sessions() as session:
                _, owner = await owner_of(session, who)
                return await bot_out(session, await service.bot_of(session, owner, bot_id))
        except Missing as missing:
            raise HTTPException(404, str(missing)) from None

    @router.delete(
        "/bots/{bot_id}", status_code=204, summary="Delete a bot and its jobs", responses=MISSING
    )
    async def delete_bot(bot_id: BotId, who: Principal = Depends(signed_in)) -> Response:
        try:
            async with sessions() as session, session.begin():
                _, owner = await owner_of(session, who)
                bot = await service.bot_of(session, owner, bot_id)
                await service.delete_bot(session, bot)
                await audit(
                    session,
                    actor=who.actor,
                    channel="rest",
                    action="reminders.bot.delete",
                    target=str(bot_id),
                )
        except Missing as missing:
            raise HTTPException(404, str(missing)) from None
        return Response(status_code=204)

    @router.get("/bots/{bot_id}/jobs", summary="A bot's jobs with their status", responses=MISSING)
    async def list_jobs(bot_id: BotId, who: Principal = Depends(signed_in)) -> list[JobOut]:
        try:
            async with sessions() as session:
                _, owner = await owner_of(session, who)
                return (await bot_out(session, await service.bot_of(session, owner, bot_id))).jobs
        except Missing as missing:
            raise HTTPException(404, str(missing)) from None

    @router.post(
        "/bots/{bot_id}/jobs",
        status_code=201,
        summary="Add a job to a bot",
        responses={**MISSING, **INVALID},
    )
    async def add_job(bot_id: BotId, body: JobIn, who: Principal = Depends(signed_in)) -> JobOut:
        try:
            async with sessions() as session, session.begin():
                _, owner = await owner_of(session, who)
                bot = await service.bot_of(session, owner, bot_id)
                job = await service.add_job(session, bot, _fields(body), now=time.time())
                return JobOut(**service.job_view(job, None, t, time.time()))
        except Missing as missing:
            raise HTTPException(404, str(missing)) from None
        except Refused as problem:
            raise _invalid(problem) from None

    @router.patch(
        "/bots/{bot_id}/jobs/{job_id}",
        summary="Switch a job on or off, change its text, schedule, target or missed-run policy",
        responses={**MISSING, **INVALID},
    )
    async def change_job(
        bot_id: BotId, job_id: JobId, body: JobChange, who: Principal = Depends(signed_in)
    ) -> JobOut:
        now = time.time()
        try:
            async with sessions() as session, session.begin():
                _, owner = await owner_of(session, who)
                job = await service.job_of(session, owner, bot_id, job_id)
                service.change_job(
                    job,
                    now=now,
                    text=body.text,
                    cron=body.cron,
                    timezone=body.timezone,
                    target=body.target,
                    missed=body.missed,
                )
                if body.active is not None:
                    service.set_active(job, body.active, now=now)
                last = (await service.last_runs(session, [job.id])).get(job.id)
                return JobOut(**service.job_view(job, last, t, now))
        except Missing as missing:
            raise HTTPException(404, str(missing)) from None
        except Refused as problem:
            raise _invalid(problem) from None

    @router.get(
        "/bots/{bot_id}/jobs/{job_id}/runs",
        summary="A job's runs, latest due time first",
        responses=MISSING,
    )
    async def runs(
        bot_id: BotId,
        job_id: JobId,
        who: Principal = Depends(signed_in),
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_JSON_INT)] = 0,
    ) -> list[RunOut]:
        try:
            async with sessions() as session:
                _, owner = await owner_of(session, who)
                job = await service.job_of(session, owner, bot_id, job_id)
                return [
                    RunOut(**service.run_view(r))
                    for r in await service.history(session, job, limit, offset)
                ]
        except Missing as missing:
            raise HTTPException(404, str(missing)) from None

    return router
