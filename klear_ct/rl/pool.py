"""One sandbox per process for the reward adapters, opened on first use and closed at exit.

Trainers call a reward function from many threads (verl's reward loop, TRL's trainer), and
some fork workers: the sandbox is created under a lock, once per process id, from the usual
configuration (klearct.toml, KLEARCT_SANDBOX_BACKEND / KLEARCT_SANDBOX_SLOTS)."""

from __future__ import annotations

import atexit
import os
import threading

from klear_ct.sandbox import Sandbox
from klear_ct.sandbox.configured import open_configured_sandbox

_lock = threading.Lock()
_sandbox: Sandbox | None = None
_owner_pid: int | None = None


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
