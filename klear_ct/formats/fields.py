"""Field parsers shared by the readers. Each raises FieldError naming the field."""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter

from klear_ct.formats.errors import FieldError
from klear_ct.formats.languages import detect_language, supported
from klear_ct.model import Program

DEFAULT_TIME_LIMIT_S = 2.0
DEFAULT_MEMORY_LIMIT_MB = 256
# limits past these are mistakes (milliseconds written as seconds, bytes as MB): the row is bad, not
# an hour-long TLE per test; KLEARCT_MAX_TIME_LIMIT_S / KLEARCT_MAX_MEMORY_LIMIT_MB raise them
MAX_TIME_LIMIT_S = float(os.environ.get("KLEARCT_MAX_TIME_LIMIT_S", 60))
MAX_MEMORY_LIMIT_MB = float(os.environ.get("KLEARCT_MAX_MEMORY_LIMIT_MB", 16384))

_NUMBER_WITH_UNIT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]*)\s*$")
_SECONDS = {"": 1.0, "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
            "ms": 0.001, "msec": 0.001, "millisecond": 0.001, "milliseconds": 0.001}
_MEGABYTES = {"": 1.0, "m": 1.0, "mb": 1.0, "mib": 1.0, "megabyte": 1.0, "megabytes": 1.0,
              "k": 1 / 1024, "kb": 1 / 1024, "kib": 1 / 1024, "kilobyte": 1 / 1024, "kilobytes": 1 / 1024,
              "g": 1024.0, "gb": 1024.0, "gib": 1024.0, "gigabyte": 1024.0, "gigabytes": 1024.0,
              "b": 1 / 2**20, "byte": 1 / 2**20, "bytes": 1 / 2**20}


def _number(value, field: str, units: dict[str, float], kind: str) -> float:
    if isinstance(value, bool):
        raise FieldError(field, f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        match = _NUMBER_WITH_UNIT.match(value)
        unit = match.group(2).lower() if match else None
        if not match or unit not in units:
            raise FieldError(field, f"not a {kind}: {value!r}")
        number = float(match.group(1)) * units[unit]
    else:
        raise FieldError(field, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(number) or number <= 0:
        raise FieldError(field, f"must be a positive number, got {value!r}")
    return number


def _bounded(number: float, bound: float, value, field: str, unit: str, small_unit: str, env: str) -> float:
    if number > bound:
        raise FieldError(field, f"{value!r} is over the {bound:g} {unit} bound ({small_unit}? write "
                                f"'{value} {small_unit}'; {env} raises the bound)")
    return number


def parse_seconds(value, field: str) -> float:
    """2, 2.0, "2", "2.0", "2 s", "1 second", "1500 ms" -> seconds, at most MAX_TIME_LIMIT_S."""
    return _bounded(_number(value, field, _SECONDS, "time in seconds"), MAX_TIME_LIMIT_S, value, field, "s", "ms",
                    "KLEARCT_MAX_TIME_LIMIT_S")


def parse_megabytes(value, field: str) -> int:
    """256, "256", "256 MB", "262144 KB", "1 GB" -> whole megabytes (rounded up), at most MAX_MEMORY_LIMIT_MB."""
    megabytes = _bounded(_number(value, field, _MEGABYTES, "memory size in MB"), MAX_MEMORY_LIMIT_MB, value, field,
                         "MB", "bytes", "KLEARCT_MAX_MEMORY_LIMIT_MB")
    return max(1, math.ceil(megabytes - 1e-9))


def json_value(value, field: str):
    """A value that may also arrive as a JSON string of itself (APPS/TACO style)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as e:
            raise FieldError(field, f"bad JSON string: {e}") from None
    return value


def code_string(value, field: str) -> str:
    if not isinstance(value, str):
        raise FieldError(field, f"code must be a string, got {type(value).__name__}")
    if not value.strip():
        raise FieldError(field, "empty code")
    return value


def detected_program(code: str, field: str) -> Program:
    lang = detect_language(code)
    if lang is None:
        raise FieldError(field, "unknown language")
    return Program(lang=lang, code=code)


def count_text(counter: Counter) -> str:
    return ", ".join(f"{lang} ×{n}" if n > 1 else lang for lang, n in sorted(counter.items()))


def keep_supported(programs: list[Program]) -> tuple[list[Program], Counter]:
    """The programs the sandbox runs, and a count of the others by language."""
    kept = [p for p in programs if supported(p.lang)]
    return kept, Counter(p.lang for p in programs if not supported(p.lang))


def string_list(value, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise FieldError(field, f"expected a list, got {type(value).__name__}")
    for k, item in enumerate(value):
        if not isinstance(item, str):
            raise FieldError(f"{field}[{k}]", f"expected a string, got {type(item).__name__}")
    return list(value)


def loaded(value, field: str):
    """A value that may arrive as its JSON string; None, "" and "null" are None (no value)."""
    if isinstance(value, str) and not value.strip():
        return None
    return json_value(value, field)


def optional_text(value, field: str) -> str | None:
    """A free-text field (starter code): None and blank text are None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"expected a string, got {type(value).__name__}")
    return value if value.strip() else None


def row_id(row: dict, keys: tuple[str, ...], where) -> str:
    """The dataset's own id: the first of `keys` the row has (a string or an integer). A dataset
    whose rows carry none (TACO, DeepCoder) is named by position: `<file stem>-<0-based row>`."""
    for key in keys:
        value = row.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise FieldError(key, f"expected a string or an integer, got {type(value).__name__}")
        if not str(value).strip():
            raise FieldError(key, "empty")
        return str(value).strip()
    stem = os.path.basename(where.path).split(".")[0]
    return f"{stem}-{where.line - 1}"


def gold_programs(value, field: str, where, warn) -> list[Program]:
    """Gold solutions from a list of code strings (or its JSON string), each language detected;
    those the sandbox does not run are left out with a warning, and none left is a FieldError."""
    value = loaded(value, field)
    if value is None:
        raise FieldError(field, "missing")
    if not isinstance(value, list):
        raise FieldError(field, f"expected a list of code strings, got {type(value).__name__}")
    if not value:
        raise FieldError(field, "empty list")
    programs = [detected_program(code_string(code, f"{field}[{k}]"), f"{field}[{k}]") for k, code in enumerate(value)]
    kept, dropped = keep_supported(programs)
    if not kept:
        raise FieldError(field, f"no gold solution in a language the sandbox runs ({count_text(dropped)})")
    if dropped:
        warn(where.warning(field, f"skipped {dropped.total()} gold solutions in languages the sandbox "
                                  f"does not run ({count_text(dropped)})"))
    return kept


def stdin_text(value, field: str) -> str:
    """A stdin test's input or expected output: a string, or a list of its lines (some APPS / TACO
    rows are written so; APPS's own judge joins them with newlines)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        text = "\n".join(value)
        return text if text.endswith("\n") or not text else text + "\n"
    raise FieldError(field, f"a stdin test needs a string, got {type(value).__name__}")


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def call_arguments(value, field: str) -> str:
    """A function test's argument list as JSON text."""
    if not isinstance(value, list):
        raise FieldError(field, f"a function test's input must be its argument list, got {type(value).__name__}")
    return json_text(value)


def unwrapped_results(outputs: list) -> list:
    """APPS / TACO write a call's expected result inside a one-element list (their judge accepts
    either): when every output of a problem is so wrapped, the results are the elements."""
    if outputs and all(isinstance(o, list) and len(o) == 1 for o in outputs):
        return [o[0] for o in outputs]
    return outputs
