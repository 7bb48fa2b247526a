"""relaybot: one channel-neutral core for messenger bots that do real work.

Everything an app needs is imported from here: `from relaybot import App, Context, Router`.
"""

from relaybot.core.app import App, Context
from relaybot.core.i18n import N_
from relaybot.core.types import Address, Attachment, Button, OutgoingMessage, Update
from relaybot.flows.engine import Choice, Flow, FlowView, Invalid, Step
from relaybot.flows.payloads import MaxLen, Payload, StalePayload
from relaybot.flows.router import Refused, Router
from relaybot.runtime.notify import Matrix, Notice, Outlet, Recipient, Route, broadcast, room, route
from relaybot.runtime.scheduler import Job, JobContext

__version__ = "0.1.0"

__all__ = [
    "N_",
    "Address",
    "App",
    "Attachment",
    "Button",
    "Choice",
    "Context",
    "Flow",
    "FlowView",
    "Invalid",
    "Job",
    "JobContext",
    "Matrix",
    "MaxLen",
    "Notice",
    "OutgoingMessage",
    "Outlet",
    "Payload",
    "Recipient",
    "Refused",
    "Route",
    "Router",
    "StalePayload",
    "Step",
    "Update",
    "broadcast",
    "room",
    "route",
]
