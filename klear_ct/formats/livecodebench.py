"""LiveCodeBench code-generation rows (jsonl or parquet, `code_generation_lite` as published): reader.

    question_id          the problem id (LeetCode's number, AtCoder's `abc301_a`, ...)
    question_title       ignored
    question_content     the statement
    starter_code         the LeetCode class and method to complete; "" for stdin problems
    public_test_cases    JSON string: [{"input", "output", "testtype": "stdin" | "functional"}]
                         -> tests of kind "public"
    private_test_cases   the same list, as JSON text or as base64 of zlib of a pickle holding that
                         JSON text (LiveCodeBench's compressed form) -> kind "private"
    metadata             JSON string: {"func_name"?: str}
    solutions            optional list of code strings (LiveCodeBench has none: validate then
                         fails the problem as no_runnable_gold; a warning says so)

A "functional" test is a LeetCode call: `input` holds one JSON value per line (the arguments),
`output` the JSON of the result; the problem reads as a function problem named by
metadata.func_name. LiveCodeBench gives no limits: 2 s and 256 MB (with a warning).

Unpickling runs whatever the pickle names, so the private tests are unpickled by an unpickler
that resolves no global and no persistent id at all: it rebuilds plain values only, and anything
but a string is refused. A pickle that tries more is a bad row naming `private_test_cases`; no
code of it runs. Decompression is capped at MAX_PRIVATE_BYTES.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import pickle
import zlib

from klear_ct.formats import fields
from klear_ct.formats.errors import FieldError, Warn
from klear_ct.formats.rows import Where
from klear_ct.model import Problem, TestCase

NAME = "livecodebench"
MAX_PRIVATE_BYTES = 1 << 30
STDIN, FUNCTIONAL = "stdin", "functional"


def sniff(keys: set[str]) -> bool:
    return {"question_content", "public_test_cases"} <= keys


class _PlainValues(pickle.Unpickler):
    """Rebuilds strings, numbers, lists and dicts; refuses every global and persistent id."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refused: the pickle asks for {module}.{name}")

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("refused: the pickle asks for a persistent id")


def decode_private(value, field: str = "private_test_cases"):
    """The private tests' JSON value: from JSON text, or from base64(zlib(pickle(JSON text)))."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text[0] in "[{":
        return fields.json_value(text, field)
    try:
        packed = base64.b64decode(text, validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, MAX_PRIVATE_BYTES)
        if inflater.unconsumed_tail:
            raise FieldError(field, f"more than {MAX_PRIVATE_BYTES} bytes once decompressed")
        if not inflater.eof:
            raise FieldError(field, "truncated zlib data")
        unpickled = _PlainValues(io.BytesIO(data)).load()
    except FieldError:
        raise
    except (binascii.Error, ValueError) as e:
        raise FieldError(field, f"neither JSON nor base64: {e}") from None
    except zlib.error as e:
        raise FieldError(field, f"not zlib data: {e}") from None
    except Exception as e:  # noqa: BLE001 - a broken or hostile pickle fails in many ways
        raise FieldError(field, f"not a pickled string: {type(e).__name__}: {e}") from None
    if not isinstance(unpickled, str):
        raise FieldError(field, f"the pickle holds a {type(unpickled).__name__}, not the JSON text of the tests")
    return fields.json_value(unpickled, field)


def case_tests(cases, field: str, problem_id: str, kind: str, type_key: str = "testtype"
               ) -> tuple[str | None, list[TestCase]]:
    """(test type, tests) of a list of {"input", "output", testtype}: "stdin" or "functional"
    (None for an empty list). Functional inputs are JSON values one per line, made an argument list."""
    if not isinstance(cases, list):
        raise FieldError(field, f"expected a list of tests, got {type(cases).__name__}")
    types, tests = set(), []
    for k, case in enumerate(cases):
        where = f"{field}[{k}]"
        if not isinstance(case, dict) or not isinstance(case.get("input"), str) \
                or not isinstance(case.get("output"), str):
            raise FieldError(where, "expected {\"input\": text, \"output\": text, \"testtype\"}")
        testtype = FUNCTIONAL if case.get(type_key) in (FUNCTIONAL, "function_call") else STDIN
        types.add(testtype)
        if testtype == FUNCTIONAL:
            try:
                arguments = [json.loads(line) for line in case["input"].split("\n") if line.strip()]
                result = json.loads(case["output"])
            except ValueError as e:
                raise FieldError(where, f"a functional test's input and output must be JSON: {e}") from None
            given, expected = fields.json_text(arguments), fields.json_text(result)
        else:
            given, expected = case["input"], case["output"]
        tests.append(TestCase(problem_id=problem_id, input=given, output=expected, kind=kind))
    if len(types) > 1:
        raise FieldError(field, "stdin and functional tests mixed in one problem")
    return next(iter(types), None), tests


def parse_row(row: dict, where: Where, warn: Warn) -> Problem:
    problem_id = fields.row_id(row, ("question_id", "id"), where)
    statement = row.get("question_content")
    if not isinstance(statement, str) or not statement.strip():
        raise FieldError("question_content", "missing" if statement is None else "expected a non-empty string")
    metadata = fields.loaded(row.get("metadata"), "metadata") or {}
    if not isinstance(metadata, dict):
        raise FieldError("metadata", f"expected an object, got {type(metadata).__name__}")
    public_type, public = case_tests(fields.loaded(row.get("public_test_cases"), "public_test_cases") or [],
                                     "public_test_cases", problem_id, "public")
    private_type, private = case_tests(decode_private(row.get("private_test_cases")), "private_test_cases",
                                       problem_id, "private")
    if public_type and private_type and public_type != private_type:
        raise FieldError("private_test_cases", f"{private_type} tests in a problem whose public tests are {public_type}")
    fn_name = metadata.get("func_name")
    function = FUNCTIONAL in (public_type, private_type) or (not (public_type or private_type) and bool(fn_name))
    if function and not (isinstance(fn_name, str) and fn_name.strip()):
        raise FieldError("metadata.func_name", "a functional problem needs the function's name")
    gold = []
    if row.get("solutions") is not None:
        gold = fields.gold_programs(row["solutions"], "solutions", where, warn)
    else:
        warn(where.warning("solutions", "no gold solutions (LiveCodeBench has none): validate needs some"))
    warn(where.warning(None, f"LiveCodeBench gives no limits; using the defaults {fields.DEFAULT_TIME_LIMIT_S} s "
                             f"and {fields.DEFAULT_MEMORY_LIMIT_MB} MB"))
    return Problem(
        id=problem_id,
        statement=statement,
        io_mode="function" if function else "stdin",
        fn_name=fn_name.strip() if function else None,
        starter_code=fields.optional_text(row.get("starter_code"), "starter_code"),
        gold=gold,
        public_tests=public + private,
        source=NAME,
    )
