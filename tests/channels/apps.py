"""A small channel-neutral app that exercises what the adapters must carry both ways."""

from __future__ import annotations

from typing import Any

from relaybot import BotConfig, Flow, Photo, Router, Settings
from relaybot.core.app import App, Context
from relaybot.core.types import Attachment, Button

LONG_TEXT = "\n\n".join(f"Paragraph {n}:" + " water" * 150 for n in range(1, 11))
LONG_PAYLOAD = "choose:" + "x" * 120 + ":end"


class ShowcaseApp(App):
    name = "showcase"
    title = "Showcase"

    async def handle(self, ctx: Context) -> None:
        upd = ctx.update
        if upd.kind == "button":
            ctx.reply(f"pressed {upd.text}: {upd.payload}")
        elif upd.attachments:
            shown = ", ".join(f"{a.kind} {a.ref} ({a.caption or ''})" for a in upd.attachments)
            ctx.reply(f"got {shown}")
        elif upd.text == "/long":
            ctx.reply(LONG_TEXT, buttons=[Button("Done", "done")])
        elif upd.text == "/bigbutton":
            ctx.reply(
                "Pick one", buttons=[[Button("Long one", LONG_PAYLOAD), Button("Short", "s")]]
            )
        elif upd.text == "/album":
            photos = [Attachment("photo", f"photo-{n}") for n in range(1, 4)]
            ctx.reply("Three bottles, three photos", media=photos)
        elif upd.text == "/photo":
            ctx.reply(
                "A bottle", media=[Attachment("photo", "photo-1")], buttons=[Button("Ok", "ok")]
            )
        elif upd.text.startswith("/many"):
            for n in range(int(upd.text.split()[1])):
                ctx.reply(f"message {n + 1}")
        else:
            ctx.reply(f"you said: {upd.text}")


async def _photo_back(ctx: Context, data: dict[str, Any]) -> None:
    ctx.reply("Here is your photo back.", media=[Attachment("photo", str(data["photo"]))])


class PhotoBackApp(App):
    """A dialog of one Photo step that shows the photo it took back to the sender."""

    name = "photoback"
    title = "Photo back"

    def __init__(self, bot: BotConfig, settings: Settings) -> None:
        super().__init__(bot, settings)
        self.router = Router()
        self.router.flow(
            Flow(
                "photo",
                steps=[Photo("photo", prompt="Send me a photo, please.")],
                on_complete=_photo_back,
                confirm=False,
            ),
            fallback=True,
        )
