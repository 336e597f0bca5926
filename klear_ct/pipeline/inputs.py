"""The input pipeline: run generators, parse what they print, cap and dedupe the inputs, and
keep those the problem's input validator accepts. `validate` and the repair loop both use it.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from typing import NamedTuple

from klear_ct.errors import KlearctError, ProblemFailure
from klear_ct.model import Cause, Outcome, Problem, Program, RunResult, Verdict
from klear_ct.sandbox import Limits, Sandbox, runnable
from klear_ct.sandbox.calls import arguments_text
from klear_ct.text import shorten

MIB = 1 << 20
INPUT_VALIDATOR_LIMITS = Limits(time_s=5, memory_mb=1024)
GENERATOR_CAUSES = {Verdict.CE: Cause.GENERATOR_COMPILE_ERROR, Verdict.TLE: Cause.GENERATOR_TIMEOUT,
                    Verdict.MLE: Cause.GENERATOR_MEMORY, Verdict.OLE: Cause.GENERATOR_OUTPUT_TOO_LARGE,
                    Verdict.RE: Cause.GENERATOR_CRASH, Verdict.SE: Cause.SANDBOX_ERROR}


@dataclass(frozen=True)
class InputSettings:
    generator_limits: Limits = Limits(time_s=10, memory_mb=1024, output_bytes=256 * MIB)
    max_input_bytes: int = 4 * MIB
    max_inputs_per_generator: int = 1000


class CandidateInput(NamedTuple):
    text: str
    kind: str  # public | generated
    generator_id: str | None


@dataclass(frozen=True)
class Drop:
    """An input left out, why (for the run's events) and how to say it in an error report."""

    input: str
    cause: Cause
    reason: str  # one line of a repair's error report
    detail: dict = field(default_factory=dict)  # what the event records besides the cause


@dataclass
class GeneratorRun:
    """One generator of a problem, run once: a row of the run's generators/ table."""

    problem_id: str
    generator_id: str
    program: Program
    kind: str = "given"
    status: str = "ok"  # ok | failed | skipped
    error: str | None = None
    inputs: int = 0
    added: int | None = None  # new inputs it added (others were duplicates); None when it did not run
    kept: int = 0

    def to_row(self) -> dict:
        row = {"problem_id": self.problem_id, "generator_id": self.generator_id, "kind": self.kind,
               "lang": self.program.lang, "code": self.program.code, "status": self.status, "error": self.error,
               "inputs": self.inputs, "kept": self.kept}
        return row if self.added is None else row | {"added": self.added}


class GeneratorOutputError(KlearctError, ValueError):
    pass


def parse_generator_output(stdout: str, function: bool = False) -> list[str]:
    """A generator prints one Python list literal of input strings (Klear's convention) or a
    JSON array of strings. Each input gets a final newline if it lacks one. For a function
    problem (`function`) it prints a list of argument lists instead (JSON, or a Python literal
    of JSON's values): each becomes one call's input, its JSON array."""
    text = stdout.strip()
    if not text:
        raise GeneratorOutputError("the generator printed nothing")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        try:
            value = json.loads(text)
        except ValueError:
            raise GeneratorOutputError(f"output is not a list literal: {shorten(text, 200)!r}") from None
    if not isinstance(value, list | tuple):
        raise GeneratorOutputError(f"output is a {type(value).__name__}, not a list of "
                                   f"{'argument lists' if function else 'input strings'}")
    if function:
        return [_call_input(item, k) for k, item in enumerate(value)]
    bad = [i for i, item in enumerate(value) if not isinstance(item, str)]
    if bad:
        raise GeneratorOutputError(f"element {bad[0]} is a {type(value[bad[0]]).__name__}, not a string")
    return [item if item.endswith("\n") else item + "\n" for item in value]


def _call_input(args, k: int) -> str:
    if not isinstance(args, list | tuple):
        raise GeneratorOutputError(f"element {k} is a {type(args).__name__}, not a list of a call's arguments")
    try:
        return arguments_text(json.loads(json.dumps(args, allow_nan=False)))
    except (TypeError, ValueError) as e:
        raise GeneratorOutputError(f"element {k} is not JSON: {e}") from None


def generator_failure(run: RunResult) -> tuple[Cause, str] | None:
    if run.verdict == Verdict.OK:
        return None
    detail = "\n".join(part for part in (run.message, run.stderr_tail.strip()) if part)
    return GENERATOR_CAUSES.get(run.verdict, Cause.GENERATOR_CRASH), detail


def run_generator(sandbox: Sandbox, generator: Program, limits: Limits, function: bool = False
                  ) -> tuple[RunResult, list[str], tuple[Cause, str] | None]:
    """Run a generator once: its run, the inputs it printed, and (cause, error) when it failed
    (`function`: a function problem's generator, see parse_generator_output)."""
    run = sandbox.run(generator, [""], limits)[0]
    failure = generator_failure(run)
    if failure is not None:
        return run, [], failure
    try:
        return run, parse_generator_output(run.stdout, function), None
    except GeneratorOutputError as e:
        return run, [], (Cause.GENERATOR_BAD_FORMAT, str(e))


def check_inputs(sandbox: Sandbox, validator: Program, texts: list[str]) -> list[tuple[bool, str]]:
    """(accepted, why) per input under an input validator. A sandbox fault is no verdict on an
    input: it fails the problem as sandbox_error."""
    results = sandbox.run(validator, texts, INPUT_VALIDATOR_LIMITS)
    fault = next((r for r in results if r.verdict == Verdict.SE), None)
    if fault is not None:
        raise ProblemFailure(Cause.SANDBOX_ERROR, f"running the input validator: {fault.message}")
    return [(r.verdict == Verdict.OK, r.stdout.strip() or r.stderr_tail.strip() or r.message or r.verdict.value)
            for r in results]


def screen_inputs(texts: list[str], validator: Program | None, sandbox: Sandbox, settings: InputSettings
                  ) -> tuple[list[str], list[Drop]]:
    """The inputs under the size cap that the input validator accepts, and the others as drops."""
    kept, drops = [], []
    for text in texts:
        if len(text.encode("utf-8", errors="surrogateescape")) > settings.max_input_bytes:
            drops.append(Drop(text, Cause.INPUT_TOO_LARGE,
                              f"- an input of {len(text)} bytes is over the {settings.max_input_bytes}-byte limit",
                              {"bytes": len(text)}))
        else:
            kept.append(text)
    if validator is None or not kept:
        return kept, drops
    verdicts = check_inputs(sandbox, validator, kept)
    for text, (ok, why) in zip(kept, verdicts, strict=True):
        if not ok:
            drops.append(Drop(text, Cause.INPUT_REJECTED_BY_VALIDATOR,
                              f"- the input validator rejected this input: {shorten(why, 300)}\n"
                              f"  input: {shorten(text, 300)!r}", {"error": why}))
    return [text for text, (ok, _) in zip(kept, verdicts, strict=True) if ok], drops


def collect_inputs(problem: Problem, sandbox: Sandbox, settings: InputSettings, result: Outcome
                   ) -> tuple[list[CandidateInput], list[GeneratorRun]]:
    """Public tests first, then every generator's inputs, deduplicated; and how each generator ran.
    What is left out is an event of `result`."""
    seen: set[str] = set()
    inputs: list[CandidateInput] = []

    def add(text: str, kind: str, generator_id: str | None) -> bool:
        if text in seen:
            return False
        seen.add(text)
        inputs.append(CandidateInput(text, kind, generator_id))
        return True

    for test in problem.public_tests:
        if len(test.input.encode("utf-8", errors="surrogateescape")) > settings.max_input_bytes:
            result.event("generate_inputs", "dropped", Cause.INPUT_TOO_LARGE, generator_id=None,
                         input=shorten(test.input, 120), bytes=len(test.input))
        else:
            add(test.input, "public", None)
    runs = []
    for k, generator in enumerate(problem.generators):
        run = GeneratorRun(problem.id, f"{problem.id}/gen-{k}", generator)
        runs.append(run)
        if not runnable(generator):
            run.status, run.error = "skipped", f"language {generator.lang} is not supported by the sandbox"
            result.event("generate_inputs", "failed", Cause.GENERATOR_UNSUPPORTED_LANGUAGE,
                         generator_id=run.generator_id)
            continue
        sandbox_run, produced, failure = run_generator(sandbox, generator, settings.generator_limits,
                                                       problem.io_mode == "function")
        if failure is not None:
            cause, error = failure
            run.status, run.error = "failed", error
            result.event("generate_inputs", "failed", cause, generator_id=run.generator_id,
                         error=shorten(error, 2000), output_head=shorten(sandbox_run.stdout, 300))
            continue
        if len(produced) > settings.max_inputs_per_generator:
            result.event("generate_inputs", "dropped", Cause.TOO_MANY_INPUTS, generator_id=run.generator_id,
                         produced=len(produced), kept=settings.max_inputs_per_generator)
            produced = produced[: settings.max_inputs_per_generator]
        fresh = [text for text in dict.fromkeys(produced) if text not in seen]
        screened, drops = screen_inputs(fresh, problem.input_validator, sandbox, settings)
        record_drops(result, drops, run.generator_id)
        run.inputs = len(produced) - sum(d.cause == Cause.INPUT_REJECTED_BY_VALIDATOR for d in drops)
        run.added = sum(add(text, "generated", run.generator_id) for text in screened)
    return inputs, runs


def record_drops(result: Outcome, drops: list[Drop], generator_id: str | None) -> None:
    """Inputs over the cap: one event each; inputs the validator rejected: one event for all."""
    for drop in drops:
        if drop.cause == Cause.INPUT_TOO_LARGE:
            result.event("generate_inputs", "dropped", drop.cause, generator_id=generator_id,
                         input=shorten(drop.input, 120), **drop.detail)
    rejected = [d for d in drops if d.cause == Cause.INPUT_REJECTED_BY_VALIDATOR]
    if rejected:
        result.event("generate_inputs", "dropped", Cause.INPUT_REJECTED_BY_VALIDATOR, generator_id=generator_id,
                     rejected=len(rejected), input=shorten(rejected[0].input, 120),
                     error=shorten(rejected[0].detail["error"], 300))
