"""The domain records passed between stages. Imports nothing of the project."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field


class Verdict(StrEnum):
    OK = "OK"  # ran within limits (and matched the expected output when one was given)
    WA = "WA"  # wrong answer
    TLE = "TLE"  # time limit exceeded (CPU time, or wall clock for sleepers)
    MLE = "MLE"  # memory limit exceeded
    RE = "RE"  # runtime error: non-zero exit or killed by a signal
    OLE = "OLE"  # output limit exceeded
    CE = "CE"  # compilation error
    SE = "SE"  # system error: the sandbox failed, not the program


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", errors="surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Program(Record):
    lang: str
    code: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sha(self) -> str:
        return content_hash(self.lang, self.code)


class RunResult(Record):
    verdict: Verdict
    stdout: str = ""
    stderr_tail: str = ""
    exit_code: int | None = None
    signal: int | None = None
    cpu_ms: float = 0.0
    wall_ms: float = 0.0
    peak_kb: int = 0
    message: str = ""  # why the verdict was given, when it is not obvious


class TestCase(Record):
    __test__ = False  # not a pytest class

    problem_id: str
    input: str
    output: str | None = None
    kind: str = "generated"
    generator_id: str | None = None
    gold_agree: int = 0
    gold_total: int = 0
    kills: list[str] = Field(default_factory=list)
    gold_time_ms: float = 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        return content_hash(self.input)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def bytes(self) -> int:
        return len(self.input.encode("utf-8", errors="surrogateescape"))


class IncorrectProgram(Record):
    id: str
    program: Program
    expected_verdict: str | None = None  # WA / TLE / RE when the source says so


class Generator(Record):
    problem_id: str
    id: str
    kind: Literal["regular", "corner", "hack", "given"] = "given"
    program: Program
    round: int = 0
    model: str | None = None
    status: str = "new"
    error: str | None = None


class Problem(Record):
    id: str
    statement: str = ""
    time_limit_s: float = 2.0
    memory_limit_mb: int = 256
    io_mode: Literal["stdin", "function"] = "stdin"
    fn_name: str | None = None
    starter_code: str | None = None
    gold: list[Program] = Field(default_factory=list)
    incorrect: list[IncorrectProgram] = Field(default_factory=list)
    public_tests: list[TestCase] = Field(default_factory=list)
    checker: Program | None = None
    # reads one input, exits 0 when it meets the statement's constraints; generated inputs it rejects are dropped
    input_validator: Program | None = None
    generators: list[Program] = Field(default_factory=list)
    source: str = ""
    # how an output is compared when there is no checker: a name of klear_ct.compare.get_comparison
    comparison: str = "lines"
    # set when the source gives no time limit: the limit is this multiple of the slowest gold's
    # CPU time (time_limit_s is then only the cap under which that is measured)
    time_multiplier: float | None = None
