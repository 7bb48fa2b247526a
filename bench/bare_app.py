"""The ceiling: a FastAPI endpoint that answers a webhook with 200 and does nothing else."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()


@app.post("/webhook/{channel}/{bot}")
async def webhook(channel: str, bot: str) -> JSONResponse:
    return JSONResponse({"ok": True})


@app.get("/health")
async def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})
