"""Thread safety (issue 6): shared state is the compiled-query cache and the records.

list_integrations keeps no state of its own; ``compile_filter`` caches compiled queries in a
``functools.lru_cache`` (thread-safe in CPython; two threads may compile the same query at
once, and either result is correct), and the records are shared read-only. Many requests from
several threads, started together with the interpreter switching threads as often as it can,
must each get exactly the response it gets when run alone.
"""

from __future__ import annotations

import copy
import json
import random
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from integrations_core import Caller, Permission, Settings, list_integrations
from integrations_core.mql import filter as mql_filter

IN, OUT = "webhook-incoming", "webhook-outgoing"
USERS = ("u-ann", "u-bob", "u-cid")


def _records() -> list[dict[str, Any]]:
    rng = random.Random(6)
    return [
        {"_id": f"r{i:03d}", "type": (IN, OUT)[i % 2], "name": f"{rng.choice('ABC')}hook {i}",
         "enabled": i % 3 != 0, "channel": [f"#c{i % 5}", "#all"][: 1 + i % 2],
         "token": f"tok{i}", "_createdBy": None if i % 7 == 0 else
         {"_id": USERS[i % 3], "username": USERS[i % 3][2:]}, "retryCount": i % 4}
        for i in range(150)
    ]


def _requests() -> list[tuple[Caller, dict[str, str], Settings]]:
    queries = [
        {"name": {"$regex": "^a", "$options": "i"}},
        {"enabled": True, "retryCount": {"$gte": 2}},
        {"$or": [{"channel": "#c1"}, {"channel": {"$size": 2}}]},
        {"channel": {"$elemMatch": {"$in": ["#c2", "#c3"]}}},
        {"_createdBy._id": {"$in": list(USERS)}, "$nor": [{"retryCount": 0}]},
        {"$where": "sleep(1)"},                      # a 400 among the 200s
        {"name": {"$not": {"$regex": "hook 1"}}},
    ]
    sorts = [None, {"name": 1}, {"retryCount": -1, "channel": 1}, {"token": 1}]
    fields = [None, {"name": 1, "channel": 1}, {"_createdBy": 0}]
    callers = [Caller(user, perms) for user in USERS for perms in (
        [Permission.MANAGE_INCOMING, Permission.MANAGE_OWN_OUTGOING],
        [Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING],
        [Permission.MANAGE_OUTGOING],
    )]
    rng = random.Random(5)
    out = []
    for i in range(80):
        params = {"count": str(rng.choice([0, 3, 25])), "offset": str(rng.choice([0, 2]))}
        for key, options in (("query", queries), ("sort", sorts), ("fields", fields)):
            value = rng.choice(options)
            if value is not None:
                params[key] = json.dumps(value)
        if i % 4 == 0:
            params["name"] = rng.choice(["hook", "A", "1"])
        settings = Settings(redact=True) if i % 3 == 0 else Settings()
        out.append((rng.choice(callers), params, settings))
    return out


@pytest.fixture
def busy_switching() -> Iterator[None]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


@pytest.mark.usefixtures("busy_switching")
def test_threads_get_the_serial_answers() -> None:
    records = _records()
    snapshot = copy.deepcopy(records)
    requests = _requests()
    serial = [list_integrations(records, *request).json() for request in requests]
    assert {json.loads(text).get("success") for text in serial} == {True, False}

    threads, rounds = 6, 2
    barrier = threading.Barrier(threads)
    results: dict[int, list[tuple[int, str]]] = {}
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        order = list(range(len(requests)))
        random.Random(seed).shuffle(order)
        mine = []
        try:
            barrier.wait()
            for _ in range(rounds):
                for index in order:
                    mine.append((index, list_integrations(records, *requests[index]).json()))
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        results[seed] = mine

    mql_filter.FILTER_CACHE.clear()  # every thread compiles: the cache fills concurrently
    pool = [threading.Thread(target=work, args=(seed,)) for seed in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert errors == []
    assert sum(len(r) for r in results.values()) == threads * rounds * len(requests)
    for mine in results.values():
        for index, text in mine:
            assert text == serial[index]
    assert records == snapshot
