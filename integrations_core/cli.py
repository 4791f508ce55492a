"""``integrations-core list``: answer one integrations.list request from the command line.

The records come from ``--data FILE`` (any shape ``mongoexport`` writes, Extended JSON values:
:mod:`integrations_core.datafiles`; ``-`` reads standard input) or, by default, from the sample
dataset shipped in the package. The response body is printed as JSON; the exit status is 0 for a
200 response, 1 for any other response, and 2 for bad usage or an unreadable data file (one line
on standard error).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import Caller, Permission, Settings, list_integrations
from .datafiles import DataError, parse_records, read_records, sample_records

__all__ = ["DataError", "build_parser", "main", "parse_records", "read_records",
           "sample_records"]

PROG = "integrations-core"

# The endpoint's query parameters, in the order they are handed to the library.
_ENDPOINT_PARAMS = ("offset", "count", "sort", "fields", "query", "name", "type")
_PROFILES: dict[str, Callable[[], Settings]] = {
    "default": Settings,
    "rocketchat-7": Settings.rocketchat_7,
}
_SURROGATE = re.compile("[\ud800-\udfff]")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``integrations-core``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Rocket.Chat's GET /api/v1/integrations.list over in-memory records.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lister = commands.add_parser(
        "list",
        help="answer one integrations.list request and print the response body",
        description="Answer one integrations.list request and print the response body as JSON. "
        "Exit status: 0 for 200, 1 for any other response, 2 for bad usage or data.",
    )
    who = lister.add_argument_group("caller")
    who.add_argument("--user", metavar="ID",
                     help="the caller's user id; without it the caller is not logged in (401)")
    who.add_argument("--permission", action="append", default=[], metavar="NAME",
                     choices=[p.value for p in Permission],
                     help="a permission the caller holds (repeatable): %(choices)s")
    endpoint = lister.add_argument_group(
        "endpoint parameters", "passed to the endpoint as raw query-string values")
    endpoint.add_argument("--name", help="case-insensitive substring of the integration name")
    endpoint.add_argument("--type", help="webhook-incoming or webhook-outgoing")
    endpoint.add_argument("--query", metavar="JSON", help="an MQL filter (Extended JSON)")
    endpoint.add_argument("--sort", metavar="JSON", help='e.g. \'{"name": 1}\'')
    endpoint.add_argument("--fields", metavar="JSON", help='e.g. \'{"name": 1, "type": 1}\'')
    endpoint.add_argument("--offset", metavar="N", help="number of matches to skip")
    endpoint.add_argument("--count", metavar="N", help="page size (0 = all, when allowed)")
    source = lister.add_argument_group("data and behaviour")
    source.add_argument("--data", metavar="FILE",
                        help="records as mongoexport writes them: JSON lines, a JSON array, "
                        "--pretty objects; Extended JSON values ('-' = stdin); "
                        "default: the sample dataset shipped with the package")
    source.add_argument("--profile", choices=sorted(_PROFILES), default="default",
                        help="settings preset (default: %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.user == "":
        parser.error("--user: a user id cannot be empty (omit --user to call without logging in)")
    try:
        records = read_records(args.data)
    except DataError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    caller = None if args.user is None else Caller(args.user, frozenset(args.permission))
    params = [(key, value) for key in _ENDPOINT_PARAMS
              if (value := getattr(args, key)) is not None]
    response = list_integrations(records, caller, params, _PROFILES[args.profile]())
    _print_json(json.loads(response.json()))
    return 0 if response.status == 200 else 1


def _print_json(body: Any) -> None:
    text = json.dumps(body, indent=2, ensure_ascii=False)
    # A lone surrogate (from a "\ud800" escape in the data) cannot be encoded: keep it escaped.
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    try:
        try:
            print(text)
        except UnicodeEncodeError:  # a terminal that cannot show some characters
            print(json.dumps(body, indent=2))
        sys.stdout.flush()
    except BrokenPipeError:  # piped into e.g. `head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
