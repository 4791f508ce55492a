"""``integrations-core serve`` as a real process, driven by the real PyPI client ``rocketchat_API``
(unmodified) and by the conformance kit over HTTP; every body is compared with
``list_integrations`` for the same caller and parameters.

rocketchat_API 3.7 builds query strings by joining ``key=str(value)`` without percent-encoding
(APISections/base.py ``call_api_get``); ``requests`` then only quotes characters a URL cannot
hold, so the values below avoid ``+ & # %``, which the client would corrupt (docs/serving.md).
Its ``integrations_list`` is a paginator (``@paginated("integrations")``) asking pages of
``count`` from ``offset`` until a short page; ``call_api_get`` returns the body itself.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rocketchat_API.APIExceptions.RocketExceptions import (
    RocketApiException,
    RocketAuthenticationException,
)
from rocketchat_API.rocketchat import RocketChat
from server_kit import (
    CALLERS,
    PASSWORDS,
    RECORDS,
    Server,
    auth_headers,
    running_server,
    write_files,
)

from integrations_core import Caller, Settings, list_integrations
from integrations_core.cli import parse_records
from integrations_core.testing import check_implementation

DATA = parse_records(json.dumps(RECORDS))
USERNAMES = {"u-alice": "alice", "u-bob": "bob", "u-carol": "carol", "u-dave": "dave"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_files(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def server(files: tuple[Path, Path]) -> Iterator[Server]:
    data, users = files
    with running_server(data.parent, "--data", str(data), "--users", str(users)) as running:
        yield running


def client(server: Server, user_id: str) -> RocketChat:
    """A client that logged in with the username and password."""
    return RocketChat(USERNAMES[user_id], PASSWORDS[user_id], server_url=server.url)


def expected(caller: Caller | None, params: dict[str, Any],
             settings: Settings | None = None) -> dict[str, Any]:
    """The library's body for the request, as JSON reads it."""
    pairs = [(key, str(value)) for key, value in params.items()]
    response = list_integrations(DATA, caller, pairs, settings or Settings())
    body: dict[str, Any] = json.loads(response.json())
    return body


def test_startup_banner_names_url_and_users(server: Server, files: tuple[Path, Path]) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert server.banner[0] == (f"integrations-core serve: {server.url} ({len(RECORDS)} records "
                                f"from {files[0]}, profile default)")
    assert "  u-carol (carol): manage-incoming-integrations, manage-outgoing-integrations, "\
           "manage-own-incoming-integrations, manage-own-outgoing-integrations" in server.banner
    assert "  u-dave (dave): no integration permission" in server.banner
    assert not any("pw" in line or "tok-" in line for line in server.banner)


def test_login_by_username_and_by_email(server: Server) -> None:
    rocket = client(server, "u-alice")
    assert rocket.headers["X-User-Id"] == "u-alice"
    assert rocket.headers["X-Auth-Token"] not in ("tok-alice", "")
    by_email = RocketChat("alice@example.com", "alice-pw", server_url=server.url)  # sends "user"
    assert by_email.headers["X-User-Id"] == "u-alice"
    assert by_email.headers["X-Auth-Token"] != rocket.headers["X-Auth-Token"]


def test_bad_password_is_401(server: Server) -> None:
    with pytest.raises(RocketAuthenticationException):
        RocketChat("alice", "wrong", server_url=server.url)
    with pytest.raises(RocketAuthenticationException):
        RocketChat("nobody", "alice-pw", server_url=server.url)


def test_me_and_info(server: Server) -> None:
    rocket = client(server, "u-alice")
    me = rocket.me()
    assert (me["_id"], me["username"], me["email"], me["success"]) == (
        "u-alice", "alice", "alice@example.com", True)
    assert me["avatarUrl"] == f"{server.url}/avatar/alice"
    assert rocket.info() == {"version": "7.0", "success": True}


@pytest.mark.parametrize("user_id", ["u-alice", "u-bob", "u-carol"])
@pytest.mark.parametrize("params", [
    {},
    {"offset": 1, "count": 2},
    {"type": "webhook-outgoing"},
    {"type": "webhook-incoming", "count": 1},
    {"name": "hook"},
    {"name": "BOT", "sort": '{"name": 1}'},
    {"sort": '{"_createdAt": -1}', "offset": 2},
    {"query": '{"enabled": true}'},
    {"query": '{"_createdAt": {"$gte": {"$date": "2024-03-01T00:00:00Z"}}}', "sort": '{"_id": 1}'},
    {"fields": '{"name": 1, "type": 1}'},
    {"offset": 1, "count": 3, "type": "webhook-outgoing", "name": "o", "sort": '{"name": -1}',
     "query": '{"enabled": true}', "fields": '{"name": 1}'},
], ids=lambda p: ",".join(p) or "none")
def test_integrations_list_bodies_equal_the_librarys(server: Server, user_id: str,
                                                    params: dict[str, Any]) -> None:
    rocket = client(server, user_id)
    want = expected(CALLERS[user_id], params)
    assert rocket.call_api_get("integrations.list", **params) == want
    # The client's own paginator walks every page of its count (50 unless given).
    items = list(rocket.integrations_list(**params))
    count = int(params.get("count", 50))
    offset = int(params.get("offset", 0))
    walked: list[dict[str, Any]] = []
    while True:
        page = expected(CALLERS[user_id], {**params, "offset": offset, "count": count})
        walked += page["integrations"]
        if len(page["integrations"]) < count:
            break
        offset += count
    assert items == walked


def test_not_logged_in_is_401(server: Server) -> None:
    rocket = RocketChat(user_id="u-alice", auth_token="not-the-token", server_url=server.url)
    with pytest.raises(RocketApiException) as info:
        rocket.call_api_get("integrations.list")
    assert info.value.status_code == 401
    assert info.value.response_json == expected(None, {})
    with pytest.raises(RocketApiException) as info:
        rocket.me()
    assert info.value.status_code == 401


def test_no_permission_is_403(server: Server) -> None:
    rocket = client(server, "u-dave")
    with pytest.raises(RocketApiException) as info:
        list(rocket.integrations_list())
    assert info.value.status_code == 403
    assert info.value.response_json == expected(CALLERS["u-dave"], {})


@pytest.mark.parametrize("params", [
    {"count": -1}, {"offset": "x"}, {"type": "webhook"}, {"color": "red"},
    {"sort": '{"name": 2}'}, {"fields": '{"name": 1, "type": 0}'},
    {"query": '{"$where": "sleep(100)"}'}, {"query": '{"name": {"$regex": "("}}'},
], ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
def test_bad_parameters_are_400(server: Server, params: dict[str, Any]) -> None:
    rocket = client(server, "u-carol")
    with pytest.raises(RocketApiException) as info:
        rocket.call_api_get("integrations.list", **params)
    assert info.value.status_code == 400
    assert info.value.response_json == expected(CALLERS["u-carol"], params)


def test_logout_ends_the_session(server: Server) -> None:
    rocket = client(server, "u-bob")
    assert rocket.logout() == {"status": "success",
                               "data": {"message": "You've been logged out!"}, "success": True}
    with pytest.raises(RocketApiException) as info:
        rocket.me()
    assert info.value.status_code == 401


def test_client_pitfalls_are_real(server: Server) -> None:
    # docs/serving.md "Client pitfalls": unencoded "+" arrives as a space, "&" splits.
    rocket = client(server, "u-carol")
    assert rocket.call_api_get("integrations.list", name="C++")["total"] == 0
    assert rocket.call_api_get("integrations.list", name="C%2B%2B")["total"] == 1
    with pytest.raises(RocketApiException) as info:
        rocket.call_api_get("integrations.list", name="Q&A")  # sends name=Q and A=
    assert info.value.status_code == 400
    assert rocket.call_api_get("integrations.list", name="Q%26A")["total"] == 1
    # count over the maximum is clamped to 100: a paginator asking 500 stops after one page.
    assert rocket.call_api_get("integrations.list", count=500)["count"] == len(RECORDS)


def test_conformance_kit_over_http(server: Server) -> None:
    auth = {CALLERS[user]: auth_headers(user) for user in CALLERS}
    report = check_implementation(server.url, records=DATA, auth={**auth, None: {}},
                                  max_examples=25, seed=14)
    assert report.ok, str(report)


def test_rocketchat_7_profile_and_redaction(files: tuple[Path, Path]) -> None:
    data, users = files
    with running_server(data.parent, "--data", str(data), "--users", str(users),
                        "--profile", "rocketchat-7", "--redact", "--default-count", "2",
                        "--max-count", "5") as server:
        assert server.banner[0].endswith("profile rocketchat-7, redacted)")
        settings = Settings.rocketchat_7(redact=True, default_count=2, max_count=5)
        rocket = client(server, "u-carol")
        for params in ({}, {"count": "10abc"}, {"query": '{"name": "x"}'}, {"count": 0}):
            assert rocket.call_api_get("integrations.list", **params) == expected(
                CALLERS["u-carol"], params, settings)
        with pytest.raises(RocketApiException) as info:
            rocket.call_api_get("integrations.list", fields='{"name": 1}')
        assert info.value.response_json == expected(CALLERS["u-carol"],
                                                    {"fields": '{"name": 1}'}, settings)
        assert rocket.call_api_get("integrations.list")["count"] == 2
        assert rocket.call_api_get("integrations.list", count=9)["count"] == 5
        body = rocket.call_api_get("integrations.list", count=0)
        assert body["count"] == len(RECORDS)
        assert all("token" not in item for item in body["integrations"])
        auth = {CALLERS[user]: auth_headers(user) for user in ("u-alice", "u-carol")}
        report = check_implementation(server.url, records=DATA, auth={**auth, None: {}},
                                      settings=settings, max_examples=15, seed=7)
        assert report.ok, str(report)


def test_ctrl_c_stops_cleanly_and_each_request_is_logged(files: tuple[Path, Path]) -> None:
    data, users = files
    with running_server(data.parent, "--data", str(data), "--users", str(users)) as server:
        rocket = client(server, "u-alice")
        rocket.call_api_get("integrations.list", count=1)
        assert server.stop(signal.SIGINT) == 0
        assert server.process.stdout is not None
        assert server.process.stdout.read().strip() == "integrations-core serve: stopped"
        log = server.log.read_text(encoding="utf-8").splitlines()
        assert len(log) == 2, log
        assert '"POST /api/v1/login" 200 u-alice' in log[0]
        assert '"GET /api/v1/integrations.list" 200 u-alice' in log[1]
        assert "Traceback" not in server.log.read_text(encoding="utf-8")


def test_serves_the_shipped_sample_by_default(tmp_path: Path) -> None:
    from integrations_core.cli import sample_records

    with running_server(tmp_path) as server:
        assert "34 records from the sample dataset" in server.banner[0]
        rocket = RocketChat("alice", "alice-password", server_url=server.url)
        alice = Caller("u-alice", {"manage-own-incoming-integrations",
                                   "manage-outgoing-integrations"})
        params = {"count": 0, "sort": '{"_createdAt": 1}'}
        want = json.loads(list_integrations(sample_records(), alice,
                                            {k: str(v) for k, v in params.items()}).json())
        assert rocket.call_api_get("integrations.list", **params) == want
        assert want["total"] == 23
        dave = RocketChat("dave", "dave-password", server_url=server.url)  # roles: ["user"]
        with pytest.raises(RocketApiException) as info:
            dave.call_api_get("integrations.list")
        assert info.value.status_code == 403
