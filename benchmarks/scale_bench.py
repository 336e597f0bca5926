#!/usr/bin/env python3
"""`klearct validate` at scale: problems per second and peak memory as the problem count grows.

    .venv/bin/python benchmarks/scale_bench.py [--sizes 1000 10000] [--slots 2] [--bare-problems 200]
                                               [--ray [--ray-sizes 200 1000]] [--json FILE]

Synthetic problems, each the smallest real work validate does: a Python generator printing 5
inputs, two Python golds, one incorrect Python solution (wrong on negative inputs), one public
test. Every problem's programs differ (its own constant), so nothing is shared between problems
but the sandbox. One run, side by side:

- local N: `klearct validate PROBLEMS -o RUN --json` on N problems in a fresh run directory with
  an empty compile cache, timed whole; its peak RSS is the klearct process's own (wait4). Goal:
  the largest size's peak at most 1.2x the smallest's (memory flat in problem count), and at
  least 4 problems/s.
- bare: the same programs of the first `--bare-problems` problems as plain subprocesses, no
  isolation, `slots` at a time (the generator, then every gold and the incorrect solution on each
  input). Its CPU per problem is the programs' own cost, and cores / that CPU is the most any
  validator could reach on this machine; the ratio local / bare says what the rest costs.
- where the time goes: `--profile-problems` problems validated one at a time on one slot in this
  process, each sandbox request timed by its kind (compile: Python's syntax check, one per program;
  run: a program on all its inputs) and the run directory's writes timed apart.
- ray (with --ray): `--ray-sizes` problems (default 1000) again through `--executor ray` on a local
  two-node Ray cluster (benchmarks/ray_cluster.py, one slot per node), Ray's cost per problem above
  the local run of the same size, and the driver's peak RSS (flat too, given two sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sandbox_bench import RUN_ENV, BenchFailure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
console = Console(width=150)
GOAL_PROBLEMS_PER_S = 4.0
GOAL_RSS_RATIO = 1.2
INPUTS_PER_PROBLEM = 5


def programs(i: int) -> dict[str, str]:
    """Problem i's generator, two golds and incorrect solution: a + k*b, with k its own."""
    k = i % 97 + 1
    return {
        "generator": (f"import random\nrandom.seed({i})\nprint(repr(['%d %d\\n' % (random.randint(-{k}000, {k}000), "
                      f"random.randint(0, 9)) for _ in range({INPUTS_PER_PROBLEM})]))\n"),
        "gold_0": f"a, b = map(int, input().split())\nprint(a + b * {k})\n",
        "gold_1": f"import sys\na, b = map(int, sys.stdin.read().split())\nsys.stdout.write(str(a + {k} * b) + '\\n')\n",
        "incorrect": f"a, b = map(int, input().split())\nprint(a + b * {k} if a >= 0 else a - b * {k})\n",
    }


def write_problems(path: Path, count: int) -> None:
    """`count` synthetic problems as a Klear-format jsonl file."""
    with open(path, "w") as f:
        for i in range(count):
            code = programs(i)
            k = i % 97 + 1
            f.write(json.dumps({
                "custom_id": f"syn-{i:06d}", "question": f"Given a and b, print a + {k}*b.",
                "solutions": [code["gold_0"], code["gold_1"]],
                "incorrect_solutions": [{"code": code["incorrect"], "verdict": "WA", "note": "sign"}],
                "input_generator": code["generator"], "checker": None, "type": "stdin",
                "input_output": {"inputs": ["1 2\n"], "outputs": [f"{1 + 2 * k}\n"]},
                "time-limit": 1.0, "memory-limit": 256}) + "\n")


def run_klearct(args: list[str], env: dict[str, str], workdir: Path, python: str = sys.executable,
                ok_codes: tuple[int, ...] = (0,)) -> tuple[float, int, dict]:
    """Seconds, peak RSS (KiB) of the klearct process itself (wait4, not every child's), and its
    JSON summary."""
    started = time.perf_counter()
    with open(workdir / "stdout", "w") as out, open(workdir / "stderr", "w") as err:
        proc = subprocess.Popen([python, "-m", "klear_ct.cli", *args, "--json"], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        raise BenchFailure(f"klearct {args[0]} exited with {code}:\n{(workdir / 'stderr').read_text()[-2000:]}")
    summary = json.loads((workdir / "stdout").read_text().strip().splitlines()[-1])
    return elapsed, usage.ru_maxrss, summary


def validate_leg(problems: Path, workdir: Path, slots: int, extra: list[str] = ()) -> dict:
    env = dict(os.environ, KLEARCT_CACHE_DIR=str(workdir / "compile-cache"))
    seconds, peak_kb, summary = run_klearct(["validate", str(problems), "-o", str(workdir / "run"), "--slots",
                                             str(slots), *extra], env, workdir)
    if summary["failed"] or summary["bad_rows"]:
        raise BenchFailure(f"validate failed {summary['failed']} problems: {summary['causes']}")
    return {"problems": summary["done"], "tests": summary["tests"], "seconds": round(seconds, 2),
            "problems_per_s": round(summary["done"] / seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1)}


def profile_leg(problems: Path, count: int, workdir: Path) -> dict:
    """Milliseconds per problem in each kind of sandbox request and in the store's writes."""
    from collections import defaultdict

    from klear_ct.formats import read_problems
    from klear_ct.pipeline.batch import write_result
    from klear_ct.pipeline.validate import validate_problem
    from klear_ct.rl.pool import open_configured_sandbox
    from klear_ct.sandbox.artifacts import ArtifactCache
    from klear_ct.store import RunStore

    spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    rows = [row for _, row in zip(range(count + 1), read_problems(problems), strict=False)]
    store = RunStore(workdir / "run")
    with open_configured_sandbox(None, "docker", 1) as sandbox:
        sandbox.cache = ArtifactCache(workdir / "compile-cache")
        call = sandbox._call_runner

        def timed(request: dict, watchdog_s: float):
            started = time.perf_counter()
            try:
                return call(request, watchdog_s)
            finally:
                spent[request["action"]][0] += 1
                spent[request["action"]][1] += time.perf_counter() - started

        validate_problem(rows[0], sandbox)  # the container's first request is not the steady state
        sandbox._call_runner = timed
        started, writing = time.perf_counter(), 0.0
        for problem in rows[1:]:
            result = validate_problem(problem, sandbox)
            before = time.perf_counter()
            store.write_problem(problem)  # what validate_batch writes per problem
            write_result(store, result, None)
            writing += time.perf_counter() - before
        total = time.perf_counter() - started
    n = len(rows) - 1
    out = {"problems": n, "ms_per_problem": round(total * 1000 / n, 1), "store_writes_ms": round(writing * 1000 / n, 1)}
    for action, (requests, seconds) in sorted(spent.items()):
        out[f"{action}_requests"] = round(requests / n, 1)
        out[f"{action}_ms"] = round(seconds * 1000 / n, 1)
    return out


def bare_leg(count: int, slots: int, workdir: Path) -> dict:
    """The programs of `count` problems as plain subprocesses: wall seconds and their CPU."""
    python = shutil.which("python3", path=RUN_ENV["PATH"])
    if python is None:
        raise BenchFailure(f"python3 is not on {RUN_ENV['PATH']}")

    def run(code: str, stdin: str) -> str:
        done = subprocess.run([python, "-c", code], input=stdin, capture_output=True, text=True, env=RUN_ENV)
        if done.returncode != 0:
            raise BenchFailure(f"bare run failed: {done.stderr[-500:]}")
        return done.stdout

    def one_problem(i: int) -> None:
        code = programs(i)
        inputs = [*eval(run(code["generator"], "")), "1 2\n"]  # noqa: S307 - our own generator's repr
        for name in ("gold_0", "gold_1", "incorrect"):
            for text in inputs:
                run(code[name], text)

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=slots) as pool:
        list(pool.map(one_problem, range(count)))
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu_per_problem = cpu_s / count
    return {"problems": count, "seconds": round(seconds, 2), "problems_per_s": round(count / seconds, 2),
            "cpu_ms_per_problem": round(cpu_per_problem * 1000, 1),
            "cpu_bound_problems_per_s": round((os.cpu_count() or 1) / cpu_per_problem, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--bare-problems", type=int, default=200)
    parser.add_argument("--profile-problems", type=int, default=50)
    parser.add_argument("--ray", action="store_true", help="also --ray-sizes problems through --executor ray")
    parser.add_argument("--ray-sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    figures: dict = {"slots": args.slots, "cpus": os.cpu_count(), "local": {}}
    try:
        with tempfile.TemporaryDirectory(prefix="klearct-scale-bench-") as tmp:
            tmp = Path(tmp)
            for size in sizes:
                problems = tmp / f"problems-{size}.jsonl"
                write_problems(problems, size)
                (tmp / f"local-{size}").mkdir()
                figures["local"][size] = validate_leg(problems, tmp / f"local-{size}", args.slots)
                console.print(f"local {size}: {figures['local'][size]}")
            (tmp / "profile").mkdir()
            figures["profile"] = profile_leg(tmp / f"problems-{sizes[0]}.jsonl", args.profile_problems,
                                             tmp / "profile")
            console.print(f"profile: {figures['profile']}")
            (tmp / "bare").mkdir()
            figures["bare"] = bare_leg(min(args.bare_problems, sizes[0]), args.slots, tmp / "bare")
            console.print(f"bare: {figures['bare']}")
            if args.ray:
                from ray_cluster import ray_leg

                figures["ray"] = {}
                for size in sorted(args.ray_sizes):
                    problems = tmp / f"problems-{size}.jsonl"
                    if not problems.exists():
                        write_problems(problems, size)
                    (tmp / f"ray-{size}").mkdir()
                    figures["ray"][size] = ray_leg(problems, tmp / f"ray-{size}", args.slots)
                    console.print(f"ray {size}: {figures['ray'][size]}")
    except BenchFailure as e:
        console.print(f"[bold red]FAILED:[/] {e}")
        return 1
    report(figures, sizes)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def report(figures: dict, sizes: list[int]) -> None:
    local, bare = figures["local"], figures["bare"]
    table = Table(title=f"klearct validate at scale ({figures['slots']} slots, {figures['cpus']} CPUs)")
    for column in ("leg", "problems", "seconds", "problems/s", "peak RSS MB", "ratio to bare"):
        table.add_column(column, justify="right")
    for size in sizes:
        leg = local[size]
        table.add_row(f"local {size}", str(leg["problems"]), f"{leg['seconds']:.1f}", f"{leg['problems_per_s']:.2f}",
                      f"{leg['peak_rss_mb']:.1f}", f"{leg['problems_per_s'] / bare['problems_per_s']:.2f}×")
    for leg in figures.get("ray", {}).values():
        table.add_row(f"ray {leg['problems']}", str(leg["problems"]), f"{leg['seconds']:.1f}", f"{leg['problems_per_s']:.2f}",
                      f"{leg['peak_rss_mb']:.1f}", f"{leg['problems_per_s'] / bare['problems_per_s']:.2f}×")
    table.add_row(f"bare programs ({bare['problems']})", str(bare["problems"]), f"{bare['seconds']:.1f}",
                  f"{bare['problems_per_s']:.2f}", "", "1.00×")
    console.print(table)
    console.print(f"the programs' own CPU: {bare['cpu_ms_per_problem']} ms per problem, so at most "
                  f"{bare['cpu_bound_problems_per_s']} problems/s on {figures['cpus']} CPUs")
    prof = figures["profile"]
    console.print(f"where one problem's time goes (one slot, one problem at a time): {prof['ms_per_problem']} ms, "
                  f"of which {prof.get('compile_requests', 0)} compile requests {prof.get('compile_ms', 0)} ms, "
                  f"{prof.get('run_requests', 0)} run requests {prof.get('run_ms', 0)} ms, run directory writes "
                  f"{prof['store_writes_ms']} ms")
    small, large = local[sizes[0]], local[sizes[-1]]
    rss_ratio = large["peak_rss_mb"] / small["peak_rss_mb"]
    rate = min(leg["problems_per_s"] for leg in local.values())
    console.print(f"peak RSS {sizes[-1]} / {sizes[0]}: [bold]{rss_ratio:.2f}×[/] (goal ≤ {GOAL_RSS_RATIO}): "
                  f"{'PASS' if rss_ratio <= GOAL_RSS_RATIO else 'MISS'}")
    console.print(f"slowest local rate: [bold]{rate:.2f}[/] problems/s (goal ≥ {GOAL_PROBLEMS_PER_S}): "
                  f"{'PASS' if rate >= GOAL_PROBLEMS_PER_S else 'MISS'}")
    for size, ray in figures.get("ray", {}).items():
        if size in local:
            base = local[size]
            overhead_ms = (ray["seconds"] - base["seconds"]) * 1000 / ray["problems"]
            console.print(f"Ray's cost above local, {size} problems: {overhead_ms:.1f} ms per problem "
                          f"({ray['problems_per_s'] / base['problems_per_s']:.2f}× the local rate)")
    ray_legs = [figures["ray"][size] for size in sorted(figures.get("ray", {}))]
    if len(ray_legs) > 1:
        ratio = ray_legs[-1]["peak_rss_mb"] / ray_legs[0]["peak_rss_mb"]
        console.print(f"Ray driver's peak RSS {ray_legs[-1]['problems']} / {ray_legs[0]['problems']}: "
                      f"[bold]{ratio:.2f}×[/] (goal ≤ {GOAL_RSS_RATIO}): {'PASS' if ratio <= GOAL_RSS_RATIO else 'MISS'}")
    figures["rss_ratio"] = round(rss_ratio, 3)


if __name__ == "__main__":
    sys.exit(main())
