"""What every command shares: consoles, common options, exit codes, errors, the sandbox, the
run lock and progress bars. Command modules import from here; this module imports no command."""

from __future__ import annotations

import itertools
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from klear_ct.config import load_config
from klear_ct.errors import UsageError
from klear_ct.sandbox import Sandbox, SandboxError
from klear_ct.store import RunLocked, RunStore

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # an error stays one line in a log

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_SANDBOX, EXIT_BUSY = 0, 1, 2, 3, 4

ConfigOption = Annotated[Path | None, typer.Option("--config", help="klearct.toml to read")]
BackendOption = Annotated[str | None, typer.Option("--backend", help="docker | local | auto (default: config)")]
SlotsOption = Annotated[int | None, typer.Option("--slots", min=1, help="parallel sandbox slots (default: CPU count)")]
JsonOption = Annotated[bool, typer.Option("--json", help="print a JSON summary (for nightly jobs)")]
ProblemsArgument = Annotated[Path, typer.Argument(help="problems file (Klear jsonl, CodeContests jsonl/parquet, "
                                                       "klearct parquet)", exists=True)]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="run directory (created or resumed)")]
FormatOption = Annotated[str, typer.Option("--format", help="input format (default: detect)")]
ExecutorOption = Annotated[str | None, typer.Option(
    "--executor", help="local | ray: where problems run, this machine's sandbox or every node of a Ray "
                       "cluster (default: config [executor] kind, else local)")]
LocalExecutorOption = Annotated[str | None, typer.Option(
    "--executor", help="local only for this command (validate, run and evaluate take --executor ray)")]
RayAddressOption = Annotated[str | None, typer.Option(
    "--ray-address", help="the Ray cluster's head, host:port (default: config [executor] ray_address, else auto)")]
PythonOption = Annotated[str | None, typer.Option(
    "--python", help="run the problems' Python solutions (gold and incorrect) under python3 or pypy3 "
                     "(default: as each source says; a `#!...pypy3` line means PyPy)")]


class Failed(typer.Exit):
    """A command stopped before its work, with the message printed on stderr (a --json summary repeats it)."""

    def __init__(self, message: str, code: int):
        super().__init__(code)
        self.message = message


def fail(message: str, code: int = EXIT_USAGE) -> Failed:
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(message)}")  # a message's [brackets] are text, not markup
    return Failed(message, code)


def exit_on_sigterm() -> None:
    """SIGTERM (a scheduler stopping us) unwinds like Ctrl-C, so sandboxes are cleaned up."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def make_sandbox(config_path: Path | None, backend: str | None, slots: int | None) -> Sandbox:
    """The sandbox the config describes, with its time factors (and the machine factor measured
    when `[limits] calibrate` is on, printed to stderr)."""
    from klear_ct.sandbox.configured import open_configured_sandbox

    try:
        loaded = load_config(config_path)
    except UsageError as e:  # a bad config, an unknown language in [limits] time_factor
        raise fail(str(e)) from None
    exit_on_sigterm()
    try:
        sandbox = open_configured_sandbox(config_path, backend, slots,
                                          warn=lambda text: err_console.print(f"[yellow]warning:[/] {text}"))
    except UsageError as e:
        raise fail(str(e)) from None
    except SandboxError as e:  # no engine answering, no image: the sandbox is unavailable
        raise fail(str(e), EXIT_SANDBOX) from None
    if loaded.limits.calibrate:
        try:
            calibrated = sandbox.calibrate(loaded.limits.reference_cpu_ms)
        except SandboxError as e:
            sandbox.close()
            raise fail(str(e), EXIT_SANDBOX) from None
        err_console.print(f"machine factor {calibrated.machine:.2f} ({calibrated.calibration}): every problem's "
                          "time limit is scaled by it", highlight=False)
    return sandbox


@contextmanager
def make_executor(config_path: Path | None, backend: str | None, slots: int | None, executor: str | None,
                  ray_address: str | None) -> Iterator:
    """The executor the options and config choose: the local one on this machine's sandbox, or
    the Ray executor (each node of the cluster opens its own sandbox from this configuration;
    --slots is per node). Ray is imported only here, only when chosen."""
    from rich.markup import escape

    from klear_ct.executor import EXECUTORS, ExecutorError
    from klear_ct.executor.local import LocalExecutor

    try:
        loaded = load_config(config_path)
    except UsageError as e:
        raise fail(str(e)) from None
    kind = executor or loaded.executor.kind
    if kind not in EXECUTORS:
        raise fail(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")
    if kind == "local":
        with make_sandbox(config_path, backend, slots) as sandbox:
            yield LocalExecutor(sandbox)
        return
    try:
        from klear_ct.executor.ray import RayExecutor
    except ImportError as e:
        if not (e.name or "").split(".")[0] == "ray":
            raise
        raise fail("--executor ray needs Ray here and on every node: pip install 'klearct[ray]'") from None
    exit_on_sigterm()
    address = ray_address or loaded.executor.ray_address
    # Ray prints the cluster's errors (a node marked dead) to stdout: they go to stderr, stdout
    # stays the command's own (one JSON object with --json)
    with redirect_stdout(sys.stderr):
        try:
            ray_executor = RayExecutor(address, loaded, backend, slots, tries=loaded.executor.ray_tries,
                                       warn=lambda text: err_console.print(f"[yellow]warning:[/] {escape(text)}",
                                                                           highlight=False))
        except ExecutorError as e:
            raise fail(str(e), EXIT_SANDBOX) from None
        try:
            yield ray_executor
        except ExecutorError as e:
            raise fail(str(e), EXIT_SANDBOX) from None
        finally:
            ray_executor.close()


def local_only(command: str, executor: str | None, why: str) -> None:
    """A command whose work stays on this machine refuses --executor ray, saying why."""
    if executor not in (None, "local"):
        raise fail(f"{command} runs on this machine only ({why}); --executor {executor} is for `klearct validate`, "
                   "`run` (its validate stage) and `evaluate`")


@contextmanager
def locked_run(out: Path) -> Iterator[RunStore]:
    """The run directory as a RunStore, locked while the command works on it; a second
    command on the same directory stops with a clear message and exit code 4 (busy)."""
    store = RunStore(out)
    try:
        store.lock()
    except RunLocked as e:
        raise fail(str(e), EXIT_BUSY) from None
    except OSError as e:  # a read-only or impossible path
        raise fail(f"cannot use {out} as a run directory: {e.strerror or e}") from None
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


def problem_rows(path: Path, input_format: str, python: str | None = None) -> Iterator:
    """The rows of a problems file, read up to the first before anything is created: a file of no
    known format, unreadable or with no problem at all is a usage error (exit 2), and no run
    directory is left behind. `python`: the --python option (see PythonOption)."""
    from klear_ct.formats import read_problems

    rows = read_problems(path, input_format, python=python)
    first = next(rows, None)
    if first is None:
        raise fail(f"{path}: no problem in it")
    return itertools.chain([first], rows)


def print_causes(summary) -> None:
    """A stage summary's failures by cause, and its first bad rows with file, line and field."""
    for cause, count in sorted(summary.causes.items()):
        console.print(f"  failed: {cause} × {count}")
    for error in summary.bad_row_errors:
        console.print(f"  bad row: {error}", markup=False, highlight=False, soft_wrap=True)
    if summary.bad_rows > len(summary.bad_row_errors):
        console.print(f"  … and {summary.bad_rows - len(summary.bad_row_errors)} more bad rows (events.jsonl)")


def print_placement(placed: dict) -> None:
    """Where a Ray run's problems ran: problems per node, nodes lost, problems sent again."""
    for node_id, node in placed.get("nodes", {}).items():
        lost = f", [red]lost[/]: {node['lost']}" if node["lost"] else ""
        console.print(f"  node {node['address']} ({node_id[:8]}): {node['problems']} problems on "
                      f"{node['slots']} slots{lost}", highlight=False)
    if placed.get("retried"):
        console.print(f"  {placed['retried']} problems sent again after their node was lost")


def check_export_format(name: str) -> None:
    from klear_ct.formats import EXPORTERS

    if name not in EXPORTERS:
        raise fail(f"unknown export format {name!r}; choose one of {', '.join(EXPORTERS)}")
