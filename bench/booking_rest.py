"""The booking REST API in one process (ASGI, no network): what a call costs on SQLite.

A studio of one location, one 30-minute service and 10 specialists working 09:00-19:00
every day. Measured, each as milliseconds per call (wall and this process's CPU):

* slots: `GET /api/booking/slots` for one day, any specialist;
* book: `POST /api/booking/bookings` by a client, each at a different free time, with the
  notices to the specialist and the administrator written to the outbox;
* crowd: 100 clients asking for the same time at once; one gets it, the others the nearest
  free times (the wall time of the whole burst is printed).

    python bench/booking_rest.py [--database-url URL] [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from relaybot.apps.booking.api.base import issue_token
from relaybot.apps.booking.catalog import Catalog
from relaybot.apps.booking.models import User
from relaybot.apps.booking.users import Actor
from relaybot.config import load_settings
from relaybot.gateway.app import create_app
from relaybot.system import build_system

SPECIALISTS = 10


def row(name: str, walls: list[float], cpus: list[float]) -> str:
    def ms(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0

    return (
        f"{name:<8} p50 {ms(walls, 50):7.2f} ms  p99 {ms(walls, 99):7.2f} ms  "
        f"cpu p50 {ms(cpus, 50):6.2f} ms  cpu p99 {ms(cpus, 99):6.2f} ms"
    )


async def main(database_url: str, calls: int) -> None:
    settings = load_settings(None, database_url=database_url, jwt_secret="b" * 40)
    system = await build_system(settings)
    try:
        async with system.sessions() as session, session.begin():
            admin = User(bot="booking", chat_id="admin", channel="webchat", name="A", role="admin")
            session.add(admin)
            await session.flush()
            catalog = Catalog(session, Actor(admin))
            place = await catalog.add_location(name="Central", address="", timezone="UTC")
            service = await catalog.add_service(
                name="Cut", duration_min=30, price_minor=1000, currency="KGS"
            )
            for n in range(SPECIALISTS):
                person = await catalog.add_specialist(name=f"S{n}", service_ids=[service.id])
                await catalog.set_hours(
                    person.id, place.id, weekdays=range(7), intervals=[(540, 1140)]
                )
            clients = [User(bot="booking", chat_id=f"c{n}", name=f"C{n}") for n in range(calls)]
            session.add_all(clients)
            await session.flush()
            ids = [c.id for c in clients]
        tokens = [issue_token(settings, system.sessions, i, "client") for i in ids]
        transport = httpx.ASGITransport(app=create_app(system))
        day = (datetime.now(UTC) + timedelta(days=2)).date()
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

            async def timed(call: object) -> tuple[float, float, httpx.Response]:
                wall, cpu = time.perf_counter(), time.process_time()
                answer = await call  # type: ignore[misc]
                return time.perf_counter() - wall, time.process_time() - cpu, answer

            walls, cpus = [], []
            query = f"/api/booking/slots?location_id={place.id}&service_id={service.id}&day={day}"
            for n in range(calls):
                headers = {"Authorization": f"Bearer {tokens[n]}"}
                w, c, answer = await timed(http.get(query, headers=headers))
                assert answer.status_code == 200, answer.text
                walls.append(w)
                cpus.append(c)
            print(row("slots", walls, cpus))

            walls, cpus = [], []
            start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            for n in range(calls):
                at = start + timedelta(minutes=30 * (n // SPECIALISTS) + 24 * 60 * (n // 200))
                body = {"location_id": place.id, "service_id": service.id, "start": at.isoformat()}
                headers = {"Authorization": f"Bearer {tokens[n]}"}
                w, c, answer = await timed(
                    http.post("/api/booking/bookings", json=body, headers=headers)
                )
                assert answer.status_code == 201, answer.text
                walls.append(w)
                cpus.append(c)
            print(row("book", walls, cpus))

            later = start + timedelta(days=20)
            body = {
                "location_id": place.id,
                "service_id": service.id,
                "specialist_id": 1,
                "start": later.isoformat(),
            }
            wall = time.perf_counter()
            answers = await asyncio.gather(
                *(
                    http.post(
                        "/api/booking/bookings",
                        json=body,
                        headers={"Authorization": f"Bearer {tokens[n % calls]}"},
                    )
                    for n in range(100)
                )
            )
            spent = time.perf_counter() - wall
            made = sum(a.status_code == 201 for a in answers)
            print(
                f"crowd    100 at once: {made} booked, {100 - made} offered others, {spent:.2f} s"
            )
    finally:
        await system.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--calls", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        url = options.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(main(url, options.calls))
