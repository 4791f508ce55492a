"""The operator table's prose (the docstring of ``mql/operators.py``) says what the code does.

Source: DESIGN 4.3's operator list and MongoDB's query operator reference,
https://www.mongodb.com/docs/manual/reference/operator/query/ (every operator below is one there).
"""

from __future__ import annotations

import re

from integrations_core.mql import operators
from integrations_core.mql.operators import OPERATORS, REJECTED

# The operators DESIGN 4.3 names as supported.
SUPPORTED = set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$and", "$or", "$nor", "$not", "$exists", "$type", "$regex", "$options", "$mod", "$size", "$all", "$elemMatch", "$comment"])


def _prose_rows() -> dict[str, str]:
    doc = operators.__doc__ or ""
    rows = re.findall(r"^(\$\w+)\s+(query|field)\s+\S", doc, flags=re.MULTILINE)
    return dict(rows)


def test_every_supported_operator_has_one_prose_row_and_one_table_row() -> None:
    prose = _prose_rows()
    assert set(prose) == SUPPORTED
    assert {name for name, row in OPERATORS.items() if row.stands != "rejected"} == SUPPORTED


def test_prose_says_where_each_operator_stands() -> None:
    for name, stands in _prose_rows().items():
        assert OPERATORS[name].stands == stands, name


def test_rejected_rows_carry_their_reason() -> None:
    for name, reason in REJECTED.items():
        row = OPERATORS[name]
        assert (row.stands, row.reason, row.compile) == ("rejected", reason, None)
    assert {"$where", "$expr", "$function", "$accumulator", "$jsonSchema", "$text"} <= set(REJECTED)


def test_every_row_that_stands_somewhere_compiles() -> None:
    for name, row in OPERATORS.items():
        assert (row.compile is None) == (row.stands == "rejected"), name
