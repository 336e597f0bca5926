"""The klearct command line: thin, parses options, calls the stages, prints with rich."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from klear_ct.config import ConfigError, load_config
from klear_ct.model import Program, Verdict
from klear_ct.sandbox import Limits, Sandbox, SandboxError, open_sandbox
from klear_ct.sandbox.languages import LANGUAGES, UnknownLanguage, get_language, language_for_suffix

app = typer.Typer(help="Synthesize validated test cases for competitive-programming problems.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
sandbox_app = typer.Typer(help="Build, check and use the sandbox that runs untrusted programs.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")

console = Console()
err_console = Console(stderr=True)

ConfigOption = Annotated[Path | None, typer.Option("--config", help="klearct.toml to read")]
BackendOption = Annotated[str | None, typer.Option("--backend", help="docker | local | auto (default: config)")]
SlotsOption = Annotated[int | None, typer.Option("--slots", help="parallel sandbox slots (default: CPU count)")]


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def exit_on_sigterm() -> None:
    """SIGTERM (a scheduler stopping us) unwinds like Ctrl-C, so sandboxes are cleaned up."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def make_sandbox(config_path: Path | None, backend: str | None, slots: int | None) -> Sandbox:
    from klear_ct.sandbox.docker_backend import DockerSettings

    try:
        config = load_config(config_path).sandbox
    except ConfigError as e:
        raise fail(str(e)) from None
    settings = DockerSettings(jobs_per_container=config.jobs_per_container,
                              container_memory_mb=config.container_memory_mb, runtime=config.runtime)
    exit_on_sigterm()
    try:
        return open_sandbox(backend or config.backend, slots=slots or config.slots, settings=settings,
                            warn=lambda text: err_console.print(f"[yellow]warning:[/] {text}"))
    except SandboxError as e:
        raise fail(str(e)) from None


@sandbox_app.command("build")
def sandbox_build(
    offline: Annotated[bool, typer.Option(help="bootstrap the base image from Debian's mirror (no registry)")] = False,
    base_image: Annotated[str | None, typer.Option(help="base image (default: debian:bookworm-slim)")] = None,
) -> None:
    """Build the sandbox image (Python 3, gcc/g++, testlib.h, the runner)."""
    from klear_ct.sandbox.docker_backend import connect
    from klear_ct.sandbox.image import build_image

    try:
        tag = build_image(connect(), base_image=base_image, offline=offline,
                          log=lambda line: console.print(line, markup=False, highlight=False))
    except SandboxError as e:
        raise fail(str(e)) from None
    console.print(f"[green]built[/] {tag}")


def language_of(path: Path, lang: str | None) -> str:
    if lang:
        return get_language(lang).name
    if (known := language_for_suffix(path.suffix)) is not None:
        return known.name
    raise fail(f"cannot tell the language of {path}; pass --lang ({', '.join(LANGUAGES)})")


@sandbox_app.command("run")
def sandbox_run(
    file: Annotated[Path, typer.Argument(help="program source", exists=True, dir_okay=False)],
    inputs: Annotated[list[Path], typer.Option("--input", "-i", help="stdin file, one run each (repeatable)",
                                               exists=True, dir_okay=False)],
    expected: Annotated[list[Path] | None, typer.Option("--expected", "-e", help="expected output per input",
                                                        exists=True, dir_okay=False)] = None,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="python3 | cpp17 | c11")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", "-t", help="CPU seconds per run")] = 2.0,
    memory_limit: Annotated[int, typer.Option("--memory-limit", "-m", help="MB per run")] = 256,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON lines instead of a table")] = False,
    config: ConfigOption = None, backend: BackendOption = None, slots: SlotsOption = None,
) -> None:
    """Run one program on input files and print verdicts, times and memory.

    Exit code: 0 when every run got a verdict (whatever it is), 3 on a sandbox error."""
    try:
        program = Program(lang=language_of(file, lang), code=file.read_text(errors="surrogateescape"))
    except UnknownLanguage as e:
        raise fail(str(e)) from None
    if expected and len(expected) != len(inputs):
        raise fail(f"{len(expected)} --expected files for {len(inputs)} --input files")
    texts = [p.read_text(errors="surrogateescape") for p in inputs]
    wants = [p.read_text(errors="surrogateescape") for p in expected] if expected else None
    with make_sandbox(config, backend, slots) as sandbox:
        results = sandbox.run(program, texts, Limits(time_s=time_limit, memory_mb=memory_limit), expected=wants)
    if as_json:
        for path, result in zip(inputs, results, strict=True):
            print(json.dumps({"input": str(path), **result.model_dump(mode="json")}))
    else:
        table = Table(title=f"{file} ({program.lang}) on the {sandbox.kind} sandbox")
        for column in ("input", "verdict", "CPU ms", "wall ms", "memory KB", "exit", "message"):
            table.add_column(column, justify="right" if column[-2:] in ("ms", "KB") else "left")
        for path, r in zip(inputs, results, strict=True):
            colour = "green" if r.verdict == Verdict.OK else "red"
            exit_text = f"signal {r.signal}" if r.signal else str(r.exit_code)
            table.add_row(str(path), f"[{colour}]{r.verdict}[/]", f"{r.cpu_ms:.1f}", f"{r.wall_ms:.1f}",
                          str(r.peak_kb), exit_text, (r.message or r.stderr_tail.strip())[-120:])
        console.print(table)
    raise typer.Exit(3 if any(r.verdict == Verdict.SE for r in results) else 0)


@sandbox_app.command("check")
def sandbox_check(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
    config: ConfigOption = None, backend: BackendOption = None,
) -> None:
    """Run the hostile-program corpus through the sandbox; exit 1 on any breach."""
    from klear_ct.sandbox.selfcheck import run_selfcheck

    with make_sandbox(config, backend, 1) as sandbox, console.status("running hostile programs") as status:
        outcomes = run_selfcheck(sandbox, progress=lambda name: status.update(f"attack: {name}"))
    failed = [o for o in outcomes if not o.passed]
    if as_json:
        print(json.dumps({"backend": sandbox.kind, "held": len(outcomes) - len(failed), "breached": len(failed),
                          "outcomes": [vars(o) for o in outcomes]}, default=str))
    else:
        table = Table(title=f"sandbox self-check on the {sandbox.kind} backend")
        for column in ("attack", "what it tries", "must get", "got", "result"):
            table.add_column(column)
        for o in outcomes:
            table.add_row(o.name, o.about, "/".join(o.expected), " ".join(o.got),
                          "[green]held[/]" if o.passed else f"[bold red]BREACH[/] {o.detail}")
        console.print(table)
        colour = "red" if failed else "green"
        console.print(f"[{colour}]{len(outcomes) - len(failed)} held, {len(failed)} breached[/]")
    raise typer.Exit(1 if failed else 0)


# -- stages ------------------------------------------------------------------------------------
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_SANDBOX = 0, 1, 2, 3


@app.command("validate")
def validate(
    problems: Annotated[Path, typer.Argument(help="problems file (Klear jsonl, CodeContests jsonl/parquet, "
                                                  "klearct parquet)", exists=True)],
    out: Annotated[Path, typer.Option("--out", "-o", help="run directory (created or resumed)")],
    input_format: Annotated[str, typer.Option("--format", help="input format (default: detect)")] = "auto",
    select: Annotated[str, typer.Option(help="all | discriminative")] = "all",
    min_gold_agree: Annotated[int, typer.Option(help="golds that must run OK and agree on an input")] = 2,
    strict_golds: Annotated[bool, typer.Option(help="drop an input when any gold fails on it")] = False,
    retry_failed: Annotated[bool, typer.Option(help="run problems that failed last time again")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary (for nightly jobs)")] = False,
    config: ConfigOption = None, backend: BackendOption = None, slots: SlotsOption = None,
) -> None:
    """Run generators, gold and incorrect solutions; keep consistent tests. Resumable; no LLM.

    Exit code: 0 all problems ok, 1 some problems failed (see `klearct report`), 2 usage, 3 sandbox."""
    from klear_ct.formats import read_problems
    from klear_ct.pipeline.batch import validate_batch
    from klear_ct.pipeline.select import SELECT_MODES
    from klear_ct.pipeline.validate import ValidateSettings

    if select not in SELECT_MODES:
        raise fail(f"--select must be one of {', '.join(SELECT_MODES)}")
    settings = ValidateSettings(min_gold_agree=min_gold_agree, require_all_golds=strict_golds, select=select)
    with locked_run(out) as store:
        store.record_command("validate", problems=str(problems), format=input_format, select=select,
                             min_gold_agree=min_gold_agree, strict_golds=strict_golds)
        with make_sandbox(config, backend, slots) as sandbox, progress_bar(as_json) as bar:
            summary = validate_batch(read_problems(problems, input_format), store, sandbox, settings,
                                     retry_failed=retry_failed, on_problem=problem_progress(bar, "validate"))
    data = {"run": str(out), **vars(summary)}
    if as_json:
        print(json.dumps(data))
    else:
        console.print(f"[bold]{summary.done}[/] problems validated, {summary.skipped} already done, "
                      f"[red]{summary.failed}[/] failed, {summary.bad_rows} bad rows, "
                      f"{summary.skipped_rows} rows skipped (unsupported), {summary.tests} tests kept "
                      f"→ {out}")
        for cause, count in sorted(summary.causes.items()):
            console.print(f"  failed: {cause} × {count}")
    raise typer.Exit(EXIT_SOME_FAILED if summary.failed or summary.bad_rows else EXIT_OK)


@contextmanager
def locked_run(out: Path) -> Iterator:
    """The run directory as a RunStore, locked while the command works on it; a second
    command on the same directory stops with a clear message."""
    from klear_ct.store import RunLocked, RunStore

    store = RunStore(out)
    try:
        store.lock()
    except RunLocked as e:
        raise fail(str(e)) from None
    try:
        yield store
    finally:
        store.unlock()


def problem_progress(bar, stage: str, total: int | None = None) -> Callable[[str, str], None]:
    """A progress task for a stage, and the per-problem callback that advances it."""
    task = bar.add_task(stage, total=total)
    return lambda problem_id, outcome: bar.update(task, advance=1, description=f"{problem_id}: {outcome}")


def progress_bar(quiet: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err_console, disable=quiet, transient=False)


def check_export_format(name: str) -> None:
    from klear_ct.formats import EXPORTERS

    if name not in EXPORTERS:
        raise fail(f"unknown export format {name!r}; choose one of {', '.join(EXPORTERS)}")


def export_validated(store, output_format: str, out: Path, **options) -> dict:
    """Export the problems that validated ok (failed ones stay out) and record it in the run."""
    from klear_ct.formats import export as export_rows

    finished = store.done("validate")
    rows = ((p, store.tests(p.id)) for p in store.problems() if finished.get(p.id, {}).get("outcome") == "ok")
    summary = export_rows(rows, output_format, out, **options)
    store.record_command("export", format=output_format, out=str(out), summary=summary)
    return summary


@app.command("export")
def export(
    run: Annotated[Path, typer.Argument(help="run directory", exists=True, file_okay=False)],
    output_format: Annotated[str, typer.Option("--format", "-f", help="verl | trl | klear | codecontests | klearct")],
    out: Annotated[Path, typer.Option("--out", "-o", help="file, or directory when splitting")],
    max_tests: Annotated[int | None, typer.Option(help="cap tests per problem (public first)")] = None,
    validation_fraction: Annotated[float, typer.Option(help="share of problems in the validation split")] = 0.0,
    seed: Annotated[int, typer.Option(help="seed of the train/validation split")] = 0,
    data_source: Annotated[str, typer.Option(help="verl data_source (picks verl's scorer)")] = "codecontests",
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary")] = False,
) -> None:
    """Write trainer-ready files from a run's validated tests."""
    from klear_ct.store import RunStore

    check_export_format(output_format)
    summary = export_validated(RunStore(run), output_format, out, max_tests_per_problem=max_tests,
                               validation_fraction=validation_fraction, seed=seed, data_source=data_source)
    if as_json:
        print(json.dumps(summary, default=str))
    else:
        console.print(f"[green]exported[/] {output_format} → {out}: {summary}")


@app.command("report")
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


from klear_ct.commands import evaluate as _evaluate_commands  # noqa: E402
from klear_ct.commands import generate as _generate_commands  # noqa: E402

_generate_commands.register(app)
_evaluate_commands.register(app)

if __name__ == "__main__":  # pragma: no cover
    app()
