"""The web chat API, fuzzed as a visitor and as a stranger: never a 5xx, nobody else's data,
and afterwards the store holds nothing half-written."""

from __future__ import annotations

import json
import time

import httpx
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.hostile.hostile_strategies import any_body, content_types, json_values
from tests.hostile.hostile_support import record, store_problems, stored_updates

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    phases=(Phase.explicit, Phase.generate),
)
visitor_texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        ["/start", "hello", "Bishkek, Chui 1", "0555 123 456", "3", "yes", "no", "\x00", "‮"]
    ),
    st.text(max_size=5000),
)
payloads = st.one_of(
    st.none(),
    st.sampled_from(["flow:back", "flow:cancel", "flow:confirm", "flow:edit:phone", "3"]),
    st.text(max_size=300),
)
well_formed = st.fixed_dictionaries(
    {"id": st.uuids().map(lambda u: u.hex), "text": visitor_texts.map(lambda t: t[:4000])},
    optional={
        "payload": payloads.map(lambda p: p if p is None else p[:256]),
        "locale": st.sampled_from(["ru", "en", "kk", "ru-RU"]),
    },
)
anything = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=80), st.uuids().map(lambda u: u.hex), json_values),
        "text": st.one_of(visitor_texts, json_values),
        "payload": st.one_of(payloads, json_values),
        "locale": st.one_of(st.sampled_from(["ru", "en", "kk", "ru-RU", ""]), json_values),
        "unknown_field": json_values,
    },
)
messages = st.one_of(well_formed, anything)
bots = st.sampled_from(["orders", "nobody", "..", "orders%2F..", "x" * 100])


@FUZZ
@given(body=messages, bot=bots)
@example(body={"id": "0123456789abcdef", "text": "hello", "locale": "en"}, bot="orders")
@example(body={"id": "0123456789abcdeg", "text": "Osh, Lenina 1", "unknown": [1]}, bot="orders")
def test_any_message_a_visitor_posts_is_answered_without_a_server_error(http, body, bot):
    http.get("/")  # the first call opens the session; later ones keep it
    response = http.post(
        f"/chat/api/{bot}/messages", json=body, headers={"Origin": http_origin(http)}
    )
    record("web chat: posted messages", response)
    if response.status_code == 202:
        assert set(response.json()) <= {"accepted", "duplicate", "throttled"}


@FUZZ
@given(body=any_body, content_type=content_types)
def test_broken_deep_and_huge_bodies_to_the_web_chat_are_refused_cleanly(http, body, content_type):
    headers = {"Origin": http_origin(http)}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = http.post("/chat/api/orders/messages", content=body, headers=headers)
    record("web chat: broken bodies", response)
    assert response.status_code in (202, 400, 403, 413, 422)


@FUZZ
@given(
    after=st.one_of(st.integers(min_value=-(2**80), max_value=2**80), st.text(max_size=30)),
    locale=st.text(max_size=40),
    cookie=st.one_of(
        st.none(),
        st.text(
            alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=";,"),
            max_size=300,
        ),
    ),
)
def test_history_and_bot_list_with_any_query_or_cookie_never_fail(http, after, locale, cookie):
    headers = {} if cookie is None else {"Cookie": f"relaybot_session={cookie}"}
    with httpx.Client(base_url=str(http.base_url), headers=headers, timeout=30) as stranger:
        history = stranger.get("/chat/api/orders/history", params={"after": str(after)})
        record("web chat: history queries", history)
        listing = stranger.get("/chat/api/bots", params={"locale": locale})
        record("web chat: bot list queries", listing)
    if cookie is not None:
        assert history.status_code in (403, 422)  # a made-up cookie never reads anything


def test_after_the_fuzzing_the_store_is_consistent_and_the_process_is_up(http, relaybot):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        health = http.get("/health")
        if health.status_code == 200 and health.json()["queue_depth"] == 0:
            break
        time.sleep(0.2)
    assert health.status_code == 200 and health.json()["queue_depth"] == 0, health.text
    assert relaybot.run(stored_updates(relaybot)) > 0  # the fuzzing did reach the queue
    problems = relaybot.run(store_problems(relaybot))
    assert problems == [], json.dumps(problems, ensure_ascii=False)[:2000]


def http_origin(http: httpx.Client) -> str:
    return str(http.base_url).rstrip("/")
