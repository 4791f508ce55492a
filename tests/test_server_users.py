"""The users file: validation with messages naming the user, the role table, the directory."""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from server_kit import USERS

from integrations_core import Permission
from integrations_core.server import (
    ROLE_PERMISSIONS,
    Directory,
    UsersError,
    load_users,
    parse_users,
)

ALL_FOUR = {p.value for p in Permission}
GOOD = {"_id": "u-1", "username": "one", "password": "pw"}


def test_the_test_users_parse() -> None:
    users = parse_users(json.dumps(USERS), "users.json")
    assert [u.id for u in users] == ["u-alice", "u-bob", "u-carol", "u-dave"]
    assert users[0].email == "alice@example.com" and users[0].auth_token == "tok-alice"


# Rocket.Chat's default roles and what they grant of the four integration permissions:
# apps/meteor/app/authorization/server/constant/permissions.ts grants each of the four to
# ["admin"] only; the roles are those of server/functions/upsertPermissions.ts plus the others
# that table names.
@pytest.mark.parametrize(("roles", "permissions", "granted"), [
    (["admin"], [], ALL_FOUR),
    (["user"], [], set()),
    (["moderator", "owner", "leader"], [], set()),
    (["bot", "app", "guest", "anonymous"], [], set()),
    (["livechat-agent", "livechat-manager", "livechat-monitor"], [], set()),
    (["user"], ["manage-own-incoming-integrations"], {"manage-own-incoming-integrations"}),
    (["admin"], ["manage-own-incoming-integrations"], ALL_FOUR),
    ([], [], set()),
])
def test_roles_grant_what_rocketchat_grants(roles: list[str], permissions: list[str],
                                            granted: set[str]) -> None:
    (user,) = parse_users(json.dumps([{**GOOD, "roles": roles, "permissions": permissions}]))
    assert user.permissions == granted
    assert user.roles == tuple(roles)


def test_role_table_covers_the_default_roles() -> None:
    assert {"admin", "moderator", "leader", "owner", "user", "bot", "app", "guest",
            "anonymous", "livechat-agent", "livechat-manager"} <= set(ROLE_PERMISSIONS)
    assert {r for r, granted in ROLE_PERMISSIONS.items() if granted} == {"admin"}


@pytest.mark.parametrize(("users", "message"), [
    ({"_id": "u"}, "expected a JSON array of users"),
    ([1], "user 0: expected a JSON object"),
    ([{**GOOD, "pasword": "x"}], "user 0: unknown field 'pasword'"),
    ([{"username": "x", "password": "p"}], "user 0: missing '_id'"),
    ([{"_id": "u-1", "password": "p"}], "user 0 (u-1): missing 'username'"),
    ([{**GOOD, "_id": ""}], "user 0: '_id' must be a non-empty string"),
    ([{**GOOD, "password": 5}], "'password' must be a non-empty string"),
    ([{"_id": "u-1", "username": "one"}], "needs a password or an authToken"),
    ([{**GOOD, "permissions": "manage-incoming-integrations"}],
     "'permissions' must be an array of strings"),
    ([{**GOOD, "permissions": ["manage-integrations"]}],
     "unknown permission 'manage-integrations'"),
    ([{**GOOD, "roles": ["superuser"]}], "'superuser' is not one of Rocket.Chat's default roles"),
    ([GOOD, {**GOOD, "username": "two"}], "_id 'u-1' is used by more than one user"),
    ([GOOD, {**GOOD, "_id": "u-2", "username": "ONE"}], "username 'ONE' is used by more"),
    ([{**GOOD, "authToken": "t"}, {"_id": "u-2", "username": "b", "authToken": "t"}],
     "authToken a token is used by more than one user"),
])
def test_bad_users_files_are_refused_clearly(users: Any, message: str) -> None:
    with pytest.raises(UsersError) as info:
        parse_users(json.dumps(users), "users.json")
    assert str(info.value).startswith("users.json: ")
    assert message in str(info.value)
    assert '"t"' not in str(info.value)  # a token is never echoed


def test_unreadable_users_files(tmp_path: Path) -> None:
    with pytest.raises(UsersError, match="cannot read"):
        load_users(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text('[\n{"_id": "u"\n]', encoding="utf-8")
    with pytest.raises(UsersError, match=r"bad.json: invalid JSON at line 3 column 1"):
        load_users(str(bad))


def test_directory_tokens() -> None:
    directory = Directory(parse_users(json.dumps(USERS)))
    alice = directory.find("ALICE@example.com")
    assert alice is not None and alice.id == "u-alice"
    assert directory.authenticate("u-alice", "tok-alice") == alice
    assert directory.authenticate("u-bob", "tok-alice") is None
    issued = directory.issue_token(alice)
    assert issued != directory.issue_token(alice)
    assert directory.resume(issued) == alice
    directory.revoke(issued)
    assert directory.resume(issued) is None
    assert directory.authenticate("u-alice", "tok-alice") == alice


def test_passwords_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    directory = Directory(parse_users(json.dumps(USERS)))
    assert directory.check_password(directory.find("alice"), "alice-pw")
    assert not directory.check_password(directory.find("alice"), "alice-pX")
    # An unknown login still costs one comparison (against a random secret), so timing does
    # not tell which usernames exist.
    assert not directory.check_password(None, "alice-pw")
    assert len(calls) == 3
    assert calls[2][0] not in (b"alice-pw", b"")
