"""The ICPC / Kattis package reader and the default-validator comparison: no sandbox."""

from pathlib import Path

import pytest

from klear_ct.formats import RowError, detect_format, read_problems
from klear_ct.formats.errors import FieldError
from klear_ct.formats.icpc import DERIVE_CAP_S, comparison, read_package
from klear_ct.formats.icpc_checker import wrap_validator
from klear_ct.judge.compare import get_comparison
from klear_ct.model import Problem

SAMPLE = Path(__file__).parent.parent / "datasets" / "icpc_sample"


def read_sample() -> tuple[dict[str, Problem], list[RowError], list[str]]:
    warnings: list[str] = []
    items = list(read_problems(SAMPLE, warn=lambda w: warnings.append(str(w))))
    return ({p.id: p for p in items if isinstance(p, Problem)}, [e for e in items if isinstance(e, RowError)],
            warnings)


def test_detects_a_folder_of_packages_and_a_single_package():
    assert detect_format(SAMPLE) == "icpc"
    assert detect_format(SAMPLE / "rangesum") == "icpc"
    [problem] = list(read_problems(SAMPLE / "rangesum"))
    assert problem.id == "rangesum"


def test_mapping_of_submissions_and_data():
    problems, _, _ = read_sample()
    assert sorted(problems) == ["circlearea", "coprimesplit", "evenodd", "pairproducts", "rangesum"]
    # a `#!/usr/bin/env pypy3` line makes an accepted .py a PyPy gold
    assert sorted(p.lang for p in problems["pairproducts"].gold) == ["cpp17", "pypy3", "python3"]
    rangesum = problems["rangesum"]
    assert {p.lang for p in rangesum.gold} == {"python3", "cpp17", "java17"}
    verdicts = {s.id: s.expected_verdict for s in rangesum.incorrect}
    assert verdicts == {"rangesum/wrong_answer/int_overflow.cpp": "WA", "rangesum/time_limit_exceeded/naive.py": "TLE",
                        "rangesum/run_time_error/short_prefix.py": "RE"}
    kinds = [t.kind for t in rangesum.public_tests]
    assert kinds[0] == "public" and kinds.count("public") == 1 and kinds.count("secret") == 5
    assert rangesum.public_tests[0].input == "3 2\n1 2 3\n1 2\n2 2\n" and rangesum.public_tests[0].output == "3\n2\n"
    assert "Range Sums" in rangesum.statement and "prefix" not in rangesum.statement
    assert rangesum.memory_limit_mb == 256 and rangesum.source == "icpc"
    assert len(rangesum.generators) == 1 and rangesum.generators[0].lang == "python3"
    assert rangesum.checker is None and rangesum.comparison == "icpc"


def test_time_limits_from_each_source_and_derived_when_missing():
    problems, _, warnings = read_sample()
    assert problems["rangesum"].time_limit_s == 1.0  # .timelimit
    assert problems["evenodd"].time_limit_s == 1.0  # domjudge-problem.ini
    assert problems["coprimesplit"].time_limit_s == 1.0  # problem.yaml limits.time_limit
    for pid in ("rangesum", "evenodd", "coprimesplit"):
        assert problems[pid].time_multiplier is None
    circle = problems["circlearea"]
    assert circle.time_multiplier == 5.0 and circle.time_limit_s == DERIVE_CAP_S
    assert any("circlearea" in w and "derived as 5 ×" in w for w in warnings)


def test_skipped_languages_are_counted_and_interactive_problems_skipped_with_a_reason():
    _, errors, warnings = read_sample()
    kotlin = [w for w in warnings if "rangesum" in w and "submissions" in w]
    assert kotlin and "1 submission skipped" in kotlin[0] and "kotlin × 1" in kotlin[0]
    [interactive] = errors
    assert interactive.path.endswith("guess") and "interactive" in interactive.message and "skipped" in \
        interactive.message
    assert interactive.skipped  # a sound row klearct does not handle, not a bad one


def test_validator_flags_choose_the_comparison():
    problems, _, _ = read_sample()
    assert problems["circlearea"].comparison == "icpc:1e-06:1e-06"
    assert comparison(["case_sensitive"]) == "icpc_cs"
    assert comparison(["float_absolute_tolerance", "0.5"]) == "icpc:0.5:0"
    assert comparison(["float_relative_tolerance", "1e-3", "case_sensitive"]) == "icpc_cs:0:0.001"
    with pytest.raises(FieldError, match="needs a value"):
        comparison(["float_tolerance"])


def test_default_validator_comparison():
    default = get_comparison("icpc")
    assert default("Yes\n", "YES\n") and default("yes  no\n\n", "YES\nNO")
    assert not default("1.0", "1") and not default("YES", "NO") and not default("1 2", "1 2 3")
    assert not get_comparison("icpc_cs")("Yes", "YES")
    floats = get_comparison("icpc:1e-6:1e-6")
    assert floats("3.14159265", "3.141592653589") and floats("314159265.4", "314159265.358979")
    assert floats("0.0000031", "0.000003141") and not floats("3.1416", "3.14159265")
    assert not floats("nan", "1.0") and not floats("abc", "1.0") and floats("ABC", "abc")


def test_custom_validator_is_wrapped_into_a_checker():
    problems, _, _ = read_sample()
    checker = problems["coprimesplit"].checker
    assert checker is not None and checker.lang == "cpp17"
    assert "#define main icpc_validator_main" in checker.code and "return 43;" in checker.code
    python = wrap_validator("import sys\nsys.exit(42)\n", "python3", ["float_tolerance", "1e-6"])
    assert python.lang == "python3" and "'float_tolerance'" in python.code
    compile(python.code, "wrapper", "exec")
    with pytest.raises(ValueError, match="not supported"):
        wrap_validator("class A {}", "java")


def package(tmp_path: Path, name: str = "p", yaml_text: str = "name: P\n") -> Path:
    folder = tmp_path / name
    (folder / "data" / "secret").mkdir(parents=True)
    (folder / "data" / "secret" / "1.in").write_text("1\n")
    (folder / "data" / "secret" / "1.ans").write_text("1\n")
    (folder / "submissions" / "accepted").mkdir(parents=True)
    (folder / "submissions" / "accepted" / "a.py").write_text("print(input())\n")
    (folder / "problem.yaml").write_text(yaml_text)
    return folder


def test_bad_packages_give_errors_naming_the_folder_and_file(tmp_path):
    package(tmp_path, "bad_yaml", "name: [unclosed\n")
    package(tmp_path, "no_validator", "validation: custom\n")
    package(tmp_path, "bad_flags", "validator_flags: float_tolerance abc\n")
    empty = package(tmp_path, "no_data")
    for path in (empty / "data" / "secret").iterdir():
        path.unlink()
    package(tmp_path, "fine")
    (tmp_path / "stray").mkdir()
    items = list(read_problems(tmp_path))
    assert [p.id for p in items if isinstance(p, Problem)] == ["fine"]
    errors = {Path(e.path).name: e for e in items if isinstance(e, RowError)}
    assert set(errors) == {"bad_yaml", "no_validator", "bad_flags", "no_data", "stray"}
    assert errors["bad_yaml"].field == "problem.yaml" and "bad YAML" in errors["bad_yaml"].message
    assert "output_validators" in str(errors["no_validator"])
    assert "float_tolerance" in str(errors["bad_flags"]) and "abc" in str(errors["bad_flags"])
    assert "no test data" in str(errors["no_data"]) and str(tmp_path / "no_data") in str(errors["no_data"])
    assert "not a problem package" in str(errors["stray"])


def test_language_detection_and_defaults(tmp_path):
    folder = package(tmp_path, yaml_text="limits:\n  time_multiplier: 3\n")
    (folder / "submissions" / "wrong_answer").mkdir()
    (folder / "submissions" / "wrong_answer" / "w.kt").write_text("fun main() {}\n")
    (folder / "submissions" / "wrong_answer" / "w.c").write_text("int main(void){return 0;}\n")
    (folder / "submissions" / "accepted" / "py2.py").write_text("x = raw_input()\nprint x\n")
    warnings: list[str] = []
    problem = read_package(folder, warn=lambda w: warnings.append(str(w)))
    assert problem.time_multiplier == 3.0 and problem.memory_limit_mb == 1024
    assert [s.program.lang for s in problem.incorrect] == ["c11"]
    assert any("kotlin × 1" in w and "python2 × 1" in w for w in warnings)


def test_evaluate_counts_an_unreadable_package_as_failed_and_an_interactive_one_as_skipped():
    from klear_ct.evaluate import evaluate
    from klear_ct.formats.errors import RowError

    rows = [RowError("pkgs/broken", None, "problem.yaml", "bad YAML"),
            RowError("pkgs/guess", None, "problem.yaml", "interactive problem: skipped", skipped=True)]
    outcomes = evaluate(rows, suites=[], sandbox=None)  # rows that were not read never reach the sandbox
    assert [(o.problem_id, o.outcome) for o in outcomes] == [("pkgs/broken", "failed"), ("pkgs/guess", "skipped")]
    assert "bad YAML" in outcomes[0].cause


def test_evaluate_counts_a_sandbox_fault_as_a_failed_problem_and_goes_on(tmp_path):
    from klear_ct.evaluate import evaluate
    from klear_ct.evaluate.suites import load_suites
    from klear_ct.sandbox import SandboxError

    class FaultySandbox:  # the container died: every run raises
        slots = 1

        def compile(self, program):
            return None

        def run(self, program, inputs, limits, **_):
            raise SandboxError("container klearct-1 is gone")

    problem = read_package(package(tmp_path, yaml_text="limits:\n  time_limit: 1\n"))
    rows = [problem, RowError("pkgs/guess", None, "problem.yaml", "interactive problem: skipped", skipped=True)]
    outcomes = evaluate(rows, load_suites([("original", "problem")], [problem]), FaultySandbox())
    assert [(o.problem_id, o.outcome) for o in outcomes] == [("p", "failed"), ("pkgs/guess", "skipped")]
    assert outcomes[0].cause == "SandboxError: container klearct-1 is gone"
