"""Every button of the booking bot, as a typed payload: what it does, and about which record.

Packed as "prefix:field:...", checked when unpacked: a stale or forged button never reaches a
screen. Notifications carry two of them (open a booking, answer "did it happen?").
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


# -- everyone -----------------------------------------------------------------------------------
class MainMenu(Payload, prefix="menu"):
    """Back to the person's main menu."""


class ChooseLanguage(Payload, prefix="languages"):
    """The list of languages."""


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


class MyBookings(Payload, prefix="my-bookings"):
    pass


# -- specialists --------------------------------------------------------------------------------
class Today(Payload, prefix="today"):
    pass


class ThisWeek(Payload, prefix="week"):
    pass


class MyHours(Payload, prefix="my-hours"):
    pass


# -- administrators -----------------------------------------------------------------------------
class BookForClient(Payload, prefix="book-for"):
    pass


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


class Locations(Payload, prefix="locations"):
    pass


class AddLocation(Payload, prefix="add-location"):
    pass


class ToggleLocation(Payload, prefix="toggle-location"):
    id: int


class Services(Payload, prefix="services"):
    pass


class AddService(Payload, prefix="add-service"):
    pass


class ToggleService(Payload, prefix="toggle-service"):
    id: int


class Specialists(Payload, prefix="specialists"):
    pass


class ShowSpecialist(Payload, prefix="specialist"):
    id: int


class AddSpecialist(Payload, prefix="add-specialist"):
    pass


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


class Notifications(Payload, prefix="notifications"):
    pass


class ToggleNotice(Payload, prefix="toggle-notice"):
    event: Event
    role: Role


class CycleNoticeAd(Payload, prefix="notice-ad"):
    """The next ad text under this notice (or none)."""

    event: Event
    role: Role


class Ads(Payload, prefix="ads"):
    pass


class AddAd(Payload, prefix="add-ad"):
    pass


class ToggleAd(Payload, prefix="toggle-ad"):
    id: int


class Announce(Payload, prefix="announce"):
    pass
