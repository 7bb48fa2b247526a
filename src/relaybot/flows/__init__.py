"""Declarative dialogs and the router that hands updates to handlers and dialogs."""

from relaybot.flows.engine import Choice, Flow, FlowView, Invalid, Step
from relaybot.flows.payloads import MaxLen, Payload, StalePayload
from relaybot.flows.router import Router

__all__ = [
    "Choice",
    "Flow",
    "FlowView",
    "Invalid",
    "MaxLen",
    "Payload",
    "Router",
    "StalePayload",
    "Step",
]
