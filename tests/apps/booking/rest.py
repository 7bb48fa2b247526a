"""The booking world behind its REST API: an in-process gateway and a token for each person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from relaybot.apps.booking import models
from relaybot.apps.booking.api.base import issue_token
from relaybot.apps.booking.grid import cell_at
from relaybot.gateway.app import create_app
from relaybot.store.models import AuditEntry
from tests.apps.booking.world import World

TABLES = (
    models.User,
    models.Location,
    models.Service,
    models.Specialist,
    models.SpecialistService,
    models.WorkingHours,
    models.ScheduleException,
    models.Booking,
    models.Cell,
    models.AdTemplate,
    models.NotificationSetting,
    AuditEntry,
)


@dataclass
class Rest:
    """`world` over HTTP; `tokens[name]` is the access token of that person."""

    world: World
    http: httpx.AsyncClient
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}

    async def call(
        self, who: str, method: str, path: str, body: object | None = None
    ) -> httpx.Response:
        return await self.http.request(
            method, f"/api/booking{path}", json=body, headers=self.as_(who)
        )

    def sign_in(self, name: str, user_id: int, role: str) -> None:
        system = self.world.system
        self.tokens[name] = issue_token(system.settings, system.sessions, user_id, role)
        self.ids[name] = user_id

    async def snapshot(self) -> list[str]:
        """Every row the booking app and the audit log hold, to show nothing changed."""
        rows: list[str] = []
        async with self.world.system.sessions() as session:
            for table in TABLES:
                for row in await session.scalars(select(table)):
                    columns = table.__table__.columns  # type: ignore[attr-defined]
                    rows.append(repr([getattr(row, c.key) for c in columns]))
        return rows

    async def past_booking(self, client: str, hours_ago: int) -> int:
        """A booking whose visit already began, as the completion check finds them."""
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(
            hours=hours_ago
        )
        world = self.world
        async with world.system.sessions() as session, session.begin():
            booking = models.Booking(
                client_id=self.ids[client],
                specialist_id=world.bakyt,
                service_id=world.haircut,
                location_id=world.location,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                duration_min=60,
                price_minor=100000,
                status="confirmed",
            )
            session.add(booking)
            await session.flush()
            first = cell_at(start)
            session.add_all(
                models.Cell(specialist_id=world.bakyt, cell=first + n, booking_id=booking.id)
                for n in range(4)
            )
            return booking.id


@asynccontextmanager
async def rest_of(world: World) -> AsyncIterator[Rest]:
    transport = httpx.ASGITransport(app=create_app(world.system))
    async with httpx.AsyncClient(transport=transport, base_url="http://booking") as http:
        yield Rest(world, http)
