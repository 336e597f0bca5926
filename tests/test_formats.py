"""Dataset formats: readers (Klear jsonl, CodeContests jsonl/parquet, klearct parquet), language
detection, and every exporter read back with both pyarrow and polars. Fast; no sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

from klear_ct import formats
from klear_ct.formats import RowError, RowWarning, detect_format, export, read_problems, read_with_tests
from klear_ct.formats.errors import FieldError
from klear_ct.formats.exporting import STDIN_INSTRUCTION, split_of
from klear_ct.formats.fields import parse_megabytes, parse_seconds
from klear_ct.formats.klearct_parquet import problem_from_json
from klear_ct.formats.languages import detect_language, strip_strings_and_comments
from klear_ct.model import IncorrectProgram, Problem, Program, TestCase
from klear_ct.store import RunStore

DATA = Path(__file__).parent / "data" / "formats"
KLEAR = DATA / "klear_mixed.jsonl"
CODECONTESTS = DATA / "codecontests.jsonl"
SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample" / "problems.jsonl"

# -- language detection ------------------------------------------------------------------------

SNIPPETS = [
    ("cpp17", "#include <bits/stdc++.h>\nusing namespace std;\nint main(){int n;cin>>n;cout<<n*2<<endl;}\n"),
    ("cpp17", "#include <iostream>\nint main() {\n    long long a, b;\n    std::cin >> a >> b;\n"
              "    std::cout << a + b << '\\n';\n    return 0;\n}\n"),
    # C++ with a print function and print(...) in a comment
    ("cpp17", "#include <cstdio>\n// print(x) prints x\nvoid print(int x) { printf(\"%d\\n\", x); }\n"
              "int main() {\n  for (int i = 0; i < 3; i++) print(i);\n  return 0;\n}\n"),
    # C++ whose strings hold Python
    ("cpp17", "#include <string>\n#include <iostream>\nint main() {\n"
              "  std::string s = \"def foo():\\n    import os\\n    print(input())\";\n  std::cout << s;\n}\n"),
    ("cpp17", "#include<bits/stdc++.h>\n#define int long long\nsigned main(){\n    int t; scanf(\"%lld\", &t);\n"
              "    while(t--){ printf(\"%lld\\n\", t); }\n}\n"),
    ("cpp17", "template <typename T> T sq(T x) { return x * x; }\nint main() {\n"
              "  auto f = [&](int v) { return sq(v); };\n  return f(3) == 9 ? 0 : 1;\n}\n"),
    ("cpp17", "class Solution {\npublic:\n    int add(int a, int b) { return a + b; }\n};\n"),
    # plain C that also compiles as C++: cpp17 (the documented choice for the ambiguous case)
    ("cpp17", "#include <stdio.h>\nint main(void) {\n    int a, b;\n    scanf(\"%d %d\", &a, &b);\n"
              "    printf(\"%d\\n\", a + b);\n    return 0;\n}\n"),
    # C-style C++ that would not compile as C (bool without stdbool.h, a struct name used bare)
    ("cpp17", "#include <stdio.h>\nbool vis[100];\nstruct node { int a; };\n"
              "int main(){ node x; x.a = 1; printf(\"%d\", x.a); }\n"),
    # C that g++ rejects: c11
    ("c11", "#include <stdio.h>\n#include <stdlib.h>\nint main() {\n    int n; scanf(\"%d\", &n);\n"
            "    int *a = malloc(n * sizeof(int));\n    printf(\"%d\\n\", n);\n    free(a);\n    return 0;\n}\n"),
    ("c11", "#include <stdio.h>\nint main() {\n    int new = 0, class;\n    scanf(\"%d\", &class);\n"
            "    new = class * 2;\n    printf(\"%d\\n\", new);\n    return 0;\n}\n"),
    ("c11", "#include <stdio.h>\nmain() {\n    int x; scanf(\"%d\", &x); printf(\"%d\", x);\n}\n"),
    ("python3", "n = int(input())\nprint(n * 2)\n"),
    ("python3", "print(sum(map(int, input().split())))\n"),
    ("python3", "print(0)\n"),
    # Python with # comments (one reading like C++) and #include in a string
    ("python3", "# Read the input\n# using namespace std is C++, ignore\nimport sys\nheader = \"#include <iostream>\"\n"
                "def main():\n    data = sys.stdin.read().split()  # all tokens\n    print(len(data), header)\n\n"
                "main()\n"),
    # Python whose docstring holds C++
    ("python3", "def solve():\n    \"\"\"Port of:\n    #include <bits/stdc++.h>\n"
                "    int main() { std::cout << 1; return 0; }\n    \"\"\"\n    return 1\n\nprint(solve())\n"),
    # a C++ habit in a Python comment that looks like a directive
    ("python3", "#include <bits/stdc++.h>  -- a C++ habit\nimport sys\ninput = sys.stdin.readline\n"
                "n = int(input())\nprint(n)\n"),
    ("python3", "a=int(input());b=int(input());print(a+b);\n"),
    ("python3", "from collections import defaultdict\nd = defaultdict(int)\nfor x in map(int, input().split()):\n"
                "    if (x & 1) == 0:\n        d[x] += 1\nprint({k: v for k, v in d.items()})\n"),
    ("python3", "from typing import List\n\nclass Solution:\n"
                "    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        seen = {}\n"
                "        for i, x in enumerate(nums):\n            if target - x in seen:\n"
                "                return [seen[target - x], i]\n            seen[x] = i\n        return []\n"),
    ("python3", "#!/usr/bin/env python3\ns = input()\nprint(s[::-1], len(s) // 2)\n"),
    ("python3", "xrange = range\nfor i in xrange(3):\n    print(i)\n"),
    ("python2", "n = int(raw_input())\nprint n * 2\n"),
    ("python2", "for i in xrange(3):\n    print(i)\n"),
    ("python2", "try:\n    x = int(input())\nexcept ValueError, e:\n    x = 0\n"),
    ("java17", "import java.util.*;\npublic class Main {\n    public static void main(String[] args) {\n"
               "        Scanner sc = new Scanner(System.in);\n        System.out.println(sc.nextInt() * 2);\n    }\n}\n"),
    # Rust: `std::` must not make it C++
    ("rust", "use std::io;\nfn main() {\n    let mut s = String::new();\n"
             "    io::stdin().read_line(&mut s).unwrap();\n    println!(\"{}\", s.trim());\n}\n"),
    ("go", "package main\nimport \"fmt\"\nfunc main() {\n    var n int\n    fmt.Scan(&n)\n    fmt.Println(n)\n}\n"),
    ("javascript", "const lines = require('fs').readFileSync(0, 'utf8').split('\\n');\nconsole.log(lines[0]);\n"),
    ("csharp", "using System;\nclass P { static void Main() { Console.WriteLine(Console.ReadLine()); } }\n"),
    (None, "This is not a program, just a sentence about printing numbers.\n"),
    (None, "   \n"),
    (None, "x = 1\n"),
    ("python3", "import sys; sys.exit(4)\n"),  # short programs, as tests of exit codes use them
    ("python3", "raise SystemExit(3)\n"),
]


@pytest.mark.parametrize(("expected", "code"), SNIPPETS, ids=[f"{i}-{e}" for i, (e, _) in enumerate(SNIPPETS)])
def test_detect_language(expected, code):
    assert detect_language(code) == expected


def test_strip_keeps_directives_and_line_count():
    code = '#include <cstdio>\n# a comment\nx = "a # b"  # c\n/* one\ntwo */ y\n'
    stripped = strip_strings_and_comments(code)
    assert "#include <cstdio>" in stripped and "comment" not in stripped and "a # b" not in stripped
    assert stripped.count("\n") == code.count("\n")


# -- fields ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "seconds"), [(2, 2.0), (2.5, 2.5), ("2", 2.0), ("2.0", 2.0), ("1 second", 1.0),
                                                 ("1.5 s", 1.5), ("1500 ms", 1.5), (" 3 seconds ", 3.0)])
def test_parse_seconds(value, seconds):
    assert parse_seconds(value, "time-limit") == pytest.approx(seconds)


@pytest.mark.parametrize(("value", "mb"), [(256, 256), (256.0, 256), ("256", 256), ("256 MB", 256),
                                           ("262144 KB", 256), ("1 GB", 1024), ("64MiB", 64), (0.5, 1)])
def test_parse_megabytes(value, mb):
    assert parse_megabytes(value, "memory-limit") == mb


@pytest.mark.parametrize("value", [-1, 0, "-2", "fast", "2 parsecs", None, True, [2], float("nan"), "inf"])
def test_bad_limits(value):
    with pytest.raises(FieldError) as info:
        parse_seconds(value, "time-limit")
    assert info.value.field == "time-limit"


@pytest.mark.parametrize(("parse", "value", "bound"), [
    (parse_seconds, 2000, "60 s bound (ms?"), (parse_seconds, 1e9, "60 s bound"),
    (parse_megabytes, 1e30, "16384 MB bound (bytes?"), (parse_megabytes, "268435456", "MB bound")])
def test_limits_past_their_bounds_are_bad_fields(parse, value, bound):
    with pytest.raises(FieldError, match=re.escape(bound)) as info:
        parse(value, "limit")
    assert info.value.field == "limit"


def test_an_out_of_range_limit_is_a_bad_row_with_its_field(tmp_path):
    path = tmp_path / "problems.jsonl"
    row = json.loads(SAMPLE.read_text().splitlines()[0])
    path.write_text(json.dumps(row | {"time-limit": 2000}) + "\n" + json.dumps(row | {"custom_id": "fine"}) + "\n")
    rows = list(read_problems(path))
    assert isinstance(rows[0], RowError) and rows[0].field == "time-limit" and "60 s bound" in str(rows[0])
    assert rows[1].id == "fine"


def test_row_error_text():
    assert str(RowError("data.jsonl", 7, "solutions", "empty list")) == "data.jsonl line 7, field 'solutions': empty list"
    assert str(RowError("x.parquet", 3, None, "bad", "row")) == "x.parquet row 3: bad"
    assert str(RowError("x.parquet", None, None, "cannot read")) == "x.parquet: cannot read"


# -- Klear reader ------------------------------------------------------------------------------

def read_all(path, fmt="auto"):
    warnings: list[RowWarning] = []
    items = list(read_problems(path, fmt, warn=warnings.append))
    problems = {p.id: p for p in items if isinstance(p, Problem)}
    errors = [e for e in items if isinstance(e, RowError)]
    return problems, errors, warnings


def test_klear_reader_good_and_bad_rows():
    problems, errors, warnings = read_all(KLEAR)
    assert detect_format(KLEAR) == "klear"
    assert list(problems) == ["sum-1", "float-2", "fn-3", "mixed-langs"]
    expected_errors = {
        2: None,  # bad JSON
        3: "question",  # missing
        4: "solutions",  # empty list
        5: "solutions[1]",  # unknown language
        8: "time-limit",  # negative
        9: "memory-limit",  # not a number
        10: "solutions[1]",  # not a string
        12: "solutions",  # only Rust
        14: "custom_id",  # missing
        15: "custom_id",  # duplicate
        16: None,  # not an object
        17: "input_output.fn_name",
        18: "input_output",  # lengths differ
        19: "incorrect_solutions[0].verdict",
    }
    assert {e.line: e.field for e in errors} == expected_errors
    assert all(e.path == str(KLEAR) and e.unit == "line" for e in errors)
    by_line = {e.line: str(e) for e in errors}
    assert by_line[2].startswith(f"{KLEAR} line 2: bad JSON")
    assert by_line[4] == f"{KLEAR} line 4, field 'solutions': empty list"
    assert "unknown language" in by_line[5] and "positive" in by_line[8] and "lots" in by_line[9]
    assert "rust" in by_line[12] and "duplicate id 'sum-1'" in by_line[15]

    s = problems["sum-1"]
    assert (s.time_limit_s, s.memory_limit_mb, s.io_mode, s.source) == (1.0, 256, "stdin", "klear")
    assert [g.lang for g in s.gold] == ["cpp17", "python3"]
    assert s.generators == [Program(lang="python3", code="import random\nprint(random.randint(1, 9), "
                                                         "random.randint(1, 9))\n")]
    assert [(t.input, t.output, t.kind, t.problem_id) for t in s.public_tests] == [
        ("1 2\n", "3\n", "public", "sum-1"), ("3 4\n", "7\n", "public", "sum-1")]
    assert [(i.id, i.program.lang, i.expected_verdict) for i in s.incorrect] == [
        ("sum-1/incorrect-0", "python3", "WA"), ("sum-1/incorrect-1", "python3", None)]
    assert s.checker is None

    f = problems["float-2"]  # limits as strings, input_output as a JSON string, a checker
    assert (f.time_limit_s, f.memory_limit_mb) == (2.0, 512)
    assert f.checker is not None and f.checker.lang == "cpp17" and "registerTestlibCmd" in f.checker.code
    assert len(f.public_tests) == 2 and f.generators == []

    fn = problems["fn-3"]
    assert (fn.io_mode, fn.fn_name, fn.time_limit_s, fn.memory_limit_mb) == ("function", "add", 1.5, 256)
    assert [(json.loads(t.input), json.loads(t.output)) for t in fn.public_tests] == [([1, 2], 3), ([5, 5], 10)]

    m = problems["mixed-langs"]
    assert [g.lang for g in m.gold] == ["python3"] and (m.time_limit_s, m.memory_limit_mb) == (2.0, 256)

    # notes only for rows that were read: the default memory limit of fn-3, the Rust gold left out
    assert [(w.line, w.field) for w in warnings] == [(7, "memory-limit"), (13, "solutions")]
    assert all(isinstance(w, RowWarning) for w in warnings)


def test_klear_reader_errors_do_not_need_a_warn_callback():
    items = list(read_problems(KLEAR, "klear"))
    assert sum(isinstance(i, Problem) for i in items) == 4 and sum(isinstance(i, RowError) for i in items) == 14


# -- CodeContests reader -----------------------------------------------------------------------

def test_codecontests_jsonl_and_parquet_give_the_same_problems(tmp_path):
    rows = [json.loads(line) for line in CODECONTESTS.read_text().splitlines()]
    parquet = tmp_path / "cc.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    assert detect_format(CODECONTESTS) == detect_format(parquet) == "codecontests"

    from_jsonl, errors_jsonl, warnings_jsonl = read_all(CODECONTESTS)
    from_parquet, errors_parquet, warnings_parquet = read_all(parquet)
    assert from_jsonl == from_parquet
    assert list(from_jsonl) == ["cc-sum", "cc-defaults"]
    assert [(e.line, e.field) for e in errors_jsonl] == [(e.line, e.field) for e in errors_parquet] == [
        (2, "solutions"), (4, "public_tests"), (5, "description")]
    assert {e.unit for e in errors_parquet} == {"row"}
    assert "python2" in errors_jsonl[0].message and "rust" in errors_jsonl[0].message
    assert [(w.line, w.field) for w in warnings_jsonl] == [(w.line, w.field) for w in warnings_parquet]

    p = from_jsonl["cc-sum"]
    assert [g.lang for g in p.gold] == ["cpp17", "python3", "java17"]  # JAVA (4) is a gold; Python 2 left out
    assert [(t.kind, t.input, t.output) for t in p.public_tests] == [
        ("public", "1 2\n", "3\n"), ("private", "5 5\n", "10\n"), ("generated", "0 0\n", "0\n"),
        ("generated", "9 1\n", "10\n")]
    assert [(i.id, i.program.lang) for i in p.incorrect] == [("cc-sum/incorrect-0", "python3"),
                                                              ("cc-sum/incorrect-1", "java17")]
    assert (p.time_limit_s, p.memory_limit_mb, p.source) == (1.5, 256, "codecontests")
    d = from_jsonl["cc-defaults"]  # null limits -> defaults; language 0 detected
    assert (d.time_limit_s, d.memory_limit_mb, [g.lang for g in d.gold]) == (2.0, 256, ["python3"])
    assert any(w.field == "solutions" and "python2" in w.message for w in warnings_jsonl)


def test_auto_detection_refuses_unknown_rows(tmp_path):
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"foo": 1}\n')
    with pytest.raises(ValueError, match="cannot tell the format"):
        read_problems(odd)
    with pytest.raises(ValueError, match="unknown read format"):
        read_problems(KLEAR, "verl")
    with pytest.raises(FileNotFoundError):
        read_problems(tmp_path / "missing.jsonl")


def test_reads_a_directory_of_files(tmp_path):
    (tmp_path / "a.jsonl").write_text(KLEAR.read_text())
    (tmp_path / "b.jsonl").write_text(json.dumps({"custom_id": "extra", "question": "Q",
                                                  "solutions": ["print(input())\n"]}) + "\n")
    problems, errors, _ = read_all(tmp_path)
    assert "extra" in problems and len(problems) == 5 and len(errors) == 14


# -- exporters ---------------------------------------------------------------------------------

CHECKER = Program(lang="cpp17", code='#include "testlib.h"\nint main(int c, char** v) { registerTestlibCmd(c, v); '
                                     'quitf(_ok, "ok"); }\n')


def make_rows() -> list[tuple[Problem, list[TestCase]]]:
    chk_id, fn_id, empty_id = "p-checker", "p-func", "p-empty"
    chk = Problem(id=chk_id, statement="Print a/b with 6 digits.", time_limit_s=1.5, memory_limit_mb=512,
                  gold=[Program(lang="python3", code="a, b = map(int, input().split())\nprint(a / b)\n")],
                  incorrect=[IncorrectProgram(id=f"{chk_id}/incorrect-0", program=Program(lang="python3",
                                              code="print(0)\n"), expected_verdict="WA")],
                  public_tests=[TestCase(problem_id=chk_id, input="1 2\n", output="0.5\n", kind="public")],
                  checker=CHECKER, generators=[Program(lang="python3", code="print(1, 3)\n")], source="klear")
    chk_tests = [
        TestCase(problem_id=chk_id, input="1 3\n", output="0.333333\n", kind="generated", generator_id="g1",
                 gold_agree=2, gold_total=2, kills=["p-checker/incorrect-0"], gold_time_ms=12.5),
        TestCase(problem_id=chk_id, input="1 2\n", output="0.5\n", kind="public", gold_agree=2, gold_total=2),
        TestCase(problem_id=chk_id, input="2 3\n", output="0.666667\n", kind="generated", generator_id="g1"),
        TestCase(problem_id=chk_id, input="4 2\n", output="2\n", kind="private"),
        TestCase(problem_id=chk_id, input="9 9\n", output="1\n", kind="generated", generator_id="g2"),
    ]
    fn = Problem(id=fn_id, statement="Return the sum of a and b.", io_mode="function", fn_name="add",
                 starter_code="def add(a, b):\n    pass\n",
                 gold=[Program(lang="python3", code="def add(a, b):\n    return a + b\n")], source="klear")
    fn_tests = [TestCase(problem_id=fn_id, input=json.dumps([a, b]), output=json.dumps(a + b),
                         kind="public" if a == 1 else "generated") for a, b in [(1, 2), (5, 5), (-3, 3)]]
    empty = Problem(id=empty_id, statement="No tests.", gold=[Program(lang="python3", code="print(1)\n")])
    return [(chk, chk_tests), (fn, fn_tests), (empty, [])]


def read_parquet_both(path: Path) -> tuple[list[dict], list[dict]]:
    return pq.read_table(path).to_pylist(), pl.read_parquet(path).to_dicts()


def read_jsonl_both(path: Path) -> tuple[list[dict], list[dict]]:
    return pajson.read_json(path).to_pylist(), pl.read_ndjson(path).to_dicts()


def check_truth(truth: dict, problem: Problem, tests: list[TestCase]) -> None:
    assert len(truth["inputs"]) == len(truth["outputs"]) == len(tests)
    if problem.io_mode == "function":
        assert truth["fn_name"] == problem.fn_name
        # verl's fn_name convention: the arguments one JSON value per line, the result as JSON text
        assert truth["inputs"] == ["\n".join(json.dumps(a) for a in json.loads(t.input)) for t in tests]
        assert truth["outputs"] == [t.output for t in tests]
    else:
        assert "fn_name" not in truth
        assert truth["inputs"] == [t.input for t in tests] and truth["outputs"] == [t.output for t in tests]


def check_prompt(prompt: list[dict], problem: Problem) -> None:
    assert len(prompt) == 1 and prompt[0]["role"] == "user"
    assert prompt[0]["content"].startswith(problem.statement) and "```python" in prompt[0]["content"]
    if problem.io_mode == "function":
        assert f"`{problem.fn_name}`" in prompt[0]["content"] and problem.starter_code in prompt[0]["content"]
    else:
        assert prompt[0]["content"].endswith(STDIN_INSTRUCTION)


def test_verl(tmp_path):
    rows = make_rows()
    out = tmp_path / "verl.parquet"
    summary = export(rows, "verl", out)
    assert (summary["problems"], summary["skipped"], summary["tests"]) == (2, {"no_tests": 1}, 8)
    assert summary["skipped_ids"] == {"no_tests": ["p-empty"]} and summary["files"] == {"train": str(out)}
    assert pq.read_schema(out).names == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
    for records in read_parquet_both(out):
        assert len(records) == 2
        for index, (record, (problem, tests)) in enumerate(zip(records, rows[:2], strict=True)):
            assert record["data_source"] == "codecontests" and record["ability"] == "code"
            check_prompt(record["prompt"], problem)
            assert record["reward_model"]["style"] == "rule"
            check_truth(json.loads(record["reward_model"]["ground_truth"]), problem, tests)
            assert record["extra_info"] == {
                "split": "train", "index": index, "problem_id": problem.id, "time_limit_s": problem.time_limit_s,
                "memory_limit_mb": problem.memory_limit_mb,
                "checker": problem.checker.code if problem.checker else None,
                "checker_lang": problem.checker.lang if problem.checker else None, "num_tests": len(tests)}
    records = pq.read_table(out).to_pylist()
    assert records[0]["extra_info"]["checker_lang"] == "cpp17" and records[1]["extra_info"]["checker"] is None
    other = export(rows, "verl", tmp_path / "other.parquet", data_source="taco")
    assert other["problems"] == 2 and pl.read_parquet(tmp_path / "other.parquet")["data_source"].to_list() == [
        "taco", "taco"]


def test_trl(tmp_path):
    rows = make_rows()
    out = tmp_path / "trl.parquet"
    summary = export(rows, "trl", out)
    assert (summary["problems"], summary["skipped"]) == (2, {"no_tests": 1})
    for records in read_parquet_both(out):
        assert [r["problem_id"] for r in records] == ["p-checker", "p-func"]
        for record, (problem, tests) in zip(records, rows[:2], strict=True):
            check_prompt(record["prompt"], problem)
            check_truth(json.loads(record["ground_truth"]), problem, tests)
            info = record["verification_info"]
            assert info["language"] == "python"
            kind = "function_call" if problem.io_mode == "function" else "stdin_stdout"
            assert info["test_cases"] == [{"input": t.input, "output": t.output, "type": kind} for t in tests]
            assert info["fn_name"] == (problem.fn_name if problem.io_mode == "function" else None)


def test_klear_export_reads_back(tmp_path):
    rows = make_rows()
    out = tmp_path / "klear.jsonl"
    summary = export(rows, "klear", out)
    assert (summary["problems"], summary["skipped"]) == (2, {"no_tests": 1})
    for records in read_jsonl_both(out):
        assert [r["custom_id"] for r in records] == ["p-checker", "p-func"]
        for record, (problem, tests) in zip(records, rows[:2], strict=True):
            function = problem.io_mode == "function"
            assert record["question"] == problem.statement
            assert record["solutions"] == [g.code for g in problem.gold]
            assert record["input_generator"] == [g.code for g in problem.generators]
            assert record["checker"] == ([problem.checker.code] if problem.checker else None)
            assert record["type"] == ("function_call" if function else "stdin") and record["error_info"] is None
            assert (record["time-limit"], record["memory-limit"]) == (problem.time_limit_s, problem.memory_limit_mb)
            public = [t for t in problem.public_tests if t.kind == "public"]
            io = json.loads(record["input_output"]) if record["input_output"] else {"inputs": [], "outputs": []}
            values = [json.loads(t.input) for t in public] if function else [t.input for t in public]
            assert io["inputs"] == values
            truth = record["reward"]["ground_truth"]
            assert truth["input_output"] == [{"input": t.input, "output": t.output} for t in tests]
            assert (truth["type"], truth["fn_name"]) == (record["type"], "add" if function else None)
    # and the klear reader takes it back
    problems, errors, _ = read_all(out)
    assert errors == [] and list(problems) == ["p-checker", "p-func"]
    chk, (chk_expected, chk_tests) = problems["p-checker"], rows[0]
    assert (chk.checker, chk.gold, chk.generators, chk.time_limit_s, chk.memory_limit_mb) == (
        chk_expected.checker, chk_expected.gold, chk_expected.generators, 1.5, 512)
    assert [i.expected_verdict for i in chk.incorrect] == ["WA"]
    assert sorted((t.input, t.output) for t in chk.public_tests) == sorted((t.input, t.output) for t in chk_tests)
    fn = problems["p-func"]
    assert (fn.io_mode, fn.fn_name, fn.starter_code) == ("function", "add", rows[1][0].starter_code)
    assert {(t.input, t.output) for t in fn.public_tests} == {(t.input, t.output) for t in rows[1][1]}


def test_codecontests_export_reads_back(tmp_path):
    rows = make_rows()
    out = tmp_path / "cc.parquet"
    summary = export(rows, "codecontests", out)
    assert summary["problems"] == 1 and summary["skipped"] == {"function_mode": 1, "no_tests": 1}
    for records in read_parquet_both(out):
        assert len(records) == 1
        record, tests = records[0], rows[0][1]
        assert record["name"] == "p-checker" and record["description"] == rows[0][0].statement
        assert record["public_tests"] == {"input": ["1 2\n"], "output": ["0.5\n"]}
        assert record["private_tests"] == {"input": ["4 2\n"], "output": ["2\n"]}
        generated = [t for t in tests if t.kind == "generated"]
        assert record["generated_tests"] == {"input": [t.input for t in generated],
                                             "output": [t.output for t in generated]}
        assert record["solutions"] == {"language": [3], "solution": [rows[0][0].gold[0].code]}
        assert record["incorrect_solutions"] == {"language": [3], "solution": ["print(0)\n"]}
        assert record["time_limit"] == {"seconds": 1, "nanos": 500_000_000}
        assert record["memory_limit_bytes"] == 512 * 10**6
    problems, errors, _ = read_all(out)
    back = problems["p-checker"]
    assert errors == [] and (back.time_limit_s, back.memory_limit_mb, back.gold) == (1.5, 512, rows[0][0].gold)
    assert sorted((t.kind, t.input) for t in back.public_tests) == sorted((t.kind, t.input) for t in tests)


def test_klearct_round_trip_is_exact(tmp_path):
    rows = make_rows()
    out = tmp_path / "klearct.parquet"
    summary = export(rows, "klearct", out)
    assert summary["problems"] == 2 and summary["skipped"] == {"no_tests": 1}
    assert detect_format(out) == "klearct"
    back = list(read_with_tests(out))
    assert back == rows[:2]  # Problems and every TestCase field, in the given order
    assert [p for p in read_problems(out)] == [p for p, _ in rows[:2]]
    for records in read_parquet_both(out):
        assert [r["id"] for r in records] == ["p-checker", "p-func"]
        assert [t["id"] for t in records[0]["tests"]] == [t.id for t in rows[0][1]]
        assert problem_from_json(records[1]["problem"]) == rows[1][0]
        assert json.loads(records[1]["problem"]) == json.loads(rows[1][0].model_dump_json())
    # a test without an expected output is kept too (lossless)
    pending = [(rows[0][0], [*rows[0][1], TestCase(problem_id="p-checker", input="7 7\n")])]
    export(pending, "klearct", tmp_path / "pending.parquet")
    assert list(read_with_tests(tmp_path / "pending.parquet")) == pending


def test_export_from_a_run_directory_and_from_klearct(tmp_path):
    rows = make_rows()
    store = RunStore(tmp_path / "run")
    for problem, tests in rows:
        store.write_problem(problem)
        if tests:
            store.write_tests(problem.id, tests)
    summary = export(store.problems_with_tests(), "klearct", tmp_path / "from_run.parquet")
    assert summary["problems"] == 2 and summary["skipped"] == {"no_tests": 1}
    back = {p.id: (p, tests) for p, tests in read_with_tests(tmp_path / "from_run.parquet")}
    assert back["p-checker"][0] == rows[0][0] and back["p-func"][0] == rows[1][0]
    # the run keeps tests in its canonical order and without gold_time_ms
    assert {t.id for t in back["p-checker"][1]} == {t.id for t in rows[0][1]}
    converted = export(tmp_path / "from_run.parquet", "verl", tmp_path / "verl.parquet")
    assert converted["problems"] == 2 and "read_errors" not in converted
    with pytest.raises(ValueError, match="klearct parquet"):
        export(KLEAR, "verl", tmp_path / "nope.parquet")


@pytest.mark.parametrize("fmt", ["verl", "trl", "codecontests", "klearct", "klear"])
def test_cap_keeps_public_tests_first(tmp_path, fmt):
    rows = make_rows()[:1]  # p-checker: tests g1, pub, g2, private, g3
    suffix = ".jsonl" if fmt == "klear" else ".parquet"
    summary = export(rows, fmt, tmp_path / f"capped{suffix}", max_tests_per_problem=3)
    assert summary["capped_problems"] == 1 and summary["dropped_tests"] == {"tests_over_cap": 2}
    assert summary["tests"] == 3
    wanted = ["1 2\n", "1 3\n", "2 3\n"]  # the public test, then the others in their order
    if fmt == "klear":
        record = pajson.read_json(tmp_path / "capped.jsonl").to_pylist()[0]
        inputs = [t["input"] for t in record["reward"]["ground_truth"]["input_output"]]
    else:
        record = pl.read_parquet(tmp_path / "capped.parquet").to_dicts()[0]
        inputs = {
            "verl": lambda r: json.loads(r["reward_model"]["ground_truth"])["inputs"],
            "trl": lambda r: [t["input"] for t in r["verification_info"]["test_cases"]],
            "codecontests": lambda r: r["public_tests"]["input"] + r["private_tests"]["input"]
            + r["generated_tests"]["input"],
            "klearct": lambda r: [t["input"] for t in r["tests"]],
        }[fmt](record)
    assert sorted(inputs) == sorted(wanted)
    if fmt != "codecontests":
        assert inputs == wanted


def many_rows(n: int = 40) -> list[tuple[Problem, list[TestCase]]]:
    return [(Problem(id=f"q{k}", statement=f"Problem {k}", gold=[Program(lang="python3", code="print(1)\n")]),
             [TestCase(problem_id=f"q{k}", input=f"{k}\n", output="1\n")]) for k in range(n)]


def split_ids(directory: Path, suffix: str = ".parquet", column: str = "problem_id") -> dict[str, list[str]]:
    result = {}
    for split in ("train", "validation"):
        path = directory / f"{split}{suffix}"
        frame = pl.read_parquet(path) if suffix == ".parquet" else pl.read_ndjson(path)
        result[split] = frame[column].to_list() if len(frame) else []
    return result


def test_split_is_deterministic_stable_and_complete(tmp_path):
    rows = many_rows()
    first = export(rows, "trl", tmp_path / "a", validation_fraction=0.3, seed=7)
    second = export(rows, "trl", tmp_path / "b", validation_fraction=0.3, seed=7)
    a, b = split_ids(tmp_path / "a"), split_ids(tmp_path / "b")
    assert a == b and first["rows"] == second["rows"] == {"train": len(a["train"]), "validation": len(a["validation"])}
    assert a["train"] and a["validation"]
    assert sorted(a["train"] + a["validation"]) == sorted(p.id for p, _ in rows)  # complete, no overlap
    assert (tmp_path / "a" / "train.parquet").read_bytes() == (tmp_path / "b" / "train.parquet").read_bytes()
    # stable: a problem's split does not depend on the others, nor on the format
    subset = export(rows[::3], "verl", tmp_path / "c", validation_fraction=0.3, seed=7)
    c = {split: [r["extra_info"]["problem_id"] for r in pq.read_table(tmp_path / "c" / f"{split}.parquet").to_pylist()]
         for split in ("train", "validation")}
    assert all(pid in a[split] for split in c for pid in c[split]) and subset["problems"] == len(rows[::3])
    verl_rows = pq.read_table(tmp_path / "c" / "validation.parquet").to_pylist()
    assert [r["extra_info"]["index"] for r in verl_rows] == list(range(len(verl_rows)))
    assert {r["extra_info"]["split"] for r in verl_rows} == {"validation"}
    # jsonl formats split into train.jsonl / validation.jsonl
    export(rows, "klear", tmp_path / "k", validation_fraction=0.3, seed=7)
    assert split_ids(tmp_path / "k", ".jsonl", "custom_id") == a
    # another seed moves some problems
    export(rows, "trl", tmp_path / "d", validation_fraction=0.3, seed=8)
    assert split_ids(tmp_path / "d") != a
    assert all(split_of(p.id, 7, 0.3) == ("validation" if p.id in a["validation"] else "train") for p, _ in rows)


def test_split_writes_empty_files_with_their_schema(tmp_path):
    export(many_rows(1), "verl", tmp_path / "one", validation_fraction=0.01, seed=0)
    train, validation = pq.read_table(tmp_path / "one" / "train.parquet"), pq.read_table(
        tmp_path / "one" / "validation.parquet")
    assert train.num_rows + validation.num_rows == 1 and train.schema == validation.schema
    assert pl.read_parquet(tmp_path / "one" / "validation.parquet").columns == train.schema.names


def test_export_options_are_checked(tmp_path):
    with pytest.raises(ValueError, match="unknown export format"):
        export(make_rows(), "parquet", tmp_path / "x")
    with pytest.raises(ValueError, match="validation_fraction"):
        export(make_rows(), "verl", tmp_path / "x", validation_fraction=1.5)
    with pytest.raises(ValueError, match="max_tests_per_problem"):
        export(make_rows(), "verl", tmp_path / "x", max_tests_per_problem=0)
    (tmp_path / "dir").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        export(make_rows(), "verl", tmp_path / "dir")
    assert list((tmp_path / "dir").iterdir()) == []


def test_tests_without_outputs_are_dropped_from_rl_formats(tmp_path):
    problem, tests = make_rows()[0]
    rows = [(problem, [TestCase(problem_id=problem.id, input="5 5\n"), *tests[:1]])]
    summary = export(rows, "verl", tmp_path / "v.parquet")
    assert summary["dropped_tests"] == {"tests_without_output": 1} and summary["tests"] == 1
    only_pending = [(problem, [TestCase(problem_id=problem.id, input="5 5\n")])]
    assert export(only_pending, "verl", tmp_path / "w.parquet")["skipped"] == {"no_tests": 1}


def test_registry_lists_formats():
    assert formats.reader_names() == ["klear", "codecontests", "klearct", "icpc", "taco", "livecodebench", "deepcoder"]
    assert formats.exporter_names() == ["klear", "codecontests", "klearct", "verl", "trl", "atgen"]
    assert all(f.name == name for name, f in formats.FORMATS.items())


def test_name_views_match_the_registry():
    assert list(formats.READERS) == formats.reader_names() and list(formats.EXPORTERS) == formats.exporter_names()
    assert formats.EXPORTERS["verl"] is formats.FORMATS["verl"].export


def test_exports_and_run_files_are_readable_by_other_users(tmp_path):
    import os

    from klear_ct.atomic import FILE_MODE

    previous = os.umask(0o022)
    try:
        store = RunStore(tmp_path / "run")
        for problem, tests in make_rows():
            store.write_problem(problem)
            store.write_tests(problem.id, tests)
        store.record_command("validate")
        export(store.problems_with_tests(), "verl", tmp_path / "verl.parquet")
    finally:
        os.umask(previous)
    written = [tmp_path / "verl.parquet", store.manifest_path, *(tmp_path / "run").rglob("*.parquet")]
    assert FILE_MODE & 0o044 == 0o044  # this test process's umask lets others read
    assert {oct(path.stat().st_mode & 0o777) for path in written} == {oct(FILE_MODE)}
