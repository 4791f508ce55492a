"""Hypothesis strategies for integrations.list: records, callers, MQL queries, query strings.

Every function takes keyword arguments only and returns a strategy. The value pools are shared
(user ids, names, types), so generated queries and filters hit generated records often.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from integrations_core.model import Caller, Permission
from integrations_core.mql import compile_filter
from integrations_core.mql.errors import InputError
from integrations_core.mql.regex import escape
from integrations_core.settings import DEFAULT_SETTINGS, Settings

USER_IDS: tuple[str, ...] = ("u-alice", "u-bob", "u-carol")
TYPES: tuple[str, ...] = ("webhook-incoming", "webhook-outgoing")
PERMISSIONS: tuple[str, ...] = tuple(p.value for p in Permission)
NAMES: tuple[str, ...] = (
    "Guggy", "guggy", "Deploy bot", "CI (main)", "alerts.prod", "Jira", "jira-sync", "a+b",
    "[ops] pager", "Ünïcode hook", "GitHub",
)
ASCII_NAMES: tuple[str, ...] = ("Guggy", "guggy", "Deploy", "Jira", "jira", "GitHub", "bot", "Bot")
USERNAMES: tuple[str, ...] = ("rocket.cat", "bot", "alice", "Bob")
CHANNELS: tuple[str, ...] = ("#general", "#dev", "@alice")
EVENTS: tuple[str, ...] = ("sendMessage", "roomCreated", "fileUploaded")
OPERATORS: tuple[str, ...] = (
    "$eq", "$ne", "$in", "$nin", "$exists", "$regex", "$gt", "$gte", "$lt", "$lte", "$not",
    "$and", "$or", "$nor",
)
"""Every operator :func:`queries` can produce (pass a subset to ``operators=``)."""
SORT_FIELDS: tuple[str, ...] = (
    "name", "type", "enabled", "username", "_createdAt", "_createdBy._id", "channel",
    "retryCount", "_id",
)
PROJECTION_FIELDS: tuple[str, ...] = (
    "_id", "name", "type", "enabled", "channel", "_createdBy", "_createdBy._id", "_createdAt",
    "event", "token",
)

_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTWXYZ23456789"
_LOGICAL = ("$and", "$or", "$nor")
_DATES = (dt.datetime(2016, 1, 1), dt.datetime(2030, 12, 31))

Record = dict[str, Any]
Params = dict[str, str] | list[tuple[str, str]]
"""Raw query-string parameters: a mapping or ``(key, value)`` pairs (repeats allowed)."""

_EPOCH = dt.datetime(1970, 1, 1)


def _dates() -> SearchStrategy[dt.datetime]:
    # Whole milliseconds: BSON dates hold no more, so records read from MongoDB never do.
    low, high = (int((d - _EPOCH).total_seconds() * 1000) for d in _DATES)
    return st.integers(low, high).map(lambda ms: _EPOCH + dt.timedelta(milliseconds=ms))


def _username(user_id: str) -> str:
    return user_id[2:] if user_id.startswith("u-") else user_id


def _creator(user_ids: Sequence[str], null_creators: bool) -> SearchStrategy[Any]:
    doc = st.sampled_from(user_ids).map(lambda u: {"_id": u, "username": _username(u)})
    return _sometimes(st.none(), doc, one_in=4) if null_creators else doc


def _record(user_ids: Sequence[str], names: Sequence[str], null_creators: bool,
            scalars_only: bool) -> SearchStrategy[Record]:
    def shape(kind: str, extra: dict[str, SearchStrategy[Any]],
              optional: dict[str, SearchStrategy[Any]]) -> SearchStrategy[Record]:
        fields: dict[str, SearchStrategy[Any]] = {
            "_id": st.text(_ID_ALPHABET, min_size=1, max_size=4),
            "type": st.just(kind),
            "name": st.sampled_from(names),
            "enabled": st.booleans(),
            "username": st.sampled_from(USERNAMES),
            "scriptEnabled": st.booleans(),
            "_createdBy": _creator(user_ids, null_creators),
            **extra,
        }
        return st.fixed_dictionaries(fields, optional=optional)

    retries = st.integers(0, 6)
    if scalars_only:
        return st.one_of(*(shape(kind, {"retryCount": retries}, {}) for kind in TYPES))
    common = {
        "channel": st.lists(st.sampled_from(CHANNELS), max_size=2),
        "_createdAt": _dates(),
        "_updatedAt": _dates(),
    }
    alias = {"alias": st.sampled_from(USERNAMES)}
    incoming = shape(TYPES[0], {**common, "token": st.text(_ID_ALPHABET, min_size=4,
                                                              max_size=4)}, alias)
    outgoing = shape(TYPES[1], {
        **common,
        "event": st.sampled_from(EVENTS),
        "urls": st.lists(st.just("https://example.com/hook"), max_size=1),
        "triggerWords": st.lists(st.sampled_from(["!deploy", "jira"]), max_size=2),
        "retryCount": retries,
    }, alias)
    return st.one_of(incoming, outgoing)


def integration_records(
    *,
    min_size: int = 0,
    max_size: int = 8,
    user_ids: Sequence[str] = USER_IDS,
    names: Sequence[str] | None = None,
    null_creators: bool = True,
    scalars_only: bool = False,
) -> SearchStrategy[list[Record]]:
    """Lists of integration records with distinct ``_id`` s, of both types.

    ``_createdBy`` is ``{"_id", "username"}`` of one of ``user_ids``, or ``None`` when
    ``null_creators``. The default shape follows Rocket.Chat (arrays, dates at millisecond
    precision, optional fields that are sometimes missing). ``scalars_only=True`` keeps only
    string, bool and int fields that every record has, and ASCII-letter names (unless ``names``
    is given): the subset where mongomock behaves like MongoDB.
    """
    pool = tuple(names) if names is not None else ASCII_NAMES if scalars_only else NAMES
    one = _record(tuple(user_ids), pool, null_creators, scalars_only)
    return st.lists(one, min_size=min_size, max_size=max_size, unique_by=lambda r: r["_id"])


def callers(
    *,
    user_ids: Sequence[str] = USER_IDS,
    permissions: Collection[str] = PERMISSIONS,
    anonymous: bool = True,
    min_permissions: int = 0,
) -> SearchStrategy[Caller | None]:
    """Callers holding any subset of ``permissions`` (``None`` = not logged in, if ``anonymous``).

    ``min_permissions=1`` leaves out callers who would get 403.
    """
    users = [*user_ids, "u-nobody"]
    names = sorted(permissions)
    # Each permission held or not at even odds (st.sets would favour the empty set).
    held = st.lists(st.booleans(), min_size=len(names), max_size=len(names)).map(
        lambda flags: {name for name, flag in zip(names, flags, strict=True) if flag}
    ).filter(lambda chosen: len(chosen) >= min_permissions)
    logged_in = st.builds(Caller, st.sampled_from(users), held)
    return _sometimes(st.none(), logged_in) if anonymous else logged_in


def _sometimes(rare: SearchStrategy[Any], usual: SearchStrategy[Any],
               one_in: int = 8) -> SearchStrategy[Any]:
    """``rare`` about once in ``one_in`` draws, else ``usual`` (which shrinking prefers)."""
    return st.integers(0, one_in - 1).flatmap(lambda i: rare if i == one_in - 1 else usual)


def _field_pools(user_ids: Sequence[str], names: Sequence[str],
                 extended_json: bool) -> dict[str, tuple[SearchStrategy[Any], bool]]:
    """path -> (values that records hold there, whether ``$regex`` applies)."""
    dates: SearchStrategy[Any] = _dates()
    if extended_json:
        dates = dates.map(lambda d: {"$date": d.isoformat(timespec="milliseconds") + "Z"})
    return {
        "_id": (st.text(_ID_ALPHABET, min_size=1, max_size=2), True),
        "type": (st.sampled_from(TYPES), True),
        "name": (st.sampled_from(names), True),
        "enabled": (st.booleans(), False),
        "scriptEnabled": (st.booleans(), False),
        "username": (st.sampled_from(USERNAMES), True),
        "_createdBy": (st.none(), False),
        "_createdBy._id": (st.sampled_from(user_ids), True),
        "_createdBy.username": (st.sampled_from([_username(u) for u in user_ids]), True),
        "channel": (st.sampled_from(CHANNELS), True),
        "event": (st.sampled_from(EVENTS), True),
        "retryCount": (st.integers(0, 6), False),
        "_createdAt": (dates, False),
    }


@st.composite
def _pattern(draw: st.DrawFn, values: SearchStrategy[Any]) -> str:
    text = str(draw(values))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    anchor = "^" if start == 0 and draw(st.booleans()) else ""
    return anchor + escape(text[start:end])


def _condition(op: str, values: SearchStrategy[Any]) -> SearchStrategy[Any]:
    if op == "$eq":
        return st.one_of(values, values.map(lambda v: {"$eq": v}))
    if op in ("$in", "$nin"):
        return st.lists(values, max_size=3).map(lambda vs: {op: vs})
    if op == "$exists":
        return st.booleans().map(lambda b: {"$exists": b})
    if op == "$regex":
        options = st.sampled_from(["", "i"])
        return st.builds(lambda p, o: {"$regex": p, "$options": o} if o else {"$regex": p},
                         _pattern(values), options)
    return values.map(lambda v: {op: v})


def queries(
    *,
    user_ids: Sequence[str] = USER_IDS,
    names: Sequence[str] = NAMES,
    fields: Iterable[str] | None = None,
    operators: Collection[str] = OPERATORS,
    max_depth: int = 2,
    max_clauses: int = 3,
    extended_json: bool = True,
    settings: Settings = DEFAULT_SETTINGS,
) -> SearchStrategy[dict[str, Any]]:
    """Valid MQL filters over integration fields, as JSON-compatible dicts.

    ``fields`` restricts the paths (default: every path records carry, including
    ``_createdBy._id``); ``operators`` the operators (a subset of :data:`OPERATORS`);
    ``max_depth`` the nesting of ``$and``/``$or``/``$nor``. Dates are Extended JSON
    ``{"$date": ...}`` when ``extended_json`` (the wire form), so each query can be sent as
    the ``query`` parameter as it is. Every query keeps within the cost limits of ``settings``
    (``max_conditions``, ``max_regexes``, ``limits``).
    """
    unknown = set(operators) - set(OPERATORS)
    pools = _field_pools(user_ids, names, extended_json)
    paths = list(pools) if fields is None else list(fields)
    unknown |= set(paths) - set(pools)
    if unknown:
        raise ValueError(f"queries() cannot generate {sorted(unknown)}")
    field_ops = [op for op in OPERATORS if op in operators and op not in _LOGICAL]
    logical_ops = [op for op in _LOGICAL if op in operators]
    if not field_ops:
        raise ValueError("queries() needs at least one field operator")

    conditions = []
    for path in paths:
        values, is_string = pools[path]
        usable = [op for op in field_ops if is_string or op != "$regex"]
        for op in usable:
            if op == "$not":
                inner = [o for o in usable if o not in ("$eq", "$not")] or ["$ne"]
                cond = st.one_of([_condition(o, values) for o in inner]).map(
                    lambda c: {"$not": c}
                )
            else:
                cond = _condition(op, values)
            conditions.append(st.tuples(st.just(path), cond))
    clause: SearchStrategy[tuple[str, Any]] = st.one_of(conditions)

    def level(depth: int) -> SearchStrategy[dict[str, Any]]:
        options = clause
        if depth > 0 and logical_ops:
            sub = st.lists(level(depth - 1), min_size=1, max_size=2)
            logical = st.tuples(st.sampled_from(logical_ops), sub)
            # An even choice: st.one_of would flatten ``clause`` and make logic rare.
            options = st.sampled_from([clause, logical]).flatmap(lambda branch: branch)
        return st.lists(options, min_size=1, max_size=max_clauses).map(_first_wins)

    return level(max_depth).map(lambda query: _affordable(query, settings))


def _affordable(query: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """``query``, or as many of its top-level clauses as keep within the cost limits.

    (Trimmed rather than filtered: a rejected draw makes Hypothesis render the strategy tree.)
    """
    def fits(candidate: dict[str, Any]) -> bool:
        try:
            compiled = compile_filter(candidate, limits=settings.query_limits)
        except InputError:
            return False
        return compiled.cost <= settings.max_work_per_record

    if fits(query):
        return query
    kept: dict[str, Any] = {}
    for key, value in query.items():
        if fits({**kept, key: value}):
            kept[key] = value
    return kept or {"_id": {"$exists": True}}


def _first_wins(clauses: list[tuple[str, Any]]) -> dict[str, Any]:
    query: dict[str, Any] = {}
    for key, value in clauses:
        query.setdefault(key, value)
    return query


def _projection(fields: Sequence[str]) -> SearchStrategy[str]:
    def build(chosen: list[str], include: bool, drop_id: bool, as_bool: bool) -> str:
        kept: list[str] = []
        for path in chosen:  # leave out path collisions such as _createdBy / _createdBy._id
            if not any(path.startswith(k + ".") or k.startswith(path + ".") for k in kept):
                kept.append(path)
        on: Any = True if as_bool else 1
        off: Any = False if as_bool else 0
        spec = {p: on if include else off for p in kept if not (include and p == "_id")}
        if include and drop_id:
            spec["_id"] = off
        return json.dumps(spec or {"name": on if include else off})

    chosen = st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)
    return st.builds(build, chosen, st.booleans(), st.booleans(), st.booleans())


def _sort(fields: Sequence[str]) -> SearchStrategy[str]:
    keys = st.lists(st.sampled_from(fields), min_size=1, max_size=2, unique=True)
    return keys.flatmap(
        lambda ks: st.lists(st.sampled_from([1, -1]), min_size=len(ks), max_size=len(ks))
        .map(lambda ds: json.dumps(dict(zip(ks, ds, strict=True))))
    )


_INVALID: tuple[tuple[str, str], ...] = (
    ("offset", "-1"), ("offset", "x"), ("count", "-5"), ("count", "1.5"), ("bogus", "1"),
    ("sort", '{"name": 2}'), ("sort", "{name"), ("sort", '{"$where": 1}'),
    ("fields", '{"name": 1, "type": 0}'), ("fields", "[1]"),
    ("query", '{"$where": "sleep(100)"}'), ("query", '{"name": {"$regex": "(a)\\\\1"}}'),
    ("query", '{"a": {"$bogus": 1}}'), ("query", "nope"), ("type", "webhook-bogus"),
)


_queries = queries
_REPEAT = ("", "")


def list_params(
    *,
    queries: SearchStrategy[dict[str, Any]] | None = None,
    names: Sequence[str] = NAMES,
    sort_fields: Sequence[str] = SORT_FIELDS,
    projection_fields: Sequence[str] = PROJECTION_FIELDS,
    max_offset: int = 10,
    max_count: int = 10,
    invalid: bool = False,
    pairs: bool | None = None,
) -> SearchStrategy[Params]:
    """Raw query strings for integrations.list: a dict, or a list of ``(key, value)`` pairs.

    Each of ``offset``, ``count``, ``sort``, ``fields``, ``query``, ``name``, ``type`` is present
    or not; ``sort``/``fields``/``query`` are JSON texts (``query`` drawn from ``queries``,
    default :func:`queries`). With ``invalid=True`` some examples carry one bad parameter
    (negative offset, malformed JSON, a forbidden operator, a repeated key, ...).
    ``pairs=True``/``False`` forces the list/dict form; ``None`` draws either.
    """
    query_texts = (queries if queries is not None else _queries()).map(json.dumps)
    # (name, values, present about once in n): filters that rarely match come less often.
    optional: list[tuple[str, SearchStrategy[str], int]] = [
        ("offset", st.integers(0, max_offset).map(str), 2),
        ("count", st.integers(0, max_count).map(str), 2),
        ("sort", _sort(sort_fields), 2),
        ("fields", _projection(projection_fields), 3),
        ("query", query_texts, 2),
        ("name", st.sampled_from(names).flatmap(_substring), 5),
        ("type", st.sampled_from(TYPES), 4),
    ]
    bad: SearchStrategy[tuple[str, str] | None] = st.none()
    if invalid:
        bad = _sometimes(st.sampled_from([*_INVALID, _REPEAT]), st.none(), one_in=4)
    form = st.booleans() if pairs is None else st.just(pairs)
    return _params(optional, bad, form)


def _substring(text: str) -> SearchStrategy[str]:
    n = len(text)
    return st.integers(0, n - 1).flatmap(lambda i: st.integers(i + 1, n).map(lambda j: text[i:j]))


@st.composite
def _params(draw: st.DrawFn, optional: list[tuple[str, SearchStrategy[str], int]],
            bad: SearchStrategy[tuple[str, str] | None], form: SearchStrategy[bool]) -> Params:
    items = [(key, draw(values)) for key, values, n in optional
             if draw(st.integers(0, n - 1)) == n - 1]  # shrinks towards leaving it out
    fault = draw(bad)
    as_pairs = draw(form)
    if fault == _REPEAT:
        if not items:
            items.append(("offset", "0"))
        items.append(items[0])
        as_pairs = True
    elif fault is not None:
        items = [(k, v) for k, v in items if k != fault[0]] + [fault]
    items = list(draw(st.permutations(items)))
    return items if as_pairs else dict(items)


def pairs_of(params: Params) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs of a params dict or pair list, in order."""
    return list(params.items()) if isinstance(params, Mapping) else list(params)


__all__ = [
    "ASCII_NAMES",
    "NAMES",
    "OPERATORS",
    "PERMISSIONS",
    "PROJECTION_FIELDS",
    "SORT_FIELDS",
    "TYPES",
    "USER_IDS",
    "callers",
    "integration_records",
    "list_params",
    "pairs_of",
    "queries",
]
