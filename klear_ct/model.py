"""The domain records passed between stages. Imports nothing of the project."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_serializer, model_validator


class Verdict(StrEnum):
    OK = "OK"  # ran within limits (and matched the expected output when one was given)
    WA = "WA"  # wrong answer
    TLE = "TLE"  # time limit exceeded (CPU time, or wall clock for sleepers)
    MLE = "MLE"  # memory limit exceeded
    RE = "RE"  # runtime error: non-zero exit or killed by a signal
    OLE = "OLE"  # output limit exceeded
    CE = "CE"  # compilation error
    SE = "SE"  # system error: the sandbox failed, not the program
    JF = "JF"  # judgement failed: the run ended OK but its checker crashed, timed out or did not compile
    SKIP = "SKIP"  # not run: an earlier input of the same request failed (Sandbox.run stop_after_failure)


class Cause(StrEnum):
    """Why a problem failed, or what an event is about: the strings written to events.jsonl and done.jsonl."""

    # a whole problem (or row) could not be done
    BAD_ROW = "bad_row"
    UNSUPPORTED = "unsupported"
    SANDBOX_ERROR = "sandbox_error"
    INTERNAL_ERROR = "internal_error"  # written as internal_error:<exception class>
    NO_RUNNABLE_GOLD = "no_runnable_gold"
    GOLD_COMPILE_ERROR = "gold_compile_error"
    NO_INPUTS = "no_inputs"
    GENERATOR_FAILED = "generator_failed"
    NO_CONSISTENT_TESTS = "no_consistent_tests"
    PROBLEM_CHANGED = "problem_changed"  # the problem or the settings differ from the finished result's
    EXECUTOR_NODE_LOST = "executor_node_lost"  # the Ray node running it was lost, on every try
    # one generator run
    GENERATOR_COMPILE_ERROR = "generator_compile_error"
    GENERATOR_TIMEOUT = "generator_timeout"
    GENERATOR_MEMORY = "generator_memory"
    GENERATOR_OUTPUT_TOO_LARGE = "generator_output_too_large"
    GENERATOR_CRASH = "generator_crash"
    GENERATOR_BAD_FORMAT = "generator_bad_format"
    GENERATOR_UNSUPPORTED_LANGUAGE = "generator_unsupported_language"
    # one input
    INPUT_TOO_LARGE = "input_too_large"
    TOO_MANY_INPUTS = "too_many_inputs"
    INPUT_REJECTED_BY_VALIDATOR = "input_rejected_by_validator"
    GOLD_UNSUPPORTED_LANGUAGE = "gold_unsupported_language"
    GOLD_FAILED_ON_INPUT = "gold_failed_on_input"
    GOLD_DISAGREE = "gold_disagree"
    CHECKER_FAILED = "checker_failed"
    PUBLIC_OUTPUT_DIFFERS = "public_output_differs"
    TIME_LIMIT_DERIVED = "time_limit_derived"
    # incorrect solutions
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    INCORRECT_COMPILE_ERROR = "incorrect_compile_error"
    INCORRECT_SURVIVES = "incorrect_survives"
    INCORRECT_KILLED = "incorrect_killed"
    # generation with an LLM
    INVALID_INPUTS = "invalid_inputs"
    NO_GENERATOR_PASSED = "no_generator_passed"
    CHECKER_NEEDED = "checker_needed"
    CHECKER_NOT_NEEDED = "checker_not_needed"
    CHECKER_REJECTED = "checker_rejected"
    CHECKER_REJECTS_GOLD = "checker_rejects_gold"
    CHECKER_ACCEPTS_WRONG = "checker_accepts_wrong"
    CHECKER_UNVERIFIABLE = "checker_unverifiable"
    VALIDATOR_REJECTS_EXAMPLES = "validator_rejects_examples"
    VALIDATOR_REJECTED = "validator_rejected"
    LLM_BUDGET_REACHED = "llm_budget_reached"  # the run's spend cap: the problem is left pending
    # adversarial variants of a gold solution
    VARIANT_KEPT = "variant_kept"  # passes the weak suite, fails the full one: a new incorrect solution
    VARIANT_FAILS_WEAK_SUITE = "variant_fails_weak_suite"
    VARIANT_PASSES_ALL = "variant_passes_all"  # no validated test tells it from the gold
    VARIANT_DUPLICATE = "variant_duplicate"  # the same code as a gold or a known incorrect solution
    NO_VARIANT = "no_variant"  # the answer held no program
    NO_VARIANT_KEPT = "no_variant_kept"


@dataclass
class Outcome:
    """What one stage did with one problem: ok / failed / skipped, its cause, and the events on the way."""

    problem_id: str
    outcome: str = "ok"  # ok | failed | skipped
    cause: str | None = None
    events: list[dict] = field(default_factory=list)

    def event(self, stage: str, outcome: str, cause: str | None, **detail) -> None:
        self.events.append({"stage": stage, "outcome": outcome, "cause": cause, **detail})

    def fail(self, cause: str, stage: str = "validate", **detail):
        self.outcome, self.cause = "failed", cause
        self.event(stage, "failed", cause, **detail)
        return self


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
    time_limit_ms: float | None = None  # the CPU-time limit the run was judged under (its language's)


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
    # where it came from when not the dataset: {"source": "adversarial", "round": 1, "model": "..."}
    origin: dict[str, str | int | None] | None = None

    @model_serializer(mode="wrap")
    def _without_empty_origin(self, handler):
        # a dataset's solution dumps as before origin existed: stored runs keep their fingerprints
        data = handler(self)
        if isinstance(data, dict) and data.get("origin") is None:
            data.pop("origin", None)
        return data


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
    # how an output is compared when there is no checker: a name of klear_ct.judge.compare.get_comparison;
    # when not given, "lines" for stdin problems and "json" (JSON equality) for function problems
    comparison: str = "lines"
    # set when the source gives no time limit: the limit is this multiple of the slowest gold's
    # CPU time (time_limit_s is then only the cap under which that is measured)
    time_multiplier: float | None = None
    # the dataset's row as read (JSON text), for an exporter that writes the row back with the new
    # tests (klear: Klear's output keeps its input row's fields); None when nothing needs it
    source_row: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_comparison(cls, data):
        if isinstance(data, dict) and data.get("comparison") is None:
            return {**data, "comparison": "json" if data.get("io_mode") == "function" else "lines"}
        return data
