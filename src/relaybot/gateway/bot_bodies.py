"""The bodies `POST /api/bots` takes: one shape per channel, so the OpenAPI document says what
each channel needs (a web chat bot has no token; a Mattermost bot needs its server's address,
its token and its slash command's token) and any body the document allows is one relaybot
takes. Which apps may be named is the process's own list, so the document lists those too.

The shapes are built when the router is, from the bundled apps and `api_apps`, and parsed here
rather than by FastAPI: a field error then names the field (`["body", "token"]`), not the union
member it was checked against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    SecretStr,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic.fields import FieldInfo

from relaybot.channels.chat2desk.options import Chat2DeskOptions
from relaybot.channels.mattermost.options import MattermostOptions
from relaybot.channels.options import ChannelOptions
from relaybot.channels.telegram.options import TelegramOptions
from relaybot.core.bots import BOT_NAME_PATTERN
from relaybot.core.strict import JsonInt

PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
DNS_NAME = r"([A-Za-z0-9-]+\.)*[A-Za-z0-9-]*[A-Za-z-][A-Za-z0-9-]*"  # its last label not a number
HTTP_URL = rf"^https?://({DNS_NAME}|{OCTET}(\.{OCTET}){{3}})(:{PORT})?(/[!-~]*)?$"
"""A channel's API address: http(s), a host name or IPv4 address, a port, a path of printable
ASCII (percent-encode the rest); every address it allows is one the HTTP client takes."""
TELEGRAM_TOKEN = r"^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$"
WEBHOOK_SECRET = r"^[A-Za-z0-9_-]{1,256}$"
MAX_OPTIONS = 100

CHANNEL_OPTIONS: dict[str, type[ChannelOptions] | None] = {
    "webchat": None,
    "telegram": TelegramOptions,
    "mattermost": MattermostOptions,
    "chat2desk": Chat2DeskOptions,
}

Title = Annotated[str | None, Field(min_length=1, max_length=200)]
HEADER_SAFE = r"^[!-~]+$"
"""Printable ASCII without spaces: what an HTTP header carries as a token."""
Token = Annotated[str, Field(min_length=1, max_length=4096, pattern=HEADER_SAFE)]
Secret = Annotated[str, Field(min_length=1, max_length=256, pattern=HEADER_SAFE)]
ApiBase = Annotated[
    str, Field(min_length=1, max_length=500, pattern=HTTP_URL, description="An http(s) URL.")
]
Mode = Literal["webhook", "polling"]


class _OptionsBase(BaseModel):
    """A channel's own options, typed as the channel reads them; other keys belong to the app."""

    model_config = ConfigDict(
        extra="allow", strict=True, json_schema_extra={"maxProperties": MAX_OPTIONS}
    )
    __pydantic_extra__: dict[str, JsonValue] = Field(init=False)

    @model_validator(mode="after")
    def _not_too_many(self) -> _OptionsBase:
        if len(self.model_fields_set | set(self.__pydantic_extra__ or {})) > MAX_OPTIONS:
            raise ValueError(f"at most {MAX_OPTIONS} options")
        return self


def _as_given(info: FieldInfo) -> tuple[Any, FieldInfo]:
    """The field as a body gives it: a secret is a plain string on the way in."""
    annotation: Any = info.annotation
    if annotation is not None and SecretStr in getattr(annotation, "__args__", (annotation,)):
        annotation = str | None
    elif annotation is int:
        annotation = JsonInt  # 3.0 is the integer 3 to JSON Schema
    copied = FieldInfo.merge_field_infos(info)
    return annotation, copied


def options_model(channel: str | None) -> type[_OptionsBase]:
    """The options a bot of `channel` takes; None: any bot's, checked later by its channel."""
    source = CHANNEL_OPTIONS[channel] if channel is not None else None
    fields: dict[str, Any] = (
        {} if source is None else {n: _as_given(f) for n, f in source.model_fields.items()}
    )
    named = f"{channel.capitalize()}Options" if channel is not None else "BotOptions"
    return create_model(
        named,
        __base__=_OptionsBase,
        __doc__=f"Options of a {channel or ''} bot; keys the channel does not read go to the app.",
        **fields,
    )


def _variant(
    channel: str, apps: Any, extra: dict[str, Any], doc: str, *, default: bool = False
) -> type[BaseModel]:
    channel_type: Any = Literal[channel]
    options = options_model(channel)
    return create_model(
        f"New{channel.capitalize()}Bot",
        __config__=ConfigDict(extra="forbid", strict=True),
        __doc__=doc,
        name=(str, Field(pattern=BOT_NAME_PATTERN, description="Part of the webhook URL.")),
        app=(apps, Field(description="A bundled app, or one this process lets REST name.")),
        channel=(channel_type, channel) if default else (channel_type, ...),
        title=(Title, None),
        options=(options, Field(default_factory=options)),
        enabled=(bool, True),
        **extra,
    )


def _channel_of(body: Any) -> str | None:
    """The member a body is checked against: its channel, the web chat when it names none."""
    if isinstance(body, BaseModel):
        return getattr(body, "channel", None)
    if not isinstance(body, dict):
        return "webchat"  # then refused as "not an object", which is what is wrong with it
    channel = body.get("channel", "webchat")
    return channel if isinstance(channel, str) and channel in CHANNEL_OPTIONS else None


@dataclass(frozen=True)
class BotBodies:
    """The parser and the published schema of a new bot, for one process's apps."""

    apps: tuple[str, ...]
    new_bot: TypeAdapter[Any]

    def schema(self) -> dict[str, Any]:
        """The request body's JSON Schema with its members inline (no outside `$ref`)."""
        return _inline(self.new_bot.json_schema())

    def parse(self, raw: object) -> dict[str, Any]:
        """The body as the bot manager takes it, or FastAPI's 422 naming the field."""
        try:
            body: BaseModel = self.new_bot.validate_python(raw)
        except ValidationError as exc:
            raise RequestValidationError(_field_errors(exc)) from None
        fields = body.model_dump()
        fields["options"] = body.options.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        return fields


def bot_bodies(apps: Sequence[str]) -> BotBodies:
    named: Any = Literal[tuple(apps)]
    members = {
        "webchat": _variant(
            "webchat", named, {}, "A web chat bot: no token, no webhook.", default=True
        ),
        "telegram": _variant(
            "telegram",
            named,
            {
                "token": (
                    str,
                    Field(
                        min_length=1,
                        max_length=4096,
                        pattern=TELEGRAM_TOKEN,
                        description="From @BotFather.",
                    ),
                ),
                "webhook_secret": (
                    str | None,
                    Field(
                        default=None,
                        min_length=1,
                        max_length=256,
                        pattern=WEBHOOK_SECRET,
                        description="Webhook mode: generated when not given.",
                    ),
                ),
                "mode": (Mode, "webhook"),
                "api_base": (ApiBase | None, None),
            },
            "A Telegram bot: the token @BotFather gave; webhook or polling.",
        ),
        "mattermost": _variant(
            "mattermost",
            named,
            {
                "token": (Token, Field(description="The bot account's access token.")),
                "webhook_secret": (Secret, Field(description="The slash command's token.")),
                "api_base": (ApiBase, Field(description="The Mattermost server's URL.")),
            },
            "A Mattermost bot account behind a slash command.",
        ),
        "chat2desk": _variant(
            "chat2desk",
            named,
            {
                "token": (Token, Field(description="The Chat2Desk API token.")),
                "webhook_secret": (Secret, Field(description="The secret of its webhook.")),
                "api_base": (ApiBase | None, None),
            },
            "A Chat2Desk channel's bot.",
        ),
    }
    tagged = tuple(Annotated[model, Tag(channel)] for channel, model in members.items())
    union: Any = Annotated[
        Union[tagged],  # noqa: UP007 - a union of members built at run time
        Discriminator(
            _channel_of,
            custom_error_type="channel",
            custom_error_message="channel: one of webchat, telegram, mattermost, chat2desk",
        ),
    ]
    return BotBodies(tuple(apps), TypeAdapter(union))


NO_CHANNEL_API = "a web chat bot has no token, webhook secret, API address or mode"
CLEARER: dict[tuple[str, str, str], str] = {
    # (channel, field, pydantic's error type): what to do about it, in the words of the channel
    **{
        ("webchat", field, "extra_forbidden"): NO_CHANNEL_API
        for field in ("token", "webhook_secret", "api_base", "mode")
    },
    ("telegram", "token", "missing"): "a Telegram bot needs the token @BotFather gave",
    ("telegram", "token", "string_pattern_mismatch"): (
        "not a Telegram token: it looks like 123456789:AAH4... (the bot's id, a colon, then 20 "
        "or more letters, digits, _ or -)"
    ),
    ("telegram", "webhook_secret", "string_pattern_mismatch"): (
        "1-256 characters of A-Z a-z 0-9 _ -"
    ),
    ("mattermost", "token", "missing"): "a Mattermost bot needs its bot account's access token",
    ("mattermost", "api_base", "missing"): "set it to your Mattermost server's URL",
    ("mattermost", "webhook_secret", "missing"): (
        "set it to the slash command's token from Mattermost"
    ),
    ("chat2desk", "token", "missing"): "a Chat2Desk bot needs its API token",
    ("chat2desk", "webhook_secret", "missing"): "a Chat2Desk bot needs the secret of its webhook",
}


def _field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors, located in the body by field: the union member's tag dropped."""
    errors = []
    for error in exc.errors():
        loc = [str(part) if isinstance(part, str) else part for part in error.get("loc", ())]
        kind, message = str(error.get("type", "")), str(error.get("msg", ""))
        if kind == "channel":
            loc = ["channel"]
        elif kind == "model_type" and len(loc) <= 1:
            loc, message = [], "the body is a JSON object of the bot's fields"
        elif loc and loc[0] in CHANNEL_OPTIONS:
            channel, loc = str(loc[0]), loc[1:]
            message = CLEARER.get((channel, ".".join(map(str, loc)), kind), message)
        if loc[:1] == ["app"] and kind == "literal_error":
            known = message.removeprefix("Input should be ")
            message = f"unknown app {str(error.get('input'))[:100]!r}: use one of {known}"
        errors.append({"loc": ["body", *loc], "msg": message, "type": kind})
    return errors


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    inlined: dict[str, Any] = resolve(schema)
    return inlined


async def parsed_body(request: Request, bodies: BotBodies) -> dict[str, Any]:
    """The request's JSON as a new bot (the body layers have refused what is not JSON)."""
    try:
        raw = await request.json()
    except ValueError:
        raise RequestValidationError(
            [{"loc": ["body"], "msg": "the body is not JSON", "type": "json_invalid"}]
        ) from None
    return bodies.parse(raw)
