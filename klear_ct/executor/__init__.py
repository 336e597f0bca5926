"""Where a stage's per-problem work runs: this machine's sandbox (local) or every node of a Ray
cluster (ray), behind one interface. The stage hands over a plain function over records,
`work(problem, sandbox) -> record`; the executor runs it somewhere and hands each record back to
`finished`, in the driver's thread, so that only the driver writes the run directory.

`klear_ct.executor.ray` is imported only when the Ray executor is chosen: the local path never
imports ray."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from klear_ct.errors import KlearctError
from klear_ct.model import Problem
from klear_ct.sandbox import Sandbox
from klear_ct.sandbox.timing import TimeFactors

EXECUTORS = ("local", "ray")
Result = TypeVar("Result")


class ExecutorError(KlearctError, RuntimeError):
    """The executor cannot run problems at all (no Ray cluster answers, every node lost); the
    problems not finished stay pending for a resumed run."""


class Executor(Protocol):
    kind: str
    slots: int  # problems in flight at once, all nodes together
    time_factors: TimeFactors  # the limits verdicts are given under (a fingerprint's part)

    def map(self, problems: Iterable[Problem], work: Callable[[Problem, Sandbox], Result],
            finished: Callable[[Result], None], lost: Callable[[Problem, str, str], Result]) -> None:
        """`work` on every problem; `finished` with each record, in this thread, in completion order.
        `lost(problem, cause, error)` is the record of a problem whose work could not be done where
        it was sent (a Ray node lost, every try); a local executor never calls it. On Ctrl-C the
        problems in flight are not finished: a resumed run does them again."""

    def report(self) -> dict:
        """What ran where, for a command's summary (empty for the local executor)."""

    def close(self) -> None: ...
