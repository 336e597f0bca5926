#!/usr/bin/env python3
"""What `klearct validate` costs per kept test, against the bare runtime of the gold solutions.

    .venv/bin/python benchmarks/validate_bench.py [--problems datasets/sample/problems.jsonl]
                                                  [--slots N] [--backend docker] [--json FILE]

One run, side by side:
- validate: `klearct validate PROBLEMS -o RUN` in a fresh run directory with an empty compile
  cache, timed whole (wall clock: reading, generators, every gold on every generated input,
  incorrect solutions, checkers, writing parquet; the sandbox's start and the compiles
  included). The CPU time its runs of gold and of incorrect solutions took, as the sandbox
  measured it, is shown beside it: incorrect solutions that run into the time limit on many
  tests are usually most of the cost.
- bare golds: every gold solution of every validated problem run on every kept test as a
  plain subprocess, no isolation, `slots` at a time; C++ compiled once on the host with the
  language table's flags (compile time left out). This is the least any validator must spend.

Reported: tests kept, seconds per kept test for both, and the ratio validate / bare golds.
Every bare gold output must be accepted for its test (else the script exits non-zero), so
the baseline really is the same work.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sandbox_bench import Bare, BenchFailure, Case  # noqa: E402

from klear_ct.judge.compare import get_comparison  # noqa: E402
from klear_ct.store import RunStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
console = Console(width=150)


def run_validate(problems: Path, run: Path, slots: int, backend: str) -> tuple[float, dict]:
    cmd = [sys.executable, "-m", "klear_ct.cli", "validate", str(problems), "-o", str(run), "--json",
           "--slots", str(slots), "--backend", backend]
    env = dict(os.environ, KLEARCT_CACHE_DIR=str(run.parent / "compile-cache"))
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some problem failed, as the sample's broken generator does
        raise BenchFailure(f"validate exited with {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout.strip().splitlines()[-1])


def run_golds_bare(store: RunStore, slots: int, workdir: Path) -> tuple[float, int, int]:
    """Seconds for every gold on every kept test, the number of tests and of gold runs."""
    bare = Bare(slots, workdir)
    elapsed, tests, runs = 0.0, 0, 0
    try:
        for problem in store.problems():
            kept = store.tests(problem.id)
            if not kept:
                continue
            tests += len(kept)
            for k, gold in enumerate(problem.gold):
                case = Case(key=f"{problem.id}-{k}".replace("/", "_"), label=f"{problem.id} gold {k}", program=gold,
                            inputs=[t.input for t in kept], check=lambda i, out: True)
                bare.prepare(case)
                started = time.perf_counter()
                results = bare.run(case, case.inputs)
                elapsed += time.perf_counter() - started
                runs += len(results)
                if problem.checker is None:  # with a checker, golds may print different valid answers
                    same = get_comparison(problem.comparison)
                    wrong = [t.id for t, r in zip(kept, results, strict=True) if not same(r.stdout, t.output)]
                    if wrong:
                        raise BenchFailure(f"bare {case.label} disagrees with the kept output on {wrong[:3]}")
    finally:
        bare.close()
    return elapsed, tests, runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=Path, default=ROOT / "datasets" / "sample" / "problems.jsonl")
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--backend", default="docker")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="klearct-validate-bench-") as tmp:
            run = Path(tmp) / "run"
            validate_s, summary = run_validate(args.problems, run, args.slots, args.backend)
            (Path(tmp) / "bare").mkdir()
            bare_s, tests, runs = run_golds_bare(RunStore(run), args.slots, Path(tmp) / "bare")
            cpu_s = {role: sum(row["total_cpu_ms"] for row in RunStore(run).read_rows("solutions") if row["role"] == role)
                     / 1000 for role in ("gold", "incorrect")}
    except BenchFailure as e:
        console.print(f"[bold red]FAILED:[/] {e}")
        return 1
    if tests == 0:
        console.print("[bold red]FAILED:[/] validate kept no test")
        return 1
    figures = {"problems_done": summary.get("done"), "problems_failed": summary.get("failed"), "tests_kept": tests,
               "gold_runs": runs, "slots": args.slots, "backend": args.backend,
               "validate_s": round(validate_s, 3), "bare_golds_s": round(bare_s, 3),
               "validate_ms_per_test": round(validate_s * 1000 / tests, 2),
               "bare_golds_ms_per_test": round(bare_s * 1000 / tests, 2),
               "ratio_validate_to_bare_golds": round(validate_s / bare_s, 2),
               "sandbox_cpu_s_gold": round(cpu_s["gold"], 2), "sandbox_cpu_s_incorrect": round(cpu_s["incorrect"], 2)}
    table = Table(title=f"validate vs bare golds ({args.problems.name}, {args.slots} slots, {args.backend})")
    for column in ("", "seconds", "ms per kept test"):
        table.add_column(column, justify="right")
    table.add_row("klearct validate (everything)", f"{validate_s:.2f}", f"{figures['validate_ms_per_test']:.2f}")
    table.add_row(f"bare golds ({runs} runs)", f"{bare_s:.2f}", f"{figures['bare_golds_ms_per_test']:.2f}")
    console.print(table)
    console.print(f"{tests} tests kept; validate / bare golds = [bold]{figures['ratio_validate_to_bare_golds']}×[/]")
    console.print(f"CPU of the runs inside validate: golds {cpu_s['gold']:.1f} s, incorrect solutions "
                  f"{cpu_s['incorrect']:.1f} s ({args.slots} slots)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
