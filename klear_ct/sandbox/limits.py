"""Limits for one run, and their translation into what the in-sandbox runner enforces."""

from __future__ import annotations

import math
from dataclasses import dataclass

from klear_ct.model import Problem
from klear_ct.sandbox.languages import Language

MIB = 1 << 20
# a run within this share of its CPU limit, either side, is near the limit: a problem's runs go on
# up to this far past it (still TLE), so a run just over is told from a real overshoot
NEAR_LIMIT = 0.10


@dataclass(frozen=True)
class Limits:
    time_s: float = 2.0  # CPU time; the wall clock allows more for programs that block
    memory_mb: int = 256
    output_bytes: int = 64 * MIB
    stderr_tail_bytes: int = 4096
    file_size_bytes: int = 64 * MIB  # largest file a program may write
    open_files: int = 64
    processes: int = 64  # processes and threads of the run together
    # a crash that an allocation failing at the address-space limit explains is run again
    # without that limit (still under the memory cap) to tell MLE from RE
    memory_probe: bool = True
    # time_s is a problem's limit: Sandbox.run gives each language time_s × its time factor (timing.py)
    per_language: bool = False
    overrun: float = 0.0  # share of time_s a run may go on past it before it is stopped (it is TLE all the same)

    @classmethod
    def for_problem(cls, problem: Problem) -> Limits:
        """The limits a problem's solutions run under: the problem's own, scaled per language."""
        return cls.problem_limits(problem.time_limit_s, problem.memory_limit_mb)

    @classmethod
    def problem_limits(cls, time_s: float, memory_mb: int) -> Limits:
        """A problem's limits given as numbers (an exported problem's, in a reward)."""
        return cls(time_s=time_s, memory_mb=memory_mb, per_language=True, overrun=NEAR_LIMIT)

    @property
    def wall_s(self) -> float:
        return self.time_s * 2 + 1.0

    def for_runner(self, lang: Language) -> dict:
        address_space = (self.memory_mb + lang.address_space_slack_mb) * MIB
        stop_s = self.time_s * (1 + self.overrun)
        return {
            "cpu_s": math.ceil(stop_s) + 1,
            "wall_s": self.wall_s,
            # memory by resident size only: the polled cap below, and the peak resident size after
            "address_space_bytes": None if lang.memory_by_rss else address_space,
            "stack_bytes": address_space,  # judges give the stack the whole memory limit
            "fsize_bytes": self.file_size_bytes,
            "nofile": self.open_files,
            "nproc": self.processes + 4,  # the runner, its helper and pid 1 count too
            "output_bytes": self.output_bytes,
            "stderr_bytes": self.stderr_tail_bytes,
            "memory_bytes": self.memory_mb * MIB,
            "time_limit_s": self.time_s,
            "cpu_stop_s": stop_s,
            "memory_probe": self.memory_probe and not lang.memory_by_rss,
        }


@dataclass(frozen=True)
class CompileLimits:
    time_s: float = 30.0
    memory_mb: int = 2048
    message_bytes: int = 64 * 1024
    artifact_bytes: int = 128 * MIB

    def for_runner(self, lang: Language | None = None) -> dict:
        by_rss = lang is not None and lang.memory_by_rss
        return {
            "cpu_s": math.ceil(self.time_s),
            "wall_s": self.time_s * 2,
            "address_space_bytes": None if by_rss else self.memory_mb * MIB,
            "memory_bytes": self.memory_mb * MIB if by_rss else None,
            "stack_bytes": 64 * MIB,
            "fsize_bytes": self.artifact_bytes,
            "nofile": 256,
            "nproc": 64,
            "output_bytes": self.message_bytes,
            "stderr_bytes": self.message_bytes,
            "collect_bytes": self.artifact_bytes,
        }
