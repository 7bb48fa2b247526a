"""The one vocabulary of dialogs: typed words, button payloads and labels, and shared texts.

Every dialog (the engine, the router, the apps) reads these, so a person who types "назад"
or presses Back gets the same behaviour everywhere. Texts are English message ids rendered
through the person's translator; the payloads are short and stable, as buttons pressed days
ago still carry them.
"""

from __future__ import annotations

import re
from typing import Final

from relaybot.core.i18n import N_

# -- button payloads -----------------------------------------------------------------------------
PREFIX: Final = "flow:"
BACK: Final = "flow:back"
CANCEL: Final = "flow:cancel"
YES: Final = "flow:yes"
NO: Final = "flow:no"
RESTART: Final = "flow:restart"
SKIP: Final = "flow:skip"
DONE: Final = "flow:done"
MORE: Final = "flow:more"  # the next page of a long list of choices
HELP: Final = "flow:help"
EDIT: Final = "flow:edit:"  # + the step's name
CHOICE: Final = "choice:"  # + the choice's value
CALENDAR_MONTH: Final = "flow:cal:"  # + YYYY-MM: show that month
CALENDAR_DAY: Final = "flow:day:"  # + YYYY-MM-DD: that day is the answer
CALENDAR_NOTHING: Final = "flow:cal:-"  # a calendar cell that is not a day
PAYLOAD_LIMIT: Final = 64  # bytes: Telegram's callback data, the smallest of the channels
PROMPT_MARK: Final = "~"  # + the prompt's tag: which question a dialog button belongs to

# -- what people type ----------------------------------------------------------------------------
TYPED: Final[dict[str, frozenset[str]]] = {
    BACK: frozenset({"back", "назад", "/back"}),
    CANCEL: frozenset({"cancel", "отмена", "отменить", "/cancel", "stop", "стоп"}),
    YES: frozenset({"yes", "да", "y", "д", "ok", "ок", "confirm", "подтвердить"}),
    NO: frozenset({"no", "нет", "n", "н"}),
    RESTART: frozenset({"/start", "start", "начать", "заново", "start over"}),
    SKIP: frozenset({"skip", "/skip", "пропустить", "пропуск"}),
    DONE: frozenset({"done", "/done", "готово", "всё", "все", "хватит"}),
    HELP: frozenset({"?", "help", "/help", "помощь", "справка"}),
}
"""Typed words per command; skip, done and help mean something only where a step takes them."""

# -- button labels -------------------------------------------------------------------------------
LABEL_BACK: Final = N_("Back")
LABEL_CANCEL: Final = N_("Cancel")
LABEL_YES: Final = N_("Yes")
LABEL_NO: Final = N_("No")
LABEL_RESTART: Final = N_("Start again")
LABEL_SKIP: Final = N_("Skip")
LABEL_DONE: Final = N_("Done")
LABEL_MORE: Final = N_("More")
LABEL_CHANGE: Final = N_("Change: {field}")
LABEL_HELP: Final = N_("Help")

# -- shared texts --------------------------------------------------------------------------------
EXPIRED: Final = N_("Your previous conversation expired, so we are starting over.")
STALE_BUTTON: Final = N_("That button is no longer active.")
REFUSAL: Final = N_("Sorry, this is not available to you.")
CANCELLED: Final = N_("Cancelled. Send any message when you want to start again.")
DECLINED: Final = N_("All right, nothing was saved. Send any message to start again.")
FIRST_STEP: Final = N_("This is the first step.")
NOTHING_TO_CANCEL: Final = N_("Nothing is in progress, so there is nothing to cancel.")
YES_OR_NO: Final = N_("Please answer Yes or No, or choose what to change.")
CHECK_ANSWERS: Final = N_("Please check your answers:")
NO_HELP: Final = N_(
    "Answer the question above. You can also go Back to the previous question or Cancel."
)
SKIPPED: Final = N_("(skipped)")


def restart(flow: str) -> str:
    """The Start again button of `flow`: naming the flow, it still works once the dialog has
    ended (the router starts that flow again)."""
    payload = f"{RESTART}:{flow}"
    return payload if fits(payload) else RESTART


def restarted_flow(payload: str) -> str | None:
    """The flow a Start again button names, if it names one."""
    if not payload.startswith(RESTART + ":"):
        return None
    return payload[len(RESTART) + 1 :] or None


def command_of(text: str, payload: str | None) -> str | None:
    """The dialog command an update means: a `flow:` button, or one of the typed words.

    Any other button means its own payload, whatever its label says."""
    if payload:
        if restarted_flow(payload) is not None:
            return RESTART
        return payload if payload.startswith(PREFIX) else None
    lowered = text.strip().lower()
    for command, words in TYPED.items():
        if lowered in words:
            return command
    return None


def fits(payload: str) -> bool:
    """Whether a payload fits every channel's button (Telegram's 64 bytes of callback data)."""
    return len(payload.encode()) <= PAYLOAD_LIMIT


_TAG = re.compile(r"~([0-9a-z]{2,12})$")


def marked(payload: str, tag: str) -> str:
    """A dialog button's payload tied to the prompt `tag` it is shown with, so that a press
    of an older question's button can be told apart and refused. Start again buttons and
    payloads that would not fit with the tag are left as they are."""
    if not payload.startswith((PREFIX, CHOICE)) or restarted_flow(payload) is not None:
        return payload
    tied = f"{payload}{PROMPT_MARK}{tag}"
    return tied if fits(tied) else payload


def unmarked(payload: str) -> tuple[str, str | None]:
    """A pressed payload without its prompt tag, and the tag (None for an untied payload)."""
    if not payload.startswith((PREFIX, CHOICE)):
        return payload, None
    match = _TAG.search(payload)
    if match is None:
        return payload, None
    return payload[: match.start()], match[1]
