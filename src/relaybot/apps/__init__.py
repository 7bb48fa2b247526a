"""Bundled apps by name. A bot's `app` is one of these names or a `module:Class` path."""

from __future__ import annotations

import importlib

from relaybot.core.app import App
from relaybot.core.bots import BUNDLED_APPS

BUNDLED: dict[str, str] = BUNDLED_APPS


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
