"""The two sample ad kinds: car parts for sale, and repair requests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import AdKind


@dataclass(frozen=True)
class SampleKind:
    code: str
    title: str
    stages: tuple[str, ...]
    categories: tuple[str, ...]
    regions: tuple[str, ...]
    conditions: tuple[str, ...] = ()


PARTS_STAGES = (
    "category",
    "title",
    "description",
    "price",
    "region",
    "condition",
    "photos",
    "contact",
)
REPAIR_STAGES = ("category", "title", "description", "region", "contact")

SAMPLES: dict[str, tuple[SampleKind, ...]] = {
    "en": (
        SampleKind(
            "parts",
            "Car parts for sale",
            PARTS_STAGES,
            ("Engine", "Body", "Suspension", "Electrics", "Wheels and tyres", "Interior"),
            ("Bishkek", "Osh", "Karakol", "Jalal-Abad"),
            ("New", "Used", "For parts"),
        ),
        SampleKind(
            "repair",
            "Repair request",
            REPAIR_STAGES,
            ("Engine repair", "Bodywork and paint", "Electrics", "Tyre service", "Diagnostics"),
            ("Bishkek", "Osh", "Karakol", "Jalal-Abad"),
        ),
    ),
    "ru": (
        SampleKind(
            "parts",
            "Продажа запчастей",
            PARTS_STAGES,
            ("Двигатель", "Кузов", "Подвеска", "Электрика", "Колёса и шины", "Салон"),
            ("Бишкек", "Ош", "Каракол", "Джалал-Абад"),
            ("Новое", "Б/у", "На запчасти"),
        ),
        SampleKind(
            "repair",
            "Заявка на ремонт",
            REPAIR_STAGES,
            ("Ремонт двигателя", "Кузов и покраска", "Электрика", "Шиномонтаж", "Диагностика"),
            ("Бишкек", "Ош", "Каракол", "Джалал-Абад"),
        ),
    ),
}


async def seed_kinds(session: AsyncSession, *, bot: str, locale: str) -> int:
    """Add the sample kinds `bot` does not have yet (by code); returns how many were added,
    so running it twice adds nothing the second time."""
    have = set(await session.scalars(select(AdKind.code).where(AdKind.bot == bot)))
    added = 0
    for position, sample in enumerate(SAMPLES.get(locale, SAMPLES["en"])):
        if sample.code in have:
            continue
        session.add(
            AdKind(
                bot=bot,
                code=sample.code,
                title=sample.title,
                stages=list(sample.stages),
                categories=list(sample.categories),
                regions=list(sample.regions),
                conditions=list(sample.conditions),
                position=position,
            )
        )
        added += 1
    return added
