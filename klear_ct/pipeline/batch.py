"""Run a stage over many problems into a run directory: resumable, one problem at a time.

A bad input row and a failing problem are recorded outcomes; the batch always goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from klear_ct.formats import RowError
from klear_ct.model import Problem
from klear_ct.pipeline.validate import ValidateSettings, validate_problem
from klear_ct.sandbox import Sandbox
from klear_ct.store import RunStore

STAGE = "validate"


@dataclass
class BatchSummary:
    done: int = 0
    skipped: int = 0
    failed: int = 0
    bad_rows: int = 0
    tests: int = 0
    causes: dict[str, int] = field(default_factory=dict)

    def count_failure(self, cause: str) -> None:
        self.failed += 1
        self.causes[cause] = self.causes.get(cause, 0) + 1


def validate_batch(rows: Iterable[Problem | RowError], store: RunStore, sandbox: Sandbox,
                   settings: ValidateSettings | None = None, retry_failed: bool = False,
                   on_problem: Callable[[str, str], None] = lambda problem_id, outcome: None) -> BatchSummary:
    settings = settings or ValidateSettings()
    summary = BatchSummary()
    finished = store.done(STAGE)
    for row in rows:
        if isinstance(row, RowError):
            key = f"row:{row.path}:{row.line}"
            summary.bad_rows += 1
            if key not in finished:
                store.event(key, "read", "failed", "bad_row", error=str(row))
                store.mark_done(key, STAGE, "failed", "bad_row", error=str(row))
            on_problem(key, "bad row")
            continue
        previous = finished.get(row.id)
        if previous and not (retry_failed and previous["outcome"] == "failed"):
            summary.skipped += 1
            if previous["outcome"] == "failed":
                summary.count_failure(previous["cause"])
            on_problem(row.id, f"already {previous['outcome']}")
            continue
        store.write_problem(row)
        result = validate_problem(row, sandbox, settings)
        store.write_tests(row.id, result.tests)
        store.write_rows("solutions", row.id, result.solutions)
        store.write_rows("generators", row.id, result.generators)
        for event in result.events:
            store.event(row.id, **event)
        store.mark_done(row.id, STAGE, result.outcome, result.cause, tests=len(result.tests))
        summary.done += 1
        summary.tests += len(result.tests)
        if result.outcome == "failed":
            summary.count_failure(result.cause or "unknown")
        on_problem(row.id, result.outcome if result.cause is None else f"{result.outcome}: {result.cause}")
    return summary
