"""Named leases in the `leases` table: who holds what until when, agreed on by every process.

Each call is one conditional UPDATE and, when the row does not exist yet, one
INSERT ... ON CONFLICT DO NOTHING; the database decides the winner on SQLite (writes are
serialised) and on PostgreSQL (row lock, then the WHERE is checked again), so no process
needs a lock with a timeout of its own.
"""

from __future__ import annotations

from sqlalchemy import case, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.store.db import SessionMaker
from relaybot.store.models import Lease
from relaybot.store.sql import upsert_insert


async def create(session: AsyncSession, name: str, holder: str, expires_at: float) -> bool:
    """Create the lease unless it exists; True when this call created it."""
    stmt = (
        upsert_insert(session, Lease)
        .values(name=name, holder=holder, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(Lease.name)
    )
    return (await session.execute(stmt)).first() is not None


async def take(
    session: AsyncSession, name: str, holder: str, *, now: float, until: float, renew: bool
) -> bool:
    """Take `name` until `until` if it is free (expired or new) or, with `renew`, already ours.

    Inside the caller's transaction: when that transaction rolls back, the take never happened.
    """
    if await take_existing(session, name, holder, now=now, until=until, renew=renew):
        return True
    return await create(session, name, holder, until)


async def take_existing(
    session: AsyncSession, name: str, holder: str, *, now: float, until: float, renew: bool
) -> bool:
    """Like `take`, but a lease that does not exist yet is not created."""
    condition = Lease.expires_at <= now
    if renew:
        condition = or_(condition, Lease.holder == holder)
    result = await session.execute(
        update(Lease)
        .where(Lease.name == name, condition)
        .values(holder=holder, expires_at=until)
        .returning(Lease.name)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def extend_window(
    session: AsyncSession, name: str, *, now: float, span: float, holder: str = "window"
) -> float:
    """Reserve the next `span` seconds of a shared timeline; returns where the reservation starts.

    Used to pace broadcasts across processes: each caller gets the stretch after the previous
    caller's, or starts now when the timeline has run dry.
    """
    for _ in range(3):
        result = await session.execute(
            update(Lease)
            .where(Lease.name == name)
            .values(
                expires_at=case((Lease.expires_at > now, Lease.expires_at), else_=now) + span,
                holder=holder,
            )
            .returning(Lease.expires_at)
            .execution_options(synchronize_session=False)
        )
        end = result.scalar_one_or_none()
        if end is not None:
            return float(end) - span
        if await create(session, name, holder, now + span):
            return now
    raise RuntimeError(f"could not reserve a window on {name!r}")


class LeaseStore:
    """Leases in their own short transactions: for leadership, not for work."""

    def __init__(self, sessions: SessionMaker) -> None:
        self.sessions = sessions

    async def acquire(self, name: str, holder: str, *, ttl: float, now: float) -> bool:
        """Become (or stay) the holder for `ttl` seconds; False while someone else holds it."""
        async with self.sessions() as session, session.begin():
            return await take(session, name, holder, now=now, until=now + ttl, renew=True)

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up at once so another process need not wait for it to expire."""
        async with self.sessions() as session, session.begin():
            await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))

    async def holder(self, name: str, *, now: float) -> str | None:
        async with self.sessions() as session:
            lease = await session.get(Lease, name)
        if lease is None or lease.expires_at <= now:
            return None
        return lease.holder
