"""What every exporter shares: options, test selection and capping, the train/validation
split, atomic parquet/jsonl writing, the summary, and the prompt and ground truth that the
RL formats (verl, trl, klear) build from a problem.

An exporter module defines how one (problem, tests) pair becomes one record and calls
`write_dataset`; raising `Skip` from the record function leaves the problem out, counted
under its reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from klear_ct.atomic import FILE_MODE
from klear_ct.errors import UsageError
from klear_ct.model import Problem, TestCase
from klear_ct.sandbox.calls import arguments_as_lines

TRAIN, VALIDATION = "train", "validation"
PARQUET_ROWS_PER_GROUP = 64


@dataclass(frozen=True)
class ExportOptions:
    max_tests_per_problem: int | None = None
    validation_fraction: float = 0.0
    seed: int = 0
    data_source: str | None = None  # None: the format's own (verl: "codecontests", atgen: "klearct_atgen")
    # share of each problem's tests held out of the reward (verl / trl ground truth: holdout_inputs/outputs)
    holdout_fraction: float = 0.0
    # atgen: leave out buggy programs that pass less than this share of their tests
    min_difficulty: float = 0.0
    # atgen: (field, column) pairs renaming the question / buggy_code / gold_code columns
    field_names: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if self.max_tests_per_problem is not None and (
                isinstance(self.max_tests_per_problem, bool) or self.max_tests_per_problem < 1):
            raise UsageError(f"max_tests_per_problem must be at least 1, got {self.max_tests_per_problem!r}")
        if not 0.0 <= self.validation_fraction <= 1.0:
            raise UsageError(f"validation_fraction must be in [0, 1], got {self.validation_fraction!r}")
        if not 0.0 <= self.holdout_fraction < 1.0:
            raise UsageError(f"holdout_fraction must be in [0, 1), got {self.holdout_fraction!r}")
        if not 0.0 <= self.min_difficulty <= 1.0:
            raise UsageError(f"min_difficulty must be in [0, 1], got {self.min_difficulty!r}")


@dataclass(frozen=True)
class ExportItem:
    problem: Problem
    tests: list[TestCase]  # the tests written (see exportable_tests)
    split: str
    index: int  # position in its split's file


class Skip(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by a record function: this problem is not written (the reason is counted)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# -- test selection ----------------------------------------------------------------------------

def split_of(problem_id: str, seed: int, validation_fraction: float) -> str:
    """A stable split: the same (seed, id) always lands in the same split, whatever else is exported."""
    if validation_fraction <= 0.0:
        return TRAIN
    digest = hashlib.sha256(json.dumps([seed, problem_id]).encode()).digest()
    return VALIDATION if int.from_bytes(digest[:8], "big") / 2**64 < validation_fraction else TRAIN


def held_out(problem_id: str, test_id: str, seed: int, holdout_fraction: float) -> bool:
    """Whether a test is held out of the reward: a stable hash of (seed, problem id, test id)."""
    if holdout_fraction <= 0.0:
        return False
    digest = hashlib.sha256(json.dumps(["holdout", seed, problem_id, test_id]).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < holdout_fraction


def split_holdout(problem: Problem, tests: list[TestCase], options: ExportOptions
                  ) -> tuple[list[TestCase], list[TestCase]]:
    """(visible, held-out) tests; at least one test stays visible."""
    held = [held_out(problem.id, t.id, options.seed, options.holdout_fraction) for t in tests]
    if tests and all(held):
        held[0] = False
    return ([t for t, h in zip(tests, held, strict=True) if not h],
            [t for t, h in zip(tests, held, strict=True) if h])


def is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def exportable_tests(problem: Problem, tests: list[TestCase], cap: int | None, counts: Counter,
                 keep_all: bool = False) -> list[TestCase]:
    """The tests to write, in their given order; over the cap, public tests first, then the
    others in their given order. Unless keep_all: only tests with an expected output, and for
    function problems only those whose input and output are JSON."""
    usable = []
    for test in tests:
        if keep_all:
            usable.append(test)
        elif test.output is None:
            counts["tests_without_output"] += 1
        elif problem.io_mode == "function" and not (is_json(test.input) and is_json(test.output)):
            counts["function_tests_not_json"] += 1
        else:
            usable.append(test)
    if cap is not None and len(usable) > cap:
        counts["capped_problems"] += 1
        counts["tests_over_cap"] += len(usable) - cap
        usable = ([t for t in usable if t.kind == "public"] + [t for t in usable if t.kind != "public"])[:cap]
    return usable


# -- what the RL formats share -----------------------------------------------------------------

STDIN_INSTRUCTION = ("Write a Python 3 program that solves this problem. It reads the input from standard input "
                     "and writes the answer to standard output. Answer with the complete program in a single "
                     "```python code block.")


def prompt_text(problem: Problem) -> str:
    statement = problem.statement.rstrip()
    if problem.io_mode == "function":
        text = (f"{statement}\n\nWrite a Python 3 solution that defines `{problem.fn_name}`. Answer with the "
                "code in a single ```python code block.")
        if problem.starter_code:
            text += f"\n\nStarter code:\n```python\n{problem.starter_code.rstrip()}\n```"
        return text
    return f"{statement}\n\n{STDIN_INSTRUCTION}"


def prompt_messages(problem: Problem) -> list[dict]:
    return [{"role": "user", "content": prompt_text(problem)}]


def test_values(problem: Problem, tests: list[TestCase]) -> tuple[list[str], list[str]]:
    """Inputs and outputs as verl's scorers want them: text for stdin problems; for function
    problems verl's `fn_name` convention, each input the call's arguments one JSON value per line
    and each output the JSON text of the result."""
    if problem.io_mode == "function":
        return [arguments_as_lines(t.input) for t in tests], [t.output.strip() for t in tests]
    return [t.input for t in tests], [t.output for t in tests]


def judging(problem: Problem) -> dict:
    """What a reward needs besides the tests: limits, checker and comparison (klear_ct.rl reads it)."""
    return {"time_limit_s": problem.time_limit_s, "memory_limit_mb": problem.memory_limit_mb,
            "comparison": problem.comparison, "checker": problem.checker.code if problem.checker else None,
            "checker_lang": problem.checker.lang if problem.checker else None}


def ground_truth(problem: Problem, tests: list[TestCase], holdout: list[TestCase] = ()) -> dict:
    """{"inputs", "outputs"} (the reward's tests), "fn_name" for function problems, "judging"
    (limits, checker, comparison: TRL and OpenRLHF pass a reward nothing but this column), and
    with held-out tests "holdout_inputs" / "holdout_outputs" (klearct's reward reports a held-out
    score from them; verl's own scorers read only inputs/outputs)."""
    inputs, outputs = test_values(problem, tests)
    truth: dict = {"inputs": inputs, "outputs": outputs}
    if problem.io_mode == "function":
        truth["fn_name"] = problem.fn_name
    if holdout:
        truth["holdout_inputs"], truth["holdout_outputs"] = test_values(problem, list(holdout))
    truth["judging"] = judging(problem)
    return truth


def ground_truth_json(problem: Problem, tests: list[TestCase], options: ExportOptions | None = None) -> str:
    """The ground truth as JSON; with options.holdout_fraction, part of the tests held out."""
    visible, held = split_holdout(problem, tests, options) if options else (tests, [])
    return json.dumps(ground_truth(problem, visible, held), ensure_ascii=False)


# -- writing -----------------------------------------------------------------------------------

class _Sink:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, FILE_MODE)
        os.close(fd)
        self.tmp = Path(tmp)
        self.rows = 0

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


class ParquetSink(_Sink):
    def __init__(self, path: Path, schema: pa.Schema):
        super().__init__(path)
        self.schema = schema
        self.buffer: list[dict] = []
        self.writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")

    def write(self, record: dict) -> None:
        self.buffer.append(record)
        self.rows += 1
        if len(self.buffer) >= PARQUET_ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=self.schema))
            self.buffer = []

    def close(self) -> None:
        self._flush()
        self.writer.close()

    def abort(self) -> None:
        self.writer.close()
        super().abort()


class JsonlSink(_Sink):
    def __init__(self, path: Path):
        super().__init__(path)
        self.file = open(self.tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()/abort()

    def write(self, record: dict) -> None:
        self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.rows += 1

    def close(self) -> None:
        self.file.close()

    def abort(self) -> None:
        self.file.close()
        super().abort()


def commit_all(sinks: dict[str, _Sink]) -> None:
    """Every file complete, then every file in place."""
    for sink in sinks.values():
        sink.close()
    for sink in sinks.values():
        sink.commit()


def abort_all(sinks: dict[str, _Sink]) -> None:
    for sink in sinks.values():
        sink.abort()


def output_files(out_path: Path, suffix: str, options: ExportOptions) -> dict[str, Path]:
    """One file at out_path, or with a validation split a directory with train/validation files."""
    if options.validation_fraction > 0.0:
        if out_path.exists() and not out_path.is_dir():
            raise UsageError(f"{out_path} is a file; with a validation split the output is a directory")
        return {TRAIN: out_path / f"train{suffix}", VALIDATION: out_path / f"validation{suffix}"}
    if out_path.is_dir():
        raise UsageError(f"{out_path} is a directory; without a validation split the output is one file")
    return {TRAIN: out_path}


def write_dataset(rows: Iterable[tuple[Problem, list[TestCase]]], out_path: Path, options: ExportOptions, *,
                  format_name: str, record: Callable[[ExportItem, ExportOptions], dict],
                  schema: pa.Schema | None = None, suffix: str = ".parquet",
                  keep_all_tests: bool = False) -> dict:
    """Write one record per problem (parquet with `schema`, or jsonl when schema is None) and
    return the summary. Files appear complete or not at all."""
    out_path = Path(out_path)
    paths = output_files(out_path, suffix, options)
    sinks = {split: ParquetSink(path, schema) if schema is not None else JsonlSink(path)
             for split, path in paths.items()}
    counts: Counter = Counter()
    skipped: Counter = Counter()
    skipped_ids: dict[str, list[str]] = {}
    try:
        for problem, tests, *_ in rows:  # a run's rows also carry its solution rows (atgen reads them)
            chosen = exportable_tests(problem, list(tests), options.max_tests_per_problem, counts,
                                  keep_all=keep_all_tests)
            reason = None
            if not chosen:
                reason = "no_tests"
            else:
                split = split_of(problem.id, options.seed, options.validation_fraction)
                sink = sinks[split]
                try:
                    sink.write(record(ExportItem(problem, chosen, split, sink.rows), options))
                    counts["tests"] += len(chosen)
                except Skip as e:
                    reason = e.reason
            if reason is not None:
                skipped[reason] += 1
                skipped_ids.setdefault(reason, []).append(problem.id)
        commit_all(sinks)
    except BaseException:
        abort_all(sinks)
        raise
    return summary(format_name, out_path, paths, {split: sink.rows for split, sink in sinks.items()}, counts,
                   skipped, skipped_ids, options)


def summary(format_name: str, out_path: Path, paths: dict[str, Path], rows: dict[str, int], counts: Counter,
            skipped: Counter, skipped_ids: dict[str, list[str]], options: ExportOptions, **more) -> dict:
    """What an export wrote: files, rows per split, tests, problems left out and why."""
    return {
        "format": format_name,
        "out_path": str(out_path),
        "files": {split: str(path) for split, path in paths.items()},
        "problems": counts["problems"] if "problems" in counts else sum(rows.values()),
        "rows": rows,
        "tests": counts["tests"],
        "skipped": dict(skipped),
        "skipped_ids": skipped_ids,
        "capped_problems": counts["capped_problems"],
        "dropped_tests": {k: counts[k] for k in ("tests_over_cap", "tests_without_output", "function_tests_not_json")
                          if counts[k]},
        "max_tests_per_problem": options.max_tests_per_problem,
        "validation_fraction": options.validation_fraction,
        "holdout_fraction": options.holdout_fraction,
        "seed": options.seed,
        **more,
    }
