"""klearct serve / klearct rl verl-args: the reward side on the command line."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Annotated

import typer

from klear_ct.cli.common import BackendOption, ConfigOption, SlotsOption, fail

app = typer.Typer(help="Rewards for RL trainers over klearct's exports.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Adds `serve` and the `rl` group to the klearct app."""
    root.command("serve")(serve)
    root.add_typer(app, name="rl")


def serve(
    host: Annotated[str, typer.Option(help="address to listen on (beyond loopback needs --api-key)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8080,
    api_key: Annotated[str | None, typer.Option(envvar="KLEARCT_API_KEY", help="key clients send (Bearer, "
                                                "X-API-Key or ?api_key=)")] = None,
    allow_unauthenticated: Annotated[bool, typer.Option(help="listen beyond loopback without a key")] = False,
    max_body_mb: Annotated[int, typer.Option(help="largest request body")] = 64,
    max_time_s: Annotated[float, typer.Option(help="cap on a run's time limit")] = 10.0,
    max_memory_mb: Annotated[int, typer.Option(help="cap on a run's memory limit")] = 2048,
    max_concurrent: Annotated[int | None, typer.Option(help="requests at work (default: 2 x slots)")] = None,
    max_queue: Annotated[int, typer.Option(help="requests waiting; more are answered 503")] = 64,
    queue_timeout_s: Annotated[float, typer.Option(help="a longer wait is answered 504")] = 120.0,
    config: ConfigOption = None, backend: BackendOption = None, slots: SlotsOption = None,
) -> None:
    """Reward / sandbox server: /score, SandboxFusion /run_code + /v1/ping, OpenRLHF /get_reward, /metrics."""
    from klear_ct.errors import UsageError
    from klear_ct.rl.server import ServerSettings, check_bind
    from klear_ct.rl.server import serve as run_server
    from klear_ct.sandbox.configured import open_configured_sandbox

    settings = ServerSettings(host=host, port=port, api_key=api_key or None,
                              allow_unauthenticated=allow_unauthenticated, max_body_bytes=max_body_mb << 20,
                              max_time_s=max_time_s, max_memory_mb=max_memory_mb,
                              max_concurrent=max_concurrent or 2 * (slots or os.cpu_count() or 1),
                              max_queue=max_queue, queue_timeout_s=queue_timeout_s)
    try:
        check_bind(settings)
    except UsageError as e:
        raise fail(str(e)) from None
    # uvicorn owns SIGTERM / SIGINT: it drains running requests, then the app closes the sandbox
    run_server(settings, lambda: open_configured_sandbox(config, backend, slots))


def verl_files(target: Path) -> tuple[list[str], list[str]]:
    """(train files, validation files) of a verl export: a parquet file, an export directory or a run."""
    if target.is_file():
        return [str(target)], []
    for folder in (target, target / "export"):
        train, validation = folder / "train.parquet", folder / "validation.parquet"
        if train.exists():
            return [str(train)], [str(validation)] if validation.exists() else []
        found = sorted(str(p) for p in folder.glob("verl*.parquet"))
        if found:
            return found, []
    raise fail(f"no verl parquet in {target}: run `klearct export {target} --format verl -o OUT` first")


def hydra_value(text: str) -> str:
    """`text` as one value of a Hydra override: quoted unless it is a plain path or word (a space or a comma
    would otherwise split it)."""
    if re.fullmatch(r"[\w./:+@-]+", text):
        return text
    # inside quotes Hydra reads backslashes literally, except those before a quote or at the end
    return "'" + re.sub(r"(\\*)('|$)", lambda m: m[1] * 2 + ("\\'" if m[2] else ""), text) + "'"


def verl_overrides(target: Path, mode: str = "binary", reward_url: str | None = None) -> list[str]:
    """verl's data and reward overrides for an export with klearct's reward (`klearct train --backend verl` adds
    the trainer's)."""
    import klear_ct.rl.verl as verl_adapter

    if mode not in ("binary", "fraction"):
        raise fail("--mode must be binary or fraction")
    train, validation = verl_files(target)
    lines = [f"data.train_files=[{','.join(map(hydra_value, train))}]",
             f"data.val_files=[{','.join(map(hydra_value, validation or train))}]",
             f"reward.custom_reward_function.path={hydra_value(verl_adapter.__file__)}",
             "reward.custom_reward_function.name=compute_score"]
    if mode != "binary":
        lines.append(f"+reward.custom_reward_function.reward_kwargs.mode={mode}")
    if reward_url:
        lines.append(f"+reward.custom_reward_function.reward_kwargs.reward_url={reward_url}")
    return lines


@app.command("verl-args")
def verl_args(
    target: Annotated[Path, typer.Argument(help="verl parquet, export directory, or run directory", exists=True)],
    mode: Annotated[str, typer.Option(help="binary | fraction")] = "binary",
    reward_url: Annotated[str | None, typer.Option(help="score on this `klearct serve` instead")] = None,
) -> None:
    """Print the verl overrides that train on a klearct export with klearct's reward."""
    typer.echo(shlex.join(verl_overrides(target, mode, reward_url)))
