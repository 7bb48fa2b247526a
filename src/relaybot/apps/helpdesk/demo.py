"""Sample catalogue for trying the help desk: places, kinds of help and their categories.

Seeding is idempotent: what exists (by name) is kept, what is missing is added, in the
language of the sample places already there (else the one asked for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import catalog, switches
from .models import Place, Resource, Scenario

PLACES = {
    "centre": {"ru": "Бишкек, центр", "en": "Bishkek, centre"},
    "alamedin": {"ru": "Бишкек, Аламедин", "en": "Bishkek, Alamedin"},
    "osh": {"ru": "Ош", "en": "Osh"},
    "online": {"ru": "Онлайн", "en": "Online"},
}
RESOURCES = {
    "food": {"ru": "Продукты", "en": "Food"},
    "medicine": {"ru": "Лекарства", "en": "Medicine"},
    "transport": {"ru": "Транспорт", "en": "Transport"},
    "legal": {"ru": "Юридическая консультация", "en": "Legal advice"},
    "talk": {"ru": "Поговорить с кем-то", "en": "Someone to talk to"},
}
SCENARIOS = [
    (
        "centre",
        "food",
        {
            "ru": "Продуктовые наборы с доставкой по центру города.",
            "en": "Food parcels delivered in the city centre.",
        },
    ),
    (
        "centre",
        "medicine",
        {
            "ru": "Покупка и доставка лекарств по рецепту и без.",
            "en": "Buying and bringing medicines, with or without a prescription.",
        },
    ),
    (
        "centre",
        "transport",
        {
            "ru": "Подвезти до больницы, вокзала или домой.",
            "en": "A lift to a hospital, the station or home.",
        },
    ),
    ("alamedin", "food", {"ru": "Продуктовые наборы.", "en": "Food parcels."}),
    (
        "alamedin",
        "transport",
        {
            "ru": "Подвезти по району и в центр.",
            "en": "A lift around the district and to the centre.",
        },
    ),
    ("osh", "food", {"ru": "Продуктовые наборы.", "en": "Food parcels."}),
    (
        "osh",
        "medicine",
        {"ru": "Лекарства и перевязочные материалы.", "en": "Medicines and dressings."},
    ),
    (
        "online",
        "legal",
        {
            "ru": "Консультация юриста: документы, жильё, работа.",
            "en": "A lawyer's advice: documents, housing, work.",
        },
    ),
    (
        "online",
        "talk",
        {
            "ru": "Волонтёр-психолог выслушает и поддержит.",
            "en": "A volunteer psychologist listens and supports.",
        },
    ),
]


@dataclass(frozen=True)
class DemoSummary:
    places: int
    resources: int
    scenarios: int
    added: int


async def _named(
    session: AsyncSession, model: type[Place] | type[Resource], name: str, now: datetime
) -> tuple[Place | Resource, bool]:
    existing = await catalog.find_named(session, model, name)
    if existing is not None:
        return existing, False
    return await catalog.add_named(session, model, name, "", now), True


async def _seeded_language(session: AsyncSession) -> str | None:
    """The language of sample data seeded before: a catalogue is never doubled in another."""
    for lang in ("ru", "en"):
        for names in PLACES.values():
            if await catalog.find_named(session, Place, names[lang]) is not None:
                return lang
    return None


async def seed(
    session: AsyncSession, *, locale: str, now: datetime, self_service: bool
) -> DemoSummary:
    lang = await _seeded_language(session) or (locale if locale in ("ru", "en") else "en")
    added = 0
    places: dict[str, int] = {}
    for key, names in PLACES.items():
        item, new = await _named(session, Place, names[lang], now)
        places[key] = item.id
        added += new
    resources: dict[str, int] = {}
    for key, names in RESOURCES.items():
        item, new = await _named(session, Resource, names[lang], now)
        resources[key] = item.id
        added += new
    for place_key, resource_key, description in SCENARIOS:
        exists = await session.scalar(
            select(Scenario.id).where(
                Scenario.place_id == places[place_key],
                Scenario.resource_id == resources[resource_key],
            )
        )
        if exists is None:
            await catalog.add_scenario(
                session,
                place_id=places[place_key],
                resource_id=resources[resource_key],
                description=description[lang],
                now=now,
            )
            added += 1
    await switches.turn(session, switches.SELF_SERVICE_ROLES, self_service, now)
    return DemoSummary(
        places=len(PLACES), resources=len(RESOURCES), scenarios=len(SCENARIOS), added=added
    )
