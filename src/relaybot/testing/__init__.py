"""Test doubles that ship with relaybot, so bot authors can test their bots as users would.

`RelaybotServer` runs a whole relaybot (gateway, worker, sender) in the test's event loop on a
free port; `WebchatClient` talks to its web chat over HTTP and WebSocket like a browser does.
`TelegramStandin`, `Chat2DeskStandin` and `MattermostStandin` stand in for the messengers'
APIs on loopback and play their users. `ChatDriver` talks to the bots of a `System` without
HTTP and sees every chat's messages.
"""

from relaybot.testing.chat2desk_standin import Chat2DeskStandin
from relaybot.testing.driver import ChatDriver, Delivered, DrivenChat
from relaybot.testing.mattermost_standin import MattermostStandin
from relaybot.testing.server import RelaybotServer, free_port
from relaybot.testing.telegram_standin import TelegramStandin
from relaybot.testing.webchat import WebchatClient

__all__ = [
    "Chat2DeskStandin",
    "ChatDriver",
    "Delivered",
    "DrivenChat",
    "MattermostStandin",
    "RelaybotServer",
    "TelegramStandin",
    "WebchatClient",
    "free_port",
]
