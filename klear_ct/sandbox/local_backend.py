"""Local backend, for machines without a Docker engine: the same runner in fresh namespaces.

Each request starts `unshare` (util-linux) with new pid, network, mount, ipc and uts
namespaces. The runner is pid 1 there (programs cannot signal it), mounts fresh tmpfs
over /tmp, /var/tmp and /dev/shm itself, and there is no network at all. Run as root,
every slot's programs run under their own unprivileged uid. Weaker than Docker: the
host's world-readable files stay visible and there is no cgroup memory cap.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys

from klear_ct.sandbox.artifacts import default_cache_dir
from klear_ct.sandbox.base import RunnerReply, Sandbox, SandboxError, parse_runner_output
from klear_ct.sandbox.image import RUNNER, SPAWN_HELPER_SOURCE
from klear_ct.sandbox.uids import UidBlock

RUNNER_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}  # nothing secret reaches the runner


def unshare_command(as_root: bool) -> list[str]:
    userns = [] if as_root else ["--user", "--map-root-user"]
    return ["unshare", *userns, "--pid", "--fork", "--kill-child", "--mount-proc", "--net", "--ipc", "--uts",
            "--mount", "--propagation", "private"]


def build_spawn_helper() -> str:
    """Compile spawn.c once per version into the cache."""
    source = SPAWN_HELPER_SOURCE.read_bytes()
    # static musl starts in a fraction of glibc's time (see the image's Dockerfile); gcc where musl is missing
    compiler = ["musl-gcc", "-static"] if shutil.which("musl-gcc") else ["gcc"]
    target = default_cache_dir() / f"klearct-spawn-{compiler[0]}-{hashlib.sha256(source).hexdigest()[:12]}"
    if target.exists():
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = f"{target}.{os.getpid()}.tmp"
    built = subprocess.run([*compiler, "-O2", "-o", partial, str(SPAWN_HELPER_SOURCE)], capture_output=True, text=True)
    if built.returncode != 0:
        raise SandboxError(f"cannot build the spawn helper with {compiler[0]}: {built.stderr.strip()[-500:]}")
    os.replace(partial, target)
    return str(target)


class LocalSandbox(Sandbox):
    kind = "local"

    def __init__(self, slots: int | None = None, **kwargs):
        if shutil.which("unshare") is None:
            raise SandboxError("the local backend needs `unshare` (util-linux)")
        self.as_root = os.geteuid() == 0
        probe = subprocess.run([*unshare_command(self.as_root), "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            raise SandboxError(f"cannot create namespaces with unshare: {probe.stderr.strip()}")
        self.spawn_helper = build_spawn_helper()
        super().__init__(slots or os.cpu_count() or 1, **kwargs)
        self.uids = UidBlock(self.slots)
        self._slot_ids: queue.Queue[int] = queue.Queue()
        for index in range(self.slots):
            self._slot_ids.put(index)

    def close(self) -> None:
        super().close()
        self.uids.release()

    def toolchain_id(self) -> str:
        gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        return f"local:{gcc}:{sys.version.split()[0]}"

    def _call_runner(self, request: dict, watchdog_s: float) -> RunnerReply:
        index = self._slot_ids.get()
        try:
            if self.as_root:
                uid = self.uids.uid(index)
                request = dict(request, run_as=[uid, uid])
            cmd = [*unshare_command(self.as_root), sys.executable, str(RUNNER), "--private-tmp",
                   "--spawn", self.spawn_helper, "--sandboxed"]
            try:
                done = subprocess.run(cmd, input=json.dumps(request).encode(), capture_output=True,
                                      timeout=watchdog_s, env=RUNNER_ENV)
            except subprocess.TimeoutExpired as e:
                reply = parse_runner_output(e.stdout or b"")
                reply.fault = f"watchdog: no complete answer within {watchdog_s:.0f}s"
                return reply
            reply = parse_runner_output(done.stdout)
            if reply.fault and done.returncode not in (137, -9):
                reply.sandbox_failed = True
                reply.fault = f"runner exited with {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}"
            return reply
        finally:
            self._slot_ids.put(index)
