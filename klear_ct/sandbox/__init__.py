"""Run untrusted programs on batches of inputs: `open_sandbox(...).run(program, inputs, limits)`."""

from __future__ import annotations

import logging

from klear_ct.errors import UsageError
from klear_ct.model import Program
from klear_ct.sandbox.base import Sandbox, SandboxError
from klear_ct.sandbox.languages import LANGUAGES, UnknownLanguage, get_language
from klear_ct.sandbox.limits import CompileLimits, Limits

log = logging.getLogger(__name__)

BACKENDS = ("docker", "local", "auto")


def runnable(program: Program) -> bool:
    """Whether the sandbox runs programs in `program.lang`."""
    try:
        return get_language(program.lang).name in LANGUAGES
    except UnknownLanguage:
        return False


def open_sandbox(backend: str = "docker", slots: int | None = None, warn=log.warning, **kwargs) -> Sandbox:
    """`auto` takes Docker when an engine answers and falls back to local with a warning;
    `docker` never falls back."""
    if backend not in BACKENDS:
        raise UsageError(f"unknown sandbox backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend in ("docker", "auto"):
        from klear_ct.sandbox.docker_backend import DockerSandbox

        try:
            return DockerSandbox(slots=slots, **kwargs)
        except SandboxError as e:
            if backend == "docker":
                raise
            warn(f"{e}\nfalling back to the local (unshare) sandbox, which isolates less than Docker")
    from klear_ct.sandbox.local_backend import LocalSandbox

    docker_only = ("image", "client", "settings")
    return LocalSandbox(slots=slots, **{k: v for k, v in kwargs.items() if k not in docker_only})


__all__ = ["CompileLimits", "Limits", "Sandbox", "SandboxError", "open_sandbox", "runnable"]
