"""Who may list integrations, and which ones: permissions -> an MQL scope filter.

docs/architecture.md (Visibility) has the table.

Each granted permission contributes one scope and the caller sees their union:

==================================  ======================================================
permission                          scope
==================================  ======================================================
manage-incoming-integrations        ``{type: "webhook-incoming"}``
manage-outgoing-integrations        ``{type: "webhook-outgoing"}``
manage-own-incoming-integrations    ``{type: "webhook-incoming", "_createdBy._id": user}``
manage-own-outgoing-integrations    ``{type: "webhook-outgoing", "_createdBy._id": user}``
==================================  ======================================================

Rocket.Chat 7.x (apps/meteor/app/integrations/server/lib/mountQueriesBasedOnPermission.ts)
returns ``{}`` for both "all" permissions and only ``{"_createdBy._id": user}`` whenever both
"own" permissions are held, whatever else is; this module never does either. A record whose
``_createdBy`` is null or missing has no ``_createdBy._id`` equal to a user id, so only an "all"
scope can show it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .model import INCOMING, OUTGOING, Caller, Permission, permission_names
from .mql.tree import Param

# (permission, integration type, own records only), in the order the scopes are listed.
_SCOPES: tuple[tuple[str, str, bool], ...] = (
    (Permission.MANAGE_INCOMING.value, INCOMING, False),
    (Permission.MANAGE_OUTGOING.value, OUTGOING, False),
    (Permission.MANAGE_OWN_INCOMING.value, INCOMING, True),
    (Permission.MANAGE_OWN_OUTGOING.value, OUTGOING, True),
)
LIST_PERMISSIONS = frozenset(name for name, _, _ in _SCOPES)


def can_list(permissions: Iterable[str]) -> bool:
    """True if ``permissions`` hold at least one of the four integration permissions."""
    return not LIST_PERMISSIONS.isdisjoint(permission_names(permissions))


def visibility_filter(caller: Caller) -> dict[str, Any]:
    """The MQL filter for every integration ``caller`` may see: ``{"$or": [scope, ...]}``.

    One scope per granted permission, in the table's order. A caller without any of the four
    permissions gets ``{"_id": {"$in": []}}``, valid MQL that matches nothing.
    """
    return _scope(granted(caller.permissions), caller.user_id)


USER = Param("user")
"""The caller's id in :func:`scope_template`."""


def granted(permissions: frozenset[str]) -> tuple[str, ...]:
    """The listing permissions among ``permissions``, in the table's order: what the scope
    depends on besides the user id."""
    return tuple(name for name, _, _ in _SCOPES if name in permissions)


def scope_template(names: tuple[str, ...]) -> dict[str, Any]:
    """:func:`visibility_filter` for a caller granted ``names`` (from :func:`granted`), with the
    user id left as the parameter :data:`USER`."""
    return _scope(names, USER)


def _scope(names: tuple[str, ...], user: Any) -> dict[str, Any]:
    scopes: list[dict[str, Any]] = [
        {"type": kind, "_createdBy._id": user} if own else {"type": kind}
        for name, kind, own in _SCOPES
        if name in names
    ]
    return {"$or": scopes} if scopes else {"_id": {"$in": []}}
