"""Shared shapes for the table-driven MQL filter semantics suite.

Each :class:`Case` is a small collection, a query and the ``_id`` values MongoDB 8.0 returns for
it, with the manual page or server jstest that documents the behaviour. Each
:class:`Rejection` is a query MongoDB refuses (or that this library refuses by design) with the
error path the engine must name. The cases were written for this project from those sources.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MANUAL = "https://www.mongodb.com/docs/manual/"
OPS = MANUAL + "reference/operator/query/"


def op(name: str) -> str:
    """The manual page of a query operator, e.g. ``op("elemMatch")``."""
    return f"{OPS}{name}/"


NULL_TUTORIAL = MANUAL + "tutorial/query-for-null-fields/"
ARRAYS_TUTORIAL = MANUAL + "tutorial/query-arrays/"
ARRAY_OF_DOCS_TUTORIAL = MANUAL + "tutorial/query-array-of-documents/"
EMBEDDED_TUTORIAL = MANUAL + "tutorial/query-embedded-documents/"
QUERY_TUTORIAL = MANUAL + "tutorial/query-documents/"
BSON_ORDER = MANUAL + "reference/bson-type-comparison-order/"
BSON_TYPES = MANUAL + "reference/bson-types/"
EJSON = MANUAL + "reference/mongodb-extended-json/"
DOT_NOTATION = MANUAL + "core/document/#dot-notation"
SHELL_DECIMAL = "https://www.mongodb.com/docs/mongodb-shell/reference/data-types/#decimal128"
PATH_CPP = "src/mongo/db/matcher/path.cpp (BSONElementIterator)"
PARSER_CPP = "src/mongo/db/matcher/expression_parser.cpp"


def jstest(path: str) -> str:
    """A MongoDB server jstest, e.g. ``jstest("query/nan.js")``."""
    return f"mongodb/mongo jstests/core/{path}"


# The 8.0 revision of null_query_semantics.js ("requires_fcv_80"); the later revision describes
# 9.0, which changed dotted null equality on arrays of scalars.
NULL_SEMANTICS_80 = jstest(
    "query/null_query_semantics.js @1704949c0e126334813a811103e481e243291a9b (8.0)"
)


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""Marks, in :func:`rows`, a document that lacks the field altogether."""


def rows(*values: Any, key: str = "a") -> list[dict[str, Any]]:
    """Documents ``{"_id": 1, key: values[0]}``, ``{"_id": 2, key: values[1]}``, ...

    A value of :data:`ABSENT` gives a document without ``key``.
    """
    out: list[dict[str, Any]] = []
    for i, value in enumerate(values, start=1):
        doc: dict[str, Any] = {"_id": i}
        if value is not ABSENT:
            doc[key] = value
        out.append(doc)
    return out


@dataclass(frozen=True)
class Case:
    """One semantics example: ``query`` over ``docs`` selects exactly ``expected`` (``_id``s)."""

    name: str
    docs: Sequence[Mapping[str, Any]]
    query: Any
    expected: Sequence[Any]
    source: str
    note: str = field(default="", compare=False)


@dataclass(frozen=True)
class Rejection:
    """A query that must raise ``QueryError`` whose ``.path`` is ``path``."""

    name: str
    query: Any
    path: str
    source: str
    reason_contains: str = ""
    """Lower-case text the error message must contain (empty: not checked)."""


def check_unique_names(tables: Iterable[Iterable[Case | Rejection]]) -> list[str]:
    """Names used more than once across ``tables`` (empty when all are unique)."""
    seen: set[str] = set()
    dupes: list[str] = []
    for table in tables:
        for item in table:
            if item.name in seen:
                dupes.append(item.name)
            seen.add(item.name)
    return dupes


def run_case(case: Case) -> None:
    """Compile ``case.query``, run it over ``case.docs`` and compare the matching ``_id``s."""
    from integrations_core.mql import compile_filter

    query_before = copy.deepcopy(case.query)
    docs_before = copy.deepcopy(list(case.docs))
    matches = compile_filter(case.query)
    got = [doc["_id"] for doc in case.docs if matches(doc)]
    assert got == list(case.expected), (
        f"{case.name}: query {case.query!r} matched {got}, MongoDB matches "
        f"{list(case.expected)} (source: {case.source})"
    )
    assert repr(case.query) == repr(query_before), f"{case.name}: the query was mutated"
    assert repr(list(case.docs)) == repr(docs_before), f"{case.name}: a document was mutated"


def run_rejection(rejection: Rejection) -> None:
    """``compile_filter(rejection.query)`` raises ``QueryError`` naming ``rejection.path``."""
    import pytest

    from integrations_core.mql import QueryError, compile_filter

    with pytest.raises(QueryError) as info:
        compile_filter(rejection.query)
    err = info.value
    assert err.path == rejection.path, (
        f"{rejection.name}: error path {err.path!r}, expected {rejection.path!r} ({err})"
    )
    if rejection.reason_contains:
        assert rejection.reason_contains in str(err).lower(), (
            f"{rejection.name}: message {str(err)!r} lacks {rejection.reason_contains!r}"
        )
