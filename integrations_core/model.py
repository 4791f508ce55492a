"""Integration records, the four permissions that govern listing them, and the caller.

The record types follow Rocket.Chat's ``IIntegration`` (packages/core-typings/src/IIntegration.ts):
an incoming webhook or an outgoing webhook, both extending ``IRocketChatRecord`` (``_id``,
``_updatedAt``). They describe the data; the library never requires a field to be present and
never changes a record. Dates are ``datetime`` (naive = UTC) or, as in Rocket.Chat's documented
examples, ISO-8601 strings.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Literal, TypedDict

INCOMING: Literal["webhook-incoming"] = "webhook-incoming"
OUTGOING: Literal["webhook-outgoing"] = "webhook-outgoing"
INTEGRATION_TYPES = (INCOMING, OUTGOING)

DateValue = _dt.datetime | str


class Permission(str, Enum):
    """The Rocket.Chat permissions that allow listing integrations."""

    MANAGE_INCOMING = "manage-incoming-integrations"
    MANAGE_OUTGOING = "manage-outgoing-integrations"
    MANAGE_OWN_INCOMING = "manage-own-incoming-integrations"
    MANAGE_OWN_OUTGOING = "manage-own-outgoing-integrations"


@dataclass(frozen=True, init=False)
class Caller:
    """An authenticated user: their id and the permission names their roles grant.

    ``permissions`` may be any iterable of strings or :class:`Permission` members; it is stored
    as a ``frozenset`` of plain strings (unknown names are kept and ignored).
    """

    user_id: str
    permissions: frozenset[str]

    def __init__(self, user_id: str, permissions: Iterable[str] = ()) -> None:
        if not isinstance(user_id, str) or not user_id:
            raise TypeError("Caller.user_id must be a non-empty string")
        object.__setattr__(self, "user_id", user_id)
        object.__setattr__(self, "permissions", permission_names(permissions))


def permission_names(permissions: Iterable[str]) -> frozenset[str]:
    """``permissions`` as a frozenset of plain strings (:class:`Permission` members unwrapped)."""
    if isinstance(permissions, (str, bytes)):
        raise TypeError("permissions must be an iterable of permission names, not one string")
    names = frozenset(p.value if isinstance(p, Permission) else p for p in permissions)
    if not all(isinstance(name, str) for name in names):
        raise TypeError("permissions must be strings")
    return names


class UserRef(TypedDict):
    """``Pick<IUser, '_id' | 'username'>``: who created an integration."""

    _id: str
    username: str


class ScriptError(TypedDict, total=False):
    """``Pick<Error, 'name' | 'message' | 'stack'>`` as stored after a failed script compile."""

    name: str
    message: str
    stack: str


class _IntegrationBase(TypedDict, total=False):
    _id: str
    _updatedAt: DateValue
    _createdAt: DateValue
    _createdBy: UserRef | None
    name: str
    enabled: bool
    userId: str
    username: str
    channel: list[str]
    token: str
    scriptEnabled: bool
    scriptEngine: str
    script: str
    scriptCompiled: str
    scriptError: ScriptError | None
    alias: str
    avatar: str
    emoji: str


class IncomingIntegration(_IntegrationBase, total=False):
    """``IIncomingIntegration``: a webhook that posts into Rocket.Chat."""

    type: Literal["webhook-incoming"]
    avatarUrl: str
    overrideDestinationChannelEnabled: bool


class OutgoingIntegration(_IntegrationBase, total=False):
    """``IOutgoingIntegration``: a webhook Rocket.Chat calls when an event happens."""

    type: Literal["webhook-outgoing"]
    event: str
    targetRoom: str
    urls: list[str]
    triggerWords: list[str]
    triggerWordAnywhere: bool
    runOnEdits: bool
    retryFailedCalls: bool
    retryCount: int
    retryDelay: str
    impersonateUser: bool


Integration = IncomingIntegration | OutgoingIntegration
