#!/usr/bin/env python3
"""`klearct validate --executor ray` on a local two-node Ray cluster: its seconds and problems/s.

    .venv/bin/python benchmarks/ray_cluster.py PROBLEMS [--slots 2] [--json FILE]

Run as a script, side by side in one run: the same problems through the local executor (`--slots`
on this machine) and through the Ray executor, each in a fresh run directory with an empty compile
cache, and Ray's cost per problem as the difference. `ray_leg` is what benchmarks/scale_bench.py
calls for its ray leg. The cluster (klear_ct/executor/
cluster.py, the one the tests use) is a head and a worker node on this machine, `slots` CPUs
between them, started before the clock and stopped after it; Ray and the driver run in verl's venv
(`make rl-venv`; KLEARCT_RAY_PYTHON names another Python with Ray). The timed part is what a user
waits for: the driver's connection, one sandbox per node, the problems, the writes.
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
sys.path.insert(0, str(ROOT / "benchmarks"))
from scale_bench import run_klearct  # noqa: E402

from klear_ct.executor.cluster import local_cluster  # noqa: E402

RAY_PYTHON = Path(os.environ.get("KLEARCT_RAY_PYTHON", ROOT / "build" / "venv-verl" / "bin" / "python"))


def ray_leg(problems: Path, workdir: Path, slots: int = 2) -> dict:
    """Validates `problems` into workdir/run through --executor ray; seconds, problems/s, per node."""
    if not RAY_PYTHON.exists():
        raise SystemExit(f"{RAY_PYTHON} is missing: run `make rl-venv` (or set KLEARCT_RAY_PYTHON)")
    per_node = max(1, slots // 2)
    began = time.perf_counter()
    with local_cluster(RAY_PYTHON, head_cpus=per_node, worker_cpus=per_node) as cluster:
        started = time.perf_counter()
        env = {**cluster.env(), "KLEARCT_CACHE_DIR": str(workdir / "compile-cache")}
        seconds, peak_kb, summary = run_klearct(["validate", str(problems), "-o", str(workdir / "run"), "--executor",
                                                 "ray", "--ray-address", cluster.address], env, workdir,
                                                python=str(cluster.python), ok_codes=(0, 1))
    return {"problems": summary["done"], "tests": summary["tests"], "failed": summary["failed"],
            "seconds": round(seconds, 2), "problems_per_s": round(summary["done"] / seconds, 2),
            "cluster_start_s": round(started - began, 2), "slots": per_node * 2,
            "peak_rss_mb": round(peak_kb / 1024, 1),  # the driver's: the nodes' actors are Ray's processes
            "problems_per_node": sorted(node["problems"] for node in summary["nodes"].values())}


def local_leg(problems: Path, workdir: Path, slots: int = 2) -> dict:
    """The baseline: the same validate through the local executor, in this Python."""
    env = {**os.environ, "KLEARCT_CACHE_DIR": str(workdir / "compile-cache")}
    seconds, _, summary = run_klearct(["validate", str(problems), "-o", str(workdir / "run"), "--slots", str(slots)],
                                      env, workdir, ok_codes=(0, 1))
    return {"problems": summary["done"], "tests": summary["tests"], "failed": summary["failed"],
            "seconds": round(seconds, 2), "problems_per_s": round(summary["done"] / seconds, 2), "slots": slots}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("problems", type=Path)
    parser.add_argument("--slots", type=int, default=2, help="sandbox slots, half on each node")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="klearct-ray-bench-") as tmp:
        (Path(tmp) / "local").mkdir()
        (Path(tmp) / "ray").mkdir()
        local = local_leg(args.problems.resolve(), Path(tmp) / "local", args.slots)
        ray = ray_leg(args.problems.resolve(), Path(tmp) / "ray", args.slots)
    if (ray["tests"], ray["failed"]) != (local["tests"], local["failed"]):
        raise SystemExit(f"the two runs differ: local {local}, ray {ray}")
    figures = {"local": local, "ray": ray, "ray_over_local": round(ray["seconds"] / local["seconds"], 2),
               "ray_cost_ms_per_problem": round((ray["seconds"] - local["seconds"]) * 1000 / ray["problems"], 1)}
    print(json.dumps(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
