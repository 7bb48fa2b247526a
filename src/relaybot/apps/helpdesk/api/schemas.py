"""Request and response bodies of the help desk REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, Field, StrictBool, field_validator

from relaybot import MAX_JSON_INT, NOT_BLANK, STRICT_BODY, PositiveId, is_blank

from ..models import DESCRIPTION_MAX, NAME_MAX

Status = Literal["new", "in_progress", "closed", "cancelled"]
MemberRole = Literal["requester", "provider", "moderator"]
UserRole = Literal["requester", "provider", "moderator", "admin"]
MAX_ID = MAX_JSON_INT
Id = Annotated[int, Path(gt=0, le=MAX_ID)]


class StrictIn(BaseModel):
    """A request body whose fields take exactly the JSON type the document says."""

    model_config = STRICT_BODY


def _not_blank(value: str | None) -> str | None:
    if value is None:
        return None
    if is_blank(value):
        raise ValueError("must not be blank")
    return " ".join(value.split())


class NamedIn(StrictIn):
    name: str = Field(min_length=1, max_length=NAME_MAX, pattern=NOT_BLANK, examples=["Bishkek"])
    description: str = Field(default="", max_length=DESCRIPTION_MAX)

    _name = field_validator("name")(_not_blank)


class NamedPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX, pattern=NOT_BLANK)
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


class ScenarioIn(StrictIn):
    place_id: PositiveId
    resource_id: PositiveId
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    active: StrictBool = True


class ScenarioPatch(StrictIn):
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    active: StrictBool | None = None


class ScenarioOut(BaseModel):
    id: int
    title: str
    place: Ref
    resource: Ref
    description: str
    active: bool
    created_at: datetime


class LinkIn(StrictIn):
    user_id: PositiveId
    scenario_id: PositiveId


class LinkOut(BaseModel):
    user_id: int
    scenario_id: int
    created_at: datetime


class RolesIn(StrictIn):
    """Only what is given changes; provider comes from links, requester is everyone."""

    moderator: StrictBool | None = None
    admin: StrictBool | None = None


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
