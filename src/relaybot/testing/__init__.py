"""Test doubles that ship with relaybot, so bot authors can test their bots as users would.

`RelaybotServer` runs a whole relaybot (gateway, worker, sender) in the test's event loop on a
free port; `WebchatClient` talks to its web chat over HTTP and WebSocket like a browser does.
"""

from relaybot.testing.server import RelaybotServer, free_port
from relaybot.testing.webchat import WebchatClient

__all__ = ["RelaybotServer", "WebchatClient", "free_port"]
