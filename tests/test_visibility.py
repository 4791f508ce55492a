"""Permissions -> scope (DESIGN 4.1), checked against the permission table written out by hand.

Source of the permission names and of the two Rocket.Chat 7.x bugs this library does not
reproduce: apps/meteor/app/integrations/server/lib/mountQueriesBasedOnPermission.ts (RocketChat/
Rocket.Chat). Every expectation below is written from DESIGN 4.1's table, not computed.
"""

from __future__ import annotations

from itertools import chain, combinations

import pytest

from integrations_core import Caller, Permission, can_list, visibility_filter
from integrations_core.mql import compile_filter

IN, OUT = "webhook-incoming", "webhook-outgoing"
ALL_IN, ALL_OUT = Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING
OWN_IN, OWN_OUT = Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING

RECORDS = [
    {"_id": "mine-in", "type": IN, "_createdBy": {"_id": "me", "username": "me"}},
    {"_id": "theirs-in", "type": IN, "_createdBy": {"_id": "other", "username": "other"}},
    {"_id": "mine-out", "type": OUT, "_createdBy": {"_id": "me", "username": "me"}},
    {"_id": "theirs-out", "type": OUT, "_createdBy": {"_id": "other", "username": "other"}},
    {"_id": "null-in", "type": IN, "_createdBy": None},
    {"_id": "missing-out", "type": OUT},
    {"_id": "odd-type", "type": "webhook-other", "_createdBy": {"_id": "me"}},
]

# (permissions, the records DESIGN 4.1's table lets "me" see), all 16 combinations.
TABLE = [
    ((), set()),
    ((ALL_IN,), {"mine-in", "theirs-in", "null-in"}),
    ((ALL_OUT,), {"mine-out", "theirs-out", "missing-out"}),
    ((OWN_IN,), {"mine-in"}),
    ((OWN_OUT,), {"mine-out"}),
    ((ALL_IN, ALL_OUT), {"mine-in", "theirs-in", "null-in", "mine-out", "theirs-out",
                         "missing-out"}),
    ((ALL_IN, OWN_IN), {"mine-in", "theirs-in", "null-in"}),
    ((ALL_IN, OWN_OUT), {"mine-in", "theirs-in", "null-in", "mine-out"}),
    ((ALL_OUT, OWN_IN), {"mine-in", "mine-out", "theirs-out", "missing-out"}),
    ((ALL_OUT, OWN_OUT), {"mine-out", "theirs-out", "missing-out"}),
    ((OWN_IN, OWN_OUT), {"mine-in", "mine-out"}),
    ((ALL_IN, ALL_OUT, OWN_IN), {"mine-in", "theirs-in", "null-in", "mine-out", "theirs-out",
                                 "missing-out"}),
    ((ALL_IN, ALL_OUT, OWN_OUT), {"mine-in", "theirs-in", "null-in", "mine-out",
                                  "theirs-out", "missing-out"}),
    # Rocket.Chat 7.x answers {"_createdBy._id": me} here (both "own" win): bug 1.
    ((ALL_IN, OWN_IN, OWN_OUT), {"mine-in", "theirs-in", "null-in", "mine-out"}),
    # ... and here: bug 2.
    ((ALL_OUT, OWN_IN, OWN_OUT), {"mine-in", "mine-out", "theirs-out", "missing-out"}),
    ((ALL_IN, ALL_OUT, OWN_IN, OWN_OUT), {"mine-in", "theirs-in", "null-in", "mine-out",
                                          "theirs-out", "missing-out"}),
]


def test_table_covers_every_combination() -> None:
    subsets = chain.from_iterable(combinations(list(Permission), n) for n in range(5))
    assert {frozenset(s) for s in subsets} == {frozenset(p) for p, _ in TABLE}


@pytest.mark.parametrize(("permissions", "expected"), TABLE)
def test_visibility_filter_selects_the_union_of_granted_scopes(
    permissions: tuple[Permission, ...], expected: set[str]
) -> None:
    match = compile_filter(visibility_filter(Caller("me", permissions)))
    assert {r["_id"] for r in RECORDS if match(r)} == expected
    assert can_list(permissions) is bool(permissions)


def test_filter_is_an_or_of_the_granted_scopes_in_table_order() -> None:
    caller = Caller("me", [OWN_OUT, ALL_IN])
    assert visibility_filter(caller) == {"$or": [
        {"type": IN},
        {"type": OUT, "_createdBy._id": "me"},
    ]}


def test_no_permission_is_a_filter_that_matches_nothing() -> None:
    match = compile_filter(visibility_filter(Caller("me", ["view-room"])))
    assert not any(match(r) for r in RECORDS)
    assert not can_list(["view-room", "manage-integrations"])


def test_permissions_may_be_plain_strings_or_members() -> None:
    by_name = Caller("me", ["manage-own-incoming-integrations"])
    by_member = Caller("me", {OWN_IN})
    assert by_name == by_member
    assert by_name.permissions == frozenset({"manage-own-incoming-integrations"})
    assert all(type(p) is str for p in by_member.permissions)
    assert can_list(iter([OWN_OUT]))


@pytest.mark.parametrize("bad", [("", []), (None, []), ("me", "manage-incoming-integrations"),
                                 ("me", [1])])
def test_caller_rejects_malformed_construction(bad: tuple[object, object]) -> None:
    with pytest.raises(TypeError):
        Caller(*bad)  # type: ignore[arg-type]


def test_user_ids_that_look_like_operators_stay_values() -> None:
    # The user id is only ever a value in the filter: a record created by a user whose id is
    # an operator-looking string is that user's, nobody else's.
    odd = Caller("$ne", [OWN_IN])
    records = [{"_id": 1, "type": IN, "_createdBy": {"_id": "$ne"}},
               {"_id": 2, "type": IN, "_createdBy": {"_id": "me"}}]
    match = compile_filter(visibility_filter(odd))
    assert [r["_id"] for r in records if match(r)] == [1]
