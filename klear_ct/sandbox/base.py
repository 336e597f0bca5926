"""The Sandbox interface: compile once, run a program on a batch of inputs, one result each.

A backend implements `_call_runner`: send one request to the in-sandbox runner and
return the lines it answered plus, when the call broke off, why. Everything else
(compile cache, splitting batches over slots, retrying a run that broke the sandbox,
verdicts) lives here, so a new backend touches one file.
"""

from __future__ import annotations

import base64
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from klear_ct.errors import KlearctError
from klear_ct.model import Program, RunResult, Verdict
from klear_ct.sandbox.artifacts import ArtifactCache, CompiledProgram
from klear_ct.sandbox.languages import Language, get_language
from klear_ct.sandbox.limits import CompileLimits, Limits
from klear_ct.sandbox.timing import CALIBRATION_RUNS, REFERENCE_LANG, REFERENCE_PROGRAM, TimeFactors, calibrated
from klear_ct.sandbox.verdict import decide_verdict

COMPILE_LOCK_STRIPES = 64
RUN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
           "PYTHONDONTWRITEBYTECODE": "1"}


class SandboxError(KlearctError, RuntimeError):
    """The sandbox itself cannot work (no engine, no image); not a verdict about a program."""


@dataclass
class RunnerReply:
    lines: list[dict] = field(default_factory=list)  # one per finished input, in order
    fault: str | None = None  # why the call broke off before answering every input
    oom: bool = False  # the sandbox's memory cgroup killed something
    sandbox_failed: bool = False  # the fault is the sandbox's own (engine, exec), not the program's
    dirty: bool = False  # a run left files the runner could not remove: replace the sandbox
    stopped: bool = False  # the runner left the rest unrun after a failure (stop_after_failure)


def parse_runner_output(out: bytes) -> RunnerReply:
    reply = RunnerReply()
    finished = False
    for text in out.splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            reply.fault = "the runner answered something that is not JSON"
            return reply
        if line.get("done"):
            finished = True
            reply.dirty = bool(line.get("dirty"))
            reply.stopped = bool(line.get("stopped"))
        elif "i" in line:
            reply.lines.append(line)
    if not finished:
        reply.fault = "the runner stopped before answering every input"
    return reply


@dataclass(frozen=True)
class Job:
    """One run of a batch: its stdin and, optionally, files of its own (already encoded)."""

    stdin: str
    files: dict | None = None


def encode_files(files: dict[str, bytes], executable: set[str] = frozenset()) -> dict:
    return {name: {"b64": base64.b64encode(data).decode(), "mode": 0o755 if name in executable else 0o644}
            for name, data in files.items()}


class Sandbox(ABC):
    kind = "abstract"

    def __init__(self, slots: int, cache: ArtifactCache | None = None, batch_size: int = 128,
                 compile_limits: CompileLimits | None = None, time_factors: TimeFactors | None = None):
        self.slots = max(1, slots)
        self.batch_size = batch_size
        self.cache = cache or ArtifactCache()
        self.compile_limits = compile_limits or CompileLimits()
        self.time_factors = time_factors or TimeFactors()
        self._executor = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix=f"{self.kind}-slot")
        # one program is compiled once even when asked for at once; striped, so that the locks do
        # not grow with the number of programs a long batch compiles
        self._compile_locks = [threading.Lock() for _ in range(COMPILE_LOCK_STRIPES)]

    # -- what a backend provides -------------------------------------------------------------
    @abstractmethod
    def _call_runner(self, request: dict, watchdog_s: float) -> RunnerReply: ...

    @abstractmethod
    def toolchain_id(self) -> str:
        """Identifies the compilers, so cached binaries are never reused across them."""

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def calibrate(self, reference_cpu_ms: float | None = None) -> TimeFactors:
        """Measure the machine factor with the reference program (sandbox/timing.py) and use it."""
        runs = self.run(Program(lang=REFERENCE_LANG, code=REFERENCE_PROGRAM), [""] * CALIBRATION_RUNS,
                        Limits(time_s=10))
        times = [r.cpu_ms for r in runs if r.verdict == Verdict.OK and r.cpu_ms > 0]
        if not times:
            raise SandboxError(f"calibration: the reference program did not run: {runs[0].verdict.value} "
                               f"{runs[0].message}".rstrip())
        self.time_factors = calibrated(self.time_factors, times, reference_cpu_ms)
        return self.time_factors

    # -- compile -----------------------------------------------------------------------------
    def compile(self, program: Program) -> CompiledProgram:
        lang = get_language(program.lang)
        key = self.cache.key(self.toolchain_id(), lang.name, lang.flags, program.code)
        with self._compile_locks[int(key[:8], 16) % COMPILE_LOCK_STRIPES]:
            cached = self.cache.get(key)
            if cached is not None:
                return cached
            compiled = self._compile_uncached(lang, program)
            if compiled.error is None or compiled.error.verdict == Verdict.CE:
                self.cache.put(key, compiled)  # system errors are not cached
            return compiled

    def _compile_uncached(self, lang: Language, program: Program) -> CompiledProgram:
        source = {lang.source_name(program.code): program.code.encode("utf-8", errors="surrogateescape")}
        limits = self.compile_limits
        request = {"action": "compile", "files": encode_files(source), "cmd": list(lang.compile_command(program.code)),
                   "collect": lang.artifact, "limits": limits.for_runner(lang), "env": RUN_ENV}
        reply = self._call_runner(request, watchdog_s=limits.time_s * 2 + 30)
        if not reply.lines:
            error = RunResult(verdict=Verdict.SE, message=reply.fault or "no answer from the sandbox")
            return CompiledProgram(lang.name, {}, error=error)
        raw = reply.lines[0]
        if raw.get("exit_code") == 127 and not raw.get("timed_out"):
            # "command not found" from the shell, or no such program to exec: the sandbox lacks the
            # toolchain (a local backend's host without a JDK, say). Not the program's fault, not cached.
            found = (raw.get("error") or raw.get("stderr_tail") or "").strip()[-300:]
            return CompiledProgram(lang.name, {}, error=RunResult(
                verdict=Verdict.SE, message=f"{lang.display_name}'s compiler is missing from this sandbox: {found}"))
        ok = raw.get("exit_code") == 0 and not raw.get("timed_out")
        if ok and lang.artifact and "artifact_b64" not in raw:
            ok, raw["error"] = False, raw.get("error") or "the compiler produced no program"
        if not ok:
            why = "compilation timed out" if raw.get("timed_out") else (raw.get("error") or "compilation failed")
            message = (raw.get("stderr_tail") or raw.get("stdout") or "").strip()
            message = f"{why}\n{message}" if raw.get("timed_out") or raw.get("signal") or not message else message
            return CompiledProgram(lang.name, {}, error=RunResult(
                verdict=Verdict.CE, stderr_tail=message[-limits.message_bytes:], exit_code=raw.get("exit_code"),
                signal=raw.get("signal"), cpu_ms=raw.get("cpu_ms", 0), wall_ms=raw.get("wall_ms", 0),
                peak_kb=raw.get("peak_kb", 0), message=why))
        if lang.artifact:
            files = {lang.artifact: base64.b64decode(raw["artifact_b64"])}
            return CompiledProgram(lang.name, files, executable={lang.artifact})
        return CompiledProgram(lang.name, source)

    # -- run ---------------------------------------------------------------------------------
    def run(self, program: Program, inputs: Sequence[str], limits: Limits | None = None,
            files: Sequence[dict[str, str]] | None = None, args: Sequence[str] = (),
            stop_after_failure: bool = False) -> list[RunResult]:
        """Run `program` on every input; one RunResult per input, in order.

        A problem's limits (`Limits.for_problem`) are scaled here, by the language's time factor
        (`self.time_factors`), so every result says the limit it was judged under (`time_limit_ms`).
        `files` gives each run extra files in its work directory (name -> text), and
        `args` extra command-line arguments (a checker gets `input output answer`). Whether an
        output is right is not decided here: `klear_ct.judge.Judge.run` runs and judges.
        With `stop_after_failure`, each slot's share of the inputs stops at its first run that
        cannot be OK (TLE, RE, ...); the inputs after it are SKIP, so a failing program costs
        about one run per slot instead of one per input."""
        lang = get_language(program.lang)
        limits = self.time_factors.run_limits(limits or Limits(), lang.name)
        if files is not None and len(files) != len(inputs):
            raise ValueError("files must have one entry per input")
        compiled = self.compile(program)
        if compiled.error is not None:
            return [compiled.error] * len(inputs)
        jobs = [Job(text, encode_files({k: v.encode("utf-8", "surrogateescape") for k, v in files[i].items()}) if files else None)
                for i, text in enumerate(inputs)]
        chunk = max(1, min(self.batch_size, -(-len(inputs) // self.slots)))
        futures = [self._executor.submit(self._run_chunk, lang, compiled, jobs[s:s + chunk], limits, tuple(args),
                                         stop_after_failure)
                   for s in range(0, len(jobs), chunk)]
        raws = [raw for future in futures for raw in future.result()]
        return [decide_verdict(raw, limits) for raw in raws]

    def _run_chunk(self, lang: Language, compiled: CompiledProgram, inputs: list[Job], limits: Limits,
                   args: tuple[str, ...], stop_after_failure: bool = False) -> list[dict]:
        """Runner answers for `inputs`; a run that breaks the sandbox is retried once, alone."""
        done: list[dict] = []
        retried: set[int] = set()
        while len(done) < len(inputs):
            rest = inputs[len(done):]
            if len(done) in retried:
                rest = rest[:1]
            reply = self._call_runner(self._run_request(lang, compiled, rest, limits, args, stop_after_failure),
                                      watchdog_s=len(rest) * (limits.wall_s + 1) + 30)
            done.extend(reply.lines[: len(rest)])
            if reply.stopped and reply.fault is None:
                done.extend({"not_run": True} for _ in range(len(inputs) - len(done)))
                break
            if reply.fault is None and len(reply.lines) >= len(rest):
                continue
            broken = len(done)
            if broken >= len(inputs):
                break
            if broken in retried:
                done.append(self._broken_run(reply))
            else:
                retried.add(broken)
        return done

    @staticmethod
    def _broken_run(reply: RunnerReply) -> dict:
        """The same input broke the sandbox twice: blame the program unless the sandbox failed."""
        if reply.sandbox_failed:
            return {"sandbox_error": reply.fault or "sandbox failure"}
        if reply.oom:
            return {"container_oom": True}
        return {"broke_sandbox": f"the run broke its sandbox twice: {reply.fault or 'dirty'}"}

    @staticmethod
    def _run_request(lang: Language, compiled: CompiledProgram, jobs: list[Job], limits: Limits,
                     args: tuple[str, ...], stop_after_failure: bool = False) -> dict:
        request = {"action": "run", "files": encode_files(compiled.files, compiled.executable),
                   "cmd": [*lang.run_command(limits.memory_mb), *args], "inputs": [job.stdin for job in jobs],
                   "limits": limits.for_runner(lang), "env": RUN_ENV, "stop_after_failure": stop_after_failure}
        if any(job.files for job in jobs):
            request["input_files"] = [job.files or {} for job in jobs]
        return request
