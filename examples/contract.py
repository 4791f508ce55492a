"""What every framework adapter must do, as data: requests and the responses they must produce.

Each example's tests drive its app through the framework's own test client with these cases.
The dataset and users are small and written out by hand so the expected answers can be read off.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from examples.users import Account, UserTable
from integrations_core import Caller, Response, list_integrations

PATH = "/api/v1/integrations.list"
ALICE = {"_id": "u-alice", "username": "alice"}
BOB = {"_id": "u-bob", "username": "bob"}

RECORDS: tuple[dict[str, Any], ...] = (
    {"_id": "in-1", "type": "webhook-incoming", "name": "Alpha hook", "_createdBy": ALICE,
     "channel": ["#dev"], "_createdAt": dt.datetime(2024, 1, 2, 3, 4, 5, 678000)},
    {"_id": "in-2", "type": "webhook-incoming", "name": "Beta hook", "_createdBy": BOB,
     "channel": ["#ops"], "_createdAt": dt.datetime(2024, 2, 1)},
    {"_id": "out-1", "type": "webhook-outgoing", "name": "Gamma bot", "_createdBy": ALICE,
     "urls": ["https://example.com/g"], "_createdAt": dt.datetime(2024, 3, 1)},
    {"_id": "out-2", "type": "webhook-outgoing", "name": "Delta bot", "_createdBy": BOB,
     "urls": ["https://example.com/d"], "_createdAt": dt.datetime(2024, 4, 1)},
    {"_id": "out-3", "type": "webhook-outgoing", "name": "Legacy relay", "_createdBy": None,
     "urls": ["https://example.com/l"], "_createdAt": dt.datetime(2024, 5, 1)},
)

USERS = UserTable({
    "u-alice": Account.of("alice-secret", ["manage-own-incoming-integrations",
                                           "manage-outgoing-integrations"]),
    "u-bob": Account.of("bob-secret", ["manage-own-incoming-integrations",
                                       "manage-own-outgoing-integrations"]),
    "u-eve": Account.of("eve-secret"),
})


def login(user_id: str, token: str) -> dict[str, str]:
    """The authentication headers of a request."""
    return {"X-User-Id": user_id, "X-Auth-Token": token}


AS_ALICE = login("u-alice", "alice-secret")
AS_BOB = login("u-bob", "bob-secret")
AS_EVE = login("u-eve", "eve-secret")

NOT_LOGGED_IN = {
    "success": False,
    "error": "You must be logged in to do this.",
    "status": "error",
    "message": "You must be logged in to do this.",
}
FORBIDDEN = {
    "success": False,
    "error": "User does not have the permissions required for this action [error-unauthorized]",
}


def qs(value: str) -> str:
    """``value`` percent-encoded for a query string (as a browser would send JSON)."""
    return quote(value, safe="")


BY_NAME = qs('{"name": 1}')
BY_NAME_DESC = qs('{"name": -1}')
BAD_SORT = qs('{"name": 2}')
NAME_ONLY = '{"name": 1}'
PARALLEL_SORT = '{"channel": 1, "urls": 1}'


@dataclass(frozen=True)
class Case:
    """A request (query string after ``?`` and headers) and what the response must say."""

    id: str
    query: str
    headers: Mapping[str, str]
    status: int
    ids: tuple[str, ...] | frozenset[str] | None = None  # tuple: in this order
    total: int | None = None
    body: Mapping[str, Any] | None = None
    error_type: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


CASES = (
    # Authentication is the adapter's job; the library answers 401 for caller None.
    Case("no-credentials", "", {}, 401, body=NOT_LOGGED_IN),
    Case("user-id-only", "", {"X-User-Id": "u-alice"}, 401, body=NOT_LOGGED_IN),
    Case("token-only", "", {"X-Auth-Token": "alice-secret"}, 401, body=NOT_LOGGED_IN),
    Case("wrong-token", "", login("u-alice", "bob-secret"), 401, body=NOT_LOGGED_IN),
    Case("unknown-user", "", login("u-mallory", "alice-secret"), 401, body=NOT_LOGGED_IN),
    Case("no-permission", "", AS_EVE, 403, body=FORBIDDEN),
    # Visibility: own incoming + all outgoing (including the creator-less one) for alice,
    # only his own records for bob.
    Case("alice-sees-union", "", AS_ALICE, 200,
         ids=frozenset({"in-1", "out-1", "out-2", "out-3"}), total=4),
    Case("bob-sees-own", "", AS_BOB, 200, ids=frozenset({"in-2", "out-2"}), total=2),
    # Query-string pairs reach the library decoded and in full.
    Case("type-and-encoded-sort", f"type=webhook-outgoing&sort={BY_NAME}",
         AS_ALICE, 200, ids=("out-2", "out-1", "out-3"), total=3),
    Case("page-of-sorted", f"sort={BY_NAME_DESC}&offset=1&count=2", AS_ALICE, 200,
         ids=("out-1", "out-2"), total=4),
    Case("name-case-insensitive", "name=BOT", AS_ALICE, 200,
         ids=frozenset({"out-1", "out-2"}), total=2),
    Case("encoded-ampersand-stays-in-value", f"name={qs('a&b')}", AS_ALICE, 200,
         ids=frozenset(), total=0),
    Case("encoded-space", "name=Alpha%20hook", AS_ALICE, 200, ids=("in-1",), total=1),
    # Repeated and unknown keys must reach the library, which rejects them.
    Case("repeated-key", "count=1&count=2", AS_ALICE, 400, error_type="invalid-params"),
    Case("unknown-key", "color=red", AS_ALICE, 400, error_type="invalid-params"),
    Case("bad-sort", f"sort={BAD_SORT}", AS_ALICE, 400,
         error_type="error-invalid-sort"),
)


@dataclass(frozen=True)
class Reply:
    """What the framework's test client received."""

    status: int
    headers: Mapping[str, str]  # names lower-cased
    text: str


Get = Callable[[str, Mapping[str, str]], Reply]
"""Send ``GET <path>`` (path may carry a query string) with headers through a test client."""


def library_response(url: str, headers: Mapping[str, str]) -> Response:
    """What the library itself answers for this request over RECORDS/USERS."""
    caller: Caller | None = USERS.authenticate(
        headers.get("X-User-Id"), headers.get("X-Auth-Token")
    )
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return list_integrations(RECORDS, caller, pairs)


def check(get: Get, case: Case) -> None:
    """Send ``case`` through ``get`` and assert the adapter's reply."""
    url = f"{PATH}?{case.query}" if case.query else PATH
    reply = get(url, case.headers)
    assert reply.status == case.status, reply.text
    assert reply.headers.get("content-type", "").startswith("application/json")
    body = json.loads(reply.text)
    if case.body is not None:
        assert body == case.body
    if case.error_type is not None:
        assert body["success"] is False
        assert body["errorType"] == case.error_type
    if case.ids is not None:
        got = [item["_id"] for item in body["integrations"]]
        ordered = not isinstance(case.ids, frozenset)
        assert (tuple(got) if ordered else frozenset(got)) == case.ids
        assert len(got) == len(set(got))
    if case.total is not None:
        assert body["total"] == case.total
    # The adapter writes back exactly what the library answered: status, headers, body text.
    expected = library_response(url, case.headers)
    assert reply.status == expected.status
    assert reply.text == expected.json()
    for name, value in expected.headers.items():
        assert reply.headers.get(name.lower()) == value, name


def check_sample_app(get: Get) -> None:
    """The module-level app serves the sample dataset to the demo users of examples.users."""
    from integrations_core.cli import sample_records

    sample = sample_records()
    alice_may_see = [
        r["_id"] for r in sample
        if r["type"] == "webhook-outgoing"
        or (r["type"] == "webhook-incoming" and (r.get("_createdBy") or {}).get("_id") == "u-alice")
    ]
    reply = get(f"{PATH}?count=0", login("u-alice", "alice-token"))
    assert reply.status == 200, reply.text
    got = [item["_id"] for item in json.loads(reply.text)["integrations"]]
    assert sorted(got) == sorted(alice_may_see)

    reply = get(f"{PATH}?count=0&fields={qs(NAME_ONLY)}", login("u-carol", "carol-token"))
    assert reply.status == 200, reply.text
    body = json.loads(reply.text)
    assert body["total"] == len(sample)
    assert all(set(item) == {"_id", "name"} for item in body["integrations"])

    assert get(PATH, login("u-dave", "dave-token")).status == 403
    assert get(PATH, login("u-dave", "alice-token")).status == 401

    # The sample's outgoing integrations hold two arrays: MongoDB refuses to sort on both
    # (https://www.mongodb.com/docs/manual/reference/method/cursor.sort/), a 400, never a 500.
    reply = get(f"{PATH}?sort={qs(PARALLEL_SORT)}", login("u-alice", "alice-token"))
    assert reply.status == 400, reply.text
    body = json.loads(reply.text)
    assert body["errorType"] == "error-invalid-sort"
    assert "parallel arrays" in body["details"]["reason"]


Send = Callable[[str, str], Reply]
"""Send ``METHOD url`` with no credentials and follow no redirects."""

# Rocket.Chat's shapes (apps/meteor/app/api/server/ApiClass.ts notFound(); 405 in the same
# shape, see integrations_core/server/replies.py): JSON, never HTML, never a redirect.
NOT_FOUND = {"success": False, "error": "Resource not found"}
METHOD_NOT_ALLOWED = {"success": False, "error": "Method Not Allowed"}
UNKNOWN_URLS = ("/", "/api/v1/me", "/api/v1/integrations.lists", f"{PATH}/", f"{PATH}/x",
                "/docs", "/openapi.json", "/static/app.js", "/admin/")


def check_errors(send: Send) -> None:
    """Unknown paths are Rocket.Chat's JSON 404 and other methods its JSON 405."""
    for url in UNKNOWN_URLS:
        for method in ("GET", "POST"):
            reply = send(method, url)
            assert reply.status == 404, (method, url, reply.status, reply.text)
            assert reply.headers.get("content-type") == "application/json", (method, url)
            assert json.loads(reply.text) == NOT_FOUND
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        reply = send(method, PATH)
        assert reply.status == 405, (method, reply.status, reply.text)
        assert reply.headers.get("content-type") == "application/json"
        assert json.loads(reply.text) == METHOD_NOT_ALLOWED
        assert "GET" in reply.headers.get("allow", "").split(", ")
