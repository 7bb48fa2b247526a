"""A sender's claim on the messages it took outlasts a delivery call, or the settings say no."""

from __future__ import annotations

import pytest
from pydantic import ValidationError


def test_a_claim_shorter_than_a_delivery_call_is_refused_with_both_values(
    make_settings, sqlite_url
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_settings(sqlite_url, send_timeout=10, sender_claim_seconds=5)
    assert "sender_claim_seconds (5) must be longer than send_timeout (10)" in str(refused.value)


def test_a_claim_longer_than_a_delivery_call_is_accepted(make_settings, sqlite_url) -> None:
    settings = make_settings(sqlite_url, send_timeout=2, sender_claim_seconds=4)
    assert settings.sender_claim_seconds == 4
