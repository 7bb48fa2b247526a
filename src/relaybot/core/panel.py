"""What an app gives the operations console: tables of its rows and the actions on them.

An app's back office is data, not pages: the console renders every table alike (paging,
sorting and filtering on the server, CSV export, times in the operator's zone, both languages)
and checks the sign-in, the grant and the CSRF token before any action runs. The action itself
is the app's own code, the same the chat and REST call, so the same notices leave.

An app offers its section from `panel.py` beside its module: `panel(settings, sessions)`
returning a `PanelSection`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

ColumnKind = Literal["text", "time", "number", "word"]
"""`word`: a text marked with `N_`, shown in the operator's language (a status, yes or no)."""


@dataclass(frozen=True)
class PanelColumn:
    """One column; `person` marks data about a person (phone, address), shown only to roles
    allowed to see people's data."""

    key: str
    title: str
    kind: ColumnKind = "text"
    sortable: bool = True
    person: bool = False
    link: str | None = None
    """A console page the cell leads to, with the row's values in braces, URL-quoted:
    `/admin/helpdesk/messages?f.demand={id}`."""


@dataclass(frozen=True)
class PanelFilter:
    """A filter of a table: a choice among `choices` (value, title), or free text."""

    key: str
    title: str
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PanelQuery:
    """What the operator asked of a table; `sort` is one of the table's sortable keys."""

    filters: Mapping[str, str]
    sort: str | None
    descending: bool
    offset: int
    limit: int
    bots: frozenset[str] | None = None
    """The bots whose rows the viewer may see; None for all of them."""
    time_zone: str = "UTC"
    """The operator's zone, for filters that name a day."""
    locale: str = "en"
    """The operator's language, for cells an app words itself (a schedule in words)."""


@dataclass(frozen=True)
class PanelRows:
    """A page of a table's rows (column key to value) and how many rows match in all."""

    rows: Sequence[Mapping[str, Any]]
    total: int


@dataclass(frozen=True)
class PanelField:
    """An input an action asks for: a choice, or text of at most `max_length` characters."""

    name: str
    title: str
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    multiline: bool = False
    max_length: int = 500


@dataclass(frozen=True)
class PanelActor:
    """Who acts, as the audit log names them (`console:alice`), and the language they read."""

    actor: str
    locale: str


class PanelRefused(Exception):
    """The app's rules refuse the action; the message (in English, translated when shown)
    tells the operator why. Nothing was changed."""


ActionRun = Callable[[str, Mapping[str, str], PanelActor], Awaitable[str]]


@dataclass(frozen=True)
class PanelAction:
    """An action on one row, identified by the table's `key` column; `run` returns what the
    operator is told, or raises `PanelRefused`. `applies` says whether a row offers it."""

    name: str
    title: str
    run: ActionRun
    fields: tuple[PanelField, ...] = ()
    applies: Callable[[Mapping[str, Any]], bool] | None = None
    bulk: bool = False
    """Offered for the rows ticked in the table: `run` gets their keys joined by commas."""
    adds: bool = False
    """Offered above the table, for no row (adding one): `run` gets the key `new`."""


@dataclass(frozen=True)
class PanelTable:
    """A table of the console: its columns, how to fetch a page, its filters and actions;
    `key` is the column that names a row to its actions."""

    name: str
    title: str
    columns: tuple[PanelColumn, ...]
    fetch: Callable[[PanelQuery], Awaitable[PanelRows]]
    key: str = "id"
    filters: tuple[PanelFilter, ...] = ()
    actions: tuple[PanelAction, ...] = ()
    default_sort: str | None = None
    bot_column: str | None = None
    """The column naming the row's bot, when the table's rows belong to bots."""


@dataclass(frozen=True)
class PanelSection:
    """An app's back office: its tables, under the app's name (what a grant names)."""

    app: str
    title: str
    tables: tuple[PanelTable, ...] = field(default_factory=tuple)


def panel_row_id(value: str) -> int | None:
    """A row id typed in a filter or sent by a form: ASCII digits that fit a BIGINT; anything
    else names no row (and is never an error, the table is simply empty)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
