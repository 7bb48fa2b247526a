"""The real channel adapters behind their webhooks, fuzzed with the right secrets, so every
parser sees hostile bodies: the answer is never a 5xx, nothing is half-written, the process
stays up. The messengers' APIs are the project's stand-in servers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from relaybot.config import Settings
from relaybot.testing.chat2desk_standin import Chat2DeskStandin
from relaybot.testing.mattermost_standin import MattermostStandin
from relaybot.testing.telegram_standin import TelegramStandin
from tests.hostile.hostile_strategies import any_body, json_values, maybe_wrong, telegram_updates
from tests.hostile.hostile_support import ThreadedRelaybot, hostile_settings, record, store_problems

TELEGRAM_TOKEN = "7100001:AAfuzz-token-of-the-telegram-bot"
TELEGRAM_SECRET = "fuzz-telegram-secret"
C2D_SECRET = "fuzz-chat2desk-secret"
MM_SECRET = "fuzz-mattermost-token"
MM_BOT_TOKEN = "fuzz-mattermost-bot-access-token"
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    phases=(Phase.explicit, Phase.generate),
)
ids = st.integers(min_value=-(2**63), max_value=2**63)
chat2desk_events = st.fixed_dictionaries(
    {
        "hook_type": maybe_wrong(st.sampled_from(["inbox", "outbox", "outbox_status"])),
        "message_id": maybe_wrong(ids),
        "client_id": maybe_wrong(ids),
    },
    optional={
        "type": maybe_wrong(st.sampled_from(["from_client", "to_client", "system"])),
        "text": maybe_wrong(st.text(max_size=3000)),
        "transport": maybe_wrong(st.sampled_from(["telegram", "whatsapp", "viber", ""])),
        "client": maybe_wrong(
            st.fixed_dictionaries(
                {},
                optional={
                    "id": maybe_wrong(ids),
                    "phone": maybe_wrong(st.text(max_size=20)),
                    "name": maybe_wrong(st.text(max_size=80)),
                },
            )
        ),
        "attachments": st.lists(json_values, max_size=3),
        "photo": json_values,
        "coordinates": json_values,
        "dialog_id": json_values,
        "event_time": json_values,
    },
)
mattermost_forms = st.fixed_dictionaries(
    {"token": st.just(MM_SECRET)},
    optional={
        "user_id": st.text(max_size=40),
        "user_name": st.text(max_size=40),
        "channel_id": st.text(max_size=40),
        "trigger_id": st.text(max_size=300),
        "text": st.text(max_size=2000),
        "command": st.text(max_size=20),
        "post_id": st.text(max_size=40),
    },
)


def channel_settings(directory: Path, standins: list[Any]) -> Settings:
    telegram, chat2desk, mattermost = standins
    mattermost.add_bot(MM_BOT_TOKEN)
    bots = [
        {
            "name": "tg",
            "app": "orders",
            "channel": "telegram",
            "token": TELEGRAM_TOKEN,
            "webhook_secret": TELEGRAM_SECRET,
            "api_base": telegram.url,
        },
        {
            "name": "c2d",
            "app": "orders",
            "channel": "chat2desk",
            "token": chat2desk.token,
            "webhook_secret": C2D_SECRET,
            "api_base": chat2desk.url,
        },
        {
            "name": "mm",
            "app": "orders",
            "channel": "mattermost",
            "token": MM_BOT_TOKEN,
            "webhook_secret": MM_SECRET,
            "api_base": mattermost.url,
        },
    ]
    return hostile_settings(directory, bots=bots)


@pytest.fixture(scope="module")
def relaybot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedRelaybot]:
    directory = tmp_path_factory.mktemp("channels")
    standins = [TelegramStandin(), Chat2DeskStandin(), MattermostStandin()]
    with ThreadedRelaybot(
        lambda started: channel_settings(directory, started), standins=standins
    ) as running:
        yield running


@FUZZ
@given(body=st.one_of(telegram_updates.map(lambda u: json.dumps(u).encode()), any_body))
def test_telegram_webhook_with_the_right_secret_survives_any_body(http, body):
    headers = {
        "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        "Content-Type": "application/json",
    }
    record("channels: telegram", http.post("/webhook/telegram/tg", content=body, headers=headers))


@FUZZ
@given(body=st.one_of(chat2desk_events.map(lambda e: json.dumps(e).encode()), any_body))
def test_chat2desk_webhook_with_the_right_secret_survives_any_body(http, body):
    response = http.post(f"/webhook/chat2desk/c2d/{C2D_SECRET}", content=body)
    record("channels: chat2desk", response)


@FUZZ
@given(
    route=st.sampled_from(["command", "outgoing", "actions", "dialog", "nothing"]),
    form=mattermost_forms,
    body=st.one_of(json_values.map(lambda v: json.dumps(v).encode()), any_body),
    as_form=st.booleans(),
)
def test_mattermost_webhooks_with_the_right_token_survive_any_body(
    http, route, form, body, as_form
):
    path = f"/webhook/mattermost/mm/{route}"
    response = http.post(path, data=form) if as_form else http.post(path, content=body)
    record("channels: mattermost", response)


def test_after_the_channel_fuzzing_the_process_is_up_and_the_store_consistent(http, relaybot):
    assert http.get("/health").status_code == 200
    problems = relaybot.run(store_problems(relaybot, deliveries=False))
    assert problems == [], problems[:20]


@pytest.fixture(scope="module")
def http(relaybot: ThreadedRelaybot) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=relaybot.url, timeout=30) as client:
        yield client
