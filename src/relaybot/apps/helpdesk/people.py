"""Help desk users: found by where they write from, given roles and links by an admin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import Update, upsert_insert

from .errors import Conflict, NotFound
from .models import HelpdeskUser, Scenario, UserScenario
from .roles import GRANTABLE, Actor, Role


async def touch(session: AsyncSession, update: Update, now: datetime) -> tuple[HelpdeskUser, bool]:
    """The user behind this update, created on first contact; True when they are new."""
    user = await find_by_address(session, update.bot, update.chat_id)
    if user is None:
        await session.execute(
            upsert_insert(session, HelpdeskUser)
            .values(
                bot=update.bot,
                chat_id=update.chat_id,
                channel=update.channel,
                user_id=update.user_id,
                name=update.user_name[:256] if update.user_name else None,
                language=update.language[:16] if update.language else None,
                is_moderator=False,
                is_admin=False,
                created_at=now,
                last_seen=now,
            )
            .on_conflict_do_nothing(index_elements=["bot", "chat_id"])
        )
        user = await find_by_address(session, update.bot, update.chat_id)
        if user is None:  # pragma: no cover - the row was inserted a line above
            raise RuntimeError("help desk user vanished right after it was created")
        return user, True
    user.last_seen = now
    if update.language:
        user.language = update.language[:16]
    if update.user_name:
        user.name = update.user_name[:256]
    return user, False


async def find_by_address(session: AsyncSession, bot: str, chat_id: str) -> HelpdeskUser | None:
    user: HelpdeskUser | None = await session.scalar(
        select(HelpdeskUser)
        .where(HelpdeskUser.bot == bot, HelpdeskUser.chat_id == chat_id)
        .execution_options(populate_existing=True)
    )
    return user


async def get(session: AsyncSession, user_id: int) -> HelpdeskUser:
    user = await session.get(HelpdeskUser, user_id, populate_existing=True)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


async def scenario_ids(session: AsyncSession, user_id: int) -> frozenset[int]:
    """Active scenarios the user is linked to: an inactive category makes nobody a provider."""
    return frozenset((await links_of(session, [user_id], active_only=True))[user_id])


async def actor_of(session: AsyncSession, user: HelpdeskUser) -> Actor:
    return Actor(user=user, scenario_ids=await scenario_ids(session, user.id))


async def load_actor(session: AsyncSession, user_id: int) -> Actor:
    return await actor_of(session, await get(session, user_id))


async def list_users(
    session: AsyncSession, *, role: Role | None = None, limit: int = 100, offset: int = 0
) -> list[HelpdeskUser]:
    query = select(HelpdeskUser).order_by(HelpdeskUser.id).limit(limit).offset(offset)
    if role is Role.MODERATOR:
        query = query.where(HelpdeskUser.is_moderator.is_(True))
    elif role is Role.ADMIN:
        query = query.where(HelpdeskUser.is_admin.is_(True))
    elif role is Role.PROVIDER:
        linked = (
            select(UserScenario.user_id)
            .join(Scenario, Scenario.id == UserScenario.scenario_id)
            .where(Scenario.active.is_(True))
        )
        query = query.where(HelpdeskUser.id.in_(linked))
    return list(await session.scalars(query))


async def links_of(
    session: AsyncSession, user_ids: Sequence[int], *, active_only: bool = False
) -> dict[int, list[int]]:
    """The scenarios each user is linked to: all of them for an admin, or the active ones."""
    result: dict[int, list[int]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return result
    query = (
        select(UserScenario.user_id, UserScenario.scenario_id)
        .where(UserScenario.user_id.in_(user_ids))
        .order_by(UserScenario.user_id, UserScenario.scenario_id)
    )
    if active_only:
        query = query.join(Scenario, Scenario.id == UserScenario.scenario_id).where(
            Scenario.active.is_(True)
        )
    rows = await session.execute(query)
    for user_id, scenario_id in rows:
        result[user_id].append(scenario_id)
    return result


def roles_of(user: HelpdeskUser, active_links: Sequence[int]) -> list[str]:
    """The same roles an `Actor` has: provider only through a link to an active scenario."""
    roles = [Role.REQUESTER.value]
    if active_links:
        roles.append(Role.PROVIDER.value)
    if user.is_moderator:
        roles.append(Role.MODERATOR.value)
    if user.is_admin:
        roles.append(Role.ADMIN.value)
    return roles


async def set_role(session: AsyncSession, user_id: int, role: Role, enabled: bool) -> HelpdeskUser:
    """Grant or take away moderator or admin; provider comes from links, not from here."""
    if role not in GRANTABLE:
        raise Conflict(
            f"{role.value} is not granted: "
            + (
                "link the user to a scenario to make them a provider"
                if role is Role.PROVIDER
                else "everyone is a requester"
            )
        )
    user = await get(session, user_id)
    if role is Role.MODERATOR:
        user.is_moderator = enabled
    else:
        user.is_admin = enabled
    await session.flush()
    return user


async def link(session: AsyncSession, user_id: int, scenario_id: int, now: datetime) -> bool:
    """Make the user a provider in the scenario; False when the link was already there."""
    await get(session, user_id)
    if await session.get(Scenario, scenario_id) is None:
        raise NotFound(f"scenario {scenario_id} does not exist")
    exists = await session.get(UserScenario, (user_id, scenario_id))
    if exists is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(UserScenario(user_id=user_id, scenario_id=scenario_id, created_at=now))
    except IntegrityError as exc:
        raise Conflict(f"user {user_id} is already linked to scenario {scenario_id}") from exc
    return True


async def unlink(session: AsyncSession, user_id: int, scenario_id: int) -> bool:
    result = await session.execute(
        delete(UserScenario).where(
            UserScenario.user_id == user_id, UserScenario.scenario_id == scenario_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def list_links(
    session: AsyncSession,
    *,
    user_id: int | None = None,
    scenario_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[UserScenario]:
    query = (
        select(UserScenario)
        .order_by(UserScenario.user_id, UserScenario.scenario_id)
        .limit(limit)
        .offset(offset)
    )
    if user_id is not None:
        query = query.where(UserScenario.user_id == user_id)
    if scenario_id is not None:
        query = query.where(UserScenario.scenario_id == scenario_id)
    return list(await session.scalars(query))
