"""A time limit from the slowest gold solution, for problems whose source gives none
(Problem.time_multiplier is set: ICPC / Kattis packages without a limit)."""

from __future__ import annotations

import math

from klear_ct.model import Problem, Verdict
from klear_ct.sandbox import Limits, Sandbox, runnable
from klear_ct.sandbox.calls import runnable_problem
from klear_ct.sandbox.timing import time_factors_of


def derive_time_limit(problem: Problem, sandbox: Sandbox) -> tuple[Problem, str | None]:
    """Apply Problem.time_multiplier: the limit is that multiple of the slowest gold's CPU time on
    the problem's own tests (run under the cap time_limit_s), rounded up to a whole second, at
    least 1 s. Returns the problem with the limit set (and no multiplier) and a note saying how.
    A gold's time counts divided by its language's time factor, since every language then gets
    the limit times its factor: the slowest gold gets the multiple of its own time, as ICPC's rule says."""
    if problem.time_multiplier is None:
        return problem, None
    cap = Limits.for_problem(problem)
    factors = time_factors_of(sandbox)
    inputs = [t.input for t in problem.public_tests]
    slowest, slowest_lang = 0.0, ""
    for gold in filter(runnable, runnable_problem(problem).gold):
        runs = sandbox.run(gold, inputs, cap) if inputs else []
        for ms in (r.cpu_ms / factors.factor(gold.lang) for r in runs if r.verdict == Verdict.OK):
            if ms > slowest:
                slowest, slowest_lang = ms, gold.lang
    if slowest <= 0:
        return problem, (f"no time limit given and no accepted solution ran within the {cap.time_s:g} s cap: "
                         f"{cap.time_s:g} s used")
    limit = max(1.0, float(math.ceil(problem.time_multiplier * slowest / 1000)))
    note = (f"no time limit given: derived {limit:g} s = {problem.time_multiplier:g} × slowest accepted "
            f"({slowest:.0f} ms CPU over the time factor {factors.factor(slowest_lang):g} of {slowest_lang}), "
            "rounded up to a whole second")
    return problem.model_copy(update={"time_limit_s": limit, "time_multiplier": None}), note
