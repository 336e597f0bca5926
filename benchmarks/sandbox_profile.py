#!/usr/bin/env python3
"""Where the sandbox's per-test time goes (companion of sandbox_bench.py).

    .venv/bin/python benchmarks/sandbox_profile.py [--backends docker,local] [--repeats 5]

1. Per request vs per test: one slot, the trivial C++ program, requests of 1 and of
   `--batch` inputs; fixed cost per request = t(1) - per-test cost, per-test cost =
   (t(batch) - t(1)) / (batch - 1). For docker also a bare `docker exec true` and
   `docker exec python3 -c pass` round trip.
2. Inside a sandbox container, the runner's steps for one test, timed one by one with the
   runner's own functions (mkdtemp, write_files, spawn through the helper, run_one,
   clean_dirs, kill_strays), next to plain subprocess / posix_spawn starts of the same binary.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time

from rich.console import Console
from rich.table import Table

from klear_ct.model import Program
from klear_ct.sandbox import Limits, open_sandbox
from klear_ct.sandbox.base import Job
from klear_ct.sandbox.languages import get_language

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from sandbox_bench import CPP_CODE  # noqa: E402

console = Console(width=140)

# Runs inside a sandbox container (as the slot's uid, /work on tmpfs): times the runner's steps.
INSIDE = r'''
import base64, json, os, subprocess, sys, tempfile, time
sys.path.insert(0, "/opt/klearct")
import runner
req = json.loads(sys.stdin.read())
files, limits, env, n = runner.decode_files(req["files"]), req["limits"], req["env"], req["n"]
helper = "/opt/klearct/klearct-spawn"
work = "/work"
out = {}
def timed(name, fn, k=n):
    ts = []
    for _ in range(k):
        t = time.perf_counter(); fn(); ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    out[name] = {"median_ms": ts[len(ts) // 2], "min_ms": ts[0]}
box = tempfile.mkdtemp(prefix="box", dir=work); os.chmod(box, 0o755)
runner.write_files(box, files, None)
def mk():
    d = tempfile.mkdtemp(prefix="box", dir=work); os.chmod(d, 0o755)
timed("mkdtemp+chmod", mk)
runner.clean_dirs([work, "/tmp", "/dev/shm"], None)
box = tempfile.mkdtemp(prefix="box", dir=work); os.chmod(box, 0o755)
runner.write_files(box, files, None)
def wf():
    d = tempfile.mkdtemp(prefix="box", dir=work); runner.write_files(d, files, None)
timed("mkdtemp+write_files (binary)", wf)
runner.clean_dirs([work, "/tmp", "/dev/shm"], None)
box = tempfile.mkdtemp(prefix="box", dir=work); os.chmod(box, 0o755)
runner.write_files(box, files, None)
envb = dict(env, HOME=box, TMPDIR=box)
prog = os.path.join(box, "prog")
def clean_one():
    d = tempfile.mkdtemp(prefix="box", dir=work); runner.write_files(d, files, None)
    runner.clean_dirs([d], None)
timed("mkdtemp+write_files+clean (1 box)", clean_one)
timed("clean_dirs (nothing to remove, 3 dirs)", lambda: runner.clean_dirs(["/tmp", "/dev/shm"], None))
timed("kill_strays", runner.kill_strays)
timed("subprocess.run ./prog (vfork+exec)", lambda: subprocess.run([prog], input=b"21\n", capture_output=True, cwd=box, env=envb))
timed("run_one with helper", lambda: runner.run_one([prog], box, envb, b"21\n", limits, None, False, helper))
timed("run_one with helper + kill_strays", lambda: runner.run_one([prog], box, envb, b"21\n", limits, None, True, helper))
def fork_exec_true():
    pid = os.fork()
    if pid == 0:
        os.execv("/bin/true", ["/bin/true"])
    os.waitpid(pid, 0)
timed("os.fork+execv /bin/true", fork_exec_true)
def spawn_true():
    pid = os.posix_spawn("/bin/true", ["/bin/true"], {})
    os.waitpid(pid, 0)
timed("os.posix_spawn /bin/true", spawn_true)
def spawn_helper_true():
    r, w = os.pipe(); os.set_inheritable(w, True)
    pid = os.posix_spawn(helper, [helper, str(w), "/bin/true"], {})
    os.close(w); os.read(r, 100); os.close(r); os.waitpid(pid, 0)
timed("os.posix_spawn helper -> /bin/true", spawn_helper_true)
def handle_batch():
    import io
    req2 = {"action": "run", "files": req["files"], "cmd": ["./prog"], "inputs": ["21\n"] * n, "limits": limits, "env": env}
    so = sys.stdout; sys.stdout = io.StringIO()
    try:
        runner.handle(req2, work, ["/tmp", "/dev/shm"], True, helper, None)
        lines = [json.loads(l) for l in sys.stdout.getvalue().splitlines()]
    finally:
        sys.stdout = so
    bad = [l for l in lines if "i" in l and (l["exit_code"] != 0 or l["stdout"] != "42\n")]
    assert len(lines) == n + 1 and not bad, bad[:2]
t = time.perf_counter(); handle_batch(); out["runner.handle per test"] = {"median_ms": (time.perf_counter() - t) * 1000 / n, "min_ms": None}
if req.get("cprofile"):
    import cProfile, pstats, io
    prof = cProfile.Profile(); prof.enable(); handle_batch(); prof.disable()
    buf = io.StringIO(); pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(18)
    sys.stderr.write(buf.getvalue())
def handle_n():
    req2 = {"action": "run", "files": req["files"], "cmd": ["./prog"], "inputs": ["21\n"] * n, "limits": limits, "env": env}
    so = sys.stdout; sys.stdout = open(os.devnull, "w")
    try:
        runner.handle(req2, work, ["/tmp", "/dev/shm"], True, helper, None)
    finally:
        sys.stdout.close(); sys.stdout = so
t = time.perf_counter(); handle_n(); out["runner.handle per test (whole loop)"] = {"median_ms": (time.perf_counter() - t) * 1000 / n, "min_ms": None}
print(json.dumps(out))
'''


def per_request(sandbox, request_for, batch: int, repeats: int) -> dict:
    def t(n: int) -> float:
        times = []
        for _ in range(repeats):
            req = request_for(n)
            started = time.perf_counter()
            reply = sandbox._call_runner(req, watchdog_s=120)
            times.append(time.perf_counter() - started)
            if reply.fault or len(reply.lines) != n:
                raise SystemExit(f"runner fault: {reply.fault}")
        return statistics.median(times) * 1000

    t1, tb = t(1), t(batch)
    per_test = (tb - t1) / (batch - 1)
    return {"t1_ms": t1, f"t{batch}_ms": tb, "per_test_ms": per_test, "fixed_ms": t1 - per_test}


def exec_roundtrip(sandbox, cmd: list[str], repeats: int) -> float:
    api = sandbox.client.api
    slot = sandbox._free.get()
    try:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            exec_id = api.exec_create(slot.container.id, cmd)["Id"]
            api.exec_start(exec_id)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000
    finally:
        sandbox._free.put(slot)


def inside(sandbox, files: dict, limits: dict, env: dict, n: int, cprofile: bool = False) -> dict:
    import socket

    from docker.utils.socket import frames_iter

    api = sandbox.client.api
    slot = sandbox._free.get()
    try:
        exec_id = api.exec_create(slot.container.id, ["python3", "-c", INSIDE], stdin=True, stdout=True, stderr=True)["Id"]
        stream = api.exec_start(exec_id, socket=True)
        sock = getattr(stream, "_sock", stream)
        sock.sendall(json.dumps({"files": files, "limits": limits, "env": env, "n": n,
                                 "cprofile": cprofile}).encode())
        sock.shutdown(socket.SHUT_WR)
        out, err = bytearray(), bytearray()
        for kind, data in frames_iter(stream, tty=False):
            (out if kind == 1 else err).extend(data)
        stream.close()
        if cprofile:
            console.print(err.decode(errors="replace"), markup=False, highlight=False)
        if not out:
            raise SystemExit(f"profile script failed: {err.decode(errors='replace')}")
        return json.loads(out.decode().strip().splitlines()[-1])
    finally:
        sandbox._free.put(slot)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="docker,local")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--cprofile", action="store_true", help="cProfile the runner loop")
    args = parser.parse_args()
    program = Program(lang="cpp17", code=CPP_CODE)
    lang = get_language("cpp17")
    limits = Limits()
    for backend in args.backends.split(","):
        with open_sandbox(backend, slots=1) as sandbox:
            compiled = sandbox.compile(program)
            assert compiled.error is None, compiled.error

            def request_for(n: int, sandbox=sandbox, compiled=compiled) -> dict:
                return sandbox._run_request(lang, compiled, [Job(f"{i}\n") for i in range(n)], limits, ())

            sandbox._call_runner(request_for(4), watchdog_s=60)  # warm
            r = per_request(sandbox, request_for, args.batch, args.repeats)
            console.print(f"[bold]{backend}[/]: request of 1 input {r['t1_ms']:.1f} ms, of {args.batch} inputs "
                          f"{r[f't{args.batch}_ms']:.1f} ms -> fixed {r['fixed_ms']:.1f} ms per request, "
                          f"{r['per_test_ms']:.2f} ms per test (median of {args.repeats})")
            if backend == "docker":
                for cmd in (["true"], ["python3", "-c", "pass"], ["python3", "-c", "import json, selectors, "
                                                                   "tempfile, shutil, ctypes, base64"]):
                    console.print(f"  docker exec {' '.join(cmd)!r}: {exec_roundtrip(sandbox, cmd, args.repeats):.1f}"
                                  " ms round trip")
                req = request_for(1)
                steps = inside(sandbox, req["files"], req["limits"], req["env"], 200, args.cprofile)
                table = Table(title="inside a sandbox container: one test's steps (200 each)")
                table.add_column("step")
                table.add_column("median ms", justify="right")
                table.add_column("min ms", justify="right")
                for name, v in steps.items():
                    table.add_row(name, f"{v['median_ms']:.3f}", "-" if v["min_ms"] is None else f"{v['min_ms']:.3f}")
                console.print(table)
                console.print(f"  binary shipped per request: {len(base64.b64decode(req['files']['prog']['b64']))} "
                              "bytes (written once per test)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
