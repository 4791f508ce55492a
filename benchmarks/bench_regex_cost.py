"""How much real time one unit of ``CompiledRegex.unit_cost`` is, on adversarial text.

``unit_cost x len(subject)`` is meant to bound a call's work in steps of about a nanosecond on
this machine class, for every kind of compiled regex. This script times each pattern on
1,000-character subjects built to hurt it (random a/b, repeated é, CJK, near-misses of
self-overlapping needles) and prints the nanoseconds per charged unit; the bound holds while
that stays near or below 1. It reports and exits 0; ``--check`` exits non-zero past ``LIMIT_NS``
per unit.

    python benchmarks/bench_regex_cost.py [--check]
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from integrations_core.mql.limits import Limits
from integrations_core.mql.regex import compile_regex

LIMIT_NS = 2.0
GENEROUS = Limits(max_regex_repeat=1_000, max_regex_program=100_000, max_regex_length=10_000)

rng = random.Random(11)
SUBJECTS = {
    "random a/b": "".join(rng.choice("ab") for _ in range(1000)),
    "é x 1000": "é" * 1000,
    "random é/a": "".join(rng.choice("éa") for _ in range(1000)),
    "CJK and a": "".join(rng.choice("中文a") for _ in range(1000)),
    "printable": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz #") for _ in range(1000)),
    "a x 999 + b": "a" * 999 + "b",
}
PATTERNS = [
    ("bot", "i"), ("deploy", ""), ("a" * 300 + "c", ""), ("a" * 40 + "c" + "a" * 40, "i"),
    ("é" * 600 + "x", "i"), ("^a.*b$", ""), ("a[ab]{12}c", ""), ("(?s)a.{250}c", ""),
    ("[a-m][ -~]{198}#", ""), ("\\w{240}#", ""), ("(?:[a-z]{1,12}){12}#", ""),
    ("é{970}x|y", ""), ("[A-Za-z][ -~]{47}#", "i"), ("(a|b|c|d|e)*x", ""),
    ("\\p{L}+\\d", ""), ("^\\s*$", "m"), ("a$\\n", ""),
]


def per_unit(pattern: str, options: str, subject: str) -> tuple[float, str, int]:
    regex = compile_regex(pattern, options, "bench", GENEROUS)
    regex(subject)
    runs = 0
    start = time.perf_counter()
    while True:
        regex(subject)
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed > 0.05 or runs >= 200:
            break
    charged = regex.unit_cost * max(len(subject), 1)
    return elapsed / runs * 1e9 / charged, regex.kind, regex.unit_cost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help=f"exit 1 past {LIMIT_NS} ns a unit")
    args = parser.parse_args()
    worst = 0.0
    print(f"{'pattern':28} {'opts':4} {'kind':7} {'unit':>6}  " +
          "  ".join(f"{name[:11]:>11}" for name in SUBJECTS))
    for pattern, options in PATTERNS:
        row = []
        kind, unit = "", 0
        for subject in SUBJECTS.values():
            ns, kind, unit = per_unit(pattern, options, subject)
            worst = max(worst, ns)
            row.append(f"{ns:11.3f}")
        print(f"{pattern[:28]:28} {options:4} {kind:7} {unit:6}  " + "  ".join(row))
    print(f"worst: {worst:.3f} ns per charged unit (limit {LIMIT_NS})")
    return 1 if args.check and worst > LIMIT_NS else 0


if __name__ == "__main__":
    sys.exit(main())
