"""Logins and tokens of the server: password checks in constant time, tokens until logout.

Tokens are kept as their SHA-256 digests, as Rocket.Chat keeps ``hashedToken`` (a dump of the
table reveals no usable token). A token from the users file works from startup; one issued by
a login works until a logout with it, as does a file token that is logged out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable

from .users import User

_NOT_A_PASSWORD = secrets.token_bytes(32)  # compared against when the login names nobody


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Directory:
    """The users of a server, their logins and their live tokens. Thread-safe."""

    def __init__(self, users: Iterable[User]) -> None:
        self._users = {user.id: user for user in users}
        self._logins: dict[str, User] = {}
        for user in self._users.values():
            self._logins[user.username.lower()] = user
            if user.email:
                self._logins[user.email.lower()] = user
        self._tokens = {_digest(u.auth_token): u.id for u in self._users.values() if u.auth_token}
        self._lock = threading.Lock()

    @property
    def users(self) -> tuple[User, ...]:
        """Every user, in the order of the users file."""
        return tuple(self._users.values())

    def find(self, login: str) -> User | None:
        """The user whose username or email is ``login`` (case-insensitive, like Meteor)."""
        return self._logins.get(login.lower())

    def check_password(self, user: User | None, password: str) -> bool:
        """Whether ``password`` is ``user``'s, in time independent of where they differ."""
        expected = user.password.encode() if user and user.password else _NOT_A_PASSWORD
        ok = hmac.compare_digest(expected, password.encode("utf-8", "surrogatepass"))
        return ok and user is not None and user.password is not None

    def check_digest(self, user: User | None, digest: str) -> bool:
        """Whether ``digest`` is the hex SHA-256 of ``user``'s password (Meteor's
        ``{"digest": ..., "algorithm": "sha-256"}`` form), in constant time."""
        secret = user.password.encode() if user and user.password else _NOT_A_PASSWORD
        expected = hashlib.sha256(secret).hexdigest()
        ok = hmac.compare_digest(expected.encode(), digest.lower().encode("utf-8", "surrogatepass"))
        return ok and user is not None and user.password is not None

    def issue_token(self, user: User) -> str:
        """A new login token for ``user``."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[_digest(token)] = user.id
        return token

    def resume(self, token: str) -> User | None:
        """The user a live ``token`` belongs to (Meteor's ``{"resume": token}`` login)."""
        with self._lock:
            user_id = self._tokens.get(_digest(token))
        return None if user_id is None else self._users.get(user_id)

    def authenticate(self, user_id: str | None, token: str | None) -> User | None:
        """The user of ``X-User-Id``/``X-Auth-Token``, or None when either is missing or wrong."""
        if not user_id or not token:
            return None
        user = self.resume(token)
        return user if user is not None and user.id == user_id else None

    def revoke(self, token: str) -> None:
        """End the session of ``token`` (logout)."""
        with self._lock:
            self._tokens.pop(_digest(token), None)
