"""Every webhook door, fuzzed: whatever arrives, the answer is never a 5xx and the process
stays up."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from relaybot.channels.registry import ADAPTERS
from tests.hostile.hostile_strategies import any_body, content_types, json_values, telegram_updates
from tests.hostile.hostile_support import record, store_problems

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    phases=(Phase.explicit, Phase.generate),  # a failure is reported as found, not shrunk
)
channels = st.sampled_from([*sorted(ADAPTERS), "unknown", "", "..", "%00", "x" * 300])
printable = st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="/?#")
segments = st.text(alphabet=printable, min_size=1, max_size=40)
secret_headers = st.dictionaries(
    st.sampled_from(
        [
            "X-Telegram-Bot-Api-Secret-Token",
            "Authorization",
            "X-Chat2Desk-Token",
            "Content-Encoding",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126)),
    max_size=2,
)


def post(http: httpx.Client, path: str, body: bytes, content_type: str | None, **headers: str):
    if content_type is not None:
        headers["Content-Type"] = content_type
    return http.post(path, content=body, headers=headers)


@FUZZ
@given(channel=channels, bot=segments, body=any_body, content_type=content_types)
def test_any_body_to_any_webhook_path_is_answered_without_a_server_error(
    http, channel, bot, body, content_type
):
    response = post(http, f"/webhook/{channel}/{bot}", body, content_type)
    record("webhook: any path, any body", response)


@FUZZ
@given(
    bot=st.sampled_from(["orders", "shop", "support", "telegram"]),
    channel=st.sampled_from(sorted(ADAPTERS)),
    update=telegram_updates,
    headers=secret_headers,
    subpath=st.one_of(st.just(""), segments.map(lambda s: "/" + s)),
)
def test_telegram_shaped_updates_with_wrong_types_never_break_a_webhook(
    http, bot, channel, update, headers, subpath
):
    response = http.post(f"/webhook/{channel}/{bot}{subpath}", json=update, headers=headers)
    record("webhook: telegram-shaped updates", response)


@FUZZ
@given(
    channel=st.sampled_from(sorted(ADAPTERS)),
    form=st.dictionaries(st.text(max_size=20), st.text(max_size=200), max_size=12),
    query=st.dictionaries(st.text(max_size=10), json_values.map(str), max_size=3),
)
def test_form_encoded_and_query_noise_never_break_a_webhook(http, channel, form, query):
    response = http.post(f"/webhook/{channel}/orders", data=form, params=query)
    record("webhook: forms and queries", response)


def test_after_the_fuzzing_the_process_is_up_and_the_store_consistent(http, relaybot):
    assert http.get("/health").status_code == 200
    assert relaybot.run(store_problems(relaybot)) == []
