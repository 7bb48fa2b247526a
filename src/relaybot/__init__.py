"""relaybot: one channel-neutral core for messenger bots that do real work.

An app needs nothing but this package: `from relaybot import App, Context, Router, ...`.

Each name is imported from its module when first asked for, so a command or a bot pays only
for what it uses: `relaybot --help` reads no settings model and no database layer, and an app
that never builds a flow never imports the flow engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from relaybot.config import Settings
    from relaybot.console import (
        Column,
        Row,
        cli_actor,
        json_option,
        minute_cell,
        print_rows,
        settings_of,
        with_store,
    )
    from relaybot.core.app import App, ButtonsSpec, Context, DialogState
    from relaybot.core.bots import BotConfig
    from relaybot.core.calls import CallResult, HttpCall, TaskCall, TaskFunction
    from relaybot.core.i18n import N_, Translator, normalize_locale, translator
    from relaybot.core.jobs import Job, JobContext
    from relaybot.core.notify import Matrix, Notice, Outlet, Recipient, Route, route
    from relaybot.core.panel import (
        PanelAction,
        PanelActor,
        PanelColumn,
        PanelField,
        PanelFilter,
        PanelQuery,
        PanelRefused,
        PanelRows,
        PanelSection,
        PanelTable,
        panel_row_id,
    )
    from relaybot.core.receipts import Receipt, receipt_meta, receipt_of
    from relaybot.core.strict import (
        MAX_JSON_INT,
        NOT_BLANK,
        STRICT_BODY,
        JsonInt,
        PositiveId,
        is_blank,
    )
    from relaybot.core.types import Address, Attachment, Button, OutgoingMessage, Update
    from relaybot.flows import (
        Album,
        Answer,
        Choice,
        Completion,
        Date,
        Decimal,
        Flow,
        FlowView,
        Integer,
        Invalid,
        Location,
        MaxLen,
        MultiSelect,
        Payload,
        Phone,
        Photo,
        Progress,
        Refused,
        Reopen,
        Router,
        Select,
        StalePayload,
        Step,
        Text,
        Time,
    )
    from relaybot.runtime.notify import broadcast, room
    from relaybot.runtime.outbox import Refusal, refused_since
    from relaybot.security.auth import Authenticator, Principal
    from relaybot.security.passwords import WeakPassword, hash_password_async, verify_password_async
    from relaybot.store.audit import audit
    from relaybot.store.base import Base, BigId, UTCDateTime, utcnow
    from relaybot.store.chat_links import link_chat, linked_subject
    from relaybot.store.db import SessionMaker
    from relaybot.store.panel_query import panel_page
    from relaybot.store.sign_in import Checked as SignInCheck
    from relaybot.store.sign_in import TooManyCodes
    from relaybot.store.sign_in import check as check_sign_in_code
    from relaybot.store.sign_in import issue as issue_sign_in_code
    from relaybot.store.sql import upsert_insert

# Where each public name lives: "module", or "module:attribute" where the name is an alias.
_HOMES: dict[str, str] = {
    "Settings": "relaybot.config",
    "Column": "relaybot.console",
    "Row": "relaybot.console",
    "cli_actor": "relaybot.console",
    "json_option": "relaybot.console",
    "minute_cell": "relaybot.console",
    "print_rows": "relaybot.console",
    "settings_of": "relaybot.console",
    "with_store": "relaybot.console",
    "App": "relaybot.core.app",
    "ButtonsSpec": "relaybot.core.app",
    "Context": "relaybot.core.app",
    "DialogState": "relaybot.core.app",
    "BotConfig": "relaybot.core.bots",
    "CallResult": "relaybot.core.calls",
    "HttpCall": "relaybot.core.calls",
    "TaskCall": "relaybot.core.calls",
    "TaskFunction": "relaybot.core.calls",
    "N_": "relaybot.core.i18n",
    "Translator": "relaybot.core.i18n",
    "normalize_locale": "relaybot.core.i18n",
    "translator": "relaybot.core.i18n",
    "Job": "relaybot.core.jobs",
    "JobContext": "relaybot.core.jobs",
    "Matrix": "relaybot.core.notify",
    "Notice": "relaybot.core.notify",
    "Outlet": "relaybot.core.notify",
    "Recipient": "relaybot.core.notify",
    "Route": "relaybot.core.notify",
    "route": "relaybot.core.notify",
    "PanelAction": "relaybot.core.panel",
    "PanelActor": "relaybot.core.panel",
    "PanelColumn": "relaybot.core.panel",
    "PanelField": "relaybot.core.panel",
    "PanelFilter": "relaybot.core.panel",
    "PanelQuery": "relaybot.core.panel",
    "PanelRefused": "relaybot.core.panel",
    "PanelRows": "relaybot.core.panel",
    "PanelSection": "relaybot.core.panel",
    "PanelTable": "relaybot.core.panel",
    "panel_row_id": "relaybot.core.panel",
    "Receipt": "relaybot.core.receipts",
    "receipt_meta": "relaybot.core.receipts",
    "receipt_of": "relaybot.core.receipts",
    "MAX_JSON_INT": "relaybot.core.strict",
    "NOT_BLANK": "relaybot.core.strict",
    "STRICT_BODY": "relaybot.core.strict",
    "JsonInt": "relaybot.core.strict",
    "PositiveId": "relaybot.core.strict",
    "is_blank": "relaybot.core.strict",
    "Address": "relaybot.core.types",
    "Attachment": "relaybot.core.types",
    "Button": "relaybot.core.types",
    "OutgoingMessage": "relaybot.core.types",
    "Update": "relaybot.core.types",
    "Album": "relaybot.flows",
    "Answer": "relaybot.flows",
    "Choice": "relaybot.flows",
    "Completion": "relaybot.flows",
    "Date": "relaybot.flows",
    "Decimal": "relaybot.flows",
    "Flow": "relaybot.flows",
    "FlowView": "relaybot.flows",
    "Integer": "relaybot.flows",
    "Invalid": "relaybot.flows",
    "Location": "relaybot.flows",
    "MaxLen": "relaybot.flows",
    "MultiSelect": "relaybot.flows",
    "Payload": "relaybot.flows",
    "Phone": "relaybot.flows",
    "Photo": "relaybot.flows",
    "Progress": "relaybot.flows",
    "Refused": "relaybot.flows",
    "Reopen": "relaybot.flows",
    "Router": "relaybot.flows",
    "Select": "relaybot.flows",
    "StalePayload": "relaybot.flows",
    "Step": "relaybot.flows",
    "Text": "relaybot.flows",
    "Time": "relaybot.flows",
    "broadcast": "relaybot.runtime.notify",
    "room": "relaybot.runtime.notify",
    "Refusal": "relaybot.runtime.outbox",
    "refused_since": "relaybot.runtime.outbox",
    "Authenticator": "relaybot.security.auth",
    "Principal": "relaybot.security.auth",
    "WeakPassword": "relaybot.security.passwords",
    "hash_password_async": "relaybot.security.passwords",
    "verify_password_async": "relaybot.security.passwords",
    "audit": "relaybot.store.audit",
    "Base": "relaybot.store.base",
    "BigId": "relaybot.store.base",
    "UTCDateTime": "relaybot.store.base",
    "utcnow": "relaybot.store.base",
    "link_chat": "relaybot.store.chat_links",
    "linked_subject": "relaybot.store.chat_links",
    "SessionMaker": "relaybot.store.db",
    "panel_page": "relaybot.store.panel_query",
    "SignInCheck": "relaybot.store.sign_in:Checked",
    "TooManyCodes": "relaybot.store.sign_in",
    "check_sign_in_code": "relaybot.store.sign_in:check",
    "issue_sign_in_code": "relaybot.store.sign_in:issue",
    "upsert_insert": "relaybot.store.sql",
}

__all__ = [
    "MAX_JSON_INT",
    "NOT_BLANK",
    "N_",
    "STRICT_BODY",
    "Address",
    "Album",
    "Answer",
    "App",
    "Attachment",
    "Authenticator",
    "Base",
    "BigId",
    "BotConfig",
    "Button",
    "ButtonsSpec",
    "CallResult",
    "Choice",
    "Column",
    "Completion",
    "Context",
    "Date",
    "Decimal",
    "DialogState",
    "Flow",
    "FlowView",
    "HttpCall",
    "Integer",
    "Invalid",
    "Job",
    "JobContext",
    "JsonInt",
    "Location",
    "Matrix",
    "MaxLen",
    "MultiSelect",
    "Notice",
    "OutgoingMessage",
    "Outlet",
    "PanelAction",
    "PanelActor",
    "PanelColumn",
    "PanelField",
    "PanelFilter",
    "PanelQuery",
    "PanelRefused",
    "PanelRows",
    "PanelSection",
    "PanelTable",
    "Payload",
    "Phone",
    "Photo",
    "PositiveId",
    "Principal",
    "Progress",
    "Receipt",
    "Recipient",
    "Refusal",
    "Refused",
    "Reopen",
    "Route",
    "Router",
    "Row",
    "Select",
    "SessionMaker",
    "Settings",
    "SignInCheck",
    "StalePayload",
    "Step",
    "TaskCall",
    "TaskFunction",
    "Text",
    "Time",
    "TooManyCodes",
    "Translator",
    "UTCDateTime",
    "Update",
    "WeakPassword",
    "__version__",
    "audit",
    "broadcast",
    "check_sign_in_code",
    "cli_actor",
    "hash_password_async",
    "is_blank",
    "issue_sign_in_code",
    "json_option",
    "link_chat",
    "linked_subject",
    "minute_cell",
    "normalize_locale",
    "panel_page",
    "panel_row_id",
    "print_rows",
    "receipt_meta",
    "receipt_of",
    "refused_since",
    "room",
    "route",
    "settings_of",
    "translator",
    "upsert_insert",
    "utcnow",
    "verify_password_async",
    "with_store",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'relaybot' has no attribute {name!r}")
    module_name, _, attribute = home.partition(":")
    value = getattr(importlib.import_module(module_name), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
