"""Declarative dialogs (steps of many kinds, branching, back/cancel/skip/help, a confirm step)
and the router that hands each update to a handler or a dialog."""

from relaybot.flows.answers import Answer, Choice, FlowView, Invalid, Progress
from relaybot.flows.engine import Completion, Flow
from relaybot.flows.payloads import MaxLen, Payload, StalePayload
from relaybot.flows.router import Router
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
    "Router",
    "Select",
    "StalePayload",
    "Step",
    "Text",
    "Time",
]
