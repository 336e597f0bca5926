"""Fair time limits on the real sandbox: a package whose accepted CPython solution is tight on its
limit is accepted under the default factors while its quadratic submission stays TLE; `klearct
evaluate` prints each language's limit and the near-limit runs; PyPy runs where asked;
calibration measures a machine factor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from klear_ct.evaluate import evaluate_problem
from klear_ct.evaluate.suites import load_suites
from klear_ct.formats import read_problems

pytestmark = pytest.mark.docker
PACKAGE = Path(__file__).resolve().parents[1] / "datasets" / "icpc_sample" / "pairproducts"


def klearct(*args, env: dict | None = None, timeout=300):
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "COLUMNS": "200", **(env or {})})


def test_a_tight_python_gold_is_accepted_and_the_quadratic_submission_stays_tle(docker_sandbox):
    [problem] = read_problems(PACKAGE)
    assert problem.time_limit_s == 0.3 and {g.lang for g in problem.gold} == {"python3", "pypy3", "cpp17"}
    outcome = evaluate_problem(problem, load_suites([("original", "problem")], [problem]), docker_sandbox)
    assert outcome.outcome == "ok", outcome.cause
    assert outcome.time_limits == {"cpp17": 0.3, "pypy3": 0.3, "python3": 0.6}  # CPython ×2 (USACO's rule)
    solutions = {s.solution_id: s for s in outcome.results[0].solutions}
    cpython = next(s for s in solutions.values() if s.role == "correct" and s.lang == "python3")
    assert cpython.passed and cpython.time_limit_ms == 600, cpython
    assert all(s.passed for s in solutions.values() if s.role == "correct")  # PyPy by its #! line, and C++
    slow = solutions["pairproducts/time_limit_exceeded/all_pairs.py"]
    assert slow.verdict == "TLE" and slow.passed is False and slow.time_limit_ms == 600
    assert "wall clock" in slow.message or "over 600 ms" in slow.message  # stopped past the overrun: far over
    assert solutions["pairproducts/wrong_answer/unordered.py"].verdict == "WA"


def spinning_package(root: Path) -> Path:
    """A package with a C++ gold and a Python gold that burns CPU to 95% of its (Python) limit: near
    it whatever the load (CPU time, not wall time), and short, so the wall clock never stops it."""
    (root / "data" / "secret").mkdir(parents=True)
    (root / "submissions" / "accepted").mkdir(parents=True)
    (root / "problem.yaml").write_text("name: Spin\nlimits:\n  time_limit: 0.1\n")
    (root / "data" / "secret" / "1.in").write_text("2 3\n")
    (root / "data" / "secret" / "1.ans").write_text("5\n")
    (root / "submissions" / "accepted" / "add.cpp").write_text(
        "#include <cstdio>\nint main(){long long a,b;scanf(\"%lld %lld\",&a,&b);printf(\"%lld\\n\",a+b);}\n")
    (root / "submissions" / "accepted" / "spin.py").write_text(
        "import time\nprint(sum(map(int, input().split())))\n"
        "while time.process_time() < 0.19:  # 95% of CPython's 0.2 s (0.1 s x 2)\n    pass\n")
    return root


def test_evaluate_prints_each_languages_limit_and_the_near_limit_runs(tmp_path):
    package = spinning_package(tmp_path / "spin")
    done = klearct("evaluate", package)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "0.1 s → cpp17 0.1 s, python3 0.2 s" in text
    assert "runs within 10% of their time limit" in text and "spin/gold-1" in text and "200 ms" in text
    assert ("time limits: the problem's × the language's factor (c11 ×1, cpp17 ×1, java17 ×2, pypy3 ×1, python3 ×2); "
            "machine calibration off") in text
    # --python pypy3 runs the Python gold under PyPy, at PyPy's factor
    done = klearct("evaluate", package, "--json", "--python", "pypy3")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    [problem] = summary["problems"]
    assert problem["time_limits"] == {"cpp17": 0.1, "pypy3": 0.1}
    assert set(summary["suites"][0]["by_language"]) == {"cpp17", "pypy3"}
    assert summary["limits"]["time_factor"]["python3"] == 2.0 and summary["limits"]["calibration"] is None


def test_calibration_is_shown_when_on_and_the_manifest_says_the_limits(tmp_path):
    package, run = spinning_package(tmp_path / "spin"), tmp_path / "run"
    done = klearct("validate", package, "-o", run, "--json", env={"KLEARCT_CALIBRATE": "1"})
    assert done.returncode in (0, 1), done.stderr  # the spinning gold may pass its limit on a faster machine
    assert "machine factor" in done.stderr and "ms CPU here vs 300 ms recorded" in done.stderr
    [command] = json.loads((run / "manifest.json").read_text())["commands"]
    limits = command["limits"]
    assert command["command"] == "validate" and limits["time_factor"]["python3"] == 2.0
    assert limits["machine_factor"] > 0 and "ms CPU here vs 300 ms recorded" in limits["calibration"]
