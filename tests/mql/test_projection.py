"""Find projection semantics, table-driven: each case is a document, a projection and the
document MongoDB returns, with the manual page or server jstest it comes from."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pytest

from integrations_core.mql.errors import LimitError, QueryError
from integrations_core.mql.limits import Limits
from integrations_core.mql.projection import Projection, compile_projection

FIND = "https://www.mongodb.com/docs/manual/reference/method/db.collection.find/#projection"
TUTORIAL = "https://www.mongodb.com/docs/manual/tutorial/project-fields-from-query-results/"
PROJECT_JS = "mongodb/mongo jstests/core/query/project/"
SEMANTICS = PROJECT_JS + "projection_semantics.js"
CONFLICTS = PROJECT_JS + "projection_conflicts.js"


@dataclass(frozen=True)
class ProjectionCase:
    name: str
    projection: Mapping[str, Any]
    doc: Mapping[str, Any]
    expected: Mapping[str, Any]
    source: str


def table(name: str, projection: Mapping[str, Any], source: str,
          rows: list[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> list[ProjectionCase]:
    return [ProjectionCase(f"{name} #{i}", projection, doc, out, source)
            for i, (doc, out) in enumerate(rows)]


INVENTORY = {"_id": 1, "item": "journal", "status": "A",
             "size": {"h": 14, "w": 21, "uom": "cm"}, "instock": [{"warehouse": "A", "qty": 5}]}

CASES = [
    # --- the manual ---------------------------------------------------------------------------
    ProjectionCase("include two fields and _id", {"item": 1, "status": 1}, INVENTORY,
                   {"_id": 1, "item": "journal", "status": "A"}, TUTORIAL),
    ProjectionCase("suppress _id", {"item": 1, "status": 1, "_id": 0}, INVENTORY,
                   {"item": "journal", "status": "A"}, TUTORIAL),
    ProjectionCase("exclude fields", {"status": 0, "instock": 0}, INVENTORY,
                   {"_id": 1, "item": "journal", "size": {"h": 14, "w": 21, "uom": "cm"}},
                   TUTORIAL),
    ProjectionCase("include an embedded field", {"item": 1, "status": 1, "size.uom": 1},
                   INVENTORY, {"_id": 1, "item": "journal", "status": "A",
                               "size": {"uom": "cm"}}, TUTORIAL),
    ProjectionCase("exclude an embedded field", {"size.uom": 0}, INVENTORY,
                   {"_id": 1, "item": "journal", "status": "A", "size": {"h": 14, "w": 21},
                    "instock": [{"warehouse": "A", "qty": 5}]}, TUTORIAL),
    ProjectionCase("include a field of an array of documents",
                   {"item": 1, "status": 1, "instock.qty": 1}, INVENTORY,
                   {"_id": 1, "item": "journal", "status": "A", "instock": [{"qty": 5}]},
                   TUTORIAL),
    ProjectionCase("empty projection returns the whole document", {}, INVENTORY, INVENTORY,
                   FIND),
    ProjectionCase("_id only", {"_id": 1}, {"_id": 7, "a": 1}, {"_id": 7}, SEMANTICS),
    ProjectionCase("exclude only _id", {"_id": 0}, {"_id": 7, "a": 1, "b": 1},
                   {"a": 1, "b": 1}, SEMANTICS),
    ProjectionCase("_id: 1 in an exclusion projection", {"a": 0, "_id": 1},
                   {"_id": 7, "a": 1, "b": 2}, {"_id": 7, "b": 2}, FIND),
    ProjectionCase("booleans", {"a": True, "_id": False}, {"_id": 7, "a": 1, "b": 2}, {"a": 1},
                   FIND),
    # --- projection_semantics.js: top-level inclusion -----------------------------------------
    *table("include a", {"a": 1}, SEMANTICS, [
        ({"_id": 1, "a": "demo", "b": "other", "x": "extra"}, {"_id": 1, "a": "demo"}),
        ({"_id": 1, "a": "demo", "aWSuffix": "other", "a.b": "extra"}, {"_id": 1, "a": "demo"}),
        ({"_id": 1, "a": None, "b": "other"}, {"_id": 1, "a": None}),
        ({"_id": 1, "b": "other", "x": "extra"}, {"_id": 1}),
        ({"_id": 1}, {"_id": 1}),
        *[({"_id": 1, "a": v}, {"_id": 1, "a": v}) for v in (
            {}, [], {"x": 1, "b": "scalar"}, "scalar", {"b": {}}, [None], ["scalar"], [[]],
            [{}], [1, {}, 2], [[1, 2], [{}], 2], [{"b": "scalar"}])],
    ]),
    *table("include only a", {"a": 1, "_id": 0}, SEMANTICS, [
        ({"_id": 1, "a": "demo", "b": "other"}, {"a": "demo"}),
        ({"_id": 1, "b": "other"}, {}),
        ({"_id": 1, "a": [{"b": "scalar"}]}, {"a": [{"b": "scalar"}]}),
    ]),
    # --- one level of nesting ---------------------------------------------------------------
    *table("include a.b", {"a.b": 1}, SEMANTICS, [
        ({"_id": 1, "a": {"b": "demo", "y": "extra"}, "x": "extra"}, {"_id": 1, "a": {"b": "demo"}}),
        ({"_id": 1, "a": {"b": "demo"}, "a.b": "extra"}, {"_id": 1, "a": {"b": "demo"}}),
        ({"_id": 1, "a": {"b": "demo", "_id": "extra"}}, {"_id": 1, "a": {"b": "demo"}}),
        ({"_id": 1, "a": [{"b": 1, "c": 1}, {"b": 2, "c": 2}], "x": "extra"},
         {"_id": 1, "a": [{"b": 1}, {"b": 2}]}),
        ({"_id": 1, "a": [{"b": 1, "c": 1}, {"c": 2}]}, {"_id": 1, "a": [{"b": 1}, {}]}),
        ({"_id": 1, "b": "other"}, {"_id": 1}),
        ({"_id": 1, "a": {}}, {"_id": 1, "a": {}}),
        ({"_id": 1, "a": "scalar"}, {"_id": 1}),
    ]),
    *table("include only a.b", {"a.b": 1, "_id": 0}, SEMANTICS, [
        ({"_id": 1, "a": [], "x": "extra"}, {"a": []}),
        ({"_id": 1, "a": [{}, {}]}, {"a": [{}, {}]}),
        ({"_id": 1, "a": ["scalar", "scalar"]}, {"a": []}),
        ({"_id": 1, "a": [None]}, {"a": []}),
        ({"_id": 1, "a": ["scalar", {}, "scalar", {"c": 1}]}, {"a": [{}, {}]}),
        ({"_id": 1, "a": [[]]}, {"a": [[]]}),
        ({"_id": 1, "a": [[1, 2, 3]]}, {"a": [[]]}),
        ({"_id": 1, "a": [[1, {"b": 1}, {"b": 2, "c": 2}, "scalar"]]},
         {"a": [[{"b": 1}, {"b": 2}]]}),
        ({"_id": 1, "a": [["x", {"b": 1}, {"b": 2, "c": 2}, "x"], [[{"b": 1}]],
                          [{"b": 1}, [{"b": 2}], [[{"b": [2]}]]]]},
         {"a": [[{"b": 1}, {"b": 2}], [[{"b": 1}]], [{"b": 1}, [{"b": 2}], [[{"b": [2]}]]]]}),
        ({"_id": 1, "a": [[], [[], [], [1], [{"c": 1}]], {"b": 1}]},
         {"a": [[], [[], [], [], [{}]], {"b": 1}]}),
    ]),
    *table("include a.b and a.c", {"a.b": 1, "a.c": 1, "_id": 0}, SEMANTICS, [
        ({"_id": 1, "a": {"b": "scalar", "c": "scalar", "d": "extra"}},
         {"a": {"b": "scalar", "c": "scalar"}}),
        ({"_id": 1, "a": [{"b": 1, "c": 2, "d": 3}, {"b": 4, "c": 5, "d": 6}]},
         {"a": [{"b": 1, "c": 2}, {"b": 4, "c": 5}]}),
        ({"_id": 1, "a": [{"b": 1, "c": 2}, {"b": 3, "d": 4}]}, {"a": [{"b": 1, "c": 2}, {"b": 3}]}),
        ({"_id": 1, "a": [{"c": 1, "d": 2}, {"b": 3, "d": 4}]}, {"a": [{"c": 1}, {"b": 3}]}),
        ({"_id": 1, "a": []}, {"a": []}),
        ({"_id": 1, "a": [{"b": 1, "c": 2}, "extra", {"b": 3, "c": 4}]},
         {"a": [{"b": 1, "c": 2}, {"b": 3, "c": 4}]}),
        ({"_id": 1, "a": {"b": "scalar", "d": "extra"}}, {"a": {"b": "scalar"}}),
        ({"_id": 1, "a": {"d": "extra"}}, {"a": {}}),
    ]),
    # --- deeper nesting -------------------------------------------------------------------------
    *table("include only a.b.c", {"a.b.c": 1, "_id": 0}, SEMANTICS, [
        ({"a": {"b": {"c": "demo", "z": "extra"}, "y": "extra"}, "x": "extra"},
         {"a": {"b": {"c": "demo"}}}),
        ({"a": [{"b": {"c": 1, "d": 1}}, {"b": {"c": 2, "d": 2}}]},
         {"a": [{"b": {"c": 1}}, {"b": {"c": 2}}]}),
        ({"a": {"b": [{"c": 1, "d": 1}, {"c": 2, "d": 2}]}}, {"a": {"b": [{"c": 1}, {"c": 2}]}}),
        ({"a": [{"b": [{"c": [1, 2, 3], "d": 1}, {"c": [2, 3, 4], "d": 2}]}]},
         {"a": [{"b": [{"c": [1, 2, 3]}, {"c": [2, 3, 4]}]}]}),
        ({"a": [{"bPrime": [{"c": "x"}]}, {"b": [{"cPrime": "x", "d": 1}]},
                {"b": [{"c": 3, "d": 3}, {"cPrime": "x", "d": 4}, {"c": 5}]},
                {"bPrime": {"somethingDifferent": 1}}]},
         {"a": [{}, {"b": [{}]}, {"b": [{"c": 3}, {}, {"c": 5}]}, {}]}),
        ({}, {}),
        ({"a": "scalar"}, {}),
        ({"a": None}, {}),
        ({"a": {}}, {"a": {}}),
        ({"a": {"bPrime": {"c": 1}}}, {"a": {}}),
        ({"a": {"b": "scalar"}}, {"a": {}}),
        ({"a": {"b": {"x": 1, "y": 1}}}, {"a": {"b": {}}}),
        ({"a": {"b": ["scalar"]}}, {"a": {"b": []}}),
        ({"a": [{"b": [[]]}]}, {"a": [{"b": [[]]}]}),
        ({"a": [1, {"b": [[1, 2], [{}], 2]}, 2]}, {"a": [{"b": [[], [{}]]}]}),
        ({"a": [[1, 2], [{"b": [[1, 2], [{"c": [[1, 2], [{}], 2]}], 2]}], 2]},
         {"a": [[], [{"b": [[], [{"c": [[1, 2], [{}], 2]}]]}]]}),
        ({"a": [1, {"b": {"c": {"x": 1}}}, 2]}, {"a": [{"b": {"c": {"x": 1}}}]}),
        ({"a": {"x": 1, "b": [[1, 2], [{"c": [[1, 2], [{}], 2]}], 2]}},
         {"a": {"b": [[], [{"c": [[1, 2], [{}], 2]}]]}}),
        ({"a": [1, {"b": {"x": 1, "c": [1, {}, 2]}}, 2]}, {"a": [{"b": {"c": [1, {}, 2]}}]}),
    ]),
    # --- exclusion ------------------------------------------------------------------------------
    ProjectionCase("exclude a", {"a": 0}, {"_id": 1, "a": 1, "b": 1, "c": 1},
                   {"_id": 1, "b": 1, "c": 1}, SEMANTICS),
    ProjectionCase("exclude a and b", {"a": 0, "b": 0}, {"_id": 1, "a": 1, "b": 1, "c": 1},
                   {"_id": 1, "c": 1}, SEMANTICS),
    ProjectionCase("exclude a.b", {"a.b": 0}, {"_id": 1, "a": {"b": 1, "c": 1, "d": 1},
                                               "x": {"y": 1, "z": 1}},
                   {"_id": 1, "a": {"c": 1, "d": 1}, "x": {"y": 1, "z": 1}}, SEMANTICS),
    ProjectionCase("exclusion keeps scalars in arrays", {"a.b": 0},
                   {"_id": 1, "a": ["scalar", {"b": 1, "c": 1, "d": 1}, {"b": 2, "c": 2}, {"b": 3}]},
                   {"_id": 1, "a": ["scalar", {"c": 1, "d": 1}, {"c": 2}, {}]}, SEMANTICS),
    ProjectionCase("exclude a.b and a.c", {"a.b": 0, "a.c": 0},
                   {"_id": 1, "a": [{"b": 1, "c": 1, "d": 1}, {"b": 2, "c": 2}, {"b": 3}]},
                   {"_id": 1, "a": [{"d": 1}, {}, {}]}, SEMANTICS),
    ProjectionCase("exclude through an empty array", {"a.b": 0}, {"_id": 1, "a": []},
                   {"_id": 1, "a": []}, SEMANTICS),
    ProjectionCase("exclude through nested arrays", {"a.b.c": 0},
                   {"_id": 1, "a": [[], [{"b": [[1, 2], {"c": 1, "d": 1}]}]]},
                   {"_id": 1, "a": [[], [{"b": [[1, 2], {"d": 1}]}]]}, SEMANTICS),
    # --- numeric path components are field names --------------------------------------------
    *table("a.2 is a field name", {"_id": 0, "a.2": 1}, SEMANTICS, [
        ({"a": {"2": 99}, "b": 1}, {"a": {"2": 99}}),
        ({"a": [0, 1, 2, 3, 4]}, {"a": []}),
        ({"a": [{"x": 1}, {"y": 1}, {"z": 1}]}, {"a": [{}, {}, {}]}),
        ({"a": [0, 1, 2, 3, 4, {"obj": 123}, {"2": 123}]}, {"a": [{}, {"2": 123}]}),
    ]),
    ProjectionCase("exclude a.0 keeps the array's elements", {"a.0": 0},
                   {"_id": 1, "a": [5, {"0": 1, "1": 2}]}, {"_id": 1, "a": [5, {"1": 2}]},
                   SEMANTICS),
    ProjectionCase("dotted field name in the document is not a path", {"a.b": 0},
                   {"_id": 1, "a.b": 1, "a": {"c": 2}}, {"_id": 1, "a.b": 1, "a": {"c": 2}},
                   SEMANTICS),
]


def test_case_names_are_unique() -> None:
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_projection(case: ProjectionCase) -> None:
    before = copy.deepcopy(case.doc)
    out = compile_projection(case.projection)(case.doc)
    assert out == case.expected, f"{case.name}: MongoDB returns {case.expected} ({case.source})"
    assert case.doc == before, "the input document was mutated"
    assert type(out) is dict


@pytest.mark.parametrize(("projection", "path", "message"), [
    ({"a": 1, "a.b": 1}, "a.b", "collision"),
    ({"a.b": 1, "a": 1}, "a", "collision"),
    ({"a.b": 1, "a.b.c": 1}, "a.b.c", "collision"),
    ({"a": 0, "a.b": 0}, "a.b", "collision"),
    ({"a.b": 0, "a": 0}, "a", "collision"),
    ({"a.b": 0, "a.b.c": 0}, "a.b.c", "collision"),
    ({"_id": 0, "_id.x": 0}, "_id.x", "collision"),
], ids=str)
def test_path_collisions(projection: dict[str, int], path: str, message: str) -> None:
    """Source: projection_conflicts.js (errors 31249/31250, "Path collision")."""
    with pytest.raises(QueryError, match=message) as info:
        compile_projection(projection)
    assert info.value.path == path


@pytest.mark.parametrize(("projection", "path", "message"), [
    ({"a": 1, "b": 0}, "b", "exclusion"),
    ({"a": 0, "b": 1}, "b", "inclusion"),
    ({"a": 0, "_id": 0, "b.c": 1}, "b.c", "inclusion"),
    ({"a": {"$slice": 1}}, "a", "$slice"),
    ({"a": {"$elemMatch": {"b": 1}}}, "a", "$elemMatch"),
    ({"score": {"$meta": "textScore"}}, "score", "$meta"),
    ({"a.$": 1}, "a.$", "$"),
    ({"a": "$b"}, "a", "expressions"),
    ({"a": "literal"}, "a", "expressions"),
    ({"a": {"b": 1}}, "a", "dotted path"),
    ({"a": 2}, "a", "0, 1, true or false"),
    ({"a": -1}, "a", "0, 1, true or false"),
    ({"a": 0.5}, "a", "0, 1, true or false"),
    ({"a": None}, "a", "0, 1, true or false"),
    ({"a": [1]}, "a", "0, 1, true or false"),
    ({"": 1}, "[0]", "empty"),
    ({"a..b": 1}, "a..b", "empty"),
    ({"a.": 1}, "a.", "empty"),
    ({"$a": 1}, "$a", "$"),
    ({1: 1}, "[0]", "strings"),
], ids=str)
def test_rejected_projections(projection: dict[Any, Any], path: str, message: str) -> None:
    """Sources: db.collection.find() projection rules (inclusion and exclusion cannot mix
    except _id); this library accepts only 0/1/true/false (issue 3)."""
    with pytest.raises(QueryError) as info:
        compile_projection(projection)
    assert info.value.path == path
    assert message in info.value.reason


def test_not_a_mapping() -> None:
    for fields in ([("a", 1)], "a", None):
        with pytest.raises(QueryError):
            compile_projection(fields)  # type: ignore[arg-type]


def test_limits() -> None:
    compile_projection({"a.b.c": 1}, limits=Limits(max_depth=3))
    with pytest.raises(LimitError):
        compile_projection({"a.b.c.d": 1}, limits=Limits(max_depth=3))
    with pytest.raises(LimitError):
        compile_projection({f"f{i}": 1 for i in range(4)}, limits=Limits(max_list_length=3))


def test_float_one_and_zero_are_accepted() -> None:
    assert dict(compile_projection({"a": 1.0, "_id": 0.0}).spec) == {"a": 1, "_id": 0}


def test_spec_paths_and_kind() -> None:
    shape = compile_projection({"name": True, "_createdBy._id": 1, "_id": False})
    assert isinstance(shape, Projection)
    assert dict(shape.spec) == {"name": 1, "_createdBy._id": 1, "_id": 0}
    assert shape.paths == frozenset({"name", "_createdBy._id", "_id"})
    assert shape.inclusion
    assert not compile_projection({"token": 0}).inclusion


def test_output_follows_the_documents_field_order() -> None:
    doc = {"_id": 1, "b": 1, "a": 2, "c": 3}
    assert list(compile_projection({"c": 1, "a": 1})(doc)) == ["_id", "a", "c"]
    assert list(compile_projection({"b": 0})(doc)) == ["_id", "a", "c"]


def test_output_shares_nothing_mutable_with_the_input() -> None:
    doc = {"_id": 1, "a": {"b": [1, {"c": [2]}]}, "d": [[3]], "e": (4, [5])}
    for spec in ({}, {"a": 1, "d": 1, "e": 1}, {"x": 0}, {"a.b": 1, "d": 1}):
        out = compile_projection(spec)(doc)
        out["a"]["b"][1]["c"].append(9)
        out["a"]["b"].append(9)
        if "d" in out:
            out["d"][0].append(9)
        if "e" in out:
            out["e"][1].append(9)
    assert doc == {"_id": 1, "a": {"b": [1, {"c": [2]}]}, "d": [[3]], "e": (4, [5])}


def test_mappings_and_tuples_in_the_input() -> None:
    doc = MappingProxyType({"_id": 1, "a": MappingProxyType({"b": 1, "c": 2}),
                            "t": ({"b": 1, "c": 2}, 3)})
    assert compile_projection({"a.b": 1, "t.b": 1, "_id": 0})(doc) == {"a": {"b": 1},
                                                                       "t": [{"b": 1}]}
    assert compile_projection({"a.c": 0, "t.c": 0})(doc) == {"_id": 1, "a": {"b": 1},
                                                              "t": [{"b": 1}, 3]}
    kept = compile_projection({"a.c": 0})(doc)["t"]
    assert kept == ({"b": 1, "c": 2}, 3) and kept[0] is not doc["t"][0]


def test_values_of_other_types_are_copied_whole() -> None:
    when = dt.datetime(2024, 1, 1)

    class Box:
        def __init__(self) -> None:
            self.items = [1]

    box = Box()
    out = compile_projection({"w": 1, "box": 1})({"_id": 1, "w": when, "box": box})
    assert out["w"] == when
    assert out["box"] is not box and out["box"].items == [1] and out["box"].items is not box.items
    through = compile_projection({"box.items": 0})({"_id": 1, "box": box})
    assert through["box"] is not box and through["box"].items == [1]
