"""The one way a `relaybot` listing prints: an aligned table, or with `--json` one JSON array.

Every listing (dead letters, tokens, audit, and the listings of apps and channels) hands its
rows here as plain dicts. `--json` prints all of each row's keys, so scripts get every field;
the table shows the columns named, cut to a width that keeps one row on one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import click

Row = Mapping[str, Any]
"""One listed record: a table row, or one object of the `--json` array."""


@dataclass(frozen=True)
class Column:
    """One table column: the row's `key` (or a `cell` computed from the row) under `title`."""

    key: str
    title: str
    width: int | None = None  # longer values are cut, ending in "…"
    min_width: int = 0  # wide enough for the usual values, so runs line up alike
    right: bool = False  # numbers line up on the right
    cell: Callable[[Row], object] | None = None

    def text(self, row: Row) -> str:
        """The cell of `row` as one line, cut to `width` so the table stays aligned."""
        value = self.cell(row) if self.cell is not None else row.get(self.key)
        shown = " ".join(_plain(value).split())  # a line break would break the table
        if self.width is not None and len(shown) > self.width:
            shown = shown[: max(self.width - 1, 0)] + "…"
        return shown


def minute_cell(key: str) -> Callable[[Row], str]:
    """A cell with the row's time `key` (ISO text or datetime) to the minute: 2026-01-02 03:04."""

    def cell(row: Row) -> str:
        value = row.get(key)
        return "" if value is None else _plain(value)[:16].replace("T", " ")

    return cell


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def table(rows: Sequence[Row], columns: Sequence[Column]) -> list[str]:
    """The lines of an aligned table: a heading, then one line per row."""
    cells = [[column.text(row) for column in columns] for row in rows]
    widths = [
        max([column.min_width, len(column.title), *(len(line[i]) for line in cells)])
        for i, column in enumerate(columns)
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if column.right else value.ljust(width)
            for value, width, column in zip(values, widths, columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line([column.title for column in columns]), *(line(values) for values in cells)]


def print_rows(
    rows: Sequence[Row], columns: Sequence[Column], *, as_json: bool, empty: str
) -> None:
    """Print a listing: `rows` as one JSON array, or a table (`empty` when there are none)."""
    if as_json:
        click.echo(
            json.dumps(list(map(dict, rows)), ensure_ascii=False, indent=2, default=_json_default)
        )
        return
    if not rows:
        click.echo(empty)
        return
    for text in table(rows, columns):
        click.echo(text)


_JSON_FLAG = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON array (for scripts and jq)."
)
Command = TypeVar("Command", bound=Callable[..., Any])


def json_option(command: Command) -> Command:
    """The `--json` flag every listing takes, passed to the command as `as_json`, so every
    listing prints a table or one JSON array alike (see `print_rows`)."""
    return _JSON_FLAG(command)
