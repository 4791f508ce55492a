"""An oracle for what redaction must remove, written from docs/security.md ("Redaction"),
independent of integrations_core.redaction."""

from __future__ import annotations

from typing import Any


def shows(value: Any, field: str) -> bool:
    """True if ``value`` still holds the hidden ``field``: a key path (keys split at their dots,
    arrays crossed at any depth) that is the field or goes inside it."""
    return _shows(value, field.split("."))


def _shows(value: Any, parts: list[str]) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_shows(item, parts) for item in value)
    if not isinstance(value, dict):
        return False
    for key, item in value.items():
        steps = str(key).split(".")
        n = min(len(steps), len(parts))
        if steps[:n] != parts[:n]:
            continue
        if len(steps) >= len(parts) or _shows(item, parts[len(steps):]):
            return True
    return False
