"""The local executor: a few problems at once on this machine's sandbox, in threads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from klear_ct.model import Problem
from klear_ct.sandbox import Sandbox
from klear_ct.sandbox.timing import time_factors_of

Result = TypeVar("Result")


def run_concurrently(problems: Iterable[Problem], work: Callable[[Problem], Result], workers: int,
                     finished: Callable[[Result], None], thread_name: str = "problem") -> None:
    """`work` on each problem, at most `workers` at once; `finished` runs in this thread, in
    completion order. On Ctrl-C / SIGTERM the problems in flight are not waited for: they are
    not marked done, so a resumed run redoes them."""
    workers = max(1, workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=thread_name)
    running: set[Future] = set()

    def collect() -> None:
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            running.discard(future)
            finished(future.result())

    try:
        for problem in problems:
            running.add(pool.submit(work, problem))
            while len(running) >= workers:
                collect()
        while running:
            collect()
    finally:
        pool.shutdown(wait=not running, cancel_futures=True)


class LocalExecutor:
    """`workers` problems at once (default: the sandbox's slots, so that a problem's serial steps,
    like a one-input generator run, leave no slot idle) on one sandbox. It does not own the sandbox."""

    kind = "local"

    def __init__(self, sandbox: Sandbox, workers: int | None = None, thread_name: str = "problem"):
        self.sandbox, self.thread_name = sandbox, thread_name
        self.slots = workers or sandbox.slots
        self.time_factors = time_factors_of(sandbox)

    def map(self, problems: Iterable[Problem], work: Callable[[Problem, Sandbox], Result],
            finished: Callable[[Result], None], lost: Callable[[Problem, str, str], Result] | None = None) -> None:
        run_concurrently(problems, lambda problem: work(problem, self.sandbox), self.slots, finished,
                         thread_name=self.thread_name)

    def report(self) -> dict:
        return {}

    def close(self) -> None:
        pass
