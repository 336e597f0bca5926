"""The executors: the local one's contract, and `klearct validate --executor ray` on a real two-node
Ray cluster on this machine (klear_ct/executor/cluster.py), Ray from verl's venv (`make rl-venv`).

The cluster tests compare with the session's local run of the sample (`sample_run`): the same tests
table, byte for byte, with both nodes having run problems; then a worker node is killed mid-run."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import docker
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import SAMPLE
from fake_openai import Reply
from test_generate import KILLER, Router, fenced
from test_llm_nightly import nightly_config, rows_file
from test_rl_verl import verl_python
from typer.testing import CliRunner

from klear_ct.cli import app
from klear_ct.executor.cluster import local_cluster
from klear_ct.executor.local import LocalExecutor
from klear_ct.model import Problem
from klear_ct.sandbox.docker_backend import LABEL, OWNER_LABEL
from klear_ct.store import RunStore

# a quick problem first, then a slower one (TLE-bound incorrect solutions): when the first is done the
# other slot is still busy, so both nodes have a problem in flight at the kill, whichever ran which
KILLED_RUN_PROBLEMS = ("sample-001-dot-product", "sample-003-interval-scheduling", "sample-005-grid-shortest-path",
                       "sample-010-cut-ropes")


class Slots:
    slots = 3


def test_local_executor_bounds_in_flight_and_finishes_in_the_calling_thread():
    running, most, finished_in = 0, 0, set()
    lock = threading.Lock()

    def work(problem: Problem, sandbox) -> str:
        nonlocal running, most
        assert isinstance(sandbox, Slots)
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05 if problem.id != "slow" else 0.3)
        with lock:
            running -= 1
        return problem.id

    order: list[str] = []
    problems = [Problem(id="slow", statement="")] + [Problem(id=f"p{i}", statement="") for i in range(8)]
    LocalExecutor(Slots()).map(problems, work, lambda pid: (order.append(pid), finished_in.add(threading.get_ident())))
    assert most == 3  # never more than the sandbox's slots at once, and all of them used
    assert sorted(order) == sorted(p.id for p in problems)
    assert order.index("slow") > 0  # completion order, not submission order
    assert finished_in == {threading.get_ident()}


def test_the_local_path_never_imports_ray():
    """In a venv that has Ray: the CLI, the pipeline and the local executor leave it unimported."""
    script = ("import sys; from typer.testing import CliRunner; from klear_ct.cli import app; "
              "import klear_ct.pipeline.batch, klear_ct.executor, klear_ct.executor.local, klear_ct.evaluate; "
              "r = CliRunner().invoke(app, ['validate', '--help']); assert r.exit_code == 0, r.output; "
              "assert '--executor' in r.output and '--ray-address' in r.output; "
              "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))")
    python = verl_python()
    found = subprocess.run([str(python), "-c", "import ray; print(ray.__version__)"], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr  # the check below means something only where Ray is there
    done = subprocess.run([str(python), "-c", script], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_commands_that_stay_local_refuse_the_ray_executor(tmp_path):
    runner = CliRunner()
    done = runner.invoke(app, ["generate", str(SAMPLE), "-o", str(tmp_path / "g"), "--executor", "ray"])
    assert done.exit_code == 2 and "runs on this machine only" in done.output, done.output
    done = runner.invoke(app, ["validate", str(SAMPLE), "-o", str(tmp_path / "v"), "--executor", "slurm"])
    assert done.exit_code == 2 and "choose one of local, ray" in done.output
    if importlib.util.find_spec("ray") is None:  # this venv: the [ray] extra is not installed
        done = runner.invoke(app, ["validate", str(SAMPLE), "-o", str(tmp_path / "v"), "--executor", "ray"])
        assert done.exit_code == 2 and "pip install 'klearct[ray]'" in done.output, done.output


@pytest.fixture(scope="module")
def cluster():
    with local_cluster(verl_python()) as started:
        yield started
    assert not started.pids(), "a Ray process of the test cluster outlived it"


def validate_command(cluster, problems: Path, run: Path) -> list[str]:
    return [str(cluster.python), "-m", "klear_ct.cli", "validate", str(problems), "-o", str(run), "--json",
            "--executor", "ray", "--ray-address", cluster.address]


def validate_on(cluster, problems: Path, run: Path) -> dict:
    done = subprocess.run(validate_command(cluster, problems, run), env=cluster.env(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr  # 1: the sample's broken generator, on purpose
    return json.loads(done.stdout)  # stdout is the one JSON object, Ray's messages notwithstanding


def containers_of(owners: set[str]) -> list[str]:
    client = docker.from_env()
    return [c.name for c in client.containers.list(all=True, filters={"label": LABEL})
            if c.labels.get(OWNER_LABEL) in owners]


def table_of(run: Path, problem_ids: list[str] | None = None) -> pa.Table:
    table = RunStore(run).all_tests_table()
    return table if problem_ids is None else table.filter(pc.is_in(table["problem_id"], pa.array(problem_ids)))


def validate_lines(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "done.jsonl").read_text().splitlines()
            if json.loads(line)["stage"] == "validate"]


@pytest.mark.docker
def test_validate_on_two_ray_nodes_writes_the_local_runs_tests(cluster, sample_run, tmp_path):
    run = tmp_path / "run"
    summary = validate_on(cluster, SAMPLE, run)
    assert summary["executor"] == "ray" and summary["retried"] == 0
    nodes = list(summary["nodes"].values())
    assert len(nodes) == 2 and all(node["problems"] > 0 and node["lost"] is None for node in nodes), nodes
    assert sum(node["problems"] for node in nodes) == summary["done"] == 13
    assert table_of(run).equals(table_of(sample_run))  # byte-identical to the local run's
    outcomes = {line["problem_id"]: (line["outcome"], line["cause"], line["tests"]) for line in validate_lines(run)}
    assert outcomes == {line["problem_id"]: (line["outcome"], line["cause"], line["tests"])
                        for line in validate_lines(sample_run)}
    assert containers_of({node["owner"] for node in nodes}) == []  # each node closed its sandbox


EVALUATED_PROBLEMS = ("sample-001-dot-product", "sample-003-interval-scheduling")


@pytest.mark.docker
def test_run_validates_and_evaluate_runs_on_the_cluster(cluster, tmp_path, fake_openai):
    """`run --executor ray`: generate here (the LLM, its cache), validate on the nodes; `evaluate
    --executor ray`: the same TPR / TNR as on this machine's sandbox."""
    fake_openai.route = Router({"regular generator": [Reply(fenced(KILLER))]})
    config = nightly_config(tmp_path, fake_openai.url)
    run = tmp_path / "run"
    done = subprocess.run([*validate_command(cluster, rows_file(tmp_path, ["a", "b"]), run)[:3], "run",
                           str(tmp_path / "problems.jsonl"), "-o", str(run), "--json", "--config", config,
                           "--executor", "ray", "--ray-address", cluster.address],
                          env=cluster.env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["validated"], summary["export"]["problems"], summary["executor"]) == (2, 2, "ray"), summary
    assert sum(node["problems"] for node in summary["nodes"].values()) == 2  # validated there, not here
    assert summary["tests"] == len(RunStore(run).tests()) > 2
    assert containers_of({node["owner"] for node in summary["nodes"].values()}) == []

    problems = tmp_path / "evaluated.jsonl"
    rows = {json.loads(line)["custom_id"]: line for line in SAMPLE.read_text().splitlines(keepends=True)}
    problems.write_text("".join(rows[problem_id] for problem_id in EVALUATED_PROBLEMS))
    command = [*validate_command(cluster, problems, run)[:3], "evaluate", str(problems), "--json"]
    on_ray = subprocess.run([*command, "--executor", "ray", "--ray-address", cluster.address], env=cluster.env(),
                            capture_output=True, text=True, timeout=600)
    here = subprocess.run([*command, "--slots", "2"], env=cluster.env(), capture_output=True, text=True, timeout=600)
    assert on_ray.returncode == here.returncode == 0, on_ray.stderr + here.stderr
    ray_summary, local_summary = json.loads(on_ray.stdout), json.loads(here.stdout)
    assert [n["problems"] for n in ray_summary["nodes"].values()] == [1, 1]  # one problem on each node
    def verdicts(summary: dict) -> list:  # the rates and every solution's verdict, not the timings
        rates = [{k: suite[k] for k in ("name", "problems", "tests", "overall", "by_language", "by_class")}
                 for suite in summary["suites"]]
        return [rates, [(p["id"], p["outcome"], name, sol["solution_id"], sol["verdict"], sol["passed"])
                        for p in summary["problems"] for name, r in p["suites"].items() for sol in r["solutions"]]]

    assert verdicts(ray_summary) == verdicts(local_summary)
    assert ray_summary["counts"]["evaluated"] == len(EVALUATED_PROBLEMS)
    assert "nodes" not in local_summary


@pytest.mark.docker
def test_a_worker_node_killed_mid_run_loses_nothing(cluster, sample_run, tmp_path):
    """Kept last: the cluster has no worker node afterwards."""
    problems = tmp_path / "problems.jsonl"
    rows = {json.loads(line)["custom_id"]: line for line in SAMPLE.read_text().splitlines(keepends=True)}
    problems.write_text("".join(rows[problem_id] for problem_id in KILLED_RUN_PROBLEMS))
    run = tmp_path / "run"
    driver = subprocess.Popen(validate_command(cluster, problems, run), env=cluster.env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not (run / "done.jsonl").exists() or not (run / "done.jsonl").read_text().strip():
        assert driver.poll() is None and time.monotonic() < deadline, driver.stderr.read() if driver.poll() else ""
        time.sleep(0.1)
    assert cluster.kill_worker()
    out, err = driver.communicate(timeout=600)
    assert driver.returncode in (0, 1), err
    summary = json.loads(out)
    lost = [node for node in summary["nodes"].values() if node["lost"]]
    assert len(lost) == 1 and summary["retried"] >= 1, summary  # its problem in flight went to the head
    assert "lost" in err  # the user is told which node
    lines = validate_lines(run)
    assert summary["done"] == len(lines) == len(KILLED_RUN_PROBLEMS)  # nothing lost, nothing written twice
    assert set(Counter(line["problem_id"] for line in lines).values()) == {1}
    assert all(line["cause"] != "executor_node_lost" for line in lines)  # retried, not given up
    ids = list(KILLED_RUN_PROBLEMS)
    assert sorted(line["problem_id"] for line in lines) == ids
    assert table_of(run).equals(table_of(sample_run, ids))

    again = validate_on(cluster, problems, run)  # resumes on the head alone: nothing left to do
    assert (again["done"], again["skipped"]) == (0, len(KILLED_RUN_PROBLEMS))
    assert len(again["nodes"]) == 1
    assert table_of(run).equals(table_of(sample_run, ids))
    # the killed node's containers outlived it on this shared engine; the next sandbox started on this
    # machine (the head's, in the resumed run) removed them
    owners = {node["owner"] for node in [*summary["nodes"].values(), *again["nodes"].values()]}
    assert containers_of(owners) == []
