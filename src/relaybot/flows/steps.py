"""Step kinds: each reads the whole update (text, a pressed button, photos, a contact, a
location) and turns it into one clean, JSON-ready answer or a clear `Invalid`.

`Step` is the plain text step with a validator; the kinds below are `Step`s that know their
own parsing, buttons and summary line. Every kind takes the common options: `label`,
`optional` (a Skip button; the answer is None), `help`, `when` (asked only when true),
`next` (the name of the step to go to), `display` (the summary line) and `check` (the app's
own rule, sync or async, raising `Invalid`).

Answers are stored as JSON between updates, so they are plain values: a date is
"2026-12-31", a time "14:30", a decimal "12.50", a photo its channel reference.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import date, time
from decimal import Decimal as _Decimal
from decimal import InvalidOperation
from typing import Any, ClassVar

from babel.numbers import format_decimal

from relaybot.core.i18n import N_, Translator
from relaybot.core.types import Button
from relaybot.flows.answers import Answer, Choice, FlowView, Invalid, Progress
from relaybot.flows.calendar import day_parts, month_keyboard, month_of
from relaybot.flows.dates import (
    NO_SUCH_DAY,
    NO_SUCH_DAY_THAT_YEAR,
    long_date,
    month_name,
    parse_date,
    parse_time,
)
from relaybot.flows.phones import parse_phone, regions_of
from relaybot.flows.words import (
    CALENDAR_DAY,
    CALENDAR_MONTH,
    CALENDAR_NOTHING,
    CHOICE,
    DONE,
    LABEL_DONE,
    LABEL_MORE,
    MORE,
    STALE_BUTTON,
    fits,
)

Prompt = str | Callable[[FlowView], str | Awaitable[str]]
Validator = Callable[[str, FlowView], Any]
Display = Callable[[Any, FlowView], str]
Condition = Callable[[FlowView], bool]
NextStep = Callable[[FlowView], str | None]
Check = Callable[[Any, FlowView], Any]
"""The app's rule on a parsed answer: returns nothing (or an awaitable), raises `Invalid`."""
ChoiceSource = Callable[[FlowView], Sequence[Choice] | Awaitable[Sequence[Choice]]]
Choices = Sequence[Choice] | ChoiceSource

BUTTON_CHANNELS = frozenset({"telegram", "mattermost", "webchat"})
"""Channels that show buttons as buttons; elsewhere a long keyboard (a calendar) is left out."""

ANSWER_WITH_TEXT = N_("Please answer with text.")
CHOOSE_ONE = N_("Please choose one of the options.")


def accept_text(text: str, view: FlowView) -> str:
    """The plain step's validator: any non-empty text."""
    if not text.strip():
        raise Invalid(ANSWER_WITH_TEXT)
    return text.strip()


def rows_of(buttons: Sequence[Button], *, width: int = 3) -> list[list[Button]]:
    """Buttons in rows: short labels side by side, long ones one to a row."""
    if any(len(b.text) > 14 for b in buttons):
        width = 1
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def _choice_payload(step: str, choice: Choice) -> str:
    payload = CHOICE + choice.value
    if not fits(payload):
        raise ValueError(
            f"step {step!r}: choice value {choice.value!r} is too long for a button "
            f"({len(payload.encode())} bytes with its prefix; at most 64)"
        )
    return payload


@dataclass(frozen=True)
class Step:
    """A question answered with text; `validate` turns the text into the answer."""

    name: str
    prompt: Prompt
    validate: Validator = accept_text
    label: str = ""
    choices: Choices = ()
    display: Display | None = None
    choices_only: bool = False  # a form may then offer a list instead of a text field
    _: KW_ONLY
    optional: bool = False
    help: str | None = None
    when: Condition | None = None
    next: NextStep | None = None
    check: Check | None = None

    fits_form: ClassVar[bool] = True
    takes: ClassVar[tuple[str, ...]] = ()
    """The `flow:` payloads (or their prefixes) the step answers itself: Done, calendar pages."""

    def __post_init__(self) -> None:
        if self.validate is not accept_text and type(self).take is not Step.take:
            raise ValueError(
                f"step {self.name!r}: a {type(self).__name__} step parses its own answers; "
                "give the app's rule as check= instead of validate="
            )
        if not callable(self.choices):
            for choice in self.choices:
                _choice_payload(self.name, choice)

    # -- asking -----------------------------------------------------------------------------
    async def ask(self, view: FlowView) -> str:
        """The question: a text id, or the app's (possibly async) callable of the view."""
        if not callable(self.prompt):
            return view.t(self.prompt)
        asked = self.prompt(view)
        return await asked if inspect.isawaitable(asked) else asked

    async def options(self, view: FlowView) -> list[Choice]:
        """The choices now: static, or from the app's (possibly async) callable."""
        if not callable(self.choices):
            return list(self.choices)
        found = self.choices(view)
        if inspect.isawaitable(found):
            found = await found
        return list(found)

    async def keyboard(self, view: FlowView, draft: Any, *, channel: str) -> list[list[Button]]:
        """The step's own buttons, above Back / Skip / Cancel."""
        offered = await self.options(view)
        if not offered:
            return []
        return [[self.button(c, view) for c in offered]]

    def button(self, choice: Choice, view: FlowView) -> Button:
        """The button that answers this step with `choice` (for a kind's own keyboard)."""
        return Button(view.t(choice.label), _choice_payload(self.name, choice))

    # -- answering --------------------------------------------------------------------------
    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        """The answer from one update, a `Progress` while more is needed, or `Invalid`."""
        return self.validate(await self.raw(answer, view), view)

    async def raw(self, answer: Answer, view: FlowView) -> str:
        """The pressed choice's value, the value of a choice typed by its label, or the text.

        A choice button of another question (an older message) is refused, not taken as text."""
        offered = await self.options(view)
        if answer.choice is not None:
            if any(c.value == answer.choice for c in offered):
                return answer.choice
            raise Invalid(STALE_BUTTON)
        return _typed_choice(answer.text, offered, view.t)

    async def checked(self, value: Any, view: FlowView) -> None:
        """Run the app's `check` on a parsed answer; it raises `Invalid` to ask again."""
        if self.check is not None:
            outcome = self.check(value, view)
            if inspect.isawaitable(outcome):
                await outcome

    # -- showing ----------------------------------------------------------------------------
    async def show(self, value: Any, view: FlowView) -> str:
        """The summary line's value: the app's `display`, or the kind's own way."""
        if self.display is not None:
            return self.display(value, view)
        return await self.shown(value, view)

    async def shown(self, value: Any, view: FlowView) -> str:
        """How the kind itself shows an answer in the summary (a label, a long date...)."""
        return str(value)

    def as_text(self, value: Any) -> str:
        """An earlier answer as a form field's default."""
        return value if isinstance(value, str) else str(value)

    def only_choices(self) -> bool:
        """Whether a form may offer a list instead of a text field for this step."""
        return self.choices_only


def _typed_choice(text: str, offered: Sequence[Choice], t: Translator) -> str:
    typed = text.strip().casefold()
    for choice in offered:
        if typed in (t(choice.label).casefold(), choice.value.casefold()):
            return choice.value
    return text


def _pick(text: str, offered: Sequence[Choice], t: Translator) -> Choice | None:
    """The choice a typed answer names: its label, its value, or its number in the list."""
    typed = text.strip().casefold()
    if not typed:
        return None
    for choice in offered:
        if typed in (t(choice.label).casefold(), choice.value.casefold()):
            return choice
    numbered = not any(t(c.label).strip().isdigit() for c in offered)
    if numbered and typed.isdigit() and 1 <= int(typed) <= len(offered):
        return offered[int(typed) - 1]
    return None


# -- text and numbers ---------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Text(Step):
    """Free text between `min_length` and `max_length` characters."""

    min_length: int = 1
    max_length: int = 4096

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        text = await self.raw(answer, view)
        if not text:
            raise Invalid(ANSWER_WITH_TEXT)
        if len(text) < self.min_length:
            raise Invalid(N_("Please write at least {min} characters."), min=self.min_length)
        if len(text) > self.max_length:
            raise Invalid(N_("Please keep it within {max} characters."), max=self.max_length)
        return text


_SPACES = re.compile(r"[\s\u00a0\u202f']+")


def _bounds_message(whole: bool, low: Any, high: Any) -> Invalid:
    if low is not None and high is not None:
        if whole:
            return Invalid(N_("Please send a whole number from {min} to {max}."), min=low, max=high)
        return Invalid(N_("Please send a number from {min} to {max}."), min=low, max=high)
    if low is not None:
        return Invalid(N_("Please send a number of at least {min}."), min=low)
    if high is not None:
        return Invalid(N_("Please send a number of at most {max}."), max=high)
    if whole:
        return Invalid(N_("Please send a whole number."))
    return Invalid(N_("Please send a number, such as 12.5."))


@dataclass(frozen=True, kw_only=True)
class Integer(Step):
    """A whole number within `min` and `max` (either may be left open)."""

    min: int | None = None
    max: int | None = None

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        cleaned = _SPACES.sub("", await self.raw(answer, view))
        if not re.fullmatch(r"[+-]?\d{1,18}", cleaned):
            raise _bounds_message(True, self.min, self.max)
        number = int(cleaned)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise _bounds_message(True, self.min, self.max)
        return number


@dataclass(frozen=True, kw_only=True)
class Decimal(Step):
    """A number with a fraction ("12,5" or "12.5"); the answer is its text, "12.5"."""

    min: _Decimal | int | str | None = None
    max: _Decimal | int | str | None = None
    places: int | None = None

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        cleaned = _SPACES.sub("", await self.raw(answer, view)).replace(",", ".")
        low = None if self.min is None else _Decimal(self.min)
        high = None if self.max is None else _Decimal(self.max)
        try:
            number = _Decimal(cleaned)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not re.fullmatch(r"[+-]?[\d.]+", cleaned):
            raise _bounds_message(False, low, high)
        if (low is not None and number < low) or (high is not None and number > high):
            raise _bounds_message(False, low, high)
        exponent = number.as_tuple().exponent
        if self.places is not None and isinstance(exponent, int) and -exponent > self.places:
            raise Invalid(
                N_("Please use at most {places} digits after the point."), places=self.places
            )
        return format(number, "f")

    async def shown(self, value: Any, view: FlowView) -> str:
        return format_decimal(_Decimal(str(value)), locale=view.t.locale)


# -- choices ------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Select(Step):
    """One of `choices` (a list, or a sync or async callable of the view).

    `unknown` is what a person who names none of the choices is told. With `page_size`, a
    long list is shown a page at a time with a `more_label` button (after the last page, the
    first comes again); a choice typed from any page is taken.
    """

    unknown: str = CHOOSE_ONE
    page_size: int | None = None
    more_label: str = LABEL_MORE

    takes: ClassVar[tuple[str, ...]] = (MORE,)

    def __post_init__(self) -> None:
        super().__post_init__()
        _need_choices(self)
        if self.page_size is not None and self.page_size < 1:
            raise ValueError(f"step {self.name!r}: page_size must be at least 1")

    async def keyboard(self, view: FlowView, draft: Any, *, channel: str) -> list[list[Button]]:
        offered = await self.options(view)
        if self.page_size is None:
            return rows_of([self.button(c, view) for c in offered])
        start = self._page(draft, offered) * self.page_size
        shown = offered[start : start + self.page_size]
        rows = rows_of([self.button(c, view) for c in shown])
        if len(offered) > start + self.page_size:
            rows.append([Button(view.t(self.more_label), MORE)])
        return rows

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        offered = await self.options(view)
        if answer.command == MORE:
            if self.page_size is None:
                raise Invalid(STALE_BUTTON)
            following = self._page(draft, offered) + 1
            return Progress(draft=following if following * self.page_size < len(offered) else 0)
        if answer.choice is not None:
            if any(c.value == answer.choice for c in offered):
                return answer.choice
            raise Invalid(self.unknown)
        picked = _pick(answer.text, offered, view.t)
        if picked is None:
            raise Invalid(self.unknown)
        return picked.value

    def _page(self, draft: Any, offered: Sequence[Choice]) -> int:
        """The page shown now: the draft's, while the list still has it."""
        size = self.page_size or len(offered) or 1
        page = draft if isinstance(draft, int) and not isinstance(draft, bool) else 0
        return page if 0 <= page * size < len(offered) else 0

    async def shown(self, value: Any, view: FlowView) -> str:
        return _label_of(value, await self.options(view), view.t)

    def only_choices(self) -> bool:
        return True


def _need_choices(step: Step) -> None:
    if not callable(step.choices) and not step.choices:
        raise ValueError(f"step {step.name!r}: a {type(step).__name__} needs choices")


def _label_of(value: Any, offered: Sequence[Choice], t: Translator) -> str:
    """The label of the chosen value; a value seeded from a typed payload (an int id) names
    the same choice as its text."""
    for choice in offered:
        if choice.value == value or choice.value == str(value):
            return t(choice.label)
    return str(value)


@dataclass(frozen=True, kw_only=True)
class MultiSelect(Step):
    """Several of `choices`: each press toggles one, Done answers; or typed, comma-separated.

    The answer is the chosen values in the order of the choices."""

    min: int = 1
    max: int | None = None

    takes: ClassVar[tuple[str, ...]] = (DONE,)

    def __post_init__(self) -> None:
        super().__post_init__()
        _need_choices(self)

    async def keyboard(self, view: FlowView, draft: Any, *, channel: str) -> list[list[Button]]:
        offered = await self.options(view)
        chosen = set(draft or ())
        buttons = [
            Button(
                ("✓ " if c.value in chosen else "") + view.t(c.label),
                _choice_payload(self.name, c),
            )
            for c in offered
        ]
        return [*rows_of(buttons, width=2), [Button(view.t(LABEL_DONE), DONE)]]

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        offered = await self.options(view)
        values = [c.value for c in offered]
        chosen = [v for v in (draft or ()) if v in values]
        if answer.command == DONE:
            return self._counted([v for v in values if v in chosen])
        if answer.choice is not None:
            if answer.choice not in values:
                raise Invalid(CHOOSE_ONE)
            if answer.choice in chosen:
                chosen.remove(answer.choice)
            else:
                chosen.append(answer.choice)
            return Progress(draft=chosen)
        items = [item for item in re.split(r"[,;\n]+", answer.text) if item.strip()]
        if not items:
            raise Invalid(CHOOSE_ONE)
        picked: list[str] = []
        for item in items:
            found = _pick(item, offered, view.t)
            if found is None:
                raise Invalid(
                    N_("I do not know “{item}”. Please choose from the options."),
                    item=item.strip(),
                )
            picked.append(found.value)
        return self._counted([v for v in values if v in picked])

    def _counted(self, chosen: list[str]) -> list[str]:
        if len(chosen) < self.min:
            raise Invalid(N_("Please choose at least {min}."), min=self.min)
        if self.max is not None and len(chosen) > self.max:
            raise Invalid(N_("Please choose at most {max}."), max=self.max)
        return chosen

    async def shown(self, value: Any, view: FlowView) -> str:
        offered = await self.options(view)
        return ", ".join(_label_of(v, offered, view.t) for v in value or ())

    def as_text(self, value: Any) -> str:
        return ", ".join(str(v) for v in value or ())


# -- phone --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Phone(Step):
    """A phone number typed in the usual ways, or a shared contact; the answer is E.164.

    `regions` are the countries called ("KG"); a refusal names them with an example number."""

    regions: Sequence[str] = ("KG",)

    def __post_init__(self) -> None:
        super().__post_init__()
        try:
            object.__setattr__(self, "regions", regions_of(self.regions))
        except ValueError as exc:
            raise ValueError(f"step {self.name!r}: {exc}") from None

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        contacts = answer.of_kind("contact")
        candidate = contacts[0].ref.strip() if contacts else answer.text
        if contacts and candidate.isdigit():
            candidate = "+" + candidate  # a shared contact's number comes without its plus
        return parse_phone(candidate, self.regions, view.t)


# -- date and time ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Date(Step):
    """A day, typed in the person's language or picked on a button calendar.

    `not_past` refuses days before today; `min` and `max` bound it further. The answer is
    the ISO date, "2026-12-31". `calendar=False` leaves the calendar out."""

    not_past: bool = False
    min: date | None = None
    max: date | None = None
    calendar: bool = True

    takes: ClassVar[tuple[str, ...]] = (CALENDAR_DAY, CALENDAR_MONTH)

    def _earliest(self, view: FlowView) -> date | None:
        floor = view.today if self.not_past else None
        if floor is not None and self.min is not None:
            return max(floor, self.min)
        return floor or self.min

    def _allowed(self, view: FlowView) -> Callable[[date], bool]:
        earliest = self._earliest(view)
        return lambda day: (
            (earliest is None or day >= earliest) and (self.max is None or day <= self.max)
        )

    async def keyboard(self, view: FlowView, draft: Any, *, channel: str) -> list[list[Button]]:
        rows = await super().keyboard(view, draft, channel=channel)
        if not self.calendar or channel not in BUTTON_CHANNELS:
            return rows
        earliest = self._earliest(view)
        shown = month_of(f"{CALENDAR_MONTH}{draft}") if isinstance(draft, str) else None
        start = shown or (earliest if earliest and earliest > view.today else view.today)
        calendar = month_keyboard(
            start.replace(day=1),
            locale=view.t.locale,
            allowed=self._allowed(view),
            earliest=earliest,
            latest=self.max,
        )
        return [*calendar, *rows]

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        locale = view.t.locale
        command = answer.command or ""
        if command == CALENDAR_NOTHING:
            return Progress(draft=draft, prompt=False)
        if command.startswith(CALENDAR_MONTH):
            first = month_of(command)
            if first is None:
                raise Invalid(STALE_BUTTON)
            return Progress(draft=first.isoformat()[:7])
        if command.startswith(CALENDAR_DAY):
            parts = day_parts(command)
            if parts is None:
                raise Invalid(STALE_BUTTON)
            year, month, day_number = parts
            if not 1 <= month <= 12:
                raise Invalid(STALE_BUTTON)
            try:
                day = date(year, month, day_number)
            except ValueError:
                name = month_name(month, locale)
                if day_number <= 29 and month == 2:
                    raise Invalid(
                        NO_SUCH_DAY_THAT_YEAR, day=day_number, month=name, year=year
                    ) from None
                raise Invalid(NO_SUCH_DAY, day=day_number, month=name) from None
        else:
            earliest = self._earliest(view)
            day = parse_date(
                await self.raw(answer, view),
                locale=locale,
                today=view.today,
                prefer_future=earliest is not None and earliest >= view.today,
            )
        self._within(day, view)
        return day.isoformat()

    def _within(self, day: date, view: FlowView) -> None:
        locale = view.t.locale
        if self.not_past and day < view.today:
            raise Invalid(N_("That day has already passed. Please choose today or a later day."))
        if self.min is not None and day < self.min:
            raise Invalid(N_("Please choose a day from {min} on."), min=long_date(self.min, locale))
        if self.max is not None and day > self.max:
            raise Invalid(N_("Please choose a day up to {max}."), max=long_date(self.max, locale))

    async def shown(self, value: Any, view: FlowView) -> str:
        return long_date(date.fromisoformat(str(value)), view.t.locale)


@dataclass(frozen=True, kw_only=True)
class Time(Step):
    """A time of day ("14:30", "9 pm", "в 14 ч") within `min` and `max`; the answer is "14:30"."""

    min: time | None = None
    max: time | None = None

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        moment = parse_time(await self.raw(answer, view))
        low, high = self.min, self.max
        if (low is not None and moment < low) or (high is not None and moment > high):
            if low is not None and high is not None:
                raise Invalid(
                    N_("Please choose a time from {min} to {max}."),
                    min=low.strftime("%H:%M"),
                    max=high.strftime("%H:%M"),
                )
            if low is not None:
                raise Invalid(N_("Please choose {min} or later."), min=low.strftime("%H:%M"))
            assert high is not None
            raise Invalid(N_("Please choose {max} or earlier."), max=high.strftime("%H:%M"))
        return moment.strftime("%H:%M")


# -- photos and places --------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Photo(Step):
    """One photo; the answer is its channel reference (send it back as an `Attachment`)."""

    fits_form: ClassVar[bool] = False

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        photos = answer.of_kind("photo")
        if not photos:
            raise Invalid(N_("Please send a photo."))
        return photos[0].ref

    async def shown(self, value: Any, view: FlowView) -> str:
        return view.t(N_("a photo"))


ALBUM_LIMIT = 10


@dataclass(frozen=True, kw_only=True)
class Album(Step):
    """From `min` to `max` photos (at most 10), sent one by one or as one media group,
    collected until Done; the answer is the list of their references."""

    min: int = 1
    max: int = ALBUM_LIMIT

    fits_form: ClassVar[bool] = False
    takes: ClassVar[tuple[str, ...]] = (DONE,)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 1 <= self.min <= self.max <= ALBUM_LIMIT:
            raise ValueError(
                f"step {self.name!r}: an album takes from 1 to {ALBUM_LIMIT} photos, "
                f"min {self.min} and max {self.max} do not fit"
            )

    async def keyboard(self, view: FlowView, draft: Any, *, channel: str) -> list[list[Button]]:
        if not _album(draft)["refs"]:
            return []
        return [[Button(view.t(LABEL_DONE), DONE)]]

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        album = _album(draft)
        refs: list[str] = album["refs"]
        if answer.command == DONE:
            if len(refs) < self.min:
                if self.min == 1:
                    raise Invalid(N_("Please send a photo first."))
                raise Invalid(N_("Please send at least {min} photos first."), min=self.min)
            return refs
        photos = answer.of_kind("photo")
        if not photos:
            if refs:
                raise Invalid(N_("Please send more photos, or press Done."))
            raise Invalid(N_("Please send a photo."))
        same_group = answer.media_group is not None and album["group"] == answer.media_group
        room = self.max - len(refs)
        kept = [p.ref for p in photos[: max(room, 0)]]
        overflow = len(photos) > len(kept)
        warned = bool(album["warned"]) and same_group
        updated: dict[str, Any] = {
            "refs": refs + kept,
            "group": answer.media_group,
            "warned": warned or overflow,
        }
        if overflow:
            if warned:
                return Progress(draft=updated, prompt=False)
            return Progress(
                draft=updated,
                notice=N_("That is more than {max} photos: I kept the first {max}. Press Done."),
                values={"max": self.max},
                prompt=False,
            )
        if same_group:
            return Progress(draft=updated, prompt=False)
        if answer.media_group is not None:
            return Progress(
                draft=updated,
                notice=N_("Receiving your photos. Send more, or press Done when all are here."),
                prompt=False,
            )
        return Progress(
            draft=updated,
            notice=N_("Got {count} of up to {max} photos. Send more, or press Done."),
            values={"count": len(updated["refs"]), "max": self.max},
            prompt=False,
        )

    async def shown(self, value: Any, view: FlowView) -> str:
        """The summary line says how many: "Photos: 2" under the step's own label."""
        return str(len(value or ()))


def _album(draft: Any) -> dict[str, Any]:
    if isinstance(draft, dict) and isinstance(draft.get("refs"), list):
        return {
            "refs": list(draft["refs"]),
            "group": draft.get("group"),
            "warned": draft.get("warned"),
        }
    return {"refs": [], "group": None, "warned": False}


_POINT_DECIMALS = re.compile(r"^(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)$")
_COMMA_DECIMALS = re.compile(r"^(-?\d{1,3}(?:,\d+)?)\s*[;\s]\s*(-?\d{1,3}(?:,\d+)?)$")


def _coordinates(text: str) -> tuple[float, float] | None:
    typed = text.strip()
    match = _POINT_DECIMALS.match(typed) or _COMMA_DECIMALS.match(typed)
    if match is None:
        return None
    latitude, longitude = (float(part.replace(",", ".")) for part in (match[1], match[2]))
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return latitude, longitude
    return None


@dataclass(frozen=True, kw_only=True)
class Location(Step):
    """A shared location, or typed coordinates; the answer is {"latitude", "longitude"}."""

    fits_form: ClassVar[bool] = False

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        places = answer.of_kind("location")
        found = _coordinates(places[0].ref if places else answer.text)
        if found is None:
            raise Invalid(
                N_("Please share a location, or send its coordinates such as 42.8746, 74.5698.")
            )
        return {"latitude": found[0], "longitude": found[1]}

    async def shown(self, value: Any, view: FlowView) -> str:
        return f"{value['latitude']:.5f}, {value['longitude']:.5f}"


STEP_KINDS: tuple[type[Step], ...] = (
    Step,
    Text,
    Integer,
    Decimal,
    Select,
    MultiSelect,
    Phone,
    Date,
    Time,
    Photo,
    Album,
    Location,
)
