"""Every button of the booking bot, as a typed payload: what it does, and about which record.

Notifications carry two of them (open a booking, answer "did it happen?"), so those stay stable.
"""

from __future__ import annotations

from typing import Literal

from relaybot import Payload

Outcome = Literal["done", "no_show"]
Event = Literal[
    "booking_created",
    "booking_cancelled",
    "booking_rescheduled",
    "booking_done",
    "booking_confirmed",
]
Role = Literal["client", "specialist", "admin"]
LanguageCode = Literal["ru", "en", "auto"]
Switchable = Literal["location", "service", "ad"]


# -- everyone -----------------------------------------------------------------------------------
class MainMenu(Payload, prefix="menu"): ...


class ChooseLanguage(Payload, prefix="languages"): ...


class UseLanguage(Payload, prefix="language"):
    code: LanguageCode


class OpenBooking(Payload, prefix="booking"):
    id: int


class CancelBooking(Payload, prefix="cancel"):
    """Ask whether to cancel the booking."""

    id: int


class ConfirmCancel(Payload, prefix="cancel-yes"):
    id: int


class MoveBooking(Payload, prefix="move"):
    id: int


# -- clients ------------------------------------------------------------------------------------
class BookVisit(Payload, prefix="book"):
    """A client books for themselves."""


class MyBookings(Payload, prefix="my-bookings"): ...


# -- specialists --------------------------------------------------------------------------------
class Today(Payload, prefix="today"): ...


class ThisWeek(Payload, prefix="week"): ...


class MyHours(Payload, prefix="my-hours"): ...


# -- administrators -----------------------------------------------------------------------------
class BookForClient(Payload, prefix="book-for"): ...


class NewClient(Payload, prefix="new-client"):
    """Add a client while booking for one."""


class DayBookings(Payload, prefix="bookings"):
    """The bookings of one day (`day` as a date's ordinal; 0 is today), a page at a time."""

    day: int = 0
    page: int = 0


class ConfirmBooking(Payload, prefix="confirm"):
    id: int


class MarkBooking(Payload, prefix="mark"):
    """The answer to "did it happen?"."""

    id: int
    outcome: Outcome


class Toggle(Payload, prefix="toggle"):
    """Open or close a location, offer or hide a service, switch an ad text on or off."""

    kind: Switchable
    id: int


class Locations(Payload, prefix="locations"): ...


class AddLocation(Payload, prefix="add-location"): ...


class Services(Payload, prefix="services"): ...


class AddService(Payload, prefix="add-service"): ...


class Specialists(Payload, prefix="specialists"): ...


class ShowSpecialist(Payload, prefix="specialist"):
    id: int


class AddSpecialist(Payload, prefix="add-specialist"): ...


class ToggleSpecialist(Payload, prefix="toggle-specialist"):
    id: int


class ToggleOffer(Payload, prefix="toggle-offer"):
    """Whether the specialist offers the service."""

    specialist: int
    service: int


class NewInvite(Payload, prefix="new-invite"):
    specialist: int


class SetHours(Payload, prefix="set-hours"):
    specialist: int
    location: int


class SetDay(Payload, prefix="set-day"):
    """Different hours (or a day off) on one date."""

    specialist: int
    location: int


class ClearHours(Payload, prefix="clear-hours"):
    specialist: int
    location: int


class Notifications(Payload, prefix="notifications"): ...


class ToggleNotice(Payload, prefix="toggle-notice"):
    event: Event
    role: Role


class CycleNoticeAd(Payload, prefix="notice-ad"):
    """The next ad text under this notice (or none)."""

    event: Event
    role: Role


class Ads(Payload, prefix="ads"): ...


class AddAd(Payload, prefix="add-ad"): ...


class Announce(Payload, prefix="announce"): ...


# -- corrections ----------------------------------------------------------------------------
Editable = Literal["location", "service", "specialist", "ad"]
EditField = Literal["name", "address", "timezone", "duration", "price", "text"]


class ShowLocation(Payload, prefix="location"):
    id: int


class ShowService(Payload, prefix="service"):
    id: int


class Edit(Payload, prefix="edit"):
    """Correct one field of a record: the form asks for the new value."""

    kind: Editable
    id: int
    field: EditField


class Delete(Payload, prefix="delete"):
    """Delete a record no booking refers to (the refusal offers deactivating instead)."""

    kind: Editable
    id: int


class RevokeSpecialist(Payload, prefix="revoke-specialist"):
    """Unlink the account signed in as this specialist."""

    id: int


class Admins(Payload, prefix="admins"): ...


class RevokeAdmin(Payload, prefix="revoke-admin"):
    user: int
