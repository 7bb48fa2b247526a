"""A refused action changes nothing and is answered the app's way; prompts may be async;
Start again works after the dialog has ended."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from relaybot import N_, App, Context, Flow, FlowView, Payload, Refused, Router, Step
from relaybot.config import BotConfig, Settings
from relaybot.system import build_system
from relaybot.testing import ChatDriver

from .helpers import dialog_of, outcomes


class Again(Payload, prefix="tally.again"):
    pass


async def greet(view: FlowView) -> str:
    """A question that reads the database, as a prompt naming an earlier answer would."""
    assert view.ctx is not None
    state = await view.ctx.storage.load(view.ctx.update.bot, view.ctx.update.chat_id)
    return f"Your name, {view.ctx.update.user_id}? (dialog saved: {state is not None})"


async def thank(ctx: Context, data: dict[str, Any]) -> None:
    ctx.reply(f"Thanks, {data['name']}.", buttons=[Again().button("Again")])


naming = Flow("tally-name", steps=[Step("name", greet)], on_complete=thank, confirm=False)
router = Router(savepoint=True)


@router.roles
async def roles_of(ctx: Context) -> set[str]:
    return {"boss"} if ctx.update.user_id == "boss" else set()


@router.refused
async def refused(ctx: Context, refusal: Refused) -> None:
    ctx.reply("No: " + ctx.t(refusal.message, **refusal.values), buttons=[Again().button("Again")])


@router.command("risky")
async def risky(ctx: Context) -> None:
    await naming.start(ctx)
    ctx.reply("Started, but...")
    raise Refused(N_("Not today, {who}."), who=ctx.update.user_id)


@router.command("boss", roles={"boss"}, refusal=N_("Only the boss."))
async def boss(ctx: Context) -> None:
    ctx.reply("Yes, boss.")


router.flow(naming, command="name", button=Again)


class TallyApp(App):
    name = "tally"
    title = "Tally"

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.router = router


@pytest.fixture
async def tally(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> AsyncIterator[ChatDriver]:
    bot = BotConfig(name="shop", app="tests.flows.test_router_refusals:TallyApp")
    system = await build_system(
        make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
    )
    try:
        yield ChatDriver(system)
    finally:
        await system.close()


async def test_a_refused_action_leaves_the_database_and_the_outbox_as_they_were(
    tally: ChatDriver,
) -> None:
    ann, bob = tally.chat("shop", "ann"), tally.chat("shop", "bob")
    reply = await ann.say("/risky")
    assert [m.text for m in reply] == ["No: Not today, ann."]
    assert ann.buttons() == ["Again"]
    assert await dialog_of(tally.system, "ann") is None

    await bob.say("/name")
    before = await dialog_of(tally.system, "bob")
    await bob.say("/risky")  # would leave the dialog, then start another one
    assert await dialog_of(tally.system, "bob") == before
    assert await outcomes(tally.system) == []  # no "left", no "restarted"
    assert [m.text for m in await bob.say("Bob")] == ["Thanks, Bob."]


async def test_a_missing_role_and_a_stale_button_are_answered_through_the_same_hook(
    tally: ChatDriver,
) -> None:
    ann, boss = tally.chat("shop", "ann"), tally.chat("shop", "boss")
    assert [m.text for m in await ann.say("/boss")] == ["No: Only the boss."]
    assert [m.text for m in await boss.say("/boss")] == ["Yes, boss."]
    stale = await ann.say("", payload="tally.again:forged")
    assert [m.text for m in stale] == ["No: That button is no longer active."]


async def test_an_async_prompt_is_asked_and_a_completion_may_answer_by_itself(
    tally: ChatDriver,
) -> None:
    ann = tally.chat("shop", "ann")
    asked = await ann.say("/name")
    assert [m.text for m in asked] == ["Your name, ann? (dialog saved: False)"]
    done = await ann.say("Ann")
    assert [m.text for m in done] == ["Thanks, Ann."]  # no second, generic message
    again = await ann.press("Again")
    assert [m.text for m in again] == ["Your name, ann? (dialog saved: False)"]


async def test_start_again_pressed_after_a_cancelled_dialog_starts_that_flow_again(
    tally: ChatDriver,
) -> None:
    ann = tally.chat("shop", "ann")
    await ann.say("/name")
    cancelled = await ann.press("Cancel")
    assert ann.buttons() == ["Start again"] and cancelled
    again = await ann.press("Start again")
    assert [m.text for m in again] == ["Your name, ann? (dialog saved: False)"]
    assert (await dialog_of(tally.system, "ann") or ("",))[0] == "tally-name"
