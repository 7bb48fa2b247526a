"""The back offices apps offer: `panel(settings, sessions)` in `panel.py` beside an app's module.

The gateway never imports an app by name; it asks each app class the process serves for the
module next to it, the way an app's migrations and locales are found. An app without one
simply has no page.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable

import structlog

from relaybot.config import Settings
from relaybot.core.app import App
from relaybot.core.panel import PanelSection
from relaybot.store.db import SessionMaker

log = structlog.get_logger("relaybot.panel")


def app_sections(
    app_types: Iterable[type[App]], settings: Settings, sessions: SessionMaker
) -> dict[str, PanelSection]:
    found: dict[str, PanelSection] = {}
    for app_type in app_types:
        package = app_type.__module__.rpartition(".")[0]
        if not package:
            continue
        name = f"{package}.panel"
        try:
            if importlib.util.find_spec(name) is None:
                continue
        except ModuleNotFoundError:
            continue
        make = getattr(importlib.import_module(name), "panel", None)
        if make is None:
            continue
        section = make(settings, sessions)
        if isinstance(section, PanelSection) and section.app not in found:
            found[section.app] = section
        elif not isinstance(section, PanelSection):
            log.warning("an app's panel() gave no PanelSection", module=name)
    return dict(sorted(found.items()))
