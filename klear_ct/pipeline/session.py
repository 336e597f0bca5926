"""What the LLM stages of one problem share: the clients, the settings, and the records they keep.

Every request goes through `Session.ask`, which logs what was sent (prompt kind, round, the
error report) and what came back, so a run directory shows every repair that was asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from klear_ct.llm.client import LLMClient, Usage
from klear_ct.llm.prompts import Prompts, problem_values
from klear_ct.model import Problem, Program
from klear_ct.pipeline.validate import ValidateSettings
from klear_ct.sandbox import Sandbox

# What differs between two runs of the same program: the sandbox's random work directory and
# measured times and sizes. Left in an error report, they would make a resumed run miss the cache.
UNSTABLE = [(re.compile(r"/(?:[\w.-]+/)*box\w+/"), ""), (re.compile(r"CPU time \d+ ms over"), "CPU time over"),
            (re.compile(r"peak memory \d+ MB over"), "peak memory over")]


def stable(report: str) -> str:
    for pattern, replacement in UNSTABLE:
        report = pattern.sub(replacement, report)
    return report


@dataclass(frozen=True)
class GenerateSettings:
    counts: tuple[tuple[str, int], ...] = (("regular", 2), ("corner", 1), ("hack", 1))
    max_rounds: int = 3  # repairs after the first draft
    kill_rounds: int = 2
    checker: str = "auto"  # auto | never | always
    validator: bool = True
    max_dropped_fraction: float = 0.0
    lang: str = "python3"
    inputs_per_generator: int = 30  # what the prompts ask for
    validate: ValidateSettings = ValidateSettings()


@dataclass
class Session:
    problem: Problem
    llm: LLMClient
    prompts: Prompts
    sandbox: Sandbox
    settings: GenerateSettings
    usage: Usage = field(default_factory=Usage)
    requests: list[dict] = field(default_factory=list)  # the llm/ table: one row per request
    programs: list[dict] = field(default_factory=list)  # the generation/ table: one row per program tried
    events: list[dict] = field(default_factory=list)
    accepted: list[Program] = field(default_factory=list)  # generators that passed so far
    validator: Program | None = None  # the input validator, once one passed

    def progress(self) -> Problem:
        """The problem with what has passed so far: its checker, validator and accepted generators."""
        return self.problem.model_copy(update={"generators": [*self.problem.generators, *self.accepted],
                                               "input_validator": self.validator or self.problem.input_validator})

    def values(self, **extra: object) -> dict:
        return problem_values(self.problem, self.settings.lang) | {"count": self.settings.inputs_per_generator,
                                                                     "error_report": "", **extra}

    def ask(self, kind: str, candidate: str, round_: int, sample: int = 0, n: int = 1, choice: int = 0,
            **values: object) -> tuple[str, str | None]:
        """One request with the `kind` prompt: the text and finish reason of its `choice`-th answer.
        `sample` tells apart requests meant to differ; drafts that share a request with `n`
        answers get it from the cache after the first."""
        rendered = self.values(**values)
        report = rendered["error_report"] = stable(str(rendered["error_report"]))
        messages = self.prompts.render(kind, **rendered)
        completion = self.llm.complete(messages, n=n, sample=sample, problem_id=self.problem.id, purpose=kind)
        self.usage.add(completion)
        choice = min(choice, len(completion.texts) - 1)
        self.requests.append({
            "problem_id": self.problem.id, "candidate": candidate, "prompt_kind": kind, "round": round_,
            "sample": sample, "error_report": report,
            "prompt": messages[-1]["content"], "answer": completion.texts[choice],
            "finish_reason": completion.finish_reasons[choice], "cached": completion.cached,
            "prompt_tokens": 0 if completion.cached else completion.prompt_tokens,
            "completion_tokens": 0 if completion.cached else completion.completion_tokens})
        return completion.texts[choice], completion.finish_reasons[choice]

    def event(self, stage: str, outcome: str, cause: str | None, **detail) -> None:
        self.events.append({"stage": stage, "outcome": outcome, "cause": cause, **detail})

    def record(self, candidate: str, kind: str, round_: int, status: str, cause: str | None, program=None,
               report: str = "", **extra) -> None:
        if status != "ok":
            self.event("generate_attempt", status, cause, candidate=candidate, kind=kind, round=round_)
        self.programs.append({
            "problem_id": self.problem.id, "candidate": candidate, "kind": kind, "round": round_, "status": status,
            "cause": cause, "error_report": report, "lang": program.lang if program else None,
            "code": program.code if program else None, "sha": program.sha if program else None,
            "model": self.llm.config.model, "inputs": extra.get("inputs", 0), "kept": extra.get("kept", 0),
            "dropped": extra.get("dropped", 0), "rejected_by_validator": extra.get("rejected", 0),
            "kills": extra.get("kills", [])})
