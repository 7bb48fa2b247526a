"""Scheduled work of the booking app: the completion check and feeding announcements out.

Both jobs are safe to run in several processes at once: a booking is asked about only by the
transaction whose conditional UPDATE sets `completion_asked_at`, and an announcement's
progress (`last_user_id`) moves only inside the transaction that writes its messages.
"""

from __future__ import annotations

from sqlalchemy import select, update

from relaybot import N_, Address, JobContext, OutgoingMessage, broadcast, room, translator

from .models import OPEN_STATUSES, Booking, Broadcast, User
from .notifications import Notifier
from .render import booking_view
from .users import address_of, booking_bots, locale_of

COMPLETION_BATCH = 200
BROADCAST_HORIZON = 5.0  # seconds of paced messages in the outbox at a time
PACE_KEY = "booking"


async def ask_about_finished(ctx: JobContext) -> None:
    """Send the admins a card "Did it happen?" for each booking whose end has passed, once."""
    session = ctx.db
    ids = list(
        await session.scalars(
            select(Booking.id)
            .where(
                Booking.status.in_(OPEN_STATUSES),
                Booking.ends_at <= ctx.now,
                Booking.completion_asked_at.is_(None),
            )
            .order_by(Booking.ends_at, Booking.id)
            .limit(COMPLETION_BATCH)
        )
    )
    notifier = Notifier(
        ctx,
        default_locale=ctx.settings.default_locale,
        bots=booking_bots(ctx.settings) & set(ctx.bots),
    )
    for booking_id in ids:
        claimed = await session.execute(
            update(Booking)
            .where(Booking.id == booking_id, Booking.completion_asked_at.is_(None))
            .values(completion_asked_at=ctx.now)
            .returning(Booking.id)
            .execution_options(synchronize_session=False)
        )
        if claimed.first() is None:
            continue  # another process asked about it a moment ago
        view = await booking_view(session, booking_id)
        if view is not None:
            await notifier.tell(session, "booking_done", view, initiator=None)


async def feed_announcements(ctx: JobContext) -> None:
    """Move the oldest unfinished announcement a few seconds' worth further into the outbox."""
    session = ctx.db
    item = await session.scalar(
        select(Broadcast)
        .where(Broadcast.status.in_(("queued", "sending")))
        .order_by(Broadcast.id)
        .limit(1)
    )
    if item is None:
        return
    now = ctx.now.timestamp()
    rate = ctx.settings.broadcast_rate
    space = await room(session, PACE_KEY, rate=rate, now=now, horizon=BROADCAST_HORIZON)
    if space == 0:
        return
    bots = sorted(booking_bots(ctx.settings) & set(ctx.bots))
    people = list(
        await session.scalars(
            select(User)
            .where(
                User.role == "client",
                User.chat_id.is_not(None),
                User.bot.in_(bots),
                User.id > item.last_user_id,
            )
            .order_by(User.id)
            .limit(space)
        )
    )
    messages = [
        (Address(str(u.bot), str(u.chat_id)), OutgoingMessage(text=item.text)) for u in people
    ]
    if messages:
        await broadcast(session, messages, bots=ctx.bots, rate=rate, now=now, key=PACE_KEY)
        item.last_user_id = people[-1].id
        item.sent_count += len(messages)
        item.status = "sending"
    if len(people) < space:
        item.status = "done"
        item.finished_at = ctx.now
        await _tell_author(ctx, item)


async def _tell_author(ctx: JobContext, item: Broadcast) -> None:
    if item.created_by is None:
        return
    author = await ctx.db.get(User, item.created_by)
    address = address_of(author) if author is not None else None
    if author is None or address is None or address.bot not in ctx.bots:
        return
    t = translator(locale_of(author, ctx.settings.default_locale))
    ctx.send(
        address,
        t(N_("Your announcement went out to {count} clients."), count=item.sent_count),
    )
