"""The users file of ``integrations-core serve``: who may log in, and what their roles grant.

A JSON array of objects::

    [{"_id": "u-alice", "username": "alice", "password": "alice-pw", "authToken": "tok-alice",
      "permissions": ["manage-own-incoming-integrations"], "roles": ["user"]}]

``_id`` and ``username`` are required; ``password`` (for ``POST /api/v1/login``) or
``authToken`` (sent as ``X-Auth-Token`` directly) must be given, or the user could never log
in. ``permissions`` names any of the four integration permissions; ``roles`` are Rocket.Chat's
default roles, mapped to permissions by :data:`ROLE_PERMISSIONS`. ``name`` and ``email`` are
optional and only shown by ``/api/v1/me``. Anything else is refused, so a typo cannot silently
take a permission away.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..datafiles import read_text
from ..model import Permission

_PERMISSIONS = frozenset(p.value for p in Permission)
_ALL_FOUR = frozenset(_PERMISSIONS)

# Rocket.Chat's default role table (apps/meteor/app/authorization/server/constant/permissions.ts):
# each of the four integration permissions is granted to ["admin"] and to no other role. The
# roles are those upsertPermissions.ts creates (admin, moderator, leader, owner, user, bot, app,
# guest, anonymous, livechat-agent, livechat-manager) and the others that permission table
# names (livechat-monitor, federated-external, important-message-marker).
ROLE_PERMISSIONS: Mapping[str, frozenset[str]] = {
    "admin": _ALL_FOUR,
    **{role: frozenset() for role in (
        "moderator", "leader", "owner", "user", "bot", "app", "guest", "anonymous",
        "livechat-agent", "livechat-manager", "livechat-monitor", "federated-external",
        "important-message-marker",
    )},
}
"""Which of the four integration permissions each of Rocket.Chat's default roles grants."""

_FIELDS = ("_id", "username", "password", "authToken", "permissions", "roles", "name", "email")


class UsersError(ValueError):
    """A users file that cannot be served; the message names the file and the user at fault."""


@dataclass(frozen=True)
class User:
    """One account of the users file, its roles already turned into permissions."""

    id: str
    username: str
    password: str | None = None
    auth_token: str | None = None
    permissions: frozenset[str] = frozenset()
    roles: tuple[str, ...] = ()
    name: str | None = None
    email: str | None = None


def parse_users(text: str, source: str = "<users>") -> tuple[User, ...]:
    """The users in ``text`` (a JSON array), validated; raises :class:`UsersError`."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsersError(f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                         f"{exc.msg}") from None
    except (RecursionError, ValueError) as exc:
        raise UsersError(f"{source}: invalid JSON: {exc}") from None
    if not isinstance(raw, list):
        raise UsersError(f"{source}: expected a JSON array of users")
    users = tuple(_user(item, f"{source}: user {index}") for index, item in enumerate(raw))
    _check_unique(users, source)
    return users


def load_users(path: str) -> tuple[User, ...]:
    """The users of the file ``path``; raises :class:`UsersError`."""
    return parse_users(read_text(path, UsersError), path)


def _user(item: Any, where: str) -> User:
    if not isinstance(item, dict):
        raise UsersError(f"{where}: expected a JSON object")
    unknown = [key for key in item if key not in _FIELDS]
    if unknown:
        raise UsersError(f"{where}: unknown field {unknown[0]!r} (allowed: {', '.join(_FIELDS)})")
    user_id = _required(item, "_id", where)
    where = f"{where} ({user_id})"
    username = _required(item, "username", where)
    password = _text(item, "password", where)
    token = _text(item, "authToken", where)
    if password is None and token is None:
        raise UsersError(f"{where}: needs a password or an authToken to be able to log in")
    permissions = _names(item, "permissions", where)
    for name in permissions:
        if name not in _PERMISSIONS:
            raise UsersError(f"{where}: unknown permission {name!r} "
                             f"(known: {', '.join(sorted(_PERMISSIONS))})")
    roles = _names(item, "roles", where)
    granted = set(permissions)
    for role in roles:
        if role not in ROLE_PERMISSIONS:
            raise UsersError(f"{where}: {role!r} is not one of Rocket.Chat's default roles "
                             f"({', '.join(ROLE_PERMISSIONS)}); list a custom role's "
                             "permissions under \"permissions\"")
        granted |= ROLE_PERMISSIONS[role]
    return User(user_id, username, password, token, frozenset(granted), tuple(roles),
                _text(item, "name", where), _text(item, "email", where))


def _required(item: Mapping[str, Any], key: str, where: str) -> str:
    value = _text(item, key, where)
    if value is None:
        raise UsersError(f"{where}: missing {key!r}")
    return value


def _text(item: Mapping[str, Any], key: str, where: str) -> str | None:
    if key not in item:
        return None
    value = item[key]
    if not isinstance(value, str) or not value:
        raise UsersError(f"{where}: {key!r} must be a non-empty string")
    return value


def _names(item: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsersError(f"{where}: {key!r} must be an array of strings")
    return tuple(value)


def _check_unique(users: tuple[User, ...], source: str) -> None:
    for label, attr in (("_id", "id"), ("username", "username"), ("email", "email"),
                        ("authToken", "auth_token")):
        seen: set[str] = set()
        for user in users:
            value: str | None = getattr(user, attr)
            if value is None:
                continue
            folded = value.lower() if label in ("username", "email") else value
            if folded in seen:
                shown = "a token" if label == "authToken" else repr(value)
                raise UsersError(f"{source}: {label} {shown} is used by more than one user "
                                 f"(again by {user.id!r})")
            seen.add(folded)
