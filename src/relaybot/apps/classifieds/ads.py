"""The ad bot's handlers: choose a kind, walk its stages, preview, post, and look after it."""

from __future__ import annotations

import re
from typing import Any, get_args

from sqlalchemy import select

from relaybot import (
    N_,
    Address,
    Button,
    Context,
    Flow,
    Router,
    Text,
    Translator,
    receipt_of,
    translator,
)

from .matching import notify_subscribers, post_link
from .models import Ad, AdKind, AdPost
from .payloads import AdAct, AddFeedback, Approve, EditField, NewAd, Reject, StageName
from .publish import (
    BOARD,
    RECEIPT_TAG,
    channel_of,
    channel_translator,
    publish,
    refresh_posts,
    remind_after,
    render_post,
)
from .render import details_text
from .stages import STAGES, steps

NOT_YOURS = N_("That ad is not yours, so I left it as it was.")
LOCKED = N_("Ad #{id} is closed, so it cannot be changed any more.")
GONE = N_("That ad no longer exists.")
NOT_POSTED = N_("Updates go on posted ads; ad #{id} is not in the channel.")
EDITABLE = ("draft", "rejected")
ANNOUNCEMENT = "announcement"
AD_TAG = re.compile(r"#ad(\d{1,18})\s*$")
STAGE_NAMES: tuple[StageName, ...] = get_args(StageName)


def roles_of(ctx: Context) -> set[str]:
    """Admins and moderators are listed in the bot's options by user id."""
    user = ctx.update.user_id
    found: set[str] = set()
    if user in {str(u) for u in ctx.bot.options.get("admins", ())}:
        found |= {"admin", "moderator"}
    if user in {str(u) for u in ctx.bot.options.get("moderators", ())}:
        found.add("moderator")
    return found


async def roles_lookup(ctx: Context) -> set[str]:
    return roles_of(ctx)


async def own_ad(ctx: Context, ad_id: int, *, allow_admin: bool = False) -> Ad | None:
    """The ad, when the presser may act on it; otherwise they are told why and get None."""
    ad = await ctx.db.get(Ad, ad_id)
    if ad is None or ad.bot != ctx.bot.name:
        ctx.reply(ctx.t(GONE))
        return None
    if ad.author_id != ctx.update.user_id and not (allow_admin and "admin" in roles_of(ctx)):
        ctx.reply(ctx.t(NOT_YOURS))
        return None
    if ad.locked:
        ctx.reply(ctx.t(LOCKED, id=ad.id))
        return None
    return ad


def preview(ctx: Context, ad: Ad) -> None:
    """The post exactly as the channel will show it, then what can be done with it."""
    text, media = render_post(ad, ctx.bot, ctx.settings)
    ctx.reply(text, media=media)
    ctx.reply(
        ctx.t(N_("This is how your ad will look. Post it?")),
        buttons=[
            [
                AdAct(ad=ad.id, act="post").button(ctx.t(N_("Post"))),
                AdAct(ad=ad.id, act="edit").button(ctx.t(N_("Edit a field"))),
            ],
            [AdAct(ad=ad.id, act="discard").button(ctx.t(N_("Discard")))],
        ],
    )


async def save_ad(ctx: Context, data: dict[str, Any]) -> str | None:
    """The dialog's end: a new draft, or the draft whose field was edited; then its preview."""
    answers = {name: data[name] for name in STAGES if name in data}
    if data.get("ad_id") is not None:
        ad = await own_ad(ctx, int(data["ad_id"]))
        if ad is None:
            return None
        if ad.status not in EDITABLE:
            ctx.reply(ctx.t(N_("Ad #{id} is already posted; it keeps its text."), id=ad.id))
            return None
        ad.answers = {**ad.answers, **answers}
        ad.updated_at = ctx.now
        ad.status = "draft"
    else:
        ad = Ad(
            bot=ctx.bot.name,
            kind=data["kind"],
            kind_title=data.get("kind_title") or data["kind"],
            author_id=ctx.update.user_id,
            author_chat=ctx.update.chat_id,
            author_name=ctx.update.user_name,
            language=ctx.locale,
            status="draft",
            locked=False,
            answers=answers,
            feedback=[],
            created_at=ctx.now,
            updated_at=ctx.now,
        )
        ctx.db.add(ad)
    await ctx.db.flush()
    preview(ctx, ad)
    return None


async def save_feedback(ctx: Context, data: dict[str, Any]) -> str | None:
    ad = await own_ad(ctx, int(data["ad"]))
    if ad is None:
        return None
    if ad.status != "posted":
        return ctx.t(NOT_POSTED, id=ad.id)
    ad.feedback = [*ad.feedback, str(data["note"])]
    ad.updated_at = ctx.now
    edits = await refresh_posts(ctx.db, ad, bot=ctx.bot, settings=ctx.settings, out=ctx.outgoing)
    done = N_("Added. The post in the channel shows it now.") if edits else N_("Added.")
    ctx.reply(ctx.t(done), buttons=_after_post(ctx.t, ad))
    return None


async def save_rejection(ctx: Context, data: dict[str, Any]) -> str | None:
    ad = await ctx.db.get(Ad, int(data["ad"]))
    if ad is None or ad.bot != ctx.bot.name or ad.status != "pending":
        return ctx.t(N_("That ad is not waiting for a decision any more."))
    ad.status = "rejected"
    ad.reject_reason = str(data["reason"])
    ad.updated_at = ctx.now
    t = _author_t(ad)
    ctx.send(
        Address(ad.bot, ad.author_chat),
        t(N_("Your ad #{id} was not accepted: {reason}"), id=ad.id, reason=ad.reject_reason),
        buttons=[
            [
                AdAct(ad=ad.id, act="edit").button(t(N_("Edit a field"))),
                AdAct(ad=ad.id, act="discard").button(t(N_("Discard"))),
            ]
        ],
    )
    return ctx.t(N_("Rejected; the author is told why."))


def _author_t(ad: Ad) -> Translator:
    """The author's language, for what they are told of their ad by somebody else's act."""
    return translator(ad.language)


def build_router(phone_regions: tuple[str, ...]) -> Router:
    router = Router()
    router.roles(roles_lookup)
    ad_flow = Flow(name="ad", steps=steps(phone_regions), on_complete=save_ad, confirm=False)
    router.flow(ad_flow)
    feedback_flow = Flow(
        name="feedback",
        steps=[
            Text(
                "note",
                prompt=N_("What is new? (3 to 200 characters, such as “Price lowered to 12 000”.)"),
                label=N_("Update"),
                min_length=3,
                max_length=200,
            )
        ],
        on_complete=save_feedback,
        confirm=False,
    )
    router.flow(feedback_flow)

    @router.button(AddFeedback)
    async def add_feedback(ctx: Context, payload: AddFeedback) -> None:
        ad = await own_ad(ctx, payload.ad)
        if ad is None:
            return
        if ad.status != "posted":
            ctx.reply(ctx.t(NOT_POSTED, id=ad.id))
            return
        await feedback_flow.start(ctx, ad=ad.id)

    reject_flow = Flow(
        name="reject",
        steps=[
            Text(
                "reason",
                prompt=N_("Why is it rejected? The author gets these words."),
                label=N_("Reason"),
                min_length=3,
                max_length=300,
            )
        ],
        on_complete=save_rejection,
        confirm=False,
    )
    router.flow(
        reject_flow,
        button=Reject,
        roles={"moderator"},
        refusal=N_("Only moderators decide on ads."),
    )

    @router.command("start", words={"menu", "меню"})
    async def start(ctx: Context) -> None:
        kinds = list(
            await ctx.db.scalars(
                select(AdKind)
                .where(AdKind.bot == ctx.bot.name)
                .order_by(AdKind.position, AdKind.id)
            )
        )
        if not kinds:
            ctx.reply(ctx.t(N_("This bot takes no ads yet: its operator has not set up any kind.")))
            return
        ctx.reply(
            ctx.t(N_("Hello! What would you like to place?")),
            buttons=[NewAd(kind=k.id).button(k.title) for k in kinds],
        )

    admin_only = N_("Only the bot's administrators can do that.")

    @router.command("ad", roles={"admin"}, refusal=admin_only)
    async def announcement(ctx: Context) -> None:
        """An announcement of the bot's own: a title and a text, then the same preview."""
        await ad_flow.start(
            ctx,
            kind=ANNOUNCEMENT,
            kind_title=channel_translator(ctx.bot, ctx.settings)(N_("Announcement")),
            stages=["title", "description"],
        )

    @router.command("donate", roles={"admin"}, refusal=admin_only)
    async def donate(ctx: Context) -> None:
        """A Telegram Stars invoice in the channel; elsewhere the `donate_url` of the options."""
        t = channel_translator(ctx.bot, ctx.settings)
        channel = channel_of(ctx.bot)
        stars = int(ctx.bot.options.get("donate_stars", 50))
        if ctx.bot.channel == "telegram" and channel != BOARD:
            invoice = {
                "title": t(N_("Support the channel")),
                "description": t(N_("Thank you for keeping the ads free for everyone.")),
                "payload": f"donate:{ctx.bot.name}",
                "currency": "XTR",
                "amount": stars,
            }
            ctx.send(Address(ctx.bot.name, channel), "", meta={"invoice": invoice})
            ctx.reply(ctx.t(N_("The invoice for {stars} stars is posted."), stars=stars))
            return
        url = ctx.bot.options.get("donate_url")
        if not url:
            ctx.reply(ctx.t(N_("Set `donate_url` in the bot's options to take donations here.")))
            return
        ctx.reply(ctx.t(N_("Support the channel: {url}"), url=url))

    @router.button(NewAd)
    async def new_ad(ctx: Context, payload: NewAd) -> None:
        kind = await ctx.db.get(AdKind, payload.kind)
        if kind is None or kind.bot != ctx.bot.name:
            ctx.reply(ctx.t(N_("That kind of ad is not taken any more.")))
            return
        await ad_flow.start(ctx, kind=kind.code, kind_title=kind.title, stages=list(kind.stages))

    @router.button(AdAct)
    async def act(ctx: Context, payload: AdAct) -> None:
        ad = await own_ad(ctx, payload.ad)
        if ad is None:
            return
        if payload.act == "post":
            await _post(ctx, ad)
        elif payload.act == "edit":
            await _offer_fields(ctx, ad)
        elif payload.act == "discard":
            await _discard(ctx, ad)
        elif payload.act == "sold":
            await _sold(ctx, ad)
        elif payload.act == "repost":
            await _repost(ctx, ad)
        else:
            await _leave(ctx, ad)

    @router.button(EditField)
    async def edit_field(ctx: Context, payload: EditField) -> None:
        ad = await own_ad(ctx, payload.ad)
        if ad is None:
            return
        if ad.status not in EDITABLE:
            ctx.reply(ctx.t(N_("Ad #{id} is already posted; it keeps its text."), id=ad.id))
            return
        kind = await ctx.db.scalar(
            select(AdKind).where(AdKind.bot == ad.bot, AdKind.code == ad.kind)
        )
        stages = list(kind.stages) if kind else [s for s in STAGES if s in ad.answers]
        if payload.stage not in stages:
            ctx.reply(ctx.t(N_("This kind of ad has no such field.")))
            return
        kept = {k: v for k, v in ad.answers.items() if k != payload.stage and k in stages}
        await ad_flow.start(
            ctx,
            ad_id=ad.id,
            editing=payload.stage,
            kind=ad.kind,
            kind_title=ad.kind_title,
            stages=stages,
            **kept,
        )

    @router.button(Approve, roles={"moderator"}, refusal=N_("Only moderators decide on ads."))
    async def approve(ctx: Context, payload: Approve) -> None:
        ad = await ctx.db.get(Ad, payload.ad)
        if ad is None or ad.bot != ctx.bot.name or ad.status != "pending":
            ctx.reply(ctx.t(N_("That ad is not waiting for a decision any more.")))
            return
        await publish(ctx.db, ad, bot=ctx.bot, settings=ctx.settings, now=ctx.now, out=ctx.outgoing)
        t = _author_t(ad)
        ctx.send(
            Address(ad.bot, ad.author_chat),
            t(N_("Your ad #{id} is approved and posted."), id=ad.id),
            buttons=_after_post(t, ad),
        )
        ctx.reply(ctx.t(N_("Approved and posted.")))

    return router


def _after_post(t: Translator, ad: Ad) -> list[list[Button]]:
    return [
        [
            AddFeedback(ad=ad.id).button(t(N_("Add an update"))),
            AdAct(ad=ad.id, act="sold").button(t(N_("Mark sold"))),
        ]
    ]


async def _post(ctx: Context, ad: Ad) -> None:
    if ad.status != "draft":
        ctx.reply(ctx.t(N_("Ad #{id} is not a draft, so there is nothing to post."), id=ad.id))
        return
    if ctx.bot.options.get("premoderation") and ad.kind != ANNOUNCEMENT:
        ad.status = "pending"
        ad.updated_at = ctx.now
        await _ask_moderators(ctx, ad)
        ctx.reply(
            ctx.t(N_("Thank you! A moderator will look at ad #{id} before it is posted."), id=ad.id)
        )
        return
    await publish(ctx.db, ad, bot=ctx.bot, settings=ctx.settings, now=ctx.now, out=ctx.outgoing)
    ctx.reply(
        ctx.t(N_("Posted! Ad #{id} is in the channel."), id=ad.id), buttons=_after_post(ctx.t, ad)
    )


async def _ask_moderators(ctx: Context, ad: Ad) -> None:
    text, media = render_post(ad, ctx.bot, ctx.settings)
    moderators = [str(m) for m in ctx.bot.options.get("moderators", ())] or [
        str(a) for a in ctx.bot.options.get("admins", ())
    ]
    for chat in moderators:
        to = Address(ctx.bot.name, chat)
        ctx.send(to, text, media=media)
        ctx.send(
            to,
            ctx.t(N_("Ad #{id} waits for your decision."), id=ad.id),
            buttons=[
                [
                    Approve(ad=ad.id).button(ctx.t(N_("Approve"))),
                    Reject(ad=ad.id).button(ctx.t(N_("Reject"))),
                ]
            ],
        )


async def _offer_fields(ctx: Context, ad: Ad) -> None:
    if ad.status not in EDITABLE:
        ctx.reply(ctx.t(N_("Ad #{id} is already posted; it keeps its text."), id=ad.id))
        return
    labels = {step.name: step.label for step in steps(("KG",))}
    shown: list[StageName] = [name for name in STAGE_NAMES if name in ad.answers]
    ctx.reply(
        ctx.t(N_("Which field would you like to change?")),
        buttons=[
            [
                EditField(ad=ad.id, stage=name).button(ctx.t(labels[name]))
                for name in shown[i : i + 2]
            ]
            for i in range(0, len(shown), 2)
        ],
    )


async def _discard(ctx: Context, ad: Ad) -> None:
    if ad.status not in (*EDITABLE, "pending"):
        ctx.reply(ctx.t(N_("Ad #{id} is already posted; mark it sold instead."), id=ad.id))
        return
    ad.status = "discarded"
    ad.locked = True
    ad.updated_at = ctx.now
    ctx.reply(ctx.t(N_("Ad #{id} is discarded; it was never posted."), id=ad.id))


async def _sold(ctx: Context, ad: Ad) -> None:
    if ad.status != "posted":
        ctx.reply(ctx.t(N_("Only a posted ad can be marked sold.")))
        return
    ad.status = "sold"
    ad.locked = True
    ad.remind_at = None
    ad.updated_at = ctx.now
    await refresh_posts(ctx.db, ad, bot=ctx.bot, settings=ctx.settings, out=ctx.outgoing)
    ctx.reply(
        ctx.t(N_("Congratulations! Ad #{id} is marked sold in the channel and closed."), id=ad.id)
    )


async def _repost(ctx: Context, ad: Ad) -> None:
    if ad.status != "posted":
        ctx.reply(ctx.t(N_("Only a posted ad can be posted again.")))
        return
    await publish(ctx.db, ad, bot=ctx.bot, settings=ctx.settings, now=ctx.now, out=ctx.outgoing)
    ctx.reply(
        ctx.t(N_("Posted again! Ad #{id} is at the top of the channel."), id=ad.id),
        buttons=_after_post(ctx.t, ad),
    )


async def _leave(ctx: Context, ad: Ad) -> None:
    if ad.status != "posted":
        ctx.reply(ctx.t(N_("Only a posted ad can be posted again.")))
        return
    ad.remind_at = ctx.now + remind_after(ctx.bot)
    ctx.reply(ctx.t(N_("Fine, ad #{id} stays as it is.")))


async def take_receipt(ctx: Context) -> bool:
    """A post's message ids, back from the channel: kept, so the post can be edited later
    and recognised in the discussion group."""
    receipt = receipt_of(ctx.update)
    if receipt is None:
        return False
    if receipt.tag.startswith(RECEIPT_TAG) and receipt.tag[len(RECEIPT_TAG) :].isdigit():
        post = await ctx.db.get(AdPost, int(receipt.tag[len(RECEIPT_TAG) :]))
        if post is not None and receipt.message_ids and post.message_id is None:
            post.message_ids = list(receipt.message_ids)
            post.message_id = receipt.message_ids[0]
            ad = await ctx.db.get(Ad, post.ad_id)
            if ad is not None and ad.status == "posted":
                link = post_link(ctx.bot, post.chat_id, post.message_id, ctx.settings.public_url)
                await notify_subscribers(
                    ctx.db, ad, now=ctx.now, link=link, rate=ctx.settings.broadcast_rate
                )
    return True


async def answer_forward(ctx: Context) -> bool:
    """A message in a group: the channel post Telegram copied into the linked discussion
    group is answered with the ad's details; anything else in a group is left alone."""
    if ctx.update.chat_type == "private":
        return False
    origin = ctx.update.raw.get("forwarded_from")
    if not isinstance(origin, dict) or not origin.get("automatic"):
        return True
    if str(origin.get("chat_id")) != channel_of(ctx.bot):
        return True
    ad = await _forwarded_ad(ctx, str(origin["chat_id"]), str(origin.get("message_id")))
    if ad is None:
        return True
    message_id = ctx.update.raw.get("message_id")
    ctx.reply(
        details_text(ad, channel_translator(ctx.bot, ctx.settings)),
        meta={"reply_to": str(message_id)} if message_id is not None else None,
    )
    return True


async def _forwarded_ad(ctx: Context, channel: str, message_id: str) -> Ad | None:
    """The ad a forwarded post shows: by the post's message id, or, when the forward arrives
    before the channel's receipt (both race on Telegram), by the #ad tag its text ends with.
    Only the album's first message carries the text, so an album is answered once."""
    post = await ctx.db.scalar(
        select(AdPost).where(AdPost.chat_id == channel, AdPost.message_id == message_id)
    )
    if post is None:
        tag = AD_TAG.search(ctx.update.text or "")
        if tag is None:
            return None
        post = await ctx.db.scalar(
            select(AdPost)
            .where(AdPost.chat_id == channel, AdPost.ad_id == int(tag.group(1)))
            .order_by(AdPost.id.desc())
            .limit(1)
        )
        if post is None:
            return None
    ad = await ctx.db.get(Ad, post.ad_id)
    return ad if ad is not None and ad.bot == ctx.bot.name else None
