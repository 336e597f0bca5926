"""Docker backend: a pool of warm, locked-down containers, one per slot.

Each request is one `docker exec` of the runner with the whole batch on its stdin.
A container is replaced after `jobs_per_container` requests and after any anomaly;
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


@dataclass
class Slot:
    index: int
    container: object | None = None
    jobs: int = 0


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
                reply = self._exec(slot.container, request, watchdog_s)
            return reply
        finally:
            slot.jobs += 1
            if reply.fault or reply.oom or reply.dirty or slot.jobs >= self.settings.jobs_per_container:
                slot = self._retire(slot)
            self._free.put(slot)

    def _exec(self, container, request: dict, watchdog_s: float) -> RunnerReply:
        from docker.utils.socket import frames_iter

        api = self.client.api
        try:
            exec_id = api.exec_create(container.id, RUNNER_CMD, stdin=True, stdout=True, stderr=True)["Id"]
            stream = api.exec_start(exec_id, socket=True)
        except Exception as e:  # noqa: BLE001 - engine or container trouble
            return RunnerReply(fault=f"docker exec failed: {e}", sandbox_failed=True)
        raw_socket = getattr(stream, "_sock", stream)
        deadline = time.monotonic() + watchdog_s
        out, err = bytearray(), bytearray()
        fault = None
        try:
            raw_socket.settimeout(watchdog_s)
            raw_socket.sendall(json.dumps(request).encode())
            raw_socket.shutdown(socket.SHUT_WR)
            for kind, data in frames_iter(stream, tty=False):
                (out if kind == 1 else err).extend(data)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                raw_socket.settimeout(remaining)
        except TimeoutError:
            fault = f"watchdog: no complete answer within {watchdog_s:.0f}s"
        except OSError as e:
            fault = f"connection to the runner broke: {e}"
        finally:
            stream.close()
        reply = parse_runner_output(bytes(out))
        if fault is None and reply.fault is None:
            return self._check_oom(container, reply)
        reply.fault = fault or reply.fault
        exit_code = None if fault else api.exec_inspect(exec_id).get("ExitCode")
        if exit_code not in (None, 137, -9):
            # the runner ended by itself, not killed: the sandbox's own failure
            reply.sandbox_failed = True
            reply.fault = f"runner exited with {exit_code}: {err.decode(errors='replace')[-500:]}"
        return self._check_oom(container, reply, force=True)

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
