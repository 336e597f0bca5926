"""klearct evaluate command(s)."""

import typer


def register(app: typer.Typer) -> None:
    """Adds the commands of this module to the klearct app."""
