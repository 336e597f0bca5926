"""Docker-only guarantees: how containers are locked down, recycled and always removed."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import docker
import pytest

from klear_ct.model import Program, Verdict
from klear_ct.sandbox import Limits, open_sandbox
from klear_ct.sandbox.docker_backend import LABEL, DockerSandbox, DockerSettings

pytestmark = pytest.mark.docker
PY_ECHO = Program(lang="python3", code="import sys\nsys.stdout.write(sys.stdin.read())\n")


def our_containers():
    return docker.from_env().containers.list(all=True, filters={"label": LABEL})


def still_there(ids):
    return {c.id for c in our_containers()} & set(ids)


def test_every_layer_is_set(docker_sandbox):
    container = next(iter(docker_sandbox._live.values()))
    container.reload()
    host = container.attrs["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["PidsLimit"] == DockerSettings().pids
    assert host["Memory"] == host["MemorySwap"] == DockerSettings().container_memory_mb << 20
    assert set(host["Tmpfs"]) == {"/work", "/tmp"}
    user = container.attrs["Config"]["User"]
    assert user.split(":")[0] not in ("", "0", "root")


def test_runs_as_non_root_without_capabilities(docker_sandbox):
    code = "import os\nprint(os.getuid(), open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
    result = docker_sandbox.run(Program(lang="python3", code=code), [""])[0]
    uid, caps = result.stdout.split()
    assert int(uid) >= 10000 and int(caps, 16) == 0
    seccomp = docker_sandbox.run(Program(lang="python3", code="print(open('/proc/self/status').read())"), [""])[0]
    assert "Seccomp:\t2" in seccomp.stdout


def test_container_is_replaced_after_n_jobs():
    with open_sandbox("docker", slots=1, settings=DockerSettings(jobs_per_container=2)) as sandbox:
        seen = set()
        for i in range(5):
            sandbox.run(PY_ECHO, [str(i)])
            slot = sandbox._free.get(timeout=120)  # back in the pool once a replaced container's successor is up
            seen.add(slot.container.id)
            sandbox._free.put(slot)
        assert len(seen) >= 2
    assert not still_there(seen)


def test_a_program_that_kills_the_runner_gets_re_and_the_slot_recovers():
    killer = Program(lang="python3", code="import os, signal\nos.kill(-1, signal.SIGKILL)\n")
    with open_sandbox("docker", slots=1) as sandbox:
        first_container = next(iter(sandbox._live.values())).id
        results = sandbox.run(killer, ["a"])
        assert results[0].verdict == Verdict.RE
        assert "broke its sandbox" in results[0].message
        slot = sandbox._free.get(timeout=120)  # back in the pool once its replaced container's successor is up
        last_container = slot.container.id
        sandbox._free.put(slot)
        assert last_container != first_container
        assert sandbox.run(PY_ECHO, ["still works"])[0].stdout == "still works"
    assert not still_there([first_container, last_container])


def test_batch_neighbours_of_a_killer_still_get_their_results():
    code = "import os, signal\nif input() == 'kill':\n    os.kill(-1, signal.SIGKILL)\nprint('fine')\n"
    with open_sandbox("docker", slots=1) as sandbox:
        results = sandbox.run(Program(lang="python3", code=code), ["a", "kill", "b"])
    assert [r.verdict for r in results] == [Verdict.OK, Verdict.RE, Verdict.OK]
    assert results[2].stdout == "fine\n"


def test_no_container_left_after_close(docker_sandbox):
    assert our_containers()  # the shared sandbox is open
    with open_sandbox("docker", slots=2) as sandbox:
        sandbox.run(PY_ECHO, ["x"])
        ids = {c.id for c in sandbox._live.values()}
    assert not still_there(ids)


CHILD = textwrap.dedent("""
    import sys, time
    from klear_ct.model import Program
    from klear_ct.sandbox import open_sandbox
    sandbox = open_sandbox("docker", slots=2)
    print("ready", flush=True)
    sandbox.run(Program(lang="python3", code="import time\\ntime.sleep(60)"), ["", ""],)
""")


def _start_child():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.0)  # inside the run
    return child


def test_ctrl_c_removes_the_containers():
    child = _start_child()
    child.send_signal(signal.SIGINT)
    child.wait(timeout=60)
    assert not [c for c in our_containers() if c.labels.get("klearct.owner", "").endswith(f":{child.pid}")]


def test_containers_of_a_killed_process_are_removed_by_the_next_start():
    child = _start_child()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    mine = [c for c in our_containers() if c.labels.get("klearct.owner", "").endswith(f":{child.pid}")]
    assert mine, "SIGKILL leaves the containers behind; the next start must remove them"
    with open_sandbox("docker", slots=1):
        pass
    assert not [c for c in our_containers() if c.labels.get("klearct.owner", "").endswith(f":{child.pid}")]


def test_cli_ctrl_c_and_sigterm_leave_nothing(tmp_path):
    source = tmp_path / "sleep.py"
    source.write_text("import time\ntime.sleep(60)\n")
    (tmp_path / "in").write_text("")
    for sig in (signal.SIGINT, signal.SIGTERM):
        child = subprocess.Popen([sys.executable, "-m", "klear_ct.cli", "sandbox", "run", str(source), "-i",
                                  str(tmp_path / "in"), "-t", "20"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while time.time() < deadline and not [c for c in our_containers()
                                               if c.labels.get("klearct.owner", "").endswith(f":{child.pid}")]:
            time.sleep(0.2)
        time.sleep(1.0)
        child.send_signal(sig)
        child.wait(timeout=60)
        assert not [c for c in our_containers() if c.labels.get("klearct.owner", "").endswith(f":{child.pid}")]


def test_missing_engine_is_a_clear_error(monkeypatch):
    from klear_ct.sandbox import SandboxError

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(SandboxError, match="no Docker engine answers"):
        open_sandbox("docker")
    warnings = []
    sandbox = open_sandbox("auto", slots=1, warn=warnings.append)
    try:
        assert sandbox.kind == "local" and "falling back" in warnings[0]
    finally:
        sandbox.close()


def test_testlib_is_in_the_image(docker_sandbox):
    code = ('#include "testlib.h"\n#include <cstdio>\nint main(int argc, char* argv[]){registerGen(argc, argv, 1);'
            'printf("%d\\n", rnd.next(1, 10));}\n')
    result = docker_sandbox.run(Program(lang="cpp17", code=code), [""], Limits(time_s=2))[0]
    assert result.verdict == Verdict.OK, result
    assert 1 <= int(result.stdout) <= 10


def test_memory_bomb_of_many_processes_does_not_take_the_host(docker_sandbox):
    # 8 processes each touching 200 MB: per-run limits and the container cgroup stop it
    code = ("import os\nfor _ in range(3):\n    os.fork()\nx = bytearray(200 << 20)\nfor i in range(0, len(x), 4096):\n"
            "    x[i] = 1\nprint('done')\n")
    result = docker_sandbox.run(Program(lang="python3", code=code), [""], Limits(time_s=3, memory_mb=256))[0]
    assert result.verdict in (Verdict.OK, Verdict.MLE, Verdict.RE, Verdict.TLE)
    assert docker_sandbox.run(PY_ECHO, ["alive"])[0].stdout == "alive"
    assert os.getloadavg()  # the host is still here to answer


def test_two_sandboxes_on_one_host_never_share_a_uid():
    """Per-user process limits are kernel-wide: a fork bomb in one sandbox (a nightly validate)
    must not stop another (a reward server) from starting processes."""
    from importlib.resources import files

    bomb = Program(lang="c11", code=(files("klear_ct.sandbox") / "attacks" / "fork_bomb.c").read_text())
    with DockerSandbox(slots=1) as noisy, DockerSandbox(slots=1) as quiet:
        assert noisy.uids.first != quiet.uids.first
        with ThreadPoolExecutor(max_workers=1) as pool:
            bombing = pool.submit(noisy.run, bomb, ["bomb"] * 3, Limits(time_s=2))
            seen = []
            while not bombing.done():
                seen += [r.stdout.strip() for r in quiet.run(bomb, ["after"] * 4, Limits(time_s=2))]
            assert [r.verdict for r in bombing.result()] != [Verdict.OK] * 3  # it really bombed
        assert seen and set(seen) == {"forked 16 children"}, seen
