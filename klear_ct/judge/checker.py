"""The checker protocol: a program that says whether a candidate output is right.

Checker interface (testlib order): the checker runs as `checker input.txt output.txt
answer.txt` with those three files in its work directory; exit 0 accepts, exit 1 or 2
(testlib's WA / PE) rejects, anything else is a failure of the checker itself. A Python
checker is called the same way (`sys.argv[1:4]`).

A checker run that the *sandbox* failed (SE) says nothing about the output: it is retried
once, and a second fault raises SandboxError, which fails the problem as `sandbox_error`
instead of dropping or passing tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from klear_ct.model import Program, RunResult, Verdict
from klear_ct.sandbox import Limits, Sandbox, SandboxError

CHECKER_ARGS = ("input.txt", "output.txt", "answer.txt")
CHECKER_LIMITS = Limits(time_s=10, memory_mb=1024)


@dataclass(frozen=True)
class Judgement:
    accepted: bool | None  # None: the judgement failed (the checker crashed, timed out, did not compile)
    message: str = ""


PYTHON_CRASH = "Traceback (most recent call last):"


def judgement_of(run: RunResult) -> Judgement:
    text = (run.stdout.strip() or run.stderr_tail.strip())[-300:]
    if run.verdict == Verdict.OK:
        return Judgement(True, text)
    # an uncaught Python exception also exits 1: a crash of the checker, not a rejection
    if run.verdict == Verdict.RE and run.exit_code in (1, 2) and PYTHON_CRASH not in run.stderr_tail:
        return Judgement(False, text)
    # the verdict's reason and what the checker itself said (a traceback, say), both
    return Judgement(None, f"checker {run.verdict}: " + " / ".join(part for part in (run.message, text) if part))


def run_checker(sandbox: Sandbox, checker: Program, items: Sequence[tuple[str, str, str]],
                limits: Limits = CHECKER_LIMITS) -> list[Judgement]:
    """Judge (input, candidate output, reference output) triples with `checker`, in one sandbox batch."""
    files = [dict(zip(CHECKER_ARGS, triple, strict=True)) for triple in items]
    results = sandbox.run(checker, [""] * len(items), limits, files=files, args=CHECKER_ARGS)
    faulty = [k for k, r in enumerate(results) if r.verdict == Verdict.SE]
    if faulty:
        retried = sandbox.run(checker, [""] * len(faulty), limits, files=[files[k] for k in faulty], args=CHECKER_ARGS)
        fault = next((r for r in retried if r.verdict == Verdict.SE), None)
        if fault is not None:
            raise SandboxError(f"running the checker: {fault.message}")
        for k, r in zip(faulty, retried, strict=True):
            results[k] = r
    return [judgement_of(r) for r in results]
