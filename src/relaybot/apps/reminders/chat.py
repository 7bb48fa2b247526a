"""The chat doors: `/remind` answers with the menu of the constructor's actions as buttons,
each action is a dialog (one interactive dialog on Mattermost, questions one by one on the
web chat and Telegram), and each answers with the result the action names.

A chat identity is tied to an account the first time it uses the bot (created on the fly),
or to an existing REST account with `/remind link CODE`; both doors then see the same bots.
"""

from __future__ import annotations

import time
from typing import Any

from relaybot import (
    N_,
    BotConfig,
    Choice,
    Context,
    Flow,
    FlowView,
    Invalid,
    Payload,
    Router,
    Select,
    Settings,
    Text,
)

from . import accounts, service
from .models import NAME_MAX, SHORT_NAME_MAX, TARGET_MAX, TEXT_MAX, ReminderBot, ReminderJob
from .problems import Missing, Refused
from .schedule import ScheduleError, check_cron, describe, local_iso, zone

HERE = ("here", "здесь")


class NewBot(Payload, prefix="rm-new"):
    """Menu: create a bot with its first job."""


class NewJob(Payload, prefix="rm-job"):
    """Menu: add a job to a bot."""


class JobList(Payload, prefix="rm-list"):
    """Menu: a bot's jobs and whether each is active."""


class JobStatus(Payload, prefix="rm-status"):
    """Menu: switch a job on or off."""


class JobEdit(Payload, prefix="rm-edit"):
    """Menu: change a job's text and schedule."""


class BotDelete(Payload, prefix="rm-del"):
    """Menu: delete a bot (its jobs are shown first)."""


class ConfirmDelete(Payload, prefix="rm-del-yes"):
    """The confirmation under a bot's jobs: delete the bot and its jobs."""

    bot: int


MENU = (
    (NewBot, N_("Create a bot")),
    (NewJob, N_("Add a job")),
    (JobList, N_("Job list")),
    (JobStatus, N_("Switch a job on/off")),
    (JobEdit, N_("Change text and schedule")),
    (BotDelete, N_("Delete a bot")),
)


# -- who is talking ----------------------------------------------------------------------------
async def owner(ctx: Context) -> service.Owner:
    account = await accounts.account_for_chat(
        ctx.db, ctx.bot.name, ctx.update.user_id, ctx.update.chat_id
    )
    return service.Owner(account.id, admin=account.role == "admin")


def _ctx(view: FlowView) -> Context:
    assert view.ctx is not None  # a dialog's questions are always asked within an update
    return view.ctx


async def my_bots(view: FlowView) -> list[Choice]:
    ctx = _ctx(view)
    return [
        Choice(bot.name, str(bot.id)) for bot in await service.bots_of(ctx.db, await owner(ctx))
    ]


async def jobs_of_chosen_bot(view: FlowView) -> list[Choice]:
    bot = await _chosen(view)
    if bot is None:
        return []
    return [
        Choice(job.short_name, job.short_name) for job in await service.jobs_of(_ctx(view).db, bot)
    ]


async def _chosen(view: FlowView) -> ReminderBot | None:
    ctx = _ctx(view)
    value = view.data.get("bot")
    if not isinstance(value, str) or not value.isdigit():
        return None
    try:
        return await service.bot_of(ctx.db, await owner(ctx), int(value))
    except Missing:
        return None


async def which_bot(view: FlowView) -> str:
    """The bot question; with no bot yet it says where to begin instead of offering none."""
    if not await my_bots(view):
        return view.t(N_("You have no reminder bots yet: Cancel, then choose “Create a bot”."))
    return view.t(N_("Which bot?"))


# -- the rules of each field, said in the person's language -------------------------------------
async def free_bot_name(name: str, view: FlowView) -> None:
    ctx = _ctx(view)
    mine = {bot.name for bot in await service.bots_of(ctx.db, await owner(ctx))}
    if name.strip() in mine:
        raise Invalid(N_("You have a bot named {name} already; choose another name."), name=name)


async def free_short_name(short_name: str, view: FlowView) -> None:
    bot = await _chosen(view)
    if bot is None:
        return
    names = {job.short_name for job in await service.jobs_of(_ctx(view).db, bot)}
    if short_name.strip() in names:
        raise Invalid(
            N_("The bot has a job named {name} already; choose another short name."),
            name=short_name,
        )


async def existing_job(short_name: str, view: FlowView) -> None:
    bot = await _chosen(view)
    if bot is None:
        return
    names = {job.short_name for job in await service.jobs_of(_ctx(view).db, bot)}
    if short_name.strip() not in names:
        raise Invalid(N_("The bot has no job named {name}."), name=short_name)


def cron_line(text: str, view: FlowView) -> None:
    try:
        check_cron(text)
    except ScheduleError:
        raise Invalid(
            N_(
                "That is not a cron line: five fields, minute hour day month weekday, "
                "e.g. 0 9 * * 1-5 for 09:00 on Monday to Friday."
            )
        ) from None


def time_zone(text: str, view: FlowView) -> None:
    try:
        zone(text.strip())
    except ScheduleError:
        raise Invalid(
            N_("That is not a time zone name; e.g. Asia/Bishkek or Europe/Berlin.")
        ) from None


def not_blank(text: str, view: FlowView) -> None:
    if not text.strip():
        raise Invalid(N_("Please write something."))


ZONES = [Choice(name, name) for name in ("Asia/Bishkek", "Asia/Almaty", "Europe/Moscow", "UTC")]
STATUSES = [Choice(N_("active"), "on"), Choice(N_("inactive"), "off")]


def _job_steps(*, new_bot: bool) -> list[Any]:
    return [
        Text(
            "short_name",
            N_("A short name for the reminder (unique in the bot), e.g. standup."),
            max_length=SHORT_NAME_MAX,
            label=N_("Short name"),
            check=None if new_bot else free_short_name,
        ),
        Text(
            "target",
            N_("Where to post: a channel or chat id, or “here” for this chat."),
            max_length=TARGET_MAX,
            label=N_("Channel"),
            check=not_blank,
        ),
        Text(
            "text",
            N_("The text of the reminder (the channel's formatting works)."),
            max_length=TEXT_MAX,
            label=N_("Text"),
            check=not_blank,
        ),
        Text(
            "cron",
            N_("When, as a cron line: minute hour day month weekday, e.g. 0 9 * * 1-5."),
            max_length=100,
            label=N_("Schedule (cron)"),
            check=cron_line,
        ),
        Text(
            "timezone",
            N_("The time zone, e.g. Asia/Bishkek."),
            max_length=64,
            label=N_("Time zone"),
            choices=ZONES,
            check=time_zone,
        ),
    ]


def _fields(ctx: Context, data: dict[str, Any]) -> service.JobFields:
    target = str(data["target"]).strip()
    return service.JobFields(
        short_name=str(data["short_name"]),
        target=ctx.update.chat_id if target.lower() in HERE else target,
        text=str(data["text"]),
        cron=str(data["cron"]),
        timezone=str(data["timezone"]).strip(),
    )


def _schedule_line(ctx: Context, job: ReminderJob) -> str:
    words = describe(job.cron, job.timezone, ctx.t)
    if job.next_due_at is None:
        return words
    return ctx.t(
        N_("{schedule}; next {when}"), schedule=words, when=local_iso(job.next_due_at, job.timezone)
    )


def _job_lines(ctx: Context, jobs: list[ReminderJob]) -> str:
    if not jobs:
        return ctx.t(N_("(no jobs)"))
    return "\n".join(
        f"• {job.short_name}: {ctx.t(N_('active') if job.active else N_('inactive'))}"
        for job in jobs
    )


def _refused(ctx: Context, problem: Refused | Missing) -> str:
    return ctx.t(N_("Nothing was changed: {reason}"), reason=str(problem))


# -- what each dialog does ----------------------------------------------------------------------
LINK_FIRST = N_(
    "Link this chat to your account first: sign in to the REST API, ask "
    "POST /api/reminders/me/link-code for a code, then send /remind link CODE."
)
ACCOUNT_MODES = ("auto", "link")


def build_router(bot: BotConfig, settings: Settings) -> Router:
    """The menu and the link command for everyone; the actions for chat identities with an
    account: any, when accounts are made on the fly (option `accounts = "auto"`, the
    default), or linked ones only (`accounts = "link"`)."""
    mode = bot.options.get("accounts", "auto")
    if mode not in ACCOUNT_MODES:
        raise ValueError(f"bot {bot.name!r}: option accounts is one of {', '.join(ACCOUNT_MODES)}")
    router = Router()
    actions = Router(roles={"member"}, refusal=LINK_FIRST)
    relay = bot.name

    async def linked(ctx: Context) -> bool:
        found = await accounts.account_of_chat(ctx.db, ctx.bot.name, ctx.update.user_id)
        return found is not None

    @router.roles
    async def roles_of(ctx: Context) -> set[str]:
        return {"member"} if mode == "auto" or await linked(ctx) else set()

    async def created(ctx: Context, data: dict[str, Any]) -> str:
        try:
            made, job = await service.create_bot(
                ctx.db,
                await owner(ctx),
                str(data["name"]),
                relay,
                _fields(ctx, data),
                relays=[relay],
                now=time.time(),
            )
        except Refused as problem:
            return _refused(ctx, problem)
        return ctx.t(
            N_("The bot {bot} is created with the job {job}: {schedule}."),
            bot=made.name,
            job=job.short_name,
            schedule=_schedule_line(ctx, job),
        )

    async def added(ctx: Context, data: dict[str, Any]) -> str:
        try:
            chosen = await service.bot_of(ctx.db, await owner(ctx), int(data["bot"]))
            job = await service.add_job(ctx.db, chosen, _fields(ctx, data), now=time.time())
        except (Refused, Missing) as problem:
            return _refused(ctx, problem)
        return ctx.t(
            N_("The job {job} is added to {bot}: {schedule}."),
            job=job.short_name,
            bot=chosen.name,
            schedule=_schedule_line(ctx, job),
        )

    async def listed(ctx: Context, data: dict[str, Any]) -> str:
        try:
            chosen = await service.bot_of(ctx.db, await owner(ctx), int(data["bot"]))
        except Missing as problem:
            return _refused(ctx, problem)
        jobs = await service.jobs_of(ctx.db, chosen)
        return ctx.t(N_("Jobs of {bot}:"), bot=chosen.name) + "\n" + _job_lines(ctx, jobs)

    async def switched(ctx: Context, data: dict[str, Any]) -> str:
        try:
            chosen = await service.bot_of(ctx.db, await owner(ctx), int(data["bot"]))
            job = await service.job_by_name(ctx.db, chosen, str(data["short_name"]))
            service.set_active(job, data["status"] == "on", now=time.time())
        except (Refused, Missing) as problem:
            return _refused(ctx, problem)
        return ctx.t(
            N_("{job}: {status}"),
            job=job.short_name,
            status=ctx.t(N_("active") if job.active else N_("inactive")),
        )

    async def edited(ctx: Context, data: dict[str, Any]) -> str:
        try:
            chosen = await service.bot_of(ctx.db, await owner(ctx), int(data["bot"]))
            job = await service.job_by_name(ctx.db, chosen, str(data["short_name"]))
            service.change_job(
                job,
                now=time.time(),
                text=data.get("text") or None,
                cron=data.get("cron") or None,
                timezone=(data.get("timezone") or "").strip() or None,
            )
        except (Refused, Missing) as problem:
            return _refused(ctx, problem)
        return ctx.t(N_("{job}: {schedule}"), job=job.short_name, schedule=_schedule_line(ctx, job))

    async def to_delete(ctx: Context, data: dict[str, Any]) -> str | None:
        try:
            chosen = await service.bot_of(ctx.db, await owner(ctx), int(data["bot"]))
        except Missing as problem:
            return _refused(ctx, problem)
        jobs = await service.jobs_of(ctx.db, chosen)
        ctx.reply(
            ctx.t(N_("Delete {bot} and its jobs?"), bot=chosen.name) + "\n" + _job_lines(ctx, jobs),
            buttons=[
                ConfirmDelete(bot=chosen.id).button(ctx.t(N_("Yes, delete {bot}"), bot=chosen.name))
            ],
        )
        return None

    bot_step = Select("bot", which_bot, choices=my_bots, label=N_("Bot"))
    job_name = Text(
        "short_name",
        N_("Which job? Its short name."),
        max_length=SHORT_NAME_MAX,
        label=N_("Job"),
        choices=jobs_of_chosen_bot,
        check=existing_job,
    )
    flows = [
        (
            NewBot,
            Flow(
                "reminders-new-bot",
                title=N_("New reminder bot"),
                steps=[
                    Text(
                        "name",
                        N_("A name for the new bot, e.g. Office."),
                        max_length=NAME_MAX,
                        label=N_("Bot name"),
                        check=free_bot_name,
                    ),
                    *_job_steps(new_bot=True),
                ],
                on_complete=created,
                confirm=False,
            ),
        ),
        (
            NewJob,
            Flow(
                "reminders-new-job",
                title=N_("New reminder"),
                steps=[bot_step, *_job_steps(new_bot=False)],
                on_complete=added,
                confirm=False,
            ),
        ),
        (
            JobList,
            Flow(
                "reminders-jobs",
                title=N_("Job list"),
                steps=[bot_step],
                on_complete=listed,
                confirm=False,
            ),
        ),
        (
            JobStatus,
            Flow(
                "reminders-status",
                title=N_("Job status"),
                steps=[
                    bot_step,
                    job_name,
                    Select(
                        "status", N_("Active or inactive?"), choices=STATUSES, label=N_("Status")
                    ),
                ],
                on_complete=switched,
                confirm=False,
            ),
        ),
        (
            JobEdit,
            Flow(
                "reminders-edit",
                title=N_("Change a job"),
                steps=[
                    bot_step,
                    job_name,
                    Text(
                        "text",
                        N_("The new text, or Skip to keep it."),
                        max_length=TEXT_MAX,
                        label=N_("Text"),
                        optional=True,
                    ),
                    Text(
                        "cron",
                        N_("The new cron line (e.g. 0 9 * * 1-5), or Skip to keep it."),
                        max_length=100,
                        label=N_("Schedule (cron)"),
                        check=cron_line,
                        optional=True,
                    ),
                    Text(
                        "timezone",
                        N_("The new time zone, or Skip to keep it."),
                        max_length=64,
                        label=N_("Time zone"),
                        check=time_zone,
                        optional=True,
                    ),
                ],
                on_complete=edited,
                confirm=False,
            ),
        ),
        (
            BotDelete,
            Flow(
                "reminders-delete",
                title=N_("Delete a bot"),
                steps=[bot_step],
                on_complete=to_delete,
                confirm=False,
            ),
        ),
    ]

    @router.command("remind", "start", words={"menu", "меню"})
    async def menu(ctx: Context) -> None:
        """The constructor's menu; `/remind link CODE` links this chat to a REST account."""
        words = ctx.args.split()
        if len(words) == 2 and words[0].lower() == "link":
            await link(ctx, words[1])
            return
        if mode == "link" and not await linked(ctx):
            ctx.reply(ctx.t(LINK_FIRST))
            return
        ctx.reply(
            ctx.t(N_("Reminders: what would you like to do?")),
            buttons=[[kind().button(ctx.t(label))] for kind, label in MENU],
        )

    @router.text(pattern=r"^(?i:link)\s+\d{8}$")
    async def typed_link(ctx: Context) -> None:
        """Mattermost passes the slash command's words alone: "link 12345678"."""
        await link(ctx, (ctx.update.text or "").split()[-1])

    async def link(ctx: Context, code: str) -> None:
        account = await accounts.use_link_code(
            ctx.db, code, ctx.bot.name, ctx.update.user_id, ctx.update.chat_id, time.time()
        )
        if account is None:
            ctx.reply(
                ctx.t(N_("That link code is not valid (or was used, or is older than 15 minutes)."))
            )
            return
        ctx.reply(ctx.t(N_("This chat is now linked to the account {login}."), login=account.login))

    for payload, flow in flows:
        actions.flow(flow, button=payload)

    @actions.button(ConfirmDelete)
    async def confirmed(ctx: Context, press: ConfirmDelete) -> None:
        try:
            chosen = await service.bot_of(ctx.db, await owner(ctx), press.bot)
        except Missing:
            ctx.reply(ctx.t(N_("That bot is gone already.")))
            return
        name = chosen.name
        count = await service.delete_bot(ctx.db, chosen)
        ctx.reply(
            ctx.t(N_("The bot {bot} is deleted with its {count} job(s)."), bot=name, count=count)
        )

    router.include_router(actions)
    return router
