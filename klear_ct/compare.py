"""Built-in output comparisons, one signature: (actual, expected) -> bool.

`lines` is the usual judge comparison and the default: trailing whitespace on each
line and trailing blank lines are ignored, everything else must match.
"""

from __future__ import annotations

import math
from collections.abc import Callable

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


COMPARISONS: dict[str, Comparison] = {
    "exact": exact,
    "lines": lines,
    "tokens": tokens,
    "tokens_ci": tokens_case_insensitive,
    "floats": floats(),
}


def get_comparison(name: str) -> Comparison:
    """`name` is a key of COMPARISONS, or `floats:ABS[:REL]`."""
    if name.startswith("floats:"):
        parts = [float(x) for x in name.split(":")[1:]]
        return floats(parts[0], parts[1] if len(parts) > 1 else parts[0])
    try:
        return COMPARISONS[name]
    except KeyError:
        raise ValueError(f"unknown comparison {name!r}; known: {', '.join(COMPARISONS)}, floats:ABS[:REL]") from None
