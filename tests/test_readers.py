"""Readers for the datasets RL users hold, each on its sample in datasets/ (written for this
project in the dataset's published schema): Klear-CodeTest as published, TACO / APPS,
LiveCodeBench, DeepCoder / PrimeIntellect, CodeContests' published parquet layout."""

from __future__ import annotations

import json
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
    assert len(split_tests) == 10 and {t.gold_agree for t in split_tests} == {3}  # golds differ; the checker agrees
    # kept with the first gold's answers, which the other golds' (n-1 1, n/2 n/2) differ from textually
    assert all(t.output.split() == ["1", str(int(t.input) - 1)] for t in split_tests)

    out = tmp_path / "klear.jsonl"
    exported = export(store.problems_with_tests(), "klear", out)
    assert exported["problems"] == 2 and exported["skipped"] == {"no_tests": 1}
    by_line = {r["custom_id"]: r for r in map(json.loads, out.read_text().splitlines())}
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
        assert pajson.read_json(_one_line(tmp_path, out.read_text().splitlines()[list(by_line).index(
            source["custom_id"])])).to_pylist() == [record]  # pyarrow reads each row the same
    # Klear's output is Klear input again: the reader takes its tests back
    back, errors, _ = read_all(out)
    assert errors == [] and {t.input for t in back["klear-sum-split"].public_tests} == {t.input for t in split_tests}
