"""Test suites to evaluate: which tests each problem gets, by where they come from.

    NAME=SPEC          one --suite option of `klearct evaluate`
    SPEC:
      problem          the problems' own tests (public + original: an ICPC package's samples and
                       secret data, CodeContests' public/private/generated tests, ...)
      PATH             a run directory (the tests `validate` kept), or an exported file: klearct
                       parquet, or verl parquet (ground truth inputs/outputs, extra_info.problem_id)
      union:A+B[+C]    the tests of earlier suites A, B, ... together (the same input once)
      ...#KIND[,KIND]  any of the above, keeping only tests of these kinds (public, secret,
                       private, generated, ...): `gen=runs/x#generated` is what generators added

Tests without an expected output cannot judge anything and are left out, with a note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from klear_ct.errors import UsageError
from klear_ct.model import Problem, TestCase
from klear_ct.sandbox.calls import call_test


class SuiteError(UsageError):
    pass


@dataclass
class Suite:
    name: str
    spec: str
    tests: dict[str, list[TestCase]]  # problem id -> tests, in order
    notes: list[str] = field(default_factory=list)


def parse_suite_option(option: str) -> tuple[str, str]:
    name, sep, spec = option.partition("=")
    if not sep or not name.strip() or not spec.strip():
        raise SuiteError(f"--suite {option!r}: expected NAME=SPEC (SPEC: problem, a run directory, an exported "
                         "parquet file, or union:A+B)")
    return name.strip(), spec.strip()


def load_suites(options: list[tuple[str, str]], problems: list[Problem]) -> list[Suite]:
    suites: dict[str, Suite] = {}
    for name, spec in options:
        if name in suites:
            raise SuiteError(f"suite {name!r} is given twice")
        source, _, kinds = spec.partition("#")
        if source.startswith("union:"):
            suite = union(name, spec, [suites.get(part) or _missing(part, suites) for part in source[6:].split("+")])
        elif source == "problem":
            suite = Suite(name, spec, {p.id: list(p.public_tests) for p in problems})
        else:
            suite = from_path(name, spec, Path(source), {p.id for p in problems})
        if kinds:
            wanted = {k.strip() for k in kinds.split(",") if k.strip()}
            suite.tests = {pid: [t for t in tests if t.kind in wanted] for pid, tests in suite.tests.items()}
        _drop_unjudgeable(suite)
        suites[name] = suite
    return list(suites.values())


def _missing(part: str, suites: dict[str, Suite]) -> Suite:
    raise SuiteError(f"union: no earlier suite named {part!r} (known: {', '.join(suites) or 'none'})")


def union(name: str, spec: str, parts: list[Suite]) -> Suite:
    tests: dict[str, list[TestCase]] = {}
    seen: dict[str, set[str]] = {}
    for part in parts:
        for pid, part_tests in part.tests.items():
            inputs = seen.setdefault(pid, set())
            for test in part_tests:
                if test.input not in inputs:
                    inputs.add(test.input)
                    tests.setdefault(pid, []).append(test)
    return Suite(name, spec, tests)


def _drop_unjudgeable(suite: Suite) -> None:
    dropped = sum(t.output is None for tests in suite.tests.values() for t in tests)
    if dropped:
        suite.tests = {pid: [t for t in tests if t.output is not None] for pid, tests in suite.tests.items()}
        suite.notes.append(f"{dropped} tests without an expected output left out")


def from_path(name: str, spec: str, path: Path, problem_ids: set[str]) -> Suite:
    if not path.exists():
        raise SuiteError(f"suite {name}: {path}: no such file or directory")
    try:
        return _read_path(name, spec, path, problem_ids)
    except SuiteError:
        raise
    except (OSError, ValueError) as e:  # a damaged file past the first one (pyarrow's errors are ValueErrors)
        raise SuiteError(f"suite {name}: {path}: cannot read it ({type(e).__name__}: {e})") from None


def _read_path(name: str, spec: str, path: Path, problem_ids: set[str]) -> Suite:
    from klear_ct.store import RunStore

    if RunStore.is_run(path):
        store = RunStore(path)
        return Suite(name, spec, {pid: tests for pid in sorted(problem_ids) if (tests := store.tests(pid))})
    try:
        columns = set(pq.read_schema(next(iter(sorted(path.rglob("*.parquet"))), path) if path.is_dir()
                                     else path).names)
    except Exception as e:  # noqa: BLE001 - any unreadable file is the same user error
        raise SuiteError(f"suite {name}: {path}: not a run directory or a parquet file ({e})") from None
    if {"id", "problem", "tests"} <= columns:
        return _klearct(name, spec, path)
    if {"reward_model", "extra_info"} <= columns:
        return _verl(name, spec, path)
    raise SuiteError(f"suite {name}: {path}: a parquet file, but neither klearct nor verl "
                     f"(columns: {', '.join(sorted(columns))})")


def _klearct(name: str, spec: str, path: Path) -> Suite:
    from klear_ct.formats import RowError, read_with_tests

    suite = Suite(name, spec, {})
    for item in read_with_tests(path):
        if isinstance(item, RowError):
            suite.notes.append(str(item))
        else:
            problem, tests = item
            suite.tests[problem.id] = tests
    return suite


def _verl(name: str, spec: str, path: Path) -> Suite:
    suite = Suite(name, spec, {})
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        for k, row in enumerate(pq.read_table(file, columns=["reward_model", "extra_info"]).to_pylist(), 1):
            pid = (row.get("extra_info") or {}).get("problem_id")
            try:
                truth = json.loads((row.get("reward_model") or {}).get("ground_truth") or "")
                pairs = list(zip(truth["inputs"], truth["outputs"], strict=True))
                if truth.get("fn_name"):  # verl's fn_name form -> klearct's JSON argument arrays
                    pairs = [call_test(i, o) for i, o in pairs]
            except (ValueError, KeyError, TypeError) as e:
                suite.notes.append(f"{file} row {k}: bad ground_truth ({e})")
                continue
            if pid is None:
                suite.notes.append(f"{file} row {k}: no extra_info.problem_id; left out")
                continue
            suite.tests[pid] = [TestCase(problem_id=pid, input=i, output=o, kind="exported") for i, o in pairs]
    return suite
