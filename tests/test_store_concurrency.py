"""IntegrationStore under threads (issue 13 §4): one writer and several readers, the interpreter
switching threads as often as it can. Every answer a reader gets must be the answer over one of
the states the writes went through, between the last write finished before the request began
and the first not yet finished when it ended; so must every ``list(store)``. A reader inside
a plan holds writes back until it is done.
"""

from __future__ import annotations

import copy
import json
import random
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from integrations_core import Caller, IntegrationStore, Permission, list_integrations
from integrations_core.params import parse_list_params

IN, OUT = "webhook-incoming", "webhook-outgoing"
USERS = ("u-ann", "u-bob", "u-cid")
WRITES = 150
READERS = 3
TIME_LIMIT = 20.0  # seconds; the writer's work bounds the run well before this


def _record(rng: random.Random, i: int) -> dict[str, Any]:
    return {"_id": f"r{i:03d}", "type": rng.choice((IN, OUT, [IN, OUT])),
            "name": rng.choice(["alpha", "beta", "gamma", ["b", "a"], None]),
            "enabled": rng.random() < 0.5, "_createdBy": {"_id": rng.choice(USERS)},
            "_createdAt": rng.randrange(50)}


def _writes(rng: random.Random, initial: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """A write sequence that is valid from ``initial`` on: inserts, replaces and deletes."""
    ids = [r["_id"] for r in initial]
    out: list[tuple[str, Any]] = []
    fresh = len(initial)
    for _ in range(WRITES):
        op = rng.choice(["insert", "replace", "delete"] if ids else ["insert"])
        if op == "insert":
            record = _record(rng, fresh)
            fresh += 1
            ids.append(record["_id"])
            out.append(("insert", record))
        elif op == "replace":
            record = _record(rng, 0)
            record["_id"] = rng.choice(ids)
            out.append(("replace", record))
        else:
            out.append(("delete", ids.pop(rng.randrange(len(ids)))))
    return out


def _states(initial: list[dict[str, Any]], writes: list[tuple[str, Any]]) -> list[list[Any]]:
    """The records after each prefix of the writes, applied one by one to an ordered dict."""
    model = {r["_id"]: r for r in copy.deepcopy(initial)}
    states = [list(model.values())]
    for op, arg in writes:
        if op == "delete":
            del model[arg]
        else:
            model[arg["_id"]] = copy.deepcopy(arg)
        states.append(list(model.values()))
    return states


REQUESTS = [
    (Caller("u-ann", [Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING]), params)
    for params in ({}, {"sort": '{"name": 1}', "count": "5"}, {"sort": '{"name": -1}'},
                   {"offset": "10", "count": "3"}, {"query": '{"enabled": true}'},
                   {"sort": '{"_createdAt": 1}', "count": "4", "type": IN})
] + [
    (Caller("u-bob", [Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING]), params)
    for params in ({}, {"sort": '{"name": 1}', "count": "2"})
] + [(Caller("u-cid", [Permission.MANAGE_INCOMING, Permission.MANAGE_OWN_OUTGOING]), {})]


@pytest.fixture
def busy_switching() -> Iterator[None]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


@pytest.mark.usefixtures("busy_switching")
def test_readers_see_one_state_of_the_writes_or_another() -> None:
    rng = random.Random(13)
    initial = [_record(rng, i) for i in range(60)]
    writes = _writes(rng, initial)
    states = _states(initial, writes)
    store = IntegrationStore(initial)
    applied = 0  # writes that have returned
    deadline = time.monotonic() + TIME_LIMIT
    seen: list[tuple[int, int, int, str]] = []  # (first state, last state, request, answer)
    lists: list[tuple[int, int, list[Any]]] = []
    errors: list[BaseException] = []

    def writer() -> None:
        nonlocal applied
        try:
            for k, (op, arg) in enumerate(writes):
                # Readers get a turn on a loaded machine too: one answer per five writes.
                while len(seen) < k // 5 and time.monotonic() < deadline:
                    time.sleep(0.0005)
                if time.monotonic() > deadline:
                    return
                getattr(store, op)(arg)
                applied += 1
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    def reader(seed: int) -> None:
        turn = random.Random(seed)
        try:
            while applied < len(writes) and time.monotonic() < deadline:
                first = applied
                if turn.random() < 0.2:
                    snapshot = list(store)
                    lists.append((first, applied + 1, snapshot))
                    continue
                i = turn.randrange(len(REQUESTS))
                answer = list_integrations(store, *REQUESTS[i]).json()
                seen.append((first, applied + 1, i, answer))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer)]
    threads += [threading.Thread(target=reader, args=(k,)) for k in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIME_LIMIT + 10)
    assert not errors, errors
    assert applied == len(writes) and len(seen) >= 20

    memo: dict[tuple[int, int], str] = {}

    def expected(state: int, i: int) -> str:
        if (state, i) not in memo:
            memo[state, i] = list_integrations(states[state], *REQUESTS[i]).json()
        return memo[state, i]

    last = len(states) - 1
    for first, end, i, answer in seen:
        window = range(first, min(end, last) + 1)
        assert any(answer == expected(s, i) for s in window), (first, end, REQUESTS[i])
    for first, end, snapshot in lists:
        assert any(snapshot == states[s] for s in range(first, min(end, last) + 1))
    assert list(store) == states[-1]
    for i in range(len(REQUESTS)):  # and afterwards, the store answers as the scan does
        assert list_integrations(store, *REQUESTS[i]).json() == expected(last, i)


def test_a_write_waits_for_the_plan_being_read() -> None:
    store = IntegrationStore([{"_id": f"r{i}", "type": IN, "name": str(i)} for i in range(5)])
    caller = Caller("u", [Permission.MANAGE_INCOMING])
    done = threading.Event()

    def write() -> None:
        store.insert({"_id": "late", "type": IN, "name": "0"})
        done.set()

    writer = threading.Thread(target=write)
    with store.candidates(caller, parse_list_params({"sort": '{"name": 1}'})) as plan:
        writer.start()
        held_back = not done.wait(0.2)
        names = [r["name"] for r in plan.records]
    writer.join(10)
    assert held_back and done.is_set()
    assert names == ["0", "1", "2", "3", "4"]
    assert json.loads(list_integrations(store, caller, {}).json())["total"] == 6
