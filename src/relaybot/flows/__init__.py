"""Declarative dialogs (steps of many kinds, branching, back/cancel/skip/help, a confirm step)
and the router that hands updates to handlers and dialogs."""

from relaybot.flows.answers import Answer, Choice, FlowView, Invalid, Progress, Reopen
from relaybot.flows.engine import Completion, Flow
from relaybot.flows.payloads import MaxLen, Payload, StalePayload
from relaybot.flows.router import Router
from relaybot.flows.savepoint import Refused
from relaybot.flows.steps import (
    Album,
    Date,
    Decimal,
    Integer,
    Location,
    MultiSelect,
    Phone,
    Photo,
    Select,
    Step,
    Text,
    Time,
)

__all__ = [
    "Album",
    "Answer",
    "Choice",
    "Completion",
    "Date",
    "Decimal",
    "Flow",
    "FlowView",
    "Integer",
    "Invalid",
    "Location",
    "MaxLen",
    "MultiSelect",
    "Payload",
    "Phone",
    "Photo",
    "Progress",
    "Refused",
    "Reopen",
    "Router",
    "Select",
    "StalePayload",
    "Step",
    "Text",
    "Time",
]
