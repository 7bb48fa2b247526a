"""/api/helpdesk/: the catalogue, people and links (admin, operator); requests (also readonly)."""

from __future__ import annotations

from fastapi import APIRouter

from relaybot import SessionMaker, Settings

from .base import ERRORS, Api
from .catalogue_routes import add_catalogue_routes
from .demand_routes import add_demand_routes
from .people_routes import add_people_routes


def build_router(settings: Settings, sessions: SessionMaker) -> APIRouter:
    api = Api.build(settings, sessions)
    router = APIRouter(prefix="/api/helpdesk", tags=["helpdesk"], responses=ERRORS)
    add_catalogue_routes(router, api)
    add_people_routes(router, api)
    add_demand_routes(router, api)
    return router
