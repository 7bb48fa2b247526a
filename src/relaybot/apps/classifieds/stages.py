"""The stages an ad kind may declare, as flow steps, and the rules that check each answer.

A kind lists the stages it asks, by name; the ad dialog holds every stage and asks those the
kind's list has (`when=`), so a kind is data in a table, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from relaybot import (
    N_,
    Album,
    Answer,
    Choice,
    FlowView,
    Invalid,
    Phone,
    Select,
    Step,
    Text,
)

from .models import AdKind

STAGES = (
    "category",
    "title",
    "description",
    "price",
    "region",
    "condition",
    "photos",
    "contact",
)
"""Every stage there is, in the order they are asked."""

NEGOTIABLE = "negotiable"
USERNAME = "username"
PRICE_MAX = Decimal("1000000000")
_NEGOTIABLE_WORDS = {"negotiable", "договорная", "договорная цена", "торг", "договорно"}
_CURRENCY_WORDS = {
    "kgs": "KGS",
    "сом": "KGS",
    "som": "KGS",
    "с": "KGS",
    "usd": "USD",
    "$": "USD",
    "долл": "USD",
    "долларов": "USD",
    "rub": "RUB",
    "руб": "RUB",
    "₽": "RUB",
    "eur": "EUR",
    "€": "EUR",
    "kzt": "KZT",
    "тг": "KZT",
    "тенге": "KZT",
}
_PRICE = re.compile(r"^\s*([$€₽]?)\s*(\d[\d\s.,]*)\s*([^\d\s].*?)?\s*$")
_USERNAME = re.compile(r"^@[A-Za-z0-9_]{5,32}$")


def after(stage: str) -> Any:
    """`next=` for a stage: the next stage in order, or none while one field of an existing
    draft is being answered again (the draft keeps its other answers)."""
    position = STAGES.index(stage)
    following = STAGES[position + 1] if position + 1 < len(STAGES) else None

    def next_stage(view: FlowView) -> str | None:
        if view.data.get("editing") == stage:
            return None
        return following

    return next_stage


def asks(stage: str) -> Any:
    """`when=` for a stage: asked only when the ad's kind lists it."""

    def condition(view: FlowView) -> bool:
        return stage in (view.data.get("stages") or ())

    return condition


async def _kind_of(view: FlowView) -> AdKind | None:
    ctx = view.ctx
    if ctx is None:  # a form described outside a turn: no kind to read choices from
        return None
    found: AdKind | None = await ctx.db.scalar(
        select(AdKind).where(AdKind.bot == ctx.bot.name, AdKind.code == view.data.get("kind"))
    )
    return found


async def category_choices(view: FlowView) -> list[Choice]:
    kind = await _kind_of(view)
    return [Choice(c, c) for c in (kind.categories if kind else [])]


async def condition_choices(view: FlowView) -> list[Choice]:
    kind = await _kind_of(view)
    return [Choice(c, c) for c in (kind.conditions if kind else [])]


async def region_choices(view: FlowView) -> list[Choice]:
    kind = await _kind_of(view)
    return [Choice(r, r) for r in (kind.regions if kind else [])]


def clean_region(text: str, _view: FlowView) -> str:
    region = " ".join(text.split())
    if not 2 <= len(region) <= 60 or not re.search(r"[^\W\d_]", region):
        raise Invalid(N_("Please write the city or region, such as “Bishkek”."))
    return region


def currencies(view: FlowView) -> list[str]:
    options = view.ctx.bot.options if view.ctx is not None else {}
    found = options.get("currencies") or ["KGS", "USD", "RUB", "EUR", "KZT"]
    return [str(c).upper() for c in found]


def parse_price(text: str, view: FlowView) -> dict[str, Any]:
    """ "15 000 сом", "$300", "250 USD", "negotiable": `{"amount", "currency"}` or
    `{"negotiable": True}`; a currency the bot does not take is named in the refusal."""
    lowered = " ".join(text.lower().split())
    if lowered in _NEGOTIABLE_WORDS:
        return {NEGOTIABLE: True}
    allowed = currencies(view)
    match = _PRICE.match(text)
    if match is None:
        raise Invalid(
            N_(
                "Please send the price as a number with its currency "
                "(such as “15 000 {currency}”) or press Negotiable."
            ),
            currency=allowed[0],
        )
    sign, digits, word = match.groups()
    raw_word = (sign or word or "").strip().lower().rstrip(".")
    currency = allowed[0] if not raw_word else _CURRENCY_WORDS.get(raw_word, raw_word.upper())
    if currency not in allowed:
        raise Invalid(N_("I take prices in {currencies} only."), currencies=", ".join(allowed))
    number = re.sub(r"\s", "", digits).replace(",", ".")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise Invalid(N_("That price is not a number I can read.")) from None
    if amount <= 0 or amount >= PRICE_MAX or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Invalid(
            N_("The price must be more than 0 and below {max}, with at most 2 decimals."),
            max="1 000 000 000",
        )
    return {
        "amount": format(amount.normalize(), "f"),
        "currency": currency,
    }


def show_price(value: Any, view: FlowView) -> str:
    if not isinstance(value, dict) or value.get(NEGOTIABLE):
        return view.t(N_("Negotiable"))
    return format_price(value)


def format_price(value: dict[str, Any]) -> str:
    amount = Decimal(str(value.get("amount", "0")))
    whole = f"{int(amount):,}".replace(",", " ")
    fraction = amount - int(amount)
    shown = whole + (str(fraction)[1:] if fraction else "")
    return f"{shown} {value.get('currency', '')}".strip()


@dataclass(frozen=True, kw_only=True)
class Contact(Phone):
    """A phone number (typed or a shared contact), or the person's own @username."""

    async def take(self, answer: Answer, view: FlowView, draft: Any) -> Any:
        if answer.choice == USERNAME or answer.text.lower() in {"username", "@"}:
            name = own_username(view)
            if name is None:
                raise Invalid(
                    N_("You have no username on this messenger: please send a phone number.")
                )
            return name
        if answer.text.startswith("@"):
            if not _USERNAME.match(answer.text):
                raise Invalid(
                    N_("A username is @ and 5 to 32 letters, digits or _, such as @garage_bob.")
                )
            return answer.text
        return await super().take(answer, view, draft)


def own_username(view: FlowView) -> str | None:
    if view.ctx is None:
        return None
    name = view.ctx.update.raw.get("username")
    return f"@{name}" if isinstance(name, str) and name else None


def contact_choices(view: FlowView) -> list[Choice]:
    name = own_username(view)
    return [Choice(view.t(N_("Use my username {name}"), name=name), USERNAME)] if name else []


def steps(phone_regions: tuple[str, ...]) -> list[Step]:
    """Every stage as a step; the kind's list decides which are asked."""
    return [
        Select(
            "category",
            prompt=N_("Which category?"),
            choices=category_choices,
            label=N_("Category"),
            when=asks("category"),
            next=after("category"),
            unknown=N_("Please pick one of the categories below."),
        ),
        Text(
            "title",
            prompt=N_(
                "A short title, 5 to 80 characters (such as “Front bumper, Toyota Camry 40”)."
            ),
            label=N_("Title"),
            min_length=5,
            max_length=80,
            when=asks("title"),
            next=after("title"),
        ),
        Text(
            "description",
            prompt=N_(
                "Describe it in 10 to 700 characters: what it is, its state, what comes with it."
            ),
            label=N_("Description"),
            min_length=10,
            max_length=700,
            when=asks("description"),
            next=after("description"),
        ),
        Step(
            "price",
            prompt=N_(
                "The price with its currency (such as “15 000 KGS” or “$300”), or press Negotiable."
            ),
            validate=parse_price,
            label=N_("Price"),
            choices=[Choice(N_("Negotiable"), NEGOTIABLE)],
            display=show_price,
            when=asks("price"),
            next=after("price"),
        ),
        Step(
            "region",
            prompt=N_("The city or region."),
            validate=clean_region,
            label=N_("Region"),
            choices=region_choices,
            when=asks("region"),
            next=after("region"),
        ),
        Select(
            "condition",
            prompt=N_("Its condition?"),
            choices=condition_choices,
            label=N_("Condition"),
            when=asks("condition"),
            next=after("condition"),
            unknown=N_("Please pick the condition below."),
        ),
        Album(
            "photos",
            prompt=N_("Send 1 to 10 photos, together or one by one, then press Done."),
            label=N_("Photos"),
            min=1,
            max=10,
            when=asks("photos"),
            next=after("photos"),
            display=lambda value, view: view.t(N_("{count} photos"), count=len(value or ())),
        ),
        Contact(
            "contact",
            prompt=N_("How should people reach you? Send a phone number, or use your username."),
            label=N_("Contact"),
            regions=phone_regions,
            choices=contact_choices,
            when=asks("contact"),
            next=after("contact"),
        ),
    ]
