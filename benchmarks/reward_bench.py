"""Reward throughput: klearct's scorer (in-process, and through `klearct serve` /score) beside a
bare baseline, `Sandbox.run` on the same programs and inputs with no extraction or judging,
all in the same run on the same sandbox settings.

    .venv/bin/python benchmarks/reward_bench.py [--completions 48] [--tests 20] [--slots 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from klear_ct.model import Program  # noqa: E402
from klear_ct.rl.scorer import extract_code, score_many  # noqa: E402
from klear_ct.sandbox import Limits, open_sandbox  # noqa: E402

RIGHT = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
WRONG = "import sys\nprint(sum(map(int, sys.stdin.read().split())) + 1)\n"
CPP = "#include <cstdio>\nint main(){long long s=0,x;while(scanf(\"%lld\",&x)==1)s+=x;printf(\"%lld\\n\",s);}\n"


def completions(n: int) -> list[str]:
    """Distinct programs (a comment makes each its own source, as a policy's samples are)."""
    out = []
    for k in range(n):
        code, tag = [(RIGHT, "python"), (WRONG, "python"), (CPP, "cpp")][k % 3]
        comment = "#" if tag == "python" else "//"
        out.append(f"Solution {k}:\n```{tag}\n{comment} sample {k}\n{code}```\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--completions", type=int, default=48)
    parser.add_argument("--tests", type=int, default=20)
    parser.add_argument("--slots", type=int, default=2)
    args = parser.parse_args()
    inputs = [" ".join(str(k * j) for j in range(1, 200)) + "\n" for k in range(args.tests)]
    outputs = [f"{sum(k * j for j in range(1, 200))}\n" for k in range(args.tests)]
    truth = json.dumps({"inputs": inputs, "outputs": outputs})
    texts = completions(args.completions)
    limits = Limits(time_s=2, memory_mb=256)
    figures = {}
    with open_sandbox("docker", slots=args.slots) as sandbox:
        programs = [extract_code(t) for t in texts]
        bare = [Program(lang=p.lang, code=p.code + ("\n# bare\n" if p.lang == "python3" else "\n// bare\n"))
                for p in programs]
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.slots * 2) as threads:  # as score_many does
            list(threads.map(lambda p: sandbox.run(p, inputs, limits), bare))
        figures["bare Sandbox.run (same threads)"] = time.monotonic() - start
        start = time.monotonic()
        results = score_many([(t, truth, None) for t in texts], sandbox=sandbox)
        figures["scorer score_many (in-process)"] = time.monotonic() - start
        assert [r["score"] for r in results] == [float(k % 3 != 1) for k in range(len(texts))]
    from test_rl_server import call, running_server

    with running_server("--slots", str(args.slots)) as (url, _):
        served = [t.replace(" sample ", " served ") for t in texts]  # new sources: no compile cache hits
        start = time.monotonic()
        status, answer = call(url, "/score", {"samples": [{"completion": t, "ground_truth": truth} for t in served]},
                              key=None, timeout=900)
        figures["klearct serve /score (one request)"] = time.monotonic() - start
        assert status == 200 and len(answer["results"]) == len(texts)
    runs = args.completions * args.tests
    print(f"{args.completions} completions x {args.tests} tests = {runs} runs, {args.slots} slots, every source new")
    for name, seconds in figures.items():
        print(f"  {name:38s} {seconds:7.1f} s  {args.completions / seconds:6.1f} completions/s  "
              f"{runs / seconds:7.1f} runs/s")


if __name__ == "__main__":
    main()
