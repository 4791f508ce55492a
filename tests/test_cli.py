"""The command line: ``integrations-core list`` / ``python -m integrations_core list``."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from integrations_core.cli import main, sample_records

OWN_IN = "manage-own-incoming-integrations"
OWN_OUT = "manage-own-outgoing-integrations"
ALL_IN = "manage-incoming-integrations"
ALL_OUT = "manage-outgoing-integrations"

ALICE = {"_id": "u-alice", "username": "alice"}
BOB = {"_id": "u-bob", "username": "bob"}

# A small dataset whose answers can be read off by eye, as a file would store it.
RECORDS: list[dict[str, Any]] = [
    {"_id": "in-1", "type": "webhook-incoming", "name": "Alpha hook", "_createdBy": ALICE,
     "_createdAt": {"$date": "2024-01-02T03:04:05.678Z"}},
    {"_id": "in-2", "type": "webhook-incoming", "name": "Beta hook", "_createdBy": BOB,
     "_createdAt": {"$date": "2024-02-01T00:00:00Z"}},
    {"_id": "out-1", "type": "webhook-outgoing", "name": "Gamma bot", "_createdBy": ALICE,
     "_createdAt": {"$date": "2024-03-01T00:00:00Z"}},
    {"_id": "out-2", "type": "webhook-outgoing", "name": "Delta bot", "_createdBy": BOB,
     "_createdAt": {"$date": "2024-04-01T00:00:00Z"}},
    {"_id": "out-3", "type": "webhook-outgoing", "name": "Legacy relay", "_createdBy": None,
     "_createdAt": {"$date": "2024-05-01T00:00:00Z"}},
]
ALICE_ARGS = ["--user", "u-alice", "--permission", OWN_IN, "--permission", ALL_OUT]

Run = Callable[..., tuple[int, Any, str]]


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    return path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Call ``main(argv)``; return (exit status, parsed stdout or None, stderr)."""

    def call(*argv: str) -> tuple[int, Any, str]:
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, (json.loads(out) if out else None), err

    return call


def ids(body: dict[str, Any]) -> list[str]:
    return [item["_id"] for item in body["integrations"]]


# --- the response decides the exit status ---------------------------------------------------


def test_success_prints_the_body_and_exits_0(run: Run, data_file: Path) -> None:
    status, body, err = run("list", "--data", str(data_file), *ALICE_ARGS)
    assert (status, err) == (0, "")
    assert body["success"] is True
    assert sorted(ids(body)) == ["in-1", "out-1", "out-2", "out-3"]
    assert body["total"] == 4


def test_output_is_indented_json(capsys: pytest.CaptureFixture[str], data_file: Path) -> None:
    assert main(["list", "--data", str(data_file), *ALICE_ARGS, "--count", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('{\n  "integrations": [\n    {\n      "')
    assert out.endswith("}\n")


@pytest.mark.parametrize(
    ("argv", "status", "expected"),
    [
        # Not logged in: no --user at all.
        ((), 401, {"success": False, "error": "You must be logged in to do this.",
                   "status": "error", "message": "You must be logged in to do this."}),
        # Logged in without any of the four permissions.
        (("--user", "u-alice"), 403, {"success": False, "error": "User does not have the "
                                      "permissions required for this action [error-unauthorized]"}),
    ],
    ids=["401", "403"],
)
def test_refusals_exit_1(
    run: Run, data_file: Path, argv: tuple[str, ...], status: int, expected: dict[str, Any]
) -> None:
    code, body, err = run("list", "--data", str(data_file), *argv)
    assert (code, err) == (1, "")
    assert body == expected


@pytest.mark.parametrize(
    ("params", "error_type"),
    [
        (("--count", "abc"), "invalid-params"),
        (("--offset", "-1"), "invalid-params"),
        (("--sort", '{"name": 2}'), "error-invalid-sort"),
        (("--fields", "[1]"), "error-invalid-fields"),
        (("--query", '{"$where": "1"}'), "error-invalid-query"),
    ],
)
def test_bad_parameters_are_400_and_exit_1(
    run: Run, data_file: Path, params: tuple[str, ...], error_type: str
) -> None:
    code, body, err = run("list", "--data", str(data_file), *ALICE_ARGS, *params)
    assert (code, err) == (1, "")
    assert body["success"] is False
    assert body["errorType"] == error_type


# --- every endpoint parameter reaches the library --------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected_ids", "total"),
    [
        (("--type", "webhook-outgoing", "--sort", '{"name": 1}'), ["out-2", "out-1", "out-3"], 3),
        (("--sort", '{"name": -1}', "--offset", "1", "--count", "2"), ["out-1", "out-2"], 4),
        (("--name", "BOT", "--sort", '{"_id": 1}'), ["out-1", "out-2"], 2),
        (("--name", "a.*"), [], 0),  # taken literally, not as a regex
        (("--query", '{"name": {"$regex": "^(Alpha|Legacy)"}}', "--sort", '{"_id": 1}'),
         ["in-1", "out-3"], 2),
        # Extended JSON dates in the file are dates: they compare with a $date in the query.
        (("--query", '{"_createdAt": {"$gte": {"$date": "2024-03-01T00:00:00Z"}}}',
          "--sort", '{"_createdAt": 1}'), ["out-1", "out-2", "out-3"], 3),
    ],
)
def test_endpoint_parameters(
    run: Run, data_file: Path, params: tuple[str, ...], expected_ids: list[str], total: int
) -> None:
    code, body, _ = run("list", "--data", str(data_file), *ALICE_ARGS, *params)
    assert code == 0, body
    assert ids(body) == expected_ids
    assert body["total"] == total


def test_fields_and_dates_in_the_output(run: Run, data_file: Path) -> None:
    code, body, _ = run("list", "--data", str(data_file), *ALICE_ARGS,
                        "--name", "alpha", "--fields", '{"name": 1, "_createdAt": 1}')
    assert code == 0
    assert body["integrations"] == [
        {"_id": "in-1", "name": "Alpha hook", "_createdAt": "2024-01-02T03:04:05.678Z"}
    ]


def test_union_of_permissions(run: Run, data_file: Path) -> None:
    code, body, _ = run("list", "--data", str(data_file), "--user", "u-bob",
                        "--permission", OWN_IN, "--permission", OWN_OUT)
    assert code == 0
    assert sorted(ids(body)) == ["in-2", "out-2"]
    code, body, _ = run("list", "--data", str(data_file), "--user", "u-x",
                        "--permission", ALL_IN, "--permission", ALL_OUT)
    assert body["total"] == len(RECORDS)


def test_rocketchat_7_profile_ignores_query(run: Run, data_file: Path) -> None:
    query = ("--query", '{"name": "Alpha hook"}')
    _, default, _ = run("list", "--data", str(data_file), *ALICE_ARGS, *query)
    _, rc7, _ = run("list", "--data", str(data_file), *ALICE_ARGS, *query,
                    "--profile", "rocketchat-7")
    assert default["total"] == 1
    assert rc7["total"] == 4


# --- data files ------------------------------------------------------------------------------


def test_json_lines_equal_the_array(run: Run, data_file: Path, tmp_path: Path) -> None:
    lines = tmp_path / "records.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in RECORDS[:3]) + "\n\n"
                     + "\n".join(json.dumps(r) for r in RECORDS[3:]) + "\n", encoding="utf-8")
    argv = ("list", *ALICE_ARGS, "--sort", '{"_createdAt": -1}')
    assert run(*argv, "--data", str(lines)) == run(*argv, "--data", str(data_file))


def test_json_lines_split_only_at_newlines(run: Run, tmp_path: Path) -> None:
    # U+2028 and U+0085 may appear raw inside JSON strings; they do not end a line.
    path = tmp_path / "records.jsonl"
    names = ["Line\u2028separator", "Next\x85line"]
    path.write_text("\r\n".join(
        json.dumps({"_id": str(i), "type": "webhook-outgoing", "name": name}, ensure_ascii=False)
        for i, name in enumerate(names)
    ), encoding="utf-8")
    code, body, err = run("list", "--data", str(path), *ALICE_ARGS, "--sort", '{"_id": 1}')
    assert (code, err) == (0, "")
    assert [item["name"] for item in body["integrations"]] == names


def test_stdin(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(RECORDS[0])))
    code, body, _ = run("list", "--data", "-", *ALICE_ARGS)
    assert (code, ids(body)) == (0, ["in-1"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"_id": "a"}, {"_id": ]', "invalid JSON at column 24: Expecting value"),
        (b'[\n{"_id": "a"},\n{"_id" "b"}\n]', "invalid JSON at line 3 column 8: Expecting"),
        (b'{"_id": "a"}\n{"_id": "b"\n', "line 2: invalid JSON"),
        (b'[{"_id": "a"}, 3]', "record 1: expected a JSON object, got a number"),
        (b'[{"_id": "a"}, [{"_id": "b"}]]', "record 1: expected a JSON object, got an array"),
        (b'{"_id": "a"}\n\n"b"\n', "line 3: expected a JSON object, got a string"),
        (b"null", "line 1: expected a JSON object, got null"),
        (b'[{"_id": "a", "_createdAt": {"$date": "yesterday"}}]',
         "record 0: _createdAt.$date: invalid $date string"),
        (b'[{"_id": "\xff"}]', "not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
    ids=["array-syntax", "array-multiline", "lines-syntax", "number", "array", "string", "null",
         "bad-date", "not-utf8", "deep"],
)
def test_bad_data_files_are_one_line_errors(
    run: Run, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    code, body, err = run("list", "--data", str(path), *ALICE_ARGS)
    assert (code, body) == (2, None)
    assert err.startswith(f"integrations-core: error: {path}: ")
    assert message in err
    assert err.count("\n") == 1 and err.endswith("\n")


@pytest.mark.parametrize("name", ["missing.json", "."], ids=["missing", "directory"])
def test_unreadable_data_files(run: Run, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    code, body, err = run("list", "--data", str(path), *ALICE_ARGS)
    assert (code, body) == (2, None)
    assert err.startswith(f"integrations-core: error: cannot read {path}: ")
    assert err.count("\n") == 1


def test_empty_file_is_no_records(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    code, body, _ = run("list", "--data", str(path), *ALICE_ARGS)
    assert (code, body["total"], body["integrations"]) == (0, 0, [])


def test_text_is_written_as_is_and_lone_surrogates_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "unicode.json"
    path.write_text('[{"_id": "x", "type": "webhook-outgoing", "name": "Café \\ud800 ☕"}]',
                    encoding="utf-8")
    assert main(["list", "--data", str(path), *ALICE_ARGS]) == 0
    out = capsys.readouterr().out
    assert '"name": "Café \\ud800 ☕"' in out
    assert json.loads(out)["integrations"][0]["name"] == "Café \ud800 ☕"


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["list", "--permission", "root"], ["frobnicate"], [], ["list", "--user", ""]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("usage: integrations-core")
        assert "error:" in err


# --- the sample dataset ----------------------------------------------------------------------

# Required fields per type, from Rocket.Chat's IIncomingIntegration / IOutgoingIntegration
# (packages/core-typings/src/IIntegration.ts).
COMMON = {"_id", "type", "name", "enabled", "channel", "username", "userId", "token",
          "scriptEnabled", "script", "_createdAt", "_createdBy", "_updatedAt"}
REQUIRED = {"webhook-incoming": COMMON, "webhook-outgoing": COMMON | {"event"}}
EVENTS = {"sendMessage", "fileUploaded", "roomArchived", "roomCreated", "roomJoined",
          "roomLeft", "userCreated"}


def test_sample_dataset_is_realistic() -> None:
    records = sample_records()
    assert 24 <= len(records) <= 60
    assert len({r["_id"] for r in records}) == len(records)
    for r in records:
        assert REQUIRED[r["type"]] <= set(r), r["_id"]
        assert isinstance(r["_createdAt"], dt.datetime) and isinstance(r["_updatedAt"], dt.datetime)
        assert r["_createdAt"] <= r["_updatedAt"]
        assert r["_createdBy"] is None or set(r["_createdBy"]) == {"_id", "username"}
        if r["type"] == "webhook-outgoing":
            assert r["event"] in EVENTS
    creators = [r["_createdBy"]["_id"] for r in records if r["_createdBy"]]
    assert {"u-alice", "u-bob", "u-carol"} <= set(creators)
    assert any(r["_createdBy"] is None for r in records)
    for user in ("u-alice", "u-bob", "u-carol"):
        kinds = {r["type"] for r in records if r["_createdBy"] and r["_createdBy"]["_id"] == user}
        assert kinds == {"webhook-incoming", "webhook-outgoing"}, user


def test_sample_records_are_fresh_copies() -> None:
    first = sample_records()
    first[0]["name"] = "changed"
    assert sample_records()[0]["name"] != "changed"


def test_default_data_is_the_sample(run: Run) -> None:
    sample = sample_records()
    code, body, _ = run("list", *ALICE_ARGS, "--count", "0")
    assert code == 0
    visible = {
        r["_id"] for r in sample
        if r["type"] == "webhook-outgoing"
        or (r["_createdBy"] or {}).get("_id") == "u-alice"
    }
    assert set(ids(body)) == visible
    assert body["total"] == len(visible)


PARALLEL_SORT = '{"channel": 1, "urls": 1}'


def test_a_parallel_array_sort_on_the_sample_is_a_400_body(run: Run) -> None:
    # Issue 9 ("Nothing escapes"): the shipped outgoing integrations hold both arrays, which
    # MongoDB cannot sort on together ("cannot sort with keys that are parallel arrays",
    # https://www.mongodb.com/docs/manual/reference/method/cursor.sort/).
    assert any(isinstance(r.get("channel"), list) and isinstance(r.get("urls"), list)
               for r in sample_records())
    code, body, err = run("list", *ALICE_ARGS, "--sort", PARALLEL_SORT)
    assert (code, err) == (1, "")
    assert body["errorType"] == "error-invalid-sort"
    assert body["error"] == (f'Invalid sort parameter provided: "{PARALLEL_SORT}" '
                             "[error-invalid-sort]")
    assert "parallel arrays" in body["details"]["reason"]
    assert body["details"]["reason"].startswith("sort")


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "integrations_core", "list", *ALICE_ARGS, "--count", "2",
         "--fields", '{"name": 1}'],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["success"] is True
    assert body["count"] == 2
    assert all(set(item) == {"_id", "name"} for item in body["integrations"])


# --- options: --version, repeats, --redact, settings ---------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"integrations-core {metadata.version('integrations_core')}\n"


@pytest.mark.parametrize("argv", [
    ["list", "--count", "1", "--count", "2"],
    ["list", "--user", "u-a", "--user", "u-b"],
    ["list", "--sort", '{"a": 1}', "--sort", '{"b": 1}'],
    ["list", "--profile", "default", "--profile", "default"],
    ["list", "--max-count", "5", "--max-count", "6"],
    ["serve", "--port", "1", "--port", "2"],
    ["serve", "--users", "a.json", "--users", "b.json"],
], ids=lambda argv: argv[1])
def test_a_repeated_option_is_an_error(capsys: pytest.CaptureFixture[str],
                                       argv: list[str]) -> None:
    # As the endpoint answers count=1&count=2 with "count: given more than once" (400),
    # instead of keeping the last value as argparse would.
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert f"argument {argv[1]}: given more than once" in capsys.readouterr().err


def test_permission_is_repeatable(run: Run, data_file: Path) -> None:
    assert run("list", "--data", str(data_file), *ALICE_ARGS)[0] == 0


def test_redact_removes_tokens_and_scripts(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text(json.dumps([{**RECORDS[0], "token": "T0KEN", "script": "x",
                                 "scriptCompiled": "y"}]), encoding="utf-8")
    _, plain, _ = run("list", "--data", str(path), *ALICE_ARGS)
    assert plain["integrations"][0]["token"] == "T0KEN"
    code, body, _ = run("list", "--data", str(path), *ALICE_ARGS, "--redact")
    assert code == 0
    assert {"token", "script", "scriptCompiled"}.isdisjoint(body["integrations"][0])
    code, body, _ = run("list", "--data", str(path), *ALICE_ARGS, "--redact",
                        "--query", '{"token": "T0KEN"}')
    assert (code, body["errorType"]) == (1, "error-invalid-query")


@pytest.mark.parametrize(("flags", "params", "count"), [
    (("--max-count", "2"), ("--count", "50"), 2),
    (("--default-count", "3"), (), 3),
    (("--no-infinite-count", "--default-count", "1"), ("--count", "0"), 1),
    ((), ("--count", "0"), len(RECORDS)),
])
def test_settings_flags(run: Run, data_file: Path, flags: tuple[str, ...],
                        params: tuple[str, ...], count: int) -> None:
    code, body, _ = run("list", "--data", str(data_file), "--user", "u-x", "--permission",
                        ALL_IN, "--permission", ALL_OUT, *flags, *params)
    assert (code, body["count"]) == (0, count)


def test_limit_flags_reach_the_limits(run: Run, data_file: Path) -> None:
    query = ("--query", '{"$or": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}')
    assert run("list", "--data", str(data_file), *ALICE_ARGS, *query)[0] == 0
    code, body, _ = run("list", "--data", str(data_file), *ALICE_ARGS, *query,
                        "--max-conditions", "2")
    assert code == 1
    assert "max_conditions (2)" in body["details"]["reason"]


def test_rocketchat_7_with_query_and_fields(run: Run, data_file: Path) -> None:
    argv = ("list", "--data", str(data_file), *ALICE_ARGS, "--profile", "rocketchat-7",
            "--query", '{"name": "Alpha hook"}', "--fields", '{"name": 1}')
    code, body, _ = run(*argv)
    assert (code, body["errorType"]) == (1, "invalid-params")  # fields: not in 7.x's schema
    code, body, _ = run(*argv, "--enable-query-and-fields")
    assert (code, body["integrations"]) == (0, [{"_id": "in-1", "name": "Alpha hook"}])


@pytest.mark.parametrize("argv", [["list", "--max-count", "0"], ["list", "--max-count", "x"],
                                  ["serve", "--default-count", "-1"]])
def test_bad_settings_are_usage_errors(capsys: pytest.CaptureFixture[str],
                                       argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "must be a positive integer" in capsys.readouterr().err


def test_a_regex_error_is_a_message_not_a_traceback(run: Run, data_file: Path) -> None:
    code, body, err = run("list", "--data", str(data_file), *ALICE_ARGS,
                          "--query", '{"name": {"$regex": "a("}}')
    assert (code, err) == (1, "")
    assert body["errorType"] == "error-invalid-query"
    assert body["details"]["reason"].startswith("query.name.$regex: ")


# --- serve: everything that must fail before the server starts ------------------------------


def serve_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["serve", "--port", "0", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    return captured.err


def test_serve_needs_users_with_data(capsys: pytest.CaptureFixture[str], data_file: Path) -> None:
    err = serve_error(capsys, "--data", str(data_file))
    assert err == ("integrations-core: error: --users FILE is required with --data (the demo "
                   "users serve the sample dataset only)\n")


@pytest.mark.parametrize(("text", "reason"), [
    ('{"_id": "a"}\n{"_id": \n', "line 2: invalid JSON"),
    # serve keeps its records in an IntegrationStore, where _id is unique as in MongoDB.
    ('{"_id": "a"}\n{"_id": "b"}\n{"_id": "a"}\n', "duplicate _id 'a'"),
])
def test_serve_names_the_bad_data_file_and_why(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path, text: str, reason: str) -> None:
    users = tmp_path / "users.json"
    users.write_text('[{"_id": "u", "username": "u", "password": "p"}]', encoding="utf-8")
    data = tmp_path / "data.jsonl"
    data.write_text(text, encoding="utf-8")
    err = serve_error(capsys, "--data", str(data), "--users", str(users))
    assert err.startswith(f"integrations-core: error: {data}: ") and reason in err


def test_serve_names_the_bad_users_file(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path, data_file: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text('[{"_id": "u", "username": "u", "password": "p", "admin": true}]',
                     encoding="utf-8")
    err = serve_error(capsys, "--data", str(data_file), "--users", str(users))
    assert err.startswith(f"integrations-core: error: {users}: user 0: unknown field 'admin'")


def test_serve_without_uvicorn_says_what_to_install(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn raises ImportError
    err = serve_error(capsys)
    assert 'pip install "integrations_core[server]"' in err


def test_serve_on_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
