"""Who is looking at the console: the session cookie, the CSRF token, and what a role may see.

The cookie is HttpOnly and SameSite=Strict (Secure when the console is reached over https), so
neither a script nor another site's form carries it; every change also needs the session's CSRF
token, sent as a form field or, by htmx, as the `X-CSRF-Token` header.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from starlette.datastructures import MultiDict

from relaybot.config import Settings
from relaybot.core.i18n import Translator, translator
from relaybot.store import panel_accounts
from relaybot.store.db import SessionMaker
from relaybot.store.panel_accounts import Account

COOKIE = "relaybot_console"
CSRF_HEADER = "X-CSRF-Token"
MAX_FORM_BYTES = 64 * 1024
PEOPLE_GRANT = "people"


class SignInNeeded(HTTPException):
    """No live session: the browser is sent to the sign-in page (htmx told to go there)."""

    def __init__(self, target: str, *, htmx: bool = False) -> None:
        location = f"/admin/login?next={quote(target, safe='/')}"
        if htmx:  # a redirect would be followed inside the request and swapped into the page
            super().__init__(401, "sign in first", headers={"HX-Redirect": location})
        else:
            super().__init__(303, "sign in first", headers={"Location": location})


class Forbidden(HTTPException):
    def __init__(self, reason: str = "not allowed") -> None:
        super().__init__(403, reason)


@dataclass(frozen=True)
class Viewer:
    """A signed-in account, with its CSRF token, language and time zone."""

    account: Account
    csrf_token: str

    @property
    def t(self) -> Translator:
        return translator(self.account.locale)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.account.time_zone)

    @property
    def is_admin(self) -> bool:
        return self.account.role == "admin"

    @property
    def sees_people(self) -> bool:
        """Phones, addresses and names of the people who write to the bots."""
        return self.is_admin or PEOPLE_GRANT in self.account.grants

    def may_see_bot(self, name: str, app: str | None) -> bool:
        return self.account.may_see(name, *(() if app is None else (app,)))

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("only an admin may do this")


def secure_cookie(request: Request, settings: Settings) -> bool:
    """Secure behind https: the request's own scheme, a proxy's word, or the public URL."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return (
        request.url.scheme == "https"
        or forwarded == "https"
        or (settings.public_url or "").startswith("https://")
    )


def same_origin(request: Request) -> bool:
    """A browser names the page a form was sent from; one of another site is refused (the
    sign-in form too, so no site can sign a visitor in to an account of its choosing)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def read_form(request: Request) -> MultiDict:
    """The urlencoded body of a console form (no multipart: the console uploads nothing)."""
    if not same_origin(request):
        raise Forbidden("the form was sent from another site")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "the form is too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the form is not UTF-8") from None
    pairs = [(k, v) for k, values in parse_qs(text, keep_blank_values=True).items() for v in values]
    return MultiDict(pairs)


class Gate:
    """The checks every console route makes, bound to one store."""

    def __init__(self, sessions: SessionMaker) -> None:
        self.sessions = sessions

    async def viewer(self, request: Request) -> Viewer:
        found = await panel_accounts.session_of(self.sessions, request.cookies.get(COOKIE))
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if request.method != "GET" or request.headers.get("HX-Request"):
                target = "/admin"
            raise SignInNeeded(target, htmx=bool(request.headers.get("HX-Request")))
        return Viewer(found.account, found.csrf_token)

    async def changer(self, request: Request) -> tuple[Viewer, MultiDict]:
        """A signed-in viewer whose request carries the session's CSRF token, and the form."""
        viewer = await self.viewer(request)
        form = await read_form(request)
        given = request.headers.get(CSRF_HEADER) or form.get("csrf")
        if not panel_accounts.ActiveSession(viewer.account, viewer.csrf_token).csrf_matches(
            str(given) if given is not None else None
        ):
            raise Forbidden("the form's CSRF token is missing or wrong: reload the page")
        return viewer, form
