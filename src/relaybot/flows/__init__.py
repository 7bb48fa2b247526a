"""Declarative dialogs: steps with prompts, validators, back/cancel and a confirm step."""

from relaybot.flows.engine import Choice, Flow, FlowView, Invalid, Step

__all__ = ["Choice", "Flow", "FlowView", "Invalid", "Step"]
