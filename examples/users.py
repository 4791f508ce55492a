"""The examples' authentication: an in-memory user table checked against X-User-Id/X-Auth-Token.

A real deployment looks the token up in its session store and the permissions in its role
system; what the library needs is the result: a :class:`~integrations_core.Caller`, or None.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from integrations_core import Caller, Permission


@dataclass(frozen=True)
class Account:
    """A user's login token and the permissions their roles grant."""

    token: str
    permissions: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, token: str, permissions: Iterable[str] = ()) -> Account:
        """An account holding ``permissions`` (any iterable of permission names)."""
        return cls(token, frozenset(permissions))


class UserTable:
    """Users by id; :meth:`authenticate` turns request credentials into a caller."""

    def __init__(self, accounts: Mapping[str, Account]) -> None:
        self._accounts = dict(accounts)

    def authenticate(self, user_id: str | None, token: str | None) -> Caller | None:
        """The caller these credentials identify, or None (missing, unknown or wrong token)."""
        if not user_id or token is None:
            return None
        account = self._accounts.get(user_id)
        if account is None:
            return None
        if not hmac.compare_digest(account.token.encode(), token.encode()):
            return None
        return Caller(user_id, account.permissions)


# Users of the sample dataset (integrations_core/data/sample.json), for trying the examples.
DEMO_USERS = UserTable({
    # Her own incoming webhooks plus every outgoing one: the union of two scopes.
    "u-alice": Account.of("alice-token", [Permission.MANAGE_OWN_INCOMING.value,
                                          Permission.MANAGE_OUTGOING.value]),
    # Only what he created himself, both directions.
    "u-bob": Account.of("bob-token", [Permission.MANAGE_OWN_INCOMING.value,
                                      Permission.MANAGE_OWN_OUTGOING.value]),
    # An administrator: everything, including records without a recorded creator.
    "u-carol": Account.of("carol-token", [Permission.MANAGE_INCOMING.value,
                                          Permission.MANAGE_OUTGOING.value]),
    # Logged in but without any integration permission: 403.
    "u-dave": Account.of("dave-token"),
})
