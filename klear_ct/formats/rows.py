"""Rows of a dataset file, whatever its container: jsonl (optionally .gz), a JSON array,
parquet, or a directory of those. Each row comes with where it was (for error messages);
a line that is not a JSON object is a RowError and the next line goes on."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from klear_ct.errors import UsageError
from klear_ct.formats.errors import FieldError, RowError, RowWarning, Unsupported

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".json", ".json.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
PARQUET_BATCH_ROWS = 64  # rows in memory at once: CodeContests rows carry hundreds of tests


@dataclass(frozen=True)
class Where:
    path: str
    line: int
    unit: str = "line"

    def error(self, field: str | None, message: str, skipped: bool = False) -> RowError:
        return RowError(self.path, self.line, field, message, self.unit, skipped)

    def warning(self, field: str | None, message: str) -> RowWarning:
        return RowWarning(self.path, self.line, field, message, self.unit)

    def from_field_error(self, e: FieldError) -> RowError:
        return self.error(e.field, e.message, skipped=isinstance(e, Unsupported))


def container(path: Path) -> str | None:
    """'jsonl', 'parquet' or None, from the file name."""
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return None


def data_files(path: Path) -> list[Path]:
    """The files a path stands for: itself, or the dataset files under a directory."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or directory")
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and container(p)
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))


def iter_rows(path: Path) -> Iterator[tuple[Where, dict] | RowError]:
    for file in data_files(Path(path)):
        if container(file) == "parquet":
            yield from _parquet_rows(file)
        else:
            yield from _json_rows(file)


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _json_rows(path: Path) -> Iterator[tuple[Where, dict] | RowError]:
    name = str(path)
    if path.name.lower().endswith((".json", ".json.gz")):
        with _open_binary(path) as f:
            head = f.read(4096).lstrip()
        if head.startswith(b"["):  # a JSON array of rows
            try:
                with _open_binary(path) as f:
                    items = json.load(f)
            except ValueError as e:
                yield RowError(name, None, None, f"bad JSON: {e}")
                return
            for index, item in enumerate(items, 1):
                where = Where(name, index, "item")
                yield (where, item) if isinstance(item, dict) else where.error(None, "not a JSON object")
            return
    with _open_binary(path) as f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            where = Where(name, number)
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                yield where.error(None, f"not UTF-8 ({e.reason} at byte {e.start})")
                continue
            except json.JSONDecodeError as e:
                yield where.error(None, f"bad JSON: {e.msg} at column {e.colno}")
                continue
            yield (where, row) if isinstance(row, dict) else where.error(None, "not a JSON object")


def _parquet_rows(path: Path) -> Iterator[tuple[Where, dict] | RowError]:
    name = str(path)
    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH_ROWS)
        number = 0
        for batch in batches:
            for row in batch.to_pylist():
                number += 1
                yield Where(name, number, "row"), row
    except Exception as e:  # a torn or foreign file: the rows read so far stand
        yield RowError(name, None, None, f"cannot read parquet: {e}")


def peek_keys(path: Path) -> set[str]:
    """The keys of the first readable row of the data files (parquet: its column names), looking
    past empty or corrupt shards; UsageError naming the shards when none has a row."""
    problems: list[str] = []
    for file in data_files(Path(path)):
        if container(file) == "parquet":
            try:
                return set(pq.read_schema(file).names)
            except Exception as e:  # noqa: BLE001 - pyarrow raises several kinds for a damaged file
                problems.append(f"{file}: not a readable parquet file ({str(e).splitlines()[0][:200]})")
                continue
        bad: RowError | None = None
        for item in _json_rows(file):
            if not isinstance(item, RowError):
                return set(item[1])
            bad = bad or item
        problems.append(str(bad) if bad else f"{file}: no rows")
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    raise UsageError(f"{path}: no row to tell the format from: {shown}")
    return None
