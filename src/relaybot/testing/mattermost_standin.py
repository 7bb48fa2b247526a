"""A Mattermost server stand-in: REST API v4 for a bot account, plus its people.

It answers the calls a bot makes (`/users/me`, `/channels/direct`, `/posts`,
`/actions/dialogs/open`) and plays the people: running a slash command, pressing a message
button, filling in an interactive dialog, posting where an outgoing webhook listens::

    async with MattermostStandin() as mattermost:
        mattermost.add_bot(TOKEN)
        mattermost.add_command("order", url=f"{relaybot}/webhook/mattermost/orders/command",
                               token=COMMAND_TOKEN)
        aida = mattermost.user("aida")
        ack = await aida.run_command("/order")          # the ephemeral answer
        await aida.wait_for_dialog()
        await aida.submit({"address": "...", "phone": "...", "bottles": "3"})

Trigger ids expire like the server's (3 s by default). Run it alone with
`python -m relaybot.testing.mattermost_standin --port 8065`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from relaybot.testing.standin import StandinServer, read_params, serve_forever

POST_LIMIT = 16383
TITLE_LIMIT = 24


def new_id() -> str:
    """Mattermost ids are 26 lowercase letters and digits."""
    return uuid.uuid4().hex[:26]


class ApiError(Exception):
    def __init__(self, status: int, error_id: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message

    def response(self) -> JSONResponse:
        body = {
            "id": self.error_id,
            "message": self.message,
            "detailed_error": "",
            "request_id": new_id(),
            "status_code": self.status,
        }
        return JSONResponse(body, status_code=self.status)


@dataclass
class Post:
    id: str
    channel_id: str
    user_id: str
    message: str
    props: dict[str, Any]
    at: float = field(default_factory=time.time)

    @property
    def actions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for attachment in self.props.get("attachments") or []:
            found.extend(attachment.get("actions") or [])
        return found

    @property
    def labels(self) -> list[str]:
        return [str(a.get("name")) for a in self.actions]


@dataclass
class Dialog:
    user_id: str
    url: str
    dialog: dict[str, Any]
    at: float = field(default_factory=time.time)
    submitted: bool = False


@dataclass
class Command:
    trigger: str
    url: str
    token: str


@dataclass
class OutgoingHook:
    channel_id: str
    url: str
    token: str
    trigger_words: list[str]


class MattermostStandin(StandinServer):
    name = "mattermost"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, trigger_ttl: float = 3.0) -> None:
        super().__init__(host=host, port=port)
        self.trigger_ttl = trigger_ttl
        self.team_id = new_id()
        self.bots: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.posts: list[Post] = []
        self.dialogs: list[Dialog] = []
        self.commands: dict[str, Command] = {}
        self.outgoing: list[OutgoingHook] = []
        self.ephemeral: list[tuple[str, str]] = []
        self._triggers: dict[str, tuple[str, float]] = {}
        self._http: httpx.AsyncClient | None = None
        self.town_square = self.add_channel("town-square")

    # -- set-up -----------------------------------------------------------------------------
    def add_bot(self, token: str, *, username: str = "relaybot") -> str:
        """A bot account whose personal access token is `token`; returns its user id."""
        user: dict[str, Any] = {"id": new_id(), "username": username, "is_bot": True}
        self.bots[token] = user
        self.users[user["id"]] = user
        return str(user["id"])

    def user(self, username: str = "aida") -> MattermostUser:
        for user in self.users.values():
            if user["username"] == username:
                return MattermostUser(self, user)
        user = {"id": new_id(), "username": username, "is_bot": False}
        self.users[user["id"]] = user
        return MattermostUser(self, user)

    def add_channel(self, name: str) -> str:
        channel: dict[str, Any] = {
            "id": new_id(),
            "name": name,
            "type": "O",
            "team_id": self.team_id,
        }
        self.channels[channel["id"]] = channel
        return str(channel["id"])

    def add_command(self, trigger: str, *, url: str, token: str | None = None) -> Command:
        command = Command(trigger.lstrip("/"), url, token or new_id())
        self.commands[command.trigger] = command
        return command

    def add_outgoing_webhook(
        self, channel_id: str, *, url: str, token: str, trigger_words: tuple[str, ...] = ()
    ) -> OutgoingHook:
        hook = OutgoingHook(channel_id, url, token, list(trigger_words))
        self.outgoing.append(hook)
        return hook

    def direct_channel(self, a: str, b: str) -> str:
        name = "__".join(sorted((a, b)))
        for known in self.channels.values():
            if known["name"] == name:
                return str(known["id"])
        channel_id = new_id()
        self.channels[channel_id] = {"id": channel_id, "name": name, "type": "D", "team_id": ""}
        return channel_id

    def issue_trigger(self, user_id: str) -> str:
        trigger = f"{new_id()}:{user_id}:{int(time.time() * 1000)}"
        self._triggers[trigger] = (user_id, time.monotonic())
        return trigger

    def posts_in(self, channel_id: str) -> list[Post]:
        return [p for p in self.posts if p.channel_id == channel_id]

    async def deliver(self, url: str, **kwargs: Any) -> httpx.Response:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=30)
        return await self._http.post(url, **kwargs)

    # -- the REST API -----------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [Route("/api/v4/{path:path}", self._api, methods=["GET", "POST", "PUT"])]

    async def _api(self, request: Request) -> Response:
        path = request.path_params["path"]
        method = f"{request.method} {path}"
        try:
            params = await read_params(request)
        except ValueError:
            params = {}
        call = self.record(method, request, params)
        try:
            bot = self._authorise(request)
            fault = await self.fault_for(method, params, request)
            if fault is not None:
                error = ApiError(fault.status, "standin.fault", fault.description or "fault")
                response = error.response()
                if fault.retry_after is not None:
                    response.headers["X-Ratelimit-Reset"] = str(int(fault.retry_after))
                call.status = fault.status
                return response
            result = self._handle(bot, request.method, path, params)
        except ApiError as error:
            call.status = error.status
            return error.response()
        call.status = 201 if method == "POST posts" else 200
        self.changed()
        return JSONResponse(result, status_code=call.status)

    def _authorise(self, request: Request) -> dict[str, Any]:
        header = request.headers.get("authorization", "")
        token = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
        bot = self.bots.get(token)
        if bot is None:
            raise ApiError(
                401,
                "api.context.session_expired.app_error",
                "Invalid or expired session, please login again.",
            )
        return bot

    def _handle(self, bot: dict[str, Any], verb: str, path: str, params: dict[str, Any]) -> Any:
        if verb == "GET" and path == "users/me":
            return bot
        if verb == "POST" and path == "channels/direct":
            ids = params.get("_body")
            if not isinstance(ids, list) or len(ids) != 2:
                raise ApiError(400, "api.context.invalid_body_param.app_error", "Invalid user ids")
            if bot["id"] not in ids:
                raise ApiError(403, "api.context.permissions.app_error", "No permission")
            channel_id = self.direct_channel(str(ids[0]), str(ids[1]))
            return self.channels[channel_id]
        if verb == "POST" and path == "posts":
            channel_id = str(params.get("channel_id") or "")
            message = str(params.get("message") or "")
            props = params.get("props") or {}
            if channel_id not in self.channels:
                raise ApiError(403, "api.context.permissions.app_error", "No permission")
            if len(message) > POST_LIMIT:
                raise ApiError(400, "model.post.is_valid.msg.app_error", "Invalid message")
            if not message and not props.get("attachments"):
                raise ApiError(400, "api.post.create_post.empty", "Post is empty")
            for action in Post("", "", "", "", props).actions:
                if not (action.get("integration") or {}).get("url"):
                    raise ApiError(400, "model.post.is_valid.props", "Action without URL")
            post = Post(new_id(), channel_id, str(bot["id"]), message, props)
            self.posts.append(post)
            return {
                "id": post.id,
                "create_at": int(post.at * 1000),
                "user_id": post.user_id,
                "channel_id": channel_id,
                "message": message,
                "props": props,
            }
        if verb == "POST" and path == "actions/dialogs/open":
            trigger = str(params.get("trigger_id") or "")
            issued = self._triggers.pop(trigger, None)
            if issued is None or time.monotonic() - issued[1] > self.trigger_ttl:
                raise ApiError(
                    400,
                    "api.action.dialog.trigger_expired",
                    "Trigger ID for interactive dialog is expired.",
                )
            dialog = params.get("dialog") or {}
            if not params.get("url") or not isinstance(dialog, dict):
                raise ApiError(400, "interactive_dialog.url.app_error", "Invalid dialog")
            if not dialog.get("title") or len(str(dialog["title"])) > TITLE_LIMIT:
                raise ApiError(400, "interactive_dialog.title.app_error", "Invalid title")
            for element in dialog.get("elements") or []:
                if len(str(element.get("display_name", ""))) > TITLE_LIMIT:
                    raise ApiError(400, "interactive_dialog.element.app_error", "Invalid element")
            self.dialogs.append(Dialog(issued[0], str(params["url"]), dialog))
            return {"status": "OK"}
        if verb == "POST" and path == "commands":
            command = self.add_command(str(params.get("trigger")), url=str(params.get("url")))
            return {"id": new_id(), "token": command.token, "trigger": command.trigger}
        raise ApiError(404, "api.context.404.app_error", "Sorry, we could not find the page.")

    def control_routes(self) -> list[Route]:
        async def posts(request: Request) -> Response:
            channel = request.query_params.get("channel_id")
            items = [
                {"id": p.id, "channel_id": p.channel_id, "message": p.message, "at": p.at}
                for p in self.posts
                if channel is None or p.channel_id == channel
            ]
            return JSONResponse({"posts": items})

        return [Route("/_standin/mattermost/posts", posts, methods=["GET"])]

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        await super().stop()


class MattermostUser:
    """A person on the Mattermost server talking to the bot."""

    def __init__(self, standin: MattermostStandin, user: dict[str, Any]) -> None:
        self.standin = standin
        self.user = user
        self.id = str(user["id"])
        self.username = str(user["username"])

    @property
    def bot_id(self) -> str:
        for bot in self.standin.bots.values():
            return str(bot["id"])
        raise LookupError("add_bot() first")

    @property
    def dm_channel(self) -> str:
        return self.standin.direct_channel(self.bot_id, self.id)

    @property
    def messages(self) -> list[Post]:
        """The bot's posts in the direct channel with this person."""
        return self.standin.posts_in(self.dm_channel)

    def buttons(self) -> list[str]:
        for post in reversed(self.messages):
            if post.actions:
                return post.labels
        return []

    @property
    def dialog(self) -> Dialog | None:
        """The dialog open on this person's screen, if any."""
        for opened in reversed(self.standin.dialogs):
            if opened.user_id == self.id and not opened.submitted:
                return opened
        return None

    async def run_command(
        self, line: str, *, channel_id: str | None = None, token: str | None = None
    ) -> httpx.Response:
        """Type `/trigger args` in a channel; the integration's immediate answer."""
        trigger, _, args = line.lstrip("/").partition(" ")
        command = self.standin.commands.get(trigger)
        if command is None:
            raise LookupError(f"no slash command /{trigger}")
        channel = channel_id or self.standin.town_square
        fields = {
            "channel_id": channel,
            "channel_name": self.standin.channels[channel]["name"],
            "command": f"/{trigger}",
            "response_url": f"{self.standin.url}/hooks/commands/{new_id()}",
            "team_domain": "team",
            "team_id": self.standin.team_id,
            "text": args,
            "token": command.token if token is None else token,
            "trigger_id": self.standin.issue_trigger(self.id),
            "user_id": self.id,
            "user_name": self.username,
        }
        headers = {"Authorization": f"Token {fields['token']}"} if fields["token"] else {}
        response = await self.standin.deliver(command.url, data=fields, headers=headers)
        if response.status_code == 200:
            body = response.json()
            if body.get("response_type", "ephemeral") == "ephemeral" and body.get("text"):
                self.standin.ephemeral.append((self.id, str(body["text"])))
        return response

    async def press(self, label: str, *, on: Post | None = None, **wait: Any) -> list[Post]:
        """Press the button `label` on the bot's latest post with buttons, or on the older
        post `on` (a button left behind in the channel's history)."""
        for post in [on] if on is not None else reversed(self.messages):
            if not post.actions:
                continue
            for action in post.actions:
                if action.get("name") == label:
                    start = len(self.messages)
                    integration = action["integration"]
                    body = {
                        "user_id": self.id,
                        "user_name": self.username,
                        "channel_id": post.channel_id,
                        "channel_name": self.standin.channels[post.channel_id]["name"],
                        "team_id": self.standin.team_id,
                        "team_domain": "team",
                        "post_id": post.id,
                        "trigger_id": self.standin.issue_trigger(self.id),
                        "type": "button",
                        "data_source": "",
                        "context": integration.get("context") or {},
                    }
                    response = await self.standin.deliver(integration["url"], json=body)
                    if response.status_code != 200:
                        raise AssertionError(f"the integration answered {response.status_code}")
                    answer = response.json()
                    if answer.get("ephemeral_text"):
                        self.standin.ephemeral.append((self.id, str(answer["ephemeral_text"])))
                    if wait.pop("expect", 1) == 0:
                        return []
                    return await self.replies(start, **wait)
            raise LookupError(f"no button {label!r} on the latest post: {post.labels}")
        raise LookupError("the bot has posted no buttons")

    async def wait_for_dialog(self, *, timeout: float = 10.0) -> Dialog:
        await self.standin.wait_until(lambda: self.dialog is not None, timeout=timeout)
        opened = self.dialog
        if opened is None:
            raise AssertionError("no dialog opened")
        return opened

    async def submit(self, values: dict[str, Any], **wait: Any) -> list[Post]:
        """Fill in the open dialog with `values` and press its submit button."""
        opened = self.dialog
        if opened is None:
            raise LookupError("no dialog is open")
        start = len(self.messages)
        body = {
            "type": "dialog_submission",
            "callback_id": opened.dialog.get("callback_id", ""),
            "state": opened.dialog.get("state", ""),
            "user_id": self.id,
            "channel_id": self.dm_channel,
            "team_id": self.standin.team_id,
            "submission": values,
            "cancelled": False,
        }
        response = await self.standin.deliver(opened.url, json=body)
        if response.status_code != 200:
            raise AssertionError(f"the dialog's URL answered {response.status_code}")
        answer = response.json() if response.content else {}
        if not (isinstance(answer, dict) and answer.get("errors")):
            opened.submitted = True
        return await self.replies(start, **wait)

    async def post_in_channel(self, channel_id: str, text: str) -> list[httpx.Response]:
        """Write in a public channel; outgoing webhooks listening there are called."""
        post = Post(new_id(), channel_id, self.id, text, {})
        answers = []
        for hook in self.standin.outgoing:
            words = [w for w in hook.trigger_words if text.startswith(w)]
            if hook.channel_id != channel_id or (hook.trigger_words and not words):
                continue
            fields = {
                "channel_id": channel_id,
                "channel_name": self.standin.channels[channel_id]["name"],
                "team_domain": "team",
                "team_id": self.standin.team_id,
                "post_id": post.id,
                "text": text,
                "timestamp": str(int(post.at * 1000)),
                "token": hook.token,
                "trigger_word": words[0] if words else "",
                "user_id": self.id,
                "user_name": self.username,
                "file_ids": "",
            }
            answers.append(await self.standin.deliver(hook.url, data=fields))
        return answers

    async def replies(
        self, start: int, *, expect: int = 1, timeout: float = 10.0, quiet: float = 0.3
    ) -> list[Post]:
        await self.standin.wait_until(lambda: len(self.messages) - start >= expect, timeout=timeout)
        seen = len(self.messages)
        while True:
            await asyncio.sleep(quiet)
            if len(self.messages) == seen:
                return self.messages[start:]
            seen = len(self.messages)


if __name__ == "__main__":
    serve_forever(
        lambda host, port: MattermostStandin(host=host, port=port),
        "A Mattermost server stand-in for tests",
    )
