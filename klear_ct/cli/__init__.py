"""The klearct command line: one module per command group, registered here. Thin: the commands
parse options, call the pipeline, and print with rich."""

from __future__ import annotations

import typer

from klear_ct.cli import evaluate, generate, rl, sandbox, stages, train
from klear_ct.cli.common import fail
from klear_ct.errors import UsageError

app = typer.Typer(help="Synthesize validated test cases for competitive-programming problems.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(sandbox.app, name="sandbox")
stages.register(app)
generate.register(app)
evaluate.register(app)
rl.register(app)
train.register(app)



def main() -> None:
    """The `klearct` command: a usage error anywhere below (a bad option value, an unreadable
    file, a config value) is a message and exit code 2, never a traceback."""
    try:
        app()
    except UsageError as e:
        raise SystemExit(fail(str(e)).exit_code) from None


__all__ = ["app", "main"]
