"""klearct evaluate: TPR / TNR of test suites against the problems' correct and incorrect solutions."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from klear_ct.cli.common import (
    BackendOption,
    ConfigOption,
    ExecutorOption,
    PythonOption,
    RayAddressOption,
    SlotsOption,
    console,
    fail,
    make_executor,
    problem_progress,
    progress_bar,
)

SUITE_HELP = ("NAME=SPEC, repeatable. SPEC: `problem` (the problems' own tests), a run directory, an exported "
              "klearct or verl parquet file, or `union:A+B` of earlier suites; `#KIND[,KIND]` after a SPEC keeps "
              "only tests of those kinds (e.g. RUN#generated). Default: original=problem")


def register(app: typer.Typer) -> None:
    """Adds the commands of this module to the klearct app."""
    app.command("evaluate")(evaluate)


def _problems(path: Path, input_format: str, notes: list[str], python: str | None):
    from klear_ct.formats import read_problems
    from klear_ct.formats.languages import run_python_under
    from klear_ct.store import RunStore

    if RunStore.is_run(path) and input_format == "auto":
        return [run_python_under(problem, python) for problem in RunStore(path).problems()]
    return list(read_problems(path, input_format, warn=lambda w: notes.append(str(w)), python=python))


def evaluate(
    problems: Annotated[Path, typer.Argument(help="problems: ICPC/Kattis packages, Klear jsonl, CodeContests, "
                                                  "klearct parquet, or a run directory", exists=True)],
    suite: Annotated[list[str] | None, typer.Option("--suite", "-s", help=SUITE_HELP)] = None,
    input_format: Annotated[str, typer.Option("--format", help="problems format (default: detect)")] = "auto",
    full: Annotated[bool, typer.Option(help="run every test (kill matrix) instead of stopping at a "
                                            "solution's first failing test")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="also write an HTML page with plots")] = None,
    python: PythonOption = None, config: ConfigOption = None, backend: BackendOption = None, slots: SlotsOption = None,
    executor: ExecutorOption = None, ray_address: RayAddressOption = None,
) -> None:
    """TPR (correct solutions passing every test) and TNR (incorrect ones failing one) of test suites.

    Exit code: 0 every problem evaluated or skipped with a reason, 1 some problem failed, 2 usage, 3 sandbox."""
    from klear_ct.evaluate import EvaluateSettings
    from klear_ct.evaluate import evaluate as run_evaluation
    from klear_ct.evaluate.suites import load_suites, parse_suite_option
    from klear_ct.model import Problem
    from klear_ct.report.evaluation import print_summary, summarize, write_html

    notes: list[str] = []
    try:
        rows = _problems(problems, input_format, notes, python)
        options = [parse_suite_option(option) for option in (suite or ["original=problem"])]
        suites = load_suites(options, [row for row in rows if isinstance(row, Problem)])
    except (ValueError, FileNotFoundError) as e:  # SuiteError, a bad format or path: usage errors
        raise fail(str(e)) from None
    began = time.perf_counter()
    with make_executor(config, backend, slots, executor, ray_address) as runner, progress_bar(as_json) as bar:
        local = runner.kind == "local"  # one problem at a time on every slot; Ray: as many as its nodes' slots
        outcomes = run_evaluation(rows, suites, runner.sandbox if local else None, EvaluateSettings(full=full),
                                  on_problem=problem_progress(bar, "evaluate", total=len(rows)),
                                  executor=None if local else runner)
        limits = runner.time_factors.describe()
    summary = summarize(outcomes, suites, time.perf_counter() - began, notes, limits)
    summary.update(runner.report())  # Ray: the nodes and what each ran
    if as_json:
        print(json.dumps(summary, default=str))
    else:
        print_summary(summary, console)
    if html:
        write_html(summary, html)
        if not as_json:
            console.print(f"HTML → {html}")
    raise typer.Exit(1 if summary["counts"]["failed"] else 0)
