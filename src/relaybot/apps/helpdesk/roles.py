"""Who may do what. Every action of the help desk asks here first, whatever the channel.

Everyone is a requester. A provider is someone linked to at least one scenario. Moderator and
admin are granted by an admin; an admin may do everything a moderator may.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from relaybot import N_

from .models import HelpdeskUser


class Role(StrEnum):
    REQUESTER = "requester"
    PROVIDER = "provider"
    MODERATOR = "moderator"
    ADMIN = "admin"


GRANTABLE = (Role.MODERATOR, Role.ADMIN)

ROLE_LABELS = {
    Role.REQUESTER: N_("requester"),
    Role.PROVIDER: N_("helper"),
    Role.MODERATOR: N_("moderator"),
    Role.ADMIN: N_("admin"),
}


class Label(str):
    """A text id passed as a value of another text; translated when the text is rendered."""

    __slots__ = ()


class Refused(Exception):
    """An action this person may not do, or that cannot be done now; nothing was changed.

    `message` is an English text id rendered in the person's language with `values`.
    """

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass
class Actor:
    """A help desk user with what they are allowed to do, loaded once per update."""

    user: HelpdeskUser
    scenario_ids: frozenset[int]

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def roles(self) -> frozenset[Role]:
        roles = {Role.REQUESTER}
        if self.scenario_ids:
            roles.add(Role.PROVIDER)
        if self.user.is_moderator:
            roles.add(Role.MODERATOR)
        if self.user.is_admin:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    @property
    def is_provider(self) -> bool:
        return bool(self.scenario_ids)

    @property
    def can_moderate(self) -> bool:
        return self.user.is_moderator or self.user.is_admin

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin


def require_provider(actor: Actor) -> None:
    if not actor.is_provider:
        raise Refused(
            N_(
                "Only helpers can take requests. If you want to help, ask an administrator "
                "to link you to a category (your id is {user_id})."
            ),
            user_id=actor.id,
        )


def require_moderator(actor: Actor) -> None:
    if not actor.can_moderate:
        raise Refused(N_("Sorry, only moderators can do that."))


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Refused(N_("Sorry, only administrators can do that."))
