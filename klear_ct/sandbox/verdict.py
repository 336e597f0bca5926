"""The one place that turns what the runner measured into how a run ended.

Whether the output of a run that ended OK is right is decided by `klear_ct.judge`."""

from __future__ import annotations

import re
import signal as signals

from klear_ct.model import RunResult, Verdict
from klear_ct.sandbox.harnesses import FAILURE
from klear_ct.sandbox.limits import NEAR_LIMIT, Limits

# what a program prints when an allocation fails under the address-space limit
OUT_OF_MEMORY = re.compile(r"MemoryError|std::bad_alloc|Cannot allocate memory|out of memory|mmap.*failed")
# the JVM reports a thread refused by the process limit as an OutOfMemoryError: that is no memory limit
THREAD_REFUSED = re.compile(r"unable to create (?:new )?native thread")


WALL_CLOCK = "wall clock over"


def hit_wall_clock(run: RunResult) -> bool:
    """A TLE given by the wall clock alone (a sleeper, or a loaded machine), not by CPU time."""
    return run.verdict == Verdict.TLE and run.message.startswith(WALL_CLOCK)


def near_limit(run: RunResult) -> bool:
    """A run whose CPU time is within NEAR_LIMIT of its limit, either side: an OK (or judged) run
    close under it, or a TLE that ended by itself in the overrun a problem's runs get. A run the
    CPU limit stopped went past the overrun: a real overshoot, not a near miss."""
    if run.time_limit_ms is None or hit_wall_clock(run):
        return False
    if run.verdict not in (Verdict.OK, Verdict.WA, Verdict.JF, Verdict.TLE):
        return False
    return abs(run.cpu_ms - run.time_limit_ms) <= NEAR_LIMIT * run.time_limit_ms


def just_over(run: RunResult) -> bool:
    """A TLE by less than NEAR_LIMIT of CPU time: worth a second run before it is final."""
    return run.verdict == Verdict.TLE and near_limit(run)


def signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


def harness_failure(stderr: str) -> str | None:
    """The line a function harness (sandbox/harnesses.py) wrote when it could not call the solution."""
    return next((line for line in reversed(stderr.splitlines()) if line.startswith(FAILURE)), None)


def decide_verdict(raw: dict, limits: Limits) -> RunResult:
    """`raw` is one line of the runner's answer (see runner.py), or a fault the host recorded."""
    sig, code = raw.get("signal"), raw.get("exit_code")
    cpu_ms, peak_kb = float(raw.get("cpu_ms") or 0), int(raw.get("peak_kb") or 0)
    stderr = raw.get("stderr_tail") or ""
    failed = bool(sig) or code != 0

    def result(verdict: Verdict, message: str = "") -> RunResult:
        return RunResult(
            verdict=verdict, stdout=raw.get("stdout") or "", stderr_tail=stderr, exit_code=code, signal=sig,
            cpu_ms=cpu_ms, wall_ms=float(raw.get("wall_ms") or 0), peak_kb=peak_kb, message=message,
            time_limit_ms=round(limits.time_s * 1000, 3),
        )

    if raw.get("not_run"):
        return result(Verdict.SKIP, "not run: an earlier test failed")
    if raw.get("sandbox_error"):
        return result(Verdict.SE, raw["sandbox_error"])
    if raw.get("broke_sandbox"):
        return result(Verdict.RE, raw["broke_sandbox"])
    if code == 127 and raw.get("error") and not raw.get("memory_exceeded"):
        return result(Verdict.SE, f"could not start the program: {raw['error']}")
    if raw.get("container_oom"):
        return result(Verdict.MLE, "the sandbox ran out of memory")
    if raw.get("timed_out"):
        return result(Verdict.TLE, f"{WALL_CLOCK} {limits.wall_s:g}s")
    if cpu_ms > limits.time_s * 1000 or sig == signals.SIGXCPU:
        return result(Verdict.TLE, f"CPU time {cpu_ms:.0f} ms over {limits.time_s * 1000:.0f} ms")
    if raw.get("memory_exceeded"):
        return result(Verdict.MLE, raw.get("error") or f"the run's processes held over {limits.memory_mb} MB together")
    if peak_kb > limits.memory_mb * 1024:
        return result(Verdict.MLE, f"peak memory {peak_kb // 1024} MB over {limits.memory_mb} MB")
    if failed and THREAD_REFUSED.search(stderr):
        return result(Verdict.RE, "could not start a thread: the process limit")
    if failed and OUT_OF_MEMORY.search(stderr):
        return result(Verdict.MLE, "allocation failed at the memory limit")
    if raw.get("output_exceeded"):
        return result(Verdict.OLE, f"output over {limits.output_bytes} bytes")
    if sig:
        return result(Verdict.RE, f"killed by {signal_name(sig)}")
    if code != 0:
        return result(Verdict.RE, harness_failure(stderr) or f"exit code {code}")
    if raw.get("error"):
        return result(Verdict.RE, raw["error"])
    return result(Verdict.OK)
