"""klearct generate and klearct run: LLM-written generators through the G-V repair loop, and the
nightly job (generate -> validate -> export) in one resumable, lock-protected command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

ConfigOption = Annotated[Path | None, typer.Option("--config", help="klearct.toml to read")]
BackendOption = Annotated[str | None, typer.Option("--backend", help="docker | local | auto (default: config)")]
SlotsOption = Annotated[int | None, typer.Option("--slots", help="parallel sandbox slots (default: CPU count)")]
ProblemsArgument = Annotated[Path, typer.Argument(help="problems file (Klear jsonl, CodeContests jsonl/parquet, "
                                                       "klearct parquet)", exists=True)]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="run directory (created or resumed)")]
FormatOption = Annotated[str, typer.Option("--format", help="input format (default: detect)")]
ModelOption = Annotated[str | None, typer.Option("--model", help="model name (default: the config's llm.model)")]
RoundsOption = Annotated[int | None, typer.Option("--max-rounds", help="repair rounds per program (default: config)")]
WorkersOption = Annotated[int | None, typer.Option("--workers", help="problems generated at once "
                                                                     "(default: the config's llm.concurrency)")]
RetryOption = Annotated[bool, typer.Option(help="generate problems that failed last time again")]
JsonOption = Annotated[bool, typer.Option("--json", help="print a JSON summary (for nightly jobs)")]


def load(config_path: Path | None, model: str | None, max_rounds: int | None):
    from klear_ct.cli import fail
    from klear_ct.config import ConfigError, load_config
    from klear_ct.pipeline.session import GenerateSettings

    try:
        config = load_config(config_path)
    except ConfigError as e:
        raise fail(str(e)) from None
    if model:
        config = config.model_copy(update={"llm": config.llm.model_copy(update={"model": model})})
    g = config.generate
    settings = GenerateSettings(counts=tuple(g.counts.items()), max_rounds=g.max_rounds if max_rounds is None
                                else max_rounds, kill_rounds=g.kill_rounds, checker=g.checker, validator=g.validator,
                                max_dropped_fraction=g.max_dropped_fraction, lang=g.lang)
    return config, settings


def generate_stage(store, problems: Path, input_format: str, config, settings, sandbox, retry_failed: bool,
                   workers: int | None, bar):
    from klear_ct.cli import fail, problem_progress
    from klear_ct.formats import read_problems
    from klear_ct.llm.cache import ResponseCache
    from klear_ct.llm.client import LLMClient
    from klear_ct.llm.prompts import PromptError, Prompts
    from klear_ct.pipeline.generate_batch import generate_batch

    prompts = Prompts(config.generate.prompts_dir)
    try:
        prompts.check()
    except PromptError as e:
        raise fail(str(e.args[0])) from None
    store.record_command("generate", problems=str(problems), format=input_format, model=config.llm.model,
                         base_url=config.llm.base_url, prompts=prompts.hashes(),
                         prices={"prompt_per_1m": config.llm.price_prompt_per_1m,
                                 "completion_per_1m": config.llm.price_completion_per_1m},
                         settings={"counts": dict(settings.counts), "max_rounds": settings.max_rounds,
                                   "kill_rounds": settings.kill_rounds, "checker": settings.checker,
                                   "validator": settings.validator})
    llm = LLMClient(config.llm, cache=ResponseCache(config.llm.cache_dir or store.root / "llm" / "cache"),
                    usage_log=store.root / "llm" / "usage.jsonl")
    return generate_batch(read_problems(problems, input_format), store, llm, prompts, sandbox, settings,
                          retry_failed=retry_failed, workers=workers or config.llm.concurrency,
                          on_problem=problem_progress(bar, "generate"))


def print_generate(summary, out: Path) -> None:
    from klear_ct.cli import console

    console.print(f"[bold]{summary.done}[/] problems generated, {summary.skipped} already done, "
                  f"[red]{summary.failed}[/] failed, {summary.bad_rows} bad rows, {summary.generators} generators "
                  f"kept; {summary.requests} LLM requests ({summary.cached} from the cache), "
                  f"{summary.prompt_tokens} prompt + {summary.completion_tokens} completion tokens → {out}")
    for cause, count in sorted(summary.causes.items()):
        console.print(f"  failed: {cause} × {count}")


def register(app: typer.Typer) -> None:
    """Adds the commands of this module to the klearct app."""

    @app.command("generate")
    def generate(problems: ProblemsArgument, out: OutOption, input_format: FormatOption = "auto",
                 model: ModelOption = None, max_rounds: RoundsOption = None, workers: WorkersOption = None,
                 retry_failed: RetryOption = False, as_json: JsonOption = False, config: ConfigOption = None,
                 backend: BackendOption = None, slots: SlotsOption = None) -> None:
        """Ask an OpenAI-compatible LLM for generator (and checker) programs; repair them with
        execution feedback until they pass validation. Resumable; answers are cached in the run.

        Exit code: 0 all problems ok, 1 some failed (see `klearct report`), 2 usage, 3 sandbox."""
        from klear_ct.cli import EXIT_OK, EXIT_SOME_FAILED, locked_run, make_sandbox, progress_bar

        loaded, settings = load(config, model, max_rounds)
        with locked_run(out) as store, make_sandbox(config, backend, slots) as sandbox, \
                progress_bar(as_json) as bar:
            summary = generate_stage(store, problems, input_format, loaded, settings, sandbox, retry_failed,
                                     workers, bar)
        if as_json:
            print(json.dumps({"run": str(out), **vars(summary)}))
        else:
            print_generate(summary, out)
        raise typer.Exit(EXIT_SOME_FAILED if summary.failed or summary.bad_rows else EXIT_OK)

    @app.command("run")
    def run(problems: ProblemsArgument, out: OutOption, input_format: FormatOption = "auto",
            export_format: Annotated[str, typer.Option("--export-format", help="trainer format to write")] = "verl",
            export_out: Annotated[Path | None, typer.Option("--export-out", help="export file "
                                                            "(default: RUN/export/FORMAT.parquet)")] = None,
            model: ModelOption = None, max_rounds: RoundsOption = None, workers: WorkersOption = None,
            retry_failed: RetryOption = False, as_json: JsonOption = False, config: ConfigOption = None,
            backend: BackendOption = None, slots: SlotsOption = None) -> None:
        """The nightly job: generate -> validate -> export, resumable and lock-protected.

        Exit code: 0 all problems ok, 1 some failed (see `klearct report`), 2 usage, 3 sandbox."""
        from klear_ct.cli import (
            EXIT_OK,
            EXIT_SOME_FAILED,
            check_export_format,
            console,
            export_validated,
            locked_run,
            make_sandbox,
            problem_progress,
            progress_bar,
        )
        from klear_ct.pipeline.batch import validate_batch

        check_export_format(export_format)
        loaded, settings = load(config, model, max_rounds)
        with locked_run(out) as store:
            with make_sandbox(config, backend, slots) as sandbox, progress_bar(as_json) as bar:
                generated = generate_stage(store, problems, input_format, loaded, settings, sandbox, retry_failed,
                                           workers, bar)
                ok = {pid for pid, line in store.done("generate").items() if line["outcome"] == "ok"}
                store.record_command("validate", problems="generated", select="all")
                # a problem whose generation failed is still validated when it came with generators
                todo = (p for p in store.problems() if p.id in ok or p.generators)
                validated = validate_batch(todo, store, sandbox, retry_failed=retry_failed,
                                           on_problem=problem_progress(bar, "validate"))
            target = export_out or out / "export" / f"{export_format}.parquet"
            exported = export_validated(store, export_format, target)
        failed = generated.failed + generated.bad_rows + validated.failed
        data = {"run": str(out), "generate": vars(generated), "validate": vars(validated),
                "export": {"format": export_format, "out": str(target), **exported}}
        if as_json:
            print(json.dumps(data, default=str))
        else:
            print_generate(generated, out)
            console.print(f"[bold]{validated.done}[/] problems validated, {validated.skipped} already done, "
                          f"[red]{validated.failed}[/] failed, {validated.tests} tests kept")
            console.print(f"[green]exported[/] {export_format} → {target}: {exported}")
        raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)
