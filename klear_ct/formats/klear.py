"""Klear-CodeTest jsonl: reader and exporter.

A row:

    custom_id          problem id (string or integer)
    question           the statement
    solutions          gold programs: a list of code strings (or a JSON string of that list);
                       the language of each is detected (klear_ct.formats.languages)
    input_generator    Python code printing one list literal of input strings, or a list of such
                       programs (optional, may be null)
    checker            special judge code, or a list of programs of which the last is used, as
                       Klear's pipeline does (optional, may be null); language detected. A Python
                       checker defining Klear's `is_valid_output(input, output, reference)` is run
                       the way Klear's pipeline runs it (klear_ct.formats.klear_checker); any other
                       is a klearct checker (`checker input output answer`, exit 0 accepts)
    type               "stdin" (default) or "function_call"/"function"/"call" (function problems
                       need fn_name: in input_output or as the row's own `fn_name`)
    input_output       {"inputs": [...], "outputs": [...], "fn_name"?: str}, or its JSON string,
                       or "" (Klear's published rows: no public tests)
    time-limit         seconds: 2, 2.0, "2", "2 s", "1500 ms"  (missing: 2.0, with a warning)
    memory-limit       MB: 256, "256", "256 MB", "1 GB"        (missing: 256, with a warning)
    reward             optional: {"ground_truth": {"input_output": [{"input", "output"}, ...], "type",
                       "fn_name"}} (Klear's output; older klearct exports: {"inputs", "outputs"}):
                       more tests, read as kind "generated"
    incorrect_solutions  klearct extension: a list of code strings or of
                       {"code", "verdict"?: "WA"|"TLE"|"RE"|"MLE", "note"?}
    starter_code       optional ("" is none)
    comparison         klearct extension: how outputs are compared without a checker, a name of
                       klear_ct.judge.compare.get_comparison ("json:1e-6": JSON results within a
                       float tolerance); default "lines", "json" for function problems

In function problems a test's input is the call's argument list and its output the return
value, as JSON values (results in one-element lists, as TACO writes them, are unwrapped when
every result of the row is so: klear_ct.formats.fields.unwrapped_results); or, when the dict has "json_text": true, or in a reward list item whose
input is a string, as strings holding their JSON text. TestCase.input/output hold the JSON text.

The exporter writes Klear's output shape: a row read from Klear keeps all its fields (the row is
kept in Problem.source_row) except a row-level `fn_name`, and gets `error_info` null and
`reward.ground_truth` = {"input_output": [{"input", "output"}, ...] (every exported test; JSON
text in function problems), "type": "stdin" | "function_call", "fn_name"}: the keys of Klear's
published output files. A problem from elsewhere gets Klear's input fields built from it
(custom_id, question, starter_code, solutions, input_generator and checker as lists, type,
input_output as TACO's JSON string or "", time-limit, memory-limit, incorrect_solutions).

Gold solutions in a language the sandbox does not run (Python 2, Rust, ...) are left out
with a warning; a row with none left is an error, as is a gold whose language cannot be
detected. Incorrect solutions in an unknown or unsupported language are left out with a
warning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from klear_ct.errors import UsageError
from klear_ct.formats import fields, klear_checker
from klear_ct.formats.errors import FieldError, Warn
from klear_ct.formats.exporting import ExportItem, ExportOptions, is_json, write_dataset
from klear_ct.formats.languages import detect_language, supported
from klear_ct.formats.rows import Where
from klear_ct.judge.compare import get_comparison
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
    if value is None or (isinstance(value, str) and not value.strip()):  # Klear's "": no tests yet
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
    if io_mode == "function" and not json_text:  # TACO's input_output, as Klear's rows carry it
        outputs = fields.unwrapped_results(outputs)
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
    return fields.gold_programs(_required(row, "solutions"), "solutions", where, warn)


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
    value, field = row.get("checker"), "checker"
    if isinstance(value, list):  # Klear's pipeline judges with the last one
        if not value:
            return None
        value, field = value[-1], f"checker[{len(value) - 1}]"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    program = fields.detected_program(fields.code_string(value, field), field)
    if not supported(program.lang):
        raise FieldError(field, f"checker in {program.lang}, which the sandbox does not run")
    return klear_checker.adapt(program)


def _listed_tests(value: list, field: str, problem_id: str, io_mode: str) -> list[TestCase]:
    """Klear's output: [{"input", "output"}, ...]."""
    tests = []
    for k, item in enumerate(value):
        if not isinstance(item, dict) or "input" not in item or "output" not in item:
            raise FieldError(f"{field}[{k}]", "expected {\"input\", \"output\"}")
        given, expected = item["input"], item["output"]
        if io_mode == "function":
            if isinstance(given, str):  # JSON text, as the exporter writes it
                if not (is_json(given) and isinstance(expected, str) and is_json(expected)):
                    raise FieldError(f"{field}[{k}]", "a function test's input and output must be JSON text")
            else:
                given, expected = json.dumps(given), json.dumps(expected)
        elif not isinstance(given, str) or not isinstance(expected, str):
            raise FieldError(f"{field}[{k}]", "stdin tests need string inputs and outputs")
        tests.append(TestCase(problem_id=problem_id, input=given, output=expected, kind="generated"))
    return tests


def _reward_fn_name(row: dict):
    reward = row.get("reward")
    truth = reward.get("ground_truth") if isinstance(reward, dict) else None
    return truth.get("fn_name") if isinstance(truth, dict) else None


def _reward_tests(row: dict, problem_id: str, io_mode: str) -> list[TestCase]:
    reward = row.get("reward")
    if not isinstance(reward, dict) or not isinstance(reward.get("ground_truth"), dict | str):
        return []
    truth = _io_dict(reward["ground_truth"], "reward.ground_truth")
    field = "reward.ground_truth.input_output"
    value = fields.json_value(truth.get("input_output"), field) if truth.get("input_output") != "" else None
    if isinstance(value, list):
        return _listed_tests(value, field, problem_id, io_mode)
    return _tests(_io_dict(value, field), field, problem_id, io_mode, "generated")


def _comparison(row: dict) -> str | None:
    value = row.get("comparison")
    if value is None:
        return None
    try:
        get_comparison(value if isinstance(value, str) else "")
    except UsageError as e:
        raise FieldError("comparison", str(e)) from None
    return value


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
    fn_name = io.get("fn_name") or row.get("fn_name") or _reward_fn_name(row)
    if io_mode == "function" and not (isinstance(fn_name, str) and fn_name.strip()):
        raise FieldError("input_output.fn_name", "a function problem needs the function's name")
    tests = _tests(io, "input_output", problem_id, io_mode, "public")
    seen = {t.input for t in tests}
    for test in _reward_tests(row, problem_id, io_mode):  # the reward tests usually repeat the public ones
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
        comparison=_comparison(row),
        checker=_checker(row),
        generators=_generators(row),
        source=NAME,
        # what the exporter writes back; the tests it replaces are not kept twice
        source_row=json.dumps({k: v for k, v in row.items() if k not in ("reward", "error_info")},
                              ensure_ascii=False),
    )


# -- export ------------------------------------------------------------------------------------

def _klear_type(problem: Problem) -> str:
    return "function_call" if problem.io_mode == "function" else "stdin"


def _public_io(problem: Problem, tests: list[TestCase]) -> str:
    """Klear's `input_output` (TACO's JSON string of the public tests), or "" when there are none."""
    if not tests:
        return ""
    if problem.io_mode == "function":
        io: dict = {"inputs": [json.loads(t.input) for t in tests], "outputs": [json.loads(t.output) for t in tests],
                    "fn_name": problem.fn_name}
    else:
        io = {"inputs": [t.input for t in tests], "outputs": [t.output for t in tests]}
    return json.dumps(io, ensure_ascii=False)


def input_row(problem: Problem) -> dict:
    """The Klear input row of a problem: the one it was read from, or one built from it."""
    if problem.source_row is not None:
        return json.loads(problem.source_row)
    row = {
        "custom_id": problem.id,
        "question": problem.statement,
        "starter_code": problem.starter_code or "",
        "solutions": [p.code for p in problem.gold],
        "input_generator": [p.code for p in problem.generators],
        "type": _klear_type(problem),
        "input_output": _public_io(problem, [t for t in problem.public_tests if t.kind == "public"]),
        "time-limit": problem.time_limit_s,
        "memory-limit": problem.memory_limit_mb,
    }
    if problem.checker:
        row["checker"] = [problem.checker.code]
    if problem.incorrect:
        row["incorrect_solutions"] = [{"code": p.program.code, "verdict": p.expected_verdict}
                                      for p in problem.incorrect]
    return row


def record(item: ExportItem, options: ExportOptions) -> dict:
    problem = item.problem
    function = problem.io_mode == "function"  # inputs and outputs stay JSON text: one type per column
    row = input_row(problem)
    row.pop("fn_name", None)  # Klear's output names the function in reward.ground_truth only
    row["error_info"] = None
    row["reward"] = {"ground_truth": {
        "input_output": [{"input": t.input, "output": t.output} for t in item.tests],
        "type": _klear_type(problem),
        "fn_name": problem.fn_name if function else None,
    }}
    return row


def export(rows: Iterable[tuple[Problem, list[TestCase]]], out_path: Path, options: ExportOptions) -> dict:
    return write_dataset(rows, out_path, options, format_name=NAME, record=record, schema=None, suffix=".jsonl")
