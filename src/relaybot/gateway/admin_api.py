"""`/api/admin/...`: API tokens and the audit log over REST, for admin API tokens only."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from relaybot.config import Settings
from relaybot.core.strict import MAX_JSON_INT, NOT_BLANK, STRICT_BODY
from relaybot.gateway.responses import problems, validation_problem
from relaybot.security.auth import Authenticator, Principal
from relaybot.store import api_tokens
from relaybot.store import audit as audit_store
from relaybot.store.db import SessionMaker


class NewToken(BaseModel):
    model_config = STRICT_BODY

    name: str = Field(min_length=1, max_length=128, pattern=NOT_BLANK)
    role: Literal["admin", "operator", "readonly"] = "admin"


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    created_at: str
    revoked_at: str | None


class CreatedToken(TokenOut):
    token: str = Field(description="Shown once; only its hash is stored.")


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    channel: str
    bot: str | None
    action: str
    target: str | None
    details: dict[str, object]


def _token_out(info: api_tokens.TokenInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "name": info.name,
        "role": info.role,
        "created_at": info.created_at.isoformat(),
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


def admin_router(settings: Settings, sessions: SessionMaker) -> APIRouter:
    auth = Authenticator(settings, sessions)
    admin = Depends(auth.admin("admin"))
    reader = Depends(auth.admin("admin", "operator", "readonly"))
    router = APIRouter(prefix="/api/admin", tags=["administration"])

    @router.get("/whoami")
    async def whoami(who: Principal = reader) -> dict[str, object]:
        """The caller as the API sees it: useful to check a freshly created token."""
        return {"actor": who.actor, "role": who.role, "kind": who.kind}

    @router.get("/tokens", response_model=list[TokenOut])
    async def list_tokens(_who: Principal = admin) -> list[dict[str, object]]:
        return [_token_out(info) for info in await api_tokens.listing(sessions)]

    @router.post("/tokens", status_code=201, response_model=CreatedToken)
    async def create_token(body: NewToken, who: Principal = admin) -> JSONResponse:
        try:
            info, token = await api_tokens.create(
                sessions, name=body.name, role=body.role, actor=who.actor, channel="rest"
            )
        except ValueError as exc:
            return JSONResponse(validation_problem("name", str(exc)), status_code=422)
        return JSONResponse(
            {**_token_out(info), "token": token},
            status_code=201,
            headers={"Cache-Control": "no-store"},
        )

    @router.delete("/tokens/{token_id}", status_code=204, responses=problems(404))
    async def revoke_token(
        token_id: Annotated[int, Path(ge=1, le=MAX_JSON_INT)], who: Principal = admin
    ) -> Response:
        if not await api_tokens.revoke(sessions, token_id, actor=who.actor, channel="rest"):
            raise HTTPException(404, "no such active token")
        return Response(status_code=204)

    @router.get("/audit", response_model=list[AuditOut])
    async def audit_log(
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        actor: Annotated[str | None, Query(max_length=256)] = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
        _who: Principal = reader,
    ) -> list[dict[str, object]]:
        rows = await audit_store.recent(sessions, limit=limit, actor=actor, action=action)
        return [row.as_json() for row in rows]

    return router
