"""Validate one problem: generators -> inputs -> gold solutions -> consistent tests -> kill matrix.

Plain functions over records; the sandbox comes in as a parameter. Every failure becomes
an event with a cause and the detail a repair loop needs (the input, shortened; the two
differing outputs; the error text).
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from dataclasses import dataclass, field

from klear_ct.compare import get_comparison
from klear_ct.model import Problem, Program, RunResult, TestCase, Verdict, content_hash
from klear_ct.pipeline.judge import Judge
from klear_ct.pipeline.select import select_tests
from klear_ct.pipeline.timelimit import derive_time_limit
from klear_ct.sandbox import Limits, Sandbox, SandboxError
from klear_ct.sandbox.languages import LANGUAGES, get_language

MIB = 1 << 20
INPUT_VALIDATOR_LIMITS = Limits(time_s=5, memory_mb=1024)


@dataclass(frozen=True)
class ValidateSettings:
    generator_limits: Limits = Limits(time_s=10, memory_mb=1024, output_bytes=256 * MIB)
    max_input_bytes: int = 4 * MIB
    max_inputs_per_generator: int = 1000
    min_gold_agree: int = 2  # golds that must run OK and agree (fewer when the problem has fewer)
    require_all_golds: bool = False  # strict: one gold failing on an input drops it
    select: str = "all"


@dataclass
class ProblemResult:
    problem_id: str
    outcome: str = "ok"  # ok | failed
    cause: str | None = None
    tests: list[TestCase] = field(default_factory=list)
    solutions: list[dict] = field(default_factory=list)
    generators: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)

    def event(self, stage: str, outcome: str, cause: str, **detail) -> None:
        self.events.append({"stage": stage, "outcome": outcome, "cause": cause, **detail})

    def fail(self, cause: str, **detail) -> ProblemResult:
        self.outcome, self.cause = "failed", cause
        self.event("validate", "failed", cause, **detail)
        return self


class GeneratorOutputError(ValueError):
    pass


def shorten(text: str | None, limit: int = 300) -> str:
    text = text or ""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}…[{len(text) - limit} chars]…{text[-half:]}"


def parse_generator_output(stdout: str) -> list[str]:
    """A generator prints one Python list literal of input strings (Klear's convention) or a
    JSON array of strings. Each input gets a final newline if it lacks one."""
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
        raise GeneratorOutputError(f"output is a {type(value).__name__}, not a list of input strings")
    bad = [i for i, item in enumerate(value) if not isinstance(item, str)]
    if bad:
        raise GeneratorOutputError(f"element {bad[0]} is a {type(value[bad[0]]).__name__}, not a string")
    return [item if item.endswith("\n") else item + "\n" for item in value]


def problem_limits(problem: Problem) -> Limits:
    return Limits(time_s=problem.time_limit_s, memory_mb=problem.memory_limit_mb)


def runnable(program: Program) -> bool:
    try:
        return get_language(program.lang).name in LANGUAGES
    except ValueError:
        return False


def collect_inputs(problem: Problem, sandbox: Sandbox, settings: ValidateSettings,
                   result: ProblemResult) -> list[tuple[str, str, str | None]]:
    """(input, kind, generator id) for public tests first, then every generator's inputs."""
    seen: set[str] = set()
    inputs: list[tuple[str, str, str | None]] = []

    def add(text: str, kind: str, generator_id: str | None) -> bool:
        if text in seen:
            return False
        if len(text.encode("utf-8", errors="surrogateescape")) > settings.max_input_bytes:
            result.event("generate_inputs", "dropped", "input_too_large", generator_id=generator_id,
                         input=shorten(text, 120), bytes=len(text))
            return False
        seen.add(text)
        inputs.append((text, kind, generator_id))
        return True

    for test in problem.public_tests:
        add(test.input, "public", None)
    for k, generator in enumerate(problem.generators):
        generator_id = f"{problem.id}/gen-{k}"
        row = {"problem_id": problem.id, "generator_id": generator_id, "kind": "given", "lang": generator.lang,
               "code": generator.code, "status": "ok", "error": None, "inputs": 0, "kept": 0}
        result.generators.append(row)
        if not runnable(generator):
            row.update(status="skipped", error=f"language {generator.lang} is not supported by the sandbox")
            result.event("generate_inputs", "failed", "generator_unsupported_language", generator_id=generator_id)
            continue
        run, produced, failure = run_generator(sandbox, generator, settings.generator_limits)
        if failure is not None:
            cause, error = failure
            row.update(status="failed", error=error)
            result.event("generate_inputs", "failed", cause, generator_id=generator_id, error=shorten(error, 2000),
                         output_head=shorten(run.stdout, 300))
            continue
        if len(produced) > settings.max_inputs_per_generator:
            result.event("generate_inputs", "dropped", "too_many_inputs", generator_id=generator_id,
                         produced=len(produced), kept=settings.max_inputs_per_generator)
            produced = produced[: settings.max_inputs_per_generator]
        if problem.input_validator is not None and produced:
            produced = drop_invalid(problem.input_validator, produced, sandbox, result, generator_id)
        row["inputs"] = len(produced)
        row["added"] = sum(add(text, "generated", generator_id) for text in produced)
    return inputs


def drop_invalid(validator: Program, inputs: list[str], sandbox: Sandbox, result: ProblemResult,
                 generator_id: str) -> list[str]:
    """The inputs the problem's input validator accepts; the others are counted in an event."""
    verdicts = check_inputs(sandbox, validator, inputs)
    rejected = [(text, why) for text, (ok, why) in zip(inputs, verdicts, strict=True) if not ok]
    if rejected:
        text, why = rejected[0]
        result.event("generate_inputs", "dropped", "input_rejected_by_validator", generator_id=generator_id,
                     rejected=len(rejected), input=shorten(text, 120), error=shorten(why, 300))
    return [text for text, (ok, _) in zip(inputs, verdicts, strict=True) if ok]


def check_inputs(sandbox: Sandbox, validator: Program, texts: list[str]) -> list[tuple[bool, str]]:
    """(accepted, why) per input under an input validator. A sandbox fault is no verdict on an
    input: it raises SandboxError, which fails the problem."""
    results = sandbox.run(validator, texts, INPUT_VALIDATOR_LIMITS)
    fault = next((r for r in results if r.verdict == Verdict.SE), None)
    if fault is not None:
        raise SandboxError(f"running the input validator: {fault.message}")
    return [(r.verdict == Verdict.OK, r.stdout.strip() or r.stderr_tail.strip() or r.message or r.verdict.value)
            for r in results]


def run_generator(sandbox: Sandbox, generator: Program, limits: Limits
                  ) -> tuple[RunResult, list[str], tuple[str, str] | None]:
    """Run a generator once: its run, the inputs it printed, and (cause, error) when it failed."""
    run = sandbox.run(generator, [""], limits)[0]
    failure = generator_failure(run)
    if failure is not None:
        return run, [], failure
    try:
        return run, parse_generator_output(run.stdout), None
    except GeneratorOutputError as e:
        return run, [], ("generator_bad_format", str(e))


def generator_failure(run: RunResult) -> tuple[str, str] | None:
    causes = {Verdict.CE: "generator_compile_error", Verdict.TLE: "generator_timeout",
              Verdict.MLE: "generator_memory", Verdict.OLE: "generator_output_too_large",
              Verdict.RE: "generator_crash", Verdict.SE: "sandbox_error"}
    if run.verdict == Verdict.OK:
        return None
    detail = "\n".join(part for part in (run.message, run.stderr_tail.strip()) if part)
    return causes.get(run.verdict, "generator_crash"), detail


def validate_problem(problem: Problem, sandbox: Sandbox, settings: ValidateSettings = ValidateSettings()
                     ) -> ProblemResult:
    result = ProblemResult(problem.id)
    if problem.time_multiplier is not None:
        problem, note = derive_time_limit(problem, sandbox)
        result.event("validate", "warning", "time_limit_derived", time_limit_s=problem.time_limit_s, note=note)
    limits = problem_limits(problem)
    golds = [g for g in problem.gold if runnable(g)]
    if len(golds) < len(problem.gold):
        result.event("validate", "skipped", "gold_unsupported_language", skipped=len(problem.gold) - len(golds))
    if not golds:
        return result.fail("no_runnable_gold")
    judge = Judge(sandbox, problem.checker, get_comparison(problem.comparison))

    inputs = collect_inputs(problem, sandbox, settings, result)
    if not inputs:
        cause = "generator_failed" if problem.generators else "no_inputs"
        return result.fail(cause)
    texts = [text for text, _, _ in inputs]

    # every gold on every input
    gold_runs: list[list[RunResult]] = []
    for k, gold in enumerate(golds):
        runs = sandbox.run(gold, texts, limits)
        if runs and runs[0].verdict == Verdict.CE:
            result.event("run_golds", "failed", "gold_compile_error", gold=k, error=shorten(runs[0].stderr_tail, 2000))
            continue
        if any(r.verdict == Verdict.SE for r in runs):
            bad = next(r for r in runs if r.verdict == Verdict.SE)
            return result.fail("sandbox_error", gold=k, error=bad.message)
        gold_runs.append(runs)
        result.solutions.append(solution_row(problem.id, f"{problem.id}/gold-{k}", "gold", gold, runs))
    if not gold_runs:
        return result.fail("gold_compile_error")
    needed = len(gold_runs) if settings.require_all_golds else min(settings.min_gold_agree, len(gold_runs))

    # which inputs the golds agree on
    candidates: list[tuple[int, int, list[int]]] = []  # (input index, reference gold, other ok golds)
    for i, (text, _kind, generator_id) in enumerate(inputs):
        ok = [g for g, runs in enumerate(gold_runs) if runs[i].verdict == Verdict.OK]
        failed = [g for g in range(len(gold_runs)) if g not in ok]
        if failed:
            first = gold_runs[failed[0]][i]
            result.event("run_golds", "dropped" if len(ok) < needed else "warning", "gold_failed_on_input",
                         generator_id=generator_id, input=shorten(text), gold=failed[0], verdict=first.verdict.value,
                         error=shorten(first.message + "\n" + first.stderr_tail, 600), golds_ok=len(ok))
        if len(ok) >= needed:
            candidates.append((i, ok[0], ok[1:]))
    pairs = [(inputs[i][0], gold_runs[o][i].stdout, gold_runs[ref][i].stdout)
             for i, ref, others in candidates for o in others]
    judgements = iter(judge.judge(pairs))
    public_outputs = {t.input: t.output for t in problem.public_tests if t.output is not None}
    kept: list[tuple[int, int]] = []
    for i, ref, others in candidates:
        verdicts = [(o, next(judgements)) for o in others]
        broken = [(o, j) for o, j in verdicts if j.accepted is None]
        differing = [(o, j) for o, j in verdicts if j.accepted is False]
        if broken:
            result.event("check_outputs", "dropped", "checker_failed", input=shorten(inputs[i][0]),
                         error=shorten(broken[0][1].message, 600))
        elif differing:
            o = differing[0][0]
            result.event("check_outputs", "dropped", "gold_disagree", generator_id=inputs[i][2],
                         input=shorten(inputs[i][0]), golds=[ref, o],
                         outputs=[shorten(gold_runs[ref][i].stdout), shorten(gold_runs[o][i].stdout)],
                         checker_message=shorten(differing[0][1].message))
        else:
            kept.append((i, ref))
        given = public_outputs.get(inputs[i][0]) if inputs[i][1] == "public" else None
        if given is not None and problem.checker is None and not judge.compare(gold_runs[ref][i].stdout, given):
            result.event("check_outputs", "warning", "public_output_differs", input=shorten(inputs[i][0]),
                         outputs=[shorten(given), shorten(gold_runs[ref][i].stdout)])

    tests = [TestCase(problem_id=problem.id, input=inputs[i][0], output=gold_runs[ref][i].stdout, kind=inputs[i][1],
                      generator_id=inputs[i][2], gold_agree=sum(runs[i].verdict == Verdict.OK for runs in gold_runs),
                      gold_total=len(golds)) for i, ref in kept]
    tests = run_incorrect(problem, tests, sandbox, judge, limits, result)
    result.tests = select_tests(tests, settings.select)
    for row in result.generators:
        row["kept"] = sum(t.generator_id == row["generator_id"] for t in result.tests)
    if not any(t.kind != "public" for t in result.tests):
        failed_generators = [g for g in result.generators if g["status"] != "ok"]
        if problem.generators and len(failed_generators) == len(result.generators):
            return result.fail("generator_failed", failed=len(failed_generators))
        return result.fail("no_consistent_tests", candidates=len(inputs))
    return result


def run_incorrect(problem: Problem, tests: list[TestCase], sandbox: Sandbox, judge: Judge, limits: Limits,
                  result: ProblemResult) -> list[TestCase]:
    """Run every known-incorrect solution on the kept tests; fill in `kills`."""
    kills: list[list[str]] = [[] for _ in tests]
    texts = [t.input for t in tests]
    for incorrect in problem.incorrect:
        if not runnable(incorrect.program):
            result.event("run_incorrect", "skipped", "unsupported_language", solution=incorrect.id)
            continue
        runs = sandbox.run(incorrect.program, texts, limits) if tests else []
        if runs and runs[0].verdict == Verdict.CE:
            result.event("run_incorrect", "failed", "incorrect_compile_error", solution=incorrect.id,
                         error=shorten(runs[0].stderr_tail, 600))
            continue
        finished = [k for k, r in enumerate(runs) if r.verdict == Verdict.OK]
        judgements = judge.judge([(texts[k], runs[k].stdout, tests[k].output or "") for k in finished])
        verdicts = [r.verdict for r in runs]
        for k, judgement in zip(finished, judgements, strict=True):
            if judgement.accepted is False:
                verdicts[k] = Verdict.WA
        for k, verdict in enumerate(verdicts):
            if verdict != Verdict.OK:
                kills[k].append(incorrect.id)
        row = solution_row(problem.id, incorrect.id, "incorrect", incorrect.program, runs, verdicts)
        row["expected_verdict"] = incorrect.expected_verdict
        result.solutions.append(row)
        if not row["killed"]:
            result.event("run_incorrect", "warning", "incorrect_survives", solution=incorrect.id,
                         expected_verdict=incorrect.expected_verdict, tests=len(tests))
    return [t.model_copy(update={"kills": kills[k]}) for k, t in enumerate(tests)]


def solution_row(problem_id: str, solution_id: str, role: str, program: Program, runs: list[RunResult],
                 verdicts: list[Verdict] | None = None) -> dict:
    verdicts = verdicts if verdicts is not None else [r.verdict for r in runs]
    counts = Counter(v.value for v in verdicts)
    first_fail = next((k for k, v in enumerate(verdicts) if v != Verdict.OK), None)
    return {"problem_id": problem_id, "solution_id": solution_id, "role": role, "lang": program.lang,
            "sha": content_hash(program.lang, program.code), "verdicts": json.dumps(dict(sorted(counts.items()))),
            "killed": first_fail is not None, "first_failure": None if first_fail is None else verdicts[first_fail].value,
            "max_cpu_ms": max((r.cpu_ms for r in runs), default=0.0),
            "total_cpu_ms": sum(r.cpu_ms for r in runs), "max_peak_kb": max((r.peak_kb for r in runs), default=0),
            "expected_verdict": None}
