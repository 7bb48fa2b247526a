"""The help desk's buttons: one typed payload per action, each also a typed command."""

from __future__ import annotations

from typing import Annotated, Literal

from relaybot import MaxLen, Payload

TriedRole = Literal["provider", "moderator", "admin", "requester"]


class Menu(Payload, prefix="hd.menu"): ...


class NewRequest(Payload, prefix="hd.new"): ...


class MyRequests(Payload, prefix="hd.mine"): ...


class AboutMe(Payload, prefix="hd.me"): ...


class Help(Payload, prefix="hd.help"): ...


class LeaveConversation(Payload, prefix="hd.exit"): ...


class SwitchTo(Payload, prefix="hd.open"):
    number: int


class History(Payload, prefix="hd.history"):
    number: int


class Close(Payload, prefix="hd.close"):
    number: int


class CancelRequest(Payload, prefix="hd.cancel"):
    number: int


class TakeNext(Payload, prefix="hd.take"): ...


class Decline(Payload, prefix="hd.decline"):
    number: int


class AllRequests(Payload, prefix="hd.queue"): ...


class ByStatus(Payload, prefix="hd.status"):
    status: Annotated[str, MaxLen(12)]  # the list checks it against the known statuses


class Join(Payload, prefix="hd.join"):
    number: int


class StopFollowing(Payload, prefix="hd.leave"):
    number: int


class TryRoles(Payload, prefix="hd.try"): ...


class TryRole(Payload, prefix="hd.try-as"):
    role: TriedRole
