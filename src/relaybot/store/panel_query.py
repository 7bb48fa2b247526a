"""One page of a console table, sorted and filtered by the database, and how many rows match:
the query every back office runs, whatever its model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute

from relaybot.core.panel import PanelQuery
from relaybot.store.db import SessionMaker


async def panel_page(
    sessions: SessionMaker,
    query: Select[Any],
    conditions: list[ColumnElement[bool]],
    asked: PanelQuery,
    sorts: Mapping[str, InstrumentedAttribute[Any]],
    tiebreak: InstrumentedAttribute[Any],
) -> tuple[list[Any], int]:
    """The rows of `query` under `conditions` on the page `asked` names, sorted by the column
    `sorts` gives for `asked.sort` (then `tiebreak`, so pages never overlap), and the count."""
    column = sorts.get(asked.sort or "", tiebreak)
    order = column.desc() if asked.descending else column.asc()
    tie = tiebreak.desc() if asked.descending else tiebreak.asc()
    filtered = query.where(*conditions)
    async with sessions() as session:
        total = await session.scalar(select(func.count()).select_from(filtered.subquery()))
        rows = await session.execute(
            filtered.order_by(order, tie).offset(asked.offset).limit(asked.limit)
        )
        return list(rows.unique().scalars()), int(total or 0)
