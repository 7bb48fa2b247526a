"""`relaybot booking ...`: the first administrator, sample data, and bookings at the shell."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import click
from sqlalchemy import select

from relaybot import (
    Column,
    Row,
    SessionMaker,
    Settings,
    audit,
    cli_actor,
    json_option,
    print_rows,
    settings_of,
    with_store,
)

from .demo import DemoResult, seed_demo
from .models import Booking, User
from .render import booking_views
from .users import APP_NAME, booking_bots


@click.group()
def booking() -> None:
    """Appointments: administrators, sample data, bookings."""


def _channel_of(settings: Settings, bot: str) -> str:
    configured = settings.bot(bot)
    return configured.channel if configured is not None else "webchat"


def resolve_admin_address(
    settings: Settings, *, telegram_id: str | None, user: str | None, bot: str | None
) -> tuple[str, str]:
    """(bot, chat id) of the person to make an administrator, or a UsageError saying why not."""
    if (telegram_id is None) == (user is None):
        raise click.UsageError("give either --telegram-id ID or --user BOT:CHAT_ID")
    known = booking_bots(settings)
    if user is not None:
        name, _, chat_id = user.partition(":")
        if not name or not chat_id:
            raise click.UsageError("--user must look like BOT:CHAT_ID, e.g. booking:1a2b3c")
        if name not in known:
            raise click.UsageError(
                f"no booking bot named {name!r}; booking bots: {', '.join(sorted(known)) or 'none'}"
            )
        return name, chat_id
    assert telegram_id is not None
    if not telegram_id.lstrip("-").isdigit():
        raise click.UsageError("--telegram-id is the person's numeric Telegram id")
    telegram = sorted(
        b.name for b in settings.bots if b.app == APP_NAME and b.channel == "telegram"
    )
    if bot is not None:
        if bot not in telegram:
            raise click.UsageError(f"{bot!r} is not a Telegram booking bot")
        return bot, telegram_id
    if len(telegram) != 1:
        raise click.UsageError(
            "no Telegram booking bot is configured; use --user BOT:CHAT_ID"
            if not telegram
            else f"several Telegram booking bots ({', '.join(telegram)}): pick one with --bot"
        )
    return telegram[0], telegram_id


@booking.command("init-admin")
@click.option("--telegram-id", default=None, help="The person's numeric Telegram id.")
@click.option("--user", default=None, help="BOT:CHAT_ID for another channel (see /id).")
@click.option("--bot", default=None, help="Which Telegram booking bot, when there are several.")
@click.option("--name", default=None, help="How the bot calls them.")
@click.pass_context
def init_admin(
    ctx: click.Context,
    telegram_id: str | None,
    user: str | None,
    bot: str | None,
    name: str | None,
) -> None:
    """Make a person an administrator of the booking bot (the first one, or one more)."""
    settings = settings_of(ctx)
    bot_name, chat_id = resolve_admin_address(settings, telegram_id=telegram_id, user=user, bot=bot)

    async def promote(sessions: SessionMaker) -> bool:
        async with sessions() as session, session.begin():
            person = await session.scalar(
                select(User).where(User.bot == bot_name, User.chat_id == chat_id)
            )
            created = person is None
            if person is None:
                person = User(
                    bot=bot_name,
                    chat_id=chat_id,
                    channel=_channel_of(settings, bot_name),
                    name=(name or "")[:100],
                )
                session.add(person)
            elif name:
                person.name = name[:100]
            person.role = "admin"
            return created

    created = with_store(ctx, promote)
    what = "new administrator" if created else "is now an administrator"
    click.echo(f"{bot_name}:{chat_id} {what}; they see the admin menu on their next message")


@booking.command("demo-data")
@click.option(
    "--locale",
    type=click.Choice(["ru", "en"]),
    default=None,
    help="Language of the sample names (default: the default locale).",
)
@click.pass_context
def demo_data(ctx: click.Context, locale: str | None) -> None:
    """Add a sample studio with services, specialists, hours and two bookings."""
    settings = settings_of(ctx)

    async def seed(sessions: SessionMaker) -> DemoResult:
        async with sessions() as session, session.begin():
            return await seed_demo(
                session, locale=locale or settings.default_locale, now=datetime.now(UTC)
            )

    result = with_store(ctx, seed)
    if result.present:
        click.echo("the sample data is already there; nothing was added")
        return
    if not result.created:
        click.echo("there are locations already; sample data was not added")
        return
    click.echo(
        "sample data added: 1 location, 3 services, 3 specialists, "
        f"{result.bookings} bookings. "
        "Open the web chat of `relaybot run`, send /id to the booking bot, then run "
        "`relaybot booking init-admin --user booking:<id>` to manage it."
    )


BOOKING_COLUMNS = (
    Column("id", "NO.", right=True),
    Column("local_start", "STARTS (LOCAL)"),
    Column("status", "STATUS"),
    Column("service", "SERVICE"),
    Column("specialist", "SPECIALIST"),
    Column("client", "CLIENT"),
)


@booking.command("list")
@click.option(
    "--day", "day_text", default=None, help="First day, YYYY-MM-DD (UTC); default: today."
)
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=7,
    show_default=True,
    help="How many days from --day: the coming week unless told.",
)
@json_option
@click.pass_context
def list_bookings(ctx: click.Context, day_text: str | None, days: int, as_json: bool) -> None:
    """Bookings starting on the given days: by default today and the six days after it."""
    try:
        first = date.fromisoformat(day_text) if day_text else datetime.now(UTC).date()
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--day") from exc
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = start + timedelta(days=days)

    async def fetch(sessions: SessionMaker) -> list[dict[str, object]]:
        async with sessions() as session:
            views = await booking_views(
                session, [Booking.starts_at >= start, Booking.starts_at < end]
            )
        return [
            {
                "id": v.id,
                "starts_at": v.booking.starts_at.isoformat(),
                "local_start": v.booking.starts_at.astimezone(v.tz).strftime("%Y-%m-%d %H:%M"),
                "minutes": v.booking.duration_min,
                "status": v.booking.status,
                "service": v.service,
                "specialist": v.specialist,
                "location": v.location,
                "client": v.client.name,
                "phone": v.client.phone,
            }
            for v in views
        ]

    rows = with_store(ctx, fetch)
    print_rows(
        rows,
        BOOKING_COLUMNS,
        as_json=as_json,
        empty=f"no bookings from {first.isoformat()} for {days} day(s)",
    )


NOTICE_COLUMNS = (
    Column("event", "EVENT"),
    Column("role", "ROLE"),
    Column("channel", "CHANNEL", min_width=9),
    Column("enabled", "STATE", cell=lambda r: ("on" if r["enabled"] else "off") + _ad(r)),
)


def _ad(row: Row) -> str:
    return f" ad #{row['ad_template_id']}" if row["ad_template_id"] else ""


@booking.command("notifications")
@json_option
@click.pass_context
def list_notifications(ctx: click.Context, as_json: bool) -> None:
    """Who is told of what: every (event, role) and the settings that differ from on."""
    from .models import NotificationSetting
    from .notifications import MATRIX

    async def fetch(sessions: SessionMaker) -> list[NotificationSetting]:
        async with sessions() as session:
            return list(await session.scalars(select(NotificationSetting)))

    settings = {(s.event, s.recipient_role, s.channel): s for s in with_store(ctx, fetch)}
    rows: list[dict[str, object]] = []
    for event in MATRIX.events:
        for role in MATRIX.roles_told(event):
            found: list[NotificationSetting | None] = [
                s for (e, r, _), s in settings.items() if (e, r) == (event, role)
            ]
            rows.extend(
                {
                    "event": event,
                    "role": role,
                    "channel": setting.channel if setting is not None else "*",
                    "enabled": setting is None or setting.enabled,
                    "ad_template_id": setting.ad_template_id if setting is not None else None,
                }
                for setting in found or [None]
            )
    print_rows(rows, NOTICE_COLUMNS, as_json=as_json, empty="no notices are declared")


@booking.command("notification")
@click.argument("event")
@click.argument("role")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option("--channel", default="*", show_default=True, help="e.g. telegram; * is every one.")
@click.option("--ad", "ad_id", type=int, default=None, help="Attach this ad text (0: none).")
@click.pass_context
def set_notification(
    ctx: click.Context, event: str, role: str, state: str, channel: str, ad_id: int | None
) -> None:
    """Switch one notice on or off, for every channel or one, with or without an ad text."""
    from .models import AdTemplate, NotificationSetting
    from .notifications import MATRIX

    if role not in MATRIX.roles_told(event):
        known = ", ".join(f"{e}/{r}" for e in MATRIX.events for r in MATRIX.roles_told(e))
        raise click.UsageError(f"no notice {event}/{role}; known: {known}")

    async def change(sessions: SessionMaker) -> None:
        async with sessions() as session, session.begin():
            if ad_id and await session.get(AdTemplate, ad_id) is None:
                raise click.UsageError(f"there is no ad text #{ad_id}")
            setting = await session.scalar(
                select(NotificationSetting).where(
                    NotificationSetting.event == event,
                    NotificationSetting.recipient_role == role,
                    NotificationSetting.channel == channel,
                )
            )
            if setting is None:
                setting = NotificationSetting(event=event, recipient_role=role, channel=channel)
                session.add(setting)
            setting.enabled = state == "on"
            if ad_id is not None:
                setting.ad_template_id = ad_id or None

    with_store(ctx, change)
    click.echo(f"{event} -> {role} on {channel}: {state}")


@booking.command("token")
@click.option("--user", "address", required=True, help="BOT:CHAT_ID of the person (see /id).")
@click.pass_context
def issue_access_token(ctx: click.Context, address: str) -> None:
    """Print a REST access token (JWT) for a person of the booking bot; it lasts
    jwt_ttl_seconds, and what it allows follows the person's role at each call."""
    settings = settings_of(ctx)
    if settings.jwt_secret is None:
        raise click.UsageError(
            "set RELAYBOT_JWT_SECRET (32 bytes or more) first: without it a token would only "
            "be valid inside this command's own process"
        )
    bot_name, _, chat_id = address.partition(":")
    if not bot_name or not chat_id:
        raise click.UsageError("--user must look like BOT:CHAT_ID, e.g. booking:1a2b3c")

    async def find(sessions: SessionMaker) -> tuple[str, str] | None:
        from .api.base import issue_token

        async with sessions() as session, session.begin():
            person = await session.scalar(
                select(User).where(User.bot == bot_name, User.chat_id == chat_id)
            )
            if person is None:
                return None
            await audit(
                session,
                actor=cli_actor(),
                channel="cli",
                action="booking.token.issue",
                target=f"user:{person.id}",
                details={"role": person.role},
            )
            return issue_token(settings, sessions, person.id, person.role), person.role

    found = with_store(ctx, find)
    if found is None:
        raise click.UsageError(f"{address} has not written to the booking bot yet")
    token, role = found
    click.echo(f"# {role}; send it as: Authorization: Bearer <token>", err=True)
    click.echo(token)
