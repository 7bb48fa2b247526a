"""Test doubles that ship with relaybot, so bot authors can test their bots as users would.

`RelaybotServer` runs a whole relaybot (gateway, worker, sender) in the test's event loop on a
free port; `WebchatClient` talks to its web chat over HTTP and WebSocket like a browser does.
`TelegramStandin`, `Chat2DeskStandin` and `MattermostStandin` stand in for the messengers'
APIs on loopback and play their users; `ServiceStandin` is a CRM an app calls. `ChatDriver`
talks to the bots of a `System` without HTTP and sees every chat's messages; a `Person` of it
keeps track of what was read. `RelaybotProcess` runs relaybot commands as child processes to be
killed and restarted, and `eventually` waits for what they will do.
"""

from relaybot.testing.chat2desk_standin import Chat2DeskStandin
from relaybot.testing.driver import ChatDriver, Delivered, DrivenChat, Person
from relaybot.testing.mattermost_standin import MattermostStandin
from relaybot.testing.processes import RelaybotProcess, relaybot_env
from relaybot.testing.server import RelaybotServer, free_port
from relaybot.testing.service_standin import ServiceStandin
from relaybot.testing.telegram_standin import TelegramStandin
from relaybot.testing.waiting import eventually
from relaybot.testing.webchat import WebchatClient

__all__ = [
    "Chat2DeskStandin",
    "ChatDriver",
    "Delivered",
    "DrivenChat",
    "MattermostStandin",
    "Person",
    "RelaybotProcess",
    "RelaybotServer",
    "ServiceStandin",
    "TelegramStandin",
    "WebchatClient",
    "eventually",
    "free_port",
    "relaybot_env",
]
