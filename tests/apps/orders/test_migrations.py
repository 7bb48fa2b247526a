"""orders_0002 adds the Chat2Desk client id, the client's chat and the operators' chats, and
keeps every order taken before it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from relaybot.apps.orders import models  # noqa: F401 - registers the tables
from relaybot.apps.orders.app import OrdersApp
from relaybot.config import Settings
from relaybot.store.base import Base
from relaybot.store.db import create_engine
from relaybot.store.migrate import alembic_config
from relaybot.system import open_store

OLD_ORDERS = [
    (1, "+996555123456", "Osh, Lenina 1", 2, "webchat", "orders", "visitor-1", "new"),
    (2, "+996700111222", "Bishkek, Chui 120", 5, "chat2desk", "water", "c2d-77", "confirmed"),
]


COLUMNS = ("id", "phone", "address", "bottles", "source", "bot", "client", "status")
NEW_INDEXES = {"idx_orders_created_at", "idx_orders_status", "idx_orders_chat2desk_client_id"}


def _upgrade(connection: Connection, url: str, target: str) -> None:
    migrations = OrdersApp.migrations_dir()
    assert migrations is not None
    config = alembic_config(url, [migrations])
    config.attributes["connection"] = connection
    command.upgrade(config, target)


def _seed_old_orders(connection: Connection) -> None:
    for row in OLD_ORDERS:
        connection.execute(
            text(
                "INSERT INTO orders (id, client_phone, delivery_address, bottles_count, source,"
                " bot, client_id, status, created_at, updated_at) VALUES (:id, :phone,"
                " :address, :bottles, :source, :bot, :client, :status,"
                " '2026-11-30 10:00:00+00:00', '2026-11-30 10:00:00+00:00')"
            ),
            dict(zip(COLUMNS, row, strict=True)),
        )


def _ours(diff: Any) -> bool:
    """Whether an autogenerate difference is about one of the orders app's tables (the
    metadata also holds the tables of every other app some earlier test imported)."""
    if isinstance(diff, list):  # a column's changes come as a list of modify_* tuples
        return any(_ours(part) for part in diff)
    kind, *rest = diff
    if kind in ("add_table", "remove_table"):
        name = rest[0].name
    elif kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        name = rest[0].table.name
    else:  # add_column, remove_column, modify_*: (schema, table name, ...)
        name = rest[1]
    return str(name).startswith("orders")


async def test_orders_made_before_the_migration_keep_their_data_and_gain_the_new_columns(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, database_url, "orders_0001")
            await connection.run_sync(_seed_old_orders)
    finally:
        await engine.dispose()
    async with open_store(make_settings(database_url)):
        pass  # migrates to every head, as relaybot does on start

    engine = create_engine(database_url)

    def look(connection: Connection) -> tuple[list[Any], set[str], list[Any]]:
        rows = connection.execute(
            text(
                "SELECT id, client_phone, delivery_address, bottles_count, source, bot,"
                " client_id, status, chat_id, chat2desk_client_id FROM orders ORDER BY id"
            )
        ).all()
        indexes = {i["name"] for i in inspect(connection).get_indexes("orders")}
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return (
            [tuple(r) for r in rows],
            indexes,
            [d for d in compare_metadata(context, Base.metadata) if _ours(d)],
        )

    try:
        async with engine.connect() as connection:
            rows, indexes, differences = await connection.run_sync(look)
    finally:
        await engine.dispose()
    assert rows == [
        (*OLD_ORDERS[0], "visitor-1", None),
        (*OLD_ORDERS[1], "c2d-77", "c2d-77"),
    ]
    assert {
        "idx_orders_created_at",
        "idx_orders_status",
        "idx_orders_chat2desk_client_id",
    } <= indexes
    assert differences == []
