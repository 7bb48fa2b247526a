"""Test doubles that ship with relaybot, so bot authors can test their bots as users would.

`RelaybotServer` runs a whole relaybot (gateway, worker, sender) in the test's event loop on a
free port; `WebchatClient` talks to its web chat over HTTP and WebSocket like a browser does.
`ChatDriver` talks to the bots of a `System` without HTTP and sees every chat's messages.
"""

from relaybot.testing.driver import ChatDriver, Delivered, DrivenChat
from relaybot.testing.server import RelaybotServer, free_port
from relaybot.testing.webchat import WebchatClient

__all__ = [
    "ChatDriver",
    "Delivered",
    "DrivenChat",
    "RelaybotServer",
    "WebchatClient",
    "free_port",
]
