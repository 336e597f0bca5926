"""Run the generate stage over many problems into a run directory: resumable, bounded concurrency.

Per problem it writes `problems/` (the problem with its kept generators and checker),
`generation/` (every program tried, round by round, with its error report), `llm/` (every
request: prompt kind, round, the error report sent, the answer, tokens) and the error reports
as text under `llm/reports/`. The LLM cache (`llm/cache/`) and the usage log (`llm/usage.jsonl`)
are written by the client as answers arrive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from klear_ct.formats import RowError
from klear_ct.llm.client import LLMClient
from klear_ct.llm.prompts import Prompts
from klear_ct.model import Problem
from klear_ct.pipeline.generate import GenerateResult, generate_problem
from klear_ct.pipeline.session import GenerateSettings
from klear_ct.sandbox import Sandbox, SandboxError
from klear_ct.store import RunStore, problem_key

STAGE = "generate"


@dataclass
class GenerateSummary:
    done: int = 0
    skipped: int = 0
    failed: int = 0
    bad_rows: int = 0
    generators: int = 0
    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    causes: dict[str, int] = field(default_factory=dict)

    def count_failure(self, cause: str) -> None:
        self.failed += 1
        self.causes[cause] = self.causes.get(cause, 0) + 1


def pending_problems(rows: Iterable[Problem | RowError], store: RunStore, summary: GenerateSummary,
                     retry_failed: bool, on_problem: Callable[[str, str], None]) -> Iterator[Problem]:
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
        yield row


def generate_batch(rows: Iterable[Problem | RowError], store: RunStore, llm: LLMClient, prompts: Prompts,
                   sandbox: Sandbox, settings: GenerateSettings | None = None, retry_failed: bool = False,
                   workers: int = 1,
                   on_problem: Callable[[str, str], None] = lambda problem_id, outcome: None) -> GenerateSummary:
    summary = GenerateSummary()
    problems = pending_problems(rows, store, summary, retry_failed, on_problem)
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="generate")
    running: dict[Future, Problem] = {}
    try:
        for problem in problems:
            running[pool.submit(safe_generate, problem, llm, prompts, sandbox, settings or GenerateSettings())] = problem
            while len(running) >= max(1, workers):
                finish(running, store, summary, on_problem)
        while running:
            finish(running, store, summary, on_problem)
    finally:
        # on Ctrl-C / SIGTERM do not wait for the problems in flight: they are redone on resume
        pool.shutdown(wait=not running, cancel_futures=True)
    return summary


def safe_generate(problem: Problem, llm: LLMClient, prompts: Prompts, sandbox: Sandbox,
                  settings: GenerateSettings) -> GenerateResult:
    try:
        return generate_problem(problem, llm, prompts, sandbox, settings)
    except Exception as e:  # noqa: BLE001 - one problem's bug must not stop the batch
        cause = "sandbox_error" if isinstance(e, SandboxError) else f"internal_error:{type(e).__name__}"
        return GenerateResult(problem=problem, outcome="failed", cause=cause,
                              events=[{"stage": "generate", "outcome": "failed", "cause": cause, "error": str(e)[:500]}])


def finish(running: dict[Future, Problem], store: RunStore, summary: GenerateSummary,
           on_problem: Callable[[str, str], None]) -> None:
    done, _ = wait(running, return_when=FIRST_COMPLETED)
    for future in done:
        running.pop(future)
        result = future.result()
        write_result(store, result)
        summary.done += 1
        summary.generators += result.kept
        summary.requests += result.usage.requests
        summary.cached += result.usage.cached
        summary.prompt_tokens += result.usage.prompt_tokens
        summary.completion_tokens += result.usage.completion_tokens
        if result.outcome == "failed":
            summary.count_failure(result.cause or "unknown")
        on_problem(result.problem.id, result.outcome if result.cause is None else f"{result.outcome}: {result.cause}")


def write_result(store: RunStore, result: GenerateResult) -> None:
    pid = result.problem.id
    store.write_problem(result.problem)
    store.write_rows("generation", pid, result.programs)
    store.write_rows("llm", pid, result.requests)
    folder = store.root / "llm" / "reports" / problem_key(pid)
    for row in result.requests:
        if row["error_report"]:
            folder.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{row['candidate']}-round{row['round']}-{row['prompt_kind']}")
            (folder / f"{name}.txt").write_text(row["error_report"])
    for event in result.events:
        store.event(pid, **event)
    store.mark_done(pid, STAGE, result.outcome, result.cause, generators=result.kept,
                    requests=result.usage.requests, cached=result.usage.cached,
                    prompt_tokens=result.usage.prompt_tokens, completion_tokens=result.usage.completion_tokens)
