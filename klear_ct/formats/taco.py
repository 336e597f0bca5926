"""TACO and APPS rows (jsonl or parquet), as published: reader.

    problem_id / id    APPS's id (an integer); TACO rows carry none and are named by position:
                       `<file stem>-<0-based row>` (`train-00000-of-00009-17`)
    question           the statement
    solutions          gold programs: a JSON string of a list of code strings (or the list); the
                       language of each is detected; those the sandbox does not run are left out
                       with a warning, none left is a bad row
    input_output       a JSON string {"inputs": [...], "outputs": [...], "fn_name"?: str}: the
                       dataset's tests (kind "private": they are its hidden tests); "" or missing:
                       none. With fn_name the problem is a function call: each input is the
                       argument list, each output the result (written inside a one-element list
                       when every output of the row is so wrapped: the elements are the results).
                       Without it, inputs and outputs are text, or lists of lines.
    starter_code       optional ("" is none)
    time_limit         TACO: "1 seconds", "2.5 seconds", "1500 ms", a number, "None" or missing
                       (missing: 2.0 s, with a warning); APPS has none
    memory_limit       TACO: "256 megabytes", "None" or missing (missing: 256 MB, with a warning)

Other columns (difficulty, url, tags, source, ...) are not needed and are ignored.
"""

from __future__ import annotations

from klear_ct.formats import fields
from klear_ct.formats.errors import FieldError, Warn
from klear_ct.formats.rows import Where
from klear_ct.model import Problem, TestCase

NAME = "taco"
KIND = "private"


def sniff(keys: set[str]) -> bool:
    return {"question", "solutions", "input_output"} <= keys and "custom_id" not in keys


def _limit(row: dict, key: str, parse, default, unit: str, where: Where, warn: Warn):
    value = row.get(key)
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
        warn(where.warning(key, f"missing; using the default {default} {unit}"))
        return default
    return parse(value, key)


def tests_of(io: dict, field: str, problem_id: str, kind: str) -> tuple[str | None, list[TestCase]]:
    """(fn_name, tests) of an APPS-style {"inputs", "outputs", "fn_name"?} dict."""
    inputs, outputs = io.get("inputs", []), io.get("outputs", [])
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise FieldError(field, "inputs and outputs must both be lists")
    if len(inputs) != len(outputs):
        raise FieldError(field, f"{len(inputs)} inputs but {len(outputs)} outputs")
    fn_name = io.get("fn_name")
    if fn_name is not None and not (isinstance(fn_name, str) and fn_name.strip()):
        raise FieldError(f"{field}.fn_name", f"expected a function name, got {fn_name!r}")
    if fn_name:
        texts = [(fields.call_arguments(i, f"{field}.inputs[{k}]"), fields.json_text(o))
                 for k, (i, o) in enumerate(zip(inputs, fields.unwrapped_results(outputs), strict=True))]
    else:
        texts = [(fields.stdin_text(i, f"{field}.inputs[{k}]"), fields.stdin_text(o, f"{field}.outputs[{k}]"))
                 for k, (i, o) in enumerate(zip(inputs, outputs, strict=True))]
    return fn_name, [TestCase(problem_id=problem_id, input=i, output=o, kind=kind) for i, o in texts]


def parse_row(row: dict, where: Where, warn: Warn) -> Problem:
    problem_id = fields.row_id(row, ("problem_id", "id"), where)
    statement = row.get("question")
    if not isinstance(statement, str) or not statement.strip():
        raise FieldError("question", "missing" if statement is None else "expected a non-empty string")
    gold = fields.gold_programs(row.get("solutions"), "solutions", where, warn)
    io = fields.loaded(row.get("input_output"), "input_output") or {}
    if not isinstance(io, dict):
        raise FieldError("input_output", f"expected an object with inputs and outputs, got {type(io).__name__}")
    fn_name, tests = tests_of(io, "input_output", problem_id, KIND)
    return Problem(
        id=problem_id,
        statement=statement,
        time_limit_s=_limit(row, "time_limit", fields.parse_seconds, fields.DEFAULT_TIME_LIMIT_S, "s", where, warn),
        memory_limit_mb=_limit(row, "memory_limit", fields.parse_megabytes, fields.DEFAULT_MEMORY_LIMIT_MB, "MB",
                               where, warn),
        io_mode="function" if fn_name else "stdin",
        fn_name=fn_name,
        starter_code=fields.optional_text(row.get("starter_code"), "starter_code"),
        gold=gold,
        public_tests=tests,
        source=NAME,
    )
