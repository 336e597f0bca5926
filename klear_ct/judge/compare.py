"""Built-in output comparisons, one signature: (actual, expected) -> bool.

`lines` is the usual judge comparison and the default: trailing whitespace on each
line and trailing blank lines are ignored, everything else must match.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from klear_ct.errors import UsageError

Comparison = Callable[[str, str], bool]


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def exact(actual: str, expected: str) -> bool:
    return actual == expected


def lines(actual: str, expected: str) -> bool:
    return _lines(actual) == _lines(expected)


def tokens(actual: str, expected: str) -> bool:
    return actual.split() == expected.split()


def tokens_case_insensitive(actual: str, expected: str) -> bool:
    return actual.lower().split() == expected.lower().split()


def floats(abs_tol: float = 1e-6, rel_tol: float = 1e-6) -> Comparison:
    """Token comparison where numeric tokens may differ within abs or rel tolerance."""

    def compare(actual: str, expected: str) -> bool:
        got, want = actual.split(), expected.split()
        if len(got) != len(want):
            return False
        for g, w in zip(got, want, strict=True):
            if g == w:
                continue
            try:
                gv, wv = float(g), float(w)
            except ValueError:
                return False
            if math.isnan(gv) or math.isnan(wv):
                return False
            if not math.isclose(gv, wv, rel_tol=rel_tol, abs_tol=abs_tol):
                return False
        return True

    return compare


def _is_float_token(token: str) -> bool:
    try:
        return math.isfinite(float(token))
    except ValueError:
        return False


def icpc(abs_tol: float | None = None, rel_tol: float | None = None, case_sensitive: bool = False) -> Comparison:
    """The ICPC / Kattis default output validator: whitespace-insensitive token comparison,
    case-insensitive unless `case_sensitive`; with a tolerance, a token of the expected answer
    that is a number matches a number within `abs_tol` or `rel_tol` (either suffices)."""
    tolerant = abs_tol is not None or rel_tol is not None
    abs_tol, rel_tol = abs_tol or 0.0, rel_tol or 0.0

    def compare(actual: str, expected: str) -> bool:
        got, want = actual.split(), expected.split()
        if len(got) != len(want):
            return False
        for g, w in zip(got, want, strict=True):
            if g == w or (not case_sensitive and g.lower() == w.lower()):
                continue
            if not (tolerant and _is_float_token(w)):
                return False
            try:
                gv, wv = float(g), float(w)
            except ValueError:
                return False
            if math.isnan(gv) or abs(gv - wv) > max(abs_tol, rel_tol * abs(wv)):
                return False
        return True

    return compare


def _same_json(got, want, abs_tol: float, rel_tol: float) -> bool:
    if isinstance(got, bool) or isinstance(want, bool):  # JSON's true is not 1
        return got is want
    if isinstance(got, int | float) and isinstance(want, int | float):
        if got == want or not (abs_tol or rel_tol):
            return got == want
        try:
            return math.isclose(got, want, rel_tol=rel_tol, abs_tol=abs_tol)
        except OverflowError:  # an integer beyond float
            return False
    if isinstance(got, list) and isinstance(want, list):
        return len(got) == len(want) and all(_same_json(g, w, abs_tol, rel_tol) for g, w in zip(got, want, strict=True))
    if isinstance(got, dict) and isinstance(want, dict):
        return got.keys() == want.keys() and all(_same_json(got[k], want[k], abs_tol, rel_tol) for k in want)
    return type(got) is type(want) and got == want


def json_equal(abs_tol: float = 0.0, rel_tol: float = 0.0) -> Comparison:
    """Both outputs parsed as JSON and equal: numbers by value (2 and 2.0 are equal), within
    `abs_tol` or `rel_tol` when given, wherever they sit in arrays and objects. Function-call
    problems compare results so. An output that is not JSON is wrong."""

    def compare(actual: str, expected: str) -> bool:
        try:
            got, want = json.loads(actual), json.loads(expected)
        except ValueError:
            return False
        return _same_json(got, want, abs_tol, rel_tol)

    return compare


def icpc_name(abs_tol: float | None = None, rel_tol: float | None = None, case_sensitive: bool = False) -> str:
    """The get_comparison name of icpc(...)."""
    name = "icpc_cs" if case_sensitive else "icpc"
    if abs_tol is None and rel_tol is None:
        return name
    return f"{name}:{abs_tol if abs_tol is not None else 0}:{rel_tol if rel_tol is not None else 0}"


COMPARISONS: dict[str, Comparison] = {
    "exact": exact,
    "lines": lines,
    "tokens": tokens,
    "tokens_ci": tokens_case_insensitive,
    "floats": floats(),
    "icpc": icpc(),
    "icpc_cs": icpc(case_sensitive=True),
    "json": json_equal(),
}


def get_comparison(name: str) -> Comparison:
    """`name` is a key of COMPARISONS, `floats:ABS[:REL]`, `json:ABS[:REL]` (JSON equality, numbers
    within a tolerance), or `icpc:ABS:REL` / `icpc_cs:ABS:REL` (the ICPC default validator with a
    float tolerance; case-sensitive for icpc_cs)."""
    head, _, rest = name.partition(":")
    if rest and head in ("floats", "json", "icpc", "icpc_cs"):
        try:
            parts = [float(x) for x in rest.split(":")]
        except ValueError:
            raise UsageError(f"bad tolerance in comparison {name!r}") from None
        if head in ("floats", "json"):
            return (floats if head == "floats" else json_equal)(parts[0], parts[1] if len(parts) > 1 else parts[0])
        return icpc(parts[0], parts[1] if len(parts) > 1 else parts[0], case_sensitive=head == "icpc_cs")
    try:
        return COMPARISONS[name]
    except KeyError:
        raise UsageError(f"unknown comparison {name!r}; known: {', '.join(COMPARISONS)}, floats:ABS[:REL], "
                         "json:ABS[:REL], icpc:ABS:REL") from None
