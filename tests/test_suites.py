"""Suite specs of `klearct evaluate` (no sandbox): problem tests, kinds, unions, exported files, run dirs."""

import pytest

from klear_ct.evaluate.suites import SuiteError, load_suites, parse_suite_option
from klear_ct.formats import export
from klear_ct.model import Problem, Program, TestCase
from klear_ct.store import RunStore


def problem(pid: str = "p") -> Problem:
    tests = [TestCase(problem_id=pid, input="1\n", output="1\n", kind="public"),
             TestCase(problem_id=pid, input="2\n", output="2\n", kind="secret"),
             TestCase(problem_id=pid, input="3\n", output=None, kind="secret")]
    return Problem(id=pid, gold=[Program(lang="python3", code="print(input())\n")], public_tests=tests)


def test_problem_suite_kinds_and_union():
    problems = [problem()]
    suites = load_suites([("all", "problem"), ("secret", "problem#secret"), ("public", "problem#public"),
                          ("both", "union:public+secret+all")], problems)
    by_name = {s.name: s for s in suites}
    assert [t.input for t in by_name["all"].tests["p"]] == ["1\n", "2\n"]  # no expected output: left out
    assert "1 tests without an expected output" in by_name["all"].notes[0]
    assert [t.input for t in by_name["secret"].tests["p"]] == ["2\n"]
    assert [t.input for t in by_name["both"].tests["p"]] == ["1\n", "2\n"]


def test_bad_specs_are_errors():
    for option in ("nospec", "=problem", "name="):
        with pytest.raises(SuiteError, match="NAME=SPEC"):
            parse_suite_option(option)
    assert parse_suite_option("gen=runs/x#generated") == ("gen", "runs/x#generated")
    with pytest.raises(SuiteError, match="no earlier suite named 'b'"):
        load_suites([("a", "problem"), ("u", "union:a+b")], [problem()])
    with pytest.raises(SuiteError, match="no such file"):
        load_suites([("a", "/nonexistent/x.parquet")], [problem()])
    with pytest.raises(SuiteError, match="given twice"):
        load_suites([("a", "problem"), ("a", "problem")], [problem()])


def test_exported_files_and_run_directories(tmp_path):
    p = problem()
    tests = [t for t in p.public_tests if t.output is not None] + [
        TestCase(problem_id="p", input="9\n", output="9\n", kind="generated")]
    export([(p, tests)], "verl", tmp_path / "verl.parquet")
    export([(p, tests)], "klearct", tmp_path / "klearct.parquet")
    store = RunStore(tmp_path / "run")
    store.write_problem(p)
    store.write_tests("p", tests)
    suites = load_suites([("verl", str(tmp_path / "verl.parquet")), ("own", str(tmp_path / "klearct.parquet")),
                          ("run", f"{tmp_path / 'run'}#generated")], [p])
    verl, own, run = suites
    assert sorted(t.input for t in verl.tests["p"]) == ["1\n", "2\n", "9\n"]
    assert sorted(t.input for t in own.tests["p"]) == ["1\n", "2\n", "9\n"]
    assert [t.input for t in run.tests["p"]] == ["9\n"]
    (tmp_path / "other.parquet").write_bytes((tmp_path / "verl.parquet").read_bytes()[:100])
    with pytest.raises(SuiteError, match="not a run directory or a parquet file"):
        load_suites([("x", str(tmp_path / "other.parquet"))], [p])


def test_a_damaged_file_in_a_run_directory_names_the_suite_and_the_file(tmp_path):
    p = problem()
    store = RunStore(tmp_path / "run")
    store.write_problem(p)
    store.write_tests("p", [t for t in p.public_tests if t.output is not None])
    [damaged] = (tmp_path / "run" / "tests").glob("*.parquet")
    damaged.write_bytes(damaged.read_bytes()[:50])
    with pytest.raises(SuiteError, match=f"suite r: .*cannot read it .*{damaged.name}"):
        load_suites([("r", str(tmp_path / "run"))], [p])


def test_klearct_evaluate_stops_on_an_unreadable_suite_with_its_name_and_path():
    import subprocess
    import sys
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "datasets" / "icpc_sample"
    done = subprocess.run([sys.executable, "-m", "klear_ct.cli", "evaluate", str(sample), "--suite",
                           "mine=/nonexistent/tests.parquet"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2  # a usage error, before any sandbox starts
    assert "suite mine: /nonexistent/tests.parquet: no such file or directory" in " ".join(done.stderr.split())
