"""Every table of the console, rendered alike: a page of rows sorted and filtered by the store,
the same rows as CSV, and the actions of a row or of the ticked rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import HTTPException, Request
from fastapi.responses import Response

from relaybot.core.panel import (
    PanelAction,
    PanelActor,
    PanelColumn,
    PanelQuery,
    PanelRefused,
    PanelTable,
)
from relaybot.gateway.panel.auth import Forbidden, Viewer
from relaybot.gateway.panel.render import local_time

PAGE_SIZE = 25
CSV_LIMIT = 10_000
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Asked:
    """A table's query string, checked: unknown sorts and filters are the caller's mistake."""

    query: PanelQuery
    page: int
    params: dict[str, str]

    def link(self, **changes: str | int | None) -> str:
        merged: dict[str, str] = {**self.params}
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = str(value)
        return "?" + urlencode(merged)


def parse(
    request: Request,
    table: PanelTable,
    bots: frozenset[str] | None,
    *,
    limit: int,
    time_zone: str = "UTC",
    locale: str = "en",
) -> Asked:
    params = dict(request.query_params)
    filters: dict[str, str] = {}
    known = {f.key: f for f in table.filters}
    for key, value in params.items():
        if key.startswith("f."):
            name = key[2:]
            spec = known.get(name)
            if spec is None:
                raise HTTPException(400, f"the table {table.name} has no filter {name!r}")
            value = value.strip()[:200]
            if spec.choices and value and value not in {c for c, _ in spec.choices}:
                raise HTTPException(400, f"the filter {name!r} takes one of its choices")
            if value:
                filters[name] = value
    sort = params.get("sort") or table.default_sort
    sortable = {c.key for c in table.columns if c.sortable}
    if sort is not None and sort not in sortable:
        raise HTTPException(400, f"the table {table.name} cannot be sorted by {sort!r}")
    direction = params.get("dir", "desc" if params.get("sort") is None else "asc")
    if direction not in ("asc", "desc"):
        raise HTTPException(400, "dir is asc or desc")
    raw_page = params.get("page", "1")
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise HTTPException(400, f"page is a whole number from 1 to {MAX_PAGE}")
    page = int(raw_page)
    query = PanelQuery(
        filters=filters,
        sort=sort,
        descending=direction == "desc",
        offset=(page - 1) * limit,
        limit=limit,
        bots=bots,
        time_zone=time_zone,
        locale=locale,
    )
    kept = {k: v for k, v in params.items() if k not in ("csrf",)}
    return Asked(query, page, kept)


def cell(value: Any, kind: str, viewer: Viewer) -> str:
    if value is None:
        return ""
    if kind == "time" and isinstance(value, datetime | int | float):
        return local_time(value, viewer)
    if kind == "word":
        return viewer.t(str(value))
    return str(value)


def link(row: Mapping[str, Any], column: PanelColumn) -> str | None:
    """Where a cell leads: only ever a console page, with the row's values quoted."""
    if column.link is None or not column.link.startswith("/admin/"):
        return None
    values = {k: quote("" if v is None else str(v), safe="") for k, v in row.items()}
    try:
        return column.link.format(**values)
    except (KeyError, IndexError, ValueError):
        return None


def visible_columns(table: PanelTable, viewer: Viewer) -> list[Any]:
    return [c for c in table.columns if viewer.sees_people or not c.person]


async def csv_response(table: PanelTable, asked: Asked, viewer: Viewer) -> Response:
    full = PanelQuery(
        filters=asked.query.filters,
        sort=asked.query.sort,
        descending=asked.query.descending,
        offset=0,
        limit=CSV_LIMIT,
        bots=asked.query.bots,
        time_zone=asked.query.time_zone,
        locale=asked.query.locale,
    )
    found = await table.fetch(full)
    columns = visible_columns(table, viewer)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([viewer.t(c.title) for c in columns])
    for row in found.rows:
        writer.writerow([_csv_safe(cell(row.get(c.key), c.kind, viewer)) for c in columns])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{table.name}.csv"',
            "Cache-Control": "no-store",
        },
    )


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def find_action(table: PanelTable, name: str) -> PanelAction:
    for action in table.actions:
        if action.name == name:
            return action
    raise HTTPException(404, f"the table {table.name} has no action {name!r}")


async def run_action(
    action: PanelAction,
    key: str,
    form: Mapping[str, str],
    viewer: Viewer,
) -> tuple[bool, str]:
    """(done, what to tell the operator): a refusal changes nothing and says why."""
    values: dict[str, str] = {}
    for spec in action.fields:
        value = str(form.get(spec.name, "")).strip()
        if len(value) > spec.max_length:
            return False, viewer.t("{field} is too long.", field=viewer.t(spec.title))
        if spec.choices and value and value not in {c for c, _ in spec.choices}:
            return False, viewer.t(
                "{field}: choose one of the offered.", field=viewer.t(spec.title)
            )
        if spec.required and not value:
            return False, viewer.t("{field} is required.", field=viewer.t(spec.title))
        values[spec.name] = value
    if not key or len(key) > 2000:
        return False, viewer.t("Nothing was chosen.")
    try:
        told = await action.run(
            key, values, PanelActor(viewer.account.actor, viewer.account.locale)
        )
    except PanelRefused as refused:
        return False, viewer.t(str(refused))
    except Forbidden:
        raise
    return True, viewer.t(told)
