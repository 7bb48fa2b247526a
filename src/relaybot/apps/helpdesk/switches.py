"""Run-time switches of the help desk kept in its own table, so every process sees one value."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from .models import HelpdeskSetting

SELF_SERVICE_ROLES = "self_service_roles"


async def is_on(session: AsyncSession, key: str) -> bool:
    row = await session.get(HelpdeskSetting, key)
    return bool(row is not None and row.value)


async def turn(session: AsyncSession, key: str, on: bool, now: datetime) -> None:
    row = await session.get(HelpdeskSetting, key)
    if row is None:
        session.add(HelpdeskSetting(key=key, value=on, updated_at=now))
    else:
        row.value = on
        row.updated_at = now
    await session.flush()
