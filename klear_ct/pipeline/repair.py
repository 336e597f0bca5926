"""The G-V loop for one generator: draft, run, validate its inputs, send the error report, repair.

A generator passes when it runs, prints a list of inputs, and (nearly) all of them are valid:
accepted by the input validator, and run within limits and agreed on by the gold solutions
(`validate_problem`, the same oracle `klearct validate` uses). A repair asks for a small edit
when one suffices; the answer may be edits or a whole program.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from klear_ct.llm.extract import ExtractionError, extract_program, extract_revision
from klear_ct.llm.prompts import code_block
from klear_ct.model import Program, TestCase
from klear_ct.pipeline.session import ProblemFailure, Session
from klear_ct.pipeline.validate import (
    run_generator,
    shorten,
    validate_problem,
)
from klear_ct.pipeline.validator import run_validator

RUN_CAUSES = {"generator_compile_error", "generator_timeout", "generator_memory", "generator_output_too_large",
              "generator_crash", "generator_bad_format", "no_inputs"}
PROBLEM_CAUSES = {"no_runnable_gold", "gold_compile_error", "sandbox_error"}
REPORT_CHARS = 4000


@dataclass
class Assessment:
    passed: bool
    cause: str | None = None
    report: str = ""
    inputs: int = 0
    dropped: int = 0
    tests: list[TestCase] = field(default_factory=list)
    rejected: int = 0  # of the dropped inputs, those the input validator rejected


def judge_inputs(session: Session, texts: list[str]) -> tuple[list[TestCase], list[dict]]:
    """Gold agreement and the kill matrix for given inputs: `validate_problem` on a copy of the
    problem whose only inputs are these (as output-less examples)."""
    problem = session.problem
    copy = problem.model_copy(update={"generators": [], "public_tests": [
        TestCase(problem_id=problem.id, input=text, kind="public") for text in texts]})
    judged = validate_problem(copy, session.sandbox, session.settings.validate)
    if judged.cause in PROBLEM_CAUSES:
        raise ProblemFailure(judged.cause, str(judged.events[-1]))
    drops = [e for e in judged.events if e["outcome"] == "dropped"]
    return judged.tests, drops


def assess(session: Session, program: Program) -> Assessment:
    """Run the generator and judge what it printed, against the session's problem and input validator."""
    settings = session.settings.validate
    run, produced, failure = run_generator(session.sandbox, program, settings.generator_limits)
    if failure is not None:
        cause, error = failure
        if cause in PROBLEM_CAUSES:  # the sandbox failed, not the program: no repair can help
            raise ProblemFailure(cause, f"running a generator: {shorten(error, 500)}")
        report = (f"The generator failed ({cause}, verdict {run.verdict.value}).\n{shorten(error, 2500)}\n"
                  f"Start of what it printed: {shorten(run.stdout, 300)!r}")
        return Assessment(False, cause, report)
    produced = list(dict.fromkeys(produced))[: settings.max_inputs_per_generator]
    if not produced:
        return Assessment(False, "no_inputs", "The generator printed an empty list: it must print test inputs.")
    problems: list[str] = []
    texts = []
    for text in produced:
        if len(text.encode("utf-8", errors="surrogateescape")) > settings.max_input_bytes:
            problems.append(f"- an input of {len(text)} bytes is over the {settings.max_input_bytes}-byte limit")
        else:
            texts.append(text)
    rejected = 0
    validator = session.validator
    if validator is not None and texts:
        verdicts = run_validator(session.sandbox, validator, texts)
        rejected = sum(not ok for ok, _ in verdicts)
        for text, (ok, reason) in zip(texts, verdicts, strict=True):
            if not ok:
                problems.append(f"- the input validator rejected this input: {shorten(reason, 300)}\n"
                                f"  input: {shorten(text, 300)!r}")
        texts = [t for t, (ok, _) in zip(texts, verdicts, strict=True) if ok]
    tests, drops = judge_inputs(session, texts) if texts else ([], [])
    problems += [describe_drop(e) for e in drops]
    dropped = len(produced) - len(tests)
    if dropped / len(produced) <= session.settings.max_dropped_fraction and tests:
        return Assessment(True, None, "", len(produced), dropped, tests, rejected)
    shown = problems[:8] + ([f"- … and {len(problems) - 8} more"] if len(problems) > 8 else [])
    report = f"{dropped} of the {len(produced)} inputs it printed are invalid and were dropped:\n" + "\n".join(shown)
    return Assessment(False, "invalid_inputs", shorten(report, REPORT_CHARS), len(produced), dropped, tests,
                      rejected)


def describe_drop(event: dict) -> str:
    cause, text = event.get("cause"), repr(event.get("input", ""))
    if cause == "gold_failed_on_input":
        return (f"- a correct solution got {event.get('verdict')} on input {text}: "
                f"{shorten(event.get('error', '').strip(), 300)}")
    if cause == "gold_disagree":
        outputs = event.get("outputs") or ["", ""]
        return f"- the correct solutions disagree on input {text}: {outputs[0]!r} vs {outputs[1]!r}"
    return f"- {cause} on input {text}: {shorten(str(event.get('error', '')), 300)}"


def develop_generator(session: Session, candidate: str, kind: str, sample: int, draft_kind: str,
                      target: str | None = None, attempts: int | None = None, **draft_values: object) -> tuple[Program, Assessment] | None:
    """Draft with the `draft_kind` prompt, then repairs: `attempts` requests in all (default: the
    draft and `max_rounds` repairs). With `target` (an incorrect solution id), passing also needs
    a test that kills it, and every round asks the draft prompt again with the report."""
    current: Program | None = None
    cause, report = None, ""
    n = max(1, session.llm.config.n)
    for round_ in range(attempts if attempts is not None else session.settings.max_rounds + 1):
        if round_ == 0:  # the k-th draft is answer k % n of request k // n
            text, reason = session.ask(draft_kind, candidate, round_, sample // n, n=n, choice=sample % n,
                                       **draft_values)
        elif current is None or target is not None:
            values = dict(draft_values, error_report=report_section(report, current))
            text, reason = session.ask(draft_kind, candidate, round_, sample + 1000 * round_, **values)
        else:
            repair = "repair_generator" if cause in RUN_CAUSES else "repair_inputs"
            text, reason = session.ask(repair, candidate, round_, sample, code=code_block(current),
                                       error_report=report)
        try:
            program = extract_program(text, reason, session.settings.lang) if current is None \
                else extract_revision(text, reason, current)
        except ExtractionError as e:
            cause, report = e.cause, f"Your last answer could not be used: {e}. Answer with the program as asked."
            session.record(candidate, kind, round_, "failed", e.cause, None, report)
            continue
        current = program
        verdict = assess(session, program)
        if verdict.passed and target is not None and not any(target in t.kills for t in verdict.tests):
            verdict = Assessment(False, "incorrect_survives",
                                 f"All {len(verdict.tests)} valid inputs were answered correctly by the incorrect "
                                 "solution: none of them exposes its mistake.", verdict.inputs, verdict.dropped,
                                 verdict.tests, verdict.rejected)
        kills = sorted({k for t in verdict.tests for k in t.kills})
        session.record(candidate, kind, round_, "ok" if verdict.passed else "failed", verdict.cause, program,
                       verdict.report, inputs=verdict.inputs, kept=len(verdict.tests), dropped=verdict.dropped,
                       rejected=verdict.rejected, kills=kills)
        if verdict.passed:
            return program, verdict
        cause, report = verdict.cause, verdict.report
    return None


def report_section(report: str, previous: Program | None) -> str:
    if not report:
        return ""
    shown = f"\n\nThe previous attempt:\n\n{code_block(previous)}" if previous is not None else ""
    return f"## What went wrong last time\n\n{report}{shown}"
