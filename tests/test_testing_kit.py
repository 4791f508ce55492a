"""integrations_core.testing: the strategies produce what they promise, and the conformance kit
passes the reference, catches Rocket.Chat's permission merge, and can break each of its laws.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import Phase, given, settings
from hypothesis.strategies import SearchStrategy

from integrations_core import (
    Caller,
    Permission,
    Settings,
    can_list,
    list_integrations,
    parse_list_params,
    visibility_filter,
)
from integrations_core.mql import compile_filter
from integrations_core.mql.errors import InputError
from integrations_core.testing import (
    LAWS,
    ConformanceReport,
    callers,
    check_implementation,
    integration_records,
    list_params,
    pairs_of,
    queries,
)
from integrations_core.testing.strategies import OPERATORS, PERMISSIONS, TYPES

ALL = frozenset(PERMISSIONS)
IN = Permission.MANAGE_INCOMING.value
OUT = Permission.MANAGE_OUTGOING.value
OWN_IN = Permission.MANAGE_OWN_INCOMING.value
OWN_OUT = Permission.MANAGE_OWN_OUTGOING.value


# -- the strategies ---------------------------------------------------------------------------

def seen(strategy: SearchStrategy[Any], labels: Mapping[str, Callable[[Any], bool]],
         examples: int = 300) -> set[str]:
    """The labels whose predicate held for some of ``examples`` generated values (no shrinking,
    derandomized, so the outcome is the same on every run)."""
    found: set[str] = set()

    @settings(max_examples=examples, phases=[Phase.generate], derandomize=True, database=None,
              deadline=None)
    @given(strategy)
    def run(value: Any) -> None:
        found.update(label for label, holds in labels.items() if holds(value))

    run()
    return found


@settings(max_examples=150, deadline=None)
@given(records=integration_records())
def test_records_have_distinct_ids_and_a_known_type(records: list[dict[str, Any]]) -> None:
    assert len({r["_id"] for r in records}) == len(records)
    for record in records:
        assert record["type"] in TYPES
        creator = record["_createdBy"]
        assert creator is None or set(creator) == {"_id", "username"}


def test_records_cover_both_types_several_users_and_null_creators() -> None:
    def owners(records: list[dict[str, Any]]) -> set[str]:
        return {r["_createdBy"]["_id"] for r in records if r["_createdBy"]}

    labels: dict[str, Callable[[Any], bool]] = {
        "both types": lambda rs: {r["type"] for r in rs} == set(TYPES),
        "several creators": lambda rs: len(owners(rs)) >= 2,
        "null creator": lambda rs: any(r["_createdBy"] is None for r in rs),
        "missing optional field": lambda rs: any("alias" not in r for r in rs),
        "array field": lambda rs: any(r.get("channel") for r in rs),
    }
    assert seen(integration_records(), labels) == set(labels)


@settings(max_examples=100, deadline=None)
@given(records=integration_records(scalars_only=True, null_creators=False))
def test_scalar_records_hold_only_scalars_and_creator_documents(
    records: list[dict[str, Any]]
) -> None:
    for record in records:
        assert isinstance(record["_createdBy"], dict)
        for key, value in record.items():
            if key != "_createdBy":
                assert isinstance(value, (str, bool, int)), (key, value)


def test_callers_reach_anonymous_none_and_every_permission() -> None:
    labels: dict[str, Callable[[Any], bool]] = {
        "anonymous": lambda c: c is None,
        "all four": lambda c: c is not None and c.permissions == ALL,
        "none": lambda c: c is not None and not c.permissions,
        **{p: (lambda c, p=p: c is not None and c.permissions == {p}) for p in PERMISSIONS},
    }
    assert seen(callers(), labels) == set(labels)


@settings(max_examples=100, deadline=None)
@given(caller=callers(anonymous=False, min_permissions=1))
def test_callers_with_min_permissions_may_list(caller: Caller | None) -> None:
    assert caller is not None and can_list(caller.permissions)


@settings(max_examples=300, deadline=None)
@given(query=queries())
def test_queries_are_valid_mql(query: dict[str, Any]) -> None:
    compile_filter(query)  # raises QueryError on anything invalid
    parse_list_params({"query": json.dumps(query)})  # and they survive the wire form


def _operators(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {k for k in value if k.startswith("$") and k not in ("$date", "$options")}
        return found.union(*(_operators(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_operators(v) for v in value))
    return set()


@settings(max_examples=150, deadline=None)
@given(query=queries(operators=("$in", "$exists", "$or"), fields=("type", "_createdBy._id")))
def test_queries_keep_to_the_operators_and_fields_asked_for(query: dict[str, Any]) -> None:
    assert _operators(query) <= {"$in", "$exists", "$or"}
    paths = {k for k in query if not k.startswith("$")}
    assert paths <= {"type", "_createdBy._id"}


def test_queries_reach_every_operator_and_a_top_level_or_on_the_creator() -> None:
    labels: dict[str, Callable[[Any], bool]] = {
        op: (lambda q, op=op: op in _operators(q)) for op in OPERATORS
    }
    labels["top-level $or on _createdBy._id"] = (
        lambda q: "$or" in q and "_createdBy._id" in json.dumps(q["$or"])
    )
    labels["extended JSON date"] = lambda q: "$date" in json.dumps(q)
    assert seen(queries(), labels, examples=500) == set(labels)


def test_queries_reject_what_they_cannot_generate() -> None:
    with pytest.raises(ValueError):
        queries(operators=("$where",))
    with pytest.raises(ValueError):
        queries(fields=("no.such.field",))


@settings(max_examples=200, deadline=None)
@given(records=integration_records(), caller=callers(anonymous=False, min_permissions=1),
       params=list_params())
def test_list_params_are_valid_requests(records: list[dict[str, Any]], caller: Caller,
                                        params: Any) -> None:
    assert isinstance(params, (dict, list))
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in pairs_of(params))
    response = list_integrations(records, caller, params)
    assert response.status == 200, (params, response.body)


def test_invalid_list_params_reach_each_kind_of_400() -> None:
    admin = Caller("u-alice", ALL)

    def error(params: Any) -> Any:
        return list_integrations([], admin, params).body.get("errorType")

    kinds = ("invalid-params", "error-invalid-sort", "error-invalid-fields",
             "error-invalid-query")
    labels: dict[str, Callable[[Any], bool]] = {
        kind: (lambda p, kind=kind: error(p) == kind) for kind in kinds
    }
    labels["valid"] = lambda p: error(p) is None
    assert seen(list_params(invalid=True), labels, examples=400) == set(labels)


def test_list_params_come_as_dicts_and_as_pairs_with_json_texts() -> None:
    def json_objects(p: Any) -> bool:
        texts = [v for k, v in pairs_of(p) if k in ("sort", "fields", "query")]
        return len(texts) == 3 and all(isinstance(json.loads(t), dict) for t in texts)

    labels: dict[str, Callable[[Any], bool]] = {
        "dict": lambda p: isinstance(p, dict) and len(p) >= 2,
        "pairs": lambda p: isinstance(p, list) and len(p) >= 2,
        "sort, fields and query as JSON objects": json_objects,
        "name and type": lambda p: {"name", "type"} <= dict(pairs_of(p)).keys(),
    }
    assert seen(list_params(), labels, examples=400) == set(labels)


# -- implementations to check -------------------------------------------------------------------

DEFAULT = Settings()


def rocketchat_merge(records: Sequence[Mapping[str, Any]], caller: Caller | None, params: Any,
                     settings: Settings = DEFAULT) -> Any:
    """A deliberately flawed copy: the user query is merged into the permission filter with
    dict.update semantics, as Rocket.Chat does with Object.assign, so a user ``$or`` (or a
    scope key such as ``_createdBy._id``) replaces the scope instead of narrowing it."""
    try:
        request = parse_list_params(params, settings)
    except InputError:
        return list_integrations(records, caller, params, settings)
    if caller is None or not can_list(caller.permissions) or not request.query:
        return list_integrations(records, caller, params, settings)
    merged = compile_filter({**visibility_filter(caller), **request.query})
    admin = Caller(caller.user_id, ALL)
    return list_integrations([r for r in records if merged(r)], admin, params, settings)


def total_of_page(records: Any, caller: Any, params: Any) -> Any:
    """Flawed: reports the page length as ``total``."""
    response = list_integrations(records, caller, params)
    if response.status == 200:
        response.body["total"] = len(response.body["integrations"])
    return response


def ignores_offset(records: Any, caller: Any, params: Any) -> Any:
    """Flawed: always serves the first page, though it echoes the offset asked for."""
    kept = [(k, v) for k, v in pairs_of(params) if k != "offset"]
    response = list_integrations(records, caller, kept)
    if response.status == 200:
        response.body["offset"] = parse_list_params(params).offset
    return response


def as_tuple(records: Any, caller: Any, params: Any) -> Any:
    """Correct, but answers ``(status, headers, body)`` with a dict body."""
    response = list_integrations(records, caller, params)
    return response.status, response.headers, response.body


def crashes_on_sort(records: Any, caller: Any, params: Any) -> Any:
    if "sort" in dict(pairs_of(params)):
        raise RuntimeError("boom")
    return list_integrations(records, caller, params)


def _failures(report: ConformanceReport) -> dict[str, Any]:
    return {f.law: f for f in report.failures}


# -- the kit on callables -----------------------------------------------------------------------

def test_reference_passes_every_law() -> None:
    report = check_implementation(list_integrations, max_examples=100)
    assert report.ok, str(report)
    assert report.laws == tuple(LAWS)
    assert "all laws hold" in str(report)


def test_rocketchat_merge_is_caught_with_a_minimal_example() -> None:
    report = check_implementation(rocketchat_merge, max_examples=100)
    failures = _failures(report)
    assert not report.ok
    assert "scope" in failures, str(report)
    assert set(failures) <= {"reference", "scope"}, str(report)  # paging laws still hold
    scope = failures["scope"]
    # The example replays: the flawed copy shows a record the caller may not see, and the
    # reference does not.
    assert scope.caller is not None
    visible = compile_filter(visibility_filter(scope.caller))
    hidden = {r["_id"] for r in scope.records if not visible(r)}
    leaked = {item["_id"] for item in rocketchat_merge(scope.records, scope.caller,
                                                       scope.params).body["integrations"]}
    assert hidden & leaked
    shown = {item["_id"] for item in list_integrations(scope.records, scope.caller,
                                                       scope.params).body["integrations"]}
    assert not hidden & shown
    # ... and it is minimal: a query whose $or replaces the scope, one hidden record, and no
    # other parameter.
    assert list(dict(pairs_of(scope.params))) == ["query"]
    assert "$or" in json.loads(dict(pairs_of(scope.params))["query"])
    assert len(scope.records) == 1
    text = str(report)
    assert "[scope]" in text and "outside the caller's permission scope" in text
    assert "$or" in text


def test_total_law_catches_a_page_sized_total() -> None:
    report = check_implementation(total_of_page, max_examples=200, laws=("total",))
    assert set(_failures(report)) == {"total"}, str(report)


def test_tiling_law_catches_ignored_offsets() -> None:
    report = check_implementation(ignores_offset, max_examples=200, laws=("tiling",))
    assert set(_failures(report)) == {"tiling"}, str(report)


def test_tuple_answers_with_dict_bodies_conform() -> None:
    report = check_implementation(as_tuple, max_examples=50)
    assert report.ok, str(report)


def test_a_crash_is_reported_not_raised() -> None:
    report = check_implementation(crashes_on_sort, max_examples=50, laws=("reference",))
    failure = _failures(report)["reference"]
    assert failure.actual is not None and failure.actual.status == -1
    assert "RuntimeError: boom" in str(report)
    assert dict(pairs_of(failure.params)).keys() == {"sort"}


def test_settings_describe_the_target_not_the_kit() -> None:
    rc7 = Settings.rocketchat_7()

    def rocketchat_profile(records: Any, caller: Any, params: Any) -> Any:
        return list_integrations(records, caller, params, rc7)

    assert check_implementation(rocketchat_profile, settings=rc7, max_examples=40).ok
    mismatch = check_implementation(rocketchat_profile, max_examples=40, laws=("reference",))
    assert not mismatch.ok


def test_unknown_law_and_incomplete_url_mode_are_refused() -> None:
    with pytest.raises(ValueError):
        check_implementation(list_integrations, laws=("speed",))
    with pytest.raises(ValueError):
        check_implementation("http://127.0.0.1:9")


# -- the kit on an HTTP server ------------------------------------------------------------------

SERVER_RECORDS: list[dict[str, Any]] = [
    {"_id": "in1", "type": "webhook-incoming", "name": "Guggy", "enabled": True,
     "channel": ["#general"], "_createdBy": {"_id": "u-alice", "username": "alice"}},
    {"_id": "in2", "type": "webhook-incoming", "name": "jira-sync", "enabled": False,
     "channel": [], "_createdBy": {"_id": "u-bob", "username": "bob"}},
    {"_id": "in3", "type": "webhook-incoming", "name": "Orphan", "enabled": True,
     "_createdBy": None},
    {"_id": "out1", "type": "webhook-outgoing", "name": "Deploy bot", "enabled": True,
     "event": "sendMessage", "_createdBy": {"_id": "u-alice", "username": "alice"}},
    {"_id": "out2", "type": "webhook-outgoing", "name": "alerts.prod", "enabled": True,
     "event": "roomCreated", "_createdBy": {"_id": "u-carol", "username": "carol"}},
    {"_id": "out3", "type": "webhook-outgoing", "name": "GitHub", "enabled": False,
     "event": "sendMessage", "_createdBy": {"_id": "u-bob", "username": "bob"}},
]
USERS = {
    "t-alice": Caller("u-alice", {OWN_IN, OWN_OUT}),
    "t-bob": Caller("u-bob", {IN, OWN_OUT}),
    "t-carol": Caller("u-carol", {OWN_OUT}),
    "t-admin": Caller("u-admin", ALL),
    "t-guest": Caller("u-guest", set()),
}
AUTH: dict[Caller | None, dict[str, str]] = {
    caller: {"X-User-Id": caller.user_id, "X-Auth-Token": token}
    for token, caller in USERS.items()
}
AUTH[None] = {}


def _serve(listing: Callable[..., Any]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            caller = USERS.get(self.headers.get("X-Auth-Token", ""))
            if caller is not None and caller.user_id != self.headers.get("X-User-Id"):
                caller = None
            if url.path != "/api/v1/integrations.list":
                self.send_error(404)
                return
            response = listing(SERVER_RECORDS, caller,
                               parse_qsl(url.query, keep_blank_values=True))
            body = response.json().encode()
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture()
def server() -> Iterator[str]:
    yield from _serve(list_integrations)


@pytest.fixture()
def flawed_server() -> Iterator[str]:
    yield from _serve(rocketchat_merge)


def test_http_server_wrapping_the_reference_passes(server: str) -> None:
    report = check_implementation(server, records=SERVER_RECORDS, auth=AUTH, max_examples=50)
    assert report.ok, str(report)
    assert report.target == server


def test_http_server_with_rocketchat_merge_is_caught(flawed_server: str) -> None:
    report = check_implementation(flawed_server, records=SERVER_RECORDS, auth=AUTH,
                                  max_examples=100, laws=("scope",))
    scope = _failures(report)["scope"]
    assert scope.caller is not None and scope.caller in AUTH
    assert scope.actual is not None and scope.actual.status == 200
    assert "$or" in dict(pairs_of(scope.params))["query"]

