"""DeepCoder (agentica-org/DeepCoder-Preview-Dataset) and PrimeIntellect-style rows (jsonl or
parquet): reader.

    id / problem_id    the dataset's id when a row has one; DeepCoder's rows carry none and are
                       named by position: `<file stem>-<0-based row>` (rows with `id`, `problem` and
                       `tests` look like klearct's own parquet: read them with --format deepcoder)
    problem            the statement
    tests              JSON string (or the value) in one of the shapes DeepCoder's subsets use:
                         primeintellect / codeforces: [{"input", "output", "type": "stdin_stdout"}]
                           or [{"type": "function_call", "fn_name", "input": [args], "output": result}]
                         lcbv5: LiveCodeBench's [{"input", "output", "testtype": "stdin" | "functional"}]
                         taco: TACO's {"inputs", "outputs", "fn_name"?}
                       -> tests of kind "private"
    metadata           optional object or its JSON string: func_name (lcbv5's functional problems),
                       time_limit / memory_limit when given (else 2 s and 256 MB, with a warning)
    solutions          optional list of code strings (the taco and primeintellect subsets have
                       them); without, a warning: validate needs golds
    starter_code       optional

Function-call results follow the TACO rule (klear_ct.formats.fields.unwrapped_results).
"""

from __future__ import annotations

from klear_ct.formats import fields, livecodebench, taco
from klear_ct.formats.errors import FieldError, Warn
from klear_ct.formats.rows import Where
from klear_ct.model import Problem, TestCase

NAME = "deepcoder"
KIND = "private"
FUNCTION_CALL = "function_call"


def sniff(keys: set[str]) -> bool:
    return {"problem", "tests"} <= keys and "id" not in keys  # klearct's own parquet has id, problem, tests


def _call_tests(cases: list, problem_id: str) -> tuple[str, list[TestCase]]:
    names = {c.get("fn_name") for c in cases}
    if len(names) != 1 or not isinstance(next(iter(names)), str) or not next(iter(names)).strip():
        raise FieldError("tests", f"function_call tests need one fn_name, got {sorted(map(str, names))}")
    arguments = [fields.call_arguments(c.get("input"), f"tests[{k}].input") for k, c in enumerate(cases)]
    results = fields.unwrapped_results([c.get("output") for c in cases])
    return next(iter(names)).strip(), [TestCase(problem_id=problem_id, input=a, output=fields.json_text(r), kind=KIND)
                                       for a, r in zip(arguments, results, strict=True)]


def _tests(value, problem_id: str, metadata: dict) -> tuple[str | None, list[TestCase]]:
    """(fn_name, tests) from any of the shapes in the module docstring."""
    if isinstance(value, dict):
        return taco.tests_of(value, "tests", problem_id, KIND)
    if not isinstance(value, list):
        raise FieldError("tests", f"expected a list of tests or TACO's {{inputs, outputs}}, got {type(value).__name__}")
    for k, case in enumerate(value):
        if not isinstance(case, dict):
            raise FieldError(f"tests[{k}]", f"expected an object, got {type(case).__name__}")
    if any("testtype" in c for c in value):  # lcbv5: LiveCodeBench's own tests
        testtype, tests = livecodebench.case_tests(value, "tests", problem_id, KIND)
        if testtype != livecodebench.FUNCTIONAL:
            return None, tests
        fn_name = metadata.get("func_name")
        if not (isinstance(fn_name, str) and fn_name.strip()):
            raise FieldError("metadata.func_name", "a functional problem needs the function's name")
        return fn_name.strip(), tests
    calls = [c for c in value if c.get("type") == FUNCTION_CALL]
    if calls:
        if len(calls) != len(value):
            raise FieldError("tests", "stdin and function_call tests mixed in one problem")
        return _call_tests(value, problem_id)
    return None, [TestCase(problem_id=problem_id, input=fields.stdin_text(c.get("input"), f"tests[{k}].input"),
                           output=fields.stdin_text(c.get("output"), f"tests[{k}].output"), kind=KIND)
                  for k, c in enumerate(value)]


def _limit(metadata: dict, key: str, parse, default, unit: str, where: Where, warn: Warn):
    if metadata.get(key) is not None:
        return parse(metadata[key], f"metadata.{key}")
    warn(where.warning(f"metadata.{key}", f"missing; using the default {default} {unit}"))
    return default


def parse_row(row: dict, where: Where, warn: Warn) -> Problem:
    problem_id = fields.row_id(row, ("id", "problem_id"), where)
    statement = row.get("problem")
    if not isinstance(statement, str) or not statement.strip():
        raise FieldError("problem", "missing" if statement is None else "expected a non-empty string")
    metadata = fields.loaded(row.get("metadata"), "metadata") or {}
    if not isinstance(metadata, dict):
        raise FieldError("metadata", f"expected an object, got {type(metadata).__name__}")
    fn_name, tests = _tests(fields.loaded(row.get("tests"), "tests") or [], problem_id, metadata)
    gold = []
    if row.get("solutions") is not None and row["solutions"] != []:
        gold = fields.gold_programs(row["solutions"], "solutions", where, warn)
    else:
        warn(where.warning("solutions", "no gold solutions: validate needs some"))
    return Problem(
        id=problem_id,
        statement=statement,
        time_limit_s=_limit(metadata, "time_limit", fields.parse_seconds, fields.DEFAULT_TIME_LIMIT_S, "s", where, warn),
        memory_limit_mb=_limit(metadata, "memory_limit", fields.parse_megabytes, fields.DEFAULT_MEMORY_LIMIT_MB, "MB",
                               where, warn),
        io_mode="function" if fn_name else "stdin",
        fn_name=fn_name,
        starter_code=fields.optional_text(row.get("starter_code"), "starter_code"),
        gold=gold,
        public_tests=tests,
        source=NAME,
    )
