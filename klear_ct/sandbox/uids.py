"""Unprivileged uids for sandbox slots, unique on this host while a sandbox holds them.

Per-user limits (RLIMIT_NPROC above all) are counted by the kernel per uid, across every
container and namespace. Two sandboxes on one host (a nightly `validate`, a reward server, a
user's `sandbox run`) whose slots shared a uid would let a fork bomb in one starve the other.
So each sandbox claims a block of uids with an flock on a file of a host-wide directory; the
kernel drops the lock when the sandbox closes it or its process dies, however it dies.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from klear_ct.sandbox.base import SandboxError

FIRST_UID = 10000
BLOCK = 256  # uids per sandbox: its slots
BLOCKS = 200  # sandboxes at once on one host (uids up to 61200)


def lock_dir() -> Path:
    return Path(os.environ.get("KLEARCT_UID_LOCK_DIR", "/tmp/klearct-uids"))


class UidBlock:
    """A claimed block: slot i runs as uid `first + i`. Held until `release()`."""

    def __init__(self, slots: int):
        if slots > BLOCK:
            raise SandboxError(f"at most {BLOCK} sandbox slots")
        folder = lock_dir()
        folder.mkdir(mode=0o1777, parents=True, exist_ok=True)
        for k in range(BLOCKS):
            handle = open(folder / f"block-{k}.lock", "a")  # noqa: SIM115 - held until release()
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self._handle, self.first = handle, FIRST_UID + k * BLOCK
            return
        raise SandboxError(f"all {BLOCKS} uid blocks of this host are in use by other sandboxes ({folder})")

    def uid(self, slot: int) -> int:
        return self.first + slot

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the flock
            self._handle = None
