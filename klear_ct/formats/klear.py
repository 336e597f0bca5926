"""Klear-CodeTest jsonl: reader and exporter.

A row:

    custom_id          problem id (string or integer)
    question           the statement
    solutions          gold programs: a list of code strings (or a JSON string of that list);
                       the language of each is detected (klear_ct.formats.languages)
    input_generator    Python code printing one list literal of input strings (optional, may be null)
    checker            special judge code (optional, may be null); language detected
    type               "stdin" (default) or "function"/"call" (function problems need fn_name)
    input_output       {"inputs": [...], "outputs": [...], "fn_name"?: str}, or its JSON string:
                       the public tests
    time-limit         seconds: 2, 2.0, "2", "2 s", "1500 ms"  (missing: 2.0, with a warning)
    memory-limit       MB: 256, "256", "256 MB", "1 GB"        (missing: 256, with a warning)
    reward             optional: {"ground_truth": {"input_output": {...}}}: more tests (read
                       as kind "generated"; this is what the exporter writes)
    incorrect_solutions  klearct extension: a list of code strings or of
                       {"code", "verdict"?: "WA"|"TLE"|"RE"|"MLE", "note"?}
    starter_code       optional

In function problems a test's input is the call's argument list and its output the return
value, as JSON values; or, when the dict has "json_text": true (what the exporter writes),
as strings holding their JSON text. TestCase.input/output hold the JSON text.

Gold solutions in a language the sandbox does not run (Java, Python 2, ...) are left out
with a warning; a row with none left is an error, as is a gold whose language cannot be
detected. Incorrect solutions in an unknown or unsupported language are left out with a
warning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from klear_ct.formats import fields
from klear_ct.formats.errors import FieldError, Warn
from klear_ct.formats.exporting import ExportItem, ExportOptions, is_json, write_dataset
from klear_ct.formats.languages import detect_language, supported
from klear_ct.formats.rows import Where
from klear_ct.model import IncorrectProgram, Problem, Program, TestCase

NAME = "klear"
STDIN_TYPES = {"stdin", "stdio", "standard_input", "standard input", "input"}
FUNCTION_TYPES = {"function", "call", "call_based", "call-based", "function_call", "functional"}
VERDICTS = {"WA", "TLE", "RE", "MLE"}


def sniff(keys: set[str]) -> bool:
    return {"custom_id", "question"} <= keys


def _required(row: dict, key: str):
    if key not in row or row[key] is None:
        raise FieldError(key, "missing")
    return row[key]


def _problem_id(row: dict) -> str:
    value = _required(row, "custom_id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError("custom_id", f"expected a string, got {type(value).__name__}")
    value = str(value).strip()
    if not value:
        raise FieldError("custom_id", "empty")
    return value


def _limit(row: dict, keys: tuple[str, ...], parse, default, unit: str, where: Where, warn: Warn):
    for key in keys:
        if row.get(key) is not None:
            return parse(row[key], key)
    warn(where.warning(keys[0], f"missing; using the default {default} {unit}"))
    return default


def _io_mode(row: dict, io: dict) -> str:
    value = row.get("type")
    if value is None:
        return "function" if io.get("fn_name") else "stdin"
    if not isinstance(value, str):
        raise FieldError("type", f"expected a string, got {type(value).__name__}")
    if value.strip().lower() in STDIN_TYPES:
        return "stdin"
    if value.strip().lower() in FUNCTION_TYPES:
        return "function"
    raise FieldError("type", f"unknown type {value!r}; expected 'stdin' or 'function'")


def _io_dict(value, field: str) -> dict:
    if value is None:
        return {}
    value = fields.json_value(value, field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FieldError(field, f"expected an object with inputs and outputs, got {type(value).__name__}")
    return value


def _tests(io: dict, field: str, problem_id: str, io_mode: str, kind: str) -> list[TestCase]:
    if not io:
        return []
    inputs, outputs = io.get("inputs"), io.get("outputs")
    if inputs is None and outputs is None:
        return []
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise FieldError(field, "inputs and outputs must both be lists")
    if len(inputs) != len(outputs):
        raise FieldError(field, f"{len(inputs)} inputs but {len(outputs)} outputs")
    json_text = io.get("json_text") is True
    tests = []
    for k, (given, expected) in enumerate(zip(inputs, outputs, strict=True)):
        if io_mode == "function" and json_text:
            for text in (given, expected):
                if not isinstance(text, str) or not is_json(text):
                    raise FieldError(f"{field}[{k}]", "json_text is set but a value is not JSON text")
        elif io_mode == "function":
            given, expected = json.dumps(given), json.dumps(expected)
        elif not isinstance(given, str) or not isinstance(expected, str):
            raise FieldError(f"{field}[{k}]", "stdin tests need string inputs and outputs")
        tests.append(TestCase(problem_id=problem_id, input=given, output=expected, kind=kind))
    return tests


def _gold(row: dict, where: Where, warn: Warn) -> list[Program]:
    value = fields.json_value(_required(row, "solutions"), "solutions")
    if not isinstance(value, list):
        raise FieldError("solutions", f"expected a list of code strings, got {type(value).__name__}")
    if not value:
        raise FieldError("solutions", "empty list")
    programs = [fields.detected_program(fields.code_string(code, f"solutions[{k}]"), f"solutions[{k}]")
                for k, code in enumerate(value)]
    kept, dropped = fields.keep_supported(programs)
    if not kept:
        raise FieldError("solutions", f"no gold solution in a language the sandbox runs "
                                      f"({fields.count_text(dropped)})")
    if dropped:
        warn(where.warning("solutions", f"skipped {dropped.total()} gold solutions in languages the sandbox "
                                        f"does not run ({fields.count_text(dropped)})"))
    return kept


def _incorrect(row: dict, problem_id: str, where: Where, warn: Warn) -> list[IncorrectProgram]:
    value = fields.json_value(row.get("incorrect_solutions"), "incorrect_solutions")
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldError("incorrect_solutions", f"expected a list, got {type(value).__name__}")
    result, left_out = [], []
    for k, entry in enumerate(value):
        field, verdict = f"incorrect_solutions[{k}]", None
        if isinstance(entry, dict):
            code = fields.code_string(entry.get("code"), f"{field}.code")
            verdict = entry.get("verdict")
            if verdict is not None:
                if not isinstance(verdict, str) or verdict.strip().upper() not in VERDICTS:
                    raise FieldError(f"{field}.verdict", f"expected one of {', '.join(sorted(VERDICTS))}, "
                                                         f"got {verdict!r}")
                verdict = verdict.strip().upper()
        else:
            code = fields.code_string(entry, field)
        lang = detect_language(code)
        if not supported(lang):
            left_out.append(f"#{k} ({lang or 'unknown language'})")
            continue
        result.append(IncorrectProgram(id=f"{problem_id}/incorrect-{k}", program=Program(lang=lang, code=code),
                                       expected_verdict=verdict))
    if left_out:
        warn(where.warning("incorrect_solutions", f"skipped {len(left_out)} incorrect solutions the sandbox "
                                                  f"cannot run: {', '.join(left_out)}"))
    return result


def _generators(row: dict) -> list[Program]:
    value = row.get("input_generator")
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    codes = value if isinstance(value, list) else [value]
    return [Program(lang="python3", code=fields.code_string(code, "input_generator")) for code in codes]


def _checker(row: dict) -> Program | None:
    value = row.get("checker")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    program = fields.detected_program(fields.code_string(value, "checker"), "checker")
    if not supported(program.lang):
        raise FieldError("checker", f"checker in {program.lang}, which the sandbox does not run")
    return program


def parse_row(row: dict, where: Where, warn: Warn) -> Problem:
    problem_id = _problem_id(row)
    statement = _required(row, "question")
    if not isinstance(statement, str):
        raise FieldError("question", f"expected a string, got {type(statement).__name__}")
    if not statement.strip():
        raise FieldError("question", "empty")
    gold = _gold(row, where, warn)
    io = _io_dict(row.get("input_output"), "input_output")
    io_mode = _io_mode(row, io)
    fn_name = io.get("fn_name") or row.get("fn_name")
    if io_mode == "function" and not (isinstance(fn_name, str) and fn_name.strip()):
        raise FieldError("input_output.fn_name", "a function problem needs the function's name")
    tests = _tests(io, "input_output", problem_id, io_mode, "public")
    reward = row.get("reward")
    if isinstance(reward, dict) and isinstance(reward.get("ground_truth"), dict | str):
        truth = _io_dict(reward["ground_truth"], "reward.ground_truth")
        more = _tests(_io_dict(truth.get("input_output"), "reward.ground_truth.input_output"),
                      "reward.ground_truth.input_output", problem_id, io_mode, "generated")
        seen = {t.input for t in tests}
        for test in more:  # the reward tests usually repeat the public ones
            if test.input not in seen:
                seen.add(test.input)
                tests.append(test)
    starter = row.get("starter_code")
    return Problem(
        id=problem_id,
        statement=statement,
        time_limit_s=_limit(row, ("time-limit", "time_limit"), fields.parse_seconds, fields.DEFAULT_TIME_LIMIT_S,
                            "s", where, warn),
        memory_limit_mb=_limit(row, ("memory-limit", "memory_limit"), fields.parse_megabytes,
                               fields.DEFAULT_MEMORY_LIMIT_MB, "MB", where, warn),
        io_mode=io_mode,
        fn_name=fn_name if io_mode == "function" else None,
        starter_code=starter if isinstance(starter, str) and starter.strip() else None,
        gold=gold,
        incorrect=_incorrect(row, problem_id, where, warn),
        public_tests=tests,
        checker=_checker(row),
        generators=_generators(row),
        source=NAME,
    )


# -- export ------------------------------------------------------------------------------------

def _io(problem: Problem, tests: list[TestCase]) -> dict:
    """{"inputs", "outputs"} as text; for function problems each value is the JSON text of the
    argument list / return value, with "fn_name" and "json_text": true (so that every row has
    lists of strings, which columnar readers such as pyarrow and polars need)."""
    io: dict = {"inputs": [t.input for t in tests], "outputs": [t.output for t in tests]}
    if problem.io_mode == "function":
        io["fn_name"] = problem.fn_name
        io["json_text"] = True
    return io


def record(item: ExportItem, options: ExportOptions) -> dict:
    problem = item.problem
    row = {
        "custom_id": problem.id,
        "question": problem.statement,
        "solutions": [p.code for p in problem.gold],
        "input_generator": problem.generators[0].code if problem.generators else None,
        "checker": problem.checker.code if problem.checker else None,
        "type": problem.io_mode,
        "input_output": _io(problem, [t for t in item.tests if t.kind == "public"]),
        "time-limit": problem.time_limit_s,
        "memory-limit": problem.memory_limit_mb,
        "incorrect_solutions": [{"code": p.program.code, "verdict": p.expected_verdict} for p in problem.incorrect],
        "reward": {"ground_truth": {"input_output": _io(problem, item.tests)}},
    }
    if problem.starter_code:
        row["starter_code"] = problem.starter_code
    return row


def export(rows: Iterable[tuple[Problem, list[TestCase]]], out_path: Path, options: ExportOptions) -> dict:
    return write_dataset(rows, out_path, options, format_name=NAME, record=record, schema=None, suffix=".jsonl")
