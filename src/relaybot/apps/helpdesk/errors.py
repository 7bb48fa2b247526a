"""Errors of the admin operations, shared by the CLI, the REST API and the admin chat commands."""

from __future__ import annotations


class NotFound(LookupError):
    """The named place, resource, scenario, user or request does not exist."""


class Conflict(ValueError):
    """The change would break a rule of the data (a duplicate, or something still in use)."""
