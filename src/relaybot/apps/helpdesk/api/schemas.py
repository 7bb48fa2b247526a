"""Request and response bodies of the help desk REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from ..models import DESCRIPTION_MAX, NAME_MAX

Status = Literal["new", "in_progress", "closed", "cancelled"]
MemberRole = Literal["requester", "provider", "moderator"]
UserRole = Literal["requester", "provider", "moderator", "admin"]


def _not_blank(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("must not be blank")
    return cleaned


class NamedIn(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX, examples=["Bishkek"])
    description: str = Field(default="", max_length=DESCRIPTION_MAX)

    _name = field_validator("name")(_not_blank)


class NamedPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)

    _name = field_validator("name")(_not_blank)


class NamedOut(BaseModel):
    id: int
    name: str
    description: str
    created_at: datetime


class Ref(BaseModel):
    id: int
    name: str


class ScenarioIn(BaseModel):
    place_id: int = Field(gt=0)
    resource_id: int = Field(gt=0)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    active: bool = True


class ScenarioPatch(BaseModel):
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    active: bool | None = None


class ScenarioOut(BaseModel):
    id: int
    title: str
    place: Ref
    resource: Ref
    description: str
    active: bool
    created_at: datetime


class LinkIn(BaseModel):
    user_id: int = Field(gt=0)
    scenario_id: int = Field(gt=0)


class LinkOut(BaseModel):
    user_id: int
    scenario_id: int
    created_at: datetime


class RolesIn(BaseModel):
    """Only what is given changes; provider comes from links, requester is everyone."""

    moderator: bool | None = None
    admin: bool | None = None


class UserOut(BaseModel):
    id: int
    bot: str
    channel: str
    chat_id: str
    name: str | None
    language: str | None
    roles: list[UserRole]
    scenario_ids: list[int]
    current_demand_id: int | None
    created_at: datetime
    last_seen: datetime


class DemandOut(BaseModel):
    id: int
    status: Status
    scenario_id: int
    category: str
    requester_id: int
    provider_id: int | None
    description: str
    returned: bool = Field(description="Declined by a helper and put first in the queue.")
    created_at: datetime
    updated_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    closed_by_id: int | None


class DemandPage(BaseModel):
    items: list[DemandOut]
    total: int
    limit: int
    offset: int


class ParticipantOut(BaseModel):
    user_id: int
    role: MemberRole
    joined_at: datetime
    left_at: datetime | None
    left_reason: str | None


class MessageOut(BaseModel):
    id: int
    author_id: int
    author_role: MemberRole
    text: str
    attachments: list[dict[str, Any]]
    created_at: datetime


class DemandDetail(DemandOut):
    participants: list[ParticipantOut]
    messages: list[MessageOut]
    messages_total: int


class Problem(BaseModel):
    detail: str
