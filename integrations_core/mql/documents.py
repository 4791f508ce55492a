"""What a stored document may be: BSON's shape, checked where a record is read in full.

A record is a mapping with string keys, nested at most :data:`MAX_NESTING` levels (MongoDB's
limit for BSON documents), without cycles, holding values whose dates can tell their UTC
offset. Records outside that shape are the embedding program's bug, not the caller's input, so
they are reported as :class:`RecordError` (a ``TypeError``) naming the record's ``_id`` and the
problem, never as a 400.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from .errors import describe

MAX_NESTING = 100
"""MongoDB's nesting limit for BSON documents."""


class RecordError(TypeError):
    """A record that no BSON document can be; the message names its ``_id``."""


def _describe(record: Any) -> str:
    ident = record.get("_id", None) if isinstance(record, Mapping) else None
    return describe(ident, 60) if ident is not None else "without an _id"


def document_values(record: Any) -> int:
    """How many values ``record`` holds (itself included), after checking its shape.

    Raises :class:`RecordError` for a non-mapping, a cycle or nesting beyond
    :data:`MAX_NESTING`, a key that is not a string, or a date whose ``utcoffset()`` fails.
    """
    if not isinstance(record, Mapping):
        raise RecordError(f"record {_describe(record)} is a {type(record).__name__}, "
                          "not a mapping")
    return _values(record, record, 1)


def _values(value: Any, record: Any, depth: int) -> int:
    # One call per container (at most MAX_NESTING + 1 deep): plain children are counted in the
    # loop, which is most of a record's values.
    if type(value) is dict or (type(value) not in _SEQUENCES and isinstance(value, Mapping)):
        for key in value:
            if type(key) is not str and not isinstance(key, str):
                raise RecordError(f"record {_describe(record)} has a key of type "
                                  f"{type(key).__name__}: field names are strings")
        children: Any = value.values()
    else:
        children = value
    if depth > MAX_NESTING:
        raise RecordError(f"record {_describe(record)} is nested deeper than "
                          f"{MAX_NESTING} levels (or holds a cycle)")
    count = 1
    for child in children:
        kind = type(child)
        if kind in _PLAIN or (kind is _dt.datetime and child.tzinfo is None):
            count += 1
        elif kind is dict or kind is list or kind is tuple or isinstance(child, Mapping):
            count += _values(child, record, depth + 1)
        else:
            if kind is _dt.datetime and child.tzinfo is not None:
                try:
                    child.utcoffset()
                except Exception as exc:
                    raise RecordError(f"record {_describe(record)} holds a date whose tzinfo "
                                      f"fails ({type(exc).__name__})") from None
            count += 1
    return count


_PLAIN = frozenset({str, int, float, bool, type(None)})
_SEQUENCES = frozenset({list, tuple})


def diagnose(records: Any) -> None:
    """Raise :class:`RecordError` for the first record outside BSON's shape, if any."""
    for record in records:
        document_values(record)
