"""Usage errors are a message and exit 2, a sandbox that cannot start is exit 3: never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample" / "problems.jsonl"


def klearct(*args, env=None):
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env)


@pytest.mark.parametrize(("args", "message"), [
    (["validate", SAMPLE, "-o", "{run}", "--slots", "0"], "--slots"),
    (["validate", SAMPLE, "-o", "{run}", "--min-gold-agree", "0"], "--min-gold-agree"),
    (["validate", SAMPLE, "-o", "{run}", "--backend", "nope"], "unknown sandbox backend 'nope'"),
    (["export", "{run}", "--format", "nope", "-o", "{run}/x.parquet"], "unknown export format 'nope'"),
])
def test_usage_errors_exit_2_with_a_message(tmp_path, args, message):
    run = tmp_path / "run"
    run.mkdir()
    done = klearct(*[str(a).format(run=run) for a in args])
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_an_export_option_out_of_range_is_a_usage_error(tmp_path):
    from klear_ct.model import Problem
    from klear_ct.store import RunStore

    RunStore(tmp_path / "run").write_problem(Problem(id="p"))
    done = klearct("export", tmp_path / "run", "--format", "verl", "-o", tmp_path / "x.parquet", "--max-tests", "0")
    assert done.returncode == 2 and "max_tests_per_problem must be at least 1" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_no_docker_engine_is_exit_3(tmp_path):
    env = dict(os.environ, DOCKER_HOST="tcp://127.0.0.1:1")  # a port of this machine where nothing listens
    done = klearct("validate", SAMPLE, "-o", tmp_path / "run", "--backend", "docker", env=env)
    assert done.returncode == 3, done.stderr
    assert "start dockerd or use --backend local" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty.jsonl: no rows"),
    ("  \n\n", "empty.jsonl: no rows"),
    ('{"custom_id": 1\n', "line 1: bad JSON"),
    ('{"foo": 1}\n', "cannot tell the format from its first row's keys (foo)"),
])
def test_an_input_with_no_problem_is_exit_2_and_leaves_no_run_folder(tmp_path, content, message):
    path = tmp_path / "empty.jsonl"
    path.write_text(content)
    done = klearct("validate", path, "-o", tmp_path / "run")
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "run").exists()


def test_a_garbage_parquet_is_named_as_unreadable(tmp_path):
    path = tmp_path / "shard.parquet"
    path.write_bytes(b"PAR1 this is not parquet at all" * 10)
    done = klearct("validate", path, "-o", tmp_path / "run")
    assert done.returncode == 2 and "shard.parquet: not a readable parquet file" in done.stderr, done.stderr


def test_format_detection_looks_past_an_empty_first_shard(tmp_path):
    from klear_ct.formats import detect_format

    (tmp_path / "a.jsonl").write_text("")
    (tmp_path / "b.jsonl").write_text(SAMPLE.read_text().splitlines()[0] + "\n")
    assert detect_format(tmp_path) == "klear"


def test_export_checks_what_it_reads(tmp_path):
    from klear_ct.model import Problem
    from klear_ct.store import RunStore

    plain = tmp_path / "not-a-run"
    plain.mkdir()
    done = klearct("export", plain, "--format", "verl", "-o", tmp_path / "x.parquet")
    assert done.returncode == 2 and "is not a run directory" in done.stderr, done.stderr
    assert list(plain.iterdir()) == []  # nothing written into it (no manifest.json)

    store = RunStore(tmp_path / "run")
    store.write_problem(Problem(id="p"))  # a run whose only problem never validated
    nothing = klearct("export", store.root, "--format", "verl", "-o", tmp_path / "x.parquet")
    assert nothing.returncode == 1 and "nothing exported" in nothing.stderr, nothing.stderr

    with store:  # another command holds the run: export refuses instead of exporting half of it
        busy = klearct("export", store.root, "--format", "verl", "-o", tmp_path / "y.parquet")
    assert busy.returncode == 4 and "in use" in busy.stderr and not (tmp_path / "y.parquet").exists()


@pytest.mark.docker
def test_bad_rows_are_shown_on_the_console_with_file_line_and_field(tmp_path):
    import json

    row = json.loads(SAMPLE.read_text().splitlines()[0])
    path = tmp_path / "rows.jsonl"
    path.write_text('{"custom_id": "cut", "question": \n'
                    + json.dumps({k: v for k, v in row.items() if k != "solutions"} | {"custom_id": "x"}) + "\n")
    done = klearct("validate", path, "-o", tmp_path / "run")
    assert done.returncode == 1, done.stderr
    shown = [line for line in done.stdout.splitlines() if line.strip().startswith("bad row:")]
    assert len(shown) == 2 and "rows.jsonl line 1" in shown[0] and "bad JSON" in shown[0], done.stdout
    assert "rows.jsonl line 2" in shown[1] and "solutions" in shown[1]
