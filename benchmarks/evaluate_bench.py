#!/usr/bin/env python3
"""What `klearct evaluate` costs: 20 problems × ~10 solutions × their tests.

    .venv/bin/python benchmarks/evaluate_bench.py [--problems 20] [--solutions 10] [--slots N]
                                                  [--backend docker] [--full] [--json FILE]

Problems are built from the sample ICPC packages (datasets/icpc_sample): problem k is package
k mod 4 under a new id, its accepted and incorrect submissions cycled up to --solutions, each
copy made distinct by a trailing comment so that every solution is compiled (C++) on its own,
as real distinct submissions would be. One suite: the packages' own tests. The compile cache
starts empty (a temporary KLEARCT_CACHE_DIR).

Reported: wall time of the whole evaluation (compiles included), time spent inside sandbox
calls (summed over the calls that ran in parallel), the solutions' own CPU time as the sandbox
measured it, their ratio, and how many test runs early stopping saved.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_problems(count: int, solutions: int):
    from klear_ct.formats import read_problems
    from klear_ct.model import IncorrectProgram, Problem, Program

    packages = [p for p in read_problems(ROOT / "datasets" / "icpc_sample") if isinstance(p, Problem)]
    problems = []
    for k in range(count):
        base = packages[k % len(packages)]
        pool = [(None, g) for g in base.gold] + [(s, s.program) for s in base.incorrect]
        gold, incorrect = [], []
        for j in range(solutions):
            source, program = pool[j % len(pool)]
            comment = "#" if program.lang.startswith("python") else "//"
            copy = Program(lang=program.lang, code=f"{program.code}\n{comment} bench {k}/{j}\n")
            if source is None:
                gold.append(copy)
            else:
                incorrect.append(IncorrectProgram(id=f"{source.id}#{k}/{j}", program=copy,
                                                  expected_verdict=source.expected_verdict))
        problems.append(base.model_copy(update={"id": f"{base.id}-{k}", "gold": gold, "incorrect": incorrect}))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=20)
    parser.add_argument("--solutions", type=int, default=10)
    parser.add_argument("--slots", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--backend", default="docker")
    parser.add_argument("--full", action="store_true", help="run every test (no early stop)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()

    os.environ["KLEARCT_CACHE_DIR"] = tempfile.mkdtemp(prefix="klearct-bench-cache-")
    from klear_ct.evaluate import EvaluateSettings, evaluate
    from klear_ct.evaluate.suites import load_suites
    from klear_ct.report.evaluation import summarize
    from klear_ct.sandbox import open_sandbox

    problems = build_problems(args.problems, args.solutions)
    suites = load_suites([("original", "problem")], problems)
    with open_sandbox(args.backend, slots=args.slots) as sandbox:
        began = time.perf_counter()
        outcomes = evaluate(problems, suites, sandbox, EvaluateSettings(full=args.full))
        wall = time.perf_counter() - began
    summary = summarize(outcomes, suites, wall)
    solutions = [s for o in outcomes for r in o.results for s in r.solutions]
    tests = {o.problem_id: r.tests for o in outcomes for r in o.results}
    possible = sum(tests[o.problem_id] for o in outcomes for r in o.results for _ in r.solutions)
    timing = summary["timing"]
    numbers = {
        "problems": len(problems), "solutions": len(solutions), "tests": sum(tests.values()),
        "test_runs": sum(s.tests_run for s in solutions), "test_runs_without_early_stop": possible,
        "slots": args.slots, "backend": args.backend, "full": args.full,
        "wall_s": round(wall, 2), "compile_s": timing["compile_s"], "sandbox_s": timing["sandbox_s"], "solution_cpu_s": timing["solution_cpu_s"],
        "solution_cpu_share_of_sandbox": round(timing["solution_cpu_s"] / timing["sandbox_s"], 3)
        if timing["sandbox_s"] else None,
        "tpr": summary["suites"][0]["overall"]["tpr"], "tnr": summary["suites"][0]["overall"]["tnr"],
        "failed_problems": summary["counts"]["failed"],
    }
    print(json.dumps(numbers, indent=2))
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2))
    return 0 if numbers["failed_problems"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
