"""The filter bot: a person builds filters the staged way and hears of each new matching post.

It follows the ad bot named in its `ads_bot` option (the bundled `classifieds` by default).
A subscription lasts one of `periods` days (7 or 30), is announced two days before it ends
with an Extend button, and stops matching when it has ended.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from relaybot import (
    N_,
    Address,
    App,
    BotConfig,
    Choice,
    Context,
    Flow,
    FlowView,
    Invalid,
    Job,
    JobContext,
    Router,
    Select,
    Settings,
    Step,
    Text,
    translator,
)

from .filter_payloads import DropFilter, Extend, MyFilters, NewFilter
from .models import ANY, AdFilter, AdKind
from .stages import currencies

OPEN = "*"
WARN_BEFORE = timedelta(days=2)
DEFAULT_PERIODS = (7, 30)
_RANGE = re.compile(
    r"^\s*(?:(?P<low>\d[\d\s]*)\s*(?:-|–|—|\.\.)\s*(?P<high>\d[\d\s]*)"
    r"|(?:до|up to|upto|to|<=?)\s*(?P<max>\d[\d\s]*)"
    r"|(?:от|from|>=?)\s*(?P<min>\d[\d\s]*))\s*(?P<currency>[^\d\s].*)?$",
    re.IGNORECASE,
)


def ads_bot_of(bot: BotConfig) -> str:
    return str(bot.options.get("ads_bot") or "classifieds")


def periods_of(bot: BotConfig) -> list[int]:
    found = bot.options.get("periods") or DEFAULT_PERIODS
    return [int(p) for p in found if int(p) > 0] or list(DEFAULT_PERIODS)


async def _kinds(view: FlowView) -> list[AdKind]:
    if view.ctx is None:
        return []
    return list(
        await view.ctx.db.scalars(
            select(AdKind).where(AdKind.bot == ads_bot_of(view.ctx.bot)).order_by(AdKind.position)
        )
    )


async def kind_choices(view: FlowView) -> list[Choice]:
    kinds = await _kinds(view)
    return [Choice(k.title, k.code) for k in kinds] + [Choice(N_("Any kind"), OPEN)]


async def _chosen(view: FlowView) -> AdKind | None:
    return next((k for k in await _kinds(view) if k.code == view.data.get("kind")), None)


async def category_choices(view: FlowView) -> list[Choice]:
    kind = await _chosen(view)
    return [Choice(c, c) for c in (kind.categories if kind else [])] + [
        Choice(N_("Any category"), OPEN)
    ]


async def region_choices(view: FlowView) -> list[Choice]:
    kinds = await _kinds(view)
    chosen = [k for k in kinds if k.code == view.data.get("kind")] or kinds
    regions = dict.fromkeys(r for k in chosen for r in k.regions)
    return [Choice(r, r) for r in regions] + [Choice(N_("Anywhere"), OPEN)]


def clean_filter_region(text: str, _view: FlowView) -> str:
    region = " ".join(text.split())
    if region == OPEN:
        return OPEN
    if not 2 <= len(region) <= 60 or not re.search(r"[^\W\d_]", region):
        raise Invalid(N_("Please write the city or region, such as “Bishkek”, or press Anywhere."))
    return region


def parse_range(text: str, view: FlowView) -> dict[str, Any]:
    """ "1000-5000", "up to 5000 KGS", "from 1000", or any price."""
    if text.strip().lower() in {OPEN, "any", "любая", "any price"}:
        return {}
    match = _RANGE.match(text)
    if match is None:
        raise Invalid(
            N_("Please write a price range such as “1000-5000”, “up to 5000” or “from 1000”.")
        )

    def number(name: str) -> float | None:
        raw = match.group(name)
        return float(re.sub(r"\s", "", raw)) if raw else None

    low = number("low") if match.group("low") else number("min")
    high = number("high") if match.group("high") else number("max")
    if low is not None and high is not None and low > high:
        raise Invalid(N_("The lower price is above the upper one."))
    allowed = currencies(view)
    word = (match.group("currency") or "").strip().upper()
    currency = word or allowed[0]
    if currency not in allowed:
        raise Invalid(N_("I take prices in {currencies} only."), currencies=", ".join(allowed))
    return {"min": low, "max": high, "currency": currency}


def show_range(value: Any, view: FlowView) -> str:
    if not value:
        return view.t(N_("Any price"))
    low, high, currency = value.get("min"), value.get("max"), value.get("currency")
    if low is not None and high is not None:
        return f"{low:g}–{high:g} {currency}"
    if high is not None:
        return view.t(N_("up to {max} {currency}"), max=f"{high:g}", currency=currency)
    return view.t(N_("from {min} {currency}"), min=f"{low:g}", currency=currency)


async def period_choices(view: FlowView) -> list[Choice]:
    if view.ctx is None:
        return []
    return [
        Choice(view.t(N_("{days} days"), days=days), str(days)) for days in periods_of(view.ctx.bot)
    ]


def filter_steps() -> list[Step]:
    return [
        Select("kind", prompt=N_("What kind of ads?"), choices=kind_choices, label=N_("Kind")),
        Select(
            "category",
            prompt=N_("Which category?"),
            choices=category_choices,
            label=N_("Category"),
            when=lambda view: view.data.get("kind") != OPEN,
        ),
        Step(
            "price",
            prompt=N_("Your price range, such as “1000-5000”, “up to 5000 KGS”, or any price."),
            validate=parse_range,
            label=N_("Price"),
            choices=[Choice(N_("Any price"), OPEN)],
            display=show_range,
        ),
        Step(
            "region",
            prompt=N_("Where?"),
            validate=clean_filter_region,
            label=N_("Region"),
            choices=region_choices,
            display=lambda value, view: view.t(N_("Anywhere")) if value == OPEN else str(value),
        ),
        Text(
            "keywords",
            prompt=N_("Words the ad must have, separated by commas (such as “bumper, camry”)."),
            label=N_("Words"),
            optional=True,
            min_length=2,
            max_length=120,
        ),
        Select(
            "period",
            prompt=N_("For how long?"),
            choices=period_choices,
            label=N_("Period"),
        ),
    ]


def _field(value: Any) -> str:
    return ANY if value in (None, OPEN) else str(value)


async def save_filter(ctx: Context, data: dict[str, Any]) -> str | None:
    price = data.get("price") or {}
    days = int(data["period"])
    if days not in periods_of(ctx.bot):
        return ctx.t(N_("That period is not offered any more."))
    keywords = [w.strip().lower() for w in (data.get("keywords") or "").split(",") if w.strip()]
    flt = AdFilter(
        bot=ctx.bot.name,
        channel=ctx.bot.channel,
        chat_id=ctx.update.chat_id,
        user_id=ctx.update.user_id,
        language=ctx.locale,
        ads_bot=ads_bot_of(ctx.bot),
        kind=_field(data.get("kind")),
        category=_field(data.get("category")),
        region=_field(data.get("region")),
        price_min=price.get("min"),
        price_max=price.get("max"),
        currency=price.get("currency") if price else None,
        keywords=",".join(keywords[:10])[:200],
        period_days=days,
        created_at=ctx.now,
        expires_at=ctx.now + timedelta(days=days),
        warned=False,
    )
    ctx.db.add(flt)
    await ctx.db.flush()
    ctx.reply(
        ctx.t(
            N_("Filter #{id} is on until {date}. I will send you every new ad that fits it."),
            id=flt.id,
            date=flt.expires_at.date().isoformat(),
        ),
        buttons=[MyFilters().button(ctx.t(N_("My filters")))],
    )
    return None


def extend_buttons(t: Any, flt: AdFilter, periods: Sequence[int]) -> list[Any]:
    return [
        Extend(id=flt.id, days=days).button(t(N_("Extend by {days} days"), days=days))
        for days in periods
    ]


async def _own_filter(ctx: Context, filter_id: int) -> AdFilter | None:
    flt = await ctx.db.get(AdFilter, filter_id)
    if flt is None or flt.bot != ctx.bot.name:
        ctx.reply(ctx.t(N_("That filter no longer exists.")))
        return None
    if flt.user_id != ctx.update.user_id:
        ctx.reply(ctx.t(N_("That filter is not yours, so I left it as it was.")))
        return None
    return flt


def build_filter_router() -> Router:
    router = Router()
    flow = Flow(name="filter", steps=filter_steps(), on_complete=save_filter)
    router.flow(flow, command="new", button=NewFilter)

    @router.command("start", words={"menu", "меню"})
    async def start(ctx: Context) -> None:
        ctx.reply(
            ctx.t(N_("I tell you of new ads that fit your filters. Build one?")),
            buttons=[
                NewFilter().button(ctx.t(N_("New filter"))),
                MyFilters().button(ctx.t(N_("My filters"))),
            ],
        )

    async def show_filters(ctx: Context) -> None:
        found = list(
            await ctx.db.scalars(
                select(AdFilter)
                .where(AdFilter.bot == ctx.bot.name, AdFilter.user_id == ctx.update.user_id)
                .order_by(AdFilter.id)
            )
        )
        if not found:
            ctx.reply(
                ctx.t(N_("You have no filters yet.")),
                buttons=[NewFilter().button(ctx.t(N_("New filter")))],
            )
            return
        for flt in found:
            state = (
                ctx.t(N_("until {date}"), date=flt.expires_at.date().isoformat())
                if flt.expires_at > ctx.now
                else ctx.t(N_("ended"))
            )
            words = flt.keywords.split(",") if flt.keywords else []
            parts = [p for p in (flt.kind, flt.category, flt.region, *words) if p]
            ctx.reply(
                f"#{flt.id}: {', '.join(parts) or ctx.t(N_('everything'))} ({state})",
                buttons=[
                    extend_buttons(ctx.t, flt, periods_of(ctx.bot)),
                    [DropFilter(id=flt.id).button(ctx.t(N_("Delete")))],
                ],
            )

    router.command("filters")(show_filters)

    @router.button(MyFilters)
    async def my_filters(ctx: Context, payload: MyFilters) -> None:
        await show_filters(ctx)

    @router.button(Extend)
    async def extend(ctx: Context, payload: Extend) -> None:
        if payload.days not in periods_of(ctx.bot):
            ctx.reply(ctx.t(N_("That period is not offered any more.")))
            return
        flt = await _own_filter(ctx, payload.id)
        if flt is None:
            return
        flt.expires_at = max(flt.expires_at, ctx.now) + timedelta(days=payload.days)
        flt.warned = False
        ctx.reply(
            ctx.t(
                N_("Filter #{id} now runs until {date}."),
                id=flt.id,
                date=flt.expires_at.date().isoformat(),
            )
        )

    @router.button(DropFilter)
    async def drop(ctx: Context, payload: DropFilter) -> None:
        flt = await _own_filter(ctx, payload.id)
        if flt is None:
            return
        await ctx.db.execute(delete(AdFilter).where(AdFilter.id == flt.id))
        ctx.reply(ctx.t(N_("Filter #{id} is deleted."), id=payload.id))

    return router


async def warn_before_the_end(ctx: JobContext) -> None:
    """Two days before a subscription ends its owner is told once, with Extend buttons."""
    due = await ctx.db.scalars(
        select(AdFilter)
        .where(
            AdFilter.warned.is_(False),
            AdFilter.expires_at > ctx.now,
            AdFilter.expires_at <= ctx.now + WARN_BEFORE,
        )
        .limit(1000)
    )
    for flt in due:
        flt.warned = True
        bot = ctx.bots.get(flt.bot)
        if bot is None:
            continue
        t = translator(flt.language)
        ctx.send(
            Address(flt.bot, flt.chat_id),
            t(
                N_("Your filter #{id} ends on {date}. Extend it?"),
                id=flt.id,
                date=flt.expires_at.date().isoformat(),
            ),
            buttons=[extend_buttons(t, flt, periods_of(bot))],
        )


class ClassifiedsFilterApp(App):
    name = "classifieds-filter"
    title = N_("Ad alerts")
    description = N_("Tells you of new ads that fit your filters.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.router = build_filter_router()

    @classmethod
    def migrations_dir(cls) -> None:
        """Its table is created by the classifieds app's migrations, beside it."""
        return None

    @classmethod
    def locales_dir(cls) -> None:
        """Its texts are in the classifieds app's catalogues, beside it."""
        return None

    @classmethod
    def jobs(cls, settings: Settings) -> Sequence[Job]:
        return (Job("classifieds-filter.expiry", warn_before_the_end, every=600),)
