"""Validate one problem: inputs -> gold solutions -> consistent tests -> kill matrix.

Plain functions over records; the sandbox comes in as a parameter. Every failure becomes
an event with a cause and the detail a repair loop needs (the input, shortened; the two
differing outputs; the error text). `judge_inputs` is the step the repair loop shares.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from klear_ct.errors import ProblemFailure
from klear_ct.judge import Judge
from klear_ct.model import Cause, Outcome, Problem, Program, RunResult, TestCase, Verdict, content_hash
from klear_ct.pipeline.inputs import CandidateInput, Drop, InputSettings, collect_inputs
from klear_ct.pipeline.select import select_tests
from klear_ct.pipeline.timelimit import derive_time_limit
from klear_ct.sandbox import Limits, Sandbox, runnable
from klear_ct.sandbox.calls import runnable_problem
from klear_ct.sandbox.verdict import hit_wall_clock, just_over
from klear_ct.text import shorten

NOT_FAILED = (Verdict.OK, Verdict.JF)  # a failed judgement is no verdict on the solution


@dataclass(frozen=True)
class ValidateSettings(InputSettings):
    min_gold_agree: int = 2  # golds that must run OK and agree (fewer when the problem has fewer)
    require_all_golds: bool = False  # strict: one gold failing on an input drops it
    select: str = "all"


@dataclass
class ProblemResult(Outcome):
    tests: list[TestCase] = field(default_factory=list)
    solutions: list[dict] = field(default_factory=list)
    generators: list[dict] = field(default_factory=list)


@dataclass
class SolutionRun:
    """One solution run on a problem's inputs: a row of the run's solutions/ table."""

    problem_id: str
    solution_id: str
    role: str  # gold | incorrect
    program: Program
    runs: list[RunResult]
    expected_verdict: str | None = None

    def to_row(self) -> dict:
        verdicts = [r.verdict for r in self.runs]
        counts = Counter(v.value for v in verdicts)
        first_fail = next((k for k, v in enumerate(verdicts) if v not in NOT_FAILED), None)
        return {"problem_id": self.problem_id, "solution_id": self.solution_id, "role": self.role,
                "lang": self.program.lang, "sha": content_hash(self.program.lang, self.program.code),
                "verdicts": json.dumps(dict(sorted(counts.items()))), "killed": first_fail is not None,
                "first_failure": None if first_fail is None else verdicts[first_fail].value,
                "max_cpu_ms": max((r.cpu_ms for r in self.runs), default=0.0),
                "total_cpu_ms": sum(r.cpu_ms for r in self.runs),
                "max_peak_kb": max((r.peak_kb for r in self.runs), default=0),
                "expected_verdict": self.expected_verdict}


def runnable_golds(problem: Problem) -> list[Program]:
    """The golds the sandbox runs, as it runs them (a function problem's in their harness)."""
    golds = [g for g in runnable_problem(problem).gold if runnable(g)]
    if not golds:
        raise ProblemFailure(Cause.NO_RUNNABLE_GOLD)
    return golds


def validate_problem(problem: Problem, sandbox: Sandbox, settings: ValidateSettings = ValidateSettings()
                     ) -> ProblemResult:
    result = ProblemResult(problem.id)
    try:
        if problem.time_multiplier is not None:
            problem, note = derive_time_limit(problem, sandbox)
            result.event("validate", "warning", Cause.TIME_LIMIT_DERIVED, time_limit_s=problem.time_limit_s,
                         note=note)
        golds = runnable_golds(problem)
        if len(golds) < len(problem.gold):
            result.event("validate", "skipped", Cause.GOLD_UNSUPPORTED_LANGUAGE,
                         skipped=len(problem.gold) - len(golds))
        runnable_ids = {s.id for s in runnable_problem(problem).incorrect}
        for incorrect in problem.incorrect:
            if incorrect.id not in runnable_ids:  # a function problem's, in a language without a harness
                result.event("run_incorrect", "skipped", Cause.UNSUPPORTED_LANGUAGE, solution=incorrect.id)
        inputs, generator_runs = collect_inputs(problem, sandbox, settings, result)
        if not inputs:
            result.generators = [g.to_row() for g in generator_runs]
            return result.fail(Cause.GENERATOR_FAILED if problem.generators else Cause.NO_INPUTS)
        tests, _ = judge_inputs(problem, inputs, sandbox, settings, result)
    except ProblemFailure as e:
        detail = {"error": str(e)} if str(e) != e.cause else {}
        return result.fail(e.cause, **detail)
    result.tests = select_tests(tests, settings.select)
    for run in generator_runs:
        run.kept = sum(t.generator_id == run.generator_id for t in result.tests)
    result.generators = [g.to_row() for g in generator_runs]
    if not any(t.kind != "public" for t in result.tests):
        failed_generators = [g for g in generator_runs if g.status != "ok"]
        if problem.generators and len(failed_generators) == len(generator_runs):
            return result.fail(Cause.GENERATOR_FAILED, failed=len(failed_generators))
        return result.fail(Cause.NO_CONSISTENT_TESTS, candidates=len(inputs))
    return result


def judge_inputs(problem: Problem, inputs: Sequence[CandidateInput], sandbox: Sandbox, settings: ValidateSettings,
                 result: ProblemResult) -> tuple[list[TestCase], list[Drop]]:
    """Every gold on every input; the inputs they agree on become tests, with the known-incorrect
    solutions each test kills. Returns the tests and the dropped inputs; events and solution rows
    go to `result`. A problem no input can help (no gold runs or compiles, a sandbox fault)
    raises ProblemFailure."""
    problem = runnable_problem(problem)
    golds = runnable_golds(problem)
    limits = Limits.for_problem(problem)
    judge = Judge.for_problem(problem, sandbox)
    texts = [c.text for c in inputs]

    gold_runs: list[list[RunResult]] = []
    for k, gold in enumerate(golds):
        runs = run_gold(sandbox, gold, texts, limits)
        if runs and runs[0].verdict == Verdict.CE:
            result.event("run_golds", "failed", Cause.GOLD_COMPILE_ERROR, gold=k,
                         error=shorten(runs[0].stderr_tail, 2000))
            continue
        fault = next((r for r in runs if r.verdict == Verdict.SE), None)
        if fault is not None:
            raise ProblemFailure(Cause.SANDBOX_ERROR, f"gold {k}: {fault.message}")
        gold_runs.append(runs)
        result.solutions.append(SolutionRun(problem.id, f"{problem.id}/gold-{k}", "gold", gold, runs).to_row())
    if not gold_runs:
        raise ProblemFailure(Cause.GOLD_COMPILE_ERROR)
    needed = len(gold_runs) if settings.require_all_golds else min(settings.min_gold_agree, len(gold_runs))

    drops: list[Drop] = []

    def drop(i: int, stage: str, cause: Cause, reason: str, outcome: str = "dropped", **detail) -> None:
        result.event(stage, outcome, cause, **detail)
        if outcome == "dropped":
            drops.append(Drop(inputs[i].text, cause, reason, detail))

    # which inputs the golds agree on
    candidates: list[tuple[int, int, list[int]]] = []  # (input index, reference gold, other ok golds)
    for i, candidate in enumerate(inputs):
        ok = [g for g, runs in enumerate(gold_runs) if runs[i].verdict == Verdict.OK]
        failed = [g for g in range(len(gold_runs)) if g not in ok]
        if failed:
            first = gold_runs[failed[0]][i]
            error = shorten(first.message + "\n" + first.stderr_tail, 600)
            drop(i, "run_golds", Cause.GOLD_FAILED_ON_INPUT,
                 f"- a correct solution got {first.verdict.value} on input {shorten(candidate.text)!r}: "
                 f"{shorten(error.strip(), 300)}", "dropped" if len(ok) < needed else "warning",
                 generator_id=candidate.generator_id, input=shorten(candidate.text), gold=failed[0],
                 verdict=first.verdict.value, error=error, golds_ok=len(ok))
        if len(ok) >= needed:
            candidates.append((i, ok[0], ok[1:]))
    pairs = [(texts[i], gold_runs[o][i].stdout, gold_runs[ref][i].stdout) for i, ref, others in candidates
             for o in others]
    judgements = iter(judge.judge(pairs))
    public_outputs = {t.input: t.output for t in problem.public_tests if t.output is not None}
    kept: list[tuple[int, int]] = []
    for i, ref, others in candidates:
        verdicts = [(o, next(judgements)) for o in others]
        broken = [(o, j) for o, j in verdicts if j.accepted is None]
        differing = [(o, j) for o, j in verdicts if j.accepted is False]
        shown = shorten(texts[i])
        if broken:
            error = shorten(broken[0][1].message, 600)
            drop(i, "check_outputs", Cause.CHECKER_FAILED, f"- checker_failed on input {shown!r}: {shorten(error, 300)}",
                 input=shown, error=error)
        elif differing:
            o = differing[0][0]
            outputs = [shorten(gold_runs[ref][i].stdout), shorten(gold_runs[o][i].stdout)]
            drop(i, "check_outputs", Cause.GOLD_DISAGREE,
                 f"- the correct solutions disagree on input {shown!r}: {outputs[0]!r} vs {outputs[1]!r}",
                 generator_id=inputs[i].generator_id, input=shown, golds=[ref, o], outputs=outputs,
                 checker_message=shorten(differing[0][1].message))
        else:
            kept.append((i, ref))
        given = public_outputs.get(texts[i]) if inputs[i].kind == "public" else None
        if given is not None and problem.checker is None and not judge.compare(gold_runs[ref][i].stdout, given):
            result.event("check_outputs", "warning", Cause.PUBLIC_OUTPUT_DIFFERS, input=shown,
                         outputs=[shorten(given), shorten(gold_runs[ref][i].stdout)])

    tests = [TestCase(problem_id=problem.id, input=texts[i], output=gold_runs[ref][i].stdout, kind=inputs[i].kind,
                      generator_id=inputs[i].generator_id,
                      gold_agree=sum(runs[i].verdict == Verdict.OK for runs in gold_runs), gold_total=len(golds))
             for i, ref in kept]
    return run_incorrect(problem, tests, sandbox, judge, limits, result), drops


def run_gold(sandbox: Sandbox, gold: Program, texts: list[str], limits: Limits) -> list[RunResult]:
    """A gold on every input; a run stopped by the wall clock alone (on a loaded machine, a gold
    within its CPU limit can be) or over its CPU limit by less than NEAR_LIMIT is run once more
    before it may drop an input or fail a correct solution, so that the kept tests and verdicts
    do not depend on the machine's load or on noise at the limit."""
    runs = sandbox.run(gold, texts, limits)
    again = [i for i, run in enumerate(runs) if hit_wall_clock(run) or just_over(run)]
    for i, run in zip(again, sandbox.run(gold, [texts[i] for i in again], limits) if again else [], strict=True):
        runs[i] = run
    return runs


def run_incorrect(problem: Problem, tests: list[TestCase], sandbox: Sandbox, judge: Judge, limits: Limits,
                  result: ProblemResult) -> list[TestCase]:
    """Run every known-incorrect solution on the kept tests; fill in `kills`. A test kills a
    solution when the solution's own verdict on it is a failure (WA, TLE, MLE, RE, OLE); a
    judgement that failed (JF) or a sandbox fault (SE) is no verdict on the solution."""
    kills: list[list[str]] = [[] for _ in tests]
    texts = [t.input for t in tests]
    for incorrect in problem.incorrect:
        if not runnable(incorrect.program):
            result.event("run_incorrect", "skipped", Cause.UNSUPPORTED_LANGUAGE, solution=incorrect.id)
            continue
        runs = judge.run(incorrect.program, texts, limits, [t.output or "" for t in tests]) if tests else []
        if runs and runs[0].verdict == Verdict.CE:
            result.event("run_incorrect", "failed", Cause.INCORRECT_COMPILE_ERROR, solution=incorrect.id,
                         error=shorten(runs[0].stderr_tail, 600))
            continue
        fault = next((r for r in runs if r.verdict == Verdict.SE), None)
        if fault is not None:
            raise ProblemFailure(Cause.SANDBOX_ERROR, f"incorrect solution {incorrect.id}: {fault.message}")
        for k, run in enumerate(runs):
            if run.verdict not in NOT_FAILED:
                kills[k].append(incorrect.id)
        unjudged = [k for k, run in enumerate(runs) if run.verdict == Verdict.JF]
        if unjudged:
            result.event("run_incorrect", "warning", Cause.CHECKER_FAILED, solution=incorrect.id,
                         tests=len(unjudged), input=shorten(texts[unjudged[0]]),
                         error=shorten(runs[unjudged[0]].message, 600))
        row = SolutionRun(problem.id, incorrect.id, "incorrect", incorrect.program, runs,
                          incorrect.expected_verdict).to_row()
        result.solutions.append(row)
        if not row["killed"]:
            result.event("run_incorrect", "warning", Cause.INCORRECT_SURVIVES, solution=incorrect.id,
                         expected_verdict=incorrect.expected_verdict, tests=len(tests))
    return [t.model_copy(update={"kills": kills[k]}) for k, t in enumerate(tests)]
