"""A flow as one form: what a form-capable channel shows, and how a filled-in form is checked.

The engine attaches `form_spec` to the first prompt of a dialog under `meta["form"]`.
Channels that can show forms (Mattermost's interactive dialogs) render it; the others
ignore it and the person answers step by step. A submitted form comes back as an update
of kind "event" with payload `FORM_SUBMITTED` and `raw["form"] = {"flow", "values"}`;
`check_form` runs every step's own validator on it, in order, as if typed one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from relaybot.core.i18n import N_, Translator

if TYPE_CHECKING:
    from relaybot.flows.engine import Flow, Invalid, Step

FORM_SUBMITTED = "flow:form"
SUBMIT_LABEL = N_("Send")
OPEN_LABEL = N_("Fill in as a form")
CORRECT_THESE = N_("Please correct these answers:")
STALE_FORM = N_("That form is no longer active.")
MAX_VALUE = 4000


@dataclass(frozen=True)
class FieldError:
    step: Step
    error: Invalid
    submitted: str


def form_spec(
    flow: Flow,
    t: Translator,
    data: Mapping[str, Any],
    *,
    drafts: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The form for `flow`, with answers known so far (or rejected drafts) filled in."""
    from relaybot.flows.engine import FlowView

    view = FlowView(t, data)
    fields = []
    for step in flow.steps:
        prompt = step.prompt(view) if callable(step.prompt) else t(step.prompt)
        entry: dict[str, Any] = {
            "name": step.name,
            "label": t(step.label or step.name),
            "help": prompt,
            "choices": [{"label": t(c.label), "value": c.value} for c in step.choices],
            "choices_only": step.choices_only,
        }
        if drafts and step.name in drafts:
            entry["value"] = drafts[step.name]
        elif step.name in data:
            entry["value"] = _as_text(step, data[step.name])
        fields.append(entry)
    return {
        "flow": flow.name,
        "title": t(flow.title) if flow.title else None,
        "intro": t(flow.greeting) if flow.greeting else None,
        "submit": t(SUBMIT_LABEL),
        "open": t(OPEN_LABEL),
        "fields": fields,
    }


def submitted_values(raw: Mapping[str, Any], flow_name: str) -> dict[str, str] | None:
    """The values of a form submitted for `flow_name`, or None if it was for another form."""
    form = raw.get("form")
    if not isinstance(form, Mapping) or form.get("flow") != flow_name:
        return None
    values = form.get("values")
    if not isinstance(values, Mapping):
        return None
    return {
        str(k): "" if v is None else str(v)[:MAX_VALUE]
        for k, v in values.items()
        if isinstance(k, str)
    }


def check_form(
    flow: Flow, t: Translator, data: dict[str, Any], values: Mapping[str, str]
) -> list[FieldError]:
    """Validate every field in step order into `data`; the fields that failed, with why."""
    from relaybot.flows.engine import FlowView, Invalid

    errors: list[FieldError] = []
    for step in flow.steps:
        if step.name not in values and step.name in data:
            continue  # a form without this field keeps the earlier answer
        submitted = values.get(step.name, "").strip()
        try:
            data[step.name] = step.validate(_choice_value(step, t, submitted), FlowView(t, data))
        except Invalid as invalid:
            data.pop(step.name, None)
            errors.append(FieldError(step, invalid, submitted))
    return errors


def _choice_value(step: Step, t: Translator, submitted: str) -> str:
    lowered = submitted.lower()
    for choice in step.choices:
        if lowered in (choice.value.lower(), t(choice.label).lower()):
            return choice.value
    return submitted


def _as_text(step: Step, value: Any) -> str:
    for choice in step.choices:
        if choice.value == value:
            return choice.value
    return value if isinstance(value, str) else str(value)


def error_lines(t: Translator, errors: Sequence[FieldError]) -> str:
    lines = [t(CORRECT_THESE)]
    for failed in errors:
        label = t(failed.step.label or failed.step.name)
        lines.append(f"• {label}: {t(failed.error.message, **failed.error.values)}")
    return "\n".join(lines)
