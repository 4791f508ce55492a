"""Hypothesis strategies for IntegrationStore tests: records that stress the indexes' path rules
(arrays, nested arrays, odd types on ``type``, ``_createdBy._id`` and the sort paths),
requests shaped like the declared sorts, and an oracle for MongoDB's ``_id`` equality."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import strategies as st

from integrations_core import Caller, Permission, Settings
from integrations_core.testing.strategies import (
    NAMES,
    USER_IDS,
    callers,
    integration_records,
    list_params,
)

IN, OUT = "webhook-incoming", "webhook-outgoing"
SORTS = ("name", "_createdAt", "_updatedAt", ("_createdBy.username",), ("channel", "name"))
"""The sorts the stores under test declare: the defaults, a dotted path and a compound one."""

IDS = st.one_of(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h"]),
                st.sampled_from([1, 2, 1.0, 2.5, True]))
"""A small pool, so that inserts collide; ``1`` and ``1.0`` are one ``_id`` to MongoDB."""

_UTC2 = dt.timezone(dt.timedelta(hours=2))
_DATES = st.one_of(
    st.sampled_from([dt.datetime(2020, 1, 1), dt.datetime(2021, 6, 1, 12)]),
    st.just(dt.datetime(2020, 1, 1, 2, tzinfo=_UTC2)),  # equal to 2020-01-01 00:00 naive (UTC)
    st.sampled_from(["2020-01-01T00:00:00.000Z", None, 7]),
)
_MISSING = object()


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.just(_MISSING))


_USERS = st.sampled_from([*USER_IDS, "u-nobody"])
ODD_TYPES = st.sampled_from([IN, OUT, [IN, OUT], [IN], [], None, 5, "webhook-other", [[IN]],
                             {"x": IN}, [OUT, "x"]])
ODD_CREATORS = st.one_of(
    _USERS.map(lambda u: {"_id": u, "username": u[2:]}),
    st.lists(_USERS.map(lambda u: {"_id": u}), max_size=2),  # an array of documents
    st.lists(_USERS, min_size=1, max_size=2).map(lambda us: {"_id": us}),  # an array of ids
    _USERS.map(lambda u: [[{"_id": u}]]),  # nested arrays are not searched
    _USERS.map(lambda u: {"_id": {"$id": u}}),
    st.sampled_from([None, {"_id": 7}, {"username": "x"}, "u-alice"]),
)
ODD_NAMES = st.one_of(
    st.sampled_from(NAMES),
    st.lists(st.sampled_from(["b", "A", "a", None]), max_size=3),
    st.sampled_from([None, 3, 2.5, True, {"x": 1}, [["a"]], "", dt.datetime(2020, 1, 1)]),
)
ODD_CHANNELS = st.one_of(st.lists(st.sampled_from(["#a", "#b", 1]), max_size=2),
                         st.sampled_from(["#a", None]))


_ONE = integration_records(min_size=1, max_size=1)


@st.composite
def records(draw: st.DrawFn, odd_types: bool = True) -> dict[str, Any]:
    """An integration record (the testing kit's shape), often with odd values on the indexed
    and sorted paths (on ``type`` too unless not ``odd_types``), ``_id`` from :data:`IDS`."""
    (record,) = draw(_ONE)
    record["_id"] = draw(IDS)
    odd = {"type": ODD_TYPES, "_createdBy": ODD_CREATORS, "name": ODD_NAMES,
           "_createdAt": _DATES, "_updatedAt": _DATES, "channel": ODD_CHANNELS}
    if not odd_types:
        del odd["type"]
    for field, values in odd.items():
        if draw(st.integers(0, 3)) == 0:
            value = draw(_maybe(values))
            if value is _MISSING:
                record.pop(field, None)
            else:
                record[field] = value
    return record


def id_key(value: Any) -> tuple[str, Any]:
    """MongoDB's ``_id`` equality for the values :data:`IDS` holds (``1 == 1.0``, ``True != 1``)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    return ("string", value)


_INDEX_SORTS = st.sampled_from([
    {"name": 1}, {"name": -1}, {"name": 1, "_id": -1}, {"name": -1, "_id": -1},
    {"_createdAt": 1}, {"_createdAt": -1, "_id": -1}, {"_updatedAt": -1},
    {"_createdBy.username": 1}, {"_createdBy.username": -1},
    {"channel": 1, "name": 1}, {"channel": -1, "name": 1, "_id": -1}, {"_id": -1},
])


_PARAMS = list_params(pairs=False, max_offset=12, max_count=12)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, str]:
    """Query strings of every kind, with sorts that declared indexes serve half of the time."""
    params: dict[str, str] = dict(draw(_PARAMS))
    if draw(st.booleans()):
        params["sort"] = json.dumps(draw(_INDEX_SORTS))
    if draw(st.integers(0, 7)) == 0:
        params["type"] = "webhook-other"  # a 400, except for Rocket.Chat 7.x (exact match)
    return params


_ALL = [Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING]
CALLERS = st.one_of(
    callers(anonymous=True),
    # "all" callers, whose first pages sorted indexes serve, now and then with an "own" scope
    st.builds(lambda user, extra: Caller(user, [*_ALL, *extra]), st.sampled_from(USER_IDS),
              st.lists(st.sampled_from([Permission.MANAGE_OWN_OUTGOING]), max_size=1)),
)
SETTINGS = st.sampled_from([Settings(), Settings.rocketchat_7(), Settings(redact=True)])
