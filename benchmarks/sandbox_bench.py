#!/usr/bin/env python3
"""What the sandbox costs: the same programs on the same inputs, bare and through each backend.

    .venv/bin/python benchmarks/sandbox_bench.py [--tests 500] [--slots N] [--backends docker,local]
                                                 [--repeats 3] [--json FILE]

Programs: (a) trivial C++ (read an int, print it doubled); (b) Python that spends ~20 ms
per test in a bare run (start-up plus a calibrated loop over its input); (c) the same Python
program under PyPy 3 (the language table's `pypy3`; left out with a note when the host has no
`pypy3` for the bare run: `apt-get install pypy3`); (d) trivial Java, the C++ program's twin, on a
tenth of the tests (a JVM start costs ~100 ms of CPU; left out without a host `java`): its
overhead column is the sandbox's start-up cost per test above a bare `java` with the same flags.

- bare: plain `subprocess`, no isolation, a thread pool as wide as the sandbox's slots,
  a fresh process per test fed its stdin with communicate(); the C++ and the Java are compiled
  once with the host's g++ and javac and the language table's own commands and flags.
- docker / local: `open_sandbox(backend, slots=N).run(program, inputs, limits)`.

Sandboxes are opened, programs compiled (the compile is cached) and every runner warmed
before any timing; only the run of the N inputs is timed; each measurement is repeated
(rounds interleave the backends, so a change of machine load hits them all alike) and the
best is reported. Every result must be OK and print exactly what the bare run printed, else
the script exits non-zero. The performance goals are printed as PASS/MISS but do not
change the exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from klear_ct.model import Program, RunResult, Verdict
from klear_ct.sandbox import Limits, SandboxError, open_sandbox
from klear_ct.sandbox.base import RUN_ENV
from klear_ct.sandbox.languages import LANGUAGES

CPP_CODE = r"""#include <cstdio>
int main() {
    long long x;
    if (std::scanf("%lld", &x) != 1) return 1;
    std::printf("%lld\n", 2 * x);
    return 0;
}
"""

JAVA_CODE = """import java.io.*;

public class Twice {
    public static void main(String[] args) throws IOException {
        long x = Long.parseLong(new BufferedReader(new InputStreamReader(System.in)).readLine().trim());
        System.out.println(2 * x);
    }
}
"""
JAVA_SHARE = 10  # the Java line runs 1/JAVA_SHARE of the tests

# A linear congruential walk seeded by the input: real work on the input, cheap to check.
PY_TEMPLATE = """import sys

x = int(sys.stdin.readline())
acc = x
for i in range({iters}):
    acc = (acc * 1103515245 + 12345 + i) & 0x7FFFFFFF
print(acc)
"""

GOAL_CPP_OVERHEAD_MS = 1.0  # docker, trivial C++: per-test overhead on one slot above bare (the reward issue)
GOAL_PY_RATIO = 0.8  # docker, ~20 ms Python: throughput relative to bare
PY_TARGET_MS = 20.0
CALIBRATION_ITERS = 100_000

console = Console()
if not console.is_terminal:  # piped or logged: keep the table on one line per row
    console = Console(width=150)


class BenchFailure(Exception):
    pass


def py_reference(x: int, iters: int) -> str:
    acc = x
    for i in range(iters):
        acc = (acc * 1103515245 + 12345 + i) & 0x7FFFFFFF
    return f"{acc}\n"


@dataclass
class Case:
    key: str  # "cpp" | "py" | "pypy" | "java"
    label: str
    program: Program
    inputs: list[str]
    check: callable  # (index, stdout) -> bool: the output is right


@dataclass
class Measurement:
    backend: str
    program: str
    tests: int
    times_s: list[float] = field(default_factory=list)
    cpu_ms_per_test: list[float] = field(default_factory=list)  # as the backend measured it
    wall_ms_per_test: list[float] = field(default_factory=list)  # one process, start to exit

    @property
    def best_s(self) -> float:
        return min(self.times_s)


# -- bare ---------------------------------------------------------------------------------------
class Bare:
    """No isolation: one fresh process per test, `slots` at a time."""

    def __init__(self, slots: int, workdir: Path):
        self.slots = slots
        self.workdir = workdir
        self.pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="bare")
        self.commands: dict[str, tuple[list[str], Path]] = {}

    def prepare(self, case: Case) -> None:
        lang = LANGUAGES[case.program.lang]
        cwd = self.workdir / case.key
        cwd.mkdir()
        (cwd / lang.source_name(case.program.code)).write_text(case.program.code)
        if lang.artifact:
            built = subprocess.run(list(lang.compile_command(case.program.code)), cwd=cwd, env=RUN_ENV,
                                   capture_output=True, text=True)
            if built.returncode != 0:
                raise BenchFailure(f"host compile of {case.label} failed:\n{built.stderr}")
        cmd = list(lang.run_command(Limits().memory_mb))
        if "/" not in cmd[0]:  # resolve as the runner does: on the programs' PATH
            resolved = shutil.which(cmd[0], path=RUN_ENV["PATH"])
            if resolved is None:
                raise BenchFailure(f"{cmd[0]} is not on {RUN_ENV['PATH']}")
            cmd[0] = resolved
        self.commands[case.key] = (cmd, cwd)

    def _one(self, cmd: list[str], cwd: Path, text: str) -> RunResult:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=RUN_ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        out, err = proc.communicate(text.encode())
        wall_ms = (time.perf_counter() - started) * 1000
        code = proc.returncode
        verdict = Verdict.OK if code == 0 else Verdict.RE
        return RunResult(verdict=verdict, stdout=out.decode(errors="replace"), stderr_tail=err.decode(errors="replace"),
                         exit_code=code if code >= 0 else None, signal=-code if code < 0 else None, wall_ms=wall_ms)

    def run(self, case: Case, inputs: list[str]) -> list[RunResult]:
        cmd, cwd = self.commands[case.key]
        return list(self.pool.map(lambda text: self._one(cmd, cwd, text), inputs))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- calibration ----------------------------------------------------------------------------------
def calibrate_py_iters(target_ms: float, samples: int = 15) -> tuple[int, float, float]:
    """Loop length for which one bare `python3 main.py` costs about `target_ms` of CPU.

    CPU time (least of `samples` runs, one at a time) rather than wall time, so that other load
    on the machine moves the calibration little. Returns (iterations, start-up ms, ns/iteration).
    """
    python = shutil.which("python3", path=RUN_ENV["PATH"])
    if python is None:
        raise BenchFailure(f"python3 is not on {RUN_ENV['PATH']}")

    def least_cpu_ms(iters: int) -> float:
        with tempfile.TemporaryDirectory(prefix="klearct-bench-cal-") as tmp:
            src = Path(tmp) / "main.py"
            src.write_text(PY_TEMPLATE.format(iters=iters))
            best = float("inf")
            for _ in range(samples):
                before = children_cpu_s()
                subprocess.run([python, str(src)], input=b"12345\n", capture_output=True, env=RUN_ENV, check=True)
                best = min(best, (children_cpu_s() - before) * 1000)
            return best

    startup_ms = least_cpu_ms(0)
    loop_ms = max(0.1, least_cpu_ms(CALIBRATION_ITERS) - startup_ms)
    iters = max(1000, round((target_ms - startup_ms) / loop_ms * CALIBRATION_ITERS, -3))
    return int(iters), startup_ms, loop_ms / CALIBRATION_ITERS * 1e6  # ns per iteration


# -- checking -------------------------------------------------------------------------------------
def check_results(backend: str, case: Case, results: list[RunResult], reference: list[str] | None,
                  count: int | None = None) -> list[str]:
    """Problems with a batch of the first `count` inputs: not OK, wrong output, or different from bare."""
    problems = []
    count = len(case.inputs) if count is None else count
    if len(results) != count:
        return [f"{backend}/{case.key}: {len(results)} results for {count} inputs"]
    for i, result in enumerate(results):
        where = f"{backend}/{case.key} test {i} (input {case.inputs[i].strip()!r})"
        if result.verdict != Verdict.OK:
            problems.append(f"{where}: {result.verdict} {result.message} {result.stderr_tail.strip()[-200:]}")
        elif not case.check(i, result.stdout):
            problems.append(f"{where}: wrong output {result.stdout[:80]!r}")
        elif reference is not None and result.stdout != reference[i]:
            problems.append(f"{where}: printed {result.stdout[:80]!r}, bare printed {reference[i][:80]!r}")
    return problems


# -- the benchmark --------------------------------------------------------------------------------
def make_cases(tests: int, py_iters: int) -> list[Case]:
    values = [(i * 7919 + 17) % 1_000_003 for i in range(tests)]
    inputs = [f"{v}\n" for v in values]
    py_spot = {i: py_reference(values[i], py_iters) for i in range(0, tests, max(1, tests // 25))}

    def cpp_ok(i: int, out: str) -> bool:
        return out == f"{2 * values[i]}\n"

    def py_ok(i: int, out: str) -> bool:
        # a well-formed int everywhere; the exact value against an in-process reference on a sample
        return out.strip().isdigit() and py_spot.get(i, out) == out

    return [
        Case("cpp", "C++ trivial", Program(lang="cpp17", code=CPP_CODE), inputs, cpp_ok),
        Case("py", f"Python ~{PY_TARGET_MS:.0f} ms",
             Program(lang="python3", code=PY_TEMPLATE.format(iters=py_iters)), inputs, py_ok),
        Case("pypy", "the same, PyPy 3", Program(lang="pypy3", code=PY_TEMPLATE.format(iters=py_iters)), inputs,
             py_ok),
        Case("java", "Java trivial", Program(lang="java17", code=JAVA_CODE), inputs[: max(1, tests // JAVA_SHARE)],
             cpp_ok),
    ]


def run_benchmark(args) -> int:
    slots = args.slots or os.cpu_count() or 1
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for b in backends:
        if b not in ("docker", "local"):
            raise SystemExit(f"unknown backend {b!r}: choose from docker, local")
    limits = Limits()

    if args.py_iters:
        py_iters, startup_ms, ns_per_iter = args.py_iters, float("nan"), float("nan")
    else:
        with console.status("calibrating the Python loop"):
            py_iters, startup_ms, ns_per_iter = calibrate_py_iters(PY_TARGET_MS)
    cases = make_cases(args.tests, py_iters)
    if shutil.which("pypy3", path=RUN_ENV["PATH"]) is None:
        cases = [c for c in cases if c.key != "pypy"]
        console.print("[yellow]no pypy3 on this host: the PyPy line is left out (apt-get install pypy3)[/]")
    if shutil.which("javac", path=RUN_ENV["PATH"]) is None:
        cases = [c for c in cases if c.key != "java"]
        console.print("[yellow]no javac on this host: the Java line is left out "
                      "(apt-get install openjdk-17-jdk-headless)[/]")
    args.py_iters_used = py_iters
    console.print(f"[bold]sandbox benchmark[/]: {args.tests} tests, {slots} slots, backends bare,"
                  f"{','.join(backends)}, best of {args.repeats}; host {platform.node()} "
                  f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})")
    busy = os.getloadavg()[0]
    if busy > 0.5 * (os.cpu_count() or 1):
        console.print(f"[yellow]warning: the machine is already busy (1-minute load {busy:.2f} on "
                      f"{os.cpu_count()} CPUs) before the benchmark starts; timings will be noisy[/]")
    if not args.py_iters:
        console.print(f"Python loop calibrated on CPU time: interpreter start-up {startup_ms:.1f} ms, "
                      f"{ns_per_iter:.0f} ns/iteration -> {py_iters} iterations")

    measurements: dict[tuple[str, str], Measurement] = {}
    failures: list[str] = []
    reference: dict[str, list[str]] = {}

    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory(prefix="klearct-bench-") as tmp:
        # -- warm-up: start everything, compile, run each runner once; none of it is timed
        bare = Bare(slots, Path(tmp))
        stack.callback(bare.close)
        runners: dict[str, object] = {"bare": bare}
        for backend in backends:
            with console.status(f"starting the {backend} sandbox ({slots} slots)"):
                try:
                    runners[backend] = stack.enter_context(open_sandbox(backend, slots=slots))
                except SandboxError as e:
                    console.print(f"[red]cannot open the {backend} sandbox:[/] {e}")
                    return 2
        with console.status("compiling and warming up"):
            for case in cases:
                bare.prepare(case)
                warm = case.inputs[: max(1, 2 * slots)]
                results = bare.run(case, warm)
                failures += check_results("bare(warm-up)", case, results, None, len(warm))
                for backend in backends:
                    sandbox = runners[backend]
                    compiled = sandbox.compile(case.program)
                    if compiled.error is not None:
                        failures.append(f"{backend}/{case.key}: compile failed: {compiled.error.message} "
                                        f"{compiled.error.stderr_tail[-500:]}")
                        continue
                    failures += check_results(f"{backend}(warm-up)", case, sandbox.run(case.program, warm, limits),
                                              None, len(warm))
        if failures:
            return report_failures(failures)

        # -- timed rounds, backends interleaved
        order = ["bare", *backends]
        for round_no in range(args.repeats):
            for case in cases:
                for backend in order:
                    label = f"round {round_no + 1}/{args.repeats}: {backend} / {case.key}"
                    with console.status(label):
                        cpu_before = children_cpu_s()
                        started = time.perf_counter()
                        if backend == "bare":
                            results = bare.run(case, case.inputs)
                        else:
                            results = runners[backend].run(case.program, case.inputs, limits)
                        elapsed = time.perf_counter() - started
                        cpu_children = children_cpu_s() - cpu_before
                    m = measurements.setdefault((backend, case.key), Measurement(backend, case.key, len(case.inputs)))
                    m.times_s.append(elapsed)
                    n = max(1, len(results))
                    cpu = cpu_children * 1000 / n if backend == "bare" else sum(r.cpu_ms for r in results) / n
                    m.cpu_ms_per_test.append(cpu)
                    m.wall_ms_per_test.append(sum(r.wall_ms for r in results) / n)
                    if backend == "bare":
                        failures += check_results("bare", case, results, None)
                        reference.setdefault(case.key, [r.stdout for r in results])
                    failures += check_results(backend, case, results, reference.get(case.key))
                    console.log(f"{label}: {elapsed:.3f} s")

    if "docker" in backends:
        failures += leftover_containers()
    print_table(measurements, cases, order, slots, args)
    console.print(f"1-minute load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
                  "(other work on the machine inflates every row, bare included)")
    if args.json:
        write_json(Path(args.json), measurements, cases, order, slots, args, py_iters, failures)
    if failures:
        return report_failures(failures)
    console.print(f"[green]all {len(measurements) * args.tests * args.repeats} timed results OK and equal to bare[/]")
    return 0


def leftover_containers() -> list[str]:
    """The docker sandbox is closed by now: none of this process's containers may remain."""
    from klear_ct.sandbox.docker_backend import LABEL, OWNER_LABEL, connect, owner_id

    mine = connect().containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner_id()}"})
    mine = [c for c in mine if LABEL in c.labels]
    return [f"container {c.short_id} ({c.status}) left after the docker sandbox was closed" for c in mine]


def report_failures(failures: list[str]) -> int:
    console.print(f"[bold red]FAILED: {len(failures)} result(s) not OK or not equal to bare[/]")
    for line in failures[:20]:
        console.print(Text(f"  {line}", style="red"))
    if len(failures) > 20:
        console.print(f"  ... and {len(failures) - 20} more")
    return 1


def derived(measurements, backend: str, key: str, slots: int) -> dict:
    m = measurements[(backend, key)]
    bare = measurements[("bare", key)]
    return {
        "best_s": m.best_s,
        "tests_per_s": m.tests / m.best_s,
        "ratio_to_bare": bare.best_s / m.best_s,
        "overhead_ms_per_test_slot": (m.best_s - bare.best_s) / m.tests * slots * 1000,
        "cpu_ms_per_test": min(m.cpu_ms_per_test),
        "wall_ms_per_test": min(m.wall_ms_per_test),
    }


def goals(measurements, slots: int) -> list[tuple[str, str, float | None, bool | None]]:
    out = []
    if ("docker", "cpp") in measurements:
        v = derived(measurements, "docker", "cpp", slots)["overhead_ms_per_test_slot"]
        out.append(("docker overhead above bare, trivial C++", f"< {GOAL_CPP_OVERHEAD_MS:g} ms/test", v,
                    v < GOAL_CPP_OVERHEAD_MS))
    else:
        out.append(("docker overhead above bare, trivial C++", f"< {GOAL_CPP_OVERHEAD_MS:g} ms/test", None, None))
    if ("docker", "py") in measurements:
        v = derived(measurements, "docker", "py", slots)["ratio_to_bare"]
        out.append((f"docker throughput, ~{PY_TARGET_MS:g} ms Python", f">= {GOAL_PY_RATIO:g}x bare", v,
                    v >= GOAL_PY_RATIO))
    else:
        out.append((f"docker throughput, ~{PY_TARGET_MS:g} ms Python", f">= {GOAL_PY_RATIO:g}x bare", None, None))
    return out


def print_table(measurements, cases, order, slots, args) -> None:
    table = Table(title=f"sandbox overhead: {args.tests} tests, {slots} slots, best of {args.repeats}")
    for name, justify in (("backend", "left"), ("program", "left"), ("tests", "right"), ("seconds", "right"),
                          ("tests/s", "right"), ("x bare", "right"), ("overhead ms/test", "right"),
                          ("all runs (s)", "right"), ("cpu ms/test", "right"), ("wall ms/test", "right")):
        table.add_column(name, justify=justify)
    for case in cases:
        for backend in order:
            if (backend, case.key) not in measurements:
                continue
            m = measurements[(backend, case.key)]
            d = derived(measurements, backend, case.key, slots)
            overhead = "-" if backend == "bare" else f"{d['overhead_ms_per_test_slot']:+.2f}"
            table.add_row(backend, case.label, str(m.tests), f"{d['best_s']:.3f}", f"{d['tests_per_s']:.1f}",
                          f"{d['ratio_to_bare']:.2f}", overhead, " ".join(f"{t:.2f}" for t in m.times_s),
                          f"{d['cpu_ms_per_test']:.2f}", f"{d['wall_ms_per_test']:.2f}")
        table.add_section()
    console.print(table)
    console.print(f"C++ trivial: reads an int, prints it doubled; bare binary built with "
                  f"`{LANGUAGES['cpp17'].flags}`.", highlight=False)
    console.print(f"Python ~{PY_TARGET_MS:g} ms: `{' '.join(LANGUAGES['python3'].run_cmd)}` "
                  f"running a {args.py_iters_used}-step LCG walk seeded by the input.", highlight=False)
    if any(case.key == "pypy" for case in cases):
        console.print(f"the same, PyPy 3: `{' '.join(LANGUAGES['pypy3'].run_cmd)}` on that program (JIT: the loop is "
                      "cheap, the interpreter's start-up is not).", highlight=False)
    java = next((case for case in cases if case.key == "java"), None)
    if java:
        console.print(f"Java trivial: the C++ program in Java, {len(java.inputs)} tests; bare and sandboxed alike "
                      f"`{' '.join(LANGUAGES['java17'].run_command(Limits().memory_mb))}` (the overhead column is "
                      "the sandbox's start-up cost per test above bare `java`).", highlight=False)
    py_bare = measurements.get(("bare", "py"))
    if py_bare:
        console.print(f"Python program, bare: mean {min(py_bare.wall_ms_per_test):.2f} ms wall and "
                      f"{min(py_bare.cpu_ms_per_test):.2f} ms CPU per test (one process, start to exit; "
                      f"best round)")
    console.print(
        "seconds: wall clock of the run of all tests, best of the repeats (sandbox started, program compiled "
        "and runner warm before timing).\n"
        "x bare: throughput relative to bare = t_bare / t_backend.\n"
        "overhead ms/test = (t_backend - t_bare) / tests * slots * 1000: the wall-clock seconds the backend "
        "needs above bare, divided by the tests, times the parallel slots, i.e. the extra cost of one test "
        "on one slot.\n"
        "cpu ms/test: bare = CPU of the child processes (getrusage); sandboxes = the runner's measure of the "
        "program. wall ms/test: one program from start to exit (bare: Popen to communicate() return; "
        "sandboxes: as the runner measured it).",
        highlight=False)
    for name, goal, value, ok in goals(measurements, slots):
        if ok is None:
            console.print(f"goal {name} {goal}: [yellow]not measured[/]")
        else:
            shown = f"{value:+.2f} ms/test" if "overhead" in name else f"{value:.2f}x bare"
            console.print(f"goal {name} {goal}: {shown} -> " + ("[bold green]PASS[/]" if ok else "[bold red]MISS[/]"))


def write_json(path: Path, measurements, cases, order, slots, args, py_iters, failures) -> None:
    rows = []
    for case in cases:
        for backend in order:
            if (backend, case.key) in measurements:
                m = measurements[(backend, case.key)]
                rows.append({**asdict(m), "label": case.label, **derived(measurements, backend, case.key, slots)})
    doc = {
        "tests": args.tests, "slots": slots, "repeats": args.repeats, "best_of": args.repeats,
        "py_iters": py_iters, "host": platform.node(), "cpus": os.cpu_count(),
        "overhead_formula": "(t_backend - t_bare) / tests * slots * 1000",
        "results": rows,
        "goals": [{"name": n, "goal": g, "value": v, "pass": ok} for n, g, v, ok in goals(measurements, slots)],
        "ok": not failures, "failures": failures[:100],
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    console.print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=500, help="inputs per program (default 500)")
    parser.add_argument("--slots", type=int, default=None, help="parallel slots (default: CPU count)")
    parser.add_argument("--backends", default="docker,local", help="sandbox backends to compare with bare")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per measurement; the best is shown")
    parser.add_argument("--py-iters", type=int, default=None,
                        help=f"loop length of the Python program (default: calibrated to ~{PY_TARGET_MS:g} ms bare)")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.tests < 1 or args.repeats < 1:
        parser.error("--tests and --repeats must be at least 1")
    def on_term(signum, frame):
        raise KeyboardInterrupt  # unwind through the `with` blocks: sandboxes closed, containers removed

    signal.signal(signal.SIGTERM, on_term)
    try:
        return run_benchmark(args)
    except BenchFailure as e:
        console.print(f"[bold red]FAILED:[/] {e}")
        return 1
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; sandboxes closed[/]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
