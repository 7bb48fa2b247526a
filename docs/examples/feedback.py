"""A complete relaybot app: ask for a rating and a comment, confirm, thank the person."""

from __future__ import annotations

from typing import Any

from relaybot import N_, App, BotConfig, Choice, Context, Flow, FlowView, Invalid, Settings, Step


# --8<-- [start:validator]
def rating(text: str, _view: FlowView) -> int:
    if text.strip() not in {"1", "2", "3", "4", "5"}:
        raise Invalid(N_("Please choose a number from 1 to 5."))
    return int(text)


# --8<-- [end:validator]


async def thank(ctx: Context, data: dict[str, Any]) -> str:
    # A real bot would save `data` through ctx.db here, in the same transaction as the reply.
    return f"Thank you! You rated us {data['rating']} of 5."


# --8<-- [start:flow]
FEEDBACK = Flow(
    name="feedback",
    greeting=N_("Hi! Two questions about your last order."),
    steps=[
        Step(
            "rating",
            prompt=N_("How was it, from 1 to 5?"),
            validate=rating,
            label=N_("Rating"),
            choices=[Choice(str(n), str(n)) for n in range(1, 6)],
        ),
        Step("comment", prompt=N_("Anything we should know?"), label=N_("Comment")),
    ],
    on_complete=thank,
)
# --8<-- [end:flow]


class FeedbackApp(App):
    name = "feedback"
    title = N_("Feedback")
    description = N_("Tell us how we did.")

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)

    async def handle(self, ctx: Context) -> None:
        await FEEDBACK.handle(ctx)
