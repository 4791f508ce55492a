"""Loading a data file: integrations_core.datafiles against bson.json_util.

The file is what ``mongoexport`` writes for integration records (relaxed Extended JSON v2, one
document per line, ObjectId ``_id``, ISO dates, a nested creator), in three shapes: plain
records (no wrappers), records with wrappers, and canonical mode (every number wrapped).
``bson.json_util.loads`` of the same text (one call per line, as it reads one document) is the
baseline; a ratio under 1 means datafiles is faster. datafiles uses json_util nowhere because
json_util is slower on every shape and rewrites a legacy ``$regex`` in any position.

    python benchmarks/bench_datafiles.py [--records N] [--repeat R] [--check]

Reports and exits 0; ``--check`` exits with status 1 when datafiles is slower than json_util on
any shape.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from bson import ObjectId, json_util
from timing import best  # benchmarks/ is sys.path[0] when run as a script

from integrations_core.datafiles import parse_records


def make_records(n: int, wrappers: bool) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        created = dt.datetime(2024, 1, 1) + dt.timedelta(minutes=i)
        record: dict[str, Any] = {
            "_id": ObjectId(f"{i:024x}") if wrappers else f"id-{i}",
            "type": "webhook-incoming" if i % 2 else "webhook-outgoing",
            "name": f"integration {i}", "enabled": bool(i % 3), "channel": ["#general"],
            "_createdBy": {"_id": f"u-{i % 7}", "username": f"user{i % 7}"},
            "_createdAt": created if wrappers else created.isoformat(),
            "scriptEnabled": False, "count": i,
        }
        out.append(record)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    shapes = {
        "plain records": (False, json_util.RELAXED_JSON_OPTIONS),
        "relaxed, with wrappers": (True, json_util.RELAXED_JSON_OPTIONS),
        "canonical": (True, json_util.CANONICAL_JSON_OPTIONS),
    }
    slower = False
    print(f"{args.records} records, best of {args.repeat}")
    for name, (wrappers, options) in shapes.items():
        lines = [json_util.dumps(r, json_options=options)
                 for r in make_records(args.records, wrappers)]
        text = "\n".join(lines) + "\n"
        ours = best(lambda text=text: parse_records(text), args.repeat)
        theirs = best(lambda lines=lines: [json_util.loads(line) for line in lines], args.repeat)
        ratio = ours / theirs
        slower |= ratio > 1
        print(f"  {name:24s} datafiles {ours * 1000:8.1f} ms  json_util {theirs * 1000:8.1f} ms"
              f"  ratio {ratio:.2f}")
    return 1 if args.check and slower else 0


if __name__ == "__main__":
    sys.exit(main())
