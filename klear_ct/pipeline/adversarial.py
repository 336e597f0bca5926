"""The adversarial code loop (ATGEN's second loop): ask the LLM for K subtly wrong variants of a
gold solution, run them on the problem's validated tests, and keep those that pass the weak
suite (default: the public tests) but fail the full one. A kept variant becomes an incorrect
solution of the problem with its provenance (`origin`: adversarial, round, model), so the kill
matrix, `validate` (which re-runs a problem whose incorrect solutions changed) and
`export --format atgen` use it. Each round after the first is told what became of the last
variants. Every variant dropped is an event with its cause.

`adversarial_problem` is a plain function over records (LLM and sandbox as parameters);
`adversarial_batch` runs it over a run's validated problems and writes each finished problem
(resumable: a finished problem is skipped, an unfinished one redone from the LLM cache).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from klear_ct.errors import ProblemFailure
from klear_ct.executor.local import run_concurrently
from klear_ct.judge import Judge
from klear_ct.llm.client import BudgetReached, LLMClient, LLMError, Usage
from klear_ct.llm.extract import FENCE, language_of_block
from klear_ct.llm.prompts import Prompts, code_block
from klear_ct.model import Cause, IncorrectProgram, Outcome, Problem, Program, TestCase
from klear_ct.pipeline.batch import failure_cause, pending_problems
from klear_ct.pipeline.generate_batch import GenerateSummary, within_budget
from klear_ct.pipeline.session import GenerateSettings, Session
from klear_ct.pipeline.timelimit import derive_time_limit
from klear_ct.pipeline.validate import ProblemResult, run_incorrect
from klear_ct.sandbox import Limits, Sandbox, runnable
from klear_ct.store import RunStore
from klear_ct.text import shorten

STAGE = "adversarial"
PROMPT = "adversarial"


@dataclass(frozen=True)
class AdversarialSettings:
    variants: int = 4  # asked for per round
    rounds: int = 2
    weak_kinds: tuple[str, ...] = ("public",)  # the test kinds of the weak suite


@dataclass(kw_only=True)
class AdversarialResult(Outcome):
    problem: Problem  # with the kept variants among its incorrect solutions
    tests: list[TestCase]  # with the kept variants in their kills
    solutions: list[dict] = field(default_factory=list)  # solutions/ rows of the kept variants
    kept: int = 0
    usage: Usage = field(default_factory=Usage)
    requests: list[dict] = field(default_factory=list)


def variants_in(text: str, lang: str) -> list[Program]:
    """The programs of an answer's code blocks, in order (a block's language from its tag or its code)."""
    found = [Program(lang=language_of_block(tag, code) or lang, code=code) for tag, code in FENCE.findall(text or "")
             if code.strip()]
    return [p for p in found if runnable(p)]


def describe_weak_suite(tests: list[TestCase], weak: set[int], kinds: tuple[str, ...]) -> str:
    shown = "\n".join(f"```\n{shorten(tests[k].input, 400)}\n```" for k in sorted(weak)[:3])
    return f"{len(weak)} tests of kind {', '.join(kinds)}" + (f", such as:\n\n{shown}" if shown else "")


def adversarial_problem(problem: Problem, tests: list[TestCase], llm: LLMClient, prompts: Prompts, sandbox: Sandbox,
                        settings: AdversarialSettings = AdversarialSettings()) -> AdversarialResult:
    golds = [g for g in problem.gold if runnable(g)]
    result = AdversarialResult(problem_id=problem.id, problem=problem, tests=tests)
    if not golds:
        return result.fail(Cause.NO_RUNNABLE_GOLD, STAGE)
    if not tests:
        return result.fail(Cause.NO_CONSISTENT_TESTS, STAGE)
    gold = golds[0]
    session = Session(problem, llm, prompts, sandbox, GenerateSettings(lang=gold.lang))
    result.usage, result.requests, result.events = session.usage, session.requests, session.events
    try:
        run_rounds(session, gold, result, settings)
    except BudgetReached as e:  # nothing more was sent; the next run (a higher cap) redoes it from the cache
        result.outcome, result.cause = "pending", e.cause
        session.event(STAGE, "pending", e.cause, error=str(e))
        return result
    except LLMError as e:
        return result.fail(e.cause, STAGE, error=str(e), attempts=e.attempts)
    except ProblemFailure as e:
        return result.fail(e.cause, STAGE, error=str(e))
    if not result.kept:
        return result.fail(Cause.NO_VARIANT_KEPT, STAGE, rounds=settings.rounds)
    return result


def run_rounds(session: Session, gold: Program, result: AdversarialResult, settings: AdversarialSettings) -> None:
    problem, sandbox = session.problem, session.sandbox
    # the limit validate judged under: derived again where the source gave none (a multiple of the golds' time)
    judge, limits = Judge.for_problem(problem, sandbox), Limits.for_problem(derive_time_limit(problem, sandbox)[0])
    weak = {k for k, t in enumerate(result.tests) if t.kind in settings.weak_kinds}
    known = {p.sha for p in problem.gold} | {s.program.sha for s in problem.incorrect}
    weak_suite = describe_weak_suite(result.tests, weak, settings.weak_kinds)
    report = ""
    for round_ in range(1, settings.rounds + 1):
        text, _ = session.ask(PROMPT, f"adversarial-r{round_}", round_, count=settings.variants, gold=code_block(gold),
                              weak_suite=weak_suite, error_report=report)
        fresh: list[IncorrectProgram] = []
        for program in variants_in(text, gold.lang)[:settings.variants]:
            if program.sha in known:
                session.event(STAGE, "dropped", Cause.VARIANT_DUPLICATE, round=round_, sha=program.sha)
                continue
            known.add(program.sha)
            fresh.append(IncorrectProgram(id=f"{problem.id}/adversarial-{program.sha}", program=program,
                                          origin={"source": "adversarial", "round": round_,
                                                  "model": session.llm.config.model}))
        if not fresh:
            session.event(STAGE, "dropped", Cause.NO_VARIANT, round=round_)
            report = "## What became of your last answer\n\nIt held no new program in a code block."
            continue
        ran = ProblemResult(problem.id)
        judged = run_incorrect(problem.model_copy(update={"incorrect": fresh}), result.tests, sandbox, judge, limits,
                               ran)
        result.events.extend(e for e in ran.events if e["cause"] != Cause.INCORRECT_SURVIVES)
        rows = {row["solution_id"]: row for row in ran.solutions}
        lines, kept = [], []
        for k, variant in enumerate(fresh, start=1):
            killers = [i for i, t in enumerate(judged) if variant.id in t.kills]
            weak_killers = [i for i in killers if i in weak]
            detail = {"round": round_, "solution": variant.id, "killing_tests": len(killers)}
            if variant.id not in rows:  # did not compile (run_incorrect's event says so)
                lines.append(f"- variant {k} did not compile.")
            elif weak_killers:
                test = result.tests[weak_killers[0]]
                session.event(STAGE, "dropped", Cause.VARIANT_FAILS_WEAK_SUITE, **detail)
                lines.append(f"- variant {k} fails a weak test (too obvious), input {shorten(test.input)!r}.")
            elif not killers:
                session.event(STAGE, "dropped", Cause.VARIANT_PASSES_ALL, **detail)
                lines.append(f"- variant {k} passes every test: it may well be correct; its change was too harmless.")
            else:
                session.event(STAGE, "ok", Cause.VARIANT_KEPT, first_failure=rows[variant.id]["first_failure"],
                              **detail)
                lines.append(f"- variant {k} was kept: it passes the weak tests and fails {len(killers)} others.")
                kept.append(variant)
                result.solutions.append(rows[variant.id])
        ids = {v.id for v in kept}
        result.tests = [t.model_copy(update={"kills": [*t.kills, *(i for i in j.kills if i in ids and i not in t.kills)]})
                        for t, j in zip(result.tests, judged, strict=True)]
        result.problem = result.problem.model_copy(update={"incorrect": [*result.problem.incorrect, *kept]})
        result.kept += len(kept)
        report = "## What became of your last variants\n\n" + "\n".join(lines) + \
            "\n\nWrite new variants, subtler than the kept ones and unlike the dropped ones."


@dataclass
class AdversarialSummary(GenerateSummary):
    kept: int = 0  # new incorrect solutions


def validated_problems(store: RunStore) -> Iterator[Problem]:
    finished = store.done("validate")
    return (p for p in store.problems() if finished.get(p.id, {}).get("outcome") == "ok")


def adversarial_batch(store: RunStore, llm: LLMClient, prompts: Prompts, sandbox: Sandbox,
                      settings: AdversarialSettings | None = None, retry_failed: bool = False, workers: int = 1,
                      on_problem: Callable[[str, str], None] = lambda problem_id, outcome: None
                      ) -> AdversarialSummary:
    """The loop over every problem of the run that validated ok and is not done yet."""
    settings = settings or AdversarialSettings()
    summary = AdversarialSummary()

    def safe(problem: Problem) -> AdversarialResult:
        try:
            return adversarial_problem(problem, store.tests(problem.id), llm, prompts, sandbox, settings)
        except Exception as e:  # noqa: BLE001 - recorded as the problem's outcome
            return AdversarialResult(problem_id=problem.id, problem=problem, tests=[]).fail(
                failure_cause(e), STAGE, error=str(e)[:500])

    def finished(result: AdversarialResult) -> None:
        write_result(store, result)
        summary.count_llm_problem(result.problem_id, result.outcome, result.cause, result.usage)
        summary.kept += result.kept
        if result.outcome == "pending":
            summary.budget_reached = summary.budget_reached or next(
                (e.get("error") for e in result.events if e["outcome"] == "pending"), None)
        on_problem(result.problem_id, result.outcome if result.cause is None else f"{result.outcome}: {result.cause}")

    problems = within_budget(pending_problems(validated_problems(store), store, STAGE, summary, retry_failed,
                                              on_problem), store, llm, summary, on_problem, stage=STAGE)
    run_concurrently(problems, safe, workers, finished, thread_name=STAGE)
    return summary


def write_result(store: RunStore, result: AdversarialResult) -> None:
    pid = result.problem_id
    if result.kept:  # the problem last: a run killed before it redoes the problem, and the rows are replaced
        new = {row["solution_id"] for row in result.solutions}
        store.write_tests(pid, result.tests)
        store.write_rows("solutions", pid, [*(r for r in store.solutions(pid) if r["solution_id"] not in new),
                                            *result.solutions])
        store.write_problem(result.problem)
    store.write_rows("adversarial", pid, result.requests)
    for event in result.events:
        store.event(pid, **event)
    if result.outcome == "pending":
        return
    store.mark_done(pid, STAGE, result.outcome, result.cause, kept=result.kept, requests=result.usage.requests,
                    cached=result.usage.cached, prompt_tokens=result.usage.prompt_tokens,
                    completion_tokens=result.usage.completion_tokens)
