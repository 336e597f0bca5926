"""A real Ray cluster of two nodes on this machine, for the tests and benchmarks of the Ray executor:
a head and a worker node (`ray start`), each with its own ports and CPUs, in a temp dir of their own.

It never runs `ray stop` (that stops every Ray process on the machine, another user's too): its
processes are found by that temp dir and ended by pid. `kill_worker` ends the worker node the hard
way (its raylet and every process under it), as a machine that disappears would."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKER_RESOURCE = "klearct_worker_node"
WORKER_PORTS = 16  # per node: its actors, idle workers and drivers each take one
# a killed node is noticed in seconds, not the default ~30 s
FAST_HEALTH_CHECKS = {"RAY_health_check_initial_delay_ms": "1000", "RAY_health_check_period_ms": "1000",
                      "RAY_health_check_timeout_ms": "1000", "RAY_health_check_failure_threshold": "3"}


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process here."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(entry.name)] = (int(stat.rpartition(")")[2].split()[1]), cmdline)
    return found


def with_descendants(roots: set[int], table: dict[int, tuple[int, str]]) -> set[int]:
    found, frontier = set(roots), set(roots)
    while frontier:
        frontier = {pid for pid, (parent, _) in table.items() if parent in frontier and pid not in found}
        found |= frontier
    return found


def end(pids: set[int], grace_s: float = 5.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and not zombie(pid) for pid in pids):
            time.sleep(0.1)


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return True


@dataclass
class LocalCluster:
    python: Path  # a Python whose environment has ray (and klearct's dependencies)
    head_cpus: int = 1
    worker_cpus: int = 1
    temp_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kray-", dir="/tmp")))  # short: socket paths
    address: str = ""
    worker_port: int = 0

    def env(self) -> dict[str, str]:
        """The environment of the nodes and of a driver: this checkout's klear_ct first."""
        return {**os.environ, **FAST_HEALTH_CHECKS, "PYTHONPATH": str(REPO), "RAY_USAGE_STATS_ENABLED": "0"}

    def _ray_start(self, *args: str, cpus: int) -> int:
        """Starts one node on ports of its own; its node manager's port, which names its raylet."""
        node, objects, dash_http, dash_grpc, runtime_env, metrics, *workers = free_ports(6 + WORKER_PORTS)
        command = [str(Path(self.python).parent / "ray"), "start", "--node-ip-address", "127.0.0.1",
                   "--num-cpus", str(cpus), "--temp-dir", str(self.temp_dir), "--disable-usage-stats",
                   "--node-manager-port", str(node), "--object-manager-port", str(objects),
                   "--worker-port-list", ",".join(map(str, workers)),
                   "--dashboard-agent-listen-port", str(dash_http), "--dashboard-agent-grpc-port", str(dash_grpc),
                   "--runtime-env-agent-port", str(runtime_env), "--metrics-export-port", str(metrics),
                   "--object-store-memory", str(200 << 20), *args]
        done = subprocess.run(command, env=self.env(), capture_output=True, text=True, timeout=180)
        if done.returncode:
            raise RuntimeError(f"ray start failed ({done.returncode}): {done.stderr[-2000:]}")
        return node

    def start(self) -> LocalCluster:
        head, client, dashboard = free_ports(3)
        self.address = f"127.0.0.1:{head}"
        self._ray_start("--head", "--port", str(head), "--ray-client-server-port", str(client),
                        "--include-dashboard=false", "--dashboard-port", str(dashboard), cpus=self.head_cpus)
        self.worker_port = self._ray_start("--address", self.address,
                                           "--resources", json.dumps({WORKER_RESOURCE: 1}), cpus=self.worker_cpus)
        return self

    def _own(self) -> tuple[set[int], dict[int, tuple[int, str]]]:
        table = processes()
        return {pid for pid, (_, cmd) in table.items() if str(self.temp_dir) in cmd}, table

    def worker_pids(self) -> set[int]:
        """The worker node's raylet and every process under it (its actors among them)."""
        roots, table = self._own()
        raylets = {pid for pid in roots if f"--node_manager_port={self.worker_port}" in table[pid][1]}
        return with_descendants(raylets, table)

    def kill_worker(self) -> set[int]:
        pids = self.worker_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return pids

    def pids(self) -> set[int]:
        roots, table = self._own()
        return with_descendants(roots, table)

    def stop(self) -> None:
        end(self.pids())
        shutil.rmtree(self.temp_dir, ignore_errors=True)


@contextmanager
def local_cluster(python: Path, head_cpus: int = 1, worker_cpus: int = 1) -> Iterator[LocalCluster]:
    """A started two-node cluster; every one of its processes ended on the way out."""
    cluster = LocalCluster(Path(python), head_cpus, worker_cpus)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
