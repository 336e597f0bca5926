"""Test-generator (ATGEN) reward throughput on the sample's atgen export, side by side in one run
with a bare baseline, as ratios.

    .venv/bin/python benchmarks/atgen_bench.py [--run RUN] [--slots 2] [--repeats 1] [--json FILE]

RUN is a validated run directory (default: runs/demo from `make demo`; else the sample is validated
into a temporary one first). Its `export --format atgen` rows are read back, and per row three
policy-style answers are scored: a test that kills the buggy program (its smallest killing test), a
right but harmless test (a test it passes) and a wrong expected output (the killing input with the
output WRONG); the reward's size cap is raised to MAX_BYTES for the sample's large tests; the first two run both programs, the third only the gold.

Ways, on one Docker sandbox of N slots, over the same answers, in a thread pool of 2N:
- reward: `klear_ct.rl.testgen.score_tests` (parse, the gold's run, the judgement with the problem's
  checker or comparison, the buggy's run where the output is right);
- bare: the same sandbox requests alone: `Sandbox.run(gold, [input])` for every answer and
  `Sandbox.run(buggy, [input])` for the first two kinds, no parsing and no judging: the floor.

A first untimed pass of bare compiles every program (the sandbox's cache), so neither way pays
compilation; the best of `--repeats` rounds is reported. Printed: answers scored per second for
each way, reward / bare, and the share of the reward's sandbox time spent in gold vs buggy runs
(each sample's `gold_ms` and `buggy_ms`). The reward's components must match the answers' kinds
(every killing answer full credit, every harmless one no attack, every wrong one no io credit),
else the script exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reward_bench import klearct, validated_run  # noqa: E402

from klear_ct.rl.scorer import capped_limits  # noqa: E402
from klear_ct.rl.testgen import parse_truth, score_tests  # noqa: E402
from klear_ct.sandbox import open_sandbox  # noqa: E402

WRONG = "-123456789"  # no answer of the sample's problems
MAX_BYTES = 1 << 23  # the sample's killing tests are up to a few MB; a policy's would be far smaller


def atgen_rows(run: Path | None, work: Path) -> list[dict]:
    out = work / "atgen.parquet"
    done = klearct("export", str(validated_run(run, work)), "--format", "atgen", "-o", str(out))
    if done.returncode != 0:
        sys.exit(f"export failed: {done.stderr[-2000:]}")
    return pq.read_table(out).to_pylist()


def answer(test_input: str, output: str) -> str:
    return f"This input exposes the bug.\n\n```input\n{test_input.rstrip()}\n```\n\n```output\n{output.rstrip()}\n```\n"


def workload(rows: list[dict]) -> list[tuple[str, str, str, str]]:
    """(kind, answer, ground truth, input) per answer: kill / harmless / wrong."""
    mix = []
    for row in rows:
        tests, truth, kill = json.loads(row["tests"]), row["reward_model"]["ground_truth"], row["killing_tests"]
        k = min(kill, key=lambda i: len(tests["inputs"][i]))  # the smallest killing test
        mix.append(("kill", answer(tests["inputs"][k], tests["outputs"][k]), truth, tests["inputs"][k]))
        harmless = next((i for i in range(len(tests["inputs"])) if i not in kill), None)
        if harmless is not None:
            mix.append(("harmless", answer(tests["inputs"][harmless], tests["outputs"][harmless]), truth,
                        tests["inputs"][harmless]))
        mix.append(("wrong", answer(tests["inputs"][k], WRONG), truth, tests["inputs"][k]))
    return mix


def bare(sandbox, mix, workers: int) -> None:
    def one(item) -> None:
        kind, _, truth, test_input = item
        gold, buggy, _, judging = parse_truth(truth)
        limits = capped_limits(judging)
        sandbox.run(gold, [test_input], limits)
        if kind != "wrong":
            sandbox.run(buggy, [test_input], limits)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, mix))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", type=Path)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="klearct-atgen-bench-"))
    mix = workload(atgen_rows(args.run, work))
    print(f"{len(mix)} answers ({sum(m[0] == 'kill' for m in mix)} killing, "
          f"{sum(m[0] == 'harmless' for m in mix)} harmless, {sum(m[0] == 'wrong' for m in mix)} wrong output) "
          f"on {len({m[2] for m in mix})} (problem, buggy program) rows, {args.slots} slots, best of {args.repeats}",
          flush=True)
    sandbox = open_sandbox("docker", slots=args.slots)
    workers = 2 * args.slots
    try:
        bare(sandbox, mix, workers)  # compiles every gold and buggy program once; untimed
        best = {"bare": float("inf"), "reward": float("inf")}
        results: list[dict] = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            bare(sandbox, mix, workers)
            best["bare"] = min(best["bare"], time.perf_counter() - start)
            start = time.perf_counter()
            results = score_tests([(m[1], m[2]) for m in mix], sandbox=sandbox, max_bytes=MAX_BYTES)
            best["reward"] = min(best["reward"], time.perf_counter() - start)
    finally:
        sandbox.close()
    wrong = [(m[0], r["detail"]) for m, r in zip(mix, results, strict=True)
             if (m[0] == "kill" and r["score"] != 1.0) or (m[0] == "harmless" and (r["attack"] or not r["io_accuracy"]))
             or (m[0] == "wrong" and (r["io_accuracy"] or r["attack"]))]
    gold_ms, buggy_ms = sum(r["gold_ms"] for r in results), sum(r["buggy_ms"] for r in results)
    rates = {way: len(mix) / seconds for way, seconds in best.items()}
    print(f"bare:   {rates['bare']:7.1f} answers/s ({best['bare']:.1f} s)")
    print(f"reward: {rates['reward']:7.1f} answers/s ({best['reward']:.1f} s), {rates['reward'] / rates['bare']:.2f}x "
          f"bare; of its sandbox request time {gold_ms / (gold_ms + buggy_ms):.0%} gold runs, "
          f"{buggy_ms / (gold_ms + buggy_ms):.0%} buggy runs")
    if args.json:
        args.json.write_text(json.dumps({"answers": len(mix), "seconds": best, "per_second": rates,
                                         "gold_ms": gold_ms, "buggy_ms": buggy_ms, "mismatches": wrong}, indent=2))
    if wrong:
        print(f"{len(wrong)} scores do not match their answers' kinds: {wrong[:5]}")
        sys.exit(1)


if __name__ == "__main__":
    main()
