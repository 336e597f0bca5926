"""What a reader says about a row it could not (or could only partly) read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klear_ct.errors import KlearctError


@dataclass(frozen=True)
class RowError:
    """A row that was not read; the other rows go on.

    `line` is the 1-based line of a jsonl file, or the 1-based row of a parquet file or item
    of a JSON array (`unit` says which); None when the problem is the whole file.
    """

    path: str
    line: int | None
    field: str | None
    message: str
    unit: str = "line"
    skipped: bool = False  # a sound row asking for what klearct does not do (an interactive problem)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path} {self.unit} {self.line}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RowWarning(RowError):
    """Something a reader left out or filled in while the row itself was read (a skipped
    Python 2 solution, a missing time limit replaced by the default). Never yielded: passed to
    the `warn` callback of `read_problems`."""


Warn = Callable[[RowWarning], None]


def ignore_warning(_: RowWarning) -> None:
    pass


class FieldError(KlearctError, ValueError):
    """Raised inside a reader for a bad field; turned into a RowError for the row."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class Unsupported(FieldError):
    """The row is sound but asks for what klearct does not do: a skipped row, not a bad one."""
