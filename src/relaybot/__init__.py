"""relaybot: one channel-neutral core for messenger bots that do real work.

An app needs nothing but this package: `from relaybot import App, Context, Router, ...`.
"""

__version__ = "0.1.0"

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
)
from relaybot.core.receipts import Receipt, receipt_meta, receipt_of
from relaybot.core.strict import MAX_JSON_INT, NOT_BLANK, STRICT_BODY, JsonInt, PositiveId, is_blank
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
