"""Generate one problem: checker, input validator, generators per kind through the repair loop,
then `kill_incorrect` rounds for incorrect solutions that survive every kept test.

The result is the problem with the kept generators (and checker) added, ready for `validate`.
LLM faults and hopeless problems end the problem with a cause; they never raise. A problem
stopped by the run's spend cap ends "pending" (not done: the next run continues it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from klear_ct.errors import ProblemFailure
from klear_ct.llm.client import BudgetReached, LLMClient, LLMError, Usage
from klear_ct.llm.prompts import Prompts, code_block
from klear_ct.model import Cause, Outcome, Problem
from klear_ct.pipeline.batch import failure_cause
from klear_ct.pipeline.checker import needs_checker, write_checker
from klear_ct.pipeline.input_validator import write_validator
from klear_ct.pipeline.repair import develop_generator
from klear_ct.pipeline.session import GenerateSettings, Session
from klear_ct.pipeline.timelimit import derive_time_limit
from klear_ct.sandbox import Sandbox, runnable

GENERIC_APPROACH = ("A brute-force or naive solution: one complexity class too slow, 32-bit integers where 64 "
                    "are needed, floating point where exact arithmetic is needed, or no care for the boundaries.")


@dataclass(kw_only=True)
class GenerateResult(Outcome):
    problem: Problem  # with the kept generators and the checker
    kept: int = 0
    usage: Usage = field(default_factory=Usage)
    requests: list[dict] = field(default_factory=list)
    programs: list[dict] = field(default_factory=list)


def generate_problem(problem: Problem, llm: LLMClient, prompts: Prompts, sandbox: Sandbox,
                     settings: GenerateSettings | None = None) -> GenerateResult:
    session = Session(problem, llm, prompts, sandbox, settings or GenerateSettings())
    outcome, cause, final = "ok", None, problem
    try:
        final = develop(session)
        if len(final.generators) == len(problem.generators):
            outcome, cause = "failed", Cause.NO_GENERATOR_PASSED
            session.event("generate", "failed", cause, programs=len(session.programs))
    except BudgetReached as e:
        # not a failure: nothing more was sent; the next run (a higher cap) redoes it from the cache
        outcome, cause, final = "pending", e.cause, session.progress()
        session.event("generate", "pending", e.cause, error=str(e), generators_kept=len(session.accepted))
    except LLMError as e:
        # what passed before the LLM gave out is kept: `klearct run` validates it, and
        # --retry-failed redoes the rest, the passed part answered from the cache
        outcome, cause, final = "failed", e.cause, session.progress()
        session.event("generate", "failed", e.cause, error=str(e), attempts=e.attempts,
                      generators_kept=len(session.accepted))
    except ProblemFailure as e:
        outcome, cause, final = "failed", e.cause, session.progress()
        session.event("generate", "failed", e.cause, error=str(e))
    except Exception as e:  # noqa: BLE001 - a bug fails its problem; the answered requests still count
        outcome, cause, final = "failed", failure_cause(e), session.progress()
        session.event("generate", "failed", cause, error=str(e)[:500])
    return GenerateResult(problem_id=problem.id, problem=final, outcome=outcome, cause=cause,
                          kept=len(final.generators) - len(problem.generators), usage=session.usage,
                          requests=session.requests, programs=session.programs, events=session.events)


def develop(session: Session) -> Problem:
    problem = session.problem
    if not any(runnable(g) for g in problem.gold):
        raise ProblemFailure(Cause.NO_RUNNABLE_GOLD)
    if problem.time_multiplier is not None:
        # derived once, from the problem's own tests, and stored with it: `validate` judges under the same limit
        problem, note = derive_time_limit(problem, session.sandbox)
        session.problem = problem
        session.event("generate", "warning", Cause.TIME_LIMIT_DERIVED, time_limit_s=problem.time_limit_s, note=note)
    if not declares_judge(problem) and needs_checker(session):
        checker = write_checker(session)
        if checker is None:
            raise ProblemFailure(Cause.CHECKER_REJECTED, "no checker passed checker validation")
        problem = session.problem = problem.model_copy(update={"checker": checker})
    session.validator = problem.input_validator or (write_validator(session) if session.settings.validator else None)

    tests = []
    for kind, count in session.settings.counts:
        for k in range(count):
            values = {"approach": approach(problem)} if kind == "hack" else {}
            found = develop_generator(session, f"{kind}-{k}", kind, k, kind, **values)
            if found is not None:
                session.accepted.append(found[0])
                tests += found[1].tests

    for incorrect in problem.incorrect:
        if not session.accepted or not runnable(incorrect.program) or any(incorrect.id in t.kills for t in tests):
            continue
        session.event("kill_incorrect", "started", "incorrect_survives", solution=incorrect.id)
        found = develop_generator(session, f"kill-{incorrect.id}", "hack", 0, "kill_incorrect",
                                  target=incorrect.id, attempts=session.settings.kill_rounds,
                                  solution=code_block(incorrect.program),
                                  expected_verdict=incorrect.expected_verdict or "unknown")
        if found is None:
            session.event("kill_incorrect", "failed", "incorrect_survives", solution=incorrect.id)
            continue
        session.event("kill_incorrect", "ok", "incorrect_killed", solution=incorrect.id)
        session.accepted.append(found[0])
        tests += found[1].tests
    return session.progress()


def declares_judge(problem: Problem) -> bool:
    """Whether the problem already says how to judge an output: its own checker (an ICPC output
    validator) or a comparison other than the default `lines` (ICPC default validation, a float
    tolerance). The declared judge wins: no checker is asked for, whatever `checker` says."""
    return problem.checker is not None or problem.comparison != "lines"


def approach(problem: Problem) -> str:
    wrong = next((s for s in problem.incorrect if runnable(s.program)), None)
    if wrong is None:
        return GENERIC_APPROACH
    return f"This solution (expected verdict: {wrong.expected_verdict or 'unknown'}):\n\n{code_block(wrong.program)}"
