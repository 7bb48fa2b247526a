"""Garbage collection set for a long-running server process.

Python's cyclic collector walks every tracked object of a generation when it runs; a relaybot
process carries hundreds of thousands of them from start-up alone (SQLAlchemy, pydantic and
aiogram types, the apps), and with the default thresholds it walked them often enough to take
a fifth of the process's time at saturation. Once the process has started, `settle` moves
what start-up made into the permanent generation (`gc.freeze`, made for long-lived servers)
and lets the youngest generation grow larger between collections; garbage cycles made while
serving are still collected.
"""

from __future__ import annotations

import gc

# Net allocations between collections of the youngest generation, and collections of each
# generation between collections of the next: serving makes about a thousand short-lived
# containers per update, nearly all freed by reference counting before the collector looks.
THRESHOLDS = (10_000, 50, 100)


def settle() -> None:
    """Call once, after start-up, in a process that will now serve until it stops."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
