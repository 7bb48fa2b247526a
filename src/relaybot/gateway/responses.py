"""Error answers every REST route shares, and the OpenAPI document that lists them.

Some answers come from the layers in front of a route rather than from the route itself: the
body limits (400, 413), the sign-in guards (401, 403, 429) and FastAPI's own body parser
(400 for bytes that are not text). `truthful_openapi` adds them to each operation they apply
to, so a client generated from the document knows every status it can meet, and
`allow_of_path` makes a 405's `Allow` name every method of the path, not just one route's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from relaybot.security.auth import refusals_of

DESCRIPTIONS = {
    400: "The body could not be read: not text, nested too deeply, or a bad Content-Length.",
    401: "No token, or a token that is not valid, expired or revoked.",
    403: "The caller is known but may not do this.",
    404: "No such thing.",
    409: "The change conflicts with the current state.",
    413: "The body is larger than the gateway accepts.",
    422: "The request does not match the schema or breaks a rule of the data.",
    429: "Too many failed sign-in attempts from this address; try again in a minute.",
    503: "Not ready to serve.",
}


class Problem(BaseModel):
    """The body of every error answer that is not a validation error."""

    detail: str = Field(description="What went wrong, for a person to read.")


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that may answer each of `codes` with a Problem."""
    return {code: {"model": Problem, "description": DESCRIPTIONS[code]} for code in codes}


def validation_problem(field: str, message: str) -> dict[str, Any]:
    """A 422 body in FastAPI's validation-error form, for rules checked after parsing."""
    return {"detail": [{"loc": ["body", field], "msg": message, "type": "value_error"}]}


BODY_LAYERS = (400, 413)


def _guard_codes(dependant: Dependant) -> set[int]:
    codes: set[int] = set(refusals_of(dependant.call))
    for sub in dependant.dependencies:
        codes |= _guard_codes(sub)
    return codes


def _problem_response(code: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def truthful_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """An `app.openapi` that adds the answers of the layers in front of each route."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("Problem", Problem.model_json_schema())
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or not context.include_in_schema:
                continue
            codes = _guard_codes(route.dependant)
            if route.body_field is not None or "requestBody" in (route.openapi_extra or {}):
                codes |= set(BODY_LAYERS)
            for method in context.methods or ():
                operation = schema["paths"].get(context.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                answers = operation.setdefault("responses", {})
                for code in sorted(codes):
                    answers.setdefault(str(code), _problem_response(code))
        app.openapi_schema = schema
        return schema

    return openapi


def allow_of_path(routes: Sequence[BaseRoute], path: str) -> list[str]:
    """Every method some route serves at `path`, for a 405's `Allow`."""
    methods: set[str] = set()
    for context in iter_route_contexts(routes):
        regex = getattr(context, "path_regex", None)
        if context.methods and regex is not None and regex.match(path):
            methods |= set(context.methods)
    return sorted(methods)


def install_method_not_allowed(app: FastAPI) -> None:
    """405 answers name every method of the path (Starlette names only the first route's)."""

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405:
            allowed = allow_of_path(app.routes, request.url.path)
            if allowed:
                headers = {**(exc.headers or {}), "Allow": ", ".join(allowed)}
                exc = StarletteHTTPException(405, exc.detail, headers=headers)
        return await http_exception_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, method_not_allowed)
