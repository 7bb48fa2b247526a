"""Pages of the console: Jinja2 templates, autoescaped, in the viewer's language and zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from relaybot.core.i18n import register_catalogs, translator
from relaybot.gateway.panel.auth import Viewer

HERE = Path(__file__).resolve().parent
register_catalogs(HERE / "locales")
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
NO_STORE = {"Cache-Control": "no-store"}
# Pages are only ever shown in a frame of their own origin, and run only the vendored htmx.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def local_time(value: datetime | float | None, viewer: Viewer | None) -> str:
    """A time as the operator reads it: their zone, to the minute."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    zone = viewer.zone if viewer is not None else UTC
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def page(
    name: str,
    viewer: Viewer | None,
    *,
    status: int = 200,
    locale: str = "en",
    nav: list[tuple[str, str]] | None = None,
    **values: Any,
) -> HTMLResponse:
    t = viewer.t if viewer is not None else translator(locale)
    html = _env.get_template(name).render(
        _=t,
        lang=t.locale,
        viewer=viewer,
        nav=nav or [],
        when=lambda v: local_time(v, viewer),
        **values,
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={**NO_STORE, "Content-Security-Policy": CSP, "X-Frame-Options": "DENY"},
    )
