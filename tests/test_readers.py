"""Readers for the datasets RL users hold, each on its sample in datasets/ (written for this
project in the dataset's published schema): Klear-CodeTest as published, TACO / APPS,
LiveCodeBench, DeepCoder / PrimeIntellect, CodeContests' published parquet layout."""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from pathlib import Path

import pyarrow.json as pajson
import pytest

from klear_ct.formats import RowError, RowWarning, detect_format, export, klear_checker, read_problems
from klear_ct.model import Problem, Program
from klear_ct.pipeline.batch import validate_batch
from klear_ct.store import RunStore

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
KLEAR = DATASETS / "klear_sample" / "problems.jsonl"
# the keys of every row of Klear-CodeTest's published output files: data/sample_with_generated_testcases.jsonl
# and (with `checker`) data/spj_sample_with_special_testcases.jsonl
KLEAR_OUTPUT_KEYS = {"custom_id", "question", "starter_code", "solutions", "input_generator", "type", "error_info",
                     "input_output", "reward", "time-limit", "memory-limit"}


def read_all(path, fmt="auto"):
    warnings: list[RowWarning] = []
    items = list(read_problems(path, fmt, warn=warnings.append))
    problems = {p.id: p for p in items if isinstance(p, Problem)}
    errors = [e for e in items if isinstance(e, RowError)]
    return problems, errors, warnings


# -- Klear-CodeTest as published ------------------------------------------------------------------

def test_klear_published_rows_read():
    problems, errors, warnings = read_all(KLEAR)
    assert detect_format(KLEAR) == "klear" and errors == [] and warnings == []
    split, digits = problems["klear-sum-split"], problems["klear-digit-sum"]
    # input_output "" is no public tests; limits as strings and as floats
    assert split.public_tests == [] and digits.public_tests == []
    assert (split.time_limit_s, split.memory_limit_mb, digits.time_limit_s, digits.memory_limit_mb) == (2.0, 256, 1.0, 256)
    assert [g.lang for g in split.gold] == ["python3", "cpp17", "python3"] and len(split.generators) == 1
    # the last of the listed checkers, rewritten to read the three files as Klear's pipeline does
    row = json.loads(KLEAR.read_text().splitlines()[0])
    assert split.checker.lang == "python3" and digits.checker is None
    assert split.checker.code.startswith(row["checker"][1][:row["checker"][1].index("def main(")].rstrip())
    assert "and False" not in split.checker.code and "sys.argv[1]\n" not in split.checker.code
    assert json.loads(split.source_row) == row


def test_klear_checker_protocol_rewrites_main_only():
    klear = Program(lang="python3", code="import sys\n\ndef is_valid_output(i, o, r):\n    return o.strip() == 'ok'\n\n"
                                         "def main():\n    print(is_valid_output(*sys.argv[1:4]))\n\nmain()\n")
    adapted = klear_checker.adapt(klear)
    assert adapted.code.startswith("import sys\n\ndef is_valid_output(i, o, r):\n    return o.strip() == 'ok'\n")
    assert "main()\n\nmain()" not in adapted.code and adapted.code.count("def main(") == 0
    testlib = Program(lang="cpp17", code='#include "testlib.h"\nint main(int c, char** v) { registerTestlibCmd(c, v); }\n')
    plain = Program(lang="python3", code="import sys\nsys.exit(0)\n")
    assert klear_checker.adapt(testlib) == testlib and klear_checker.adapt(plain) == plain


def test_klear_bad_checker_list_is_a_bad_row(tmp_path):
    row = json.loads(KLEAR.read_text().splitlines()[0])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**row, "checker": [row["checker"][0], 42]}) + "\n")
    _, errors, _ = read_all(bad)
    assert [(e.path, e.line, e.field) for e in errors] == [(str(bad), 1, "checker[1]")]


def _one_line(folder: Path, line: str) -> Path:
    path = folder / "one.jsonl"
    path.write_text(line + "\n")
    return path


@pytest.mark.docker
def test_klear_published_rows_validate_and_export_in_klears_shape(docker_sandbox, tmp_path):
    rows = [json.loads(line) for line in KLEAR.read_text().splitlines()]
    # a third row: the two checkers the other way round, so that the draft (rejecting all) is the last
    swapped = {**rows[0], "custom_id": "klear-sum-split-draft-last", "checker": rows[0]["checker"][::-1]}
    problems = tmp_path / "problems.jsonl"
    problems.write_text("".join(json.dumps(r) + "\n" for r in [*rows, swapped]))
    store = RunStore(tmp_path / "run")
    summary = validate_batch(read_problems(problems), store, docker_sandbox)
    done = store.done()
    assert {pid: d["outcome"] for pid, d in done.items()} == {
        "klear-sum-split": "ok", "klear-digit-sum": "ok", "klear-sum-split-draft-last": "failed"}
    assert done["klear-sum-split-draft-last"]["cause"] == "no_consistent_tests" and summary.failed == 1
    tests = {p.id: t for p, t in store.problems_with_tests()}
    split_tests = tests["klear-sum-split"]
    # all three golds agree under the checker, though they print different splits: the tests keep the first's
    assert len(split_tests) == 10 and {t.gold_agree for t in split_tests} == {3}
    assert all(t.output.split() == ["1", str(int(t.input) - 1)] for t in split_tests)

    out = tmp_path / "klear.jsonl"
    exported = export(store.problems_with_tests(), "klear", out)
    assert exported["problems"] == 2 and exported["skipped"] == {"no_tests": 1}
    lines = {json.loads(line)["custom_id"]: line for line in out.read_text().splitlines()}
    by_line = {pid: json.loads(line) for pid, line in lines.items()}
    for source in rows:
        record = by_line[source["custom_id"]]
        expected_keys = KLEAR_OUTPUT_KEYS | ({"checker"} if "checker" in source else set())
        assert set(record) == expected_keys
        assert {k: record[k] for k in source if k != "fn_name"} == {k: v for k, v in source.items() if k != "fn_name"}
        assert record["error_info"] is None and set(record["reward"]) == {"ground_truth"}
        truth = record["reward"]["ground_truth"]
        assert set(truth) == {"input_output", "type", "fn_name"} and (truth["type"], truth["fn_name"]) == ("stdin", None)
        pairs = [(t.input, t.output) for t in tests[source["custom_id"]]]
        assert [(p["input"], p["output"]) for p in truth["input_output"]] == pairs
        assert all(set(p) == {"input", "output"} for p in truth["input_output"])
        # pyarrow reads each row the same (the file as a whole mixes the sources' types of time-limit)
        assert pajson.read_json(_one_line(tmp_path, lines[source["custom_id"]])).to_pylist() == [record]
    # Klear's output is Klear input again: the reader takes its tests back
    back, errors, _ = read_all(out)
    assert errors == [] and {t.input for t in back["klear-sum-split"].public_tests} == {t.input for t in split_tests}


def io_of(problem: Problem) -> list[tuple[str, str, str]]:
    return [(t.input, t.output, t.kind) for t in problem.public_tests]


def note_fields(warnings: list[RowWarning]) -> list[tuple[str, int, str | None]]:
    return [(Path(w.path).name, w.line, w.field) for w in warnings]


# -- TACO / APPS ----------------------------------------------------------------------------------

def test_taco_and_apps_sample():
    folder = DATASETS / "taco_sample"
    assert detect_format(folder) == detect_format(folder / "apps.jsonl") == detect_format(folder / "taco.parquet") \
        == "taco"
    problems, errors, warnings = read_all(folder)
    assert list(problems) == ["4000", "4001", "taco-0", "taco-1", "taco-2"]  # APPS's ids; TACO's rows by position
    assert [(Path(e.path).name, e.unit, e.line, e.field) for e in errors] == [
        ("apps.jsonl", "line", 3, "solutions"), ("taco.parquet", "row", 4, "input_output")]
    assert "3 inputs but 2 outputs" in str(errors[1])

    product = problems["taco-0"]  # golds in Python, C++ and Java; a test written as a list of lines
    assert [g.lang for g in product.gold] == ["python3", "cpp17", "java17"] and product.incorrect == []
    assert (product.io_mode, product.time_limit_s, product.memory_limit_mb) == ("stdin", 1.0, 256)
    assert io_of(product) == [("2 3\n", "6\n", "private"), ("7\n6\n", "42\n", "private")]
    digits = problems["taco-1"]  # LeetCode style; TACO's one-element result lists unwrapped
    assert (digits.io_mode, digits.fn_name, digits.time_limit_s, digits.memory_limit_mb) == (
        "function", "addDigits", 2.0, 256)
    assert digits.starter_code.startswith("class Solution:\n    def addDigits(self, num: int)")
    assert [(json.loads(i), json.loads(o)) for i, o, _ in io_of(digits)] == [([38], 2), ([0], 0), ([99999], 9)]
    mean = problems["taco-2"]  # a top-level function, a float result, a list argument
    assert mean.fn_name == "mean" and [(json.loads(i), json.loads(o)) for i, o, _ in io_of(mean)] == [
        ([[1, 2]], 1.5), ([[3, 4, 8]], 5.0)]
    squares = problems["4001"]  # not every result is a one-element list: kept as given
    assert [(json.loads(i), json.loads(o)) for i, o, _ in io_of(squares)] == [([3], [1, 4, 9]), ([0], [])]
    assert problems["4000"].io_mode == "stdin" and len(problems["4000"].gold) == 2
    assert note_fields(warnings) == [
        ("apps.jsonl", 1, "time_limit"), ("apps.jsonl", 1, "memory_limit"),
        ("apps.jsonl", 2, "time_limit"), ("apps.jsonl", 2, "memory_limit"),
        ("taco.parquet", 2, "time_limit"), ("taco.parquet", 2, "memory_limit"),
        ("taco.parquet", 3, "time_limit"), ("taco.parquet", 3, "memory_limit")]


# -- LiveCodeBench --------------------------------------------------------------------------------

class Hostile:
    """Unpickled by a plain pickle.loads, this writes `marker`: what the reader must never do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "the pickle ran"))


def test_livecodebench_sample_and_a_hostile_pickle(tmp_path):
    sample = DATASETS / "livecodebench_sample" / "test.jsonl"
    marker = tmp_path / "pickle-ran"
    hostile = json.loads(sample.read_text().splitlines()[0]) | {
        "question_id": "hostile",
        "private_test_cases": base64.b64encode(zlib.compress(pickle.dumps(Hostile(marker)))).decode()}
    not_a_string = hostile | {"question_id": "a-dict",
                              "private_test_cases": base64.b64encode(zlib.compress(pickle.dumps({"a": 1}))).decode()}
    rows = tmp_path / "lcb.jsonl"
    rows.write_text(sample.read_text() + json.dumps(hostile) + "\n" + json.dumps(not_a_string) + "\n")
    assert detect_format(rows) == "livecodebench"
    problems, errors, warnings = read_all(rows)
    assert not marker.exists()  # nothing of the pickle ran
    assert [(e.line, e.field) for e in errors] == [(4, "private_test_cases"), (5, "private_test_cases"),
                                                   (6, "private_test_cases")]
    assert "neither JSON nor base64" in errors[0].message and "refused" in errors[1].message
    assert "pathlib" in errors[1].message and "holds a dict" in errors[2].message
    assert list(problems) == ["kc001", "3999", "kc002"]
    pickle.loads(zlib.decompress(base64.b64decode(hostile["private_test_cases"])))  # noqa: S301 - the proof
    assert marker.read_text() == "the pickle ran"  # the payload is live: a plain unpickler runs it

    doubling = problems["kc001"]  # compressed private tests; no golds, no limits in LiveCodeBench
    assert (doubling.io_mode, doubling.gold, doubling.time_limit_s, doubling.memory_limit_mb) == ("stdin", [], 2.0, 256)
    assert io_of(doubling) == [("3\n", "6\n", "public"), ("0\n", "0\n", "private"), ("-7\n", "-14\n", "private")]
    pairs = problems["3999"]  # functional: one JSON argument per line becomes the argument list
    assert (pairs.io_mode, pairs.fn_name) == ("function", "countPairs")
    assert pairs.starter_code.startswith("class Solution:\n    def countPairs(")
    assert [(json.loads(i), json.loads(o), k) for i, o, k in io_of(pairs)] == [
        ([[1, 2, 3, 4], 5], 2, "public"), ([[1, 1, 1], 2], 3, "private"), ([[], 0], 0, "private")]
    echo = problems["kc002"]  # private tests as plain JSON text, and golds where a derived dataset adds them
    assert io_of(echo)[1] == ("x y\n", "x y\n", "private") and [g.lang for g in echo.gold] == ["python3"]
    assert note_fields(warnings) == [("lcb.jsonl", 1, "solutions"), ("lcb.jsonl", 1, None),
                                     ("lcb.jsonl", 2, "solutions"), ("lcb.jsonl", 2, None), ("lcb.jsonl", 3, None)]


# -- DeepCoder / PrimeIntellect -------------------------------------------------------------------

def test_deepcoder_sample():
    sample = DATASETS / "deepcoder_sample" / "train.parquet"
    assert detect_format(sample) == "deepcoder"
    problems, errors, warnings = read_all(sample)
    assert list(problems) == ["train-0", "train-1", "train-2", "train-3"]
    assert [(e.unit, e.line, e.field) for e in errors] == [("row", 5, "tests")]
    squares = problems["train-0"]  # primeintellect stdin_stdout; limits from metadata
    assert (squares.io_mode, squares.time_limit_s, squares.memory_limit_mb) == ("stdin", 1.0, 64)
    assert [g.lang for g in squares.gold] == ["python3"] and squares.incorrect == []
    assert io_of(squares) == [("3\n", "9\n", "private"), ("-4\n", "16\n", "private")]
    longer = problems["train-1"]  # primeintellect function_call
    assert (longer.io_mode, longer.fn_name) == ("function", "longer")
    assert [(json.loads(i), json.loads(o)) for i, o, _ in io_of(longer)] == [(["abc", "de"], "abc"), (["", "x"], "x")]
    has_pair = problems["train-2"]  # lcbv5 functional, func_name in metadata, no golds
    assert (has_pair.io_mode, has_pair.fn_name, has_pair.gold) == ("function", "hasPair", [])
    assert [(json.loads(i), json.loads(o)) for i, o, _ in io_of(has_pair)] == [([[1, 2, 4], 6], True), ([[3], 6], False)]
    vowels = problems["train-3"]  # TACO-shaped tests
    assert [g.lang for g in vowels.gold] == ["cpp17"] and io_of(vowels)[0] == ("banana\n", "3\n", "private")
    assert ("train.parquet", 3, "solutions") in note_fields(warnings)
    assert ("train.parquet", 1, "metadata.time_limit") not in note_fields(warnings)


# -- CodeContests, published parquet --------------------------------------------------------------

def test_codecontests_published_parquet_sample():
    sample = DATASETS / "codecontests_sample" / "train.parquet"
    assert detect_format(sample) == "codecontests"
    problems, errors, warnings = read_all(sample)
    assert list(problems) == ["1548_A. Max Of Two", "1549_B. Count Ones"]
    assert [(e.line, e.field) for e in errors] == [(3, "solutions")] and "2 languages but 1 solutions" in str(errors[0])
    top = problems["1548_A. Max Of Two"]
    assert [g.lang for g in top.gold] == ["python3", "cpp17", "java17"]  # PYTHON (Python 2) left out
    assert [(i.id, i.program.lang) for i in top.incorrect] == [
        ("1548_A. Max Of Two/incorrect-0", "python3"), ("1548_A. Max Of Two/incorrect-1", "cpp17"),
        ("1548_A. Max Of Two/incorrect-2", "java17")]
    assert io_of(top) == [("1 2\n", "2\n", "public"), ("5 -3\n", "5\n", "private"), ("7 7\n", "7\n", "private"),
                          ("-1 -2\n", "-1\n", "generated")]
    assert (top.time_limit_s, top.memory_limit_mb) == (2.0, 256)  # 256000000 bytes: the judge's 256 MB
    ones = problems["1549_B. Count Ones"]
    assert [g.lang for g in ones.gold] == ["python3"] and (ones.time_limit_s, ones.memory_limit_mb) == (1.5, 256)
    assert note_fields(warnings) == [("train.parquet", 1, "solutions"), ("train.parquet", 2, "memory_limit_bytes")]
    assert "python2" in str(warnings[0]) and "java17" not in str(warnings[0])


@pytest.mark.docker
def test_codecontests_java_gold_and_incorrect_are_evaluated(docker_sandbox):
    from klear_ct.evaluate import evaluate_problem
    from klear_ct.evaluate.suites import load_suites

    problems, _, _ = read_all(DATASETS / "codecontests_sample" / "train.parquet")
    top = problems["1548_A. Max Of Two"]  # its Java gold and Java incorrect solution alone
    java = top.model_copy(update={"gold": [g for g in top.gold if g.lang == "java17"],
                                  "incorrect": [i for i in top.incorrect if i.program.lang == "java17"]})
    outcome = evaluate_problem(java, load_suites([("original", "problem")], [java]), docker_sandbox)
    assert outcome.outcome == "ok", outcome.cause
    judged = {s.solution_id: (s.verdict, s.passed) for s in outcome.results[0].solutions}
    assert judged == {f"{top.id}/gold-0": ("OK", True), f"{top.id}/incorrect-2": ("WA", False)}  # it prints the min
