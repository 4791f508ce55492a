"""The ASGI application: Rocket.Chat's login, logout, me, info and integrations.list routes.

Paths match as Rocket.Chat's Express router matches them (not case-sensitive, one trailing
slash allowed), never by redirecting. Handlers are synchronous and quick: every request's work
is bounded by :class:`~integrations_core.Settings`, so they run on the event loop itself.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from .. import responses
from ..listing import list_integrations
from ..model import Caller
from ..responses import Response
from ..settings import DEFAULT_SETTINGS, Settings
from ..store import IntegrationStore
from . import replies
from .asgi import Receive, Request, Scope, Send, lifespan, read_request, write_response
from .auth import Directory
from .users import User

LOG = logging.getLogger("integrations_core.server")
MAX_BODY = 64 * 1024
_LOGIN_FIELDS = frozenset({"user", "username", "email", "password", "code"})

Handler = Callable[[Request], Response]


class IntegrationsServer:
    """An ASGI 3 application serving ``records`` to the users of ``users``.

    ``records`` are copied once, here, into an :class:`~integrations_core.IntegrationStore`
    (``_id`` unique, so a repeat raises ``DuplicateIdError``); a store is served as it is, so
    writes to it are seen by the next request. ``users`` is a sequence of
    :class:`~integrations_core.server.users.User` (see ``load_users``) or a ``Directory``.
    ``settings`` are the endpoint's (``Settings.rocketchat_7()`` for a 7.x server's quirks).
    """

    def __init__(
        self,
        records: Iterable[Mapping[str, Any]] | IntegrationStore,
        users: Iterable[User] | Directory,
        settings: Settings = DEFAULT_SETTINGS,
        *,
        version: str = replies.ROCKETCHAT_VERSION,
        max_body: int = MAX_BODY,
    ) -> None:
        self.store = records if isinstance(records, IntegrationStore) else IntegrationStore(records)
        self.directory = users if isinstance(users, Directory) else Directory(users)
        self.settings = settings
        self.version = version
        self.max_body = max_body
        self.routes: dict[str, dict[str, Handler]] = {
            "/api/v1/login": {"POST": self._login},
            "/api/v1/logout": {"GET": self._logout, "POST": self._logout},
            "/api/v1/me": {"GET": self._me},
            "/api/info": {"GET": self._info},
            "/api/v1/integrations.list": {"GET": self._list},
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":  # e.g. a websocket: refuse it
            await send({"type": "websocket.close", "code": 1003})
            return
        started = time.perf_counter()
        request = await read_request(scope, receive, self.max_body)
        try:
            response = self.handle(request)
        except Exception:  # a bug here: answer Rocket.Chat's 500, keep serving
            LOG.exception("error answering %s %s", request.method, request.path)
            response = replies.internal_error()
        await write_response(send, response, head=request.method == "HEAD")
        LOG.info('%s "%s %s" %d %s %.1fms', request.client, request.method, request.path,
                 response.status, request.user or "-", (time.perf_counter() - started) * 1000)

    def handle(self, request: Request) -> Response:
        """The response to ``request``: its route's answer, or a JSON 404/405."""
        route = self.routes.get(_route_key(request.path))
        if route is None:
            return replies.not_found()
        method = "GET" if request.method == "HEAD" else request.method
        handler = route.get(method)
        if handler is None:
            allowed = sorted({*route, "HEAD"} if "GET" in route else route)
            return replies.method_not_allowed(allowed)
        if request.body_too_large:
            return replies.too_large(self.max_body)
        return handler(request)

    # --- routes ---------------------------------------------------------------------------

    def _authenticated(self, request: Request) -> User | None:
        user = self.directory.authenticate(request.headers.get("x-user-id"),
                                           request.headers.get("x-auth-token"))
        request.user = user.id if user else None
        return user

    def _list(self, request: Request) -> Response:
        user = self._authenticated(request)
        caller = None if user is None else Caller(user.id, user.permissions)
        pairs = parse_qsl(request.query, keep_blank_values=True)
        return list_integrations(self.store, caller, pairs, self.settings)

    def _me(self, request: Request) -> Response:
        user = self._authenticated(request)
        if user is None:
            return responses.unauthorized()
        return replies.me_response(user, request.site_url)

    def _info(self, request: Request) -> Response:
        return replies.info(self.version)

    def _logout(self, request: Request) -> Response:
        user = self._authenticated(request)
        if user is None:
            return responses.unauthorized()
        self.directory.revoke(request.headers["x-auth-token"])
        return replies.logged_out()

    def _login(self, request: Request) -> Response:
        """Rocket.Chat's ``loginCompatibility`` then Meteor's resume and password handlers."""
        try:
            body = _body_params(request)
        except ValueError as exc:
            return replies.bad_request(str(exc))
        token = body.get("resume")
        if isinstance(token, str) and set(body) == {"resume"}:
            user = self.directory.resume(token)
            if user is None:
                return replies.login_failed(
                    403, "You've been logged out by the server. Please log in again.")
            request.user = user.id
            return replies.logged_in(user, token, request.site_url)
        password = body.get("password")
        login = _login_name(body)
        # Other bodies go to Meteor's login as they are, where no handler takes them.
        if password is None or set(body) - _LOGIN_FIELDS or login is None:
            return replies.login_failed(400, "Unrecognized options for login request")
        user = self.directory.find(login)
        if isinstance(password, str):
            ok = self.directory.check_password(user, password)
        elif (isinstance(password, dict) and isinstance(password.get("digest"), str)
              and password.get("algorithm") == "sha-256"):
            ok = self.directory.check_digest(user, password["digest"])
        else:
            return replies.login_failed(400, "Match failed")
        if not ok or user is None:
            return replies.login_failed()
        request.user = user.id
        return replies.logged_in(user, self.directory.issue_token(user), request.site_url)


def _route_key(path: str) -> str:
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path.lower()


def _body_params(request: Request) -> dict[str, Any]:
    """The body as Rocket.Chat's ``bodyParams``: JSON, or a URL-encoded form."""
    if not request.body.strip():
        return {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("The request body must be a JSON object")
    return body


def _login_name(body: Mapping[str, Any]) -> str | None:
    """The username or email a login names: ``user`` (an email when it holds ``@``),
    ``{"user": {"username"|"email": ...}}``, ``username`` or ``email``."""
    user = body.get("user")
    if isinstance(user, str):
        return user
    if isinstance(user, dict):
        for key in ("username", "email"):
            if isinstance(user.get(key), str):
                return str(user[key])
        return None
    for key in ("username", "email"):
        if isinstance(body.get(key), str):
            return str(body[key])
    return None
