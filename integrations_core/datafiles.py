"""Data files: records as Extended JSON, in every shape ``mongoexport`` writes.

A file is a JSON array (``mongoexport --jsonArray``, with or without ``--pretty``) or a
sequence of JSON objects (``mongoexport``'s default one per line, JSON lines, or ``--pretty``'s
indented objects one after another). Values are Extended JSON v2, canonical or relaxed, plus
Meteor's EJSON (:func:`integrations_core.mql.ejson.decode` with ``query=False``: ``$code`` and
``$undefined`` are read too, and the legacy ``{"$regex": ..., "$options": ...}`` is a regex).

The common case is decoded while the JSON is parsed (one pass, ``object_hook``); anything the
fast pass does not take on (a malformed wrapper, a null byte) is decoded again by the walk that
names the path. ``bson.json_util`` is not used: benchmarks/bench_datafiles.py measures it slower
on every shape, and it reads ``$numberLong`` and ``$oid`` into pymongo's classes, which pymongo
users may hold but which a data file must not require.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import resources
from typing import Any, TextIO

from .mql import ejson
from .mql.errors import InputError

SAMPLE_NAME = "sample.json"
_SPACE = re.compile(r"[ \t\n\r]*")


class DataError(Exception):
    """A data file that cannot be turned into records; the message is one line for a person."""


class _Slow(Exception):
    """The fast pass met something only the path-naming walk decodes (or explains)."""


_SPECIAL = ejson.WRAPPER_KEYS | {"$regex"}
_SINGLE = ejson.SINGLE_KEY_DECODERS


def _fast_hook(obj: dict[str, Any]) -> Any:
    # Inner objects are decoded first (object_hook runs bottom-up); ejson.decode of a wrapper
    # reads its argument as it is, and decoded values inside pass through it unchanged.
    if _SPECIAL.isdisjoint(obj):
        return obj
    try:
        if len(obj) == 1:
            (key,) = obj
            decoder = _SINGLE.get(key)
            if decoder is not None:
                return decoder(obj, key)
        return ejson.decode(obj, query=False)
    except (InputError, TypeError, ValueError):
        raise _Slow from None


def parse_records(text: str, source: str = "<data>") -> list[dict[str, Any]]:
    """Records from a data file's ``text``, Extended JSON values decoded.

    Raises :class:`DataError` naming ``source`` and the offending line or record.
    """
    if "\x00" not in text and "\\u0000" not in text:  # a null byte may sit in a key
        try:
            return _parse(text, source, _fast_hook)
        except _Slow:
            pass
    return _parse(text, source, None)


def _parse(text: str, source: str, hook: Any) -> list[dict[str, Any]]:
    if text.lstrip().startswith("["):
        raw: list[Any] = _load_json(text, source, hook)  # JSON starting with "[" is a list
        return [_record(item, f"{source}: record {index}", hook)
                for index, item in enumerate(raw)]
    return [_record(item, f"{source}: line {line}", hook)
            for line, item in _objects(text, source, hook)]


def _objects(text: str, source: str, hook: Any) -> list[tuple[int, Any]]:
    """The JSON values of a sequence (JSON lines or concatenated objects), by starting line."""
    decoder = json.JSONDecoder(object_hook=hook)
    items: list[tuple[int, Any]] = []
    pos, line, counted = 0, 1, 0
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            return items
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            at = f"line {exc.lineno} column {exc.colno}"
            raise DataError(f"{source}: line {line}: invalid JSON at {at}: {exc.msg}") from None
        except RecursionError:
            raise DataError(f"{source}: line {line}: JSON nested too deeply") from None
        except ValueError as exc:  # e.g. an integer beyond Python's digit limit
            raise DataError(f"{source}: line {line}: invalid JSON: {exc}") from None
        items.append((line, item))
        pos = end


def read_records(path: str | None = None, stdin: TextIO | None = None) -> list[dict[str, Any]]:
    """Records from the file ``path`` (``-`` = standard input), or the sample when None."""
    if path is None:
        return sample_records()
    source = "<stdin>" if path == "-" else path
    return parse_records(read_text(path, DataError, stdin), source)


def read_text(path: str, error: type[Exception], stdin: TextIO | None = None) -> str:
    """The UTF-8 text of the file ``path`` (``-`` = standard input); an unreadable file is an
    ``error`` with a one-line message naming it."""
    source = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            return (stdin or sys.stdin).read()
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise error(f"{source}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise error(f"cannot read {source}: {exc.strerror or exc}") from None


def sample_records() -> list[dict[str, Any]]:
    """A fresh copy of the sample dataset shipped in ``integrations_core/data/``."""
    sample = resources.files("integrations_core") / "data" / SAMPLE_NAME
    return parse_records(sample.read_text(encoding="utf-8"), SAMPLE_NAME)


def _load_json(text: str, source: str, hook: Any) -> Any:
    try:
        return json.loads(text, object_hook=hook)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if "\n" in text else f"column {exc.colno}"
        raise DataError(f"{source}: invalid JSON at {where}: {exc.msg}") from None
    except RecursionError:
        raise DataError(f"{source}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise DataError(f"{source}: invalid JSON: {exc}") from None


def _record(item: Any, where: str, hook: Any) -> dict[str, Any]:
    if hook is not None:  # decoded while parsed
        if type(item) is not dict:
            raise _Slow
        return item
    if not isinstance(item, dict):
        raise DataError(f"{where}: expected a JSON object, got {_json_type(item)}")
    try:
        record = ejson.decode(item, query=False)
    except InputError as exc:
        raise DataError(f"{where}: {exc}") from None
    except RecursionError:
        raise DataError(f"{where}: nested too deeply") from None
    if not isinstance(record, dict):
        raise DataError(f"{where}: expected a JSON object, got an Extended JSON value")
    return record


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"
