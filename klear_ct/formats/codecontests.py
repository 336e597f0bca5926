"""DeepMind CodeContests rows (jsonl or parquet): reader and exporter.

    name                  problem id
    description           statement
    public_tests          {"input": [...], "output": [...]}   -> tests of kind "public"
    private_tests         same shape                          -> kind "private"
    generated_tests       same shape                          -> kind "generated"
    solutions             {"language": [...], "solution": [...]} (or a list of such pairs)
    incorrect_solutions   same shape
    time_limit            {"seconds", "nanos"} or null         (null or 0: 2.0 s, with a warning)
    memory_limit_bytes    integer or null                      (null or 0: 256 MB, with a warning);
                          a whole number of decimal megabytes (the published 256000000) is that many MB

All three suites go to Problem.public_tests (their kind tells them apart): they are the
problem's original tests. Language ids: 0 unknown (the language is detected), 1 PYTHON
(Python 2), 2 CPP, 3 PYTHON3, 4 JAVA; names ("PYTHON3") are accepted too. Golds the sandbox
does not run (Python 2) are left out with a warning; a problem with no gold left is
a RowError saying so.

The exporter writes the same columns: tests of kind "public" in public_tests, "private" in
private_tests and all others (the synthesized ones) in generated_tests. Function-call
problems have no CodeContests form and are skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from klear_ct.formats import fields
from klear_ct.formats.errors import FieldError, Warn
from klear_ct.formats.exporting import ExportItem, ExportOptions, Skip, write_dataset
from klear_ct.formats.languages import detect_language, supported
from klear_ct.formats.rows import Where
from klear_ct.model import IncorrectProgram, Problem, Program, TestCase

NAME = "codecontests"
# CodeContests' own language ids, each mapped to a klearct language name: a name in the language
# table (klear_ct.sandbox.languages), or one the sandbox does not run (skipped, with a warning)
LANGUAGE_BY_ID = {1: "python2", 2: "cpp17", 3: "python3", 4: "java17"}  # 0: unknown, detected
LANGUAGE_ID_BY_NAME = {"UNKNOWN_LANGUAGE": 0, "UNKNOWN": 0, "PYTHON": 1, "PYTHON2": 1, "CPP": 2, "PYTHON3": 3,
                       "JAVA": 4}
ID_BY_LANGUAGE = {lang: k for k, lang in LANGUAGE_BY_ID.items()} | {"c11": 2, "pypy3": 3}  # C as CPP, PyPy as PYTHON3
SUITES = (("public_tests", "public"), ("private_tests", "private"), ("generated_tests", "generated"))


def sniff(keys: set[str]) -> bool:
    return {"name", "description"} <= keys and bool(keys & {"solutions", "public_tests"})


def _language(value, field: str) -> int:
    if isinstance(value, bool):
        raise FieldError(field, f"bad language id {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if value.strip().isdigit():
            return int(value)
        if value.strip().upper() in LANGUAGE_ID_BY_NAME:
            return LANGUAGE_ID_BY_NAME[value.strip().upper()]
    raise FieldError(field, f"bad language id {value!r}")


def _pairs(value, field: str) -> list[tuple[int, str]]:
    """(language id, code) pairs from {"language": [...], "solution": [...]} or a list of pairs."""
    if value is None:
        return []
    if isinstance(value, dict):
        languages, codes = value.get("language") or [], value.get("solution") or []
        if not isinstance(languages, list) or not isinstance(codes, list):
            raise FieldError(field, "language and solution must be lists")
        if len(languages) != len(codes):
            raise FieldError(field, f"{len(languages)} languages but {len(codes)} solutions")
        pairs = list(zip(languages, codes, strict=True))
    elif isinstance(value, list):
        pairs = []
        for k, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise FieldError(f"{field}[{k}]", "expected {language, solution}")
            pairs.append((entry.get("language"), entry.get("solution")))
    else:
        raise FieldError(field, f"expected {{language: [...], solution: [...]}}, got {type(value).__name__}")
    return [(_language(lang, f"{field}.language[{k}]"), fields.code_string(code, f"{field}.solution[{k}]"))
            for k, (lang, code) in enumerate(pairs)]


def _programs(pairs: list[tuple[int, str]]) -> list[tuple[int, Program | str]]:
    """(index, program) for each pair, or (index, reason) when it cannot be a program."""
    result: list[tuple[int, Program | str]] = []
    for k, (language_id, code) in enumerate(pairs):
        lang = LANGUAGE_BY_ID.get(language_id) if language_id else detect_language(code)
        if lang is None:
            result.append((k, "unknown language" if not language_id else f"language id {language_id}"))
        elif not supported(lang):
            result.append((k, lang))
        else:
            result.append((k, Program(lang=lang, code=code)))
    return result


def _tests(row: dict, problem_id: str) -> list[TestCase]:
    tests = []
    for key, kind in SUITES:
        suite = row.get(key)
        if suite is None:
            continue
        if not isinstance(suite, dict):
            raise FieldError(key, f"expected {{input: [...], output: [...]}}, got {type(suite).__name__}")
        inputs = fields.string_list(suite.get("input"), f"{key}.input")
        outputs = fields.string_list(suite.get("output"), f"{key}.output")
        if len(inputs) != len(outputs):
            raise FieldError(key, f"{len(inputs)} inputs but {len(outputs)} outputs")
        tests += [TestCase(problem_id=problem_id, input=i, output=o, kind=kind)
                  for i, o in zip(inputs, outputs, strict=True)]
    return tests


def _time_limit(value, where: Where, warn: Warn) -> float:
    if isinstance(value, dict):
        seconds, nanos = value.get("seconds") or 0, value.get("nanos") or 0
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (seconds, nanos)):
            raise FieldError("time_limit", f"expected integer seconds and nanos, got {value!r}")
        total = seconds + nanos / 1e9
        if total < 0:
            raise FieldError("time_limit", f"negative: {value!r}")
        if total > 0:
            return float(total)
    elif value is not None:
        return fields.parse_seconds(value, "time_limit")
    warn(where.warning("time_limit", f"missing; using the default {fields.DEFAULT_TIME_LIMIT_S} s"))
    return fields.DEFAULT_TIME_LIMIT_S


def _memory_limit(value, where: Where, warn: Warn) -> int:
    if value is not None and value != 0:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise FieldError("memory_limit_bytes", f"expected a number of bytes, got {value!r}")
        if isinstance(value, str):
            return fields.parse_megabytes(f"{value} bytes" if value.strip().isdigit() else value,
                                          "memory_limit_bytes")
        if isinstance(value, int) and value > 0 and value % 10**6 == 0:
            # the published dataset writes a judge's "256 megabytes" as 256000000: 256 MB, not 244.1 MiB
            return fields.parse_megabytes(value // 10**6, "memory_limit_bytes")
        return fields.parse_megabytes(value / 2**20, "memory_limit_bytes")
    warn(where.warning("memory_limit_bytes", f"missing; using the default {fields.DEFAULT_MEMORY_LIMIT_MB} MB"))
    return fields.DEFAULT_MEMORY_LIMIT_MB


def parse_row(row: dict, where: Where, warn: Warn) -> Problem:
    name = row.get("name")
    if name is None:
        raise FieldError("name", "missing")
    if not isinstance(name, str) or not name.strip():
        raise FieldError("name", f"expected a non-empty string, got {name!r}")
    description = row.get("description")
    if description is None:
        raise FieldError("description", "missing")
    if not isinstance(description, str):
        raise FieldError("description", f"expected a string, got {type(description).__name__}")
    problem_id = name.strip()

    if row.get("solutions") is None:
        raise FieldError("solutions", "missing")
    golds = _programs(_pairs(row["solutions"], "solutions"))
    if not golds:
        raise FieldError("solutions", "empty list")
    gold = [p for _, p in golds if isinstance(p, Program)]
    dropped = Counter(p for _, p in golds if isinstance(p, str))
    if not gold:
        raise FieldError("solutions", f"no gold solution in a language the sandbox runs ({fields.count_text(dropped)})")
    if dropped:
        warn(where.warning("solutions", f"skipped {dropped.total()} gold solutions the sandbox cannot run "
                                        f"({fields.count_text(dropped)})"))
    incorrect_all = _programs(_pairs(row.get("incorrect_solutions"), "incorrect_solutions"))
    incorrect = [IncorrectProgram(id=f"{problem_id}/incorrect-{k}", program=p)
                 for k, p in incorrect_all if isinstance(p, Program)]
    dropped = Counter(p for _, p in incorrect_all if isinstance(p, str))
    if dropped:
        warn(where.warning("incorrect_solutions", f"skipped {dropped.total()} incorrect solutions the sandbox "
                                                  f"cannot run ({fields.count_text(dropped)})"))
    for key in ("input_file", "output_file"):
        if isinstance(row.get(key), str) and row[key].strip():
            warn(where.warning(key, f"the problem names {row[key]!r}; its programs are run on stdin/stdout"))
    return Problem(
        id=problem_id,
        statement=description,
        time_limit_s=_time_limit(row.get("time_limit"), where, warn),
        memory_limit_mb=_memory_limit(row.get("memory_limit_bytes"), where, warn),
        gold=gold,
        incorrect=incorrect,
        public_tests=_tests(row, problem_id),
        source=NAME,
    )


# -- export ------------------------------------------------------------------------------------

SUITE = pa.struct([("input", pa.list_(pa.large_string())), ("output", pa.list_(pa.large_string()))])
SOLUTIONS = pa.struct([("language", pa.list_(pa.int64())), ("solution", pa.list_(pa.large_string()))])
SCHEMA = pa.schema([
    ("name", pa.string()),
    ("description", pa.large_string()),
    ("public_tests", SUITE),
    ("private_tests", SUITE),
    ("generated_tests", SUITE),
    ("solutions", SOLUTIONS),
    ("incorrect_solutions", SOLUTIONS),
    ("time_limit", pa.struct([("seconds", pa.int64()), ("nanos", pa.int64())])),
    ("memory_limit_bytes", pa.int64()),
])


def _suite(tests: list[TestCase]) -> dict:
    return {"input": [t.input for t in tests], "output": [t.output for t in tests]}


def _solutions(programs: list[Program]) -> dict:
    return {"language": [ID_BY_LANGUAGE.get(p.lang, 0) for p in programs], "solution": [p.code for p in programs]}


def record(item: ExportItem, options: ExportOptions) -> dict:
    problem = item.problem
    if problem.io_mode == "function":
        raise Skip("function_mode")
    seconds = int(problem.time_limit_s)
    return {
        "name": problem.id,
        "description": problem.statement,
        "public_tests": _suite([t for t in item.tests if t.kind == "public"]),
        "private_tests": _suite([t for t in item.tests if t.kind == "private"]),
        "generated_tests": _suite([t for t in item.tests if t.kind not in ("public", "private")]),
        "solutions": _solutions(problem.gold),
        "incorrect_solutions": _solutions([p.program for p in problem.incorrect]),
        "time_limit": {"seconds": seconds, "nanos": round((problem.time_limit_s - seconds) * 1e9)},
        "memory_limit_bytes": problem.memory_limit_mb * 10**6,  # as the published dataset writes "256 megabytes"
    }


def export(rows: Iterable[tuple[Problem, list[TestCase]]], out_path: Path, options: ExportOptions) -> dict:
    return write_dataset(rows, out_path, options, format_name=NAME, record=record, schema=SCHEMA)
