"""A flow is data: a list of steps. The engine walks a person through them, one update at a time.

State lives in the database through `Context.storage`, so a restarted process continues the
dialog where it was. Texts are English message ids rendered through the person's translator.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from relaybot.core.app import Context, DialogState
from relaybot.core.i18n import N_, Translator
from relaybot.core.types import Button
from relaybot.flows.forms import (
    FORM_SUBMITTED,
    STALE_FORM,
    check_form,
    error_lines,
    form_spec,
    submitted_values,
)
from relaybot.store.models import DialogOutcome, MessageLog

CONFIRM = "__confirm__"
_BACK, _CANCEL, _YES, _NO, _RESTART = (
    "flow:back",
    "flow:cancel",
    "flow:yes",
    "flow:no",
    "flow:restart",
)
_EDIT = "flow:edit:"
_CHOICE = "choice:"
_RETURN_TO_CONFIRM = "__return_to_confirm__"

_TYPED_COMMANDS = {
    _BACK: {"back", "назад", "/back"},
    _CANCEL: {"cancel", "отмена", "отменить", "/cancel", "stop", "стоп"},
    _YES: {"yes", "да", "y", "д", "ok", "ок", "confirm", "подтвердить"},
    _NO: {"no", "нет", "n", "н"},
    _RESTART: {"/start", "start", "начать", "заново", "start over"},
}


class Invalid(Exception):
    """Raised by a validator: `message` is a text id shown to the person with `values`."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Choice:
    """A button on a step. Pressing it, or typing its label, gives `value` to the validator."""

    label: str
    value: str


@dataclass(frozen=True)
class FlowView:
    """What a callable prompt or summary line may look at."""

    t: Translator
    data: Mapping[str, Any]


Validator = Callable[[str, FlowView], Any]
Prompt = str | Callable[[FlowView], str]


def _accept_text(text: str, view: FlowView) -> str:
    if not text.strip():
        raise Invalid(N_("Please answer with text."))
    return text.strip()


@dataclass(frozen=True)
class Step:
    name: str
    prompt: Prompt
    validate: Validator = _accept_text
    label: str = ""
    choices: Sequence[Choice] = ()
    display: Callable[[Any, FlowView], str] = lambda value, _view: str(value)
    choices_only: bool = False  # a form may then offer a list instead of a text field


Completion = Callable[[Context, dict[str, Any]], Awaitable[str]]


@dataclass(frozen=True)
class Flow:
    """A dialog. `on_complete` saves the result and returns the text to send last."""

    name: str
    steps: Sequence[Step]
    on_complete: Completion
    greeting: str | None = None
    confirm: bool = True
    summary_title: str = N_("Please check your answers:")
    ttl: timedelta | None = None
    title: str | None = None
    offer_form: bool = True  # channels with forms may fill the whole flow in at once
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError(f"flow {self.name!r} has no steps")
        index: dict[str, int] = {}
        for position, step in enumerate(self.steps):
            if step.name in index:
                raise ValueError(f"flow {self.name!r} declares step {step.name!r} twice")
            if step.name == CONFIRM:
                raise ValueError(f"flow {self.name!r}: step name {CONFIRM!r} is reserved")
            index[step.name] = position
        object.__setattr__(self, "_index", index)

    def step(self, name: str) -> Step | None:
        position = self._index.get(name)
        return None if position is None else self.steps[position]

    async def handle(self, ctx: Context) -> None:
        await _Turn(self, ctx).run()

    async def start(self, ctx: Context, **seed: Any) -> None:
        """Begin afresh at the first step; `seed` is data the steps find already given."""
        turn = _Turn(self, ctx)
        await turn._start()
        if seed and turn.state is not None:
            turn.state.data.update(seed)
            await turn._save()
        turn._log()

    async def abandon(self, ctx: Context, reason: str) -> None:
        """Record this flow's dialog as not completed at its current step, and clear it."""
        state = await ctx.storage.load(ctx.update.bot, ctx.update.chat_id)
        if state is not None and state.flow == self.name:
            await _Turn(self, ctx)._finish(state, completed=False, reason=reason)


def _command(text: str, payload: str | None) -> str | None:
    if payload and payload.startswith("flow:"):
        return payload
    lowered = text.strip().lower()
    for command, words in _TYPED_COMMANDS.items():
        if lowered in words:
            return command
    return None


class _Turn:
    """One update's worth of dialog: load state, act, save state, log."""

    def __init__(self, flow: Flow, ctx: Context) -> None:
        self.flow = flow
        self.ctx = ctx
        self.t = ctx.t
        self.update = ctx.update
        self.state: DialogState | None = None
        self.step_before = "start"
        self.error: str | None = None

    # -- the turn ---------------------------------------------------------------------------
    async def run(self) -> None:
        ctx = self.ctx
        state = await ctx.storage.load(self.update.bot, self.update.chat_id)
        if state is not None and state.flow != self.flow.name:
            state = None
        if state is not None and state.expires_at is not None and state.expires_at <= ctx.now:
            await self._finish(state, completed=False, reason="expired")
            ctx.reply(self.t(N_("Your previous conversation expired, so we are starting over.")))
            state = None
        if self.update.payload == FORM_SUBMITTED:
            await self._form(state)
        elif state is None:
            await self._start()
        else:
            self.state = state
            self.step_before = state.step
            await self._continue(state)
        self._log()

    async def _start(self) -> None:
        first = self.flow.steps[0]
        now = self.ctx.now
        self.state = DialogState(flow=self.flow.name, step=first.name, started_at=now)
        self.state.messages = 1
        if self.flow.greeting:
            self.ctx.reply(self.t(self.flow.greeting))
        self._prompt(first, form=self.flow.offer_form)
        await self._save()

    async def _form(self, state: DialogState | None) -> None:
        """A whole form at once: every field through its step's validator, then confirm."""
        values = submitted_values(self.update.raw, self.flow.name)
        if state is None:
            first = self.flow.steps[0].name
            state = DialogState(flow=self.flow.name, step=first, started_at=self.ctx.now)
        self.state = state
        self.step_before = state.step
        state.messages += 1
        if values is None:
            self.error = "stale form"
            self.ctx.reply(self.t(STALE_FORM))
            step = self.flow.step(state.step)
            if step is not None:
                self._prompt(step)
            else:
                self._summary(state)
            await self._save()
            return
        state.data.pop(_RETURN_TO_CONFIRM, None)
        errors = check_form(self.flow, self.t, state.data, values)
        if errors:
            self.error = "form: " + ", ".join(e.step.name for e in errors)
            self.ctx.reply(error_lines(self.t, errors))
            state.step = errors[0].step.name
            drafts = {e.step.name: e.submitted for e in errors}
            self._prompt(errors[0].step, form=True, drafts=drafts)
            await self._save()
            return
        await self._goto_confirm_or_complete(state)

    async def _continue(self, state: DialogState) -> None:
        state.messages += 1
        text = self.update.text or ""
        command = _command(text, self.update.payload)
        if command == _RESTART:
            await self._finish(state, completed=False, reason="restarted")
            await self._start()
            return
        if command == _CANCEL:
            await self._finish(state, completed=False, reason="cancelled")
            self.ctx.reply(
                self.t(N_("Cancelled. Send any message when you want to start again.")),
                buttons=[Button(self.t(N_("Start again")), _RESTART)],
            )
            return
        if command == _BACK:
            self._back(state)
            await self._save()
            return
        if state.step == CONFIRM:
            await self._confirm(state, command)
            return
        step = self.flow.step(state.step)
        if step is None:  # the flow changed under a stored dialog: begin again, politely
            await self._start()
            return
        if command is not None and command not in (_YES, _NO):
            self.error = "stale button"
            self.ctx.reply(self.t(N_("That button is no longer active.")))
            self._prompt(step)
            await self._save()
            return
        await self._answer(state, step, text)

    async def _answer(self, state: DialogState, step: Step, text: str) -> None:
        raw = self._choice_value(step, text)
        view = FlowView(self.t, state.data)
        try:
            value = step.validate(raw, view)
        except Invalid as invalid:
            self.error = invalid.message
            self.ctx.reply(self.t(invalid.message, **invalid.values))
            self._prompt(step)
            await self._save()
            return
        state.data[step.name] = value
        if state.data.pop(_RETURN_TO_CONFIRM, False):
            await self._goto_confirm_or_complete(state)
            return
        position = self.flow.steps.index(step)
        if position + 1 < len(self.flow.steps):
            following = self.flow.steps[position + 1]
            state.step = following.name
            self._prompt(following)
            await self._save()
        else:
            await self._goto_confirm_or_complete(state)

    def _choice_value(self, step: Step, text: str) -> str:
        payload = self.update.payload
        if payload and payload.startswith(_CHOICE):
            return payload[len(_CHOICE) :]
        typed = text.strip().lower()
        for choice in step.choices:
            if typed == self.t(choice.label).lower():
                return choice.value
        return text

    async def _goto_confirm_or_complete(self, state: DialogState) -> None:
        if self.flow.confirm:
            state.step = CONFIRM
            self._summary(state)
            await self._save()
        else:
            await self._complete(state)

    async def _confirm(self, state: DialogState, command: str | None) -> None:
        payload = self.update.payload or ""
        if command == _YES:
            await self._complete(state)
            return
        if command == _NO:
            await self._finish(state, completed=False, reason="declined")
            self.ctx.reply(
                self.t(N_("All right, nothing was saved. Send any message to start again.")),
                buttons=[Button(self.t(N_("Start again")), _RESTART)],
            )
            return
        if payload.startswith(_EDIT):
            step = self.flow.step(payload[len(_EDIT) :])
            if step is not None:
                state.step = step.name
                state.data[_RETURN_TO_CONFIRM] = True
                self._prompt(step)
                await self._save()
                return
        self.error = "expected yes or no"
        self.ctx.reply(self.t(N_("Please answer Yes or No, or choose what to change.")))
        self._summary(state)
        await self._save()

    async def _complete(self, state: DialogState) -> None:
        result = await self.flow.on_complete(self.ctx, dict(state.data))
        self.ctx.reply(result, buttons=[Button(self.t(N_("Start again")), _RESTART)])
        await self._finish(state, completed=True, reason="completed")

    def _back(self, state: DialogState) -> None:
        if state.step == CONFIRM:
            target = self.flow.steps[-1]
        else:
            position = self.flow._index.get(state.step, 0)
            if position == 0:
                self.ctx.reply(self.t(N_("This is the first step.")))
                self._prompt(self.flow.steps[0])
                return
            target = self.flow.steps[position - 1]
        state.data.pop(_RETURN_TO_CONFIRM, None)
        state.step = target.name
        self._prompt(target)

    # -- rendering --------------------------------------------------------------------------
    def _prompt(
        self, step: Step, *, form: bool = False, drafts: dict[str, str] | None = None
    ) -> None:
        data = self.state.data if self.state is not None else {}
        view = FlowView(self.t, data)
        text = step.prompt(view) if callable(step.prompt) else self.t(step.prompt)
        rows: list[list[Button]] = []
        if step.choices:
            rows.append([Button(self.t(c.label), _CHOICE + c.value) for c in step.choices])
        nav = [Button(self.t(N_("Cancel")), _CANCEL)]
        if step is not self.flow.steps[0]:
            nav.insert(0, Button(self.t(N_("Back")), _BACK))
        rows.append(nav)
        meta = {"form": form_spec(self.flow, self.t, data, drafts=drafts)} if form else None
        self.ctx.reply(text, buttons=rows, meta=meta)

    def _summary(self, state: DialogState) -> None:
        view = FlowView(self.t, state.data)
        lines = [self.t(self.flow.summary_title)]
        edit_buttons: list[Button] = []
        for step in self.flow.steps:
            if step.name not in state.data:
                continue
            label = self.t(step.label or step.name)
            lines.append(f"{label}: {step.display(state.data[step.name], view)}")
            edit_buttons.append(
                Button(self.t(N_("Change: {field}"), field=label), _EDIT + step.name)
            )
        rows = [[Button(self.t(N_("Yes")), _YES), Button(self.t(N_("No")), _NO)]]
        if edit_buttons:
            rows.append(edit_buttons)
        rows.append([Button(self.t(N_("Back")), _BACK)])
        self.ctx.reply("\n".join(lines), buttons=rows)

    # -- persistence ------------------------------------------------------------------------
    async def _save(self) -> None:
        if self.state is None:
            return
        ttl = self.flow.ttl or timedelta(seconds=self.ctx.settings.dialog_ttl_seconds)
        self.state.updated_at = self.ctx.now
        self.state.expires_at = self.ctx.now + ttl
        await self.ctx.storage.save(self.update.bot, self.update.chat_id, self.state)

    async def _finish(self, state: DialogState, *, completed: bool, reason: str) -> None:
        finished = self.ctx.now if reason != "expired" else state.updated_at
        self.ctx.journal.add(
            DialogOutcome,
            bot=self.update.bot,
            chat_id=self.update.chat_id,
            flow=self.flow.name,
            completed=completed,
            dropoff_state=None if completed else state.step,
            reason=reason,
            total_messages=state.messages,
            duration_seconds=max(0.0, (finished - state.started_at).total_seconds()),
            started_at=state.started_at,
            finished_at=finished,
        )
        await self.ctx.storage.clear(self.update.bot, self.update.chat_id)
        self.state = None

    def _log(self) -> None:
        update = self.update
        self.ctx.journal.add(
            MessageLog,
            bot=update.bot,
            chat_id=update.chat_id,
            client_id=update.user_id,
            message_id=update.update_id,
            text=(update.text or update.payload or "")[:4096],
            dialog_state=self.step_before,
            success=self.error is None,
            error_reason=self.error,
            created_at=self.ctx.now,
        )


EXPIRED = N_("Your previous conversation expired, so we are starting over.")
STALE_BUTTON = N_("That button is no longer active.")
