"""Deciding whether an output is right: the built-in comparison, or the problem's checker.

Checker interface (testlib order): the checker runs as `checker input.txt output.txt
answer.txt` with those three files in its work directory; exit 0 accepts, exit 1 or 2
(testlib's WA / PE) rejects, anything else is a checker failure. A Python checker is
called the same way (`sys.argv[1:4]`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from klear_ct.compare import Comparison, lines
from klear_ct.model import Program, Verdict
from klear_ct.sandbox import Limits, Sandbox

CHECKER_ARGS = ("input.txt", "output.txt", "answer.txt")
CHECKER_LIMITS = Limits(time_s=10, memory_mb=1024)


@dataclass(frozen=True)
class Judgement:
    accepted: bool | None  # None: the checker itself failed
    message: str = ""


class Judge:
    def __init__(self, sandbox: Sandbox, checker: Program | None = None, compare: Comparison = lines,
                 checker_limits: Limits = CHECKER_LIMITS):
        self.sandbox, self.checker, self.compare, self.checker_limits = sandbox, checker, compare, checker_limits

    def judge(self, items: Sequence[tuple[str, str, str]]) -> list[Judgement]:
        """Judge (input, candidate output, reference output) triples, all in one sandbox batch."""
        if not items:
            return []
        if self.checker is None:
            return [Judgement(self.compare(candidate, reference)) for _, candidate, reference in items]
        files = [dict(zip(CHECKER_ARGS, triple, strict=True)) for triple in items]
        results = self.sandbox.run(self.checker, [""] * len(items), self.checker_limits, files=files,
                                   args=CHECKER_ARGS)
        judgements = []
        for r in results:
            text = (r.stdout.strip() or r.stderr_tail.strip())[-300:]
            if r.verdict == Verdict.OK:
                judgements.append(Judgement(True, text))
            elif r.verdict == Verdict.RE and r.exit_code in (1, 2):
                judgements.append(Judgement(False, text))
            else:
                # the verdict's reason and what the checker itself said (a traceback, say), both
                judgements.append(Judgement(None, f"checker {r.verdict}: "
                                                  + " / ".join(part for part in (r.message, text) if part)))
        return judgements
