"""`klearct serve` over real HTTP on 127.0.0.1: SandboxFusion /run_code, auth, caps, overload, SIGTERM."""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from klear_ct.errors import UsageError
from klear_ct.rl.server import ServerSettings, check_bind

KEY = "test-key-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, path: str, body: dict | None = None, key: str | None = KEY, raw: bytes | None = None,
         timeout: float = 120) -> tuple[int, object]:
    """(HTTP status, decoded answer) of a GET (no body) or JSON POST."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url + path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read().decode()
            status = answer.status
    except urllib.error.HTTPError as e:
        text, status = e.read().decode(), e.code
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@contextmanager
def running_server(*options: str, timeout: float = 90):
    """`klearct serve` in a child process on a free loopback port; yields (url, process)."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen([sys.executable, "-m", "klear_ct.cli", "serve", "--port", str(port), "--slots", "1",
                                *options], stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    process.read_log = lambda: (log.seek(0), log.read())[1]
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                pytest.fail(f"klearct serve exited: {process.read_log()}")
            try:
                if call(url, "/v1/ping", timeout=2) == (200, "pong"):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("klearct serve did not answer /v1/ping in time")
            time.sleep(0.3)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def sandbox_containers(pid: int) -> list[str]:
    from klear_ct.sandbox.docker_backend import OWNER_LABEL

    out = subprocess.run(["docker", "ps", "-a", "-q", "--filter", f"label={OWNER_LABEL}={socket.gethostname()}:{pid}"],
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.fixture(scope="module")
def server():
    with running_server("--api-key", KEY, "--max-time-s", "1", "--max-memory-mb", "128", "--max-concurrent", "1",
                        "--max-queue", "1", "--queue-timeout-s", "1.5", "--max-body-mb", "1") as (url, _):
        yield url


def run_code(url, code, language="python", **fields):
    return call(url, "/run_code", {"code": code, "language": language, **fields})


def test_a_public_address_without_a_key_is_refused():
    with pytest.raises(UsageError, match="api-key"):
        check_bind(ServerSettings(host="0.0.0.0"))
    check_bind(ServerSettings(host="0.0.0.0", api_key="k"))
    check_bind(ServerSettings(host="0.0.0.0", allow_unauthenticated=True))
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.5"):
        check_bind(ServerSettings(host=host))
    done = subprocess.run([sys.executable, "-m", "klear_ct.cli", "serve", "--host", "0.0.0.0", "--port",
                           str(free_port())], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "api-key" in done.stderr


@pytest.mark.docker
def test_run_code_answers_as_sandbox_fusion(server):
    status, ok = run_code(server, "print(input()[::-1])", stdin="abc", some_new_field=1, compile_timeout=5)
    assert status == 200 and ok["status"] == "Success" and ok["compile_result"] is None
    assert ok["run_result"]["status"] == "Finished" and ok["run_result"]["stdout"] == "cba\n"
    assert ok["run_result"]["return_code"] == 0 and ok["run_result"]["execution_time"] >= 0
    _, failed = run_code(server, "int main(){return 3;}\n", "cpp")
    assert failed["status"] == "Failed" and failed["compile_result"]["return_code"] == 0
    assert (failed["run_result"]["status"], failed["run_result"]["return_code"]) == ("Finished", 3)
    _, broken = run_code(server, "int main( {\n", "cpp")
    assert broken["status"] == "Failed" and broken["run_result"] is None
    assert broken["compile_result"]["return_code"] != 0 and "error" in broken["compile_result"]["stderr"]
    _, crash = run_code(server, "import sys; sys.stderr.write('boom'); raise SystemExit(4)")
    assert crash["status"] == "Failed" and crash["run_result"]["stderr"] == "boom"
    _, nulls = run_code(server, "print(2)", memory_limit_MB=None, run_timeout=None, files=None)  # as verl sends
    assert nulls["status"] == "Success" and nulls["run_result"]["stdout"] == "2\n"
    _, unknown = run_code(server, "fn main() {}", "rust")
    assert unknown["status"] == "SandboxError" and "rust" in unknown["message"]
    files = {"data.txt": base64.b64encode(b"from a file").decode()}
    _, with_file = run_code(server, "print(open('data.txt').read())", files=files, fetch_files=["data.txt"])
    assert with_file["status"] == "Success" and with_file["run_result"]["stdout"] == "from a file\n"


@pytest.mark.docker
def test_requested_limits_are_capped_to_the_server(server):
    started = time.monotonic()
    _, slow = run_code(server, "while True:\n    pass\n", run_timeout=1000)
    assert slow["status"] == "Failed" and slow["run_result"]["status"] == "TimeLimitExceeded"
    assert time.monotonic() - started < 15  # the 1 s cap, not 1000 s
    _, greedy = run_code(server, "x = bytearray(400 << 20)\nprint(len(x))\n", memory_limit_MB=100000)
    assert greedy["status"] == "Failed" and greedy["run_result"]["return_code"] != 0


@pytest.mark.docker
def test_the_key_is_required_and_checked(server):
    assert call(server, "/run_code", {"code": "print(1)", "language": "python"}, key=None)[0] == 401
    assert call(server, "/run_code", {"code": "print(1)", "language": "python"}, key="wrong")[0] == 401
    status, answer = call(server + "", f"/run_code?api_key={KEY}", {"code": "print(1)", "language": "python"},
                          key=None)
    assert status == 200 and answer["status"] == "Success"
    assert call(server, "/score", {"samples": []}, key=None)[0] == 401
    assert call(server, "/v1/ping", key=None) == (200, "pong")


@pytest.mark.docker
def test_a_body_over_the_cap_is_refused(server):
    status, _ = call(server, "/run_code", raw=json.dumps({"code": "#" * (2 << 20), "language": "python"}).encode())
    assert status == 413


@pytest.mark.docker
def test_overload_is_answered_503_and_a_long_wait_504(server):
    answers: dict[int, int] = {}

    def slow(k):
        answers[k] = run_code(server, "import time; time.sleep(4)")[0]

    threads = [threading.Thread(target=slow, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.4)  # one works, one waits (the queue holds 1), the third finds no room
    for t in threads:
        t.join()
    assert answers == {0: 200, 1: 504, 2: 503}
    status, metrics = call(server, "/metrics")
    assert status == 200 and "klearct_rejected_overload_total 1" in metrics
    assert "klearct_rejected_timeout_total 1" in metrics and "klearct_requests_run_code_total" in metrics


@pytest.mark.docker
def test_sigterm_drains_and_leaves_no_container():
    with running_server() as (url, process):
        assert sandbox_containers(process.pid)
        answer = {}
        worker = threading.Thread(target=lambda: answer.update(
            r=run_code(url, "import time; time.sleep(2); print('finished')", key=None)))
        worker.start()
        time.sleep(0.8)
        process.send_signal(signal.SIGTERM)
        worker.join(60)
        process.wait(60)
        assert answer["r"][0] == 200 and answer["r"][1]["run_result"]["stdout"] == "finished\n"
        assert sandbox_containers(process.pid) == []


def test_a_reward_server_under_attack_and_a_validate_on_the_same_host_do_not_disturb_each_other(
        docker_sandbox, tmp_path):
    """The server scores fork bombs and spinners beside right completions while a validate runs on the
    same engine: the validate's tests equal a validate alone, and every right completion scores 1."""
    from test_validate import FORK_BOMB_GOLD, sum_problem

    from klear_ct.pipeline.batch import validate_batch
    from klear_ct.store import RunStore

    solo = RunStore(tmp_path / "solo")
    validate_batch([sum_problem()], solo, docker_sandbox)
    truth = json.dumps({"inputs": ["1 2\n", "3 4\n", "5 6\n"], "outputs": ["3\n", "7\n", "11\n"]})
    right = "```python\nimport sys\nprint(sum(map(int, sys.stdin.read().split())))\n```"
    hostile = [f"```python\n{FORK_BOMB_GOLD}```", "```cpp\nint main(){volatile long x=0;for(;;)x++;}\n```"]
    samples = [{"completion": text, "ground_truth": truth} for text in (hostile + [right]) * 3]
    answers = []
    with running_server("--slots", "2") as (url, _):
        def attack():
            answers.append(call(url, "/score", {"samples": samples}, key=None, timeout=600))
        attacker = threading.Thread(target=attack)
        attacker.start()
        beside = RunStore(tmp_path / "beside")
        validate_batch([sum_problem()], beside, docker_sandbox)
        attacker.join(600)
    assert beside.all_tests_table().equals(solo.all_tests_table())
    status, answer = answers[0]
    assert status == 200
    assert [r["score"] for r in answer["results"]] == [0.0, 0.0, 1.0] * 3
    assert all(r["sandbox_error"] == 0 for r in answer["results"])
