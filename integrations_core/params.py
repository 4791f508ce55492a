"""Query-string pairs -> a validated :class:`ListRequest`, or the error that makes it a 400.

Two kinds of rejection, reported in this order (docs/architecture.md, "A request, step by step"):

* :class:`ParamError` (``invalid-params``): an unknown or repeated parameter, a value that is not
  a string, a value longer than its ``Settings.max_*_length``, a bad ``offset``/``count``/``type``,
  a ``name``/``type`` filter on a redacted field;
* :class:`~integrations_core.mql.errors.QueryError` with a path starting ``sort``, ``fields`` or
  ``query`` (``error-invalid-sort`` / ``-fields`` / ``-query``): text that is not the JSON object
  the parameter takes, a document MQL rejects, a breach of ``Settings.limits``,
  ``max_conditions``, ``max_regexes`` or ``max_sort_keys`` (a
  :class:`~integrations_core.mql.errors.LimitError`), or a reference to a field
  ``Settings.redact`` hides.

JSON text from the user is checked before it is parsed: its bracket nesting may exceed the
configured depth by at most two levels (room for Extended JSON wrappers), so parsing can never
recurse deeply. ``NaN``/``Infinity`` literals are rejected (they are not JSON, and
``JSON.parse`` in Rocket.Chat rejects them too) and so are duplicate keys (``JSON.parse`` keeps
the last one silently, which lets two readers of one request disagree).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .jsnumbers import digits_value, js_number_text, js_parse_int
from .model import INTEGRATION_TYPES
from .mql import Projection, Sort, compile_filter, compile_projection, compile_sort
from .mql.ejson import decode
from .mql.errors import InputError, LimitError, QueryError, describe, join_path
from .settings import DEFAULT_SETTINGS, Settings

PARAMETERS = ("offset", "count", "sort", "fields", "query", "name", "type")
_NUMERIC = frozenset({"offset", "count"})
_MAX_SKIP = 2**63 - 1  # MongoDB's skip is a 64-bit integer
_LENGTH_LIMITS = {"query": "max_query_length", "sort": "max_sort_length",
                  "fields": "max_fields_length"}

RawParams = dict[str, Any]
Params = Mapping[str, Any] | Iterable[tuple[str, Any]]


class ParamError(InputError):
    """An ``invalid-params`` rejection; ``path`` is the parameter's name.

    ``wire_message`` is the text the response envelope carries: ``"<path>: <reason>"``, or
    Rocket.Chat's own validator message when ``Settings.ajv_messages`` is on.
    """

    def __init__(self, message: str, path: str = "", *, wire_message: str | None = None) -> None:
        super().__init__(message, path)
        self.wire_message = str(self) if wire_message is None else wire_message


@dataclass(frozen=True)
class ListRequest:
    """A validated integrations.list request.

    ``count`` None means no limit. ``sort`` is the user's sort in order (the listing adds ``_id``
    as the final key). ``fields`` is a projection spec of 0/1 values. ``query`` is the user's
    filter with Extended JSON decoded; it is validated MQL and must not be modified.
    """

    offset: int = 0
    count: int | None = 50
    sort: tuple[tuple[str, int], ...] = ()
    fields: Mapping[str, int] | None = None
    query: Mapping[str, Any] | None = None
    name: str | None = None
    type: str | None = None


def parse_list_params(params: Params, settings: Settings = DEFAULT_SETTINGS) -> ListRequest:
    """Validate the endpoint's query-string parameters.

    ``params`` is a mapping or a sequence of ``(key, value)`` pairs; pass pairs (Starlette's
    ``multi_items()``, Werkzeug's ``items(multi=True)``, Django's ``lists()`` flattened) so that a
    repeated key is seen. Raises :class:`ParamError` or a ``QueryError`` whose path starts with
    ``sort``, ``fields`` or ``query``.
    """
    return parse_collected_params(collect_params(params, settings), settings)


def collect_params(params: Params, settings: Settings = DEFAULT_SETTINGS) -> RawParams:
    """Step 1: the raw values by name, after the checks on names, repetition, types, length."""
    allowed = PARAMETERS if settings.fields_enabled else tuple(
        p for p in PARAMETERS if p != "fields"
    )
    raw: RawParams = {}
    for key, value in _pairs(params):
        if not isinstance(key, str):
            raise ParamError("parameter names must be strings")
        if key not in allowed:
            raise _ajv_error(
                f"unknown parameter (allowed: {', '.join(allowed)})",
                key,
                _ajv_unknown_message(key, allowed),
                settings,
            )
        if key in raw:
            raise _ajv_error("given more than once", key, _ajv_type_message(key), settings)
        if not _type_ok(key, value, settings):
            raise _ajv_error(
                f"must be a string, not {type(value).__name__}",
                key,
                _ajv_type_message(key),
                settings,
            )
        limit = _LENGTH_LIMITS.get(key, "max_param_length")
        if isinstance(value, str) and len(value) > getattr(settings, limit):
            raise ParamError(f"is {len(value)} characters long, over Settings.{limit} "
                             f"({getattr(settings, limit)})", key)
        raw[key] = value
    return raw


def parse_collected_params(
    raw: Mapping[str, Any], settings: Settings = DEFAULT_SETTINGS
) -> ListRequest:
    """Step 2: every ``invalid-params`` check first, then ``sort``, ``fields``, ``query``."""
    return parse_compiled(raw, settings)[0]


def parse_compiled(raw: Mapping[str, Any], settings: Settings = DEFAULT_SETTINGS
                   ) -> tuple[ListRequest, Sort | None, Projection | None]:
    """:func:`parse_collected_params`, with the sort the listing runs (``_id`` appended) and
    the projection, compiled while they were checked (None without a sort or ``fields``)."""
    offset = _offset(raw.get("offset"), settings)
    count = _count(raw.get("count"), settings)
    type_ = _type(raw.get("type"), settings)
    name = _name(raw.get("name"))
    if settings.redacted:
        _check_filters_redaction(name, type_, settings)
    sort, order = _sort(raw["sort"], settings) if raw.get("sort") else ((), None)
    fields, shape = _fields(raw["fields"], settings) if raw.get("fields") else (None, None)
    query = _query(raw["query"], settings) if raw.get("query") and settings.query_enabled else None
    return ListRequest(offset, count, sort, fields, query, name, type_), order, shape


def _pairs(params: Params) -> list[tuple[Any, Any]]:
    if isinstance(params, Mapping):
        return list(params.items())
    if isinstance(params, (str, bytes)):
        raise ParamError("parameters must be a mapping or a sequence of (key, value) pairs")
    try:
        pairs = [(key, value) for key, value in params]
    except (TypeError, ValueError):
        raise ParamError(
            "parameters must be a mapping or a sequence of (key, value) pairs"
        ) from None
    return pairs


def _ajv_error(message: str, key: str, ajv_message: str, settings: Settings) -> ParamError:
    return ParamError(message, key, wire_message=ajv_message if settings.ajv_messages else None)


def _ajv_unknown_message(key: str, allowed: tuple[str, ...]) -> str:
    # Rocket.Chat's query parser (qs) reads ``name[$ne]=x`` or ``count[]=1`` as an object or
    # array value of ``name``/``count``, which Ajv then rejects for its type.
    base = key.split("[", 1)[0]
    if base != key and key.endswith("]") and base in allowed:
        return _ajv_type_message(base)
    return "must NOT have additional properties"


def _ajv_type_message(key: str) -> str:
    # Ajv's message for a value of the wrong type (a repeated key arrives as an array).
    return "must be number,string" if key in _NUMERIC else "must be string"


def _type_ok(key: str, value: Any, settings: Settings) -> bool:
    if isinstance(value, str):
        return True
    return (
        settings.js_parse_int
        and key in _NUMERIC
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    )


# --- offset and count ---------------------------------------------------------------------------

def _offset(value: Any, settings: Settings) -> int:
    if value is None or (settings.js_parse_int and value == ""):
        return 0
    number = _integer("offset", value, settings)
    if number > _MAX_SKIP:
        raise ParamError(f"must be at most {_MAX_SKIP} (MongoDB's 64-bit skip)", "offset")
    return number


def _count(value: Any, settings: Settings) -> int | None:
    if value is None:
        return settings.default_count
    number = 0 if settings.js_parse_int and value == "" else _integer("count", value, settings)
    if number == 0:
        return None if settings.allow_infinite_count else settings.default_count
    return min(number, settings.max_count)


def _integer(name: str, value: Any, settings: Settings) -> int:
    if settings.js_parse_int:
        number = js_parse_int(value if isinstance(value, str) else js_number_text(value))
        if number is None:
            raise ParamError(f"{describe(value)} is not a number", name)
    elif value.isascii() and value.isdigit():
        number = digits_value(value, 10)
    else:
        raise ParamError(f"must be a non-negative integer, not {describe(value)}", name)
    if number < 0:
        raise ParamError(f"must not be negative, got {number}", name)
    return number


# --- name and type ------------------------------------------------------------------------------

def _name(value: str | None) -> str | None:
    if value and "\x00" in value:
        raise ParamError("must not contain a null character", "name")
    if value and not _encodable(value):
        raise ParamError("must be valid Unicode text (it holds a lone surrogate)", "name")
    return value or None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _type(value: str | None, settings: Settings) -> str | None:
    if not settings.validate_type:
        return value or None
    if value is None:
        return None
    if value not in INTEGRATION_TYPES:
        raise ParamError(f'must be "webhook-incoming" or "webhook-outgoing", not {describe(value)}',
                         "type")
    return value


# --- sort, fields, query ------------------------------------------------------------------------

_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.S)


def check_nesting(text: str, max_depth: int, path: str, limit: str = "") -> None:
    """Reject ``text`` if its brackets (outside strings) nest deeper than ``max_depth``;
    ``limit`` names the setting in the message."""
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise LimitError(f"is nested deeper than {limit or max_depth} levels", path)
        elif char in "]}":
            depth -= 1


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def load_json(text: str, path: str, settings: Settings) -> Any:
    """Parse user JSON safely (depth checked first, no NaN/Infinity, no duplicate keys)."""
    depth = settings.limits.max_depth
    check_nesting(text, depth + 2, path, f"Settings.limits.max_depth ({depth}) + 2")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise QueryError(f"invalid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})",
                         path) from None
    except ValueError as exc:  # a constant, a duplicate key, an integer of 4300+ digits
        raise QueryError(f"invalid JSON: {exc}", path) from None


def _object(text: str, path: str, settings: Settings) -> dict[str, Any]:
    value = load_json(text, path, settings)
    if not isinstance(value, dict):
        raise QueryError(f"must be a JSON object, not {_json_type(value)}", path)
    return value


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def _sort(text: str, settings: Settings) -> tuple[tuple[tuple[str, int], ...], Sort | None]:
    spec = _object(text, "sort", settings)
    if len(spec) > settings.max_sort_keys:
        raise LimitError(f"has {len(spec)} keys, over Settings.max_sort_keys "
                         f"({settings.max_sort_keys})", "sort")
    _check_paths(spec, "sort", settings)
    try:
        first = compile_sort(spec, limits=settings.limits)
        user = first.spec
        # What the listing will run (the user's sort when it already ends on _id).
        order = first if with_id(user) == user else compile_sort(with_id(user),
                                                                  limits=settings.limits)
    except QueryError as exc:
        raise exc.prefixed("sort") from None
    return user, order if user else None


def with_id(sort: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """``sort`` with ``("_id", 1)`` appended unless it already sorts on ``_id``: a total order."""
    return sort if any(path == "_id" for path, _ in sort) else (*sort, ("_id", 1))


def _fields(text: str, settings: Settings) -> tuple[Mapping[str, int] | None, Projection | None]:
    spec = _object(text, "fields", settings)
    _check_paths(spec, "fields", settings)
    try:
        shape = compile_projection(spec, limits=settings.limits)
    except QueryError as exc:
        raise exc.prefixed("fields") from None
    return (shape.spec, shape) if shape.spec else (None, None)


def _query(text: str, settings: Settings) -> Mapping[str, Any] | None:
    query = decode(_object(text, "query", settings), "query")
    if not query:
        return None
    try:
        compiled = compile_filter(query, limits=settings.query_limits)
    except QueryError as exc:
        raise exc.prefixed("query") from None
    if compiled.cost > settings.max_work_per_record:
        raise LimitError(f"costs {compiled.cost:,} units of work per record, over "
                         f"Settings.max_work_per_record ({settings.max_work_per_record:,})",
                         "query")
    for path in sorted(compiled.paths):
        _check_redaction(path, "query", settings)
    return query  # type: ignore[no-any-return]


# --- limits and redaction -----------------------------------------------------------------------

def _check_paths(spec: Mapping[str, Any], param: str, settings: Settings) -> None:
    """The sort/fields limits, named after their settings, and the redaction rule."""
    limits = settings.limits
    if len(spec) > limits.max_list_length:
        raise LimitError(f"names {len(spec)} paths, over Settings.limits.max_list_length "
                         f"({limits.max_list_length})", param)
    for key in spec:
        parts = key.count(".") + 1
        if parts > limits.max_depth:
            raise LimitError(f"path has {parts} components, over Settings.limits.max_depth "
                             f"({limits.max_depth})", join_path(param, key))
        _check_redaction(key, join_path(param, key), settings)


def _check_redaction(path: str, where: str, settings: Settings) -> None:
    hidden = settings.hides(path)
    if hidden is not None:
        raise QueryError(f"{path!r} reads the redacted field {hidden!r}", where)


def _check_filters_redaction(name: str | None, type_: str | None, settings: Settings) -> None:
    for param, value in (("name", name), ("type", type_)):
        hidden = settings.hides(param) if value else None
        if hidden is not None:
            raise ParamError(f"filters on the redacted field {hidden!r}", param)
