"""The Ray executor: every node of a Ray cluster runs problems on its own warm sandbox.

One actor per alive node with CPUs (pinned there by node affinity) opens that node's sandbox once,
from the driver's configuration, and runs `work(problem, sandbox)` for one problem per call, as many
at once as the node has slots (a threaded actor). The driver keeps at most every node's slots in
flight (memory stays flat in the problem count), hands each record back to `finished` in its own
thread (so the driver alone writes the run directory), and closes the sandboxes at the end.

A node lost mid-run (its actor or raylet died): its problems in flight are sent to another node, up
to `tries` times in all, then recorded failed with the cause `executor_node_lost`. Its containers
died with it, or, when the node's machine lives on, are removed by the next sandbox started there
(docker_backend.remove_orphans)."""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import ray
from ray.exceptions import (
    GetTimeoutError,
    NodeDiedError,
    ObjectLostError,
    RayActorError,
    RayError,
    RayTaskError,
    WorkerCrashedError,
)
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from klear_ct.config import Config
from klear_ct.executor import ExecutorError, Result
from klear_ct.model import Cause, Problem
from klear_ct.sandbox import Sandbox
from klear_ct.sandbox.configured import open_configured_sandbox
from klear_ct.sandbox.timing import TimeFactors

NODE_LOST = (RayActorError, NodeDiedError, WorkerCrashedError, ObjectLostError)
START_TIMEOUT_S = 600.0  # a node's sandbox start: image checks and one container per slot
CLOSE_TIMEOUT_S = 60.0


class NodeSandbox:
    """Lives on one node: that node's sandbox, opened once, and the problems run on it."""

    def __init__(self, config: Config, backend: str | None, slots: int):
        self.warnings: list[str] = []
        self.sandbox = open_configured_sandbox(backend=backend, slots=slots, warn=self.warnings.append,
                                               config=config)
        if config.limits.calibrate:
            self.sandbox.calibrate(config.limits.reference_cpu_ms)  # this node's machine factor

    def ready(self) -> dict:
        from klear_ct.sandbox.docker_backend import owner_id

        return {"owner": owner_id(), "pid": os.getpid(), "slots": self.sandbox.slots,
                "backend": self.sandbox.kind, "time_factors": self.sandbox.time_factors, "warnings": self.warnings}

    def run(self, work: Callable[[Problem, Sandbox], Result], problem: Problem) -> Result:
        return work(problem, self.sandbox)

    def close(self) -> None:
        self.sandbox.close()


@dataclass
class Node:
    node_id: str
    address: str
    actor: object
    slots: int = 0
    owner: str = ""
    busy: int = 0
    problems: int = 0
    lost: str | None = None  # why, once lost
    time_factors: TimeFactors | None = field(default=None, repr=False)

    def describe(self) -> dict:
        return {"address": self.address, "owner": self.owner, "slots": self.slots, "problems": self.problems,
                "lost": self.lost}


def node_slots(node: dict, slots: int | None) -> int:
    """A node's sandbox slots: `slots` (--slots, [sandbox] slots) on every node, else its CPUs in Ray."""
    return slots or max(1, int(node["Resources"].get("CPU", 1)))


class RayExecutor:
    kind = "ray"

    def __init__(self, address: str, config: Config, backend: str | None = None, slots: int | None = None,
                 tries: int = 2, warn: Callable[[str], None] = lambda text: None):
        self.tries, self.warn, self.retried = max(1, tries), warn, 0
        try:
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
        except (ConnectionError, RayError, ValueError) as e:
            raise ExecutorError(f"cannot connect to the Ray cluster at {address!r}: {e}") from None
        try:
            self.nodes = self._start(config, backend or config.sandbox.backend, slots or config.sandbox.slots)
        except BaseException:
            self.close()
            raise
        self.slots = sum(n.slots for n in self.nodes)
        self.time_factors = self.nodes[0].time_factors

    def _start(self, config: Config, backend: str, slots: int | None) -> list[Node]:
        actor_class = ray.remote(NodeSandbox)
        nodes = []
        for info in ray.nodes():
            if not info["Alive"] or info["Resources"].get("CPU", 0) <= 0:
                continue  # a head started with --num-cpus 0 runs no problems
            n = node_slots(info, slots)
            actor = actor_class.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(info["NodeID"], soft=False), num_cpus=0,
                max_concurrency=n + 1, max_restarts=0, max_task_retries=0,  # + 1: ready / close never wait
            ).remote(config, backend, n)
            nodes.append(Node(info["NodeID"], info["NodeManagerAddress"], actor))
        self.all_nodes = nodes
        started = {node.actor.ready.remote(): node for node in nodes}
        ray.wait(list(started), num_returns=len(started), timeout=START_TIMEOUT_S)
        for ref, node in started.items():
            try:
                ready = ray.get(ref, timeout=0)
            except (RayError, GetTimeoutError) as e:  # no Docker engine or image there, or too slow
                self._lose(node, f"its sandbox did not start: {str(e).strip().splitlines()[-1][:300]}")
                self.warn(f"Ray node {node.address} ({node.node_id[:8]}) left out: {node.lost}")
                continue
            node.slots, node.owner, node.time_factors = ready["slots"], ready["owner"], ready["time_factors"]
            for text in ready["warnings"]:
                self.warn(f"Ray node {node.address}: {text}")
        alive = [node for node in nodes if node.lost is None]
        if not alive:
            raise ExecutorError("no node of the Ray cluster could start a sandbox"
                                + (f" (last: {nodes[-1].lost})" if nodes else ": it has no node with CPUs"))
        return alive

    def _lose(self, node: Node, why: str) -> None:
        node.lost = why
        try:
            ray.kill(node.actor, no_restart=True)
        except RayError:
            pass

    def _free_node(self) -> Node | None:
        alive = [node for node in self.nodes if node.lost is None and node.busy < node.slots]
        return max(alive, key=lambda node: node.slots - node.busy, default=None)

    def map(self, problems: Iterable[Problem], work: Callable[[Problem, Sandbox], Result],
            finished: Callable[[Result], None], lost: Callable[[Problem, str, str], Result]) -> None:
        work_ref = ray.put(work)
        pending = iter(problems)
        retry: deque[tuple[Problem, int]] = deque()  # a lost node's problems, with the tries they had
        in_flight: dict = {}  # ObjectRef -> (problem, node, tries so far)
        exhausted = False
        while True:
            while (node := self._free_node()) is not None:
                if retry:
                    problem, tries = retry.popleft()
                elif not exhausted and (problem := next(pending, None)) is not None:
                    tries = 0
                else:
                    exhausted = True
                    break
                node.busy += 1
                in_flight[node.actor.run.remote(work_ref, problem)] = (problem, node, tries + 1)
            if not in_flight:
                if retry or not exhausted:
                    lost_nodes = "; ".join(f"{n.address}: {n.lost}" for n in self.nodes)
                    raise ExecutorError(f"every Ray node was lost ({lost_nodes}); the problems left are pending "
                                        "and a new run resumes them")
                return
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                problem, node, tries = in_flight.pop(ref)
                node.busy -= 1
                try:
                    result = ray.get(ref)
                except NODE_LOST as e:
                    if node.lost is None:
                        self._lose(node, f"{type(e).__name__}: {str(e).strip().splitlines()[0][:300]}")
                        self.warn(f"Ray node {node.address} ({node.node_id[:8]}) lost: {node.lost}")
                    if tries < self.tries:
                        self.retried += 1
                        retry.append((problem, tries))
                    else:
                        finished(lost(problem, Cause.EXECUTOR_NODE_LOST, f"{node.address}: {node.lost}"))
                    continue
                except RayTaskError as e:  # the work itself raised (stage functions record their own faults)
                    cause = e.cause if isinstance(e.cause, BaseException) else e
                    finished(lost(problem, f"{Cause.INTERNAL_ERROR}:{type(cause).__name__}", str(cause)))
                    continue
                node.problems += 1
                finished(result)

    def report(self) -> dict:
        return {"executor": self.kind, "retried": self.retried,
                "nodes": {node.node_id[:12]: node.describe() for node in getattr(self, "all_nodes", [])}}

    def close(self) -> None:
        """Close every node's sandbox (its containers removed), then end the actors and disconnect."""
        nodes = [node for node in getattr(self, "all_nodes", []) if node.lost is None]
        closing = [node.actor.close.remote() for node in nodes]
        if closing:
            ray.wait(closing, num_returns=len(closing), timeout=CLOSE_TIMEOUT_S)
        for node in nodes:
            try:
                ray.kill(node.actor, no_restart=True)
            except RayError:
                pass
        ray.shutdown()
