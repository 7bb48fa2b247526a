"""Every `relaybot` subcommand by name: where its click command lives and the line
`relaybot --help` shows for it.

A subcommand's module is imported only when that subcommand is run or its own `--help` is
asked for, so `relaybot --help` imports none of them and `relaybot orders list` does not pay
for what `relaybot run` needs (the gateway, the channels, aiogram).

Adding a subcommand is one line in `BUILT_IN`: its name, `module:attribute` of its click
command, and its summary (the first sentence of its help; tests/cli/test_registration.py holds
each summary to its command's own). An app's or a channel's command group is contributed
through `relaybot.cli.contributed`; its line here, in `CONTRIBUTED`, spares `--help` and the
group's own commands the import of the whole app (a group without a line still works: it is
loaded through `App.cli()`, also to read its summary).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click


@dataclass(frozen=True)
class Lazy:
    """A click command known by where it lives, imported on first use."""

    target: str  # "package.module:attribute"
    summary: str

    def load(self) -> click.Command:
        module_name, _, attribute = self.target.partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


BUILT_IN: dict[str, Lazy] = {
    "run": Lazy(
        "relaybot.cli.serve:run",
        "Run everything in one process: gateway, worker, sender, scheduler, caller"
        " (SQLite by default).",
    ),
    "gateway": Lazy(
        "relaybot.cli.serve:gateway", "Run only the HTTP gateway (webhooks, web chat, REST)."
    ),
    "worker": Lazy(
        "relaybot.cli.serve:worker", "Run only a worker: updates in, state and outbox out."
    ),
    "sender": Lazy("relaybot.cli.serve:sender", "Run only the outbox sender."),
    "scheduler": Lazy(
        "relaybot.cli.serve:scheduler",
        "Run only the scheduler of periodic jobs (several may run; one leads at a time).",
    ),
    "caller": Lazy(
        "relaybot.cli.serve:caller", "Run only the call runner: apps' calls to other services."
    ),
    "migrate": Lazy(
        "relaybot.cli.serve:migrate",
        "Apply database migrations (they also apply themselves on start).",
    ),
    "dlq": Lazy(
        "relaybot.cli.dlq:dlq", "The dead-letter queue: messages that could not be delivered."
    ),
    "tokens": Lazy(
        "relaybot.cli.tokens:tokens",
        "Admin API tokens for the REST API (only their hashes are stored).",
    ),
    "audit": Lazy("relaybot.cli.audit:audit", "The audit log of admin and moderator actions."),
    "bots": Lazy(
        "relaybot.cli.bots:bots",
        "Bots kept in the database: add, change and remove them while relaybot runs.",
    ),
    "admins": Lazy(
        "relaybot.cli.admins:admins",
        "Accounts of the operations console (/admin); passwords are kept as argon2id hashes.",
    ),
    "prune": Lazy(
        "relaybot.cli.upkeep:prune",
        "Remove what the retention settings no longer keep, now (the scheduler does it too).",
    ),
    "backup": Lazy(
        "relaybot.cli.upkeep:backup",
        "Copy the SQLite database to PATH, consistently, while relaybot runs.",
    ),
    "restore": Lazy(
        "relaybot.cli.upkeep:restore",
        "Put a backup made by `relaybot backup` back, while nothing runs.",
    ),
}

# The group each bundled app or channel contributes, where it lives (the same object its
# `App.cli()` or the channel registry gives), so `relaybot orders list` imports the orders
# app's commands and not its chat; None: the app contributes none.
CONTRIBUTED: dict[str, Lazy | None] = {
    "orders": Lazy("relaybot.apps.orders.cli:orders", "Orders taken by the order-intake bot."),
    "helpdesk": Lazy(
        "relaybot.apps.helpdesk.cli:helpdesk",
        "The help desk: places, kinds of help, categories, helpers and requests.",
    ),
    "booking": Lazy(
        "relaybot.apps.booking.cli:booking",
        "Appointments: administrators, sample data, bookings.",
    ),
    "classifieds": Lazy(
        "relaybot.apps.classifieds.cli:classifieds", "Ads placed with the classifieds bots."
    ),
    "classifieds-filter": None,
    "reminders": Lazy(
        "relaybot.apps.reminders.cli:reminders",
        "The reminders constructor: accounts, their bots and jobs.",
    ),
    "telegram": Lazy(
        "relaybot.channels.telegram.cli:telegram",
        "Connect Telegram bots: point Telegram at relaybot's webhook, or stop it.",
    ),
}
