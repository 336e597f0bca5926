"""The project's exception hierarchy: every klearct exception derives from KlearctError.

A UsageError is the user's to fix (a bad option, an unreadable input file, a config value):
the CLI prints it and exits 2. Any other KlearctError is a fault recorded with its cause.
"""

from __future__ import annotations


class KlearctError(Exception):
    """Base of every exception klearct raises on purpose."""


class UsageError(KlearctError, ValueError):
    """Bad input from the user: an option, a file, a config value. The CLI exits 2 with the message."""


class ProblemFailure(KlearctError, RuntimeError):
    """This problem cannot be done (no gold runs, the sandbox failed): it fails with `cause`, the batch goes on."""

    def __init__(self, cause: str, message: str = ""):
        super().__init__(message or cause)
        self.cause = cause
