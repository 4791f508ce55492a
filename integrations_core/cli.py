"""``integrations-core list``: answer one integrations.list request from the command line.

The records come from ``--data FILE`` (a JSON array or JSON lines, Extended JSON dates; ``-``
reads standard input) or, by default, from the sample dataset shipped in the package. The
response body is printed as JSON; the exit status is 0 for a 200 response, 1 for any other
response, and 2 for bad usage or an unreadable data file (one line on standard error).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any, TextIO

from . import Caller, Permission, Settings, list_integrations
from .mql.ejson import decode
from .mql.errors import InputError

PROG = "integrations-core"
SAMPLE_NAME = "sample.json"

# The endpoint's query parameters, in the order they are handed to the library.
_ENDPOINT_PARAMS = ("offset", "count", "sort", "fields", "query", "name", "type")
_PROFILES: dict[str, Callable[[], Settings]] = {
    "default": Settings,
    "rocketchat-7": Settings.rocketchat_7,
}
_SURROGATE = re.compile("[\ud800-\udfff]")


class DataError(Exception):
    """A data file that cannot be turned into records; the message is one line for a person."""


def parse_records(text: str, source: str = "<data>") -> list[dict[str, Any]]:
    """Records from a JSON array or JSON-lines ``text``, Extended JSON values decoded.

    Raises :class:`DataError` naming ``source`` and the offending line or record.
    """
    if text.lstrip().startswith("["):
        raw: list[Any] = _load_json(text, source)  # valid JSON starting with "[" is a list
        items = [(f"record {index}", item) for index, item in enumerate(raw)]
    else:
        items = [
            (f"line {number}", _load_json(line, f"{source}: line {number}"))
            # Only "\n" ends a line: str.splitlines() would also split at U+2028 inside strings.
            for number, line in enumerate(text.split("\n"), start=1)
            if line.strip()
        ]
    return [_record(item, f"{source}: {where}") for where, item in items]


def read_records(path: str | None = None, stdin: TextIO | None = None) -> list[dict[str, Any]]:
    """Records from the file ``path`` (``-`` = standard input), or the sample when None."""
    if path is None:
        return sample_records()
    source = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            text = (stdin or sys.stdin).read()
        else:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
    except UnicodeDecodeError as exc:
        raise DataError(f"{source}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise DataError(f"cannot read {source}: {exc.strerror or exc}") from None
    return parse_records(text, source)


def sample_records() -> list[dict[str, Any]]:
    """A fresh copy of the sample dataset shipped in ``integrations_core/data/``."""
    sample = resources.files("integrations_core") / "data" / SAMPLE_NAME
    return parse_records(sample.read_text(encoding="utf-8"), SAMPLE_NAME)


def _load_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if "\n" in text else f"column {exc.colno}"
        raise DataError(f"{source}: invalid JSON at {where}: {exc.msg}") from None
    except RecursionError:
        raise DataError(f"{source}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise DataError(f"{source}: invalid JSON: {exc}") from None


def _record(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise DataError(f"{where}: expected a JSON object, got {_json_type(item)}")
    try:
        record: dict[str, Any] = decode(item)
    except InputError as exc:
        raise DataError(f"{where}: {exc}") from None
    except RecursionError:
        raise DataError(f"{where}: nested too deeply") from None
    return record


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


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
                        help="records as a JSON array or JSON lines ('-' = stdin); "
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
