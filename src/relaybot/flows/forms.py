"""A flow as one form: what a form-capable channel shows, and how a filled-in form is checked.

The engine attaches `form_spec` to the first prompt of a dialog under `meta["form"]` when
every step fits a form field (text, numbers, choices, phone, date, time; photos, albums and
locations do not). Channels that can show forms (Mattermost's interactive dialogs) render
it; the others ignore it and the person answers step by step. A submitted form comes back
as an update of kind "event" with payload `FORM_SUBMITTED` and `raw["form"] = {"flow",
"values"}`; `check_form` runs every step on it, in order, as if typed one by one. A step
whose `when` is false for the answers above it is left out; an empty optional one is None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from relaybot.core.i18n import N_, Translator
from relaybot.flows.answers import Answer, FlowView, Invalid, Progress

if TYPE_CHECKING:
    from relaybot.flows.engine import Flow
    from relaybot.flows.steps import Step

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


async def form_spec(
    flow: Flow,
    view: FlowView,
    *,
    drafts: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The form for `flow`, with answers known so far (or rejected drafts) filled in, and
    what was wrong with each rejected one (`errors`, by step name), to show on its field."""
    t, data = view.t, view.data
    fields = []
    for step in flow.steps:
        offered = await step.options(view)
        entry: dict[str, Any] = {
            "name": step.name,
            "label": t(step.label or step.name),
            "help": await step.ask(view),
            "choices": [{"label": t(c.label), "value": c.value} for c in offered],
            "choices_only": step.only_choices(),
            "optional": step.optional or step.when is not None,
        }
        if drafts and step.name in drafts:
            entry["value"] = drafts[step.name]
        if errors and step.name in errors:
            entry["error"] = errors[step.name]
        elif data.get(step.name) is not None:
            entry["value"] = step.as_text(data[step.name])
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


async def check_form(
    flow: Flow, view: FlowView, data: dict[str, Any], values: Mapping[str, str]
) -> list[FieldError]:
    """Check every field in step order into `data`; the fields that failed, with why."""
    errors: list[FieldError] = []
    for step in flow.steps:
        current = replace(view, data=data)
        if step.when is not None and not step.when(current):
            data.pop(step.name, None)
            continue
        if step.name not in values and step.name in data:
            continue  # a form without this field keeps the earlier answer
        submitted = values.get(step.name, "").strip()
        if not submitted and step.optional:
            data[step.name] = None
            continue
        try:
            data[step.name] = await _field(step, submitted, current)
        except Invalid as invalid:
            data.pop(step.name, None)
            errors.append(FieldError(step, invalid, submitted))
    return errors


async def _field(step: Step, submitted: str, view: FlowView) -> Any:
    value = await step.take(Answer(text=submitted, channel="form"), view, None)
    if isinstance(value, Progress):
        raise Invalid(N_("Please answer with text."))
    await step.checked(value, view)
    return value


def error_lines(t: Translator, errors: Sequence[FieldError]) -> str:
    lines = [t(CORRECT_THESE)]
    for failed in errors:
        label = t(failed.step.label or failed.step.name)
        lines.append(f"• {label}: {t(failed.error.message, **failed.error.values)}")
    return "\n".join(lines)
