"""/api/helpdesk/: the catalogue, people and links (admin, operator); requests (also readonly)."""

from __future__ import annotations

from fastapi import APIRouter

from relaybot import SessionMaker, Settings

from .base import ERRORS, Api
from .catalogue_routes import add_catalogue_routes
from .demand_routes import add_demand_routes
from .desk_routes import add_desk_routes
from .events_routes import add_event_routes
from .people_routes import add_people_routes


def build_router(settings: Settings, sessions: SessionMaker) -> APIRouter:
    api = Api.build(settings, sessions)
    router = APIRouter(prefix="/api/helpdesk", tags=["helpdesk"], responses=ERRORS)
    add_catalogue_routes(router, api)
    add_people_routes(router, api)
    add_demand_routes(router, api)
    # People's own calls: a JWT access token instead of an admin token (401/403 from it).
    people_router = APIRouter(prefix="/api/helpdesk", tags=["helpdesk: people"])
    add_desk_routes(people_router, settings, sessions)
    add_event_routes(people_router, api, settings, sessions)
    top = APIRouter()
    top.include_router(router)
    top.include_router(people_router)
    return top
