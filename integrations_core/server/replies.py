"""Rocket.Chat 7.x bodies of the routes around integrations.list, as :class:`Response` objects.

Sources (RocketChat/Rocket.Chat, apps/meteor/):

* ``app/api/server/ApiClass.ts``: ``success()`` appends ``success: true``; ``notFound()`` is
  ``{success: false, error: "Resource not found"}``, ``internalError()`` the same with
  ``"Internal server error"``; the ``login`` route answers
  ``{status: "success", data: {userId, authToken, me}}`` and, on a failed login,
  ``unauthorized()`` with the legacy fields ``status``/``error``/``message`` (before 8.0), which
  tests/end-to-end/api/31-failed-login-attempts.ts checks as ``status: "error"``,
  ``message: "Unauthorized"``; ``logout`` answers ``{status: "success", data: {message:
  "You've been logged out!"}}``.
* ``app/api/server/helpers/getUserInfo.ts``: the ``me`` object (the user, ``email``,
  ``settings.profile``/``preferences``, ``avatarUrl``, ``isOAuthUser``, ``services.password``).
* ``app/api/server/default/info.ts`` and ``lib/getServerInfo.ts``: ``/api/info`` gives a caller
  without ``view-statistics`` the version without its patch number.

Rocket.Chat itself never answers 405 (an unknown method falls through to the web client's HTML);
this server answers it in the same ``{success: false, error}`` shape, with an ``Allow`` header.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..responses import HEADERS, Response
from .users import User

ROCKETCHAT_VERSION = "7.0.0"
"""The Rocket.Chat release whose API this server answers like."""


def _reply(status: int, body: dict[str, Any], **headers: str) -> Response:
    return Response(status, {**dict(HEADERS), **headers}, body)


def me(user: User, site_url: str) -> dict[str, Any]:
    """``getUserInfo(user)``: what ``/api/v1/me`` and a login say about the user."""
    info: dict[str, Any] = {"_id": user.id, "username": user.username}
    if user.email:
        info["emails"] = [{"address": user.email, "verified": True}]
    info.update({
        "status": "online",
        "active": True,
        "name": user.name or user.username,
        "roles": list(user.roles),
    })
    if user.email:
        info["email"] = user.email
    info.update({
        "settings": {"profile": {}, "preferences": {}},
        "avatarUrl": f"{site_url}/avatar/{user.username}",
        "isOAuthUser": False,
        "services": {"password": {"exists": user.password is not None}},
    })
    return info


def me_response(user: User, site_url: str) -> Response:
    """200 for ``GET /api/v1/me``."""
    return _reply(200, {**me(user, site_url), "success": True})


def logged_in(user: User, token: str, site_url: str) -> Response:
    """200 for a successful ``POST /api/v1/login``."""
    return _reply(200, {
        "status": "success",
        "data": {"userId": user.id, "authToken": token, "me": me(user, site_url)},
        "success": True,
    })


def login_failed(error: Any = "Unauthorized", message: str = "Unauthorized") -> Response:
    """401 for a login that names nobody or has the wrong password (``error``/``message`` as
    Meteor reports other login errors)."""
    return _reply(401, {"success": False, "error": error, "status": "error", "message": message})


def logged_out() -> Response:
    """200 for ``GET|POST /api/v1/logout``."""
    return _reply(200, {
        "status": "success",
        "data": {"message": "You've been logged out!"},
        "success": True,
    })


def info(version: str = ROCKETCHAT_VERSION) -> Response:
    """200 for ``GET /api/info``: the version without its patch number."""
    major_minor = ".".join(version.split(".")[:2])
    return _reply(200, {"version": major_minor, "success": True})


def not_found() -> Response:
    """404 for a path no route serves."""
    return _reply(404, {"success": False, "error": "Resource not found"})


def method_not_allowed(allowed: Iterable[str]) -> Response:
    """405 for a route asked with a method it does not serve; ``allowed`` fills ``Allow``."""
    return _reply(405, {"success": False, "error": "Method Not Allowed"},
                  allow=", ".join(allowed))


def internal_error() -> Response:
    """500 (``internalError()``), for an embedding's own failures."""
    return _reply(500, {"success": False, "error": "Internal server error"})


def bad_request(message: str) -> Response:
    """400 for a request body that cannot be read (``failure()``'s shape)."""
    return _reply(400, {"success": False, "error": message})


def too_large(limit: int) -> Response:
    """413 for a request body over ``limit`` bytes."""
    return _reply(413, {"success": False, "error": f"Request body over {limit} bytes"})
