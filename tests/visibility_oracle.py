"""An oracle for who sees what, written from DESIGN 4.1's table, independent of visibility.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrations_core import Caller, Permission

IN, OUT = "webhook-incoming", "webhook-outgoing"


def visible(record: Mapping[str, Any], caller: Caller) -> bool:
    """DESIGN 4.1: an "all" permission shows its type; an "own" one only the caller's."""
    creator = record.get("_createdBy")
    mine = isinstance(creator, Mapping) and creator.get("_id") == caller.user_id
    held = caller.permissions
    if record.get("type") == IN:
        return Permission.MANAGE_INCOMING.value in held or (
            mine and Permission.MANAGE_OWN_INCOMING.value in held)
    if record.get("type") == OUT:
        return Permission.MANAGE_OUTGOING.value in held or (
            mine and Permission.MANAGE_OWN_OUTGOING.value in held)
    return False
