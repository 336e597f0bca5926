"""A validate run killed with SIGKILL at any point resumes to the same tests table."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from klear_ct.store import RunStore, problem_key

pytestmark = pytest.mark.docker
SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample" / "problems.jsonl"


def validate_cmd(problems: Path, run: Path) -> list[str]:
    return [sys.executable, "-m", "klear_ct.cli", "validate", str(problems), "-o", str(run), "--slots", "2", "--json"]


def first_problems(tmp_path: Path, count: int) -> Path:
    lines = SAMPLE.read_text().splitlines()[:count]
    path = tmp_path / "problems.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_sigkill_and_resume_gives_identical_tests(tmp_path, sample_run):
    """Killed at random points and resumed, a run of the sample's first 4 problems writes the same tests
    parts, byte for byte, as the session's uninterrupted run of the whole sample."""
    problems = first_problems(tmp_path, 4)
    killed = tmp_path / "killed"
    rng = random.Random(1)
    kills = 0
    for _ in range(4):
        child = subprocess.Popen(validate_cmd(problems, killed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.5, 6.0))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait(timeout=60)
    assert kills >= 2, "the run finished too fast to be interrupted"
    subprocess.run(validate_cmd(problems, killed), check=False, capture_output=True, timeout=600)
    ids = [p.id for p in RunStore(killed).problems()]
    parts = sorted(p.name for p in (killed / "tests").glob("*.parquet"))
    assert len(ids) == 4 and parts == sorted(f"{problem_key(i)}.parquet" for i in ids
                                             if (sample_run / "tests" / f"{problem_key(i)}.parquet").exists())
    assert RunStore(killed).all_tests_table().num_rows > 0
    for name in parts:
        assert (killed / "tests" / name).read_bytes() == (sample_run / "tests" / name).read_bytes(), name
    leftovers = [p for p in (killed / "tests").iterdir() if p.name.startswith(".")]
    assert not leftovers


def test_second_run_on_the_same_directory_refuses(tmp_path):
    problems = first_problems(tmp_path, 2)
    run = tmp_path / "run"
    first = subprocess.Popen(validate_cmd(problems, run), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not (run / ".lock").exists():
            time.sleep(0.1)
        time.sleep(0.5)
        second = subprocess.run(validate_cmd(problems, run), capture_output=True, text=True, timeout=60)
        assert second.returncode == 4  # busy: another command holds the run
        assert "in use by pid" in " ".join(second.stderr.split())
    finally:
        first.kill()
        first.wait()


def test_rerun_of_a_finished_run_does_no_work(tmp_path):
    problems = first_problems(tmp_path, 2)
    run = tmp_path / "run"
    subprocess.run(validate_cmd(problems, run), capture_output=True, timeout=600)
    before = {p.name: p.stat().st_mtime_ns for p in (run / "tests").glob("*.parquet")}
    again = subprocess.run(validate_cmd(problems, run), capture_output=True, text=True, timeout=600)
    import json

    summary = json.loads(again.stdout)
    assert summary["done"] == 0 and summary["skipped"] == 2
    assert before == {p.name: p.stat().st_mtime_ns for p in (run / "tests").glob("*.parquet")}
    assert pq.read_table(next((run / "tests").glob("*.parquet"))).num_rows >= 0
    assert os.path.exists(run / "manifest.json")
