"""Reading a channel's settings from `BotConfig.options`, with errors that name the bot."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from relaybot.config import BotConfig

OptionsT = TypeVar("OptionsT", bound="ChannelOptions")


class ChannelOptions(BaseModel):
    """Base of each channel's options. Other keys in `options` belong to the app: ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def read_options(bot: BotConfig, cls: type[OptionsT]) -> OptionsT:
    try:
        return cls.model_validate(bot.options)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"bot {bot.name!r}: invalid options: {problems}") from None


def require_token(bot: BotConfig) -> str:
    if bot.token is None or not bot.token.get_secret_value():
        raise ValueError(f"bot {bot.name!r}: channel {bot.channel!r} needs a token")
    return bot.token.get_secret_value()
