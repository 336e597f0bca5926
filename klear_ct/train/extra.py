"""Whether the `[train]` extra is installed, told before anything heavy is imported."""

from __future__ import annotations

import importlib.util

from klear_ct.errors import UsageError

TRAIN_MODULES = ("torch", "transformers", "trl", "datasets", "accelerate")
INSTALL_HINT = "pip install -e '.[train]'"


class TrainExtraMissing(UsageError):
    """A package of the `[train]` extra is not installed (the CLI exits 2 with the hint)."""


def missing(modules: tuple[str, ...] = TRAIN_MODULES) -> list[str]:
    return [name for name in modules if importlib.util.find_spec(name) is None]


def require(*extra_modules: str) -> None:
    """Raise TrainExtraMissing naming what is absent and how to install it."""
    absent = missing(TRAIN_MODULES + extra_modules)
    if absent:
        raise TrainExtraMissing(f"klearct train needs the train extra ({', '.join(absent)} not installed): "
                                f"{INSTALL_HINT}")
