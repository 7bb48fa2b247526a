"""Bundled apps by name. A bot's `app` is one of these names or a `module:Class` path."""

from __future__ import annotations

import importlib

from relaybot.core.app import App

BUNDLED: dict[str, str] = {
    "orders": "relaybot.apps.orders.app:OrdersApp",
    "helpdesk": "relaybot.apps.helpdesk.app:HelpdeskApp",
    "booking": "relaybot.apps.booking.app:BookingApp",
    "classifieds": "relaybot.apps.classifieds.app:ClassifiedsApp",
    "classifieds-filter": "relaybot.apps.classifieds.filter_app:ClassifiedsFilterApp",
}


def load_app_class(name: str) -> type[App]:
    target = BUNDLED.get(name, name)
    if ":" not in target:
        known = ", ".join(sorted(BUNDLED))
        raise ValueError(f"unknown app {name!r}: use one of {known} or a 'module:Class' path")
    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr, None)
    if not isinstance(cls, type) or not issubclass(cls, App):
        raise ValueError(f"{target!r} is not a relaybot App class")
    return cls
