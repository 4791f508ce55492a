"""Dotted-path traversal with MongoDB's array rules, compiled per path.

The values a path yields for a document follow the server's ``BSONElementIterator``
(src/mongo/db/matcher/path.cpp):

* embedded documents are walked field by field; a scalar in the middle of a path yields nothing
  more than "missing";
* an array met before the end of the path is searched: each document element continues the
  path, and when the next component is a canonical array index (``0``, ``7``; not ``07``) the
  element at that index continues the path after the index too (so ``a.0`` is both an index and
  a field name); nested arrays are only entered through an explicit index;
* an array at the end of the path yields each element and then the array itself, unless the
  operator compares whole arrays (``$size``, ``$elemMatch``), which sees only the array;
* an element reached through an index at the end of the path is yielded as it is: it is not
  searched again (``{"a.0": 1}`` does not match ``{a: [[1]]}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .bson import MISSING, document_of
from .budget import CLOSURE_CALL, VALUE, charge
from .errors import LimitError, QueryError

ValuePred = Callable[[Any], bool]
DocPred = Callable[[Any], bool]

ARRAY_TYPES = (list, tuple)
MAX_PATH_PARTS = 100


def is_document(value: object) -> bool:
    """True for a dict or any other Mapping (an embedded document)."""
    return type(value) is dict or isinstance(value, Mapping)


def split_path(path: str, where: str) -> tuple[str, ...]:
    """Split a dotted field path, rejecting what no BSON document can hold."""
    if "\x00" in path:
        raise QueryError("field names cannot contain a null byte", where)
    parts = tuple(path.split("."))
    if len(parts) > MAX_PATH_PARTS:
        raise LimitError(f"field path has {len(parts)} components, over {MAX_PATH_PARTS}", where)
    return parts


def split_field_path(path: str, where: str, max_parts: int, what: str) -> tuple[str, ...]:
    """The components of a sort or projection path, rejecting what MongoDB rejects."""
    if not path:
        raise QueryError(f"a {what} path must not be empty", where)
    if "\x00" in path:
        raise QueryError(f"a {what} path must not contain a null byte", where)
    parts = tuple(path.split("."))
    if len(parts) > max_parts:
        raise LimitError(f"{what} path has {len(parts)} components, over {max_parts}",
                         where)
    for part in parts:
        if not part:
            raise QueryError(f"{what} path {path!r} has an empty field name", where)
        if part.startswith("$"):
            raise QueryError(f"field names in a {what} path must not start with '$' "
                             f"({part!r} is not supported)", where)
    return parts


def _index_of(part: str) -> int:
    """The array index a path component names, or -1 (only canonical decimals name one)."""
    if part.isascii() and part.isdigit() and str(int(part)) == part:
        return int(part)
    return -1


def _walk(doc: Any, parts: tuple[str, ...], i: int, leaf: bool, out: list[Any]) -> None:
    n = len(parts)
    value = doc
    while True:
        value = value.get(parts[i], MISSING)
        i += 1
        if i == n or type(value) in ARRAY_TYPES:
            break
        if not is_document(value):
            value = document_of(value) or MISSING  # a bson.DBRef is walked as its document
            if value is MISSING:
                break
    if type(value) not in ARRAY_TYPES:
        out.append(value)
    elif i == n:
        if leaf:
            out.extend(value)
        out.append(value)
    else:
        _in_array(value, parts, i, leaf, out)


def _in_array(array: Any, parts: tuple[str, ...], i: int, leaf: bool, out: list[Any]) -> None:
    charge(VALUE * len(array))
    index = _index_of(parts[i])
    last = i + 1 == len(parts)
    for position, element in enumerate(array):
        doc = element if is_document(element) else document_of(element)
        if doc is not None:
            _walk(doc, parts, i, leaf, out)
            if position == index:
                if last:
                    out.append(element)
                else:
                    _walk(doc, parts, i + 1, leaf, out)
        elif position == index:
            if last:
                out.append(element)
            elif type(element) in ARRAY_TYPES:
                _in_array(element, parts, i + 1, leaf, out)


def path_values(doc: Any, parts: tuple[str, ...], leaf: bool = True) -> list[Any]:
    """Every value ``parts`` yields in ``doc`` (``MISSING`` where the path is absent)."""
    out: list[Any] = []
    _walk(doc, parts, 0, leaf, out)
    return out


def path_matcher(parts: tuple[str, ...], pred: ValuePred, leaf: bool = True,
                 cost: int = VALUE) -> DocPred:
    """``doc -> any(pred(v) for v in path_values(doc, parts))``, specialised by path shape.

    ``cost`` is what one call of ``pred`` is charged; the first value of a path is part of the
    filter's static cost per record, every further one (array elements, values reached through
    arrays) is charged here, before it is tested.
    """
    if len(parts) == 1:
        (key,) = parts
        if not leaf:
            return lambda doc: pred(doc.get(key, MISSING))

        def one(doc: Any) -> bool:
            value = doc.get(key, MISSING)
            if type(value) in ARRAY_TYPES:
                charge(cost * len(value))
                for element in value:
                    if pred(element):
                        return True
            return pred(value)

        return one

    def dotted(doc: Any) -> bool:
        value = doc
        for part in parts:
            if type(value) is not dict:
                break
            value = value.get(part, MISSING)
        else:
            if type(value) not in ARRAY_TYPES:
                return pred(value)
        out: list[Any] = []
        _walk(doc, parts, 0, leaf, out)
        charge(CLOSURE_CALL + cost * len(out))
        for value in out:
            if pred(value):
                return True
        return False

    return dotted


def exists_matcher(parts: tuple[str, ...]) -> DocPred:
    """``doc -> the path yields a value`` (``$exists: true``)."""
    if len(parts) == 1:
        (key,) = parts
        return lambda doc: key in doc
    return path_matcher(parts, lambda value: value is not MISSING)
