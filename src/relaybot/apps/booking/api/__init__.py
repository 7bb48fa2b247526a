"""/api/booking/: the booking app's REST backend for staff tools, web pages and integrations.

People sign in with a JWT access token (`relaybot booking token`); what they may do is the
chat's rule, checked by the same code: administrators manage everything, specialists see
and cancel their own bookings, clients book, move and cancel only their own.
"""

from __future__ import annotations

from fastapi import APIRouter

from relaybot import SessionMaker, Settings

from .base import Api
from .booking_routes import add_booking_routes
from .catalog_routes import add_catalog_routes
from .people_routes import add_people_routes
from .sign_in_routes import add_sign_in_routes


def build_router(settings: Settings, sessions: SessionMaker) -> APIRouter:
    api = Api.build(settings, sessions)
    router = APIRouter(prefix="/api/booking", tags=["booking"])
    add_booking_routes(router, api)
    add_catalog_routes(router, api)
    add_people_routes(router, api)
    add_sign_in_routes(router, api)
    return router
