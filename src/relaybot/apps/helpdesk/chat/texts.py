"""Texts the help desk shows in more than one place."""

from __future__ import annotations

from relaybot import N_

GREETING = N_(
    "Hello! This is a help desk: tell us what you need, and a person who can help will "
    "answer you right here."
)
HELP = N_(
    "How it works: choose New request, pick a place and the kind of help, and describe what "
    "you need. A helper takes your request and you talk here; close it when you got help.\n\n"
    "Typed commands: /menu, /new, /my, /open N, /exit, /history, /close, /cancel, /id.\n"
    "Helpers: /next takes the next waiting request, /decline gives it back.\n"
    "Moderators: /queue [status], /join N, /leave N.\n"
    "Administrators: /scenarios, /link USER CATEGORY, /unlink USER CATEGORY, "
    "/grant USER ROLE, /revoke USER ROLE."
)
