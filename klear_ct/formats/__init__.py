"""Dataset formats: one module per format, and `FORMATS`, the one registry mapping
`--format` names to them. Callers never branch on format names.

    read_problems(path, format="auto", *, warn=None) -> Iterator[Problem | RowError]
    export(run_or_rows, format, out_path, *, max_tests_per_problem=None,
           validation_fraction=0.0, seed=0, data_source=None, ...) -> dict

Readers: klear (Klear-CodeTest jsonl), codecontests (jsonl or parquet), klearct (parquet),
icpc (ICPC / Kattis problem package folders: one package, or a folder of them).
Exporters: verl, trl, klear, codecontests, klearct, atgen. See each module for its fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from klear_ct.errors import UsageError
from klear_ct.formats import (
    atgen,
    codecontests,
    deepcoder,
    icpc,
    klear,
    klearct_parquet,
    livecodebench,
    taco,
    trl,
    verl,
)
from klear_ct.formats.errors import FieldError, RowError, RowWarning, Warn, ignore_warning
from klear_ct.formats.exporting import ExportOptions
from klear_ct.formats.languages import detect_language, run_python_under
from klear_ct.formats.rows import Where, container, data_files, iter_rows, peek_keys
from klear_ct.model import Problem, TestCase
from klear_ct.sandbox.languages import python_runtime

Rows = Iterable[tuple[Problem, list[TestCase]]]


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    id_field: str | None = None  # the row field holding the problem id (for duplicate reports)
    sniff: Callable[[set[str]], bool] | None = None  # do a first row's keys look like this format?
    parse_row: Callable[[dict, Where, Warn], Problem] | None = None  # raises FieldError
    export: Callable[[Rows, Path, ExportOptions], dict] | None = None
    # formats that are folders, not data files: does `path` look like this format, and its rows
    detect: Callable[[Path], bool] | None = None
    rows: Callable[[Path], Iterable[tuple[Where, dict] | RowError]] | None = None
    reads_solutions: bool = False  # its exporter reads each problem's solutions/ rows (the kill matrix's verdicts)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("klear", "Klear-CodeTest jsonl (custom_id, question, solutions, input_output, ...)",
           "custom_id", klear.sniff, klear.parse_row, klear.export),
    Format("codecontests", "DeepMind CodeContests rows, jsonl or parquet (name, description, *_tests, ...)",
           "name", codecontests.sniff, codecontests.parse_row, codecontests.export),
    Format("klearct", "klearct's own lossless parquet (id, problem JSON, tests)",
           "id", klearct_parquet.sniff, klearct_parquet.parse_row, klearct_parquet.export),
    Format("verl", "verl RL parquet (data_source, prompt, ability, reward_model, extra_info)",
           export=verl.export),
    Format("trl", "TRL / open-r1 parquet (prompt, ground_truth, verification_info, problem_id)",
           export=trl.export),
    Format("atgen", "ATGEN test-generator rows, one per (problem, buggy program): question, buggy_code, gold_code, "
           "kill matrix, difficulty, and verl's prompt / data_source / reward_model", export=atgen.export,
           reads_solutions=True),
    Format("icpc", "ICPC / Kattis problem packages (problem.yaml, data/, submissions/, output_validators/)",
           "problem.yaml", parse_row=icpc.parse_row, detect=icpc.detect, rows=icpc.rows),
    Format("taco", "TACO / APPS rows, jsonl or parquet (question, solutions, input_output, starter_code, ...)",
           "problem_id", taco.sniff, taco.parse_row),
    Format("livecodebench", "LiveCodeBench code generation rows (question_id, question_content, "
           "public_test_cases, private_test_cases, metadata)", "question_id", livecodebench.sniff,
           livecodebench.parse_row),
    Format("deepcoder", "DeepCoder / PrimeIntellect rows, jsonl or parquet (problem, tests, metadata, solutions?)",
           "id", deepcoder.sniff, deepcoder.parse_row),
)}


# name -> function views of FORMATS, for callers that only need one side
READERS: dict[str, Callable[[dict, Where, Warn], Problem]] = {
    name: f.parse_row for name, f in FORMATS.items() if f.parse_row is not None}
EXPORTERS: dict[str, Callable[[Rows, Path, ExportOptions], dict]] = {
    name: f.export for name, f in FORMATS.items() if f.export is not None}


def reader_names() -> list[str]:
    return [name for name, f in FORMATS.items() if f.parse_row is not None]


def exporter_names() -> list[str]:
    return [name for name, f in FORMATS.items() if f.export is not None]


def get_format(name: str, purpose: str = "read") -> Format:
    """The format called `name` that can `purpose` ("read" or "export"); ValueError otherwise."""
    names = reader_names() if purpose == "read" else exporter_names()
    if name not in names:
        raise UsageError(f"unknown {purpose} format {name!r}; choose one of {', '.join(names)}")
    return FORMATS[name]


def detect_format(path: str | Path) -> str:
    """The reader for `path`, from its extension and the keys of its first row."""
    path = Path(path)
    for name in reader_names():
        if FORMATS[name].detect and FORMATS[name].detect(path):
            return name
    files = data_files(path)
    if not files:
        raise UsageError(f"{path}: no .jsonl, .json or .parquet files in it")
    unknown = [f for f in files if container(f) is None]
    if unknown:
        raise UsageError(f"{unknown[0]}: not a .jsonl, .json or .parquet file; pass format= to read it anyway")
    keys = peek_keys(path)
    matches = [name for name in reader_names() if FORMATS[name].sniff and FORMATS[name].sniff(keys)]
    if len(matches) != 1:
        shown = ", ".join(sorted(keys)[:15])
        raise UsageError(f"{path}: cannot tell the format from its first row's keys ({shown}); "
                         f"choose one of {', '.join(reader_names())}")
    return matches[0]


def read_problems(path: str | Path, format: str = "auto", *, warn: Warn | None = None,
                  python: str | None = None) -> Iterator[Problem | RowError]:
    """Each row of `path` (a file or a directory of files) as a Problem, or a RowError saying
    why not; a bad row never stops the others. Notes on rows that were read (a skipped Python 2
    gold, a default time limit) go to `warn` as RowWarning. The format and the file are
    checked now (ValueError, FileNotFoundError); the rows are read as the iterator is consumed.
    A second row with the id of an earlier one is a RowError. `python` (`python3`, `pypy3`)
    runs every Python solution under that runtime (`run_python_under`)."""
    path = Path(path)
    data_files(path)  # FileNotFoundError now, not at the first next()
    fmt = get_format(detect_format(path) if format == "auto" else format, "read")
    if python is not None:
        python_runtime(python)  # a bad name is a usage error now, not at the first row
        return (run_python_under(row, python) if isinstance(row, Problem) else row
                for row in _read(fmt, path, warn or ignore_warning))
    return _read(fmt, path, warn or ignore_warning)


def _read(fmt: Format, path: Path, warn: Warn) -> Iterator[Problem | RowError]:
    seen: dict[str, Where] = {}
    for item in (fmt.rows(path) if fmt.rows else iter_rows(path)):
        if isinstance(item, RowError):
            yield item
            continue
        where, row = item
        notes: list[RowWarning] = []  # passed on only when the row is read
        try:
            problem = fmt.parse_row(row, where, notes.append)
        except FieldError as e:
            yield where.from_field_error(e)
            continue
        except ValidationError as e:  # a field of a record got a value of the wrong type
            first = e.errors()[0]
            yield where.error(".".join(str(p) for p in first["loc"]) or None, first["msg"])
            continue
        except Exception as e:  # noqa: BLE001 - a row nobody foresaw must not stop the others
            yield where.error(None, f"cannot read the row: {type(e).__name__}: {e}")
            continue
        if problem.id in seen:
            first = seen[problem.id]
            yield where.error(fmt.id_field, f"duplicate id {problem.id!r} (first at {first.unit} {first.line} "
                                            f"of {first.path})")
            continue
        seen[problem.id] = where
        for note in notes:
            warn(note)
        yield problem


def read_with_tests(path: str | Path) -> Iterator[tuple[Problem, list[TestCase]] | RowError]:
    """A klearct parquet file: each problem with its tests, exactly as exported."""
    data_files(Path(path))
    return klearct_parquet.read_with_tests(Path(path))


# -- export ------------------------------------------------------------------------------------

def export(rows_or_file, format: str, out_path: str | Path, *, max_tests_per_problem: int | None = None,
           validation_fraction: float = 0.0, seed: int = 0, data_source: str | None = None,
           holdout_fraction: float = 0.0, min_difficulty: float = 0.0,
           field_names: dict[str, str] | None = None) -> dict:
    """Write a dataset of `format` (see `exporter_names()`) and return its summary.

    `rows_or_file`: an iterable of (Problem, tests) or (Problem, tests, solution rows) (a run's:
    `pipeline.stages.export_validated`) or a klearct parquet file. With validation_fraction > 0, `out_path` is a directory holding
    train and validation files, split by a stable hash of (seed, problem id); otherwise it is
    one file. Problems without tests are skipped and counted under summary["skipped"]."""
    fmt = get_format(format, "export")
    options = ExportOptions(max_tests_per_problem=max_tests_per_problem, validation_fraction=validation_fraction,
                            seed=seed, data_source=data_source, holdout_fraction=holdout_fraction,
                            min_difficulty=min_difficulty, field_names=tuple(sorted((field_names or {}).items())))
    read_errors: list[str] = []
    if isinstance(rows_or_file, str | Path):
        if detect_format(rows_or_file) != "klearct":
            raise UsageError(f"{rows_or_file}: export reads a klearct parquet file or (problem, tests) pairs")
        rows: Rows = _klearct_rows(Path(rows_or_file), read_errors)
    else:
        rows = rows_or_file
    summary = fmt.export(rows, Path(out_path), options)
    if read_errors:
        summary["read_errors"] = read_errors
    return summary


def _klearct_rows(path: Path, errors: list[str]) -> Iterator[tuple[Problem, list[TestCase]]]:
    for item in klearct_parquet.read_with_tests(path):
        if isinstance(item, RowError):
            errors.append(str(item))
        else:
            yield item


__all__ = ["EXPORTERS", "FORMATS", "READERS", "ExportOptions", "Format", "RowError", "RowWarning", "detect_format", "detect_language",
           "exporter_names", "export", "get_format", "read_problems", "read_with_tests", "reader_names"]
