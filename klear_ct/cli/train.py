"""klearct train / train-report: GRPO on an export with klearct's reward (the `[train]` extra), the
verl recipe, the data check every run starts with, and the training log as HTML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from klear_ct.cli.common import EXIT_OK, EXIT_SOME_FAILED, console, err_console, fail


def register(root: typer.Typer) -> None:
    root.command("train")(train)
    root.command("train-report")(train_report)


def print_check(report, quiet: bool = False) -> None:
    if not quiet:
        console.print(f"check-data: {report.problems} problems; golds {report.golds_ok}/{report.golds} score 1; "
                      f"incorrect solutions as the kill matrix says {report.incorrect_as_expected}/"
                      f"{report.incorrect} ({report.incorrect_surviving} survive every exported test)")
    from rich.markup import escape

    for line in report.errors + [str(f) for f in report.findings]:
        err_console.print(f"  [red]✗[/] {escape(line)}", highlight=False)
    for finding in report.unreproduced:
        err_console.print(f"  [yellow]warning:[/] {escape(str(finding))} (a timing flake?)", highlight=False)


def run_check(files: list[Path], run: Path | None, mode: str, reward_url: str | None):
    from klear_ct.train.check import check_data, find_run
    from klear_ct.train.data import read_examples
    from klear_ct.train.reward import TrainingReward

    examples = read_examples(files)
    return check_data(examples, find_run(files, run), TrainingReward(mode, reward_url).scores, mode)


def checked(files: list[Path], settings, run: Path | None, force: bool, skip: bool) -> None:
    """The data check before training, remembered in OUTPUT/check-data.json for the same export bytes."""
    from klear_ct.train.check import CHECK_NAME, export_digest

    if skip:
        return
    record_path = Path(settings.output_dir) / CHECK_NAME
    digest = export_digest(files)
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):
        record = {}
    if record.get("export_sha256") == digest and record.get("mode") == settings.mode and record.get("ok"):
        return
    report = run_check(files, run, settings.mode, settings.reward_url)
    print_check(report)
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps({"export_sha256": digest, "mode": settings.mode, **report.to_dict()},
                                      indent=2))
    if not report.ok:
        if not force:
            raise fail("the export fails --check-data (above): training refused; fix the run or pass --force",
                       EXIT_SOME_FAILED)
        err_console.print("[yellow]warning:[/] the export fails --check-data; training anyway (--force)")


def progress_callback(quiet: bool):
    """A rich progress bar over the steps, fed by the trainer's per-step log records."""
    from klear_ct.cli.common import progress_bar

    bar = progress_bar(quiet)
    task = None

    def on_step(record: dict, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("training", total=total or None)
        held = record.get("holdout_score")
        bar.update(task, completed=record["step"], description=(
            f"step {record['step']}: reward {record.get('reward_mean', 0):.2f}, code {record.get('format_ok', 0):.2f}"
            + (f", held-out {held:.2f}" if held is not None else "")
            + f"; {record['reward_s']:.1f}s in the reward, {record['model_s']:.1f}s in the model"))

    return bar, on_step


def train(
    export: Annotated[Path, typer.Argument(help="verl or trl parquet from `klearct export` (or its directory)",
                                           exists=True)],
    model: Annotated[str | None, typer.Option(help="model folder (or hub name) to train")] = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="checkpoints, train_log.jsonl, "
                                             "samples.jsonl")] = Path("runs/train"),
    max_steps: Annotated[int, typer.Option(help="optimizer steps (wins over --epochs when > 0)")] = -1,
    epochs: Annotated[float, typer.Option(help="passes over the prompts")] = 1.0,
    batch_size: Annotated[int, typer.Option(help="prompts per step (TRL: per process; verl: in all)")] = 4,
    generations: Annotated[int, typer.Option(help="completions per prompt (the GRPO group)")] = 4,
    max_prompt_length: Annotated[int, typer.Option(help="longer prompts (tokens) are left out")] = 1024,
    max_completion_length: Annotated[int, typer.Option(help="tokens per completion")] = 1024,
    learning_rate: Annotated[float, typer.Option(help="learning rate")] = 1e-6,
    lora: Annotated[bool, typer.Option(help="train a LoRA adapter (peft) instead of every weight")] = False,
    lora_rank: Annotated[int, typer.Option(help="LoRA rank")] = 16,
    mode: Annotated[str, typer.Option(help="reward: binary (every test) | fraction (share passed)")] = "binary",
    seed: Annotated[int, typer.Option(help="seed")] = 0,
    resume: Annotated[bool, typer.Option(help="continue from the newest checkpoint in --output-dir")] = False,
    reward_url: Annotated[str | None, typer.Option(help="score on this `klearct serve` (else in-process; "
                                                   "KLEARCT_REWARD_URL)")] = None,
    save_steps: Annotated[int, typer.Option(help="checkpoint every N steps (and at the last)")] = 50,
    temperature: Annotated[float, typer.Option(help="sampling temperature")] = 1.0,
    beta: Annotated[float, typer.Option(help="KL coefficient (0: no reference model)")] = 0.0,
    report_to: Annotated[str, typer.Option(help="also log to: none | tensorboard | wandb ...")] = "none",
    vllm: Annotated[bool | None, typer.Option("--vllm/--no-vllm", help="generate with vLLM (default: when "
                                              "installed, on a GPU)")] = None,
    check_data: Annotated[bool, typer.Option("--check-data", help="only check the export: golds score 1, "
                                             "incorrect solutions as the kill matrix says")] = False,
    run: Annotated[Path | None, typer.Option(help="the run the export came from (default: the run "
                                             "directory it lies in)")] = None,
    force: Annotated[bool, typer.Option(help="train even when the data check fails")] = False,
    skip_check: Annotated[bool, typer.Option(help="train without the data check")] = False,
    backend: Annotated[str, typer.Option(help="trl (GRPOTrainer here) | verl (verl.trainer.main_ppo)")] = "trl",
    dry_run: Annotated[bool, typer.Option(help="verl: print the command, run nothing")] = False,
    gpus: Annotated[int, typer.Option(help="verl: GPUs per node")] = 1,
    nodes: Annotated[int, typer.Option(help="verl: nodes")] = 1,
    make_tiny_model: Annotated[Path | None, typer.Option(help="write a tiny random model (tokenizer trained on the "
                                                         "export's prompts) to this folder, and stop")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress display")] = False,
) -> None:
    """GRPO on a klearct export with klearct's reward: TRL's GRPOTrainer here (the `[train]` extra;
    `accelerate launch -m klear_ct.cli train ...` for several GPUs), or verl's recipe.

    Every training run first checks the data (as --check-data) unless that export passed before
    in --output-dir. Exit code: 0 done, 1 the data check failed, 2 usage, 3 sandbox."""
    from klear_ct.cli.rl import verl_files, verl_overrides
    from klear_ct.train import extra
    from klear_ct.train.settings import TrainSettings

    files = [Path(f) for f in verl_files(export)[0]]
    if check_data:
        report = run_check(files, run, mode, reward_url)
        print_check(report, quiet)
        if report.ok:
            console.print("[green]check-data passed[/]: the export can be trained on")
        raise typer.Exit(EXIT_OK if report.ok else EXIT_SOME_FAILED)
    if make_tiny_model is not None:
        extra.require("tokenizers")
        from klear_ct.train.data import read_examples
        from klear_ct.train.tiny import make_tiny_model as build

        build(make_tiny_model, [e.prompt_text for e in read_examples(files)], seed=seed)
        console.print(f"tiny model → {make_tiny_model} (random weights: for trying the pipeline, not for learning)")
        raise typer.Exit(EXIT_OK)
    if backend not in ("trl", "verl"):
        raise fail(f"--backend must be trl or verl, got {backend!r}")
    if model is None:
        raise fail("give --model (a model folder; `--make-tiny-model DIR` writes a tiny one)")
    settings = TrainSettings(model=model, output_dir=output_dir, max_steps=max_steps, epochs=epochs,
                             batch_size=batch_size, generations=generations, max_prompt_length=max_prompt_length,
                             max_completion_length=max_completion_length, learning_rate=learning_rate, lora=lora,
                             lora_rank=lora_rank, mode=mode, seed=seed, resume=resume, reward_url=reward_url,
                             save_steps=save_steps, temperature=temperature, beta=beta, report_to=report_to,
                             use_vllm=vllm)
    if backend == "verl":
        from klear_ct.train.verl_recipe import shell_line, verl_command

        data = verl_overrides(export, mode, reward_url)
        if dry_run:
            typer.echo(shell_line(verl_command(data, settings, gpus, nodes, python="python")))
            raise typer.Exit(EXIT_OK)
        if extra.missing(("verl",)):
            raise fail("verl is not installed here: pip install verl (or print the command with --dry-run)")
        checked(files, settings, run, force, skip_check)
        raise typer.Exit(subprocess.run(verl_command(data, settings, gpus, nodes, python=sys.executable)).returncode)
    extra.require(*(("peft",) if lora else ()))
    checked(files, settings, run, force, skip_check)
    from klear_ct.train.data import read_examples
    from klear_ct.train.grpo import train as run_grpo

    bar, on_step = progress_callback(quiet)
    try:
        summary = run_grpo(settings, read_examples(files), on_step=on_step,
                           say=lambda text: err_console.print(f"[yellow]note:[/] {text}"))
    finally:
        bar.stop()
    console.print(f"[green]trained[/] {summary['steps']} steps → {summary['checkpoint']} "
                  f"(log: {output_dir / 'train_log.jsonl'})")


def train_report(
    output_dir: Annotated[Path, typer.Argument(help="a `klearct train` output directory", exists=True,
                                               file_okay=False)],
    html: Annotated[Path | None, typer.Option("--html", help="HTML page to write (default: OUTPUT/report.html)")]
    = None,
) -> None:
    """The training log (train_log.jsonl) as an HTML page with plots: reward, usable code, visible vs
    held-out score and time in the reward vs the model, per step."""
    from klear_ct.train.report import write_train_report

    path = write_train_report(output_dir, html or output_dir / "report.html")
    console.print(f"training report → {path}")
