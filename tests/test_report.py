"""`klearct report`: numbers from a run directory built by hand, the rich view and the HTML file."""

from __future__ import annotations

import base64
import html
import json
import re

import pytest
from rich.console import Console

from klear_ct.model import Problem, TestCase
from klear_ct.report import RunReport, histogram_bins, print_report, summarize, text_histogram, write_html
from klear_ct.store import RunStore

P1 = "p/ok<1>&"  # an id that must be escaped in HTML and in rich markup ([..] below)
P2 = r"p2[bold]$\q$"  # rich markup, and broken mathtext to matplotlib
P3 = "p3"
P4 = "p4-unfinished"
BAD = "row:problems.jsonl:7"


def gold(problem_id: str, k: int, max_ms: float, total_ms: float) -> dict:
    return {"problem_id": problem_id, "solution_id": f"{problem_id}/gold-{k}", "role": "gold", "lang": "python3",
            "sha": "x", "verdicts": json.dumps({"OK": 4}), "killed": False, "first_failure": None,
            "max_cpu_ms": max_ms, "total_cpu_ms": total_ms, "max_peak_kb": 9000, "expected_verdict": None}


def incorrect(problem_id: str, solution_id: str, first_failure: str | None, expected: str | None,
              verdicts: dict) -> dict:
    return {"problem_id": problem_id, "solution_id": solution_id, "role": "incorrect", "lang": "cpp17", "sha": "y",
            "verdicts": json.dumps(verdicts), "killed": first_failure is not None, "first_failure": first_failure,
            "max_cpu_ms": 10.0, "total_cpu_ms": 20.0, "max_peak_kb": 100, "expected_verdict": expected}


def generator(problem_id: str, k: int, status: str, inputs: int, kept: int, error: str | None = None) -> dict:
    return {"problem_id": problem_id, "generator_id": f"{problem_id}/gen-{k}", "kind": "given", "lang": "python3",
            "code": "print([])", "status": status, "error": error, "inputs": inputs, "kept": kept}


def case(problem_id: str, text: str, kind: str = "generated") -> TestCase:
    return TestCase(problem_id=problem_id, input=text, output="0\n", kind=kind, gold_agree=2, gold_total=2)


@pytest.fixture
def run(tmp_path) -> RunStore:
    store = RunStore(tmp_path / "run")
    store.root.mkdir()
    store.record_command("validate", problems="problems.jsonl")

    # P1: ok, 1 public + 3 generated tests, two golds, two incorrect solutions both killed, one not run
    store.write_problem(Problem(id=P1, time_limit_s=2.0))
    store.write_tests(P1, [case(P1, "1 2\n", "public"), case(P1, "3 4\n"), case(P1, "5 6\n"),
                           case(P1, "70 80\n")])
    store.write_rows("solutions", P1, [gold(P1, 0, 120.0, 300.0), gold(P1, 1, 80.0, 200.0),
                                       incorrect(P1, f"{P1}/wa", "WA", "WA", {"OK": 1, "WA": 3}),
                                       incorrect(P1, f"{P1}/slow", "TLE", "TLE", {"OK": 2, "TLE": 2})])
    store.write_rows("generators", P1, [generator(P1, 0, "ok", 3, 3)])
    store.event(P1, "run_incorrect", "failed", "incorrect_compile_error", solution=f"{P1}/ce", error="no")
    store.event(P1, "run_golds", "warning", "gold_failed_on_input", gold=1)
    store.mark_done(P1, "validate", "ok", None, tests=4)

    # P2: failed on a first attempt, ok on the retry (the last done line wins); one incorrect survives
    store.mark_done(P2, "validate", "failed", "sandbox_error", tests=0)
    store.write_problem(Problem(id=P2, time_limit_s=1.0))
    store.write_tests(P2, [case(P2, "9\n"), case(P2, "10\n")])
    store.write_rows("solutions", P2, [gold(P2, 0, 900.0, 1000.0),
                                       incorrect(P2, f"{P2}/survivor", None, "WA", {"OK": 2}),
                                       incorrect(P2, f"{P2}/crash", "RE", "RE", {"OK": 1, "RE": 1})])
    store.write_rows("generators", P2, [generator(P2, 0, "ok", 5, 2),
                                        generator(P2, 1, "failed", 0, 0, error="Traceback: boom")])
    store.event(P2, "generate_inputs", "failed", "generator_crash", generator_id=f"{P2}/gen-1", error="boom")
    store.event(P2, "run_golds", "dropped", "gold_failed_on_input", gold=0)
    store.event(P2, "run_golds", "dropped", "gold_failed_on_input", gold=0)
    store.event(P2, "run_incorrect", "warning", "incorrect_survives", solution=f"{P2}/survivor")
    store.mark_done(P2, "validate", "ok", None, tests=2)

    # P3: failed, no consistent generated test, but its public test was kept
    store.write_problem(Problem(id=P3, time_limit_s=1.0))
    store.write_tests(P3, [case(P3, "1\n", "public")])
    store.write_rows("solutions", P3, [gold(P3, 0, 5.0, 5.0)])
    store.write_rows("generators", P3, [generator(P3, 0, "failed", 0, 0, error="not a list")])
    store.event(P3, "generate_inputs", "failed", "generator_bad_format", generator_id=f"{P3}/gen-0")
    store.event(P3, "validate", "failed", "no_consistent_tests", candidates=1)
    store.mark_done(P3, "validate", "failed", "no_consistent_tests", tests=1)

    # a bad input row, as validate_batch records it
    store.event(BAD, "read", "failed", "bad_row", error="problems.jsonl:7: gold: not a list")
    store.mark_done(BAD, "validate", "failed", "bad_row", error="problems.jsonl:7: gold: not a list")

    # P4: a run killed in the middle of it: files, no done line
    store.write_problem(Problem(id=P4))
    store.write_tests(P4, [case(P4, "1\n")])
    store.write_rows("solutions", P4, [incorrect(P4, f"{P4}/x", None, None, {"OK": 1})])
    return store


def test_summarize_numbers(run):
    report = summarize(run)
    assert (report.problems_total, report.problems_ok, report.problems_failed, report.bad_rows) == (4, 2, 2, 1)
    assert report.failures_by_cause == {"bad_row": 1, "no_consistent_tests": 1}
    assert report.unfinished == [P4]
    assert report.commands == ["validate"] and report.klearct_version

    events = {(e.stage, e.cause): (e.count, e.outcomes) for e in report.events}
    assert events == {
        ("generate_inputs", "generator_crash"): (1, {"failed": 1}),
        ("generate_inputs", "generator_bad_format"): (1, {"failed": 1}),
        ("run_golds", "gold_failed_on_input"): (3, {"dropped": 2, "warning": 1}),
        ("run_incorrect", "incorrect_compile_error"): (1, {"failed": 1}),
        ("run_incorrect", "incorrect_survives"): (1, {"warning": 1}),
        ("validate", "no_consistent_tests"): (1, {"failed": 1}),
        ("read", "bad_row"): (1, {"failed": 1}),
    }

    # tests: P4 (unfinished) is not counted; P3's public test is, and is flagged
    assert report.tests_per_problem == {P1: 4, P2: 2, P3: 1}
    assert report.tests_total == 7
    assert report.tests_by_kind == {"generated": 5, "public": 2}
    assert report.input_bytes_total == len("1 2\n3 4\n5 6\n70 80\n") + len("9\n10\n") + len("1\n")
    d = report.tests_distribution
    assert (d.count, d.min, d.median, d.mean, d.max) == (2, 2, 3.0, 3.0, 4)
    assert report.failed_problems_with_tests == [P3]

    # gold runtime
    by_id = {p.problem_id: p for p in report.problems}
    assert (by_id[P1].gold_max_cpu_ms, by_id[P1].gold_total_cpu_ms) == (120.0, 500.0)
    assert (by_id[P2].gold_max_cpu_ms, by_id[P2].gold_total_cpu_ms) == (900.0, 1000.0)
    assert by_id[BAD].gold_max_cpu_ms is None and by_id[BAD].error.startswith("problems.jsonl:7")
    assert (report.gold_max_cpu_ms, report.gold_max_cpu_problem, report.gold_total_cpu_ms) == (900.0, P2, 1505.0)
    assert by_id[P2].time_limit_s == 1.0 and by_id[P1].time_limit_s == 2.0

    # incorrect solutions
    assert (report.incorrect_total, report.incorrect_killed) == (4, 3)
    assert [(s.problem_id, s.solution_id, s.expected_verdict) for s in report.incorrect_not_killed] == [
        (P2, f"{P2}/survivor", "WA")]
    survivor = report.incorrect_not_killed[0]
    assert survivor.verdicts == {"OK": 2} and survivor.problem_tests == 2 and survivor.problem_outcome == "ok"
    assert report.killed_by_verdict == {"RE": 1, "TLE": 1, "WA": 1}
    assert [(x.problem_id, x.solution_id, x.cause) for x in report.incorrect_not_run] == [
        (P1, f"{P1}/ce", "incorrect_compile_error")]
    assert (by_id[P1].incorrect_killed, by_id[P1].incorrect_total) == (2, 2)
    assert (by_id[P2].incorrect_killed, by_id[P2].incorrect_total) == (1, 2)

    # generators
    assert report.generators_total == 4
    assert report.generators_by_status == {"failed": 2, "ok": 2}
    assert report.generator_failures_by_cause == {"generator_bad_format": 1, "generator_crash": 1}
    assert {(g.generator_id, g.cause, g.error) for g in report.generator_failures} == {
        (f"{P2}/gen-1", "generator_crash", "Traceback: boom"), (f"{P3}/gen-0", "generator_bad_format", "not a list")}
    assert (report.generator_inputs, report.generator_kept, report.generators_ok_without_tests) == (8, 5, 0)

    # failed problems first, bad rows after real failures, then ok problems
    assert [p.problem_id for p in report.problems] == [P3, BAD, P1, P2]
    assert [(p.outcome, p.cause, p.tests) for p in report.problems] == [
        ("failed", "no_consistent_tests", 1), ("failed", "bad_row", 0), ("ok", None, 4), ("ok", None, 2)]


def test_report_is_json(run):
    report = summarize(run)
    data = json.loads(report.to_json())
    assert data["problems_total"] == 4 and data["failures_by_cause"]["bad_row"] == 1
    assert data["incorrect_not_killed"][0]["solution_id"] == f"{P2}/survivor"
    assert data["tests_distribution"]["median"] == 3.0
    assert {e["stage"] for e in data["events"]} >= {"read", "run_golds"}


def test_print_report(run):
    console = Console(record=True, width=120)
    print_report(summarize(run), console)
    text = console.export_text()
    assert f"{P2}/survivor" in text  # the surviving incorrect solution, named (and its [bold] not eaten as markup)
    assert "Incorrect solutions not killed" in text
    assert "no_consistent_tests" in text and "bad_row" in text
    assert P1 in text and P3 in text
    assert re.search(r"4 problems: 2 ok, 2 failed \(1 bad input rows\)", text)
    assert "1/2" in text and "2/2" in text  # incorrect killed per problem
    assert "unfinished" in text and P4 in text
    assert "900 ms" in text  # the slowest gold run


def test_print_report_all_killed_and_empty(tmp_path):
    store = RunStore(tmp_path / "r")
    store.write_problem(Problem(id="a"))
    store.write_tests("a", [case("a", "1\n")])
    store.write_rows("solutions", "a", [incorrect("a", "a/x", "WA", "WA", {"WA": 1})])
    store.mark_done("a", "validate", "ok", None, tests=1)
    console = Console(record=True, width=120)
    print_report(summarize(store), console)
    text = console.export_text()
    assert "all incorrect solutions were killed" in text and "no failed problems" in text

    empty = summarize(RunStore(tmp_path / "nothing"))
    assert empty.problems_total == 0 and empty.tests_distribution.count == 0
    console = Console(record=True, width=120)
    print_report(empty, console)
    assert "0 problems" in console.export_text()
    out = write_html(empty, tmp_path / "empty.html")
    assert "data:image/png" not in out.read_text()


PNG_SRC = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def test_write_html(run, tmp_path):
    report = summarize(run)
    path = write_html(report, tmp_path / "out" / "report.html")
    document = path.read_text(encoding="utf-8")
    images = PNG_SRC.findall(document)
    assert document.count("data:image/png;base64,") >= 2 and len(images) == 3
    for data in images:
        assert base64.b64decode(data, validate=True).startswith(b"\x89PNG\r\n\x1a\n")
    assert html.escape(P1) in document and P1 not in document  # "<1>&" never raw
    assert html.escape(P2) in document and f"{html.escape(P2)}/survivor" in document
    assert "no_consistent_tests" in document and "bad_row" in document
    assert "Incorrect solutions not killed" in document
    assert "<script" not in document and "http://" not in document and "https://" not in document
    assert not list(path.parent.glob(".*.tmp"))


def test_histograms():
    assert histogram_bins([]) == []
    assert histogram_bins([5, 5, 5]) == [(5, 5, 3)]
    bins = histogram_bins([1, 2, 3, 10], bins=4)
    assert sum(c for _, _, c in bins) == 4 and bins[0][0] == 1 and bins[-1][1] >= 10
    lines = text_histogram([1, 1, 1, 4], bins=4)
    assert lines[0].endswith(" 3") and "█" in lines[0] and lines[-1].endswith(" 1")
    assert isinstance(RunReport(run="x").to_json(), str)
