"""Input validators written by the LLM: a program that reads one input and exits 0 when it meets
the statement's constraints. One is accepted only when it accepts every public example input."""

from __future__ import annotations

from klear_ct.model import Cause, Program
from klear_ct.pipeline.inputs import check_inputs
from klear_ct.pipeline.repair import Assessment, repair_loop
from klear_ct.pipeline.session import Session
from klear_ct.text import shorten


def write_validator(session: Session) -> Program | None:
    """Draft and re-draft (with the report) until one accepts every example; None when none does."""
    public = [t.input for t in session.problem.public_tests]
    last: list[Program] = []  # the last program assessed, shown again in the next report when it changed

    def ask(round_: int, current: Program | None, cause: str | None, report: str) -> tuple[str, str | None]:
        section = "" if not report else f"## What went wrong last time\n\n{report}"
        return session.ask("validator", "validator", round_, 0, error_report=section)

    def assess_validator(program: Program) -> Assessment:
        verdicts = check_inputs(session.sandbox, program, public) if public else []
        rejected = [(text, reason) for text, (ok, reason) in zip(public, verdicts, strict=True) if not ok]
        previous = last[0] if last else None
        last[:] = [program]
        if not rejected:
            return Assessment(True, inputs=len(public))
        report = "It rejected these example inputs of the statement, which are valid:\n" + "\n".join(
            f"- input {shorten(text, 300)!r}: {shorten(reason, 300)}" for text, reason in rejected[:5])
        if previous != program:
            report += f"\n\nThe rejected validator:\n```\n{program.code.rstrip()}\n```"
        return Assessment(False, Cause.VALIDATOR_REJECTS_EXAMPLES, report, inputs=len(public), dropped=len(rejected))

    rounds = session.settings.max_rounds + 1
    found = repair_loop(session, "validator", "validator", rounds, ask, assess_validator, revise=False)
    if found is not None:
        return found[0]
    session.event("generate", "failed", Cause.VALIDATOR_REJECTED, rounds=rounds)
    return None
