"""The reward: run a policy's completion on a problem's exported tests and score it.

`score(completion, ground_truth, extra_info)` returns a dict with the same keys for every
sample (`SCORE_KEYS`), so trainers can log them as columns. It never raises: a completion
without usable code, a malformed ground truth and a sandbox fault all score 0 with a detail.

A ground truth with `fn_name` is a function-call problem (verl's convention: each input the
call's arguments one JSON value per line, or a list of them; each output the result's JSON): the
completion runs in its language's function harness and results compare as JSON unless the
ground truth's judging names another comparison.

A program is compiled once (the sandbox caches it) and its tests go to the sandbox as one
`Judge.run` request. `binary` (the default) is 1 only when every visible test passes, and
stops at the first failure, a wrong answer included (Judge.run's doubling batches), so a program
that times out costs about one time limit and a wrong one a few runs, not one per test
(`first_failure_verdict` is the first failing test's; `passed` counts up to it).
`fraction` runs every test and scores the share of visible tests passed. A run the sandbox
failed (SE), or one that only the wall clock stopped (a loaded machine; its CPU time was within
the limit), is run once more before it counts.

Held-out tests (export --holdout-fraction) never count in `score`; `holdout_score` is scored
the same way beside it (-1 without any). In `binary` mode they are run only when every
visible test passed (else `holdout_score` is 0 like `score`, also without usable code), so the mean of
`score - holdout_score` over a batch is the share of completions rewarded while failing
tests they never saw: the reward-hacking rate a trainer watches.
"""

from __future__ import annotations

import json
import logging
import numbers
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from klear_ct.judge import Judge, get_comparison
from klear_ct.llm.extract import FENCE
from klear_ct.model import Program, RunResult, Verdict
from klear_ct.sandbox import Limits, Sandbox, SandboxError
from klear_ct.sandbox.calls import call_test, function_program
from klear_ct.sandbox.languages import language_for_fence
from klear_ct.sandbox.verdict import hit_wall_clock
from klear_ct.text import shorten

log = logging.getLogger(__name__)

MODES = ("binary", "fraction")
SCORE_KEYS = ("score", "passed", "total", "format_ok", "first_failure_verdict", "sandbox_error", "holdout_score",
              "holdout_passed", "holdout_total", "language", "max_cpu_ms", "detail")
NO_HOLDOUT = -1.0
# what a trainer-facing scorer allows at most, whatever a sample asks for
MAX_LIMITS = Limits(time_s=10.0, memory_mb=2048)
DEFAULT_LIMITS = Limits(time_s=2.0, memory_mb=256)

counters: Counter = Counter()  # per process: scored, sandbox_errors, format_errors, bad_ground_truth
_counters_lock = threading.Lock()


def count(name: str, n: int = 1) -> None:
    with _counters_lock:
        counters[name] += n


def counts() -> dict[str, int]:
    """A copy of this process's counters."""
    with _counters_lock:
        return dict(counters)


class BadGroundTruth(ValueError):
    """The sample's ground truth cannot be read as tests."""


@dataclass(frozen=True)
class Tests:
    inputs: list[str]
    outputs: list[str]
    holdout_inputs: list[str] = field(default_factory=list)
    holdout_outputs: list[str] = field(default_factory=list)
    judging: dict = field(default_factory=dict)  # limits, checker, comparison
    fn_name: str | None = None  # a function problem: inputs are JSON argument arrays, outputs JSON results


def _texts(value, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadGroundTruth(f"ground_truth[{name!r}] is not a list of strings")
    return value


def json_object(ground_truth) -> dict:
    """A ground truth as a dict: given as one, or as JSON text (str or bytes); BadGroundTruth otherwise."""
    if isinstance(ground_truth, bytes | bytearray):
        ground_truth = ground_truth.decode("utf-8", errors="replace")
    if isinstance(ground_truth, str):
        try:
            ground_truth = json.loads(ground_truth)
        except ValueError as e:
            raise BadGroundTruth(f"ground_truth is not JSON: {e}") from None
    if not isinstance(ground_truth, dict):
        raise BadGroundTruth(f"ground_truth is a {type(ground_truth).__name__}, not an object")
    return ground_truth


def parse_ground_truth(ground_truth) -> Tests:
    """The tests of a ground truth as klearct's verl/trl exports write it (a JSON string or dict)."""
    ground_truth = json_object(ground_truth)
    fn_name = ground_truth.get("fn_name")
    if fn_name is not None and not (isinstance(fn_name, str) and fn_name.strip()):
        raise BadGroundTruth(f"ground_truth['fn_name'] is not a function name: {fn_name!r}")
    read = _calls if fn_name else _texts
    inputs, outputs = read(ground_truth.get("inputs"), "inputs"), read(ground_truth.get("outputs"), "outputs")
    held_in = read(ground_truth.get("holdout_inputs", []), "holdout_inputs")
    held_out = read(ground_truth.get("holdout_outputs", []), "holdout_outputs")
    if len(inputs) != len(outputs) or len(held_in) != len(held_out):
        raise BadGroundTruth("ground_truth has a different number of inputs and outputs")
    if not inputs:
        raise BadGroundTruth("ground_truth has no tests")
    if fn_name:  # klearct's own form of a call: the arguments as one JSON array, the result as JSON
        inputs, outputs = _call_tests(inputs, outputs, "")
        held_in, held_out = _call_tests(held_in, held_out, "holdout_")
    judging = ground_truth.get("judging") or {}
    if not isinstance(judging, dict):
        raise BadGroundTruth("ground_truth['judging'] is not an object")
    return Tests(inputs, outputs, held_in, held_out, judging, fn_name.strip() if fn_name else None)


def _calls(value, name: str) -> list:
    if not isinstance(value, list):
        raise BadGroundTruth(f"ground_truth[{name!r}] is not a list")
    return value


def _call_tests(inputs: list, outputs: list, prefix: str) -> tuple[list[str], list[str]]:
    pairs = []
    for k, (given, expected) in enumerate(zip(inputs, outputs, strict=True)):
        try:
            pairs.append(call_test(given, expected))
        except ValueError as e:
            raise BadGroundTruth(f"ground_truth[{prefix + 'inputs'!r}][{k}]: not a call's JSON arguments and "
                                 f"result ({e})") from None
    return [i for i, _ in pairs], [o for _, o in pairs]


def extract_code(completion: str | None) -> Program | None:
    """The last fenced block whose tag names a language of the sandbox; None when there is none."""
    for tag, code in reversed(FENCE.findall(completion or "")):
        words = tag.split()
        lang = language_for_fence(words[0]) if words else None
        if lang is not None and code.strip():
            return Program(lang=lang.name, code=code)
    return None


def capped_limits(judging: dict, cap: Limits = MAX_LIMITS) -> Limits:
    def number(key, default):
        value = judging.get(key)
        return value if isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0 else default

    # a problem's limits: the sandbox scales them by the language's time factor, as validate's; no
    # overrun past the limit (a reward has no near-limit report), so a TLE costs about the limit
    limits = Limits.problem_limits(min(float(number("time_limit_s", DEFAULT_LIMITS.time_s)), cap.time_s),
                                   int(min(number("memory_limit_mb", DEFAULT_LIMITS.memory_mb), cap.memory_mb)))
    return replace(limits, overrun=0.0)


def make_judge(judging: dict, sandbox: Sandbox) -> Judge:
    checker = None
    if judging.get("checker"):
        checker = Program(lang=judging.get("checker_lang") or "cpp17", code=judging["checker"])
    return Judge(sandbox, checker, get_comparison(judging.get("comparison") or "lines"))


def result(**fields) -> dict:
    """A score dict with every key of SCORE_KEYS."""
    base = {"score": 0.0, "passed": 0, "total": 0, "format_ok": 0, "first_failure_verdict": "", "sandbox_error": 0,
            "holdout_score": NO_HOLDOUT, "holdout_passed": 0, "holdout_total": 0, "language": "", "max_cpu_ms": 0.0,
            "detail": ""}
    base.update(fields)
    return base


def share(runs: Sequence[RunResult], mode: str) -> tuple[float, int]:
    passed = sum(r.verdict == Verdict.OK for r in runs)
    if mode == "binary":
        return float(passed == len(runs)), passed
    return passed / len(runs), passed


def judge_with_retry(judge: Judge, program: Program, inputs: list[str], outputs: list[str], limits: Limits,
                     stop_after_failure: bool = False) -> list[RunResult]:
    """Judge.run; runs the sandbox failed (SE) and runs only the wall clock stopped (a loaded machine,
    as validate's run_gold treats them) run once more, with the runs a stop skipped after them.
    SandboxError when a run fails the sandbox again."""
    runs = judge.run(program, inputs, limits, outputs, stop_after_failure)
    redo = [k for k, r in enumerate(runs) if r.verdict == Verdict.SE or hit_wall_clock(r)]
    if redo:
        redo = sorted(redo + [k for k, r in enumerate(runs) if r.verdict == Verdict.SKIP])
        again = judge.run(program, [inputs[k] for k in redo], limits, [outputs[k] for k in redo], stop_after_failure)
        for k, run in zip(redo, again, strict=True):
            if run.verdict == Verdict.SE:
                raise SandboxError(run.message or "sandbox failure")
            runs[k] = run
    return runs


def score(completion: str | None, ground_truth, extra_info: dict | None = None, mode: str = "binary",
          sandbox: Sandbox | None = None, max_limits: Limits = MAX_LIMITS) -> dict:
    """The reward of one completion (see the module doc). `sandbox` defaults to the process's shared one."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    try:
        tests = parse_ground_truth(ground_truth)
    except BadGroundTruth as e:
        count("bad_ground_truth")
        return result(detail=f"malformed ground truth: {e}")
    program = extract_code(completion)
    held_out = {"holdout_score": 0.0, "holdout_total": len(tests.holdout_inputs)} if tests.holdout_inputs else {}
    if program is None:
        count("format_errors")
        return result(total=len(tests.inputs), detail="no fenced code block in a language the sandbox runs",
                      **held_out)
    extra = extra_info if isinstance(extra_info, dict) else {}
    judging = {k: v for k, v in extra.items() if v is not None} | tests.judging
    judging["comparison"] = judging.get("comparison") or ("json" if tests.fn_name else "lines")
    runnable = function_program(program, tests.fn_name)
    if runnable is None:
        count("format_errors")
        return result(total=len(tests.inputs), format_ok=1, language=program.lang, **held_out,
                      detail=f"function-call problems are not run in {program.lang}")
    program = runnable
    try:
        get_comparison(judging["comparison"])
    except ValueError as e:
        count("bad_ground_truth")
        return result(total=len(tests.inputs), format_ok=1, language=program.lang, detail=f"malformed judging: {e}",
                      **held_out)
    try:
        if sandbox is None:
            from klear_ct.rl.pool import shared_sandbox

            sandbox = shared_sandbox()
        judge = make_judge(judging, sandbox)
        limits = capped_limits(judging, max_limits)
        if mode == "binary":
            visible = judge_with_retry(judge, program, tests.inputs, tests.outputs, limits, stop_after_failure=True)
            held = []
            if tests.holdout_inputs and all(r.verdict == Verdict.OK for r in visible):
                held = judge_with_retry(judge, program, tests.holdout_inputs, tests.holdout_outputs, limits,
                                        stop_after_failure=True)
        else:
            runs = judge_with_retry(judge, program, tests.inputs + tests.holdout_inputs,
                                    tests.outputs + tests.holdout_outputs, limits)
            visible, held = runs[:len(tests.inputs)], runs[len(tests.inputs):]
    except Exception as e:  # noqa: BLE001 - a reward never raises into the trainer
        count("sandbox_errors")
        log.warning("klearct reward: sandbox failure, scored 0: %s", e)
        return result(total=len(tests.inputs), format_ok=1, sandbox_error=1, language=program.lang, **held_out,
                      detail=f"sandbox failure: {shorten(str(e))}")
    count("scored")
    value, passed = share(visible, mode)
    first = next((r for r in visible if r.verdict not in (Verdict.OK, Verdict.SKIP)), None)
    out = result(score=value, passed=passed, total=len(visible), format_ok=1, language=program.lang,
                 max_cpu_ms=max(r.cpu_ms for r in visible + held),
                 first_failure_verdict=str(first.verdict) if first else "",
                 detail=shorten(first.message or first.stderr_tail) if first else "")
    if held:
        out["holdout_score"], out["holdout_passed"] = share(held, mode)
    elif tests.holdout_inputs:
        out["holdout_score"] = 0.0  # binary, and a visible test failed: the held-out ones were not run
    out["holdout_total"] = len(tests.holdout_inputs)
    return out


def score_many(samples: Sequence[tuple], mode: str = "binary", sandbox: Sandbox | None = None,
               max_limits: Limits = MAX_LIMITS) -> list[dict]:
    """Score (completion, ground_truth, extra_info) samples concurrently, in order."""
    def one(sample: tuple, box: Sandbox | None) -> dict:
        return score(sample[0], sample[1], sample[2] if len(sample) > 2 else None, mode, box, max_limits)

    if sandbox is None and all(extract_code(s[0]) is None for s in samples):
        return [one(s, None) for s in samples]  # no usable code: nothing to run, no sandbox to open
    return map_samples(one, samples, sandbox)


def map_samples(score_one: Callable[[tuple, Sandbox | None], dict], samples: Sequence[tuple],
                sandbox: Sandbox | None = None) -> list[dict]:
    """`score_one(sample, sandbox)` over samples in a thread pool (two threads per sandbox slot), in
    order; `sandbox` defaults to the process's shared one."""
    if not samples:
        return []
    if sandbox is None:
        from klear_ct.rl.pool import shared_sandbox

        try:
            sandbox = shared_sandbox()
        except Exception:  # noqa: BLE001 - each sample then reports the sandbox failure itself
            sandbox = None
    workers = max(1, min(len(samples), sandbox.slots * 2 if sandbox else 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="klearct-score") as pool:
        return list(pool.map(lambda s: score_one(s, sandbox), samples))
