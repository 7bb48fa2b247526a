"""Hypothesis strategies for hostile input: any JSON, broken JSON, deep and huge bodies,
and updates shaped like Telegram's with the types sometimes wrong."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

MIB = 1024 * 1024
finite = st.floats(allow_nan=False, allow_infinity=False)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | finite
    | st.text(max_size=300)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=20), children, max_size=6)
    ),
    max_leaves=30,
)


def maybe_wrong(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right type, sometimes anything at all."""
    return st.one_of(good, good, good, json_values)


telegram_user = st.fixed_dictionaries(
    {
        "id": maybe_wrong(st.integers(min_value=-(2**53), max_value=2**53)),
        "is_bot": maybe_wrong(st.booleans()),
        "first_name": maybe_wrong(st.text(max_size=80)),
    },
    optional={
        "username": maybe_wrong(st.text(max_size=40)),
        "language_code": maybe_wrong(st.sampled_from(["ru", "en", "kk", "", "x" * 50])),
    },
)
telegram_chat = st.fixed_dictionaries(
    {
        "id": maybe_wrong(st.integers(min_value=-(2**53), max_value=2**53)),
        "type": maybe_wrong(st.sampled_from(["private", "group", "supergroup", "channel", "?"])),
    }
)
telegram_message = st.fixed_dictionaries(
    {
        "message_id": maybe_wrong(st.integers(min_value=-(2**31), max_value=2**31)),
        "date": maybe_wrong(st.integers(min_value=0, max_value=2**33)),
        "chat": maybe_wrong(telegram_chat),
    },
    optional={
        "from": maybe_wrong(telegram_user),
        "text": maybe_wrong(st.text(max_size=5000)),
        "caption": maybe_wrong(st.text(max_size=1100)),
        "contact": json_values,
        "location": st.fixed_dictionaries(
            {"latitude": maybe_wrong(finite), "longitude": maybe_wrong(finite)}
        ),
        "photo": st.lists(json_values, max_size=3),
    },
)
telegram_callback = st.fixed_dictionaries(
    {
        "id": maybe_wrong(st.text(min_size=1, max_size=40)),
        "from": maybe_wrong(telegram_user),
        "chat_instance": maybe_wrong(st.text(max_size=40)),
    },
    optional={
        "data": maybe_wrong(st.text(max_size=100)),
        "message": maybe_wrong(telegram_message),
    },
)
telegram_updates = st.fixed_dictionaries(
    {"update_id": maybe_wrong(st.integers(min_value=-(2**63), max_value=2**63))},
    optional={
        "message": maybe_wrong(telegram_message),
        "edited_message": telegram_message,
        "callback_query": maybe_wrong(telegram_callback),
        "channel_post": telegram_message,
        "my_chat_member": json_values,
        "unknown_kind": json_values,
    },
)


def deep(depth: int, opener: str = "[") -> bytes:
    closer = {"[": "]", "{": "}"}[opener]
    if opener == "{":
        return ('{"a":' * depth + "1" + closer * depth).encode()
    return (opener * depth + closer * depth).encode()


broken_json = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v)[:-1].encode()),  # cut short
    st.sampled_from(
        [b"", b"null", b"[]", b"{}", b'"', b"{'a': 1}", b"NaN", b"\xff\xfe{}", b"{}" * 1000]
    ),
)
deep_bodies = st.builds(deep, st.integers(min_value=1, max_value=200_000), st.sampled_from("[{"))
huge_bodies = st.sampled_from([MIB - 100, MIB + 1, 2 * MIB]).map(
    lambda n: b'{"text": "' + b"a" * n + b'"}'
)
any_body = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    telegram_updates.map(lambda v: json.dumps(v).encode()),
    broken_json,
    deep_bodies,
    huge_bodies,
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        None,
    ]
)
