"""Signing in by a one-time code: the person names their phone or Telegram username, a
six-digit code goes to the chat already linked to that account, and the code buys a JWT
access token (staff use it for the REST API; web pages for the person's own bookings).

The answer to "send me a code" is the same whether or not the account exists, so it cannot
be used to find out who is a client. Codes are checked by `relaybot.check_sign_in_code`
(hashed, constant time, 5 minutes, 5 attempts, once); every request and every outcome is
in the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from relaybot import (
    OutgoingMessage,
    TooManyCodes,
    audit,
    broadcast,
    check_sign_in_code,
    issue_sign_in_code,
    translator,
)

from ..codes import CODE_TEXT, code_key, find_person, person_of, subject_of
from ..users import address_of, locale_of
from .base import NOTICE_RATE, Api, bots_of, issue_token
from .schemas import (
    AccessToken,
    PhoneAsk,
    Problem,
    SignInAsk,
    SignInCode,
    SignInSent,
    UsernameAsk,
)

ASKED: dict[int | str, dict[str, Any]] = {
    422: {"description": "Not exactly one of phone and username; `detail[].loc` names it."},
    429: {"model": Problem, "description": "Too many codes for this person or address lately."},
}
CHECKED: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "The code is wrong, expired or used up."},
}


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def add_sign_in_routes(router: APIRouter, api: Api) -> None:
    @router.post(
        "/sign-in",
        status_code=202,
        summary="Send a one-time code to the chat of the account with this phone or username",
        responses=ASKED,
    )
    async def ask_code(body: SignInAsk, request: Request) -> SignInSent:
        now = datetime.now(UTC)
        address = _address(request)
        try:
            async with api.sessions() as session, session.begin():
                person = await find_person(
                    session,
                    api.settings,
                    phone=body.phone if isinstance(body, PhoneAsk) else None,
                    username=body.username if isinstance(body, UsernameAsk) else None,
                )
                subject = subject_of(person) if person is not None else ""
                issued = await issue_sign_in_code(
                    session,
                    subject=subject,
                    requester=address,
                    key=code_key(api.settings),
                    now=now,
                )
                to = address_of(person) if person is not None else None
                if person is not None and to is not None:
                    t = translator(locale_of(person, api.settings.default_locale))
                    await broadcast(
                        session,
                        [(to, OutgoingMessage(text=t(CODE_TEXT, code=issued.code)))],
                        bots=bots_of(api.settings),
                        rate=NOTICE_RATE,
                        now=now.timestamp(),
                        key="booking:notices",
                    )
                await audit(
                    session,
                    actor="booking:sign-in",
                    channel="rest",
                    action="booking.sign_in.request",
                    target=f"user:{person.id}" if person is not None else "unknown",
                    details={"request_id": issued.id},
                )
        except TooManyCodes:
            raise HTTPException(
                429, "too many codes lately; try again in a quarter of an hour"
            ) from None
        return SignInSent(
            request_id=issued.id, expires_in=int((issued.expires_at - now).total_seconds())
        )

    @router.post(
        "/sign-in/verify",
        summary="Trade the code for an access token",
        responses=CHECKED,
    )
    async def verify_code(body: SignInCode) -> AccessToken:
        now = datetime.now(UTC)
        async with api.sessions() as session, session.begin():
            checked = await check_sign_in_code(
                session,
                code_id=body.request_id,
                code=body.code,
                key=code_key(api.settings),
                now=now,
            )
            user = await person_of(session, checked.subject)
            await audit(
                session,
                actor=f"booking:user:{user.id}:{user.role}"
                if user is not None
                else "booking:sign-in",
                channel="rest",
                action="booking.sign_in.ok" if user is not None else "booking.sign_in.failed",
                target=f"request:{body.request_id}",
                details={} if user is not None else {"reason": checked.reason},
            )
            token = (
                issue_token(api.settings, api.sessions, user.id, user.role)
                if user is not None
                else ""
            )
            role, user_id = (user.role, user.id) if user is not None else ("client", 0)
        if not token:
            raise HTTPException(
                401,
                "the code is wrong, expired or used up; ask for a new one",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return AccessToken(access_token=token, user_id=user_id, role=role)
