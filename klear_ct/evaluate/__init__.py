"""TPR / TNR of test suites: how well tests tell correct solutions from incorrect ones.

TPR: the share of correct (gold) solutions that pass every test of a suite.
TNR: the share of incorrect solutions that fail at least one test.

Every solution of every problem runs on every suite in the sandbox (compiled once: the
sandbox caches binaries by source). Only pass/fail is needed, so a solution's run stops at
its first failing test: tests go to the sandbox in chunks (the first FIRST_CHUNK_PER_SLOT
tests per sandbox slot, then doubling) and no further chunk is sent after a failure. Each
chunk is one sandbox request (~0.1 s), so small first chunks would cost more than they save.
`full=True` sends every test at once and keeps every verdict: the kill matrix.

Each language runs under the problem's limit times its time factor (sandbox/timing.py); a
correct solution's runs near that limit are listed, and one just over it is run once more
(pipeline.validate.run_gold) before it fails.

A solution that cannot be judged (compile error, sandbox error, a checker that failed) is
left out of the rates and counted with its cause. A problem that cannot be evaluated is an
outcome with a cause, never a crash of the batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from klear_ct.evaluate.suites import Suite
from klear_ct.executor import Executor
from klear_ct.formats import RowError
from klear_ct.judge import Judge
from klear_ct.model import Outcome, Problem, Program, TestCase, Verdict
from klear_ct.pipeline.timelimit import derive_time_limit
from klear_ct.pipeline.validate import run_gold
from klear_ct.sandbox import Limits, Sandbox, runnable
from klear_ct.sandbox.calls import runnable_problem
from klear_ct.sandbox.timing import time_factors_of
from klear_ct.sandbox.verdict import near_limit
from klear_ct.text import shorten

CORRECT, INCORRECT = "correct", "incorrect"
UNJUDGED = (Verdict.CE, Verdict.SE, Verdict.JF)  # no verdict on the solution
FIRST_CHUNK_PER_SLOT = 4


@dataclass(frozen=True)
class EvaluateSettings:
    full: bool = False  # run every test (kill matrix) instead of stopping at the first failure


@dataclass
class SolutionResult:
    solution_id: str
    role: str  # correct | incorrect
    lang: str
    expected_verdict: str | None
    verdict: Verdict | None  # OK when every test passed, else the first failing test's (CE / SE / JF: unjudged);
    # None: not run (the sandbox does not run its language)
    passed: bool | None  # None: could not be judged
    tests_run: int = 0
    first_failure: int | None = None  # index of the first failing test in the suite
    cpu_ms: float = 0.0
    message: str = ""
    verdicts: list[str] | None = None  # every test's verdict (full runs only)
    time_limit_ms: float | None = None  # the CPU limit its runs were judged under (its language's)
    near_limit: list[dict] = field(default_factory=list)  # correct solutions: runs within NEAR_LIMIT of it


@dataclass
class SuiteResult:
    problem_id: str
    suite: str
    tests: int
    solutions: list[SolutionResult] = field(default_factory=list)
    wall_s: float = 0.0  # the whole run of this suite on this problem
    compile_s: float = 0.0  # wall time compiling (once per source: later suites find it cached)
    sandbox_s: float = 0.0  # wall time inside sandbox calls that ran tests (and checkers)
    cpu_s: float = 0.0  # the solutions' own CPU time
    judge_s: float = 0.0


@dataclass
class ProblemOutcome(Outcome):
    time_limit_s: float | None = None
    time_limit_note: str | None = None
    time_limits: dict[str, float] = field(default_factory=dict)  # language -> the limit its runs got (s)
    results: list[SuiteResult] = field(default_factory=list)


def solutions_of(problem: Problem) -> list[tuple[str, str, Program, str | None]]:
    """(id, role, program, expected verdict) of every solution of the problem."""
    golds = [(f"{problem.id}/gold-{k}", CORRECT, p, None) for k, p in enumerate(problem.gold)]
    return golds + [(s.id, INCORRECT, s.program, s.expected_verdict) for s in problem.incorrect]


class SuiteRunner:
    """Runs the solutions of one problem on one suite's tests."""

    def __init__(self, problem: Problem, sandbox: Sandbox, settings: EvaluateSettings):
        self.problem, self.sandbox, self.settings = problem, sandbox, settings
        self.limits = Limits.for_problem(problem)
        self.judge = Judge.for_problem(problem, sandbox)
        self._totals = threading.Lock()

    def run(self, suite: str, tests: list[TestCase]) -> SuiteResult:
        result = SuiteResult(self.problem.id, suite, len(tests))
        solutions = solutions_of(self.problem)
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=max(1, self.sandbox.slots)) as pool:
            result.solutions = list(pool.map(lambda s: self._solution(s, tests, result), solutions))
        result.wall_s = time.perf_counter() - began
        return result

    def _solution(self, solution, tests: list[TestCase], totals: SuiteResult) -> SolutionResult:
        solution_id, role, program, expected = solution
        out = SolutionResult(solution_id, role, program.lang, expected, Verdict.OK, True)
        if not runnable(program):
            out.verdict, out.passed, out.message = None, None, f"the sandbox does not run {program.lang}"
            return out
        if tests:
            began = time.perf_counter()
            self.sandbox.compile(program)
            with self._totals:
                totals.compile_s += time.perf_counter() - began
        verdicts: list[Verdict] = []
        size = len(tests) if self.settings.full else FIRST_CHUNK_PER_SLOT * max(1, self.sandbox.slots)
        start = 0
        while start < len(tests):
            chunk = tests[start:start + size]
            chunk_verdicts, message = self._run_chunk(program, chunk, out, totals, start)
            verdicts += chunk_verdicts
            failed = next((k for k, v in enumerate(chunk_verdicts) if v != Verdict.OK), None)
            if failed is not None and out.first_failure is None:
                out.first_failure, out.verdict, out.message = start + failed, chunk_verdicts[failed], message[failed]
                if out.verdict in UNJUDGED:
                    out.passed = None
                    break
                out.passed = False
                if not self.settings.full:
                    break
            start += len(chunk)
            size *= 2
        out.tests_run = len(verdicts)
        if self.settings.full:
            out.verdicts = verdicts
        return out

    def _run_chunk(self, program: Program, chunk: list[TestCase], out: SolutionResult,
                   totals: SuiteResult, start: int) -> tuple[list[Verdict], list[str]]:
        began = time.perf_counter()
        texts = [t.input for t in chunk]
        # a correct solution's verdict is final only after run_gold's second look at a near miss
        runs = (run_gold(self.sandbox, program, texts, self.limits) if out.role == CORRECT
                else self.sandbox.run(program, texts, self.limits))
        judged = time.perf_counter()
        runs = self.judge.verdicts(runs, texts, [t.output or "" for t in chunk])
        out.time_limit_ms = next((r.time_limit_ms for r in runs if r.time_limit_ms is not None), out.time_limit_ms)
        if out.role == CORRECT:
            out.near_limit += [{"test": start + k, "cpu_ms": round(r.cpu_ms, 1), "verdict": r.verdict.value}
                               for k, r in enumerate(runs) if near_limit(r)]
        ended = time.perf_counter()
        cpu = sum(r.cpu_ms for r in runs)
        out.cpu_ms += cpu
        with self._totals:
            totals.sandbox_s += judged - began + (ended - judged if self.problem.checker else 0.0)
            totals.judge_s += ended - judged
            totals.cpu_s += cpu / 1000
        # a judged run's message is the judge's; a run that failed on its own says why, with its stderr
        messages = [r.message if r.verdict in (Verdict.WA, Verdict.JF) else
                    shorten(" / ".join(x for x in (r.message, r.stderr_tail.strip()) if x)) for r in runs]
        return [r.verdict for r in runs], messages


def evaluate_problem(problem: Problem, suites: list[Suite], sandbox: Sandbox,
                     settings: EvaluateSettings = EvaluateSettings()) -> ProblemOutcome:
    outcome = ProblemOutcome(problem.id, time_limit_s=problem.time_limit_s)
    if not problem.gold and not problem.incorrect:
        outcome.outcome, outcome.cause = "skipped", "no solutions to evaluate"
        return outcome
    try:
        problem, outcome.time_limit_note = derive_time_limit(problem, sandbox)
        problem = runnable_problem(problem)  # a function problem's solutions in their harness
        outcome.time_limit_s = problem.time_limit_s
        factors = time_factors_of(sandbox)
        outcome.time_limits = {lang: factors.time_limit_s(problem.time_limit_s, lang)
                               for lang in sorted({p.lang for _, _, p, _ in solutions_of(problem) if runnable(p)})}
        runner = SuiteRunner(problem, sandbox, settings)
        for suite in suites:
            outcome.results.append(runner.run(suite.name, suite.tests.get(problem.id, [])))
    except Exception as e:  # noqa: BLE001 - one problem's fault must not stop the batch
        outcome.outcome, outcome.cause = "failed", f"{type(e).__name__}: {e}"
    return outcome


def evaluate_on(problem: Problem, sandbox: Sandbox, suites: list[Suite], settings: EvaluateSettings) -> ProblemOutcome:
    """One problem as an executor's work (`work(problem, sandbox)`): it may run on another node."""
    return evaluate_problem(problem, suites, sandbox, settings)


def evaluate(rows: Iterable[Problem | RowError], suites: list[Suite], sandbox: Sandbox | None,
             settings: EvaluateSettings = EvaluateSettings(),
             on_problem: Callable[[str, str], None] = lambda pid, outcome: None,
             executor: Executor | None = None) -> list[ProblemOutcome]:
    """Every problem on `sandbox`, one at a time (each uses every slot), or with `executor` (Ray) as
    many at once as its nodes have slots; the outcomes in the rows' order either way."""
    outcomes: dict[int, ProblemOutcome] = {}
    order = {}  # problem id -> its row's position, for the executor's results

    def finished(outcome: ProblemOutcome) -> None:
        outcomes[order[outcome.problem_id]] = outcome
        on_problem(outcome.problem_id, outcome.outcome if outcome.cause is None else f"{outcome.outcome}: "
                                                                                     f"{outcome.cause}")

    def problems() -> Iterable[Problem]:
        for index, row in enumerate(rows):
            order[row.path if isinstance(row, RowError) else row.id] = index
            if isinstance(row, RowError):
                # an unsupported problem (interactive) is skipped; a row that could not be read failed
                finished(ProblemOutcome(row.path, "skipped" if row.skipped else "failed", str(row)))
            else:
                yield row

    if executor is None:
        for problem in problems():
            finished(evaluate_problem(problem, suites, sandbox, settings))
    else:
        executor.map(problems(), partial(evaluate_on, suites=suites, settings=settings), finished,
                     lambda problem, cause, error: ProblemOutcome(problem.id, "failed", f"{cause}: {error}"))
    return [outcomes[index] for index in sorted(outcomes)]
