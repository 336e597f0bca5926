"""Choosing which consistent tests to keep."""

from __future__ import annotations

from collections import defaultdict

from klear_ct.errors import UsageError
from klear_ct.model import TestCase

SELECT_MODES = ("all", "discriminative")


def select_tests(tests: list[TestCase], mode: str = "all", smallest: int = 2, stratified: int = 3) -> list[TestCase]:
    """`all` keeps every test. `discriminative` keeps, per distinct kill pattern (the set of
    incorrect solutions a test kills), its `smallest` smallest tests plus `stratified` tests
    spread over its size range. Public tests are always kept and come first."""
    if mode not in SELECT_MODES:
        raise UsageError(f"unknown selection {mode!r}; choose one of {', '.join(SELECT_MODES)}")
    public = [t for t in tests if t.kind == "public"]
    others = [t for t in tests if t.kind != "public"]
    if mode == "all":
        return public + others
    groups: dict[tuple[str, ...], list[TestCase]] = defaultdict(list)
    for test in others:
        groups[tuple(sorted(test.kills))].append(test)
    chosen: dict[str, TestCase] = {}
    for group in groups.values():
        by_size = sorted(group, key=lambda t: (t.bytes, t.id))
        for test in by_size[:smallest]:
            chosen[test.id] = test
        rest = by_size[smallest:]
        if rest and stratified:
            step = len(rest) / stratified
            for k in range(stratified):
                test = rest[min(len(rest) - 1, int((k + 0.5) * step))]
                chosen[test.id] = test
    return public + sorted(chosen.values(), key=lambda t: t.id)
