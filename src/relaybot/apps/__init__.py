"""Bundled apps by name. A bot's `app` is one of these names or a `module:Class` path."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from relaybot.core.bots import BUNDLED_APPS

if TYPE_CHECKING:
    from relaybot.core.app import App

BUNDLED: dict[str, str] = BUNDLED_APPS


def load_app_class(name: str) -> type[App]:
    target = BUNDLED.get(name, name)
    if ":" not in target:
        known = ", ".join(sorted(BUNDLED))
        raise ValueError(f"unknown app {name!r}: use one of {known} or a 'module:Class' path")
    from relaybot.core.app import App  # not for `relaybot orders ...`, which needs no App

    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr, None)
    if not isinstance(cls, type) or not issubclass(cls, App):
        raise ValueError(f"{target!r} is not a relaybot App class")
    return cls
