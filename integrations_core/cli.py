"""``integrations-core list`` answers one integrations.list request; ``serve`` runs a server.

The records come from ``--data FILE`` (any shape ``mongoexport`` writes, Extended JSON values:
:mod:`integrations_core.datafiles`; ``-`` reads standard input) or, by default, from the sample
dataset shipped in the package. ``list`` prints the response body as JSON; its exit status is 0
for a 200 response, 1 for any other response, and 2 for bad usage or an unreadable data file
(one line on standard error). ``serve`` (see :mod:`integrations_core.server.command`) serves
the records over HTTP.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
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


class _Once(argparse.Action):
    """An option that may be given once: a repeat is an error, as a repeated query parameter
    is for the endpoint (argparse would silently keep the last value)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        seen: set[str] = namespace.__dict__.setdefault("_given", set())
        if self.dest in seen:
            raise argparse.ArgumentError(self, "given more than once")
        seen.add(self.dest)
        setattr(namespace, self.dest, values)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text!r}")
    return int(text)


def _add_settings_options(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("settings")
    group.add_argument("--profile", choices=sorted(_PROFILES), default="default", action=_Once,
                       help="settings preset (default: %(default)s)")
    group.add_argument("--redact", action="store_true",
                       help="remove webhook tokens and scripts (token, script, scriptCompiled) "
                       "from every record, and refuse queries that read them")
    for flag, field, meaning in (
        ("--default-count", "default_count", "page size without count"),
        ("--max-count", "max_count", "largest page; larger counts are clamped"),
        ("--max-query-length", "max_query_length", "longest query text, in characters"),
        ("--max-conditions", "max_conditions", "most conditions a query may evaluate per record"),
        ("--max-regexes", "max_regexes", "most regular expressions a query may run per record"),
    ):
        group.add_argument(flag, dest=field, type=_positive, action=_Once, metavar="N",
                           help=f"{meaning} (Settings.{field})")
    group.add_argument("--no-infinite-count", dest="allow_infinite_count", action="store_false",
                       default=None, help="count=0 means the default page size, not every match")
    group.add_argument("--enable-query-and-fields", action="store_true",
                       help="accept query and fields in the rocketchat-7 profile (a 7.x server "
                       "with ALLOW_UNSAFE_QUERY_AND_FIELDS_API_PARAMS)")


_SETTINGS_FIELDS = ("default_count", "max_count", "max_query_length", "max_conditions",
                    "max_regexes", "allow_infinite_count")


def settings_from(args: argparse.Namespace) -> Settings:
    """The ``Settings`` the options ask for; raises ``ValueError`` for a contradiction."""
    overrides: dict[str, Any] = {
        field: value for field in _SETTINGS_FIELDS
        if (value := getattr(args, field, None)) is not None
    }
    if args.redact:
        overrides["redact"] = True
    if args.enable_query_and_fields:
        overrides.update(query_enabled=True, fields_enabled=True)
    if args.profile == "rocketchat-7":
        return Settings.rocketchat_7(**overrides)
    return Settings(**overrides)


def _version() -> str:
    try:
        return metadata.version("integrations_core")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``integrations-core``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Rocket.Chat's GET /api/v1/integrations.list over in-memory records.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lister = commands.add_parser(
        "list",
        help="answer one integrations.list request and print the response body",
        description="Answer one integrations.list request and print the response body as JSON. "
        "Exit status: 0 for 200, 1 for any other response, 2 for bad usage or data.",
    )
    who = lister.add_argument_group("caller")
    who.add_argument("--user", metavar="ID", action=_Once,
                     help="the caller's user id; without it the caller is not logged in (401)")
    who.add_argument("--permission", action="append", default=[], metavar="NAME",
                     choices=[p.value for p in Permission],
                     help="a permission the caller holds (repeatable): %(choices)s")
    endpoint = lister.add_argument_group(
        "endpoint parameters", "passed to the endpoint as raw query-string values")
    for flag, meta, text in (
        ("--name", None, "case-insensitive substring of the integration name"),
        ("--type", None, "webhook-incoming or webhook-outgoing"),
        ("--query", "JSON", "an MQL filter (Extended JSON)"),
        ("--sort", "JSON", 'e.g. \'{"name": 1}\''),
        ("--fields", "JSON", 'e.g. \'{"name": 1, "type": 1}\''),
        ("--offset", "N", "number of matches to skip"),
        ("--count", "N", "page size (0 = all, when allowed)"),
    ):
        endpoint.add_argument(flag, metavar=meta, action=_Once, help=text)
    source = lister.add_argument_group("data")
    source.add_argument("--data", metavar="FILE", action=_Once,
                        help="records as mongoexport writes them: JSON lines, a JSON array, "
                        "--pretty objects; Extended JSON values ('-' = stdin); "
                        "default: the sample dataset shipped with the package")
    _add_settings_options(lister)
    server = commands.add_parser(
        "serve",
        help="serve the records over HTTP to Rocket.Chat clients",
        description="Serve POST /api/v1/login, GET|POST /api/v1/logout, GET /api/v1/me, "
        "GET /api/info and GET /api/v1/integrations.list over the records, for the users of "
        "the users file, until Ctrl-C. Needs the 'server' extra (uvicorn).",
    )
    served = server.add_argument_group("data and users")
    served.add_argument("--data", metavar="FILE", action=_Once,
                        help="records as a JSON array or JSON lines; default: the sample "
                        "dataset (then --users defaults to its demo users)")
    served.add_argument("--users", metavar="FILE", action=_Once,
                        help="the users file: a JSON array of {_id, username, password, "
                        "authToken, permissions, roles} (docs/serving.md)")
    address = server.add_argument_group("address")
    address.add_argument("--host", default="127.0.0.1", action=_Once,
                         help="address to listen on (default: %(default)s)")
    address.add_argument("--port", type=int, default=3000, action=_Once,
                         help="port to listen on; 0 picks a free one (default: %(default)s)")
    _add_settings_options(server)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args)
    except ValueError as exc:
        parser.error(str(exc))
    if args.command == "serve":
        from .server.command import run_serve

        return run_serve(args, settings)
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
    response = list_integrations(records, caller, params, settings)
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
