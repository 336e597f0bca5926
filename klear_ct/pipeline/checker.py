"""Checkers written by the LLM: does the problem need one, write it, and accept it only when it
accepts every gold output and rejects systematically corrupted ones; repair it otherwise."""

from __future__ import annotations

import re

from klear_ct.errors import ProblemFailure
from klear_ct.judge import Judge
from klear_ct.llm.extract import parse_decision
from klear_ct.llm.prompts import code_block
from klear_ct.model import Cause, Program, Verdict
from klear_ct.pipeline.repair import Assessment, repair_loop
from klear_ct.pipeline.session import Session
from klear_ct.sandbox import Limits, runnable
from klear_ct.sandbox.calls import runnable_problem
from klear_ct.text import shorten

NUMBER = re.compile(r"-?\d+")


def corruptions(output: str) -> dict[str, str]:
    """Wrong versions of a correct output; a kind is left out when it would change nothing."""
    tokens = output.split()
    found: dict[str, str] = {"empty": ""}
    if len(tokens) > 1:
        found["truncated"] = " ".join(tokens[: len(tokens) // 2]) + "\n"
    elif tokens and len(tokens[0]) > 1:
        found["truncated"] = tokens[0][: len(tokens[0]) // 2] + "\n"
    match = NUMBER.search(output)
    if match:
        found["off_by_one"] = output[: match.start()] + str(int(match.group()) + 1) + output[match.end():]
    lines = output.rstrip("\n").split("\n")
    if len(set(lines)) > 1:
        found["permuted_lines"] = "\n".join(reversed(lines)) + "\n"
    return {kind: text for kind, text in found.items() if text.split() != tokens}


def gold_outputs(session: Session) -> list[tuple[str, list[str]]]:
    """(input, outputs of the golds that ran OK) for every public example."""
    texts = [t.input for t in session.problem.public_tests]
    runs = [session.sandbox.run(g, texts, Limits.for_problem(session.problem))
            for g in runnable_problem(session.problem).gold if runnable(g)] if texts else []
    fault = next((r for results in runs for r in results if r.verdict == Verdict.SE), None)
    if fault is not None:
        raise ProblemFailure(Cause.SANDBOX_ERROR, f"running the gold solutions on the examples: {fault.message}")
    return [(text, [r[i].stdout for r in runs if r[i].verdict == Verdict.OK]) for i, text in enumerate(texts)]


def check_checker(session: Session, checker: Program, samples: list[tuple[str, list[str]]]) -> tuple[str, str] | None:
    """None when the checker is good, else (cause, error report). `samples` hold at least one gold output."""
    items, what = [], []
    for text, outputs in samples:
        if not outputs:
            continue
        reference = outputs[0]
        for k, output in enumerate(outputs):
            items.append((text, output, reference))
            what.append(("gold", f"gold #{k}", text, output))
        for kind, wrong in corruptions(reference).items():
            items.append((text, wrong, reference))
            what.append((kind, kind, text, wrong))
    judgements = Judge(session.sandbox, checker).judge(items)
    errors: list[str] = []
    rejects_gold = False  # it failed, or rejected a correct output
    caught: dict[str, list[bool]] = {}
    for (kind, label, text, output), judgement in zip(what, judgements, strict=True):
        if judgement.accepted is None:
            rejects_gold = True
            errors.append(f"- the checker itself failed on input {shorten(text, 200)!r}: {judgement.message}")
        elif kind == "gold" and not judgement.accepted:
            rejects_gold = True
            errors.append(f"- it rejected the correct output of {label} on input {shorten(text, 200)!r}: "
                          f"output {shorten(output, 200)!r}; checker said {shorten(judgement.message, 200)!r}")
        elif kind != "gold":
            caught.setdefault(kind, []).append(not judgement.accepted)
            if judgement.accepted:
                errors.append(f"- it accepted a wrong ({kind}) output on input {shorten(text, 200)!r}: "
                              f"{shorten(output, 200)!r}")
    weak = [k for k, hits in caught.items() if (k == "empty" and not all(hits)) or sum(hits) * 2 < len(hits)]
    if rejects_gold or weak:
        return ("checker_rejects_gold" if rejects_gold else "checker_accepts_wrong"), shorten("\n".join(errors), 4000)
    return None


def needs_checker(session: Session) -> bool:
    mode = session.settings.checker
    if mode in ("never", "always"):
        return mode == "always"
    text, _ = session.ask("checker_need", "checker", 0)
    decision = parse_decision(text)
    session.event("checker", "decided", "checker_needed" if decision else "checker_not_needed",
                  answer=shorten(text, 200))
    return bool(decision)


def write_checker(session: Session) -> Program | None:
    """The accepted checker, or None (with an event) when no round produced one."""
    samples = gold_outputs(session)
    if not any(outputs for _, outputs in samples):
        raise ProblemFailure(Cause.CHECKER_UNVERIFIABLE, "no example input on which a gold solution runs OK, so "
                             "no checker could be validated")
    def ask(round_: int, current: Program | None, cause: str | None, report: str) -> tuple[str, str | None]:
        if current is None:
            return session.ask("checker_write", "checker", round_, 1000 * round_)
        return session.ask("checker_repair", "checker", round_, 0, code=code_block(current), error_report=report)

    def assess_checker(program: Program) -> Assessment:
        rejected = check_checker(session, program, samples)
        return Assessment(True) if rejected is None else Assessment(False, *rejected)

    found = repair_loop(session, "checker", "checker", session.settings.max_rounds + 1, ask, assess_checker)
    if found is not None:
        return found[0]
    session.event("checker", "failed", Cause.CHECKER_REJECTED, rounds=session.settings.max_rounds + 1)
    return None
