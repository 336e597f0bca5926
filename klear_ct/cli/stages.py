"""klearct validate / export / report: validate a run's tests, write trainer files, say what happened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from klear_ct.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    BackendOption,
    ConfigOption,
    ExecutorOption,
    PythonOption,
    RayAddressOption,
    SlotsOption,
    check_export_format,
    console,
    err_console,
    fail,
    locked_run,
    make_executor,
    print_causes,
    print_placement,
    problem_progress,
    problem_rows,
    progress_bar,
)


def register(app: typer.Typer) -> None:
    """Adds the commands of this module to the klearct app."""
    for command in (validate, export, report):
        app.command(command.__name__)(command)


def validate(
    problems: Annotated[Path, typer.Argument(help="problems file (Klear jsonl, CodeContests jsonl/parquet, "
                                                  "klearct parquet)", exists=True)],
    out: Annotated[Path, typer.Option("--out", "-o", help="run directory (created or resumed)")],
    input_format: Annotated[str, typer.Option("--format", help="input format (default: detect)")] = "auto",
    select: Annotated[str, typer.Option(help="all | discriminative")] = "all",
    min_gold_agree: Annotated[int, typer.Option(min=1, help="golds that must run OK and agree on an input")] = 2,
    strict_golds: Annotated[bool, typer.Option(help="drop an input when any gold fails on it")] = False,
    retry_failed: Annotated[bool, typer.Option(help="run problems that failed last time again")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary (for nightly jobs)")] = False,
    python: PythonOption = None,
    config: ConfigOption = None, backend: BackendOption = None, slots: SlotsOption = None,
    executor: ExecutorOption = None, ray_address: RayAddressOption = None,
) -> None:
    """Run generators, gold and incorrect solutions; keep consistent tests. Resumable; no LLM.

    Exit code: 0 all problems ok, 1 some problems failed (see `klearct report`), 2 usage, 3 sandbox
    (or Ray cluster) unavailable."""
    from klear_ct.pipeline.batch import validate_batch
    from klear_ct.pipeline.select import SELECT_MODES
    from klear_ct.pipeline.validate import ValidateSettings

    if select not in SELECT_MODES:
        raise fail(f"--select must be one of {', '.join(SELECT_MODES)}")
    settings = ValidateSettings(min_gold_agree=min_gold_agree, require_all_golds=strict_golds, select=select)
    rows = problem_rows(problems, input_format, python)
    with locked_run(out) as store, make_executor(config, backend, slots, executor, ray_address) as runner:
        store.record_command("validate", problems=str(problems), format=input_format, select=select,
                             min_gold_agree=min_gold_agree, strict_golds=strict_golds, python=python,
                             limits=runner.time_factors.describe(), executor=runner.kind)
        with progress_bar(as_json) as bar:
            summary = validate_batch(rows, store, None, settings, executor=runner,
                                     retry_failed=retry_failed, on_problem=problem_progress(bar, "validate"))
        placed = runner.report()
    data = {"run": str(out), **vars(summary), **placed}
    if as_json:
        print(json.dumps(data))
    else:
        console.print(f"[bold]{summary.done}[/] problems validated, {summary.skipped} already done, "
                      f"[red]{summary.failed}[/] failed, {summary.bad_rows} bad rows, "
                      f"{summary.skipped_rows} rows skipped (unsupported), {summary.tests} tests kept "
                      f"→ {out}")
        print_causes(summary)
        print_placement(placed)
    raise typer.Exit(EXIT_SOME_FAILED if summary.failed or summary.bad_rows else EXIT_OK)


def export(
    run: Annotated[Path, typer.Argument(help="run directory", exists=True, file_okay=False)],
    output_format: Annotated[str, typer.Option("--format", "-f", help="verl | trl | klear | codecontests | klearct "
                                                                      "| atgen")],
    out: Annotated[Path, typer.Option("--out", "-o", help="file, or directory when splitting")],
    max_tests: Annotated[int | None, typer.Option(help="cap tests per problem (public first)")] = None,
    validation_fraction: Annotated[float, typer.Option(help="share of problems in the validation split")] = 0.0,
    seed: Annotated[int, typer.Option(help="seed of the train/validation split")] = 0,
    data_source: Annotated[str | None, typer.Option(help="verl data_source (picks verl's scorer; default "
                                                         "codecontests, atgen: klearct_atgen)")] = None,
    holdout_fraction: Annotated[float, typer.Option(help="verl/trl: share of each problem's tests held out of the "
                                                         "reward and scored apart (holdout_score)")] = 0.0,
    min_difficulty: Annotated[float, typer.Option(help="atgen: leave out buggy programs passing less than this "
                                                       "share of their tests")] = 0.0,
    field: Annotated[list[str] | None, typer.Option(help="atgen: FIELD=COLUMN writes question / buggy_code / "
                                                         "gold_code under another name (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary")] = False,
) -> None:
    """Write trainer-ready files from a run's validated tests. It takes the run's lock: a run that
    another command is still writing is refused, not half exported.

    Exit code: 0 exported, 1 nothing to export (no problem validated ok), 2 usage."""
    from klear_ct.pipeline.stages import export_validated
    from klear_ct.store import RunStore

    check_export_format(output_format)
    if holdout_fraction and output_format not in ("verl", "trl"):
        raise fail("--holdout-fraction applies to the verl and trl formats only")
    if (min_difficulty or field) and output_format != "atgen":
        raise fail("--min-difficulty and --field apply to the atgen format only")
    bad = [f for f in field or [] if f.count("=") != 1 or not all(f.split("="))]
    if bad:
        raise fail(f"--field takes FIELD=COLUMN, got {bad[0]!r}")
    if not RunStore.is_run(run):
        raise fail(f"{run} is not a run directory; `klearct validate` makes one")
    with locked_run(run) as store:
        summary = export_validated(store, output_format, out, max_tests_per_problem=max_tests,
                                   validation_fraction=validation_fraction, seed=seed, data_source=data_source,
                                   holdout_fraction=holdout_fraction, min_difficulty=min_difficulty,
                                   field_names=dict(f.split("=") for f in field or []))
    if as_json:
        print(json.dumps(summary, default=str))
    elif summary["problems"]:
        console.print(f"[green]exported[/] {output_format} → {out}: {summary}")
    else:
        err_console.print(f"[yellow]nothing exported:[/] no problem of {run} validated ok")
    raise typer.Exit(EXIT_OK if summary["problems"] else EXIT_SOME_FAILED)


def report(
    run: Annotated[Path, typer.Argument(help="run directory", exists=True, file_okay=False)],
    html: Annotated[Path | None, typer.Option("--html", help="also write an HTML report with plots")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """What happened in a run: outcomes, failures by cause, tests per problem, solutions killed."""
    from klear_ct.report import print_report, summarize, write_html
    from klear_ct.store import RunStore

    summary = summarize(RunStore(run))
    if as_json:
        print(summary.to_json())
    else:
        print_report(summary, console)
    if html:
        write_html(summary, html)
        if not as_json:
            console.print(f"HTML report → {html}")
