#!/usr/bin/env python3
"""The in-sandbox runner: runs one program on a batch of inputs under per-run limits.

Stdlib only, never imports klear_ct: it is copied into the sandbox image and also
started by the local backend inside fresh namespaces. It refuses to run outside a
sandbox: it only empties directories that sit on tmpfs, and only kills stray
processes when it is pid 1 of its namespace or inside a container.

Protocol: one JSON request on stdin, JSON lines on stdout (with --serve: one request per line,
each answered in full before the next is read).

  request  = {"action": "compile" | "run", "files": {name: {"b64": str, "mode": int}},
              "cmd": [argv], "inputs": [str] (run), "collect": name (compile),
              "input_files": [{name: {"b64", "mode"}}] (run; extra files per input, e.g. for checkers),
              "limits": {cpu_s, wall_s, address_space_bytes, stack_bytes, fsize_bytes,
                         nofile, nproc, output_bytes, stderr_bytes, collect_bytes,
                         memory_bytes, memory_probe, time_limit_s, cpu_stop_s},
              "env": {str: str}, "run_as": [uid, gid] | null, "output_file": name | null,
              "stop_after_failure": bool (run; stop at the first run that cannot be OK)}
  response = one line per input: {"i": k, "exit_code", "signal", "cpu_ms", "wall_ms",
             "peak_kb", "stdout", "stderr_tail", "timed_out", "output_exceeded",
             "memory_exceeded", "error"}; compile adds "artifact_b64"; a last line
             {"done": true, "dirty": bool, "stopped": bool} (stopped: inputs left unrun on purpose).

The runner only measures; the host turns measurements into verdicts. What it measures:
- CPU time of the whole process tree: the helper's exact report for the program and
  what it waited for, plus every orphan, which reaches the runner (a child subreaper)
  and is reaped by it before the run's result is written.
- When sandboxed, CPU time and resident memory of all the run's processes are polled:
  past the time limit (plus a small margin) the run is stopped at once, not at the
  next whole second of RLIMIT_CPU.
- Memory: the program's peak resident size (helper), and, when sandboxed, the sum of
  the resident sizes of all the run's processes, polled, so that forked processes
  cannot split a memory bomb between them (`memory_exceeded`).
- With `memory_probe`, a run that crashed the way programs crash when an allocation
  fails at the address-space limit (SIGSEGV on a NULL malloc, a binary too big to
  load) is run once more without that limit, still under the polled memory cap: when
  it then exceeds the cap or succeeds, the limit caused the crash (`memory_exceeded`).
"""

import base64
import ctypes
import json
import os
import resource
import selectors
import shutil
import signal
import stat
import sys
import tempfile
import time

READ_CHUNK = 1 << 16
GRACE_S = 0.2  # how long to drain pipes still held open after the program exited
POLL_S = 0.01  # how often the CPU time and resident memory of all the run's processes are summed
REAP_S = 5.0  # how long killed processes may take to die before the sandbox counts as dirty
PAGE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FLUSH_S = 0.02  # answer lines wait at most this long for the next one before they are sent
CPU_KILL_MARGIN_S = 0.05  # past the time limit by this much (polled), the run is TLE anyway: stop it
PR_SET_CHILD_SUBREAPER = 36
PR_SET_DUMPABLE = 4
LIBC = ctypes.CDLL(None, use_errno=True)  # prctl, mount and System V IPC, which os does not offer
ALLOCATION_CRASHES = (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGKILL)
PRIVATE_MOUNTS = (("/tmp", "size=576m,nr_inodes=65536,mode=1777"),
                  ("/var/tmp", "size=16m,nr_inodes=1024,mode=1777"),
                  ("/dev/shm", "size=16m,nr_inodes=1024,mode=1777"))
PRIVATE_HOME = "/tmp/.klearct"


class RefuseToRun(Exception):
    pass


# -- per-run limits and process start --------------------------------------------------------
def decode_files(files):
    """{name: {"b64", "mode"}} of a request as {name: (bytes, mode)}, decoded once for all its runs."""
    return {name: (base64.b64decode(spec["b64"]), spec.get("mode", 0o644)) for name, spec in files.items()}


def write_files(directory, files, run_as):
    """Write decode_files' {name: (bytes, mode)} into a run's directory."""
    for name, (data, mode) in files.items():
        if "/" in name or name in ("", ".", ".."):
            raise ValueError(f"bad file name {name!r}")
        path = os.path.join(directory, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if run_as:
            os.chown(path, run_as[0], run_as[1])


def read_regular_file(directory, name, cap):
    """Read a file a program left behind, refusing links, FIFOs, devices and oversize files."""
    if "/" in name:
        raise ValueError(f"bad file name {name!r}")
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dfd)
    except OSError as e:
        raise ValueError(f"cannot open {name}: {e.strerror}") from None
    finally:
        os.close(dfd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{name} is not a regular file")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, READ_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > cap:
                raise ValueError(f"{name} is larger than {cap} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


RLIMITS = (("cpu", "cpu_s"), ("as", "address_space_bytes"), ("stack", "stack_bytes"), ("fsize", "fsize_bytes"),
           ("nofile", "nofile"), ("nproc", "nproc"))
DEFAULT_SIGNALS = (signal.SIGPIPE, signal.SIGINT, signal.SIGXFSZ, signal.SIGCHLD)  # we ignore some of them


def spawn(cmd, cwd, env, limits, run_as, helper):
    """Start the program through the klearct-spawn helper (see spawn.c), which sets up its
    session, user and rlimits and reports its exact rusage on the returned report pipe.
    posix_spawn (vfork + exec of a small static binary) is much cheaper than forking us.
    Returns (pid, stdin_w, stdout_r, stderr_r, report_r)."""
    report_r, report_w = os.pipe()
    os.set_inheritable(report_w, True)
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    settings = [f"{name}={int(limits[key])}" for name, key in RLIMITS if limits.get(key) is not None]
    user = [str(run_as[0]), str(run_as[1])] if run_as else ["-", "-"]
    argv = [helper, str(report_w), cwd, *user, *settings, "core=0", "--", *cmd]
    actions = [(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)]
    try:
        pid = os.posix_spawn(helper, argv, env, file_actions=actions, setsigdef=DEFAULT_SIGNALS)
    finally:
        for fd in (in_r, out_w, err_w, report_w):
            os.close(fd)
    return pid, in_w, out_r, err_r, report_r


def read_report(report_r):
    """The helper's line: ((wait status, maxrss kb, cpu ms), None), or (None, exec failure)."""
    data = b""
    try:
        while True:
            chunk = os.read(report_r, 256)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(report_r)
    words = data.split()
    if len(words) >= 2 and words[0] == b"exec":
        return None, f"cannot execute the program: {os.strerror(int(words[1]))}"
    if len(words) == 4:
        status, maxrss, utime, stime = (int(w) for w in words)
        return (status, maxrss, (utime + stime) / 1000.0), None
    return None, None  # the helper was killed with the program


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def may_kill_strays():
    """Only inside a sandbox: as pid 1 of a pid namespace, or as a non-root user in a container."""
    return os.getpid() == 1 or (os.path.exists("/.dockerenv") and os.getuid() != 0)


def kill_strays():
    """Kill every process we may signal except ourselves: daemons that left the group.

    Every other process we may signal is a leftover of the program (pid 1 is immune
    inside its namespace); the kernel walks the task list atomically, so a forking
    daemon cannot outrun it.
    """
    try:
        os.kill(-1, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def settle_strays(timeout):
    """Kill every process we may signal and wait until none of them runs: a runner the host let go
    may still be exiting, and its memory must not count in our first run's."""
    deadline = time.monotonic() + timeout
    me = str(os.getpid())
    while True:
        kill_strays()
        alive = False
        for name in os.listdir("/proc"):
            if not name.isdigit() or name in ("1", me):
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    alive = alive or f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
            except (OSError, IndexError):
                pass
        if not alive or time.monotonic() > deadline:
            return
        time.sleep(0.001)


def reap_children(timeout):
    """Wait until every child (orphans included: we are their subreaper) is reaped.

    Killed processes still count against the next run's process limit until reaped,
    and their CPU time only reaches our RUSAGE_CHILDREN then. False on time-out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.001)


def tree_usage():
    """(CPU seconds, resident bytes) of every process in our pid namespace but pid 1 and
    ourselves: the run's processes. CPU includes what each one has reaped of its children."""
    ticks = pages = 0
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit() or name == "1" or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            ticks += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
            pages += int(fields[21])
        except (OSError, ValueError, IndexError):
            pass
    return ticks / CLOCK_TICKS, pages * PAGE


def cpu_seconds(usage):
    return usage.ru_utime + usage.ru_stime


# -- one run ------------------------------------------------------------------------------------
def run_one(cmd, cwd, env, stdin_bytes, limits, run_as, sandboxed, helper):
    wall_s = float(limits.get("wall_s", 10))
    out_cap = int(limits.get("output_bytes", 64 << 20))
    err_keep = int(limits.get("stderr_bytes", 4096))
    err_cap = max(out_cap, 1 << 20)  # stderr is drained up to this, then the run is stopped
    memory_cap = limits.get("memory_bytes") if sandboxed else None
    # RLIMIT_CPU counts whole seconds per process; the poll stops a run right after its stop time (its
    # limit, or for a problem's solution a little past it, to tell a near miss from an overshoot)
    stop_s = limits.get("cpu_stop_s") or limits.get("time_limit_s")
    cpu_cap = float(stop_s) + CPU_KILL_MARGIN_S if sandboxed and stop_s else None
    polling = bool(memory_cap or cpu_cap)
    children_before = cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN))
    started = time.monotonic()
    pid, in_w, out_r, err_r, report_r = spawn(cmd, cwd, env, limits, run_as, helper)
    result = {"exit_code": None, "signal": None, "cpu_ms": 0, "wall_ms": 0, "peak_kb": 0,
              "stdout": b"", "stderr_tail": "", "timed_out": False, "output_exceeded": False,
              "memory_exceeded": False, "error": None}
    resident_peak = 0
    out, err = bytearray(), bytearray()
    err_total = 0
    sel = selectors.DefaultSelector()
    for fd in (in_w, out_r, err_r):
        os.set_blocking(fd, False)
    view = memoryview(stdin_bytes)
    if view:
        sel.register(in_w, selectors.EVENT_WRITE)
    else:
        os.close(in_w)
        in_w = None
    sel.register(out_r, selectors.EVENT_READ)
    sel.register(err_r, selectors.EVENT_READ)
    pidfd = os.pidfd_open(pid)
    sel.register(pidfd, selectors.EVENT_READ)
    deadline = started + wall_s
    next_poll = started + POLL_S
    status = rusage = None
    while True:
        now = time.monotonic()
        if status is None and now >= deadline:
            result["timed_out"] = True
            kill_group(pid)
            deadline = now + GRACE_S
        elif status is not None and now >= deadline:
            break
        if polling and status is None and now >= next_poll:
            cpu, resident = tree_usage()
            resident_peak = max(resident_peak, resident)
            if memory_cap and resident_peak > memory_cap and not result["memory_exceeded"]:
                result["memory_exceeded"] = True
                kill_group(pid)
                kill_strays()
            elif cpu_cap and cpu > cpu_cap:
                kill_group(pid)
                kill_strays()
            next_poll = now + POLL_S
        if not sel.get_map():
            break
        wait = deadline - now
        if polling and status is None:
            wait = min(wait, next_poll - now)
        flush_at = Answers.due(started, now)
        if flush_at is not None:
            wait = min(wait, flush_at - now)
        for key, _ in sel.select(timeout=max(0.0, wait)):
            fd = key.fd
            if fd == pidfd:
                _, status, rusage = os.wait4(pid, 0)
                sel.unregister(pidfd)
                os.close(pidfd)
                pidfd = None
                kill_group(pid)  # children still holding our pipes
                deadline = time.monotonic() + GRACE_S
            elif fd == in_w:
                try:
                    view = view[os.write(in_w, view[:READ_CHUNK]):]
                except BlockingIOError:
                    pass
                except OSError:  # the program closed its stdin
                    view = view[:0]
                if not view:
                    sel.unregister(in_w)
                    os.close(in_w)
                    in_w = None
            else:
                chunk = os.read(fd, READ_CHUNK)
                if not chunk:
                    sel.unregister(fd)
                elif fd == out_r:
                    out += chunk
                    if len(out) > out_cap:
                        del out[out_cap:]
                        result["output_exceeded"] = True
                        kill_group(pid)
                        sel.unregister(out_r)
                else:
                    err_total += len(chunk)
                    err += chunk
                    del err[:-err_keep]
                    if err_total > err_cap:
                        result["output_exceeded"] = True
                        kill_group(pid)
                        sel.unregister(err_r)
    if status is None:
        kill_group(pid)
        _, status, rusage = os.wait4(pid, 0)
    if pidfd is not None:
        os.close(pidfd)
    if sandboxed:
        kill_strays()
    result["reaped"] = reap_children(REAP_S)
    for fd in (in_w, out_r, err_r):
        if fd is not None:
            os.close(fd)
    sel.close()
    result["wall_ms"] = round((time.monotonic() - started) * 1000, 3)
    # everything the run's processes used reached our RUSAGE_CHILDREN once reaped: the helper
    # (with the program and what it waited for) and every orphan
    tree_cpu_ms = (cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN)) - children_before) * 1000
    orphans_cpu_ms = max(0.0, tree_cpu_ms - cpu_seconds(rusage) * 1000)
    cpu_ms, peak_kb = tree_cpu_ms, rusage.ru_maxrss
    report, exec_failure = read_report(report_r)
    if report is not None:  # exact for the program; the helper's own start-up is left out
        status, peak_kb, program_cpu_ms = report
        cpu_ms = program_cpu_ms + orphans_cpu_ms
    elif exec_failure:
        result["error"], status = exec_failure, 127 << 8
    result["cpu_ms"] = round(cpu_ms, 3)
    result["peak_kb"] = max(peak_kb, resident_peak // 1024)
    if os.WIFSIGNALED(status):
        result["signal"] = os.WTERMSIG(status)
    else:
        result["exit_code"] = os.WEXITSTATUS(status)
    result["stdout"] = bytes(out).decode("utf-8", errors="replace")
    result["stderr_tail"] = bytes(err).decode("utf-8", errors="replace")
    return result


# -- between runs: nothing may survive ------------------------------------------------------------
def tmpfs_mount_points():
    points = set()
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            fstype = fields[fields.index("-") + 1]
            if fstype == "tmpfs":
                points.add(fields[4].replace("\\040", " "))
    return points


def on_tmpfs(path, points):
    """True when the mount holding `path` is a tmpfs: the only kind of directory we ever empty."""
    path = os.path.realpath(path)
    best, best_is_tmpfs = "", False
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point = fields[4].replace("\\040", " ")
            inside = path == point or path.startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, best_is_tmpfs = point, point in points
    return best_is_tmpfs


def _make_removable(func, path, _exc):
    """rmtree error handler: a program may have left directories without permissions.
    `func` may be os.open or os.scandir (which need more than a path): retry the removal itself."""
    for target in (os.path.dirname(path), path):
        try:
            if not os.path.islink(target):
                os.chmod(target, 0o700)
        except OSError:
            pass
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def clean_dirs(paths, keep=None):
    """Empty the directories every run can write to, so nothing leaks into the next run.
    Returns False when something could not be removed (the sandbox is then replaced)."""
    clean = True
    for base in paths:
        for attempt in range(2):
            try:
                entries = [e for e in os.listdir(base) if os.path.join(base, e) != keep]
            except OSError:
                break
            if not entries:
                break
            if attempt:
                clean = False
                break
            for name in entries:
                path = os.path.join(base, name)
                try:
                    if os.path.isdir(path) and not os.path.islink(path):
                        shutil.rmtree(path, onerror=_make_removable)
                    else:
                        os.unlink(path)
                except OSError:
                    pass
    return clean


IPC_RMID = 0
IPC_REMOVERS = {"shm": lambda ident: LIBC.shmctl(ident, IPC_RMID, None),
                "msg": lambda ident: LIBC.msgctl(ident, IPC_RMID, None),
                "sem": lambda ident: LIBC.semctl(ident, 0, IPC_RMID)}


def remove_ipc_objects(mqueue_dirs):
    """System V segments, queues and semaphores and POSIX message queues live in the IPC
    namespace, not in a directory we empty: remove them all. False when some remain."""
    clean = True
    for kind, remove in IPC_REMOVERS.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            if remove(int(row.split()[1])) != 0:
                clean = False
    for directory in mqueue_dirs:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                clean = False
    return clean


# -- the request ----------------------------------------------------------------------------------
def crashed_at_address_space_limit(result, limits):
    """A crash that an allocation failing under RLIMIT_AS explains (not one of our own kills)."""
    if not limits.get("memory_probe") or limits.get("address_space_bytes") is None:
        return False
    if result["timed_out"] or result["output_exceeded"] or result["memory_exceeded"]:
        return False
    if result["cpu_ms"] >= float(limits.get("time_limit_s", 0)) * 1000:
        return False  # out of time, whatever else happened
    exec_enomem = result["exit_code"] == 127 and "Cannot allocate memory" in (result["error"] or "")
    return result["signal"] in ALLOCATION_CRASHES or exec_enomem


def probe_memory(cmd, cwd, env, stdin_bytes, limits, run_as, helper):
    """Run again with no address-space limit, under the polled memory cap only. Returns
    (whether the program then needs more memory than allowed or no longer crashes, the probe)."""
    probe = run_one(cmd, cwd, env, stdin_bytes, dict(limits, address_space_bytes=None), run_as, True, helper)
    succeeded = probe["exit_code"] == 0 and not probe["timed_out"] and not probe["output_exceeded"]
    return probe["memory_exceeded"] or succeeded, probe


def ended_badly(result, limits):
    """The run cannot be OK, whatever it printed (the host's verdict.py decides which failure)."""
    over_time = result["cpu_ms"] > float(limits.get("time_limit_s") or "inf") * 1000
    over_memory = result["peak_kb"] * 1024 > float(limits.get("memory_bytes") or "inf")
    return bool(result["signal"] or result["exit_code"] != 0 or result["timed_out"] or result["output_exceeded"]
                or result["memory_exceeded"] or result["error"] or over_time or over_memory)


class Answers:
    """Answer lines to the host. Lines of quick runs go out together (each flush is a trip through
    the container engine's stream that costs as much as a trivial run); none waits more than about
    FLUSH_S: a run still going after that long sends what is pending (`run_one` calls `due`)."""

    pending = False
    last_flush = 0.0

    @classmethod
    def emit(cls, obj, final=False):
        sys.stdout.write(json.dumps(obj) + "\n")
        cls.pending = True
        if final or time.monotonic() - cls.last_flush >= FLUSH_S:
            cls.flush()

    @classmethod
    def flush(cls):
        sys.stdout.flush()
        cls.pending, cls.last_flush = False, time.monotonic()

    @classmethod
    def due(cls, started, now):
        """Flush when a run has gone on for FLUSH_S; returns when to ask again (None: nothing pending)."""
        if not cls.pending:
            return None
        if now - started >= FLUSH_S:
            cls.flush()
            return None
        return started + FLUSH_S


def handle(request, workroot, shared_dirs, sandboxed, helper, keep, mqueue_dirs=()):
    limits = request.get("limits", {})
    run_as = request.get("run_as")
    env = request.get("env") or {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    cmd = request["cmd"]
    if "/" not in cmd[0]:
        cmd = [shutil.which(cmd[0], path=env.get("PATH")) or cmd[0]] + cmd[1:]
    inputs = request.get("inputs", [""]) if request["action"] == "run" else [""]
    files = decode_files(request.get("files", {}))
    dirty = stopped = False
    for i, text in enumerate(inputs):
        box = tempfile.mkdtemp(prefix="box", dir=workroot)
        os.chmod(box, 0o755)
        if run_as:
            os.chown(box, run_as[0], run_as[1])
        env_i = dict(env, HOME=box, TMPDIR=box)
        try:
            write_files(box, files, run_as)
            if request.get("input_files"):
                write_files(box, decode_files(request["input_files"][i]), run_as)
            stdin_bytes = text.encode("utf-8", errors="surrogateescape")
            result = run_one(cmd, box, env_i, stdin_bytes, limits, run_as, sandboxed, helper)
            if sandboxed and crashed_at_address_space_limit(result, limits):
                exceeded, probe = probe_memory(cmd, box, env_i, stdin_bytes, limits, run_as, helper)
                dirty = not probe["reaped"] or dirty
                if exceeded:
                    result["memory_exceeded"] = True
                    result["peak_kb"] = max(result["peak_kb"], probe["peak_kb"])
                    result["error"] = "crashed at the address-space limit; without it, used more than allowed"
            if request["action"] == "compile" and request.get("collect") and result["exit_code"] == 0:
                try:
                    data = read_regular_file(box, request["collect"], int(limits.get("collect_bytes", 64 << 20)))
                    result["artifact_b64"] = base64.b64encode(data).decode()
                except ValueError as e:
                    result["error"] = str(e)
            output_file = request.get("output_file")
            if output_file and request["action"] == "run" and not result["timed_out"]:
                try:
                    data = read_regular_file(box, output_file, int(limits.get("output_bytes", 64 << 20)))
                    result["stdout"] = data.decode("utf-8", errors="replace")
                except ValueError as e:
                    result["error"] = f"output file: {e}"
            dirty = not result.pop("reaped") or dirty
        finally:
            dirty = not clean_dirs([workroot] + shared_dirs, keep) or dirty
            if sandboxed:
                dirty = not remove_ipc_objects(mqueue_dirs) or dirty
        result["i"] = i
        Answers.emit(result)
        if dirty:
            break  # the next run must not see what this one left: the host replaces us
        if request.get("stop_after_failure") and ended_badly(result, limits):
            stopped = True
            break
    Answers.emit({"done": True, "dirty": dirty, "stopped": stopped}, final=True)


MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 4, 8, 32, 4096
# per-mount flags a remount must repeat (the kernel refuses to drop them in a user namespace)
MOUNT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": 1024,
               "nodiratime": 2048, "relatime": 1 << 21, "strictatime": 1 << 24}


def make_mounts_read_only(keep):
    """Every mount but ours becomes read-only in this mount namespace: no world-writable
    directory of the host (/run/lock, /var/crash ...) can carry a file to the next run."""
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split() for line in f]
    for fields in mounts:
        point = fields[4].replace("\\040", " ")
        if point in keep or point.startswith(("/proc", "/sys")):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for word in fields[5].split(","):
            flags |= MOUNT_FLAGS.get(word, 0)
        LIBC.mount(None, point.encode(), None, flags, None)  # best effort: a mount may be gone


def make_private_tmp(helper_source):
    """Local backend, in a fresh mount namespace: new tmpfs over /tmp, /var/tmp, /dev/shm,
    everything else read-only, and a view of this IPC namespace's POSIX message queues.

    Done here rather than by a shell before starting us, because this interpreter and
    the helper may themselves live under /tmp; the helper is read before the mounts.
    Returns (workroot, keep, helper path, message-queue directory) inside the private /tmp.
    """
    with open(helper_source, "rb") as f:
        helper_bytes = f.read()
    for target, options in PRIVATE_MOUNTS:
        if LIBC.mount(b"tmpfs", target.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options.encode()) != 0:
            err = ctypes.get_errno()
            raise RefuseToRun(f"mount tmpfs on {target}: {os.strerror(err)}")
    make_mounts_read_only({target for target, _ in PRIVATE_MOUNTS})
    workroot = os.path.join(PRIVATE_HOME, "work")
    os.makedirs(workroot, 0o755)
    os.chmod(PRIVATE_HOME, 0o755)
    mqueue = os.path.join(PRIVATE_HOME, "mqueue")
    os.makedirs(mqueue, 0o700)
    if LIBC.mount(b"mqueue", mqueue.encode(), b"mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) != 0:
        mqueue = None  # without it, queues die with the namespace at the end of the request
    helper = os.path.join(PRIVATE_HOME, "klearct-spawn")
    with open(helper, "wb") as f:
        f.write(helper_bytes)
    os.chmod(helper, 0o755)
    return workroot, PRIVATE_HOME, helper, mqueue


def make_undumpable():
    """Programs may run as our uid: without this they could ptrace us or read our /proc files."""
    try:
        LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def resume_stopped():
    """SIGCONT every stopped process: a program's kill(-1, SIGSTOP) must not freeze the runner."""
    for name in os.listdir("/proc"):
        if not name.isdigit() or name == "1":
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
            if state == b"T":
                os.kill(int(name), signal.SIGCONT)
        except (OSError, IndexError):
            pass


def init_loop():
    """pid 1 of a sandbox container: reap orphans, wake stopped processes, ignore what programs
    send (pid 1 only receives the signals it handles, so programs cannot stop or kill it)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        resume_stopped()
        time.sleep(0.05)


def option(argv, name, default=None):
    return argv[argv.index(name) + 1] if name in argv else default


def main(argv):
    """--workroot DIR       where each run gets a fresh directory (emptied after every run)
    --clean A:B:...      more directories to empty after every run (/tmp, /dev/shm)
    --private-tmp        local backend: mount fresh tmpfs over /tmp, /var/tmp, /dev/shm first
    --spawn PATH         the klearct-spawn helper (exact memory and CPU of the program)
    --mqueue DIR         the mqueue mount of our IPC namespace, emptied after every run
    --sandboxed          kill every stray process and remove IPC objects after each run
    --init               be pid 1 of a sandbox container
    --serve              answer one request per stdin line (each ends with its "done" line) until EOF
    """
    make_undumpable()
    if "--init" in argv:
        init_loop()
        return 0
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    # orphans of the program come to us, so we can reap them and count their CPU time
    LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        helper = option(argv, "--spawn")
        if not helper:
            raise RefuseToRun("--spawn is required: the helper sets every run up")
        if "--private-tmp" in argv:
            workroot, keep, helper, mqueue = make_private_tmp(helper)
            shared = [target for target, _ in PRIVATE_MOUNTS]
        else:
            workroot, keep, mqueue = option(argv, "--workroot"), None, option(argv, "--mqueue")
            shared = [d for d in option(argv, "--clean", "").split(":") if d]
        if not workroot:
            raise RefuseToRun("--workroot or --private-tmp is required")
        points = tmpfs_mount_points()
        for directory in [workroot] + shared:
            if not on_tmpfs(directory, points):
                raise RefuseToRun(f"{directory} is not on a tmpfs: this runner only works inside a sandbox")
        sandboxed = "--sandboxed" in argv
        if sandboxed and not may_kill_strays():
            raise RefuseToRun("--sandboxed outside a pid namespace or container")
    except RefuseToRun as e:
        sys.stderr.write(f"runner: refusing to run: {e}\n")
        return 2
    if "--serve" not in argv:
        request = json.loads(sys.stdin.buffer.read())
        handle(request, workroot, shared, sandboxed, helper, keep, [mqueue] if mqueue else [])
        return 0
    # one request per line until stdin closes: the host keeps this runner for many requests
    if sandboxed:
        settle_strays(REAP_S)
    for line in sys.stdin.buffer:
        if line.strip():
            handle(json.loads(line), workroot, shared, sandboxed, helper, keep, [mqueue] if mqueue else [])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
