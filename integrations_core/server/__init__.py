"""A Rocket.Chat-compatible HTTP server for integrations.list, as a framework-free ASGI app.

::

    from integrations_core.server import IntegrationsServer, load_users, serve
    app = IntegrationsServer(records, load_users("users.json"))   # any ASGI server runs it
    serve(app, "127.0.0.1", 3000)                                   # on uvicorn (extra "server")

Routes: ``POST /api/v1/login``, ``GET|POST /api/v1/logout``, ``GET /api/v1/me``,
``GET /api/info``, ``GET /api/v1/integrations.list``; anything else is a JSON 404 or 405.
See docs/serving.md.
"""

from __future__ import annotations

from integrations_core.server.app import IntegrationsServer
from integrations_core.server.auth import Directory
from integrations_core.server.replies import ROCKETCHAT_VERSION
from integrations_core.server.run import ServerUnavailable, serve
from integrations_core.server.users import (
    ROLE_PERMISSIONS,
    User,
    UsersError,
    load_users,
    parse_users,
)

__all__ = [
    "ROCKETCHAT_VERSION",
    "ROLE_PERMISSIONS",
    "Directory",
    "IntegrationsServer",
    "ServerUnavailable",
    "User",
    "UsersError",
    "load_users",
    "parse_users",
    "serve",
]
