"""The ASGI application in process: every route, login forms, tokens, 404/405, mounting."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from server_kit import CALLERS, RECORDS, USERS, Answer, auth_headers, call

from integrations_core import IntegrationStore, Settings, list_integrations
from integrations_core.cli import parse_records
from integrations_core.server import IntegrationsServer, parse_users
from integrations_core.store import DuplicateIdError

DATA = parse_records(json.dumps(RECORDS))
LIST = "/api/v1/integrations.list"
NOT_LOGGED_IN = {"success": False, "error": "You must be logged in to do this.",
                 "status": "error", "message": "You must be logged in to do this."}
# tests/end-to-end/api/31-failed-login-attempts.ts: a failed login is 401 with status "error"
# and message "Unauthorized"; ApiClass.ts unauthorized() puts success and error first.
LOGIN_FAILED = {"success": False, "error": "Unauthorized", "status": "error",
                "message": "Unauthorized"}


@pytest.fixture
def app() -> IntegrationsServer:
    return IntegrationsServer(DATA, parse_users(json.dumps(USERS)))


def login(app: IntegrationsServer, body: Any, content_type: str = "application/json") -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return call(app, "POST", "/api/v1/login", headers={"content-type": content_type}, body=raw)


# --- integrations.list -----------------------------------------------------------------------

@pytest.mark.parametrize("user", sorted(CALLERS))
@pytest.mark.parametrize("query", [
    "", "count=2&offset=1", "type=webhook-outgoing", "name=HOOK", "sort=%7B%22name%22%3A-1%7D",
    "query=" + quote('{"enabled": true}'), "fields=" + quote('{"name": 1}'), "count=0",
    "count=abc", "sort=%7B%22name%22%3A2%7D", "count=1&count=2", "color=red",
    "name=" + quote("Q&A"), "name=C%2B%2B", "name=C++",
])
def test_list_answers_what_the_library_answers(app: IntegrationsServer, user: str,
                                               query: str) -> None:
    from urllib.parse import parse_qsl

    answer = call(app, "GET", LIST, query=query, headers=auth_headers(user))
    expected = list_integrations(DATA, CALLERS[user], parse_qsl(query, keep_blank_values=True))
    assert (answer.status, answer.body.decode()) == (expected.status, expected.json())
    for name, value in expected.headers.items():
        assert answer.headers[name] == value


def test_percent_decoding_is_the_servers(app: IntegrationsServer) -> None:
    # "+" is a space in a query string; %2B is a plus sign (the client pitfall of serving.md).
    def names(query: str) -> list[str]:
        body = call(app, "GET", LIST, query=query, headers=auth_headers("u-carol")).json()
        return [item["name"] for item in body["integrations"]]

    assert names("name=C%2B%2B") == ["C++ build hook"]
    assert names("name=C++") == []            # "C  " matches nothing
    assert names("name=Q%26A") == ["Q&A bot"]
    assert call(app, "GET", LIST, query="name=Q&A=",
                headers=auth_headers("u-carol")).status == 400  # "A=" became a parameter


@pytest.mark.parametrize("headers", [
    {}, {"X-User-Id": "u-alice"}, {"X-Auth-Token": "tok-alice"},
    {"X-User-Id": "u-alice", "X-Auth-Token": "tok-bob"},
    {"X-User-Id": "u-nobody", "X-Auth-Token": "tok-alice"},
    {"X-User-Id": "u-alice", "X-Auth-Token": ""},
])
def test_list_without_valid_credentials_is_401(app: IntegrationsServer,
                                               headers: dict[str, str]) -> None:
    answer = call(app, "GET", LIST, headers=headers)
    assert (answer.status, answer.json()) == (401, NOT_LOGGED_IN)


def test_roles_map_to_permissions(app: IntegrationsServer) -> None:
    carol = call(app, "GET", LIST, query="count=0", headers=auth_headers("u-carol")).json()
    assert carol["total"] == len(RECORDS)  # admin: all four permissions
    dave = call(app, "GET", LIST, headers=auth_headers("u-dave"))
    assert dave.status == 403
    assert dave.json() == {"success": False, "error": "User does not have the permissions "
                           "required for this action [error-unauthorized]"}


def test_settings_reach_the_endpoint() -> None:
    app = IntegrationsServer(DATA, parse_users(json.dumps(USERS)), Settings(redact=True))
    body = call(app, "GET", LIST, query="count=0", headers=auth_headers("u-carol")).json()
    assert body["total"] == len(RECORDS)
    assert not any({"token", "script"} & set(item) for item in body["integrations"])
    assert call(app, "GET", LIST, query="sort=" + quote('{"token": 1}'),
                headers=auth_headers("u-carol")).status == 400


def test_records_are_copied_once_and_never_changed() -> None:
    records = parse_records(json.dumps(RECORDS))
    app = IntegrationsServer(records, parse_users(json.dumps(USERS)))
    records[0]["name"] = "changed after start-up"
    records.clear()  # the app holds its own copies, in a store
    body = call(app, "GET", LIST, query="count=0", headers=auth_headers("u-carol")).json()
    assert body["total"] == len(RECORDS)
    assert list(app.store) == parse_records(json.dumps(RECORDS))


def test_a_store_is_served_as_it_is_and_writes_to_it_are_seen() -> None:
    store = IntegrationStore(parse_records(json.dumps(RECORDS)))
    app = IntegrationsServer(store, parse_users(json.dumps(USERS)))
    assert app.store is store
    first = store.get(RECORDS[0]["_id"])
    store.delete(first["_id"])
    body = call(app, "GET", LIST, query="count=0", headers=auth_headers("u-carol")).json()
    assert body["total"] == len(RECORDS) - 1
    assert first["_id"] not in [item["_id"] for item in body["integrations"]]
    store.insert(first)
    again = call(app, "GET", LIST, query="count=0", headers=auth_headers("u-carol")).json()
    assert again == list_integrations(list(store), CALLERS["u-carol"], {"count": "0"}).body


def test_records_sharing_an_id_are_refused_at_start_up() -> None:
    records = parse_records(json.dumps(RECORDS))
    with pytest.raises(DuplicateIdError, match="duplicate _id"):
        IntegrationsServer([*records, records[0]], parse_users(json.dumps(USERS)))


# --- login, me, logout, info -----------------------------------------------------------------

# Bodies a Rocket.Chat client sends (ApiClass.ts loginCompatibility; the e2e test
# tests/end-to-end/api/miscellaneous.ts logs in with each of these forms).
@pytest.mark.parametrize("body", [
    {"username": "alice", "password": "alice-pw"},
    {"user": "alice", "password": "alice-pw"},
    {"user": "alice@example.com", "password": "alice-pw"},
    {"email": "ALICE@example.com", "password": "alice-pw"},
    {"user": {"username": "alice"}, "password": "alice-pw"},
    {"user": {"email": "alice@example.com"}, "password": "alice-pw"},
    {"username": "Alice", "password": "alice-pw"},  # Meteor finds usernames case-insensitively
    {"user": "alice", "password": {"digest": hashlib.sha256(b"alice-pw").hexdigest(),
                                   "algorithm": "sha-256"}},
], ids=["username", "user", "user-email", "email", "wrapped-username", "wrapped-email",
        "case", "digest"])
def test_login_forms(app: IntegrationsServer, body: dict[str, Any]) -> None:
    answer = login(app, body)
    assert answer.status == 200, answer.body
    reply = answer.json()
    assert list(reply) == ["status", "data", "success"]
    assert reply["status"] == "success" and reply["success"] is True
    assert list(reply["data"]) == ["userId", "authToken", "me"]
    assert reply["data"]["userId"] == "u-alice"
    me = reply["data"]["me"]
    assert (me["_id"], me["username"], me["email"], me["name"]) == (
        "u-alice", "alice", "alice@example.com", "Alice")
    assert "password" not in json.dumps(me).replace('"password": {"exists"', "")
    token = reply["data"]["authToken"]
    assert token not in {"tok-alice", "alice-pw"}
    listed = call(app, "GET", LIST, headers={"X-User-Id": "u-alice", "X-Auth-Token": token})
    assert listed.status == 200


def test_login_as_a_form(app: IntegrationsServer) -> None:
    answer = login(app, urlencode({"username": "bob", "password": "bob-pw"}).encode(),
                   "application/x-www-form-urlencoded")
    assert answer.status == 200
    assert answer.json()["data"]["userId"] == "u-bob"


@pytest.mark.parametrize("body", [
    {"username": "alice", "password": "wrong"},
    {"username": "alice", "password": "alice-pw "},
    {"username": "alice", "password": ""},
    {"username": "nobody", "password": "alice-pw"},
    {"user": "nobody@example.com", "password": "x"},
    {"username": "alice", "password": {"digest": hashlib.sha256(b"wrong").hexdigest(),
                                       "algorithm": "sha-256"}},
])
def test_bad_credentials_are_401(app: IntegrationsServer, body: dict[str, Any]) -> None:
    answer = login(app, body)
    assert (answer.status, answer.json()) == (401, LOGIN_FAILED)


@pytest.mark.parametrize(("body", "error", "message"), [
    # Meteor's login handlers: no handler takes the options, or the resume token is dead.
    ({}, 400, "Unrecognized options for login request"),
    ({"password": "alice-pw"}, 400, "Unrecognized options for login request"),
    ({"resume": "no-such-token"}, 403,
     "You've been logged out by the server. Please log in again."),
    ({"username": "alice", "password": 7}, 400, "Match failed"),
    # ApiClass.ts loginCompatibility passes a body with other fields to Meteor as it is.
    ({"username": "alice", "password": "alice-pw", "remember": True}, 400,
     "Unrecognized options for login request"),
    ({"user": 5, "password": "alice-pw"}, 400, "Unrecognized options for login request"),
    ({"resume": "x", "username": "alice"}, 400, "Unrecognized options for login request"),
])
def test_unusable_logins_are_401(app: IntegrationsServer, body: dict[str, Any], error: Any,
                                 message: str) -> None:
    answer = login(app, body)
    assert answer.status == 401
    assert answer.json() == {"success": False, "error": error, "status": "error",
                             "message": message}


@pytest.mark.parametrize("raw", [b"{", b"[1]", b"\xff"])
def test_unreadable_login_body_is_400(app: IntegrationsServer, raw: bytes) -> None:
    answer = login(app, raw)
    assert answer.status == 400
    assert answer.json()["success"] is False


def test_resume_login_and_logout(app: IntegrationsServer) -> None:
    token = login(app, {"username": "bob", "password": "bob-pw"}).json()["data"]["authToken"]
    resumed = login(app, {"resume": token})
    assert resumed.status == 200
    assert resumed.json()["data"]["authToken"] == token
    headers = {"X-User-Id": "u-bob", "X-Auth-Token": token}
    out = call(app, "POST", "/api/v1/logout", headers=headers)
    assert out.json() == {"status": "success", "data": {"message": "You've been logged out!"},
                          "success": True}
    assert call(app, "GET", "/api/v1/me", headers=headers).status == 401
    assert call(app, "GET", LIST, headers=headers).status == 401
    assert login(app, {"resume": token}).status == 401
    # Other sessions of the same user live on.
    assert call(app, "GET", "/api/v1/me", headers=auth_headers("u-bob")).status == 200


def test_the_files_token_works_until_it_is_logged_out(app: IntegrationsServer) -> None:
    headers = auth_headers("u-alice")
    assert call(app, "GET", "/api/v1/logout", headers=headers).status == 200
    assert call(app, "GET", LIST, headers=headers).status == 401
    assert call(app, "GET", "/api/v1/logout", headers=headers).json() == NOT_LOGGED_IN


def test_me(app: IntegrationsServer) -> None:
    answer = call(app, "GET", "/api/v1/me", headers=auth_headers("u-carol"))
    body = answer.json()
    assert answer.status == 200
    # getUserInfo.ts: the user, then settings, avatarUrl, isOAuthUser, services.password.
    assert body == {
        "_id": "u-carol", "username": "carol", "status": "online", "active": True,
        "name": "carol", "roles": ["admin"],
        "settings": {"profile": {}, "preferences": {}},
        "avatarUrl": "http://testserver/avatar/carol", "isOAuthUser": False,
        "services": {"password": {"exists": True}}, "success": True,
    }
    assert call(app, "GET", "/api/v1/me").json() == NOT_LOGGED_IN


def test_info(app: IntegrationsServer) -> None:
    # getServerInfo.ts: without view-statistics, the version without its patch number.
    answer = call(app, "GET", "/api/info")
    assert (answer.status, answer.json()) == (200, {"version": "7.0", "success": True})
    other = IntegrationsServer(DATA, (), version="7.4.1")
    assert call(other, "GET", "/api/info").json()["version"] == "7.4"


# --- everything else -------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/", "/api", "/api/v1", "/api/v1/integrations.lists", "/api/v1/integrations.list/x",
    "/api/v1/info", "/api/me", "/favicon.ico", "/api/v1/integrations.list//",
])
def test_unknown_paths_are_json_404(app: IntegrationsServer, path: str) -> None:
    for method in ("GET", "POST", "PUT"):
        answer = call(app, method, path, headers=auth_headers("u-carol"))
        # ApiClass.ts notFound()
        assert (answer.status, answer.json()) == (404, {"success": False,
                                                        "error": "Resource not found"})
        assert answer.headers["content-type"] == "application/json"


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("POST", LIST, "GET, HEAD"), ("DELETE", LIST, "GET, HEAD"),
    ("GET", "/api/v1/login", "POST"), ("PUT", "/api/v1/login", "POST"),
    ("DELETE", "/api/v1/logout", "GET, HEAD, POST"), ("POST", "/api/v1/me", "GET, HEAD"),
    ("POST", "/api/info", "GET, HEAD"), ("PATCH", "/api/info", "GET, HEAD"),
])
def test_wrong_methods_are_json_405(app: IntegrationsServer, method: str, path: str,
                                    allow: str) -> None:
    answer = call(app, method, path, headers=auth_headers("u-carol"))
    assert answer.status == 405
    assert answer.json() == {"success": False, "error": "Method Not Allowed"}
    assert answer.headers["allow"] == allow
    assert answer.headers["content-type"] == "application/json"


def test_paths_match_like_express_without_redirects(app: IntegrationsServer) -> None:
    # Express routers are neither strict nor case-sensitive by default: no 3xx, same answer.
    plain = call(app, "GET", LIST, headers=auth_headers("u-carol"))
    for path in (LIST + "/", "/API/V1/Integrations.List"):
        answer = call(app, "GET", path, headers=auth_headers("u-carol"))
        assert (answer.status, answer.body) == (200, plain.body)


def test_head_sends_headers_only(app: IntegrationsServer) -> None:
    answer = call(app, "HEAD", "/api/info")
    assert (answer.status, answer.body) == (200, b"")
    assert int(answer.headers["content-length"]) == len(call(app, "GET", "/api/info").body)


def test_body_over_the_limit_is_413() -> None:
    app = IntegrationsServer(DATA, parse_users(json.dumps(USERS)), max_body=100)
    answer = login(app, {"username": "alice", "password": "x" * 200})
    assert answer.status == 413
    assert answer.json()["success"] is False


def test_mounted_under_a_prefix(app: IntegrationsServer) -> None:
    answer = call(app, "GET", "/api/v1/me", root_path="/chat", headers=auth_headers("u-bob"))
    assert answer.status == 200
    assert answer.json()["avatarUrl"] == "http://testserver/chat/avatar/bob"


def test_lifespan_and_websocket() -> None:
    app = IntegrationsServer(DATA, ())
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete",
                                         "lifespan.shutdown.complete"]
    sent.clear()
    asyncio.run(app({"type": "websocket", "path": "/"}, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1003}]


def test_one_log_line_per_request(app: IntegrationsServer,
                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="integrations_core.server"):
        call(app, "GET", LIST, query="count=1", headers=auth_headers("u-alice"))
        call(app, "GET", "/nope")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith('127.0.0.1:50000 "GET /api/v1/integrations.list" 200 u-alice ')
    assert lines[1].startswith('127.0.0.1:50000 "GET /nope" 404 - ')
    assert "tok-alice" not in "".join(lines)



def test_a_failing_handler_is_a_json_500(app: IntegrationsServer,
                                         monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    def broken(request: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setitem(app.routes["/api/info"], "GET", broken)
    with caplog.at_level(logging.ERROR, logger="integrations_core.server"):
        answer = call(app, "GET", "/api/info")
    # ApiClass.ts internalError()
    assert (answer.status, answer.json()) == (500, {"success": False,
                                                    "error": "Internal server error"})
    assert "RuntimeError: bug" in caplog.text
