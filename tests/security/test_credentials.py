"""Passwords and JWT access tokens: the right ones work, everything else is refused."""

from __future__ import annotations

import time

import jwt
import pytest

from relaybot.security.access import AccessTokens, InvalidAccessToken
from relaybot.security.passwords import (
    WeakPassword,
    hash_password,
    hash_password_async,
    needs_rehash,
    verify_password,
    verify_password_async,
)

SECRET = "s" * 40


def tokens(**overrides: object) -> AccessTokens:
    options: dict[str, object] = {"issuer": "relaybot", "audience": "relaybot-api"}
    options.update(overrides)
    return AccessTokens(SECRET, **options)  # type: ignore[arg-type]


def test_a_password_is_stored_as_argon2id_and_only_the_right_one_verifies():
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse battery!")
    assert not needs_rehash(stored)


def test_a_broken_stored_hash_is_a_mismatch_not_a_crash():
    assert not verify_password("not-a-hash", "whatever password")
    assert not verify_password("$argon2id$v=19$m=1,t=1,p=1$AAAA$BBBB", "whatever password")
    assert needs_rehash("plain text from an old system")


async def test_async_password_checks_run_off_the_event_loop():
    stored = await hash_password_async("correct horse battery")
    assert await verify_password_async(stored, "correct horse battery")
    assert not await verify_password_async(stored, "correct horse")


def test_too_short_or_absurdly_long_passwords_are_refused_before_hashing():
    with pytest.raises(WeakPassword):
        hash_password("short")
    with pytest.raises(WeakPassword):
        hash_password("x" * 5000)
    assert not verify_password(hash_password("long enough"), "x" * 5000)


def test_an_access_token_carries_subject_role_and_extra_claims():
    issuer = tokens(ttl_seconds=600)
    token = issuer.issue("user-42", role="moderator", extra={"bot": "helpdesk"})
    claims = issuer.verify(token)
    assert (claims.subject, claims.role, claims.extra) == (
        "user-42",
        "moderator",
        {"bot": "helpdesk"},
    )
    assert 595 <= claims.expires_at - time.time() <= 600


def test_an_expired_token_is_refused():
    old = tokens(ttl_seconds=60, clock=lambda: time.time() - 3600)
    token = old.issue("user-1", role="client")
    with pytest.raises(InvalidAccessToken, match="Expired"):
        tokens().verify(token)


def test_a_token_for_another_audience_or_issuer_is_refused():
    token = tokens(audience="another-service").issue("user-1", role="client")
    with pytest.raises(InvalidAccessToken, match="Audience"):
        tokens().verify(token)
    token = tokens(issuer="someone-else").issue("user-1", role="client")
    with pytest.raises(InvalidAccessToken, match="Issuer"):
        tokens().verify(token)


def test_forged_tokens_are_refused_whatever_algorithm_they_claim():
    now = int(time.time())
    claims = {"sub": "root", "role": "admin", "iss": "relaybot", "aud": "relaybot-api"}
    claims |= {"iat": now, "exp": now + 600}
    unsigned = jwt.encode(claims, None, algorithm="none")
    other_key = jwt.encode(claims, "k" * 40, algorithm="HS256")
    stronger_alg = jwt.encode(claims, SECRET * 2, algorithm="HS512")
    genuine = tokens().issue("user-1", role="client")
    header, payload, signature = genuine.split(".")
    tampered_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"client"', b'"admin"')
    ).decode()
    for forged in (
        unsigned,
        other_key,
        stronger_alg,
        f"{header}.{tampered_payload}.{signature}",
        "",
        "not.a.token",
        "x" * 10_000,
    ):
        with pytest.raises(InvalidAccessToken):
            tokens().verify(forged)


def test_a_token_without_expiry_or_role_is_refused():
    base = {"sub": "u", "iss": "relaybot", "aud": "relaybot-api", "iat": int(time.time())}
    no_expiry = jwt.encode({**base, "role": "client"}, SECRET, algorithm="HS256")
    no_role = jwt.encode({**base, "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    for token in (no_expiry, no_role):
        with pytest.raises(InvalidAccessToken):
            tokens().verify(token)


def test_a_weak_secret_or_reserved_extra_claims_are_refused_when_configured():
    with pytest.raises(ValueError, match="32 bytes"):
        AccessTokens("short", issuer="i", audience="a")
    with pytest.raises(ValueError, match="role"):
        tokens().issue("u", role="client", extra={"role": "admin"})
