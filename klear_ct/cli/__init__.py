"""The klearct command line: one module per command group, registered here. Thin: the commands
parse options, call the pipeline, and print with rich."""

from __future__ import annotations

import typer

from klear_ct.cli import evaluate, generate, rl, sandbox, stages

app = typer.Typer(help="Synthesize validated test cases for competitive-programming problems.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(sandbox.app, name="sandbox")
stages.register(app)
generate.register(app)
evaluate.register(app)
rl.register(app)

__all__ = ["app"]
