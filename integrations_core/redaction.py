"""``Settings.redact``: the hidden fields, the paths that would reveal them, and their removal.

The rule (docs/security.md, "Redaction"):

* A redacted field is a dotted path of field names (``token``, ``a.b``): the values at that path
  in a record, through any arrays on the way, as MongoDB reads ``a.b`` in ``{a: [{b: 1}]}``.
  A component made of digits is refused when ``Settings`` is built: MongoDB reads ``urls.0``
  as "element 0 of ``urls``" and as "field ``0``", and hiding one array element while the rest
  of the array, its length and its order stay readable hides nothing. ``_id`` cannot be hidden
  (every sort ends with it), nor can what the visibility scope reads (``type``,
  ``_createdBy._id`` and what holds or lies under them): which records a caller gets depends
  on them, so no response could be independent of their values.
* A path a request reads (a ``query``, ``sort`` or ``fields`` path, or ``name``/``type``)
  reveals a field if it is the field, inside it (``token.0``), around it (``a`` for ``a.b``),
  or one of those once numeric components below the top level are taken as array indexes
  (``a.0.b``, ``a.1.2.b``).
* Removal takes out of every returned record each key whose path (the keys above it, then the
  key itself split at its dots) is the field or inside it, at any depth of arrays: a literal
  key ``"a.b"`` (MongoDB 5.0+ stores such keys) is hidden with ``a.b``, as ``{"a": {"b": ...}}``
  is. No query, sort or projection path can address a literal dotted key, so removal is the
  only place where one could be revealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Union

from .model import Caller
from .mql import compile_filter
from .visibility import LIST_PERMISSIONS, visibility_filter

SECRET_FIELDS = frozenset({"token", "script", "scriptCompiled"})
"""The fields ``Settings(redact=True)`` removes: the webhook token and the integration script
(source and compiled), which let anyone who reads them post as the integration or read its
logic."""

Trie = dict[str, Union["Trie", bool]]
"""Hidden fields by component: ``{"a": {"b": True}}`` for ``a.b``; True ends a hidden field."""


def redacted_fields(redact: Any) -> frozenset[str]:
    """The field paths ``Settings(redact=...)`` hides; ValueError for a value it cannot honour."""
    if redact is True:
        return SECRET_FIELDS
    if redact is False or redact is None:
        return frozenset()
    if isinstance(redact, (str, bytes)) or not isinstance(redact, Iterable):
        raise ValueError("Settings.redact must be True, False or an iterable of field paths, "
                         f"not a {type(redact).__name__}")
    fields = frozenset(redact)
    for field in sorted(fields, key=repr):
        if not isinstance(field, str) or not all(
            part and not part.startswith("$") and "\x00" not in part
            for part in field.split(".")
        ):
            raise ValueError(f"Settings.redact: {field!r} is not a field path")
        if any(part.isascii() and part.isdigit() for part in field.split(".")):
            raise ValueError(f"Settings.redact: {field!r} has a numeric component, which "
                             "MongoDB also reads as an array position; redaction hides fields, "
                             "not array elements: hide the whole array or a named field")
        if field.split(".")[0] == "_id":
            raise ValueError("Settings.redact cannot hide _id (every sort ends with it)")
        scope = next((path for path in sorted(scope_paths()) if revealed(path, [field])), None)
        if scope is not None:
            raise ValueError(f"Settings.redact cannot hide {field!r}: who may see a record "
                             f"depends on {scope!r} (docs/architecture.md, Visibility)")
    return fields


@cache
def scope_paths() -> frozenset[str]:
    """Every field the visibility scope reads, for a caller holding all four permissions."""
    return compile_filter(visibility_filter(Caller("any-user", LIST_PERMISSIONS))).paths


def revealed(path: str, fields: Iterable[str]) -> str | None:
    """The field of ``fields`` that reading ``path`` would reveal (the first in order), or None."""
    parts = path.split(".")
    for field in sorted(fields):
        if _reaches(parts, field.split(".")):
            return field
    return None


def _reaches(path: list[str], field: list[str]) -> bool:
    # Positions in ``field`` that the components read so far can stand at; a numeric
    # component below the top level may also be an array index, which stays where it is.
    at = {0}
    for part in path:
        if len(field) in at:
            return True
        at = {i + 1 for i in at if field[i] == part} | (at - {0} if part.isdigit() else set())
        if not at:
            return False
    return True


class Redactor:
    """``redactor(doc)``: ``doc`` without its hidden fields. New containers are made only on
    the way to a removed key; everything else is shared with ``doc`` (copy the result before
    handing it out, as the listing's ``to_json_value`` does)."""

    __slots__ = ("_trie",)

    def __init__(self, fields: Iterable[str]) -> None:
        trie: Trie = {}
        for field in sorted(fields):  # "a" sorts before "a.b", which it already hides
            node = trie
            *parents, last = field.split(".")
            for part in parents:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    break
                node = child
            else:
                node[last] = True
        self._trie = trie

    def __call__(self, doc: Mapping[str, Any]) -> Mapping[str, Any]:
        return _redact(doc, self._trie)  # type: ignore[no-any-return]


def _redact(value: Any, node: Trie) -> Any:
    if isinstance(value, Mapping):
        related = [key for key in value if type(key) is str and key.partition(".")[0] in node]
        if not related:
            return value
        out = dict(value)
        for key in related:
            below = _follow(node, key)
            if below is True:
                del out[key]
            elif below:
                out[key] = _redact(value[key], below)
        return out
    if type(value) is list or type(value) is tuple:
        items = [_redact(item, node) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if type(value) is list else tuple(items)
    return value


def _follow(node: Trie, key: str) -> Trie | bool:
    """What of ``node`` lies under ``key``: True (hidden), a sub-trie, or {} (nothing)."""
    here: Trie | bool = node
    for part in key.split("."):
        if not isinstance(here, dict):
            return True
        here = here.get(part, {})
    return here
