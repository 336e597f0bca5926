"""Run a stage over many problems into a run directory: resumable, a few problems at a time.

A bad input row and a failing problem are recorded outcomes; the batch always goes on.
Problems are read as they are needed (memory stays flat), and each finished problem is
written at once, so a killed batch resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial

from klear_ct.errors import ProblemFailure
from klear_ct.executor import Executor
from klear_ct.executor.local import LocalExecutor
from klear_ct.formats import RowError
from klear_ct.model import Cause, Problem, content_hash
from klear_ct.pipeline.validate import ProblemResult, ValidateSettings, validate_problem
from klear_ct.sandbox import Sandbox, SandboxError
from klear_ct.store import RunStore

STAGE = "validate"
SHOWN_BAD_ROWS = 5


@dataclass
class StageSummary:
    done: int = 0
    skipped: int = 0  # finished by an earlier run
    failed: int = 0
    bad_rows: int = 0
    skipped_rows: int = 0  # sound rows klearct does not handle (interactive problems): not failures
    causes: dict[str, int] = field(default_factory=dict)
    bad_row_errors: list[str] = field(default_factory=list)  # the first few, with file, line and field

    def count_failure(self, cause: str) -> None:
        self.failed += 1
        self.causes[cause] = self.causes.get(cause, 0) + 1


@dataclass
class BatchSummary(StageSummary):
    tests: int = 0


def pending_problems(rows: Iterable[Problem | RowError], store: RunStore, stage: str, summary: StageSummary,
                     retry_failed: bool, on_problem: Callable[[str, str], None],
                     fingerprint: Callable[[Problem], str] | None = None) -> Iterator[Problem]:
    """The problems `stage` still has to do; bad rows are recorded once, finished problems counted.
    With `fingerprint` (of what a result is computed from: the problem and the settings), a
    finished problem whose fingerprint changed is done again, with an event saying so."""
    finished = store.done(stage)
    for row in rows:
        if isinstance(row, RowError):
            key = f"row:{row.path}:{row.line}"
            outcome, cause = ("skipped", Cause.UNSUPPORTED) if row.skipped else ("failed", Cause.BAD_ROW)
            if row.skipped:
                summary.skipped_rows += 1
            else:
                summary.bad_rows += 1
                if len(summary.bad_row_errors) < SHOWN_BAD_ROWS:
                    summary.bad_row_errors.append(str(row))
            if key not in finished:
                store.event(key, "read", outcome, cause, error=str(row))
                store.mark_done(key, stage, outcome, cause, error=str(row))
            on_problem(key, "skipped" if row.skipped else "bad row")
            continue
        previous = finished.get(row.id)
        if previous and fingerprint and previous.get("fingerprint") not in (None, fingerprint(row)):
            store.event(row.id, stage, "redone", Cause.PROBLEM_CHANGED, previous=previous["fingerprint"])
            previous = None
        if previous and not (retry_failed and previous["outcome"] == "failed"):
            summary.skipped += 1
            if previous["outcome"] == "failed":
                summary.count_failure(previous["cause"])
            on_problem(row.id, f"already {previous['outcome']}")
            continue
        yield row


def failure_cause(error: Exception) -> str:
    """The cause recorded for a problem whose stage raised: one problem's bug never stops the batch."""
    if isinstance(error, ProblemFailure):
        return error.cause
    return Cause.SANDBOX_ERROR if isinstance(error, SandboxError) else f"{Cause.INTERNAL_ERROR}:{type(error).__name__}"


def safe_validate(problem: Problem, sandbox: Sandbox, settings: ValidateSettings) -> ProblemResult:
    try:
        return validate_problem(problem, sandbox, settings)
    except Exception as e:  # noqa: BLE001 - recorded as the problem's outcome
        return ProblemResult(problem.id).fail(failure_cause(e), error=str(e)[:500])


def lost_problem(problem: Problem, cause: str, error: str) -> ProblemResult:
    """The result of a problem the executor could not get done (its Ray node lost, every try)."""
    return ProblemResult(problem.id).fail(cause, error=error[:500])


def generated_versions(rows: Iterable[Problem | RowError], store: RunStore) -> Iterator[Problem | RowError]:
    """Each row, or for a problem that `generate` or `adversarial` finished in this run the stored
    problem instead: the one with the generators, the checker and the time limit derived once, so
    that validate judges under the very limit generate did (no second derivation), and with the
    adversarial incorrect solutions (their kill matrix is validate's too)."""
    generated = store.done("generate") | store.done("adversarial")
    for row in rows:
        stored = store.problem(row.id) if isinstance(row, Problem) and row.id in generated else None
        yield stored or row


def with_adversarial(rows: Iterable[Problem | RowError], store: RunStore) -> Iterator[Problem | RowError]:
    """Each row with the adversarial incorrect solutions `klearct adversarial` stored for it in this
    run added, so that generate's kill_incorrect rounds aim at them too."""
    done = store.done("adversarial")
    for row in rows:
        stored = store.problem(row.id) if isinstance(row, Problem) and row.id in done else None
        if stored is not None:
            known = {s.id for s in row.incorrect}
            extra = [s for s in stored.incorrect if (s.origin or {}).get("source") == "adversarial" and s.id not in known]
            row = row.model_copy(update={"incorrect": [*row.incorrect, *extra]}) if extra else row
        yield row


def write_result(store: RunStore, result: ProblemResult, fingerprint: str | None) -> None:
    """One validated problem's tables, events and done line: written last, so it is done or redone."""
    store.write_tests(result.problem_id, result.tests)
    store.write_rows("solutions", result.problem_id, result.solutions)
    store.write_rows("generators", result.problem_id, result.generators)
    for event in result.events:
        store.event(result.problem_id, **event)
    store.mark_done(result.problem_id, STAGE, result.outcome, result.cause, tests=len(result.tests),
                    fingerprint=fingerprint)


def validate_batch(rows: Iterable[Problem | RowError], store: RunStore, sandbox: Sandbox | None,
                   settings: ValidateSettings | None = None, retry_failed: bool = False,
                   on_problem: Callable[[str, str], None] = lambda problem_id, outcome: None,
                   workers: int | None = None, executor: Executor | None = None) -> BatchSummary:
    """Validate every pending problem on `executor` (default: the local one, `workers` problems at
    once on `sandbox`). Results come back as records; only this thread writes the run."""
    settings = settings or ValidateSettings()
    summary = BatchSummary()
    executor = executor or LocalExecutor(sandbox, workers, thread_name=STAGE)

    factors = executor.time_factors  # other factors, other kept tests; a measured machine factor
    limits = repr((sorted(factors.languages.items()), factors.calibration is not None))  # varies: not itself

    def fingerprint(problem: Problem) -> str:
        # the dataset's row as read is carried for the klear exporter; what validate uses is in the other fields
        return content_hash(problem.model_dump_json(exclude={"source_row"}), repr(settings), limits)

    def write(result: ProblemResult) -> None:
        write_result(store, result, fingerprints.pop(result.problem_id, None))
        summary.done += 1
        summary.tests += len(result.tests)
        if result.outcome == "failed":
            summary.count_failure(result.cause or "unknown")
        on_problem(result.problem_id, result.outcome if result.cause is None else f"{result.outcome}: {result.cause}")

    fingerprints: dict[str, str] = {}  # of the problems in flight

    def stored(problems: Iterable[Problem]) -> Iterator[Problem]:
        for problem in problems:
            store.write_problem(problem)
            fingerprints[problem.id] = fingerprint(problem)
            yield problem

    problems = pending_problems(generated_versions(rows, store), store, STAGE, summary, retry_failed, on_problem,
                                fingerprint)
    executor.map(stored(problems), partial(safe_validate, settings=settings), write, lost_problem)
    return summary
