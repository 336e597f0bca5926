"""Reward throughput on the sample's verl export, side by side in one run, as ratios to a bare baseline.

    .venv/bin/python benchmarks/reward_bench.py [--run RUN] [--slots 2] [--repeats 2] [--max-tests 10]
                                                [--json FILE]

RUN is a validated run directory (default: runs/demo from `make demo`; else the sample is validated
into a temporary one first). Its verl export is written and read back; problems judged by a checker
are left out (the bare baseline has no checker). The completions, each a policy-style answer with one
fenced block, are per problem: every gold (Python and C++: right), its incorrect solutions (wrong or,
where the tests miss them, right), and on every third problem a spinning program (TLE) and a C++ one
that does not compile (CE).

Ways of scoring the same completions, in binary mode (1 when every visible test passes):
- bare: plain subprocesses, no isolation, a thread pool as wide as the slots; C++ compiled once with
  the host g++ and the language table's flags; each test a fresh process with its time limit as a
  timeout; stops at a completion's first failing test, as the reward does;
- scorer: `klear_ct.rl.scorer.score_many` in this process on a Docker sandbox of N slots;
- /score: `klearct serve --slots N` in a child process, POSTs of 8 completions, N at a time;
- /run_code: the same server, SandboxFusion's API one test per request, 2N requests in flight
  (verl's sandbox_fusion client sends one request per test).

Each source gets a new comment per round, so no compile cache is hit across ways or rounds; the
best of `--repeats` rounds is reported. klearct's three ways must agree on every score, else the
script exits 1 (bare's differences are listed: its limit is a wall-clock timeout). Goals (printed
PASS/MISS, not the exit code): /score >= 0.8x bare
completions per second; a spinning completion costs at most its time limit (the problem's times its
language's factor, as the reward judges it) plus 10%.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from klear_ct.judge import get_comparison  # noqa: E402
from klear_ct.model import Program  # noqa: E402
from klear_ct.rl.scorer import extract_code, parse_ground_truth, score, score_many  # noqa: E402
from klear_ct.sandbox import open_sandbox  # noqa: E402
from klear_ct.sandbox.base import RUN_ENV  # noqa: E402
from klear_ct.sandbox.languages import get_language  # noqa: E402
from klear_ct.sandbox.timing import time_factors_of  # noqa: E402
from klear_ct.store import RunStore  # noqa: E402

SPIN = Program(lang="python3", code="while True:\n    pass\n")
BROKEN = Program(lang="cpp17", code="int main( {\n")
GOAL_SCORE_RATIO = 0.8
SCORE_BATCH = 8  # completions per /score request, `slots` requests in flight
GOAL_TLE_OVER = 0.10


def klearct(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *args], capture_output=True, text=True)


def validated_run(run: Path | None, work: Path) -> Path:
    """`run`, else runs/demo when `make demo` made it, else the sample validated into `work`."""
    if run is None:
        run = ROOT / "runs" / "demo"
        if not RunStore.is_run(run):
            run = work / "run"
            print(f"validating datasets/sample into {run} (a few minutes) ...", flush=True)
            done = klearct("validate", str(ROOT / "datasets" / "sample" / "problems.jsonl"), "-o", str(run))
            if done.returncode not in (0, 1):
                sys.exit(f"validate failed: {done.stderr[-2000:]}")
    return run


def exported_rows(run: Path | None, work: Path, max_tests: int) -> tuple[RunStore, list[dict]]:
    run = validated_run(run, work)
    out = work / "verl.parquet"
    done = klearct("export", str(run), "--format", "verl", "-o", str(out), "--max-tests", str(max_tests))
    if done.returncode != 0:
        sys.exit(f"export failed: {done.stderr[-2000:]}")
    return RunStore(run), pq.read_table(out).to_pylist()


def fenced(program: Program, tag: str) -> str:
    comment = "#" if program.lang == "python3" else "//"
    return (f"Here is my solution.\n\n```{get_language(program.lang).fence}\n{comment} {tag}\n"
            f"{program.code.rstrip()}\n```\n")


def workload(store: RunStore, rows: list[dict]) -> list[tuple[str, Program, str, dict]]:
    """(kind, program, ground truth, extra_info) for every completion of the mix."""
    problems = {p.id: p for p in store.problems()}
    mix = []
    for n, row in enumerate(r for r in rows if not json.loads(r["reward_model"]["ground_truth"])["judging"]["checker"]):
        truth, info = row["reward_model"]["ground_truth"], row["extra_info"]
        problem = problems[info["problem_id"]]
        mix += [("gold", gold, truth, info) for gold in problem.gold]
        mix += [("incorrect", wrong.program, truth, info) for wrong in problem.incorrect]
        if n % 3 == 0:
            mix += [("tle", SPIN, truth, info), ("ce", BROKEN, truth, info)]
    return mix


# -- bare -----------------------------------------------------------------------------------------
class Bare:
    """Each completion compiled (C++) and run test by test as plain subprocesses."""

    def __init__(self, work: Path):
        self.work = work

    def binary(self, program: Program, truth: str, info: dict) -> float:
        tests, lang = parse_ground_truth(truth), get_language(program.lang)
        folder = Path(tempfile.mkdtemp(dir=self.work))
        (folder / lang.source_file).write_text(program.code)
        if lang.artifact:
            if subprocess.run(list(lang.compile_cmd), cwd=folder, capture_output=True).returncode != 0:
                return 0.0
        compare = get_comparison(tests.judging.get("comparison") or "lines")
        limit = float(tests.judging.get("time_limit_s") or info.get("time_limit_s") or 2.0)
        for stdin, expected in zip(tests.inputs, tests.outputs, strict=True):
            try:
                done = subprocess.run(list(lang.run_cmd), cwd=folder, input=stdin.encode(), capture_output=True,
                                      timeout=limit, env=RUN_ENV)
            except subprocess.TimeoutExpired:
                return 0.0
            if done.returncode != 0 or not compare(done.stdout.decode(errors="replace"), expected):
                return 0.0
        return 1.0


# -- klearct serve --------------------------------------------------------------------------------
def post(url: str, body: dict, timeout: float = 1800) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())


class Server:
    def __init__(self, slots: int):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, "-m", "klear_ct.cli", "serve", "--port", str(self.port),
                                         "--slots", str(slots)], stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url + "/v1/ping", timeout=2) as answer:
                    if answer.read() == b"pong":
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.log.seek(0)
                    sys.exit(f"klearct serve did not start: {self.log.read().decode()[-2000:]}")
                time.sleep(0.3)

    def close(self) -> None:
        """SIGTERM: the server drains the requests it still runs, removes its containers and exits."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=120)


def run_code_binary(url: str, program: Program, truth: str, info: dict, threads: ThreadPoolExecutor) -> float:
    """As verl's sandbox_fusion client: one /run_code request per test, all of a completion's at once."""
    tests = parse_ground_truth(truth)
    limit = float(tests.judging.get("time_limit_s") or info.get("time_limit_s") or 2.0)
    compare = get_comparison(tests.judging.get("comparison") or "lines")
    language = {"python3": "python", "cpp17": "cpp"}[program.lang]

    def one(stdin: str, expected: str) -> bool:
        answer = post(url + "/run_code", {"code": program.code, "language": language, "stdin": stdin,
                                          "run_timeout": limit, "compile_timeout": 30, "memory_limit_MB": 256})
        run = answer.get("run_result") or {}
        return answer["status"] == "Success" and compare(run.get("stdout") or "", expected)

    return float(all(threads.map(one, tests.inputs, tests.outputs)))


# -- the run --------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", type=Path)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--max-tests", type=int, default=10, help="tests per problem in the export")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="klearct-reward-bench-"))
    try:
        store, rows = exported_rows(args.run, work, args.max_tests)
        mix = workload(store, rows)
        counts = {k: sum(m[0] == k for m in mix) for k in ("gold", "incorrect", "tle", "ce")}
        tests = sum(len(parse_ground_truth(m[2]).inputs) for m in mix)
        print(f"{len(mix)} completions on {len({m[3]['problem_id'] for m in mix})} problems ({counts}), "
              f"{tests} tests in all, {args.slots} slots, best of {args.repeats}", flush=True)
        bare = Bare(work)
        best: dict[str, float] = {}
        scores: dict[str, list[float]] = {}
        server = Server(args.slots)
        try:
            with open_sandbox("docker", slots=args.slots) as sandbox, ThreadPoolExecutor(args.slots) as outer, \
                    ThreadPoolExecutor(args.slots * 2) as per_test:
                ways = {
                    "bare subprocess": lambda texts: list(outer.map(
                        lambda t: bare.binary(extract_code(t[0]), t[1], t[2]), texts)),
                    "scorer (in-process)": lambda texts: [r["score"] for r in score_many(texts, sandbox=sandbox)],
                    "POST /score": lambda texts: [score for chunk in outer.map(
                        lambda part: [r["score"] for r in post(server.url + "/score", {"samples": [
                            {"completion": t[0], "ground_truth": t[1], "extra_info": t[2]} for t in part]})["results"]],
                        [texts[k:k + SCORE_BATCH] for k in range(0, len(texts), SCORE_BATCH)]) for score in chunk],
                    "POST /run_code per test": lambda texts: list(outer.map(
                        lambda t: run_code_binary(server.url, extract_code(t[0]), t[1], t[2], per_test), texts)),
                }
                for round_ in range(args.repeats):
                    for name, way in ways.items():  # rounds interleave the ways: load changes hit all alike
                        texts = [(fenced(p, f"{name} round {round_} #{k}"), truth, info)
                                 for k, (_, p, truth, info) in enumerate(mix)]
                        started = time.monotonic()
                        scores[name] = way(texts)
                        best[name] = min(best.get(name, float("inf")), time.monotonic() - started)
                        print(f"  round {round_ + 1}: {name:24s} {best[name]:6.1f} s", flush=True)
                # /run_code's client gives up on a completion at its first failing test, as verl's does, but
                # the server still runs the tests it was sent: a spinner's keep two cores busy for seconds.
                # The spinner alone is timed once the server has drained them, not beside them.
                server.close()
                # the spinner is Python: its limit is the problem's times Python's time factor, as rewards judge it
                problem_limit = float(json.loads(mix[0][2])["judging"]["time_limit_s"])
                limit = time_factors_of(sandbox).time_limit_s(problem_limit, SPIN.lang)
                spin_costs = {}
                for what, program in (("spinning", SPIN),
                                      ("sleeping", Program(lang="python3", code="import time\ntime.sleep(60)\n"))):
                    for round_ in range(args.repeats):  # the best of the rounds, like every other figure
                        text = fenced(program, f"alone {what} {round_}")
                        sandbox.compile(extract_code(text))
                        started = time.monotonic()
                        result = score(text, mix[0][2], mix[0][3], sandbox=sandbox)
                        spin_costs[what] = min(spin_costs.get(what, float("inf")), time.monotonic() - started)
                        assert result["first_failure_verdict"] == "TLE", result
        finally:
            server.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    reference = scores["scorer (in-process)"]
    disagree = {name: sum(a != b for a, b in zip(s, reference, strict=True)) for name, s in scores.items()}
    base = len(mix) / best["bare subprocess"]
    print(f"\n{'way':26s} {'seconds':>8s} {'completions/s':>14s} {'x bare':>7s}")
    figures = {}
    for name, seconds in best.items():
        rate = len(mix) / seconds
        figures[name] = {"seconds": round(seconds, 2), "completions_per_s": round(rate, 2),
                         "ratio_to_bare": round(rate / base, 3), "scores_differing": disagree[name]}
        print(f"{name:26s} {seconds:8.1f} {rate:14.2f} {rate / base:7.2f}"
              + (f"   {disagree[name]} scores differ from the scorer's" if disagree[name] else ""))
    ratio = figures["POST /score"]["ratio_to_bare"]
    print(f"\n/score vs bare: {ratio:.2f}x  (goal >= {GOAL_SCORE_RATIO}): {'PASS' if ratio >= GOAL_SCORE_RATIO else 'MISS'}")
    for what, seconds in spin_costs.items():
        over = seconds / limit - 1
        goal = f"(goal <= +{GOAL_TLE_OVER:.0%}): {'PASS' if over <= GOAL_TLE_OVER else 'MISS'}" if what == "spinning" else \
            "(decided by the wall clock, 2 x limit + 1 s)"
        print(f"a {what} completion alone: {seconds:.2f} s for its {limit:g} s limit ({problem_limit:g} s × "
              f"{SPIN.lang}'s factor), {over:+.0%} {goal}")
    print(f"passed: {sum(reference):g} of {len(mix)} completions")
    for name, values in scores.items():
        for (kind, program, _, info), mine, theirs in zip(mix, values, reference, strict=True):
            if mine != theirs:
                print(f"  {name}: {kind} {program.lang} on {info['problem_id']} scored {mine:g}, the scorer {theirs:g}")
    if args.json:
        args.json.write_text(json.dumps({"completions": len(mix), "mix": counts, "tests": tests, "slots": args.slots,
                                         "ways": figures, "tle_seconds": spin_costs, "limit_s": limit}, indent=2))
    if any(n for name, n in disagree.items() if name != "bare subprocess"):  # bare judges by the wall clock
        sys.exit("klearct's ways disagree on some scores")


if __name__ == "__main__":
    main()
