"""One sandbox per process for the reward adapters, opened on first use and closed at exit.

Trainers call a reward function from many threads (verl's reward loop, TRL's trainer), and
some fork workers: the sandbox is created under a lock, once per process id, from the usual
configuration (klearct.toml, KLEARCT_SANDBOX_BACKEND / KLEARCT_SANDBOX_SLOTS)."""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

from klear_ct.sandbox import Sandbox, open_sandbox

_lock = threading.Lock()
_sandbox: Sandbox | None = None
_owner_pid: int | None = None


def open_configured_sandbox(config_path: Path | None = None, backend: str | None = None,
                            slots: int | None = None, warn=None) -> Sandbox:
    """A sandbox from klearct.toml / KLEARCT_SANDBOX_* (arguments win), with the configured time
    factors; installs no signal handler. UsageError for a bad configuration."""
    from klear_ct.config import load_config
    from klear_ct.sandbox.docker_backend import DockerSettings
    from klear_ct.sandbox.timing import TimeFactors

    loaded = load_config(config_path)
    factors = TimeFactors.with_overrides(loaded.limits.time_factor)
    config = loaded.sandbox
    settings = DockerSettings(jobs_per_container=config.jobs_per_container,
                              container_memory_mb=config.container_memory_mb, runtime=config.runtime)
    return open_sandbox(backend or config.backend, slots=slots or config.slots, settings=settings,
                        time_factors=factors, warn=warn)


def shared_sandbox() -> Sandbox:
    """This process's sandbox (a forked child gets its own, never its parent's containers)."""
    global _sandbox, _owner_pid
    with _lock:
        if _sandbox is None or _owner_pid != os.getpid():
            _sandbox, _owner_pid = open_configured_sandbox(), os.getpid()
        return _sandbox


def close_shared() -> None:
    global _sandbox
    with _lock:
        sandbox, _sandbox = _sandbox, None
    if sandbox is not None and _owner_pid == os.getpid():
        sandbox.close()


atexit.register(close_shared)
