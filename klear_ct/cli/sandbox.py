"""klearct sandbox build / run / check: build the image, run one program, attack the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from klear_ct.cli.common import BackendOption, ConfigOption, SlotsOption, console, fail, make_sandbox
from klear_ct.judge import Judge
from klear_ct.model import Program, Verdict
from klear_ct.sandbox import Limits, SandboxError
from klear_ct.sandbox.languages import LANGUAGES, UnknownLanguage, get_language, language_for_suffix

app = typer.Typer(help="Build, check and use the sandbox that runs untrusted programs.", no_args_is_help=True)


@app.command("build")
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


@app.command("run")
def sandbox_run(
    file: Annotated[Path, typer.Argument(help="program source", exists=True, dir_okay=False)],
    inputs: Annotated[list[Path], typer.Option("--input", "-i", help="stdin file, one run each (repeatable)",
                                               exists=True, dir_okay=False)],
    expected: Annotated[list[Path] | None, typer.Option("--expected", "-e", help="expected output per input",
                                                        exists=True, dir_okay=False)] = None,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help=" | ".join(LANGUAGES))] = None,
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
        results = Judge(sandbox).run(program, texts, Limits(time_s=time_limit, memory_mb=memory_limit), wants)
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


@app.command("check")
def sandbox_check(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
    reward: Annotated[bool, typer.Option(help="also score the reward-hacking completions through the reward")] = True,
    config: ConfigOption = None, backend: BackendOption = None,
) -> None:
    """Run the hostile-program corpus through the sandbox, then the reward-hacking completions
    through the reward; exit 1 on any breach."""
    from klear_ct.rl.selfcheck import run_reward_check
    from klear_ct.sandbox.selfcheck import run_selfcheck

    with console.status("running hostile programs") as status:
        def progress(name: str) -> None:
            status.update(f"attack: {name}")

        # one slot: each attack's runs go to one sandbox in order; the reward's batch needs two side by side
        with make_sandbox(config, backend, 1) as sandbox:
            outcomes = run_selfcheck(sandbox, progress=progress)
        if reward:
            with make_sandbox(config, backend, 2) as reward_sandbox:
                outcomes += run_reward_check(reward_sandbox, progress=progress)
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
