"""`st run --checks all` against relaybot's own OpenAPI document, as an API client's author
would run it: every status code, body, bound, type, content type and `Allow` header the
document promises is what relaybot answers, and schemathesis finds no failure at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.hostile.hostile_support import ADMIN_TOKEN, ThreadedRelaybot, store_problems

ST = Path(sys.executable).with_name("st")
# A fixed seed, so a failure found once is found again by whoever runs the suite next.
SEED = "18180"


def test_schemathesis_with_every_check_finds_no_contract_failure(
    relaybot: ThreadedRelaybot, http: httpx.Client, tmp_path: Path
) -> None:
    run = subprocess.run(
        [
            str(ST),
            "run",
            f"{relaybot.url}/api/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {ADMIN_TOKEN}",
            "--max-examples",
            "30",
            "--seed",
            SEED,
            "--workers",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=540,
        cwd=tmp_path,
    )
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary
    assert " passed" in summary and "failures" not in summary, summary
    assert http.get("/health").status_code == 200
    assert relaybot.run(store_problems(relaybot)) == []
