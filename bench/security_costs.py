"""What the security checks cost per request, so the limits can be kept on everywhere.

Prints, for this machine: the inbound guard per update (admitted and throttled), the JSON
depth check on 1 MiB bodies (ordinary, wide, and the nesting attacks), an API token lookup's
digest, and argon2id hashing and verifying (deliberately slow: that is its job).

    python bench/security_costs.py
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from relaybot.config import load_settings
from relaybot.core.clock import ManualClock
from relaybot.core.types import Update
from relaybot.gateway.limits import json_depth_exceeds
from relaybot.runtime.inbound import InboundGuard
from relaybot.security.passwords import hash_password, verify_password
from relaybot.store.api_tokens import digest


def per_call(func: Callable[[], object], *, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - started) / repeat


async def guard_costs() -> tuple[float, float]:
    settings = load_settings(None, inbound_user_burst=10**9, inbound_chat_burst=10**9)
    clock = ManualClock()
    admitted = InboundGuard(settings, clock)
    updates = [
        Update(
            channel="telegram",
            bot="b",
            chat_id=str(n % 5000),
            user_id=str(n % 5000),
            update_id=str(n),
            text="hello",
        )
        for n in range(50_000)
    ]
    started = time.perf_counter()
    for n in range(0, len(updates), 100):
        await admitted.screen(updates[n : n + 100])
    admit_cost = (time.perf_counter() - started) / len(updates)

    flooded = InboundGuard(load_settings(None), clock)
    one_chat = [
        Update(channel="telegram", bot="b", chat_id="1", user_id="1", update_id=str(n))
        for n in range(50_000)
    ]
    started = time.perf_counter()
    for n in range(0, len(one_chat), 100):
        await flooded.screen(one_chat[n : n + 100])
    throttle_cost = (time.perf_counter() - started) / len(one_chat)
    return admit_cost, throttle_cost


def main() -> None:
    admit_cost, throttle_cost = asyncio.run(guard_costs())
    print(f"inbound guard, admitted update:   {admit_cost * 1e6:8.2f} µs")
    print(f"inbound guard, throttled update:  {throttle_cost * 1e6:8.2f} µs")

    mib = 1024 * 1024
    ordinary = json.dumps(
        [{"update_id": n, "message": {"text": "hi " * 10, "chat": {"id": n}}} for n in range(9000)]
    ).encode()[:mib]
    bodies = {
        "ordinary JSON (1 MiB)": ordinary,
        "wide brackets [1],[1],... (1 MiB)": b"[1]," * (mib // 4),
        "nesting attack [[[[... (1 MiB)": b"[" * mib,
        "nesting closed [[..]] (1 MiB)": b"[" * (mib // 2) + b"]" * (mib // 2),
        "strings full of brackets (1 MiB)": b'["' + b"[" * (mib - 4) + b'"]',
    }
    for name, body in bodies.items():
        cost = per_call(lambda body=body: json_depth_exceeds(body, 64), repeat=20)
        print(f"JSON depth check, {name:34} {cost * 1e3:7.2f} ms")

    token = "rbt_" + "x" * 43
    token_cost = per_call(lambda: digest(token), repeat=10000)
    print(f"API token digest (SHA-256):       {token_cost * 1e6:8.2f} µs")
    stored = hash_password("correct horse battery staple")
    hashing = per_call(lambda: hash_password("correct horse"), repeat=5)
    verifying = per_call(lambda: verify_password(stored, "wrong one"), repeat=5)
    print(f"argon2id hash:                    {hashing * 1e3:8.1f} ms")
    print(f"argon2id verify:                  {verifying * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
