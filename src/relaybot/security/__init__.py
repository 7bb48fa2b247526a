"""Credentials that are not tied to a channel: passwords and JWT access tokens."""
