"""klearct evaluate on the real sandbox: TPR / TNR of the sample ICPC packages' own tests, of the
tests klearct generates for them, and of their union; verdicts under the default validator."""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from klear_ct.evaluate import EvaluateSettings, evaluate_problem
from klear_ct.evaluate.suites import load_suites
from klear_ct.formats import read_problems
from klear_ct.model import IncorrectProgram, Problem, Program
from klear_ct.report.evaluation import misjudged_solutions, summarize, write_html
from klear_ct.store import RunStore

pytestmark = pytest.mark.docker
SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "icpc_sample"


def klearct(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def sample_problems() -> dict[str, Problem]:
    return {p.id: p for p in read_problems(SAMPLE) if isinstance(p, Problem)}


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory):
    """validate the packages (accepted = golds, the rest incorrect), then evaluate three suites."""
    tmp = tmp_path_factory.mktemp("evaluate")
    run, html = tmp / "run", tmp / "evaluate.html"
    validated = klearct("validate", SAMPLE, "-o", run, "--json")
    assert validated.returncode == 0, validated.stderr  # the interactive package is skipped, not failed
    summary = json.loads(validated.stdout)
    assert (summary["done"], summary["failed"], summary["bad_rows"], summary["skipped_rows"]) == (5, 0, 0, 1)
    done = klearct("evaluate", SAMPLE, "--suite", "original=problem#secret", "--suite", f"generated={run}#generated",
                   "--suite", "union=union:original+generated", "--json", "--html", html)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), html, run


def suite(summary: dict, name: str) -> dict:
    return next(s for s in summary["suites"] if s["name"] == name)


def test_packages_own_secret_tests_accept_every_accepted_and_reject_every_wrong_answer(side_by_side):
    summary, _, _ = side_by_side
    original = suite(summary, "original")
    assert original["overall"]["tpr"] == 1.0 and original["overall"]["correct"] == 13  # the Java gold included
    assert original["by_class"]["WA"]["tnr"] == 1.0 and original["by_class"]["WA"]["incorrect"] == 6
    assert original["overall"]["tnr"] == 1.0
    for problem in (p for p in summary["problems"] if p["outcome"] == "ok"):
        assert problem["suites"]["original"]["tpr"] == 1.0, problem["id"]
    skipped = [p for p in summary["problems"] if p["outcome"] != "ok"]
    assert len(skipped) == 1 and skipped[0]["id"].endswith("guess") and "interactive" in skipped[0]["cause"]
    assert any("1 submission skipped" in note and "kotlin × 1" in note for note in summary["notes"])


def test_original_generated_and_union_side_by_side(side_by_side):
    summary, _, run = side_by_side
    derived = [e for e in RunStore(run).events() if e["cause"] == "time_limit_derived"]
    assert [(e["problem_id"], e["time_limit_s"]) for e in derived] == [("circlearea", 1.0)]  # validate derives it too
    original, generated, union = (suite(summary, n) for n in ("original", "generated", "union"))
    assert generated["tests"] > 0 and generated["problems_without_tests"] == 0
    assert max(original["tests"], generated["tests"]) < union["tests"] <= original["tests"] + generated["tests"]
    for s in (original, generated, union):
        assert s["overall"]["correct"] == 13 and s["overall"]["incorrect"] == 13
        assert s["overall"]["tpr"] == 1.0  # golds agree with the packages' answers under the validator
        assert s["wall_s"] > 0 and s["sandbox_s"] > 0 and s["solution_cpu_s"] > 0 and s["tests_per_problem"] > 0
        assert set(s["by_language"]) == {"python3", "pypy3", "cpp17", "java17"}
    assert union["overall"]["tnr"] >= max(original["overall"]["tnr"], generated["overall"]["tnr"])
    circle = next(p for p in summary["problems"] if p["id"] == "circlearea")
    assert circle["time_limit_s"] == 1.0 and "derived" in circle["time_limit_note"]


def test_html_embeds_png_plots(side_by_side):
    _, html, _ = side_by_side
    text = html.read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) >= 2 and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "original" in text and "union" in text


def test_slow_correct_is_tle_case_and_float_tolerance(docker_sandbox):
    problems = sample_problems()
    suites = load_suites([("original", "problem")], list(problems.values()))
    verdicts = {}
    for pid in ("rangesum", "evenodd", "circlearea"):
        outcome = evaluate_problem(problems[pid], suites, docker_sandbox)
        assert outcome.outcome == "ok", outcome.cause
        verdicts |= {s.solution_id: s for s in outcome.results[0].solutions}
    slow = verdicts["rangesum/time_limit_exceeded/naive.py"]
    assert slow.verdict == "TLE" and slow.passed is False  # correct output, only too slow: not WA
    assert slow.first_failure == len(problems["rangesum"].public_tests) - 1  # the one large test
    mixed_case = verdicts["evenodd/gold-1"]  # prints Yes / No where the answers say YES / NO
    assert "Yes" in problems["evenodd"].gold[1].code and mixed_case.verdict == "OK" and mixed_case.passed
    for k in range(3):  # three float formats, none equal to the answer files' digits
        assert verdicts[f"circlearea/gold-{k}"].passed, verdicts[f"circlearea/gold-{k}"]
    assert verdicts["circlearea/wrong_answer/rough_pi.py"].verdict == "WA"


def test_full_runs_every_test_and_unjudgeable_solutions_are_counted_not_crashed(docker_sandbox, tmp_path):
    problem = sample_problems()["evenodd"]
    broken = IncorrectProgram(id="evenodd/broken.cpp", program=Program(lang="cpp17", code="int main( {"),
                              expected_verdict="WA")
    problem = problem.model_copy(update={"incorrect": [*problem.incorrect, broken]})
    suites = load_suites([("original", "problem")], [problem])
    outcome = evaluate_problem(problem, suites, docker_sandbox, EvaluateSettings(full=True))
    solutions = {s.solution_id: s for s in outcome.results[0].solutions}
    tests = len(problem.public_tests)
    wrong = solutions["evenodd/wrong_answer/negative_mod.cpp"]
    assert wrong.tests_run == tests and len(wrong.verdicts) == tests and "WA" in wrong.verdicts
    assert wrong.verdicts[0] == "OK"  # the sample has no negative odd number
    java = solutions["evenodd/wrong_answer/Parity.java"]  # Java: -3 % 2 == -1
    assert java.verdict == "WA" and java.verdicts[0] == "OK" and java.tests_run == tests
    assert solutions["evenodd/broken.cpp"].verdict == "CE" and solutions["evenodd/broken.cpp"].passed is None
    summary = summarize([outcome], suites)
    assert summary["suites"][0]["overall"]["unjudged"] == 1 and summary["suites"][0]["overall"]["incorrect"] == 3
    assert ("evenodd/broken.cpp", "CE") in {(s["solution_id"], s["verdict"]) for _, _, s in misjudged_solutions(summary)}
    html = write_html(summary, tmp_path / "full.html").read_text()
    assert "Kill matrix" in html and html.count("<h3>") == 1 and "data:image/png;base64," in html


PY_VALIDATOR = """import sys
n = int(open(sys.argv[1]).read())
flags = sys.argv[4:]
words = sys.stdin.read().split()
ok = len(words) == 2 and all(w.lstrip("-").isdigit() for w in words) and min(map(int, words)) >= 0 \\
    and sum(map(int, words)) == n
open(sys.argv[3] + "judgemessage.txt", "w").write(f"flags {flags}: {'ok' if ok else 'bad pair'}")
sys.exit(42 if ok else 43)
"""


def test_python_output_validator_through_the_wrapper(tmp_path, docker_sandbox):
    folder = tmp_path / "anysum"
    (folder / "data" / "secret").mkdir(parents=True)
    (folder / "output_validators" / "check").mkdir(parents=True)
    (folder / "output_validators" / "check" / "check.py").write_text(PY_VALIDATOR)
    (folder / "problem.yaml").write_text("name: Any Sum\nvalidation: custom\nvalidator_flags: strict\n")
    (folder / ".timelimit").write_text("1\n")
    for n in (0, 5, 12):
        (folder / "data" / "secret" / f"{n}.in").write_text(f"{n}\n")
        (folder / "data" / "secret" / f"{n}.ans").write_text(f"0 {n}\n")
    for category, name, code in (("accepted", "low.py", "n = int(input())\nprint(0, n)\n"),
                                 ("accepted", "half.py", "n = int(input())\nprint(n // 2, n - n // 2)\n"),
                                 ("wrong_answer", "neg.py", "n = int(input())\nprint(-1, n + 1)\n")):
        (folder / "submissions" / category).mkdir(parents=True, exist_ok=True)
        (folder / "submissions" / category / name).write_text(code)
    [problem] = list(read_problems(folder))
    outcome = evaluate_problem(problem, load_suites([("original", "problem")], [problem]), docker_sandbox)
    solutions = {s.solution_id: s for s in outcome.results[0].solutions}
    assert solutions["anysum/gold-0"].passed and solutions["anysum/gold-1"].passed, solutions
    wrong = solutions["anysum/wrong_answer/neg.py"]
    assert wrong.verdict == "WA" and "flags ['strict']: bad pair" in wrong.message


CRASHING_VALIDATOR = """import sys
team = sys.stdin.read().split()
if team == ["boom"]:
    1 / 0  # the validator itself crashes on this output
sys.exit(42 if team == open(sys.argv[2]).read().split() else 43)
"""


def test_a_crashing_solution_and_a_crashing_output_validator_are_reported_with_their_errors(tmp_path,
                                                                                           docker_sandbox):
    folder = tmp_path / "echo"
    (folder / "data" / "secret").mkdir(parents=True)
    (folder / "output_validators" / "check").mkdir(parents=True)
    (folder / "output_validators" / "check" / "check.py").write_text(CRASHING_VALIDATOR)
    (folder / "problem.yaml").write_text("name: Echo\nvalidation: custom\nlimits:\n  time_limit: 1\n")
    (folder / "data" / "secret" / "1.in").write_text("7\n")
    (folder / "data" / "secret" / "1.ans").write_text("7\n")
    for category, name, code in (("accepted", "echo.py", "print(input())\n"),
                                 ("run_time_error", "crash.py", "n = int(input())\nprint(n // 0)\n"),
                                 ("wrong_answer", "boom.py", "print('boom')\n")):
        (folder / "submissions" / category).mkdir(parents=True, exist_ok=True)
        (folder / "submissions" / category / name).write_text(code)
    [problem] = list(read_problems(folder))
    suites = load_suites([("original", "problem")], [problem])
    outcome = evaluate_problem(problem, suites, docker_sandbox)
    assert outcome.outcome == "ok", outcome.cause
    solutions = {s.solution_id: s for s in outcome.results[0].solutions}
    assert solutions["echo/gold-0"].passed
    crash = solutions["echo/run_time_error/crash.py"]
    assert crash.verdict == "RE" and crash.passed is False and "ZeroDivisionError" in crash.message
    boom = solutions["echo/wrong_answer/boom.py"]
    assert boom.verdict == "JF" and boom.passed is None and "checker" in boom.message
    assert "ZeroDivisionError" in boom.message  # the validator's own traceback, not only its exit code
    overall = summarize([outcome], suites)["suites"][0]["overall"]
    assert (overall["unjudged"], overall["incorrect"], overall["tnr"]) == (1, 1, 1.0)
