"""``compile_projection``: MongoDB's find projection (inclusion or exclusion, dotted paths).

The paths are compiled into a tree (``{"a": {"b": True}}`` for ``a.b``) and applied by walking
the document once, in its own field order:

* inclusion keeps the listed paths (and ``_id`` unless ``_id: 0``); through an embedded
  document it keeps the document (possibly empty), through an array it keeps the documents and
  nested arrays of the array, projected, and drops its scalars; a scalar met before the end of a
  path drops the field;
* exclusion removes the listed paths and keeps everything else, scalars in arrays included;
* a numeric path component is a field name, never an array index.

Sources: https://www.mongodb.com/docs/manual/reference/method/db.collection.find/#projection
and the server's jstests/core/query/project/projection_semantics.js.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Union

from .bson import MISSING, Regex
from .errors import LimitError, QueryError, describe
from .limits import DEFAULT_LIMITS, Limits
from .paths import split_field_path

Tree = dict[str, Union["Tree", bool]]

_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes, Decimal, _dt.datetime,
                        _dt.date, type(MISSING), Regex})


def copy_value(value: Any) -> Any:
    """A copy of a document value that shares nothing mutable with it (Mappings become dicts)."""
    t = type(value)
    if t in _IMMUTABLE:
        return value
    if t is dict or isinstance(value, Mapping):
        return {k: copy_value(v) for k, v in value.items()}
    if t is list:
        return [copy_value(v) for v in value]
    if t is tuple:
        return tuple(copy_value(v) for v in value)
    return copy.deepcopy(value)


def _is_doc(value: object) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _include(doc: Mapping[str, Any], tree: Tree) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        sub = tree.get(key)
        if sub is None:
            continue
        if sub is True:
            out[key] = copy_value(value)
        elif _is_doc(value):
            out[key] = _include(value, sub)  # type: ignore[arg-type]
        elif isinstance(value, (list, tuple)):
            out[key] = _include_array(value, sub)  # type: ignore[arg-type]
    return out


def _include_array(array: Any, tree: Tree) -> list[Any]:
    out: list[Any] = []
    for item in array:
        if _is_doc(item):
            out.append(_include(item, tree))
        elif isinstance(item, (list, tuple)):
            out.append(_include_array(item, tree))
    return out


def _exclude(doc: Mapping[str, Any], tree: Tree) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        sub = tree.get(key)
        if sub is None:
            out[key] = copy_value(value)
        elif sub is True:
            continue
        elif _is_doc(value):
            out[key] = _exclude(value, sub)  # type: ignore[arg-type]
        elif isinstance(value, (list, tuple)):
            out[key] = _exclude_array(value, sub)  # type: ignore[arg-type]
        else:
            out[key] = copy_value(value)
    return out


def _exclude_array(array: Any, tree: Tree) -> list[Any]:
    return [_exclude(item, tree) if _is_doc(item)
            else _exclude_array(item, tree) if isinstance(item, (list, tuple))
            else copy_value(item)
            for item in array]


class Projection:
    """A compiled projection: ``projection(doc)`` returns a new ``dict``."""

    __slots__ = ("_tree", "inclusion", "paths", "spec")

    def __init__(self, spec: Mapping[str, int], tree: Tree | None, inclusion: bool) -> None:
        self.spec: Mapping[str, int] = MappingProxyType(dict(spec))
        """The validated projection, values as 0 or 1."""
        self.paths = frozenset(spec)
        """Every path the projection names."""
        self.inclusion = inclusion
        """True for an inclusion projection (and for ``{}``, which includes everything)."""
        self._tree = tree

    def __repr__(self) -> str:
        return f"Projection({dict(self.spec)!r})"

    def __call__(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        if self._tree is None:
            return copy_value(doc)  # type: ignore[no-any-return]
        if self.inclusion:
            return _include(doc, self._tree)
        return _exclude(doc, self._tree)


def _value(value: Any, path: str) -> int:
    if type(value) is bool:
        return int(value)
    if type(value) in (int, float) and value in (0, 1):
        return int(value)
    if isinstance(value, Mapping):
        ops = [k for k in value if isinstance(k, str) and k.startswith("$")]
        if ops:
            raise QueryError(f"projection operator {ops[0]} is not supported", path)
        raise QueryError("nested projection objects are not supported; use a dotted path "
                         "with 0 or 1", path)
    if isinstance(value, str):
        raise QueryError("projection expressions and literals are not supported; "
                         "use 0 or 1", path)
    raise QueryError(f"projection values must be 0, 1, true or false, not {describe(value)}",
                     path)


def _grow(tree: Tree, parts: tuple[str, ...], path: str, owners: dict[int, str]) -> None:
    """Add ``parts`` to ``tree``; a path that is a prefix of another is a collision."""
    node = tree
    for i, part in enumerate(parts):
        sub = node.get(part)
        if sub is True:
            prefix = ".".join(parts[: i + 1])
            raise QueryError(f"path collision: {path!r} is inside {prefix!r}", path)
        if i == len(parts) - 1:
            if sub is not None:
                raise QueryError(f"path collision: {path!r} contains "
                                 f"{owners[id(sub)]!r}", path)
            node[part] = True
        elif sub is None:
            node[part] = node = {}
            owners[id(node)] = path
        else:
            node = sub  # type: ignore[assignment]


def compile_projection(fields: Mapping[str, Any], *, limits: Limits | None = None) -> Projection:
    """Compile a find projection such as ``{"name": 1, "_id": 0}`` or ``{"token": 0}``.

    Raises :class:`QueryError` naming the key for values other than 0/1/true/false (``$slice``,
    ``$elemMatch``, ``$meta``, expressions), for mixing inclusion and exclusion (``_id: 0``
    aside), for empty or ``$``-prefixed paths and for path collisions such as
    ``{"a": 1, "a.b": 1}``; :class:`LimitError` for more than ``limits.max_list_length`` paths
    or paths deeper than ``limits.max_depth``.
    """
    limits = limits or DEFAULT_LIMITS
    if not isinstance(fields, Mapping):
        raise QueryError(f"a projection must be an object, not {type(fields).__name__}")
    if len(fields) > limits.max_list_length:
        raise LimitError(f"a projection may name at most {limits.max_list_length} paths")
    spec: dict[str, int] = {}
    parts: dict[str, tuple[str, ...]] = {}
    inclusion: bool | None = None
    first = ""
    for i, (key, raw) in enumerate(fields.items()):
        where = key if isinstance(key, str) and key else f"[{i}]"
        if not isinstance(key, str):
            raise QueryError(f"projection keys must be strings, not {type(key).__name__}", where)
        parts[key] = split_field_path(key, where, limits.max_depth, "projection")
        spec[key] = _value(raw, where)
        if key == "_id":
            continue
        if inclusion is None:
            inclusion, first = bool(spec[key]), key
        elif inclusion != bool(spec[key]):
            kind, other = ("inclusion", "exclusion") if inclusion else ("exclusion", "inclusion")
            raise QueryError(f"cannot do {other} on {key!r} in an {kind} projection (made one "
                             f"by {first!r}); only _id may be excluded from an inclusion "
                             "projection", where)
    if not spec:
        return Projection(spec, None, True)
    if inclusion is None:  # only _id
        inclusion = bool(spec["_id"])
    tree: Tree = {}
    owners: dict[int, str] = {}
    for key in spec:
        _grow(tree, parts[key], key, owners)
    if inclusion:
        if spec.get("_id") == 0:
            del tree["_id"]
        elif not any(p[0] == "_id" for p in parts.values()):
            tree["_id"] = True
    elif spec.get("_id") == 1:
        del tree["_id"]
    return Projection(spec, tree, inclusion)
