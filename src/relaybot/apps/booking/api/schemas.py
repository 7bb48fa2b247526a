"""The bodies of /api/booking/: what each route takes (strict) and what it answers."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, StrictBool

from relaybot import MAX_JSON_INT, NOT_BLANK, STRICT_BODY, JsonInt, PositiveId

Role = Literal["admin", "specialist", "client"]
Status = Literal["pending", "confirmed", "done", "cancelled", "no_show"]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
Address = Annotated[str, Field(max_length=200)]
Zone = Annotated[str, Field(min_length=1, max_length=64, pattern=NOT_BLANK)]
Minutes = Annotated[JsonInt, Field(ge=15, le=1440, multiple_of=15)]
Price = Annotated[JsonInt, Field(ge=0, le=MAX_JSON_INT)]
Currency = Annotated[str, Field(pattern="^[A-Z]{3}$")]
Weekday = Annotated[JsonInt, Field(ge=0, le=6, description="0 is Monday")]
DayMinute = Annotated[JsonInt, Field(ge=0, le=1440, description="Minutes after local midnight")]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    # JSON has no dates: they are text, and neither a number nor "0" is taken for a timestamp.
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("give the date as YYYY-MM-DD, e.g. 2031-03-08")
    return value


def _iso_moment(value: object) -> object:
    if not isinstance(value, str) or not _ISO_DAY.match(value) or value[10:11] not in "Tt ":
        raise ValueError("give the time in ISO 8601 with its offset, e.g. 2031-03-08T10:00+06:00")
    return value


JsonDate = Annotated[date, BeforeValidator(_iso_day), Field(strict=False)]
"""A date as JSON and query strings carry it: YYYY-MM-DD text, nothing else."""
JsonMoment = Annotated[AwareDatetime, BeforeValidator(_iso_moment), Field(strict=False)]


class Problem(BaseModel):
    detail: str


class Clash(BaseModel):
    """The time is no longer free (or the change is not possible); nearest free starts."""

    detail: str
    alternatives: list[datetime] = Field(default_factory=list)


# -- people --------------------------------------------------------------------------------
class Me(BaseModel):
    id: int
    name: str
    role: Role
    specialist_id: int | None


# -- locations -----------------------------------------------------------------------------
class LocationIn(BaseModel):
    model_config = STRICT_BODY

    name: Name
    address: Address = ""
    timezone: Zone = Field(description="An IANA time zone, e.g. Asia/Bishkek")
    active: StrictBool = True


class LocationPatch(BaseModel):
    model_config = STRICT_BODY

    name: Name | None = None
    address: Address | None = None
    timezone: Zone | None = Field(default=None, description="An IANA time zone")
    active: StrictBool | None = None


class LocationOut(BaseModel):
    id: int
    name: str
    address: str
    timezone: str
    active: bool


# -- services ------------------------------------------------------------------------------
class ServiceIn(BaseModel):
    model_config = STRICT_BODY

    name: Name
    duration_min: Minutes
    price_minor: Price = 0
    currency: Currency = "KGS"
    active: StrictBool = True


class ServicePatch(BaseModel):
    model_config = STRICT_BODY

    name: Name | None = None
    duration_min: Minutes | None = None
    price_minor: Price | None = None
    currency: Currency | None = None
    active: StrictBool | None = None


class ServiceOut(BaseModel):
    id: int
    name: str
    duration_min: int
    price_minor: int
    currency: str
    active: bool


# -- specialists ---------------------------------------------------------------------------
class SpecialistIn(BaseModel):
    model_config = STRICT_BODY

    name: Name
    service_ids: list[PositiveId] = Field(default_factory=list, max_length=200)
    active: StrictBool = True


class SpecialistPatch(BaseModel):
    model_config = STRICT_BODY

    name: Name | None = None
    service_ids: list[PositiveId] | None = Field(default=None, max_length=200)
    active: StrictBool | None = None


class SpecialistOut(BaseModel):
    id: int
    name: str
    active: bool
    user_id: int | None
    service_ids: list[int]
    invite_code: str | None = Field(description="Shown to administrators only")


# -- working hours and exceptions ----------------------------------------------------------
class HoursIn(BaseModel):
    model_config = STRICT_BODY

    specialist_id: PositiveId
    location_id: PositiveId
    weekday: Weekday
    start_min: DayMinute
    end_min: DayMinute


class HoursPatch(BaseModel):
    model_config = STRICT_BODY

    weekday: Weekday | None = None
    start_min: DayMinute | None = None
    end_min: DayMinute | None = None


class HoursOut(BaseModel):
    id: int
    specialist_id: int
    location_id: int
    weekday: int
    start_min: int
    end_min: int


class ExceptionIn(BaseModel):
    """A date that differs from the week: no minutes for a day off, or the changed hours."""

    model_config = STRICT_BODY

    specialist_id: PositiveId
    location_id: PositiveId
    day: JsonDate = Field(description="The local date, YYYY-MM-DD")
    start_min: DayMinute | None = None
    end_min: DayMinute | None = None


class ExceptionPatch(BaseModel):
    model_config = STRICT_BODY

    start_min: DayMinute | None = None
    end_min: DayMinute | None = None
    day_off: StrictBool = False


class ExceptionOut(BaseModel):
    id: int
    specialist_id: int
    location_id: int
    day: date
    start_min: int | None
    end_min: int | None


# -- slots and bookings --------------------------------------------------------------------
class SlotOut(BaseModel):
    start: datetime
    specialist_ids: list[int]


class BookingIn(BaseModel):
    model_config = STRICT_BODY

    location_id: PositiveId
    service_id: PositiveId
    specialist_id: PositiveId | None = Field(default=None, description="None: anyone free")
    start: JsonMoment = Field(description="A free start from /api/booking/slots, with its offset")
    client_id: PositiveId | None = Field(
        default=None, description="Administrators book for a client; a client books for self"
    )


class Move(BaseModel):
    model_config = STRICT_BODY

    start: JsonMoment = Field(description="The new start, with its UTC offset")


class BookingOut(BaseModel):
    id: int
    status: Status
    client_id: int
    client_name: str
    specialist_id: int
    specialist_name: str
    service_id: int
    service_name: str
    location_id: int
    location_name: str
    starts_at: datetime
    ends_at: datetime
    duration_min: int
    price_minor: int
    currency: str


class BookingPage(BaseModel):
    items: list[BookingOut]
    total: int
    limit: int
    offset: int


class RoleChange(BaseModel):
    """Make a person an administrator, or take it back (`client`)."""

    model_config = STRICT_BODY

    role: Literal["admin", "client"]


class PersonOut(BaseModel):
    id: int
    name: str
    role: Role
    phone: str | None
    reachable: bool = Field(description="Whether the person has a chat the app can write to")


class PhoneAsk(BaseModel):
    """Sign in as the account with this phone number."""

    model_config = STRICT_BODY

    phone: str = Field(min_length=5, max_length=32, pattern=r"^\+?[0-9 ()-]+$")


class UsernameAsk(BaseModel):
    """Sign in as the account with this Telegram username."""

    model_config = STRICT_BODY

    username: str = Field(min_length=1, max_length=65, pattern=r"^@?[A-Za-z0-9_]+$")


SignInAsk = PhoneAsk | UsernameAsk


class SignInSent(BaseModel):
    request_id: int
    expires_in: int = Field(description="Seconds the code is valid")


class SignInCode(BaseModel):
    model_config = STRICT_BODY

    request_id: PositiveId
    code: str = Field(pattern=r"^[0-9]{6}$")


class AccessToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    user_id: int
    role: Role
