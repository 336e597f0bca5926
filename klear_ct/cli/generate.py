"""klearct generate and klearct run: LLM-written generators through the G-V repair loop, and the
nightly job (generate -> validate -> export) in one resumable, lock-protected command."""

from __future__ import annotations

import json
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from klear_ct.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    BackendOption,
    ConfigOption,
    ExecutorOption,
    Failed,
    FormatOption,
    JsonOption,
    LocalExecutorOption,
    OutOption,
    ProblemsArgument,
    PythonOption,
    RayAddressOption,
    SlotsOption,
    check_export_format,
    console,
    fail,
    local_only,
    locked_run,
    make_executor,
    make_sandbox,
    print_causes,
    problem_progress,
    problem_rows,
    progress_bar,
)

ModelOption = Annotated[str | None, typer.Option("--model", help="model name (default: the config's llm.model)")]
RoundsOption = Annotated[int | None, typer.Option("--max-rounds", help="repair rounds per program (default: config)")]
WorkersOption = Annotated[int | None, typer.Option("--workers", help="problems generated at once "
                                                                     "(default: the config's llm.concurrency)")]
MaxTokensOption = Annotated[int | None, typer.Option("--max-tokens-per-run", help="spend cap: tokens of all the "
                                                     "run's requests (default: the config's llm.max_tokens_per_run)")]
CommandTokensOption = Annotated[int | None, typer.Option(
    "--max-tokens-per-command", help="spend cap: tokens of this command's requests, e.g. a nightly job's budget "
                                     "per night (default: the config's llm.max_tokens_per_command)")]
RetryOption = Annotated[bool, typer.Option(help="generate problems that failed last time again")]


def load(config_path: Path | None, model: str | None, max_rounds: int | None, **caps: int | None):
    """The config with the command line's model and spend caps (`max_tokens_per_run`,
    `max_tokens_per_command`; None: the config's) over it, and the generate settings."""
    from klear_ct.config import ConfigError, load_config
    from klear_ct.pipeline.session import GenerateSettings

    try:
        config = load_config(config_path)
    except ConfigError as e:
        raise fail(str(e)) from None
    if model:
        config = config.model_copy(update={"llm": config.llm.model_copy(update={"model": model})})
    caps = {key: value for key, value in caps.items() if value is not None}
    if caps:
        config = config.model_copy(update={"llm": config.llm.model_copy(update=caps)})
    g = config.generate
    settings = GenerateSettings(counts=tuple(g.counts.items()), max_rounds=g.max_rounds if max_rounds is None
                                else max_rounds, kill_rounds=g.kill_rounds, checker=g.checker, validator=g.validator,
                                max_dropped_fraction=g.max_dropped_fraction, lang=g.lang)
    return config, settings


def prompts_of(config):
    from klear_ct.llm.prompts import PromptError
    from klear_ct.pipeline.stages import load_prompts

    try:
        return load_prompts(config)
    except PromptError as e:
        raise fail(str(e.args[0])) from None


def print_generate(summary, out: Path) -> None:
    console.print(f"[bold]{summary.done}[/] problems generated, {summary.skipped} already done, "
                  f"[red]{summary.failed}[/] failed, {summary.bad_rows} bad rows, {summary.generators} generators "
                  f"kept; {summary.requests} LLM requests ({summary.cached} from the cache), "
                  f"{summary.prompt_tokens} prompt + {summary.completion_tokens} completion tokens → {out}")
    print_causes(summary)
    print_pending(summary)


def pending_to_stderr(summary) -> None:
    if summary.pending:
        typer.echo(f"spend cap reached: {summary.budget_reached}; {summary.pending} problems left pending", err=True)


def print_pending(summary) -> None:
    if summary.pending:
        console.print(f"[yellow]spend cap reached[/]: {summary.budget_reached}; {summary.pending} problems left "
                      "pending — run again with a higher cap to continue them (answered requests come from the cache)")


LLM_STAYS = "its generate stage's LLM client writes the run's cache and usage files"


def register(app: typer.Typer) -> None:
    """Adds the commands of this module to the klearct app."""

    @app.command("generate")
    def generate(problems: ProblemsArgument, out: OutOption, input_format: FormatOption = "auto",
                 model: ModelOption = None, max_rounds: RoundsOption = None, workers: WorkersOption = None,
                 max_tokens: MaxTokensOption = None, command_tokens: CommandTokensOption = None,
                 retry_failed: RetryOption = False, as_json: JsonOption = False, python: PythonOption = None,
                 config: ConfigOption = None, backend: BackendOption = None, slots: SlotsOption = None,
                 executor: LocalExecutorOption = None) -> None:
        """Ask an OpenAI-compatible LLM for generator (and checker) programs; repair them with
        execution feedback until they pass validation. Resumable; answers are cached in the run.

        Exit code: 0 all problems ok, 1 some failed or left pending by the spend cap (see
        `klearct report`), 2 usage, 3 sandbox."""
        from klear_ct.pipeline.stages import generate_stage

        local_only("generate", executor, LLM_STAYS)
        loaded, settings = load(config, model, max_rounds, max_tokens_per_run=max_tokens,
                                max_tokens_per_command=command_tokens)
        prompts = prompts_of(loaded)
        with locked_run(out) as store, make_sandbox(config, backend, slots) as sandbox, \
                progress_bar(as_json) as bar:
            summary = generate_stage(store, problems, input_format, loaded, settings, prompts, sandbox, retry_failed,
                                     workers, problem_progress(bar, "generate"), python)
        if as_json:
            print(json.dumps({"run": str(out), **vars(summary)}))
            pending_to_stderr(summary)
        else:
            print_generate(summary, out)
        raise typer.Exit(EXIT_SOME_FAILED if summary.failed or summary.bad_rows or summary.pending else EXIT_OK)

    @app.command("adversarial")
    def adversarial(run: Annotated[Path, typer.Argument(help="run directory (validated)", exists=True, file_okay=False)],
                    variants: Annotated[int, typer.Option(min=1, help="variants asked for per round")] = 4,
                    rounds: Annotated[int, typer.Option(min=1, help="rounds per problem")] = 2,
                    weak: Annotated[str, typer.Option(help="test kinds of the weak suite, comma-separated "
                                                           "(public, generated, regular, corner, hack, given)")
                                    ] = "public",
                    model: ModelOption = None, workers: WorkersOption = None, max_tokens: MaxTokensOption = None,
                    command_tokens: CommandTokensOption = None, retry_failed: RetryOption = False,
                    as_json: JsonOption = False, config: ConfigOption = None, backend: BackendOption = None,
                    slots: SlotsOption = None) -> None:
        """ATGEN-style: ask the LLM for subtly wrong variants of a gold solution; keep those that
        pass the weak suite and fail the full validated one as new incorrect solutions (origin:
        adversarial, round, model). Resumable; answers are cached in the run.

        Exit code: 0 every problem kept a variant, 1 some kept none, failed or were left pending, 2 usage,
        3 sandbox."""
        from klear_ct.pipeline.adversarial import AdversarialSettings
        from klear_ct.pipeline.stages import adversarial_stage
        from klear_ct.store import RunStore

        if not RunStore.is_run(run):
            raise fail(f"{run} is not a run directory; `klearct validate` makes one")
        kinds = tuple(k.strip() for k in weak.split(",") if k.strip())
        loaded, _ = load(config, model, None, max_tokens_per_run=max_tokens, max_tokens_per_command=command_tokens)
        prompts = prompts_of(loaded)
        settings = AdversarialSettings(variants=variants, rounds=rounds, weak_kinds=kinds)
        with locked_run(run) as store, make_sandbox(config, backend, slots) as sandbox, \
                progress_bar(as_json) as bar:
            summary = adversarial_stage(store, loaded, settings, prompts, sandbox, retry_failed, workers,
                                        problem_progress(bar, "adversarial"))
        if as_json:
            print(json.dumps({"run": str(run), **vars(summary)}))
            pending_to_stderr(summary)
        else:
            console.print(f"[bold]{summary.done}[/] problems done, {summary.skipped} already done, "
                          f"[red]{summary.failed}[/] failed, {summary.kept} variants kept; {summary.requests} LLM "
                          f"requests ({summary.cached} from the cache) → {run}")
            print_causes(summary)
            print_pending(summary)
        raise typer.Exit(EXIT_SOME_FAILED if summary.failed or summary.pending else EXIT_OK)

    @app.command("run")
    def run(problems: ProblemsArgument, out: OutOption, input_format: FormatOption = "auto",
            export_format: Annotated[str, typer.Option("--export-format", help="trainer format to write")] = "verl",
            export_out: Annotated[Path | None, typer.Option("--export-out", help="export file "
                                                            "(default: RUN/export/FORMAT.parquet)")] = None,
            model: ModelOption = None, max_rounds: RoundsOption = None, workers: WorkersOption = None,
            max_tokens: MaxTokensOption = None, command_tokens: CommandTokensOption = None,
            retry_failed: RetryOption = False, as_json: JsonOption = False, python: PythonOption = None,
            config: ConfigOption = None, backend: BackendOption = None, slots: SlotsOption = None,
            executor: ExecutorOption = None, ray_address: RayAddressOption = None) -> None:
        """The nightly job: generate -> validate -> export, resumable and lock-protected. PROBLEMS may
        be a folder that grows: problems already done are skipped, new ones are done. With
        --executor ray the validate stage runs on the Ray cluster; generate stays on this machine.

        Exit code: 0 all problems ok, 1 some failed or left pending by a spend cap (see
        `klearct report`), 2 usage, 3 sandbox, 4 the run is in use by another command.
        With --json, stdout is one JSON object, also when it stops with 2, 3 or 4."""
        from klear_ct.errors import UsageError
        from klear_ct.pipeline.stages import run_nightly

        started = time.monotonic()
        try:
            check_export_format(export_format)
            problem_rows(problems, input_format, python)  # an unreadable or empty input: exit 2, no run folder made
            loaded, settings = load(config, model, max_rounds, max_tokens_per_run=max_tokens,
                                    max_tokens_per_command=command_tokens)
            prompts = prompts_of(loaded)
            remote = (executor or loaded.executor.kind) != "local"
            with locked_run(out) as store:
                # generate's LLM client writes the run's cache and usage log: it stays on this machine
                with make_sandbox(config, backend, slots) as sandbox, \
                        (make_executor(config, backend, slots, executor, ray_address) if remote else
                         nullcontext()) as runner, progress_bar(as_json) as bar:
                    done = run_nightly(store, problems, input_format, loaded, settings, prompts, sandbox,
                                       export_format, export_out, retry_failed, workers,
                                       problem_progress(bar, "generate"), problem_progress(bar, "validate"), python,
                                       executor=runner)
                    nodes = runner.report() if runner else {}
        except (Failed, UsageError) as e:
            stopped = e if isinstance(e, Failed) else fail(str(e))
            if as_json:
                print(json.dumps({"run": str(out), "exit_code": stopped.exit_code, "error": stopped.message}))
            raise stopped from None
        except (SystemExit, KeyboardInterrupt) as e:  # SIGTERM (a scheduler stopping the job: 143) or Ctrl-C
            if as_json:
                code = e.code if isinstance(e, SystemExit) else 130
                print(json.dumps({"run": str(out), "exit_code": code,
                                  "error": "stopped by a signal; the next start resumes where it stopped"}),
                      flush=True)  # before the interpreter's exit waits for requests in flight
            raise
        generated, validated, exported, target = done.generate, done.validate, done.export, done.export_out
        code = EXIT_SOME_FAILED if done.failed or done.pending else EXIT_OK
        if as_json:
            print(json.dumps({"run": str(out), "exit_code": code, "error": None, "validated": validated.done,
                              "already_validated": validated.skipped, "failed": len(done.failed_ids),
                              "failed_ids": done.failed_ids,
                              "pending": done.pending, "tests": validated.tests,
                              "seconds": round(time.monotonic() - started, 1),
                              "export": {"format": export_format, "out": str(target), **exported},
                              "generate": vars(generated), "validate": vars(validated), **nodes}, default=str))
            pending_to_stderr(generated)
        else:
            print_generate(generated, out)
            console.print(f"[bold]{validated.done}[/] problems validated, {validated.skipped} already done, "
                          f"[red]{validated.failed}[/] failed, {validated.tests} tests kept")
            console.print(f"[green]exported[/] {export_format} → {target}: {exported}")
        raise typer.Exit(code)
