"""The answer while the store cannot take a write: 503 with Retry-After, never 200 or 500.

A channel told 503 delivers the update again later, so nothing is lost while the store is
away, and relaybot resumes by itself when it is back.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

RETRY_AFTER_SECONDS = 5


def unavailable() -> JSONResponse:
    return JSONResponse(
        {"detail": "relaybot cannot store this right now; please send it again shortly"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
