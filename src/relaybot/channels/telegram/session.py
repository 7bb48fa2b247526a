"""aiogram's aiohttp session, sending JSON bodies and reading answers with msgspec.

Every reply relaybot sends passes through here, and profiling the order dialog showed
aiogram's default path spending more time around the HTTP call than in it: each call builds
a form with every field JSON-encoded on its own, and each answer is validated through
`Response[T]`, a generic pydantic model looked up anew per call. The Bot API takes
`application/json` bodies just as well, so this session encodes the prepared parameters once
with msgspec and validates only the answer's `result` against a type adapter kept per
method type. Uploads (an `InputFile` among the parameters) and every error answer take
aiogram's own path, so exceptions and their fields are exactly aiogram's.

`deliver` is the outbox's way in: it wants to know that a message went, not the `Message`
Telegram made of it, so it skips validating the answer, and a `sendMessage` (nearly every
reply) is serialised by pydantic in one call instead of aiogram's field-by-field walk, which
gives the same body for it.
"""

from __future__ import annotations

import functools
import ssl
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

import certifi
import msgspec
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout, TCPConnector
from pydantic import TypeAdapter, ValidationError

if TYPE_CHECKING:
    from aiogram import Bot

_JSON_HEADERS = {"Content-Type": "application/json"}
# aiogram's `Default(...)` fields resolve to nothing when the bot has no default properties,
# which is what pydantic's `exclude_defaults` gives without resolving them one by one.
_NO_DEFAULTS = DefaultBotProperties()
_decode = msgspec.json.Decoder()
_encode = msgspec.json.Encoder()


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """One TLS context (certifi's roots) for every bot's session. aiogram makes one per
    session, and loading the roots costs some 0.1 s and a few hundred kB each: with hundreds
    of bots in one process that was most of what an idle bot cost."""
    return ssl.create_default_context(cafile=certifi.where())


class JsonAiohttpSession(AiohttpSession):
    """A drop-in `AiohttpSession`: same API server, timeouts, errors and return types."""

    _adapters: dict[Any, TypeAdapter[Any]] = {}  # noqa: RUF012 - shared cache by design

    def __init__(self, *, limit: int = 100, **kwargs: Any) -> None:
        # AiohttpSession.__init__ without its own TLS context; the rest is as it sets it.
        BaseSession.__init__(self, **kwargs)
        self._session = None
        self._connector_type = TCPConnector
        self._connector_init = {
            "ssl": shared_tls_context(),
            "limit": limit,
            "ttl_dns_cache": 3600,
        }
        self._should_reset_connector = True
        self._proxy = None

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        params = self._params(bot, method)
        if params is None:  # an upload needs multipart: aiogram's own form path does it
            return await super().make_request(bot, method, timeout=timeout)
        status, raw, answer = await self._post(bot, method, params, timeout)
        if _succeeded(status, answer):
            try:
                result = self._adapter(method.__returning__).validate_python(
                    answer["result"], context={"bot": bot}
                )
            except ValidationError as exc:
                raise ClientDecodeError("Failed to deserialize object", exc, answer) from exc
            return cast(TelegramType, result)
        return cast(TelegramType, self._failed(bot, method, status, raw))

    async def deliver(self, bot: Bot, method: TelegramMethod[Any]) -> list[int]:
        """Make the call and raise aiogram's error if it failed; of the answer only the ids
        of the messages it made are read (none for a call that makes no message)."""
        if type(method) is SendMessage and bot.default == _NO_DEFAULTS:
            params: dict[str, Any] | None = method.model_dump(
                mode="json", exclude_none=True, exclude_defaults=True
            )
        else:
            params = self._params(bot, method)
        if params is None:
            made = await super().make_request(bot, method)
            return _message_ids(made if isinstance(made, list) else [made])
        status, raw, answer = await self._post(bot, method, params, None)
        if not _succeeded(status, answer):
            self._failed(bot, method, status, raw)
        result = answer["result"]
        return _message_ids(result if isinstance(result, list) else [result])

    def _params(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any] | None:
        """The call's parameters as JSON values; None when a file makes it an upload."""
        files: dict[str, Any] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":
                params[key] = prepared
        return None if files else params

    async def _post(
        self, bot: Bot, method: TelegramMethod[Any], params: dict[str, Any], timeout: int | None
    ) -> tuple[int, bytes, Any]:
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=_encode.encode(params),
                headers=_JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw = await resp.read()
                status = resp.status
        except TimeoutError as exc:
            raise TelegramNetworkError(method=method, message="Request timeout error") from exc
        except ClientError as exc:
            raise TelegramNetworkError(
                method=method, message=f"{type(exc).__name__}: {exc}"
            ) from exc
        try:
            answer = _decode.decode(raw)
        except msgspec.DecodeError:
            answer = None
        return status, raw, answer

    def _failed(self, bot: Bot, method: TelegramMethod[Any], status: int, raw: bytes) -> Any:
        """Errors, and anything unexpected, are classified by aiogram itself."""
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=raw.decode(errors="replace")
        )
        return response.result

    @classmethod
    def _adapter(cls, returning: Any) -> TypeAdapter[Any]:
        adapter = cls._adapters.get(returning)
        if adapter is None:
            adapter = cls._adapters[returning] = TypeAdapter(returning)
        return adapter


def _succeeded(status: int, answer: Any) -> bool:
    return (
        HTTPStatus.OK <= status <= HTTPStatus.IM_USED
        and isinstance(answer, dict)
        and answer.get("ok") is True
        and "result" in answer
    )


def _message_ids(results: list[Any]) -> list[int]:
    """`message_id` of each Message in an answer (a dict on the JSON path, a model otherwise)."""
    found: list[int] = []
    for item in results:
        if isinstance(item, dict):
            value = item.get("message_id")
        else:
            value = getattr(item, "message_id", None)
        if isinstance(value, int):
            found.append(value)
    return found
