"""klearct's own parquet: lossless, one row per problem.

    id        problem id
    problem   Problem.model_dump_json()
    tests     list of structs: the columns of klear_ct.store.TEST_COLUMNS plus gold_time_ms
              (the one TestCase field TEST_COLUMNS leaves out; kept so the round trip is exact)

Tests without an expected output are kept too. Reading gives back the very Problems (`read`) or the (Problem, tests) pairs that were
written (`read_with_tests`). The JSON carries pydantic's computed fields (Program.sha,
TestCase.id and bytes); they are checked against the content, then dropped, since the
records forbid extra keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import get_args

import pyarrow as pa
from pydantic import BaseModel, ValidationError

from klear_ct.formats.errors import FieldError, RowError, Warn
from klear_ct.formats.exporting import ExportItem, ExportOptions, write_dataset
from klear_ct.formats.rows import Where, iter_rows
from klear_ct.model import Problem, TestCase
from klear_ct.store import TEST_COLUMNS, TEST_SCHEMA

NAME = "klearct"
TEST_FIELDS = [*TEST_COLUMNS, "gold_time_ms"]
TEST_STRUCT = pa.struct([TEST_SCHEMA.field(c) for c in TEST_COLUMNS] + [pa.field("gold_time_ms", pa.float64())])
SCHEMA = pa.schema([("id", pa.string()), ("problem", pa.large_string()), ("tests", pa.list_(TEST_STRUCT))])


def sniff(keys: set[str]) -> bool:
    return {"id", "problem", "tests"} <= keys


# -- reading -----------------------------------------------------------------------------------

def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def strip_computed(cls: type[BaseModel], data):
    """`data` (a model's dump) without the computed fields, at every level."""
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if k not in cls.model_computed_fields}
    for name, field in cls.model_fields.items():
        models = _models_in(field.annotation)
        if name in out and len(models) == 1:
            value = out[name]
            out[name] = ([strip_computed(models[0], v) for v in value] if isinstance(value, list)
                         else strip_computed(models[0], value))
    return out


def problem_from_json(text: str) -> Problem:
    """A Problem from Problem.model_dump_json() (which includes the computed fields)."""
    return Problem.model_validate(strip_computed(Problem, json.loads(text)))


def parse_row(row: dict, where: Where, warn: Warn) -> Problem:
    return _problem(row)


def _problem(row: dict) -> Problem:
    text = row.get("problem")
    if not isinstance(text, str):
        raise FieldError("problem", "missing")
    try:
        problem = problem_from_json(text)
    except ValueError as e:  # bad JSON or a ValidationError
        first = e.errors()[0] if isinstance(e, ValidationError) else None
        where = ".".join(str(p) for p in first["loc"]) if first else None
        raise FieldError("problem", f"not a Problem: {first['msg'] + ' at ' + where if first else e}") from None
    if row.get("id") != problem.id:
        raise FieldError("id", f"{row.get('id')!r} but the problem's id is {problem.id!r}")
    return problem


def _tests(row: dict, problem_id: str) -> list[TestCase]:
    tests = []
    for k, values in enumerate(row.get("tests") or []):
        fields = {c: values[c] for c in TEST_FIELDS if c in values and c not in ("id", "bytes")}
        if fields.get("kills") is None:
            fields.pop("kills", None)
        if fields.get("gold_time_ms") is None:
            fields.pop("gold_time_ms", None)
        try:
            test = TestCase(**fields)
        except ValidationError as e:
            raise FieldError(f"tests[{k}]", e.errors()[0]["msg"]) from None
        if values.get("id") not in (None, test.id):
            raise FieldError(f"tests[{k}].id", "does not match the test's input")
        if test.problem_id != problem_id:
            raise FieldError(f"tests[{k}].problem_id", f"{test.problem_id!r}, not {problem_id!r}")
        tests.append(test)
    return tests


def read_with_tests(path: Path) -> Iterator[tuple[Problem, list[TestCase]] | RowError]:
    for item in iter_rows(path):
        if isinstance(item, RowError):
            yield item
            continue
        where, row = item
        try:
            problem = _problem(row)
            yield problem, _tests(row, problem.id)
        except FieldError as e:
            yield where.from_field_error(e)


# -- export ------------------------------------------------------------------------------------

def record(item: ExportItem, options: ExportOptions) -> dict:
    return {
        "id": item.problem.id,
        "problem": item.problem.model_dump_json(),
        "tests": [{c: dump[c] for c in TEST_FIELDS} for dump in (t.model_dump() for t in item.tests)],
    }


def export(rows: Iterable[tuple[Problem, list[TestCase]]], out_path: Path, options: ExportOptions) -> dict:
    return write_dataset(rows, out_path, options, format_name=NAME, record=record, schema=SCHEMA,
                         keep_all_tests=True)
