"""Is an output right? The only code that turns a finished run into OK, WA or JF.

`sandbox/verdict.py` decides how a run ended (OK, TLE, MLE, RE, OLE, CE, SE); a run that
ended OK is then judged here against the reference output: by the problem's checker when
it has one (`checker.py`), else by a built-in comparison (`compare.py`). Validate,
evaluate, `klearct sandbox run --expected` and the reward functions all call `Judge`.
"""

from __future__ import annotations

from collections.abc import Sequence

from klear_ct.judge.checker import CHECKER_LIMITS, Judgement, run_checker
from klear_ct.judge.compare import Comparison, get_comparison, lines
from klear_ct.model import Problem, Program, RunResult, Verdict
from klear_ct.sandbox import Limits, Sandbox
from klear_ct.sandbox.verdict import decide_verdict


class Judge:
    def __init__(self, sandbox: Sandbox | None = None, checker: Program | None = None, compare: Comparison = lines,
                 checker_limits: Limits = CHECKER_LIMITS):
        if checker is not None and sandbox is None:
            raise ValueError("a checker needs a sandbox to run in")
        self.sandbox, self.checker, self.compare, self.checker_limits = sandbox, checker, compare, checker_limits

    @classmethod
    def for_problem(cls, problem: Problem, sandbox: Sandbox) -> Judge:
        return cls(sandbox, problem.checker, get_comparison(problem.comparison))

    def judge(self, items: Sequence[tuple[str, str, str]]) -> list[Judgement]:
        """Judge (input, candidate output, reference output) triples, all in one sandbox batch."""
        if not items:
            return []
        if self.checker is None:
            return [Judgement(self.compare(candidate, reference)) for _, candidate, reference in items]
        return run_checker(self.sandbox, self.checker, items, self.checker_limits)

    def verdicts(self, runs: Sequence[RunResult], inputs: Sequence[str], answers: Sequence[str | None]
                 ) -> list[RunResult]:
        """The runs with their final verdicts: a run that ended OK and has an answer is OK, WA, or
        JF (the judgement itself failed); every other run keeps how it ended."""
        judged = [k for k, r in enumerate(runs) if r.verdict == Verdict.OK and answers[k] is not None]
        judgements = self.judge([(inputs[k], runs[k].stdout, answers[k]) for k in judged])
        final = list(runs)
        for k, judgement in zip(judged, judgements, strict=True):
            if judgement.accepted is False:
                final[k] = runs[k].model_copy(update={"verdict": Verdict.WA, "message": judgement.message or
                                                      "output differs from the expected output"})
            elif judgement.accepted is None:
                final[k] = runs[k].model_copy(update={"verdict": Verdict.JF, "message": judgement.message})
        return final

    def run(self, program: Program, inputs: Sequence[str], limits: Limits,
            answers: Sequence[str | None] | None = None, stop_after_failure: bool = False) -> list[RunResult]:
        """Run `program` on every input in the sandbox and judge each output against its answer.

        With `stop_after_failure` the first run that is not OK, a wrong answer included, ends the
        program's runs: the inputs go to the sandbox in batches that double (1, 2, 4, ...), each
        judged before the next is sent, and those never sent are SKIP. A program failing its k-th
        input then costs fewer than 2k runs (within a batch, Sandbox.run stops each slot's share
        at its first failed run), not one per input."""
        if answers is not None and len(answers) != len(inputs):
            raise ValueError("answers must have one entry per input")
        if not stop_after_failure:
            runs = self.sandbox.run(program, inputs, limits)
            return runs if answers is None else self.verdicts(runs, inputs, answers)
        results: list[RunResult] = []
        size = 1
        while len(results) < len(inputs):
            batch = slice(len(results), len(results) + size)
            runs = self.sandbox.run(program, inputs[batch], limits, stop_after_failure=True)
            if answers is not None:
                runs = self.verdicts(runs, inputs[batch], answers[batch])
            results += runs
            if any(r.verdict != Verdict.OK for r in runs):
                results += [decide_verdict({"not_run": True}, limits)] * (len(inputs) - len(results))
            size *= 2
        return results


__all__ = ["Judge", "Judgement", "get_comparison"]
