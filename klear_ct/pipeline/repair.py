"""The G-V loop for one generator: draft, run, validate its inputs, send the error report, repair.

A generator passes when it runs, prints a list of inputs, and (nearly) all of them are valid:
accepted by the input validator, and run within limits and agreed on by the gold solutions
(`judge_inputs`, the same step `klearct validate` uses). A repair asks for a small edit
when one suffices; the answer may be edits or a whole program.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from klear_ct.errors import ProblemFailure
from klear_ct.llm.extract import ExtractionError, extract_program, extract_revision
from klear_ct.llm.prompts import code_block
from klear_ct.model import Cause, Program, TestCase
from klear_ct.pipeline.inputs import CandidateInput, run_generator, screen_inputs
from klear_ct.pipeline.session import Session
from klear_ct.pipeline.validate import ProblemResult, judge_inputs
from klear_ct.text import shorten

RUN_CAUSES = {Cause.GENERATOR_COMPILE_ERROR, Cause.GENERATOR_TIMEOUT, Cause.GENERATOR_MEMORY,
              Cause.GENERATOR_OUTPUT_TOO_LARGE, Cause.GENERATOR_CRASH, Cause.GENERATOR_BAD_FORMAT, Cause.NO_INPUTS}
REPORT_CHARS = 4000


@dataclass
class Assessment:
    """How one program fared: what `repair_loop` records and feeds back."""

    passed: bool
    cause: str | None = None
    report: str = ""
    inputs: int = 0
    dropped: int = 0
    tests: list[TestCase] = field(default_factory=list)
    rejected: int = 0  # of the dropped inputs, those the input validator rejected

    def record_fields(self) -> dict:
        return {"inputs": self.inputs, "kept": len(self.tests), "dropped": self.dropped, "rejected": self.rejected,
                "kills": sorted({k for t in self.tests for k in t.kills})}


# ask(round, current program or None, last cause, last report) -> (answer text, finish reason)
Ask = Callable[[int, Program | None, str | None, str], tuple[str, str | None]]


def repair_loop(session: Session, candidate: str, kind: str, rounds: int, ask: Ask,
                assess_program: Callable[[Program], Assessment], revise: bool = True
                ) -> tuple[Program, Assessment] | None:
    """The one G-V loop shape, for generators, checkers and input validators: ask (draft, or repair
    with the last report) → extract the program → assess it → record the attempt; up to `rounds`
    requests. With `revise`, an answer after the first program may be edits to it."""
    current: Program | None = None
    cause, report = None, ""
    for round_ in range(rounds):
        text, reason = ask(round_, current, cause, report)
        try:
            program = extract_revision(text, reason, current) if revise and current is not None \
                else extract_program(text, reason, session.settings.lang)
        except ExtractionError as e:
            # a new report, so that the next request is not the same request answered from the cache
            cause, report = e.cause, f"Your last answer could not be used: {e}. Answer with the program as asked." \
                + (f"\n\n{report}" if report else "")
            session.record(candidate, kind, round_, "failed", e.cause, None, report)
            continue
        current = program
        verdict = assess_program(program)
        session.record(candidate, kind, round_, "ok" if verdict.passed else "failed", verdict.cause, program,
                       verdict.report, **verdict.record_fields())
        if verdict.passed:
            return program, verdict
        cause, report = verdict.cause, verdict.report
    return None


def assess(session: Session, program: Program) -> Assessment:
    """Run the generator and judge what it printed, against the session's problem and input validator:
    the same input pipeline and judging step as `klearct validate`."""
    settings = session.settings.validate
    run, produced, failure = run_generator(session.sandbox, program, settings.generator_limits,
                                          session.problem.io_mode == "function")
    if failure is not None:
        cause, error = failure
        if cause == Cause.SANDBOX_ERROR:  # the sandbox failed, not the program: no repair can help
            raise ProblemFailure(cause, f"running a generator: {shorten(error, 500)}")
        report = (f"The generator failed ({cause}, verdict {run.verdict.value}).\n{shorten(error, 2500)}\n"
                  f"Start of what it printed: {shorten(run.stdout, 300)!r}")
        return Assessment(False, cause, report)
    produced = list(dict.fromkeys(produced))[: settings.max_inputs_per_generator]
    if not produced:
        return Assessment(False, Cause.NO_INPUTS, "The generator printed an empty list: it must print test inputs.")
    texts, screened = screen_inputs(produced, session.validator, session.sandbox, settings)
    rejected = sum(d.cause == Cause.INPUT_REJECTED_BY_VALIDATOR for d in screened)
    inputs = [CandidateInput(text, "generated", None) for text in texts]
    tests, judged = judge_inputs(session.problem, inputs, session.sandbox, settings, ProblemResult(session.problem.id)) \
        if inputs else ([], [])
    problems = [d.reason for d in screened + judged]
    dropped = len(produced) - len(tests)
    if dropped / len(produced) <= session.settings.max_dropped_fraction and tests:
        return Assessment(True, None, "", len(produced), dropped, tests, rejected)
    shown = problems[:8] + ([f"- … and {len(problems) - 8} more"] if len(problems) > 8 else [])
    report = f"{dropped} of the {len(produced)} inputs it printed are invalid and were dropped:\n" + "\n".join(shown)
    return Assessment(False, Cause.INVALID_INPUTS, shorten(report, REPORT_CHARS), len(produced), dropped, tests,
                      rejected)


def develop_generator(session: Session, candidate: str, kind: str, sample: int, draft_kind: str,
                      target: str | None = None, attempts: int | None = None, **draft_values: object
                      ) -> tuple[Program, Assessment] | None:
    """Draft with the `draft_kind` prompt, then repairs: `attempts` requests in all (default: the
    draft and `max_rounds` repairs). With `target` (an incorrect solution id), passing also needs
    a test that kills it, and every round asks the draft prompt again with the report."""
    n = max(1, session.llm.config.n)

    def ask(round_: int, current: Program | None, cause: str | None, report: str) -> tuple[str, str | None]:
        if round_ == 0:  # the k-th draft is answer k % n of request k // n
            return session.ask(draft_kind, candidate, round_, sample // n, n=n, choice=sample % n, **draft_values)
        if current is None or target is not None:
            values = dict(draft_values, error_report=report_section(report, current))
            return session.ask(draft_kind, candidate, round_, sample + 1000 * round_, **values)
        repair = "repair_generator" if cause in RUN_CAUSES else "repair_inputs"
        return session.ask(repair, candidate, round_, sample, code=code_block(current), error_report=report)

    def assess_generator(program: Program) -> Assessment:
        verdict = assess(session, program)
        if verdict.passed and target is not None and not any(target in t.kills for t in verdict.tests):
            return Assessment(False, Cause.INCORRECT_SURVIVES,
                              f"All {len(verdict.tests)} valid inputs were answered correctly by the incorrect "
                              "solution: none of them exposes its mistake.", verdict.inputs, verdict.dropped,
                              verdict.tests, verdict.rejected)
        return verdict

    rounds = attempts if attempts is not None else session.settings.max_rounds + 1
    return repair_loop(session, candidate, kind, rounds, ask, assess_generator)


def report_section(report: str, previous: Program | None) -> str:
    if not report:
        return ""
    shown = f"\n\nThe previous attempt:\n\n{code_block(previous)}" if previous is not None else ""
    return f"## What went wrong last time\n\n{report}{shown}"
