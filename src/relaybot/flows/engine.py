"""A flow is data: a list of steps. The engine walks a person through them, one update at a time.

State lives in the database through `Context.storage`, so a restarted process continues the
dialog where it was. The path actually taken (steps skipped by `when`, jumps made by `next`)
is kept in the state too, so Back always returns to the question the person last answered.
Texts are English message ids rendered through the person's translator.
"""

from __future__ import annotations

import inspect
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import msgspec

from relaybot.core.app import Context, DialogState
from relaybot.core.types import Button, Update
from relaybot.flows import words
from relaybot.flows.answers import Answer, Choice, FlowView, Invalid, Progress, Reopen
from relaybot.flows.forms import (
    FORM_SUBMITTED,
    STALE_FORM,
    check_form,
    error_lines,
    form_spec,
    submitted_values,
)
from relaybot.flows.steps import Step

__all__ = ["CONFIRM", "Choice", "Completion", "Flow", "FlowView", "Invalid", "Step"]

CONFIRM = "__confirm__"
PATH = "__path__"  # the names of the steps answered, in the order they were asked
DRAFT = "__draft__"  # {"step": name, "value": ...}: what a multi-update step has so far
RETURN_TO_CONFIRM = "__return_to_confirm__"
DIALOG = "__dialog__"  # a short id of this dialog, so buttons of an earlier one are told apart
PROMPT = "__prompt__"  # how many prompts with buttons this dialog has shown: the latest's tag
_RESERVED_PREFIX = "__"

Completion = Callable[[Context, dict[str, Any]], Awaitable[str | None]]
"""Saves the answers; returns the text to send last, or None when it answered itself."""
Cancellation = Callable[[Context, dict[str, Any]], Awaitable[None]]
Summary = Callable[[FlowView], str | Awaitable[str]]


@dataclass(frozen=True)
class Flow:
    """A dialog. `on_complete` saves the result and returns the text to send last (or
    raises `Reopen` to send the person back to a step).

    `summary` writes the confirm step's text instead of the list of answers (its buttons are
    then `confirm_label`, Back and Cancel); `on_cancel` answers a person who cancels or says
    No at the confirm step, instead of the engine's sentence and Start again button.

    `menu` gives the chat a persistent menu of Help, Start again and Cancel, so those stay
    at hand however far back the last question is.
    """

    name: str
    steps: Sequence[Step]
    on_complete: Completion
    greeting: str | None = None
    confirm: bool = True
    summary_title: str = words.CHECK_ANSWERS
    ttl: timedelta | None = None
    title: str | None = None
    offer_form: bool = True  # channels with forms may fill the whole flow in at once
    help: str | None = None  # shown for "?" / "help" on a step without its own help
    summary: Summary | None = None
    confirm_label: str = words.LABEL_YES
    on_cancel: Cancellation | None = None
    menu: bool = False
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError(f"flow {self.name!r} has no steps")
        index: dict[str, int] = {}
        for position, step in enumerate(self.steps):
            if step.name in index:
                raise ValueError(f"flow {self.name!r} declares step {step.name!r} twice")
            if step.name.startswith(_RESERVED_PREFIX):
                raise ValueError(f"flow {self.name!r}: step names starting with __ are reserved")
            index[step.name] = position
        object.__setattr__(self, "_index", index)

    def step(self, name: str) -> Step | None:
        """The step called `name`; None for a name a stored dialog kept after the flow changed."""
        position = self._index.get(name)
        return None if position is None else self.steps[position]

    @property
    def fits_form(self) -> bool:
        """Whether every step can be a field of one form (no photos, albums or locations)."""
        return self.offer_form and all(step.fits_form for step in self.steps)

    async def handle(self, ctx: Context) -> None:
        """Continue the person's dialog with this update, or begin it."""
        await _Turn(self, ctx).run()

    async def start(self, ctx: Context, **seed: Any) -> None:
        """Begin the flow now, with `seed` in its data; seeded step answers are not asked."""
        await _Turn(self, ctx).begin(seed)

    async def abandon(self, ctx: Context, reason: str) -> None:
        """Record this flow's dialog as not completed at its current step, and clear it."""
        await _Turn(self, ctx).abandon(reason)

    # -- the path through the steps ---------------------------------------------------------
    def following(self, step: Step | None, view: FlowView) -> Step | None:
        """The step asked after `step` (after nothing: the first), skipping those whose
        `when` is false; None when the questions are over."""
        if step is None:
            candidate: Step | None = self.steps[0]
        elif step.next is not None:
            name = step.next(view)
            if name is None:
                return None
            candidate = self.step(name)
            if candidate is None:
                raise ValueError(f"flow {self.name!r}: step {step.name!r} goes to unknown {name!r}")
        else:
            candidate = self._after(step)
        while candidate is not None and candidate.when is not None and not candidate.when(view):
            candidate = self._after(candidate)
        return candidate

    def _after(self, step: Step) -> Step | None:
        position = self._index[step.name] + 1
        return self.steps[position] if position < len(self.steps) else None

    def walk(self, view: FlowView) -> tuple[list[str], Step | None]:
        """The path through the answers given so far, and the first question not answered."""
        path: list[str] = []
        step = self.following(None, view)
        while step is not None and step.name in view.data and step.name not in path:
            path.append(step.name)
            step = self.following(step, view)
        return path, step


def answers(flow: Flow, data: Mapping[str, Any]) -> dict[str, Any]:
    """What `on_complete` receives: seeded values and the answers on the path taken."""
    path = set(data.get(PATH) or ())
    return {
        key: value
        for key, value in data.items()
        if not key.startswith(_RESERVED_PREFIX) and (flow.step(key) is None or key in path)
    }


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

    # -- entry points -----------------------------------------------------------------------
    async def run(self) -> None:
        state = await self._load()
        tag = self._pressed_tag()
        if self.update.payload == FORM_SUBMITTED:
            await self._form(state)
        elif tag is not None and (state is None or tag != _current_tag(state)):
            await self._superseded(state)
        elif state is None and self._command() == words.CANCEL:
            self.ctx.reply(self.t(words.NOTHING_TO_CANCEL), buttons=[self._start_again()])
        elif state is None:
            await self._start()
        else:
            self.state = state
            self.step_before = state.step
            await self._continue(state)
        self._keep_menu()
        self._log()

    async def begin(self, seed: Mapping[str, Any]) -> None:
        state = await self._load(other_flows=True)
        if state is not None:
            self.step_before = state.step
            reason = "restarted" if state.flow == self.flow.name else "left"
            await self._finish(state, completed=False, reason=reason)
        await self._start(seed)
        self._keep_menu()
        self._log()

    async def abandon(self, reason: str) -> None:
        state = await self.ctx.storage.load(self.update.bot, self.update.chat_id)
        if state is not None and state.flow == self.flow.name:
            await self._finish(state, completed=False, reason=reason)

    async def _load(self, *, other_flows: bool = False) -> DialogState | None:
        ctx = self.ctx
        state = await ctx.storage.load(self.update.bot, self.update.chat_id)
        if state is not None and state.flow != self.flow.name and not other_flows:
            state = None
        if state is not None and state.expires_at is not None and state.expires_at <= ctx.now:
            await self._finish(state, completed=False, reason="expired")
            ctx.reply(self.t(words.EXPIRED))
            state = None
        return state

    def _command(self) -> str | None:
        return words.command_of(self.update.text or "", self.update.payload)

    def _view(self, data: Mapping[str, Any]) -> FlowView:
        return FlowView(self.t, data, self.ctx)

    def _pressed_tag(self) -> str | None:
        """The prompt tag of a pressed dialog button; the update goes on without it."""
        payload = self.update.payload
        if not payload:
            return None
        bare, tag = words.unmarked(payload)
        if tag is not None:
            self.update = msgspec.structs.replace(self.update, payload=bare)
        return tag

    async def _superseded(self, state: DialogState | None) -> None:
        """A button of an earlier prompt (or of a dialog already over): refused, and the
        question now open is shown again with the buttons that still count; nothing else
        changes, not even the stored dialog."""
        self.error = "stale button"
        self.ctx.reply(self.t(words.STALE_BUTTON))
        if state is None:
            return
        self.state = state
        self.step_before = state.step
        step = self.flow.step(state.step)
        if step is not None:
            await self._prompt(step, fresh=False)
        elif state.step == CONFIRM:
            await self._summary(state, fresh=False)

    # -- the turn ---------------------------------------------------------------------------
    async def _start(self, seed: Mapping[str, Any] | None = None) -> None:
        state = DialogState(flow=self.flow.name, step="", started_at=self.ctx.now)
        state.messages = 1
        state.data.update(seed or {})
        self.state = state
        if self.flow.greeting:
            self.ctx.reply(self.t(self.flow.greeting))
        path, first = self.flow.walk(self._view(state.data))
        state.data[PATH] = path
        if first is None:  # everything was seeded
            await self._goto_confirm_or_complete(state)
            return
        state.step = first.name
        await self._prompt(first, form=self.flow.fits_form)
        await self._save()

    async def _form(self, state: DialogState | None) -> None:
        """A whole form at once: every field through its step, then confirm."""
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
            await self._ask_again(state)
            await self._save()
            return
        state.data.pop(RETURN_TO_CONFIRM, None)
        state.data.pop(DRAFT, None)
        errors = await check_form(self.flow, self._view(state.data), state.data, values)
        if errors:
            self.error = "form: " + ", ".join(e.step.name for e in errors)
            self.ctx.reply(error_lines(self.t, errors))
            state.data[PATH] = self.flow.walk(self._view(state.data))[0]
            state.step = errors[0].step.name
            drafts = {e.step.name: e.submitted for e in errors}
            wrong = {e.step.name: self.t(e.error.message, **e.error.values) for e in errors}
            await self._prompt(errors[0].step, form=True, drafts=drafts, errors=wrong)
            await self._save()
            return
        state.data[PATH] = self.flow.walk(self._view(state.data))[0]
        await self._goto_confirm_or_complete(state)

    async def _continue(self, state: DialogState) -> None:
        state.messages += 1
        text = self.update.text or ""
        command = words.command_of(text, self.update.payload)
        if command == words.RESTART:
            await self._finish(state, completed=False, reason="restarted")
            await self._start()
            return
        if command == words.CANCEL:
            await self._finish(state, completed=False, reason="cancelled")
            await self._cancelled(state, words.CANCELLED)
            return
        if command == words.BACK:
            await self._back(state)
            await self._save()
            return
        if state.step == CONFIRM:
            await self._confirm(state, command)
            return
        step = self.flow.step(state.step)
        if step is None:  # the flow changed under a stored dialog: begin again, politely
            await self._start()
            return
        if command == words.HELP:
            self.ctx.reply(self.t(step.help or self.flow.help or words.NO_HELP))
            await self._prompt(step)
            await self._save()
            return
        if command == words.SKIP and step.optional:
            await self._accept(state, step, None)
            return
        if command is not None and any(command.startswith(taken) for taken in step.takes):
            await self._answer(state, step, Answer.of(self.update, command=command))
            return
        pressed = self.update.payload is not None
        if pressed and command is not None and command not in (words.YES, words.NO):
            await self._stale(step)  # a button of another step, or Skip on a required one
            return
        await self._answer(state, step, Answer.of(self.update))

    async def _stale(self, step: Step) -> None:
        self.error = "stale button"
        self.ctx.reply(self.t(words.STALE_BUTTON))
        await self._prompt(step)
        await self._save()

    async def _answer(self, state: DialogState, step: Step, answer: Answer) -> None:
        view = self._view(state.data)
        draft = self._draft(state, step)
        try:
            result = await step.take(answer, view, draft)
            if not isinstance(result, Progress):
                await step.checked(result, view)
        except Invalid as invalid:
            self.error = invalid.message
            self.ctx.reply(self.t(invalid.message, **invalid.values))
            await self._prompt(step)
            await self._save()
            return
        if isinstance(result, Progress):
            state.data[DRAFT] = {"step": step.name, "value": result.draft}
            notice = self.t(result.notice, **result.values) if result.notice else None
            if result.prompt:
                if notice:
                    self.ctx.reply(notice)
                await self._prompt(step)
            elif notice:
                self.ctx.reply(notice, buttons=self._tied(await self._keyboard(step)))
            await self._save()
            return
        await self._accept(state, step, result)

    async def _accept(self, state: DialogState, step: Step, value: Any) -> None:
        state.data[step.name] = value
        state.data.pop(DRAFT, None)
        path: list[str] = list(state.data.get(PATH) or ())
        if step.name in path:
            del path[path.index(step.name) :]
        path.append(step.name)
        state.data[PATH] = path
        view = self._view(state.data)
        if state.data.pop(RETURN_TO_CONFIRM, False):
            path, missing = self.flow.walk(view)
            state.data[PATH] = path
            if missing is not None:  # a changed answer opened a branch not yet answered
                state.data[RETURN_TO_CONFIRM] = True
                state.step = missing.name
                await self._prompt(missing)
                await self._save()
                return
            await self._goto_confirm_or_complete(state)
            return
        following = self.flow.following(step, view)
        if following is None:
            await self._goto_confirm_or_complete(state)
            return
        state.step = following.name
        await self._prompt(following)
        await self._save()

    def _draft(self, state: DialogState, step: Step) -> Any:
        draft = state.data.get(DRAFT)
        if isinstance(draft, dict) and draft.get("step") == step.name:
            return draft.get("value")
        return None

    async def _goto_confirm_or_complete(self, state: DialogState) -> None:
        if self.flow.confirm:
            state.step = CONFIRM
            await self._summary(state)
            await self._save()
        else:
            await self._complete(state)

    async def _confirm(self, state: DialogState, command: str | None) -> None:
        payload = self.update.payload or ""
        if command == words.YES:
            await self._complete(state)
            return
        if command == words.NO:
            await self._finish(state, completed=False, reason="declined")
            await self._cancelled(state, words.DECLINED)
            return
        if payload.startswith(words.EDIT):
            step = self.flow.step(payload[len(words.EDIT) :])
            if step is not None and step.name in (state.data.get(PATH) or ()):
                state.step = step.name
                state.data[RETURN_TO_CONFIRM] = True
                await self._prompt(step)
                await self._save()
                return
        self.error = "expected yes or no"
        self.ctx.reply(self.t(words.YES_OR_NO))
        await self._summary(state)
        await self._save()

    async def _complete(self, state: DialogState) -> None:
        try:
            result = await self.flow.on_complete(self.ctx, answers(self.flow, state.data))
        except Reopen as reopen:
            await self._reopen(state, reopen)
            return
        if result is not None:
            self.ctx.reply(result, buttons=[self._start_again()])
        await self._finish(state, completed=True, reason="completed")

    async def _cancelled(self, state: DialogState, sentence: str) -> None:
        if self.flow.on_cancel is not None:
            await self.flow.on_cancel(self.ctx, answers(self.flow, state.data))
            return
        self.ctx.reply(self.t(sentence), buttons=[self._start_again()])

    async def _reopen(self, state: DialogState, reopen: Reopen) -> None:
        """Back to the step whose answer the completion could not use."""
        step = self.flow.step(reopen.step)
        if step is None:
            raise ValueError(
                f"flow {self.flow.name!r}: on_complete reopens unknown {reopen.step!r}"
            )
        self.error = f"reopened {step.name}"
        path: list[str] = list(state.data.get(PATH) or ())
        if step.name in path:
            del path[path.index(step.name) :]
        state.data[PATH] = path
        state.data.pop(step.name, None)
        state.data.pop(RETURN_TO_CONFIRM, None)
        state.data.pop(DRAFT, None)
        state.step = step.name
        progress = reopen.progress
        if progress.draft is not None:
            state.data[DRAFT] = {"step": step.name, "value": progress.draft}
        notice = self.t(progress.notice, **progress.values) if progress.notice else None
        if progress.prompt or not notice:
            if notice:
                self.ctx.reply(notice)
            await self._prompt(step)
        else:
            self.ctx.reply(notice, buttons=self._tied(await self._keyboard(step)))
        await self._save()

    async def _back(self, state: DialogState) -> None:
        path: list[str] = list(state.data.get(PATH) or ())
        state.data.pop(DRAFT, None)
        state.data.pop(RETURN_TO_CONFIRM, None)
        if not path:
            self.ctx.reply(self.t(words.FIRST_STEP))
            await self._ask_again(state)
            return
        target = self.flow.step(path.pop())
        state.data[PATH] = path
        if target is None:
            await self._ask_again(state)
            return
        state.step = target.name
        await self._prompt(target)

    async def _ask_again(self, state: DialogState) -> None:
        step = self.flow.step(state.step)
        if step is not None:
            await self._prompt(step)
        else:
            await self._summary(state)

    # -- rendering --------------------------------------------------------------------------
    def _keep_menu(self) -> None:
        """The chat's persistent menu, set with every turn's replies (a channel that keeps it
        already sends nothing new)."""
        if self.flow.menu:
            self.ctx.set_menu(
                [
                    [
                        Button(self.t(words.LABEL_HELP), words.HELP),
                        self._start_again(),
                        Button(self.t(words.LABEL_CANCEL), words.CANCEL),
                    ]
                ]
            )

    def _start_again(self) -> Button:
        return Button(self.t(words.LABEL_RESTART), words.restart(self.flow.name))

    async def _keyboard(self, step: Step) -> list[list[Button]]:
        state = self.state
        data = state.data if state is not None else {}
        view = self._view(data)
        draft = self._draft(state, step) if state is not None else None
        rows = await step.keyboard(view, draft, channel=self.update.channel)
        nav: list[Button] = []
        if data.get(PATH):
            nav.append(Button(self.t(words.LABEL_BACK), words.BACK))
        if step.optional:
            nav.append(Button(self.t(words.LABEL_SKIP), words.SKIP))
        nav.append(Button(self.t(words.LABEL_CANCEL), words.CANCEL))
        return [*rows, nav]

    def _tied(self, rows: list[list[Button]], *, fresh: bool = True) -> list[list[Button]]:
        """The dialog buttons of a new prompt, tied to it; `fresh` False shows the open
        prompt again with the same tie, so its earlier buttons still count."""
        state = self.state
        if state is None:
            return rows
        data = state.data
        if not isinstance(data.get(DIALOG), str):
            data[DIALOG] = _dialog_id(self.update)
        if fresh or not isinstance(data.get(PROMPT), int):
            data[PROMPT] = _shown(data) + 1
        tag = _current_tag(state)
        assert tag is not None
        return [[Button(b.text, words.marked(b.payload, tag)) for b in row] for row in rows]

    async def _prompt(
        self,
        step: Step,
        *,
        form: bool = False,
        drafts: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        fresh: bool = True,
    ) -> None:
        data = self.state.data if self.state is not None else {}
        view = self._view(data)
        meta = None
        if form and self.flow.fits_form:
            meta = {"form": await form_spec(self.flow, view, drafts=drafts, errors=errors)}
        buttons = self._tied(await self._keyboard(step), fresh=fresh)
        self.ctx.reply(await step.ask(view), buttons=buttons, meta=meta)

    async def _summary(self, state: DialogState, *, fresh: bool = True) -> None:
        view = self._view(state.data)
        if self.flow.summary is not None:
            written = self.flow.summary(view)
            text = await written if inspect.isawaitable(written) else written
            nav = [Button(self.t(words.LABEL_BACK), words.BACK)] if state.data.get(PATH) else []
            nav.append(Button(self.t(words.LABEL_CANCEL), words.CANCEL))
            rows = [[Button(self.t(self.flow.confirm_label), words.YES)], nav]
            self.ctx.reply(text, buttons=self._tied(rows, fresh=fresh))
            return
        lines = [self.t(self.flow.summary_title)]
        edit_buttons: list[Button] = []
        for name in state.data.get(PATH) or ():
            step = self.flow.step(name)
            if step is None or name not in state.data:
                continue
            label = self.t(step.label or step.name)
            value = state.data[name]
            shown = self.t(words.SKIPPED) if value is None else await step.show(value, view)
            lines.append(f"{label}: {shown}")
            edit_buttons.append(
                Button(self.t(words.LABEL_CHANGE, field=label), words.EDIT + step.name)
            )
        rows = [
            [
                Button(self.t(self.flow.confirm_label), words.YES),
                Button(self.t(words.LABEL_NO), words.NO),
            ]
        ]
        if edit_buttons:
            rows.append(edit_buttons)
        rows.append([Button(self.t(words.LABEL_BACK), words.BACK)])
        self.ctx.reply("\n".join(lines), buttons=self._tied(rows, fresh=fresh))

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
        self.ctx.journal.dialog_finished(
            bot=self.update.bot,
            chat_id=self.update.chat_id,
            flow=state.flow,
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
        self.ctx.journal.message_logged(
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


def _shown(data: Mapping[str, Any]) -> int:
    count = data.get(PROMPT)
    return count if isinstance(count, int) and not isinstance(count, bool) else 0


def _current_tag(state: DialogState) -> str | None:
    """The tag of the prompt now open: the dialog's id and the number of its prompt."""
    dialog, count = state.data.get(DIALOG), _shown(state.data)
    if not isinstance(dialog, str) or count < 1:
        return None
    return dialog + _base36(count)


def _dialog_id(update: Update) -> str:
    """Four letters or digits from the update that began the dialog, unlike the last one's."""
    seed = f"{update.bot}\x1f{update.chat_id}\x1f{update.update_id}".encode()
    return _base36(zlib.crc32(seed) % 36**4).rjust(4, "0")


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text
