"""Run the generate stage over many problems into a run directory: resumable, bounded concurrency.

Per problem it writes `problems/` (the problem with its kept generators and checker),
`generation/` (every program tried, round by round, with its error report), `llm/` (every
request: prompt kind, round, the error report sent, the answer, tokens) and the error reports
as text under `llm/reports/`. The LLM cache (`llm/cache/`) and the usage log (`llm/usage.jsonl`)
are written by the client as answers arrive. When the run's spend cap is reached, the problem
in progress and the ones not started are left pending: events, but no done line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from klear_ct.executor.local import run_concurrently
from klear_ct.formats import RowError
from klear_ct.llm.client import LLMClient, Usage
from klear_ct.llm.prompts import Prompts
from klear_ct.model import Cause, Problem
from klear_ct.pipeline.batch import StageSummary, failure_cause, pending_problems
from klear_ct.pipeline.generate import GenerateResult, generate_problem
from klear_ct.pipeline.session import GenerateSettings
from klear_ct.sandbox import Sandbox
from klear_ct.store import RunStore

STAGE = "generate"


@dataclass
class GenerateSummary(StageSummary):
    generators: int = 0
    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    pending: int = 0  # left for the next run: the spend cap was reached
    pending_ids: list[str] = field(default_factory=list)
    budget_reached: str | None = None  # why, when the cap stopped the run

    def count_llm_problem(self, problem_id: str, outcome: str, cause: str | None, usage: Usage) -> None:
        """One finished problem of an LLM stage: its requests, tokens and outcome."""
        self.done += 1
        self.requests += usage.requests
        self.cached += usage.cached
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        if outcome == "failed":
            self.count_failure(cause or "unknown")
        if outcome == "pending":
            self.pending += 1
            self.pending_ids.append(problem_id)


def generate_batch(rows: Iterable[Problem | RowError], store: RunStore, llm: LLMClient, prompts: Prompts,
                   sandbox: Sandbox, settings: GenerateSettings | None = None, retry_failed: bool = False,
                   workers: int = 1,
                   on_problem: Callable[[str, str], None] = lambda problem_id, outcome: None) -> GenerateSummary:
    summary = GenerateSummary()
    settings = settings or GenerateSettings()

    def finished(result: GenerateResult) -> None:
        write_result(store, result)
        summary.count_llm_problem(result.problem.id, result.outcome, result.cause, result.usage)
        summary.generators += result.kept
        if result.outcome == "pending":
            summary.budget_reached = summary.budget_reached or next(
                (e.get("error") for e in result.events if e["outcome"] == "pending"), None)
        on_problem(result.problem.id, result.outcome if result.cause is None else f"{result.outcome}: {result.cause}")

    problems = within_budget(pending_problems(rows, store, STAGE, summary, retry_failed, on_problem), store, llm,
                             summary, on_problem)
    run_concurrently(problems, lambda problem: safe_generate(problem, llm, prompts, sandbox, settings), workers,
                     finished, thread_name="generate")
    return summary


def within_budget(problems: Iterable[Problem], store: RunStore, llm: LLMClient, summary: GenerateSummary,
                  on_problem: Callable[[str, str], None], stage: str = STAGE) -> Iterator[Problem]:
    """The problems to start; once the run's spend cap is reached the rest are left pending
    (an event each, no done line), so that the next run, with a higher cap, does them."""
    for problem in problems:
        why = llm.budget.reached() if llm.budget is not None else None
        if why is None:
            yield problem
            continue
        store.event(problem.id, stage, "pending", Cause.LLM_BUDGET_REACHED, error=why)
        summary.pending += 1
        summary.pending_ids.append(problem.id)
        summary.budget_reached = summary.budget_reached or why
        on_problem(problem.id, f"pending: {Cause.LLM_BUDGET_REACHED}")


def safe_generate(problem: Problem, llm: LLMClient, prompts: Prompts, sandbox: Sandbox,
                  settings: GenerateSettings) -> GenerateResult:
    try:
        return generate_problem(problem, llm, prompts, sandbox, settings)
    except Exception as e:  # noqa: BLE001 - recorded as the problem's outcome
        cause = failure_cause(e)
        return GenerateResult(problem_id=problem.id, problem=problem).fail(cause, "generate", error=str(e)[:500])


def write_result(store: RunStore, result: GenerateResult) -> None:
    pid = result.problem.id
    store.write_problem(result.problem)
    store.write_rows("generation", pid, result.programs)
    store.write_rows("llm", pid, result.requests)
    folder = store.reports_dir(pid)
    for row in result.requests:
        if row["error_report"]:
            folder.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{row['candidate']}-round{row['round']}-{row['prompt_kind']}")
            (folder / f"{name}.txt").write_text(row["error_report"])
    for event in result.events:
        store.event(pid, **event)
    if result.outcome == "pending":
        return  # not done: the next run starts it again, its answered requests from the cache
    store.mark_done(pid, STAGE, result.outcome, result.cause, generators=result.kept,
                    requests=result.usage.requests, cached=result.usage.cached,
                    prompt_tokens=result.usage.prompt_tokens, completion_tokens=result.usage.completion_tokens)
