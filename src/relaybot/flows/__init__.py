"""Declarative dialogs: steps of many kinds, branching, back/cancel/skip/help and a confirm step."""

from relaybot.flows.answers import Answer, Choice, FlowView, Invalid, Progress
from relaybot.flows.engine import Completion, Flow
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
    "MultiSelect",
    "Phone",
    "Photo",
    "Progress",
    "Select",
    "Step",
    "Text",
    "Time",
]
