"""The compile cache is bounded in bytes, native regex memory included (issue 9, item 5).

Its bound is measured two ways: by the cache's own accounting, and by the process's resident
memory (``/proc/self/statm``, which sees RE2's memory outside Python as ``tracemalloc`` does not).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import zoneinfo

from integrations_core import Caller, Permission, Settings, list_integrations
from integrations_core.mql import compile_filter
from integrations_core.mql.cache import ByteBoundedCache
from integrations_core.mql.filter import CACHE_BYTES, FILTER_CACHE

CALLER = Caller("u", [p.value for p in Permission])
RECORDS = [{"_id": f"r{i}", "type": "webhook-incoming", "name": f"hook {i} " + "ab" * 200,
            "token": "".join("xyz#"[(i * j) % 4] for j in range(300))} for i in range(50)]


ROOMY = Settings(max_work=10**12)  # this test is about memory, not the work budget


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_least_recently_used_entries_go_first_and_the_bound_holds() -> None:
    cache: ByteBoundedCache[str] = ByteBoundedCache(100)
    for key in "abcd":
        cache.get_or_make(key, lambda key=key: (key, 20))
    assert cache.get_or_make("a", lambda: ("new", 20)) == "a"  # a hit: "a" is now most recent
    for key in "efg":
        cache.get_or_make(key, lambda key=key: (key, 20))
    assert cache.bytes <= 100
    assert cache.get_or_make("b", lambda: ("again", 20)) == "again"  # "b" was evicted
    assert cache.get_or_make("a", lambda: ("new", 20)) == "a"


def test_an_entry_over_a_quarter_of_the_bound_is_not_kept() -> None:
    cache: ByteBoundedCache[str] = ByteBoundedCache(100)
    assert cache.get_or_make("big", lambda: ("first", 26)) == "first"
    assert cache.get_or_make("big", lambda: ("second", 26)) == "second"
    assert (len(cache), cache.bytes) == (0, 0)


def test_regex_filters_count_their_native_memory() -> None:
    literal = compile_filter({"name": "x"})
    regex = compile_filter({"name": {"$regex": "a[0-9]+b"}})
    assert literal.native_bytes == 0
    assert regex.native_bytes > 0


def test_many_distinct_regex_heavy_requests_stay_within_the_bound() -> None:
    FILTER_CACHE.clear()
    gc.collect()
    before = _resident_bytes()
    for n in range(1_200):
        query = {"$nor": [{"token": {"$regex": f"[a-z]{{2}}#{n}x{i}"}} for i in range(8)]}
        response = list_integrations(RECORDS, CALLER, {"query": json.dumps(query)}, ROOMY)
        assert response.status == 200, response.body
        assert FILTER_CACHE.bytes <= CACHE_BYTES
    gc.collect()
    assert _resident_bytes() - before <= 256 * 2**20


def test_equal_datetimes_that_are_different_instants_are_different_entries() -> None:
    # 1:30 happened twice in New York that night; Python's == compares the wall times.
    first = dt.datetime(2021, 11, 7, 1, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    second = first.replace(fold=1)  # 06:30 UTC, an hour after the first
    at_six = {"d": dt.datetime(2021, 11, 7, 6, 0)}  # naive dates are UTC
    assert not compile_filter({"d": {"$lt": first}})(at_six)
    assert compile_filter({"d": {"$lt": second}})(at_six)
