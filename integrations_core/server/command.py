"""``integrations-core serve``: load the data and users once, print them, serve until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from importlib import resources

from ..cli import PROG, DataError, read_records, sample_records
from ..settings import Settings
from ..store import StoreError
from .app import IntegrationsServer
from .run import ServerUnavailable, serve
from .users import User, UsersError, load_users, parse_users

SAMPLE_USERS = "users.json"


def sample_users() -> tuple[User, ...]:
    """The demo users of the sample dataset (``integrations_core/data/users.json``)."""
    text = (resources.files("integrations_core") / "data" / SAMPLE_USERS).read_text("utf-8")
    return parse_users(text, SAMPLE_USERS)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``serve`` with parsed ``args``; returns the exit status."""
    if args.data is not None and args.users is None:
        return _fail("--users FILE is required with --data (the demo users serve the sample "
                     "dataset only)")
    try:
        records = sample_records() if args.data is None else read_records(args.data)
        users = sample_users() if args.users is None else load_users(args.users)
    except (DataError, UsersError) as exc:
        return _fail(str(exc))
    source = "the sample dataset" if args.data is None else args.data
    try:
        app = IntegrationsServer(records, users, settings)
    except StoreError as exc:  # e.g. two records with one _id
        return _fail(f"{source}: {exc}")

    def ready(url: str) -> None:
        extras = ", redacted" if args.redact else ""
        print(f"{PROG} serve: {url} ({len(records)} records from {source}, "
              f"profile {args.profile}{extras})")
        print(f"{len(users)} users:")
        for user in users:
            granted = ", ".join(sorted(user.permissions)) or "no integration permission"
            print(f"  {user.id} ({user.username}): {granted}")
        print("Press Ctrl-C to stop.", flush=True)

    try:
        serve(app, args.host, args.port, ready=ready)
    except ServerUnavailable as exc:
        return _fail(str(exc))
    print(f"{PROG} serve: stopped", flush=True)
    return 0


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2
