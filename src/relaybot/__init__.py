"""relaybot: one channel-neutral core for messenger bots that do real work.

Everything an app needs is imported from here: `from relaybot import App, Context, Router`.
"""

from relaybot.core.app import App, Context
from relaybot.core.i18n import N_
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
    Router,
    Select,
    StalePayload,
    Step,
    Text,
    Time,
)
from relaybot.runtime.notify import Matrix, Notice, Outlet, Recipient, Route, broadcast, room, route
from relaybot.runtime.scheduler import Job, JobContext

__version__ = "0.1.0"

__all__ = [
    "N_",
    "Address",
    "Album",
    "Answer",
    "App",
    "Attachment",
    "Button",
    "Choice",
    "Completion",
    "Context",
    "Date",
    "Decimal",
    "Flow",
    "FlowView",
    "Integer",
    "Invalid",
    "Job",
    "JobContext",
    "Location",
    "Matrix",
    "MaxLen",
    "MultiSelect",
    "Notice",
    "OutgoingMessage",
    "Outlet",
    "Payload",
    "Phone",
    "Photo",
    "Progress",
    "Recipient",
    "Refused",
    "Route",
    "Router",
    "Select",
    "StalePayload",
    "Step",
    "Text",
    "Time",
    "Update",
    "broadcast",
    "room",
    "route",
]
