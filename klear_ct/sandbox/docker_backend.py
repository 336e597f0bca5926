"""Docker backend: a pool of warm, locked-down containers, one per slot.

Each slot keeps one `docker exec` of the runner open (`--serve`) and sends it one request per
line, so a request costs no exec and no Python start-up; a runner whose stream breaks is dropped
with its container. A container is replaced after `jobs_per_container` requests and after any anomaly;
every container carries its owner's host and pid in a label, so a later start removes
the ones a killed process left behind.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from klear_ct.sandbox.base import RunnerReply, Sandbox, SandboxError, parse_runner_output
from klear_ct.sandbox.image import require_image
from klear_ct.sandbox.uids import UidBlock

LABEL = "klearct.sandbox"
OWNER_LABEL = "klearct.owner"
# a runner that carried a request or answer this large is let go: its heap stays large, and the runs it
# starts were seen to report that high-water mark as their own peak memory (a 64 MB answer: 269 MB next)
RUNNER_RECYCLE_BYTES = 8 << 20
RUNNER_CMD = ["python3", "/opt/klearct/runner.py", "--workroot", "/work", "--clean", "/tmp:/dev/shm",
              "--mqueue", "/dev/mqueue", "--spawn", "/opt/klearct/klearct-spawn", "--sandboxed"]


@dataclass
class DockerSettings:
    jobs_per_container: int = 200
    container_memory_mb: int = 3072  # the whole container: runner, program, its tmpfs files
    workdir_mb: int = 512
    tmp_mb: int = 64
    pids: int = 256
    cpus: float = 1.0
    runtime: str | None = None  # e.g. "runsc" for gVisor


class RunnerStream:
    """One runner started with --serve in a container, answering a request per line."""

    def __init__(self, api, container):
        from docker.utils.socket import frames_iter

        self.api = api
        self.exec_id = api.exec_create(container.id, [*RUNNER_CMD, "--serve"], stdin=True, stdout=True,
                                       stderr=True)["Id"]
        self.stream = api.exec_start(self.exec_id, socket=True)
        self.socket = getattr(self.stream, "_sock", self.stream)
        self.frames = frames_iter(self.stream, tty=False)
        self.out = bytearray()  # the answer so far to the request in flight
        self.err = bytearray()  # the runner's own stderr, its last 4 KB
        self.worn = False  # it carried a large request or answer: start a fresh one next time

    def request(self, request: dict, watchdog_s: float) -> None:
        """Send `request` and read its answer into `out`, up to its "done" line or the end of the
        stream (parse_runner_output tells which). Raises TimeoutError past `watchdog_s` and OSError
        when the connection breaks."""
        deadline = time.monotonic() + watchdog_s
        self.out.clear()
        line = json.dumps(request).encode() + b"\n"
        self.socket.settimeout(watchdog_s)
        self.socket.sendall(line)
        self.worn = len(line) > RUNNER_RECYCLE_BYTES
        for kind, data in self.frames:
            if kind == 1:
                self.out.extend(data)
                # the runner's own lines are whole JSON objects; a program's output only appears inside them
                if self.out.endswith(b"\n") and self.out[self.out.rfind(b"\n", 0, -1) + 1:].startswith(b'{"done"'):
                    self.worn = self.worn or len(self.out) > RUNNER_RECYCLE_BYTES
                    return
            else:
                self.err.extend(data)
                del self.err[:-4096]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.socket.settimeout(remaining)

    def exit_code(self) -> int | None:
        try:
            return self.api.exec_inspect(self.exec_id).get("ExitCode")
        except Exception:  # noqa: BLE001 - the container is gone
            return None

    def close(self) -> None:
        try:
            self.stream.close()
        except Exception:  # noqa: BLE001
            pass


@dataclass
class Slot:
    index: int
    container: object | None = None
    jobs: int = 0
    runner: RunnerStream | None = None  # kept open across the slot's requests


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def connect():
    import docker
    import docker.errors

    try:
        client = docker.from_env(timeout=120)
        client.ping()
        return client
    except docker.errors.DockerException as e:
        raise SandboxError(f"no Docker engine answers ({e}); start dockerd or use --backend local") from None


def remove_orphans(client) -> int:
    """Remove sandbox containers whose owning process (on this host) is gone."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        host, _, pid = container.labels.get(OWNER_LABEL, "").rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # the owner is alive
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        try:
            container.remove(force=True)
            removed += 1
        except Exception:  # noqa: BLE001 - gone already, or being removed by someone else
            pass
    return removed


class DockerSandbox(Sandbox):
    kind = "docker"

    def __init__(self, slots: int | None = None, image: str | None = None, client=None,
                 settings: DockerSettings | None = None, **kwargs):
        self.client = client or connect()
        self.image = image or require_image(self.client)
        self.image_id = self.client.images.get(self.image).id
        self.settings = settings or DockerSettings()
        remove_orphans(self.client)
        super().__init__(slots or os.cpu_count() or 1, **kwargs)
        # each slot runs as a uid of its own, on this whole host: per-user limits of one never touch another
        self.uids = UidBlock(self.slots)
        self._closed = False
        self._close_lock = threading.Lock()
        self._live: dict[int, object] = {}
        self._free: queue.Queue[Slot] = queue.Queue()
        self._retiring = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="klearct-retire")
        atexit.register(self.close)
        with ThreadPoolExecutor(max_workers=self.slots) as pool:
            ready = list(pool.map(self._fresh_slot, range(self.slots)))
        for slot in ready:
            self._free.put(slot)
        if not any(slot.container for slot in ready):
            self.close()
            raise SandboxError(f"could not start any sandbox container from {self.image}")

    def toolchain_id(self) -> str:
        return f"docker:{self.image_id}"

    # -- containers ----------------------------------------------------------------------------
    def _start_container(self, index: int):
        import docker.types

        s = self.settings
        uid = self.uids.uid(index)
        return self.client.containers.run(
            self.image, command=["python3", "/opt/klearct/runner.py", "--init"], detach=True,
            user=f"{uid}:{uid}", network_mode="none", read_only=True, hostname="sandbox",
            tmpfs={"/work": f"size={s.workdir_mb}m,nr_inodes=65536,mode=1777,exec,nosuid,nodev",
                   "/tmp": f"size={s.tmp_mb}m,nr_inodes=4096,mode=1777,nosuid,nodev"},
            shm_size="16m", cap_drop=["ALL"], security_opt=["no-new-privileges"],
            pids_limit=s.pids, mem_limit=f"{s.container_memory_mb}m", memswap_limit=f"{s.container_memory_mb}m",
            nano_cpus=int(s.cpus * 1e9), runtime=s.runtime, environment={"PATH": "/usr/local/bin:/usr/bin:/bin"},
            ulimits=[docker.types.Ulimit(name="core", soft=0, hard=0)],
            labels={LABEL: "1", OWNER_LABEL: owner_id()},
        )

    def _fresh_slot(self, index: int) -> Slot:
        slot = Slot(index)
        try:
            slot.container = self._start_container(index)
            self._live[index] = slot.container
        except Exception:  # noqa: BLE001 - an unstartable slot is retried when next used
            slot.container = None
        return slot

    def _retire(self, slot: Slot) -> Slot:
        if slot.runner is not None:
            slot.runner.close()
        container = self._live.pop(slot.index, None)
        if container is not None:
            try:
                container.remove(force=True)
            except Exception:  # noqa: BLE001
                pass
        return Slot(slot.index) if self._closed else self._fresh_slot(slot.index)

    def close(self) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._retiring.shutdown(wait=True)  # a container being started is in _live once this returns
        # containers first: runs in flight end at once instead of being waited for
        live, self._live = list(self._live.values()), {}
        for container in live:
            try:
                container.remove(force=True)
            except Exception:  # noqa: BLE001
                pass
        super().close()
        self.uids.release()

    # -- one request ----------------------------------------------------------------------------
    def _call_runner(self, request: dict, watchdog_s: float) -> RunnerReply:
        if self._closed:
            return RunnerReply(fault="the sandbox is closed", sandbox_failed=True)
        slot = self._free.get()
        reply = RunnerReply(fault="not run", sandbox_failed=True)
        try:
            if slot.container is None:
                slot = self._retire(slot)
            if slot.container is None:
                reply = RunnerReply(fault=f"could not start a container from {self.image}", sandbox_failed=True)
            else:
                reply = self._exec(slot, request, watchdog_s)
            return reply
        finally:
            slot.jobs += 1
            if reply.fault or reply.oom or reply.dirty or slot.jobs >= self.settings.jobs_per_container:
                self._replace(slot)
            else:
                self._free.put(slot)

    def _replace(self, slot: Slot) -> None:
        """Retire the slot's container and start its next one off the request's path, so no answer waits
        for a container start (0.3-0.6 s); the slot rejoins the pool once its new container is up."""
        try:
            self._retiring.submit(lambda: self._free.put(self._retire(slot)))
        except RuntimeError:  # closing: the retiring pool is shut down
            self._free.put(self._retire(slot))

    def _exec(self, slot: Slot, request: dict, watchdog_s: float) -> RunnerReply:
        try:
            if slot.runner is None:
                slot.runner = RunnerStream(self.client.api, slot.container)
        except Exception as e:  # noqa: BLE001 - engine or container trouble
            return RunnerReply(fault=f"docker exec failed: {e}", sandbox_failed=True)
        runner, fault = slot.runner, None
        try:
            runner.request(request, watchdog_s)
        except TimeoutError:
            fault = f"watchdog: no complete answer within {watchdog_s:.0f}s"
        except OSError as e:
            fault = f"connection to the runner broke: {e}"
        reply = parse_runner_output(bytes(runner.out))
        if fault is None and reply.fault is None:
            if runner.worn:
                runner.close()  # it reads EOF and exits; the next runner kills it if it has not yet
                slot.runner = None
            return self._check_oom(slot.container, reply)
        reply.fault = fault or reply.fault
        runner.close()
        slot.runner = None  # the slot is retired with its container
        exit_code = None if fault else runner.exit_code()
        if exit_code not in (None, 137, -9):
            # the runner ended by itself, not killed: the sandbox's own failure
            reply.sandbox_failed = True
            reply.fault = f"runner exited with {exit_code}: {runner.err.decode(errors='replace')[-500:]}"
        return self._check_oom(slot.container, reply, force=True)

    @staticmethod
    def _check_oom(container, reply: RunnerReply, force: bool = False) -> RunnerReply:
        """A SIGKILL that no limit of ours explains may be the container's memory cgroup."""
        suspicious = force or any(line.get("signal") == 9 and not line.get("timed_out")
                                  and not line.get("output_exceeded") for line in reply.lines)
        if not suspicious:
            return reply
        try:
            container.reload()
            state = container.attrs["State"]
        except Exception:  # noqa: BLE001
            reply.fault = reply.fault or "the container disappeared"
            reply.sandbox_failed = True
            return reply
        if state.get("OOMKilled"):
            reply.oom = True
            for line in reply.lines:
                if line.get("signal") == 9 and not line.get("timed_out"):
                    line["container_oom"] = True
        elif not state.get("Running"):
            reply.fault = reply.fault or "the container stopped"
            reply.sandbox_failed = True
        return reply
