"""The run directory: what each stage wrote, written so that a killed run resumes exactly.

    RUN/
      manifest.json        config, versions, inputs, commands run
      problems/<key>.parquet   the problem as read (one row: id, record as JSON)
      tests/<key>.parquet      kept tests of one problem, canonically sorted
      solutions/<key>.parquet  verdict of every gold / incorrect solution of one problem
      generators/<key>.parquet generators and what became of them
      done.jsonl           one line per finished problem: outcome and cause
      events.jsonl         append-only log: problem, stage, outcome, cause, detail
      llm/usage.jsonl      tokens of every answered LLM request (generate), one line each
      .lock                held (flock) while a command works on the run

Every parquet file is written to a temporary name and renamed when complete, then
the problem's line is appended to done.jsonl, so a problem is either done or redone.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from klear_ct import __version__
from klear_ct.atomic import replacing, write_text
from klear_ct.errors import UsageError
from klear_ct.model import Problem, TestCase

TEST_COLUMNS = ["problem_id", "id", "kind", "input", "output", "generator_id", "gold_agree", "gold_total",
                "kills", "bytes"]
TEST_SCHEMA = pa.schema([
    ("problem_id", pa.string()), ("id", pa.string()), ("kind", pa.string()), ("input", pa.large_string()),
    ("output", pa.large_string()), ("generator_id", pa.string()), ("gold_agree", pa.int32()),
    ("gold_total", pa.int32()), ("kills", pa.list_(pa.string())), ("bytes", pa.int64()),
])


class RunLocked(UsageError, RuntimeError):
    pass


def problem_key(problem_id: str) -> str:
    """A file name for a problem id: readable when safe, always unique."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", problem_id)[:80]
    return f"{safe}-{hashlib.sha256(problem_id.encode()).hexdigest()[:8]}"


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    with replacing(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def append_line(path: Path, record: dict) -> None:
    """Append one JSON line and flush it to disk (a torn last line is skipped on reading); the
    file and its folder are created when missing (a fresh run, a shared cache elsewhere)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def read_lines(path: Path) -> Iterator[dict]:
    if not path.exists():
        return
    with open(path) as f:
        for line in f:
            try:
                yield json.loads(line)
            except ValueError:
                continue  # the torn line of a killed run


def tests_table(tests: list[TestCase]) -> pa.Table:
    rows = sorted((t.model_dump() for t in tests), key=lambda r: (r["problem_id"], r["kind"] != "public", r["id"]))
    return pa.Table.from_pylist([{c: r[c] for c in TEST_COLUMNS} for r in rows], schema=TEST_SCHEMA)


class RunStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock_file = None

    # -- lock ------------------------------------------------------------------------------------
    def lock(self) -> RunStore:
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.root / ".lock", "a+")  # noqa: SIM115 - held until unlock()
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.seek(0)
            holder = self._lock_file.read().strip() or "another process"
            self._lock_file.close()
            self._lock_file = None
            raise RunLocked(f"{self.root} is in use by {holder}; wait for it to finish") from None
        self._lock_file.seek(0)
        self._lock_file.truncate()
        self._lock_file.write(f"pid {os.getpid()}")
        self._lock_file.flush()
        return self

    def unlock(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> RunStore:
        return self.lock()

    def __exit__(self, *exc) -> None:
        self.unlock()

    # -- paths ---------------------------------------------------------------------------------------
    @staticmethod
    def is_run(path: Path) -> bool:
        """Whether `path` is a run directory: one that a klearct command wrote (its tables or manifest)."""
        path = Path(path)
        return path.is_dir() and any((path / name).exists() for name in ("problems", "tests", "manifest.json"))

    @property
    def llm_cache_dir(self) -> Path:
        """The LLM response cache when the config names no shared one."""
        return self.root / "llm" / "cache"

    @property
    def usage_log(self) -> Path:
        """Where the LLM client appends the usage the server reported for each answered request."""
        return self.root / "llm" / "usage.jsonl"

    def reports_dir(self, problem_id: str) -> Path:
        """Where the error reports sent to the LLM for one problem are kept as text files."""
        return self.root / "llm" / "reports" / problem_key(problem_id)

    def export_path(self, export_format: str) -> Path:
        """The default file `klearct run` exports to."""
        return self.root / "export" / f"{export_format}.parquet"

    # -- manifest --------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def manifest(self) -> dict:
        if not self.manifest_path.exists():
            return {}
        return json.loads(self.manifest_path.read_text())

    def record_command(self, command: str, **details) -> None:
        manifest = self.manifest() or {"klearct_version": __version__,
                                        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        manifest.setdefault("commands", []).append({
            "command": command, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **details})
        write_text(self.manifest_path, json.dumps(manifest, indent=2, sort_keys=True, default=str))

    # -- per problem -----------------------------------------------------------------------------
    def done(self, stage: str = "validate") -> dict[str, dict]:
        """Finished problems of a stage: id -> its done line (the last one wins)."""
        return {line["problem_id"]: line for line in self.done_lines() if line.get("stage") == stage}

    def done_lines(self) -> Iterator[dict]:
        """Every done line of every stage, in the order written."""
        return read_lines(self.root / "done.jsonl")

    def mark_done(self, problem_id: str, stage: str, outcome: str, cause: str | None = None, **summary) -> None:
        append_line(self.root / "done.jsonl",
                    {"problem_id": problem_id, "stage": stage, "outcome": outcome, "cause": cause, **summary})

    def event(self, problem_id: str, stage: str, outcome: str, cause: str | None = None, **detail) -> None:
        append_line(self.root / "events.jsonl", {"problem_id": problem_id, "stage": stage, "outcome": outcome,
                                                 "cause": cause, **detail})

    def events(self) -> Iterator[dict]:
        return read_lines(self.root / "events.jsonl")

    def write_problem(self, problem: Problem) -> None:
        table = pa.Table.from_pylist([{"id": problem.id, "record": problem.model_dump_json(exclude_computed_fields=True)}])
        write_parquet_atomic(table, self.root / "problems" / f"{problem_key(problem.id)}.parquet")

    def problem(self, problem_id: str) -> Problem | None:
        """The stored problem of this id, or None."""
        path = self.root / "problems" / f"{problem_key(problem_id)}.parquet"
        if not path.exists():
            return None
        return next((Problem.model_validate_json(row["record"]) for row in pq.read_table(path).to_pylist()
                     if row["id"] == problem_id), None)

    def problems(self) -> Iterator[Problem]:
        for path in sorted((self.root / "problems").glob("*.parquet")):
            for row in pq.read_table(path).to_pylist():
                yield Problem.model_validate_json(row["record"])

    def problems_with_tests(self) -> Iterator[tuple[Problem, list[TestCase]]]:
        for problem in self.problems():
            yield problem, self.tests(problem.id)

    def problem_records(self) -> Iterator[tuple[str, str]]:
        """(id, record as JSON) of every stored problem, read without model validation."""
        for path in sorted((self.root / "problems").glob("*.parquet")):
            for row in pq.read_table(path, columns=["id", "record"]).to_pylist():
                yield row["id"], row["record"]

    def write_tests(self, problem_id: str, tests: list[TestCase]) -> None:
        write_parquet_atomic(tests_table(tests), self.root / "tests" / f"{problem_key(problem_id)}.parquet")

    def write_rows(self, table_name: str, problem_id: str, rows: list[dict]) -> None:
        path = self.root / table_name / f"{problem_key(problem_id)}.parquet"
        write_parquet_atomic(pa.Table.from_pylist(rows) if rows else pa.table({"problem_id": pa.array([], pa.string())}),
                             path)

    def solutions(self, problem_id: str) -> list[dict]:
        """The solutions/ rows of one problem: every gold and incorrect solution's verdicts (validate)."""
        path = self.root / "solutions" / f"{problem_key(problem_id)}.parquet"
        return pq.read_table(path).to_pylist() if path.exists() else []

    def read_rows(self, table_name: str) -> list[dict]:
        rows: list[dict] = []
        for path in sorted((self.root / table_name).glob("*.parquet")):
            rows.extend(pq.read_table(path).to_pylist())
        return rows

    def tests(self, problem_id: str | None = None) -> list[TestCase]:
        folder = self.root / "tests"
        paths = [folder / f"{problem_key(problem_id)}.parquet"] if problem_id else sorted(folder.glob("*.parquet"))
        tests = []
        for path in paths:
            if path.exists():
                tests.extend(TestCase(**{k: v for k, v in row.items() if k not in ("id", "bytes")})
                             for row in pq.read_table(path).to_pylist())
        return tests

    def test_index(self) -> Iterator[dict]:
        """problem_id, kind and bytes of every kept test, one problem's file at a time: what a report
        counts, without reading any input or output into memory."""
        for path in sorted((self.root / "tests").glob("*.parquet")):
            yield from pq.read_table(path, columns=["problem_id", "kind", "bytes"]).to_pylist()

    def all_tests_table(self) -> pa.Table:
        """Every kept test of the run in canonical order (what `validate` promises is reproducible)."""
        return tests_table(self.tests())

    # -- LLM -------------------------------------------------------------------------------------
    def llm_usage(self) -> Iterator[dict]:
        return read_lines(self.usage_log)
