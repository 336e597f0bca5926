"""Input validators: a program that reads one input and exits 0 when it meets the statement's
constraints. One is accepted only when it accepts every public example input."""

from __future__ import annotations

from klear_ct.llm.extract import ExtractionError, extract_program
from klear_ct.model import Program
from klear_ct.pipeline.session import ProblemFailure, Session
from klear_ct.pipeline.validate import check_inputs, shorten
from klear_ct.sandbox import Sandbox, SandboxError


def run_validator(sandbox: Sandbox, validator: Program, texts: list[str]) -> list[tuple[bool, str]]:
    """`check_inputs`, with a sandbox fault ending the problem as a ProblemFailure, so that what
    the session recorded so far (requests, programs) is kept with it."""
    try:
        return check_inputs(sandbox, validator, texts)
    except SandboxError as e:
        raise ProblemFailure("sandbox_error", str(e)) from None


def write_validator(session: Session) -> Program | None:
    """Draft and re-draft (with the report) until one accepts every example; None when none does."""
    public = [t.input for t in session.problem.public_tests]
    report, previous = "", None
    for round_ in range(session.settings.max_rounds + 1):
        section = "" if not report else f"## What went wrong last time\n\n{report}"
        text, reason = session.ask("validator", "validator", round_, 0, error_report=section)
        try:
            program = extract_program(text, reason, session.settings.lang)
        except ExtractionError as e:
            report = f"Your last answer could not be used: {e}."
            session.record("validator", "validator", round_, "failed", e.cause, None, report)
            continue
        verdicts = run_validator(session.sandbox, program, public) if public else []
        rejected = [(text, reason) for text, (ok, reason) in zip(public, verdicts, strict=True) if not ok]
        if not rejected:
            session.record("validator", "validator", round_, "ok", None, program, inputs=len(public),
                           kept=len(public))
            return program
        report = "It rejected these example inputs of the statement, which are valid:\n" + "\n".join(
            f"- input {shorten(text, 300)!r}: {shorten(reason, 300)}" for text, reason in rejected[:5])
        if previous != program:
            report += f"\n\nThe rejected validator:\n```\n{program.code.rstrip()}\n```"
        previous = program
        session.record("validator", "validator", round_, "failed", "validator_rejects_examples", program, report,
                       inputs=len(public), dropped=len(rejected))
    session.event("generate", "failed", "validator_rejected", rounds=session.settings.max_rounds + 1)
    return None
