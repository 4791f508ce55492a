"""Shared parts of the server tests: a dataset and users file, an in-process ASGI caller, and a
real ``integrations-core serve`` process on 127.0.0.1 (a port the system picks), stopped by PID.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integrations_core import Caller

ALICE = {"_id": "u-alice", "username": "alice"}
BOB = {"_id": "u-bob", "username": "bob"}

# As a data file stores them (Extended JSON dates), with the secrets --redact removes.
RECORDS: list[dict[str, Any]] = [
    {"_id": "in-1", "type": "webhook-incoming", "name": "Alpha hook", "enabled": True,
     "token": "secret-in-1", "_createdBy": ALICE, "channel": ["#dev"],
     "_createdAt": {"$date": "2024-01-02T03:04:05.678Z"}},
    {"_id": "in-2", "type": "webhook-incoming", "name": "Beta hook", "enabled": False,
     "token": "secret-in-2", "_createdBy": BOB, "channel": ["#ops"],
     "_createdAt": {"$date": "2024-02-01T00:00:00Z"}},
    {"_id": "in-3", "type": "webhook-incoming", "name": "C++ build hook", "enabled": True,
     "token": "secret-in-3", "_createdBy": ALICE, "channel": ["#cpp"],
     "script": "class Script {}", "_createdAt": {"$date": "2024-02-15T00:00:00Z"}},
    {"_id": "out-1", "type": "webhook-outgoing", "name": "Gamma bot", "enabled": True,
     "token": "secret-out-1", "_createdBy": ALICE, "urls": ["https://example.com/g"],
     "_createdAt": {"$date": "2024-03-01T00:00:00Z"}},
    {"_id": "out-2", "type": "webhook-outgoing", "name": "Delta bot", "enabled": True,
     "_createdBy": BOB, "urls": ["https://example.com/d"],
     "_createdAt": {"$date": "2024-04-01T00:00:00Z"}},
    {"_id": "out-3", "type": "webhook-outgoing", "name": "Legacy relay", "enabled": False,
     "_createdBy": None, "urls": ["https://example.com/l"],
     "_createdAt": {"$date": "2024-05-01T00:00:00Z"}},
    {"_id": "out-4", "type": "webhook-outgoing", "name": "Q&A bot", "enabled": True,
     "_createdBy": BOB, "urls": ["https://example.com/q"],
     "_createdAt": {"$date": "2024-06-01T00:00:00Z"}},
]

OWN_IN = "manage-own-incoming-integrations"
OWN_OUT = "manage-own-outgoing-integrations"
ALL_IN = "manage-incoming-integrations"
ALL_OUT = "manage-outgoing-integrations"

USERS: list[dict[str, Any]] = [
    {"_id": "u-alice", "username": "alice", "email": "alice@example.com", "name": "Alice",
     "password": "alice-pw", "authToken": "tok-alice", "permissions": [OWN_IN, ALL_OUT]},
    {"_id": "u-bob", "username": "bob", "password": "bob-pw", "authToken": "tok-bob",
     "permissions": [OWN_IN, OWN_OUT]},
    {"_id": "u-carol", "username": "carol", "password": "carol-pw", "authToken": "tok-carol",
     "roles": ["admin"]},
    {"_id": "u-dave", "username": "dave", "password": "dave-pw", "authToken": "tok-dave",
     "roles": ["user", "bot"]},
]

# What each user may do, written out (not computed by the code under test): carol's admin
# role grants all four permissions, dave's user and bot roles none (Rocket.Chat's default
# role table, apps/meteor/app/authorization/server/constant/permissions.ts).
CALLERS: dict[str, Caller] = {
    "u-alice": Caller("u-alice", {OWN_IN, ALL_OUT}),
    "u-bob": Caller("u-bob", {OWN_IN, OWN_OUT}),
    "u-carol": Caller("u-carol", {ALL_IN, ALL_OUT, OWN_IN, OWN_OUT}),
    "u-dave": Caller("u-dave", set()),
}
PASSWORDS = {"u-alice": "alice-pw", "u-bob": "bob-pw", "u-carol": "carol-pw",
             "u-dave": "dave-pw"}
TOKENS = {"u-alice": "tok-alice", "u-bob": "tok-bob", "u-carol": "tok-carol",
          "u-dave": "tok-dave"}


def auth_headers(user_id: str) -> dict[str, str]:
    """The headers that authenticate ``user_id`` with the users file's token."""
    return {"X-User-Id": user_id, "X-Auth-Token": TOKENS[user_id]}


def write_files(directory: Path) -> tuple[Path, Path]:
    """The data and users files in ``directory``."""
    data = directory / "records.json"
    data.write_text(json.dumps(RECORDS, indent=1), encoding="utf-8")
    users = directory / "users.json"
    users.write_text(json.dumps(USERS, indent=1), encoding="utf-8")
    return data, users


# --- in process ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What an ASGI application sent back."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(app: Any, method: str, path: str, *, query: str = "",
         headers: Mapping[str, str] | None = None, body: bytes = b"",
         root_path: str = "") -> Answer:
    """Send one request to the ASGI ``app`` in process and collect the answer."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": root_path + path, "root_path": root_path,
        "query_string": query.encode("latin-1"), "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1"))
                    for k, v in {"host": "testserver", **(headers or {})}.items()],
    }
    chunks = [body[i:i + 1000] for i in range(0, len(body), 1000)] or [b""]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, *rest = sent
    assert start["type"] == "http.response.start"
    return Answer(start["status"],
                  {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]},
                  b"".join(m.get("body", b"") for m in rest))


# --- a real process -------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``integrations-core serve``."""

    url: str
    process: subprocess.Popen[str]
    banner: list[str]
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` to the server's PID and wait for it to exit; its exit status."""
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            try:
                return self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
        return self.process.wait(timeout=15)


@contextmanager
def running_server(directory: Path, *args: str) -> Iterator[Server]:
    """``integrations-core serve --host 127.0.0.1 --port 0 ARGS`` for the test's duration."""
    log = directory / f"server-{time.monotonic_ns()}.log"
    with open(log, "w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "integrations_core", "serve", "--host", "127.0.0.1",
             "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, text=True,
        )
    server = Server("", process, [], log)
    try:
        server.banner = _banner(process, log)
        server.url = server.banner[0].split()[2]
        yield server
    finally:
        server.stop(signal.SIGKILL)
        if process.stdout:
            process.stdout.close()


def _banner(process: subprocess.Popen[str], log: Path, timeout: float = 30) -> list[str]:
    """The startup lines, up to "Press Ctrl-C to stop." (read in a thread, with a deadline)."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        while (line := stdout.readline()) and not line.startswith("Press Ctrl-C"):
            lines.put(line.rstrip("\n"))
        lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    banner: list[str] = []
    deadline = time.monotonic() + timeout
    while not banner or not banner[-1].startswith("Press Ctrl-C"):
        try:
            banner.append(lines.get(timeout=max(0.0, deadline - time.monotonic())))
        except queue.Empty:
            raise AssertionError(f"server did not start: {banner} {log.read_text()}") from None
        if banner[-1] == "":
            raise AssertionError(f"server exited: {banner} {log.read_text()}")
    return banner

