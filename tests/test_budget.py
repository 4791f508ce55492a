"""The work budget (issue 9; docs/security.md, "Work budget"): counted work bounds real work,
every slow shape is answered within the budget or refused by name, the same request over the
same records is always answered or always refused, and a query too costly per record is refused
before any record is read.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations_core import (
    Caller,
    Permission,
    Settings,
    list_integrations,
    listing,
    parse_list_params,
)
from integrations_core.mql import LimitError, budget, codegen, operators, paths, predicates, tree
from integrations_core.mql import filter as mql_filter
from integrations_core.testing.strategies import integration_records, queries

CALLER = Caller("u-ann", [p.value for p in Permission])
REFUSED = "needs more work than Settings.max_work"


class Work:
    """What a request really did, counted by wrapping the engine's own pieces."""

    def __init__(self) -> None:
        self.tests = 0  # value predicate calls on a path's values
        self.regex = 0  # the regex calls' bound: call cost + per-character cost x length
        self.meters: list[budget.Meter] = []
        self.charged = {"regex": 0, "values": 0}  # what the engine charged, by who charged it

    @property
    def spent(self) -> int:
        return sum(m.spent for m in self.meters)


def record_meters(monkeypatch: pytest.MonkeyPatch) -> list[budget.Meter]:
    """Every meter the listing makes from now on, to read what each request was charged."""
    meters: list[budget.Meter] = []

    class Meter(budget.Meter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            meters.append(self)

    monkeypatch.setattr(listing, "Meter", Meter)
    return meters


class _Counting:
    """``budget.current`` for generated code (which reads ``.blocks``, ``.local.meter`` and calls
    its ``charge``), counting what it charges to the request's meter."""

    def __init__(self, charge: Callable[[int], None]) -> None:
        self.charge = charge
        self.local = self

    @property
    def blocks(self) -> int:
        return budget.current.blocks

    @property
    def meter(self) -> _Counting | None:
        return None if budget.current.local.meter is None else self


@contextmanager
def instrumented(monkeypatch: pytest.MonkeyPatch, generated: bool) -> Iterator[Work]:
    work = Work()
    real_matcher, real_regex = tree.path_matcher, mql_filter.compile_regex

    def path_matcher(parts: Any, pred: Callable[[Any], bool], leaf: bool = True,
                     cost: int = budget.VALUE) -> Any:
        def counted(value: Any) -> bool:
            work.tests += 1
            return pred(value)
        return real_matcher(parts, counted, leaf, cost)

    def compile_regex(*args: Any, **kwargs: Any) -> Any:
        compiled = real_regex(*args, **kwargs)
        per_call = budget.LITERAL_CALL if compiled.kind == "literal" else budget.REGEX_CALL
        search, unit_cost = compiled.test, compiled.unit_cost

        def counted(subject: str) -> bool:
            work.regex += per_call + unit_cost * len(subject)
            return bool(search(subject))
        compiled.test = counted
        return compiled

    def charging(kind: str) -> Callable[[int], None]:
        def charge(units: int) -> None:
            work.charged[kind] += units
            budget.charge(units)
        return charge

    monkeypatch.setattr(predicates, "charge", charging("regex"))
    monkeypatch.setattr(predicates, "current", _Counting(charging("regex")))
    for module in (paths, operators):
        monkeypatch.setattr(module, "charge", charging("values"))
    monkeypatch.setattr(codegen, "current", _Counting(charging("values")))
    monkeypatch.setattr(tree, "path_matcher", path_matcher)
    monkeypatch.setattr(mql_filter, "compile_regex", compile_regex)
    work.meters = record_meters(monkeypatch)
    if not generated:  # the closure tree: every value test is a counted call
        monkeypatch.setattr(mql_filter, "generate", lambda plan: None)
    mql_filter.FILTER_CACHE.clear()
    try:
        yield work
    finally:
        mql_filter.FILTER_CACHE.clear()


ROOMY = Settings(max_work=10**12)  # the bound is about counting, not refusing


@settings(max_examples=60, deadline=None)
@given(records=integration_records(max_size=12), query=queries(max_depth=2),
       sort=st.sampled_from([None, '{"name": 1}', '{"channel": -1}', '{"_createdAt": 1}']),
       generated=st.booleans())
def test_counted_work_bounds_the_work_done(records: list[dict[str, Any]], query: dict[str, Any],
                                           sort: str | None, generated: bool) -> None:
    params = {"query": json.dumps(query), "count": "0"}
    if sort:
        params["sort"] = sort
    with pytest.MonkeyPatch.context() as patch, instrumented(patch, generated) as work:
        response = list_integrations(records, CALLER, params, ROOMY)
    assert response.status in (200, 400), response.body
    # Every regex call was charged its bound before it ran.
    assert work.charged["regex"] >= work.regex
    # A path's first value is part of the static cost per record (one per condition of the
    # scope and the query); every further value tested was charged as it was visited.
    conditions = _conditions(query) + 6
    assert work.charged["values"] + budget.VALUE * conditions * len(records) >= (
        budget.VALUE * work.tests)
    if response.status == 200:
        matched = response.body["total"]
        floor = (budget.RECORD * len(records) + budget.VALUE * work.tests + work.regex
                 + budget.COPY_VALUE * matched)
        if sort:
            floor += budget.SORT_KEY * 2 * matched  # the user's key and _id
        assert work.spent >= floor


def _conditions(query: Any) -> int:
    """An upper bound of the field conditions in ``query`` (every operator key and field)."""
    if isinstance(query, dict):
        return len(query) + sum(_conditions(v) for v in query.values())
    if isinstance(query, list):
        return sum(_conditions(v) for v in query)
    return 0


@settings(max_examples=40, deadline=None)
@given(records=integration_records(max_size=20), query=queries(max_depth=2))
def test_the_same_request_is_always_answered_or_always_refused(
        records: list[dict[str, Any]], query: dict[str, Any]) -> None:
    tight = Settings(max_work=20_000, max_work_per_record=800)
    params = {"query": json.dumps(query), "count": "0", "sort": '{"name": -1}'}
    first = list_integrations(records, CALLER, params, tight)
    mql_filter.FILTER_CACHE.clear()
    again = list_integrations(records, CALLER, params, tight)
    assert (first.status, first.body) == (again.status, again.body)
    if first.status == 400 and first.body["errorType"] == "invalid-params":
        assert REFUSED in first.body["error"]


# --- the slow shapes of issue 9 -------------------------------------------------------------------

def _realistic(n: int) -> list[dict[str, Any]]:
    rng = random.Random(9)
    return [{"_id": f"r{i}", "type": ("webhook-incoming", "webhook-outgoing")[i % 2],
             "name": f"Hook {i} {rng.choice(['deploy', 'alerts', 'ci'])}",
             "token": "".join(rng.choices("ABCDEFGHabcdefgh0123456789", k=24)),
             "channel": [f"#c{i % 7}"], "urls": [f"https://h{i}.example/x"],
             "_createdBy": {"_id": f"u{i % 5}", "username": f"user{i % 5}"}} for i in range(n)]


def _adversarial(n: int, name: str) -> list[dict[str, Any]]:
    rng = random.Random(10)
    names = {"e-acute": lambda: "é" * 1000, "random-ab": lambda: "".join(rng.choices("ab", k=1000))}
    return [{"_id": f"r{i}", "type": "webhook-incoming", "name": names[name](),
             "token": "".join(rng.choices("ab", k=1000)),
             "channel": [f"#c{j}" for j in range(100)], "urls": [f"u{j}" for j in range(100)],
             "_createdBy": {"_id": "u-ann", "username": "ann"}} for i in range(n)]


_NOR_OF_CLASSES = {"$nor": [{"token": {"$regex": "[A-Za-z]" + "[ -~]" * 47 + f"#{i}"}}
                            for i in range(8)]}
# (request, source in issue 9's "Why"): each shape that was slow on 10,000 records.
SLOW_SHAPES: list[tuple[dict[str, str], str]] = [
    ({"query": json.dumps(_NOR_OF_CLASSES)}, "$nor of 8 regexes of 48 classes: 2.6 s"),
    ({"query": json.dumps({"name": {"$regex": "(?s)a" + "." * 250 + "c"}})},
     "written-out '.' repetition: passes max_regex_repeat"),
    ({"query": json.dumps({"name": {"$regex": "\\w" * 240}})}, "\\w x 240"),
    ({"query": json.dumps({"name": {"$regex": "[a-m]" + "[ -~]" * 198}})}, "[a-m] + 198 [ -~]"),
    ({"query": json.dumps({"name": {"$regex": "([a-z]{1,12}){12}"}})}, "nested bounds"),
    ({"query": json.dumps({"name": {"$regex": "é" * 970, "$options": "i"}})},
     "case-insensitive non-ASCII literal"),
    ({"name": "é" * 8192}, "the name parameter: an 8,192-character caseless literal"),
    ({"query": json.dumps({"$and": [{"channel": {"$regex": f"^#c{i}x"}} for i in range(8)]})},
     "8 trivial regexes over 100-element arrays: 6.7 s"),
    ({"sort": json.dumps({"channel.0": 1, "channel.1": -1, "channel.2": 1, "channel.3": -1}),
      "count": "0"}, "a 4-key sort over arrays: 3.8 s"),
    ({"count": "0"}, "every match at once"),
]
DATASETS = {
    "realistic": lambda: _realistic(2_000),
    "e-acute names": lambda: _adversarial(300, "e-acute"),
    "random a/b names": lambda: _adversarial(300, "random-ab"),
}


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize(("params", "source"), SLOW_SHAPES, ids=[s for _, s in SLOW_SHAPES])
def test_each_slow_shape_is_answered_within_budget_or_refused_by_name(
        params: dict[str, str], source: str, dataset: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    records = DATASETS[dataset]()
    meters = record_meters(monkeypatch)
    response = list_integrations(records, CALLER, params)
    if response.status == 200:
        (meter,) = meters
        # Answered: what it did fits the allowance of this request.
        assert meter.spent <= Settings().max_work + Settings().max_work_per_record * len(records)
    else:
        assert response.status == 400, response.body
        body = json.dumps(response.body)
        assert REFUSED in body or "Settings." in body or "max_" in body, body


def test_a_query_too_costly_per_record_is_refused_before_any_record_is_read() -> None:
    members = [{"_id": f"u{i}", "username": "x"} for i in range(15)]
    query = json.dumps({"_createdBy": {"$in": members}})
    with pytest.raises(LimitError, match=r"per record, over Settings.max_work_per_record"):
        parse_list_params({"query": query})
    parse_list_params({"query": query}, Settings(max_work_per_record=100_000))


def test_a_breach_is_a_400_naming_the_limit_never_a_partial_page() -> None:
    records = _realistic(3_000)
    tight = Settings(max_work=1_000, max_work_per_record=1_000)
    response = list_integrations(records, CALLER, {"count": "0"}, tight)
    assert response.status == 400
    assert response.body == {
        "success": False, "errorType": "invalid-params",
        "error": response.body["error"]}
    assert response.body["error"].startswith("request: " + REFUSED)
    assert response.body["error"].endswith("[invalid-params]")
    assert list_integrations(records, CALLER, {"count": "0"}).body["total"] == 3_000


def test_the_wall_clock_limit_is_optional_and_named() -> None:
    records = _realistic(20_000)
    query = json.dumps({"$or": [{"name": {"$regex": f"x{i}$"}} for i in range(8)]})
    slow = {"query": query, "count": "0", "sort": '{"name": 1}'}
    roomy = 10**12  # the work budget would refuse it too: this is about the clock
    refused = list_integrations(records, CALLER, slow, Settings(max_work=roomy, max_time_ms=1))
    assert refused.status == 400 and "Settings.max_time_ms (1 ms)" in refused.body["error"]
    assert list_integrations(records, CALLER, slow, Settings(max_work=roomy)).status == 200
    with pytest.raises(ValueError):
        Settings(max_time_ms=0)


@pytest.mark.parametrize("query", [{"channel": "#ops"}, {"name": {"$regex": "^bot", "$options": "i"}}])
def test_generated_code_charges_its_own_threads_meter_only(query: dict[str, Any]) -> None:
    # Generated code reads the thread's meter only while some thread has one (budget.current).
    match = mql_filter.compile_filter(query)
    doc = {"channel": ["#a", "#b", "#ops"], "name": "Bot 1"}
    mine, theirs = budget.Meter(10**6), budget.Meter(10**6)
    opened, release = threading.Event(), threading.Event()

    def other_request() -> None:
        with budget.metered(theirs):
            opened.set()
            release.wait(10)

    thread = threading.Thread(target=other_request)
    thread.start()
    try:
        assert opened.wait(10) and budget.current.blocks == 1
        assert match(doc)  # this thread has no meter: nothing is charged anywhere
        with budget.metered(mine):
            assert match(doc)
        assert theirs.spent == 0 and mine.spent > 0
        with pytest.raises(budget.WorkLimitError), budget.metered(budget.Meter(0)):
            match(doc)
    finally:
        release.set()
        thread.join()
    assert budget.current.blocks == 0 and budget.current.local.meter is None
    assert match(doc)
