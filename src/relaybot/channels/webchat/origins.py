"""Which pages may talk to the web chat's API and socket: a browser's Origin, checked."""

from __future__ import annotations

from urllib.parse import urlsplit


def origin_of(url: str) -> str | None:
    """The browser's serialisation of an origin: lower-case scheme and host, no default port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def allowed_origins(
    public_url: str | None, *, port: int, host_header: str | None, scheme: str
) -> set[str]:
    """Where the chat page may be served from.

    With `public_url` configured, only its origin: a Host header is the client's to choose, so
    trusting it would let a DNS-rebinding page pass. Without it (a developer's machine) the
    loopback names and the origin the request itself was sent to.
    """
    if public_url:
        origin = origin_of(public_url)
        return {origin} if origin else set()
    origins = {f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://[::1]:{port}"}
    if host_header:
        http_scheme = "https" if scheme in ("https", "wss") else "http"
        origin = origin_of(f"{http_scheme}://{host_header}")
        if origin:
            origins.add(origin)
    return origins


def origin_allowed(
    origin: str | None,
    public_url: str | None,
    *,
    port: int,
    host_header: str | None,
    scheme: str,
) -> bool:
    """No Origin header (a non-browser client) passes: browsers always send one where it
    matters (WebSocket, cross-site POST). "null" and anything not listed are refused."""
    if origin is None:
        return True
    normalised = origin_of(origin)
    if normalised is None:
        return False
    allowed = allowed_origins(public_url, port=port, host_header=host_header, scheme=scheme)
    return normalised in allowed
