"""Schemathesis against relaybot's own OpenAPI document: every documented operation gets
generated requests, valid and invalid, with an admin token and a web chat session, and
never answers with a 5xx."""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.hostile.hostile_support import (
    ADMIN_TOKEN,
    TALLY,
    ThreadedRelaybot,
    record,
    store_problems,
)

EXAMPLES = settings(
    max_examples=15,  # per operation and mode: over a hundred operations; st run goes deeper
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=(Phase.explicit, Phase.generate),
)


def test_no_documented_operation_answers_with_a_server_error(
    relaybot: ThreadedRelaybot, http: httpx.Client
) -> None:
    http.get("/")
    cookies = dict(http.cookies.items())
    schema = schemathesis.openapi.from_url(f"{relaybot.url}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8, [op.label for op in operations]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @EXAMPLES
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Any) -> None:
                headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Origin": relaybot.url}
                headers.update(case.headers or {})
                response = case.call(
                    base_url=relaybot.url, headers=headers, cookies=cookies, timeout=30
                )
                request = httpx.Request(case.method, relaybot.url + case.formatted_path)
                record(
                    "schemathesis: REST operations",
                    httpx.Response(response.status_code, request=request),
                )

            try:
                call()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to break
    assert TALLY["schemathesis: REST operations"] > 0


def test_after_schemathesis_the_process_is_up_and_the_store_consistent(
    relaybot: ThreadedRelaybot, http: httpx.Client
) -> None:
    assert http.get("/health").status_code == 200
    assert relaybot.run(store_problems(relaybot)) == []
