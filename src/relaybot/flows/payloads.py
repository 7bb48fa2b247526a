"""Typed button payloads: a prefix and typed fields, packed into Telegram's 64 bytes.

A payload class is checked when it is declared: every field has a type the packer knows and a
bounded size, and the worst case fits the limit, so a button never fails when it is shown.
Unpacking trusts nothing: a payload that is stale, forged or of another class raises
`StalePayload` and never reaches a handler.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    Self,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

from relaybot.core.types import Button

PAYLOAD_LIMIT = 64  # bytes: Telegram's callback_data limit, the smallest of the channels
SEPARATOR = ":"
_ESCAPE = "\\"
_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_RESERVED = frozenset({"flow", "choice", "call"})  # the engine's buttons, call results
_INT_WIDTH = len(str(-(2**63)))  # a 64-bit integer, sign included
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_BYTES_PER_CHAR = 4  # the longest UTF-8 character; an escaped separator takes two


class StalePayload(ValueError):
    """A button payload that no current button could have produced."""


@dataclass(frozen=True)
class MaxLen:
    """The most characters a `str` field may hold: `Annotated[str, MaxLen(12)]`.

    Against the 64-byte limit each character counts as four bytes, the longest UTF-8 takes.
    """

    length: int

    def __post_init__(self) -> None:
        if self.length < 1:
            raise ValueError(f"MaxLen must be at least 1, not {self.length}")


@dataclass(frozen=True)
class _Codec:
    """How one field turns into text and back, and the most bytes it may take."""

    name: str
    width: int
    encode: Callable[[Any], str]
    decode: Callable[[str], Any]
    check: Callable[[Any], None]


def _int_codec(name: str) -> _Codec:
    def decode(raw: str) -> int:
        if not re.fullmatch(r"-?[0-9]{1,19}", raw):
            raise StalePayload(f"field {name!r} is not a whole number")
        value = int(raw)
        check(value)
        return value

    def check(value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise StalePayload(f"field {name!r} must be an int, not {type(value).__name__}")
        if not _INT_MIN <= value <= _INT_MAX:
            raise StalePayload(f"field {name!r} is outside the 64-bit range")

    return _Codec(name, _INT_WIDTH, str, decode, check)


def _bool_codec(name: str) -> _Codec:
    def decode(raw: str) -> bool:
        if raw not in ("0", "1"):
            raise StalePayload(f"field {name!r} is not a yes/no flag")
        return raw == "1"

    def check(value: Any) -> None:
        if not isinstance(value, bool):
            raise StalePayload(f"field {name!r} must be a bool, not {type(value).__name__}")

    return _Codec(name, 1, lambda value: "1" if value else "0", decode, check)


def _escape(text: str) -> str:
    return text.replace(_ESCAPE, _ESCAPE * 2).replace(SEPARATOR, _ESCAPE + SEPARATOR)


def _str_codec(name: str, limit: MaxLen) -> _Codec:
    def decode(raw: str) -> str:
        check(raw)
        return raw

    def check(value: Any) -> None:
        if not isinstance(value, str):
            raise StalePayload(f"field {name!r} must be a str, not {type(value).__name__}")
        if len(value) > limit.length:
            raise StalePayload(f"field {name!r} is longer than {limit.length} characters")

    return _Codec(name, limit.length * _BYTES_PER_CHAR, _escape, decode, check)


def _choice_codec(name: str, values: Mapping[str, Any]) -> _Codec:
    """An enum or a Literal: packed as the text of its value, only known values come back."""

    def text_of(value: Any) -> str | None:
        for text, known in values.items():
            if type(known) is type(value) and known == value:
                return text
        return None

    def decode(raw: str) -> Any:
        if raw not in values:
            raise StalePayload(f"field {name!r} has no choice {raw!r}")
        return values[raw]

    def encode(value: Any) -> str:
        return _escape(text_of(value) or "")

    def check(value: Any) -> None:
        if text_of(value) is None:
            allowed = ", ".join(repr(v) for v in values.values())
            raise StalePayload(f"field {name!r} must be one of {allowed}, not {value!r}")

    width = max(len(_escape(text).encode()) for text in values)
    return _Codec(name, width, encode, decode, check)


def _codec(owner: str, name: str, hint: Any) -> _Codec:
    where = f"payload {owner}, field {name!r}"
    limit: MaxLen | None = None
    if get_origin(hint) is Annotated:
        hint, *extras = get_args(hint)
        limit = next((extra for extra in extras if isinstance(extra, MaxLen)), None)
    if hint is bool:
        return _bool_codec(name)
    if hint is int:
        return _int_codec(name)
    if hint is str:
        if limit is None:
            raise TypeError(f"{where}: a str needs a maximum length, Annotated[str, MaxLen(n)]")
        return _str_codec(name, limit)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = {str(member.value): member for member in hint}
        if len(members) != len(hint) or not members:
            raise TypeError(f"{where}: the values of {hint.__name__} must differ as text")
        return _choice_codec(name, members)
    if get_origin(hint) is Literal:
        options = {str(option): option for option in get_args(hint)}
        if len(options) != len(get_args(hint)):
            raise TypeError(f"{where}: the Literal values must differ as text")
        return _choice_codec(name, options)
    raise TypeError(f"{where}: {hint!r} cannot be packed; use int, bool, str, an Enum or Literal")


_registry: dict[str, str] = {}  # prefix -> "module.QualName" of the class that owns it


@dataclass_transform(frozen_default=True, kw_only_default=True)
class Payload:
    """The base of typed payloads: `class Product(Payload, prefix="product"): id: int`.

    Instances are frozen dataclasses with keyword-only fields; `pack()` gives the text a
    button carries and `unpack(text)` reads it back, raising `StalePayload` for anything else.
    """

    prefix: ClassVar[str]
    _codecs: ClassVar[tuple[_Codec, ...]] = ()

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        owner = f"{cls.__module__}.{cls.__qualname__}"
        if not _PREFIX.match(prefix) or prefix in _RESERVED:
            raise TypeError(
                f"payload {cls.__name__}: prefix {prefix!r} must be 1-32 letters, digits, "
                f"'_', '.' or '-', and not one of {sorted(_RESERVED)}"
            )
        if _registry.get(prefix, owner) != owner:
            raise TypeError(
                f"payload {cls.__name__}: prefix {prefix!r} is already used by {_registry[prefix]}"
            )
        try:
            hints = get_type_hints(cls, include_extras=True)
        except NameError as exc:
            raise TypeError(f"payload {cls.__name__}: cannot read its fields ({exc})") from exc
        fields = [name for name, hint in hints.items() if get_origin(hint) is not ClassVar]
        codecs = tuple(_codec(cls.__name__, name, hints[name]) for name in fields)
        size = len(prefix) + sum(len(SEPARATOR) + codec.width for codec in codecs)
        if size > PAYLOAD_LIMIT:
            widest = max(codecs, key=lambda codec: codec.width)
            raise TypeError(
                f"payload {cls.__name__} may pack to {size} bytes, more than "
                f"{PAYLOAD_LIMIT}; its widest field is {widest.name!r} ({widest.width} bytes)"
            )
        cls.prefix = prefix
        cls._codecs = codecs
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)
        _registry[prefix] = owner

    def __post_init__(self) -> None:
        for codec in self._codecs:
            try:
                codec.check(getattr(self, codec.name))
            except StalePayload as exc:
                raise ValueError(f"{type(self).__name__}: {exc}") from None

    def pack(self) -> str:
        """The text a button carries: the prefix, then each field, separated by ':'."""
        parts = [self.prefix, *(c.encode(getattr(self, c.name)) for c in self._codecs)]
        return SEPARATOR.join(parts)

    def button(self, label: str) -> Button:
        """A button labelled `label` (already translated) that brings this payload back."""
        return Button(label, self.pack())

    @classmethod
    def matches(cls, data: str) -> bool:
        """Whether `data` claims to be of this class (its prefix), valid or not."""
        return data == cls.prefix or data.startswith(cls.prefix + SEPARATOR)

    @classmethod
    def unpack(cls, data: str) -> Self:
        """Read a payload back; anything this class could not have packed is `StalePayload`."""
        name = cls.__name__
        if not isinstance(data, str) or len(data.encode()) > PAYLOAD_LIMIT:
            raise StalePayload(f"{name}: not a payload of at most {PAYLOAD_LIMIT} bytes")
        if not cls.matches(data):
            raise StalePayload(f"{name}: the payload does not start with {cls.prefix!r}")
        parts = _split(data[len(cls.prefix) + len(SEPARATOR) :]) if data != cls.prefix else []
        if len(parts) != len(cls._codecs):
            raise StalePayload(f"{name}: {len(parts)} fields instead of {len(cls._codecs)}")
        try:
            values = {c.name: c.decode(raw) for c, raw in zip(cls._codecs, parts, strict=True)}
        except StalePayload as exc:
            raise StalePayload(f"{name}: {exc}") from None
        return cls(**values)

    def as_data(self) -> dict[str, Any]:
        """The fields as plain JSON values (an enum member as its value): a flow's seed data."""
        values = {codec.name: getattr(self, codec.name) for codec in self._codecs}
        return {k: v.value if isinstance(v, enum.Enum) else v for k, v in values.items()}


def _split(text: str) -> list[str]:
    """Split on unescaped separators; a dangling escape is not something we packed."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == _ESCAPE:
            escaped = next(chars, None)
            if escaped not in (_ESCAPE, SEPARATOR):
                raise StalePayload("a payload field has a broken escape")
            current.append(escaped)
        elif char == SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts
