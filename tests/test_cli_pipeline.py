"""validate -> export -> report through the command line, on the sample set and on broken input."""

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from klear_ct.store import RunStore

pytestmark = pytest.mark.docker
SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample" / "problems.jsonl"


def klearct(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def test_broken_rows_are_named_and_the_good_problems_finish(tmp_path):
    good = SAMPLE.read_text().splitlines()[:2]
    row = json.loads(good[0])
    broken = [
        '{"custom_id": "bad-json", "question": ',                                   # line 2: bad JSON
        json.dumps({k: v for k, v in row.items() if k != "solutions"} | {"custom_id": "no-solutions"}),  # line 3
        json.dumps(row | {"custom_id": "unknown-lang", "solutions": ["SELECT 1 FROM dual;"]}),         # line 4
        json.dumps(row | {"custom_id": "empty-solutions", "solutions": []}),                           # line 5
    ]
    problems = tmp_path / "mixed.jsonl"
    problems.write_text("\n".join([good[0], *broken, good[1]]) + "\n")
    run = tmp_path / "run"
    done = klearct("validate", problems, "-o", run, "--json")
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)
    assert summary["bad_rows"] == 4 and summary["done"] == 2 and summary["failed"] == 0
    bad = {e["problem_id"]: e["error"] for e in RunStore(run).events() if e["cause"] == "bad_row"}
    assert len(bad) == 4
    errors = sorted(bad.values())
    assert any("line 2" in e for e in errors)
    assert any("line 3" in e and "solutions" in e for e in errors)
    assert any("line 4" in e and "language" in e for e in errors)
    assert any("line 5" in e and "solutions" in e for e in errors)
    report = klearct("report", run)
    assert report.returncode == 0 and "bad_row" in report.stdout


def test_sample_set_validate_export_report(sample_validated, tmp_path):
    run, done = sample_validated  # `klearct validate datasets/sample/problems.jsonl -o RUN --json`, once per session
    summary = json.loads(done.stdout)
    assert done.returncode == 1  # the sample's broken generator fails its problem on purpose
    assert summary["causes"] == {"generator_failed": 1} and summary["done"] == 13
    store = RunStore(run)
    solutions = store.read_rows("solutions")
    incorrect = [s for s in solutions if s["role"] == "incorrect"]
    assert len(incorrect) >= 24 and all(s["killed"] for s in incorrect)
    assert {s["first_failure"] for s in incorrect} >= {"WA", "TLE", "RE"}

    out = tmp_path / "verl.parquet"
    exported = klearct("export", run, "--format", "verl", "-o", out, "--json")
    assert exported.returncode == 0, exported.stderr
    table = pq.read_table(out)
    frame = pl.read_parquet(out)
    assert table.num_rows == frame.height == 12  # the failed problem is not exported
    ok_ids = {pid for pid, line in store.done().items() if line["outcome"] == "ok"}
    for row in table.to_pylist():
        truth = json.loads(row["reward_model"]["ground_truth"])
        assert row["data_source"] == "codecontests" and row["ability"] == "code"
        assert row["extra_info"]["problem_id"] in ok_ids
        tests = store.tests(row["extra_info"]["problem_id"])
        assert truth["inputs"] == [t.input for t in tests] and truth["outputs"] == [t.output for t in tests]
    checker_rows = frame.filter(pl.col("extra_info").struct.field("checker").is_not_null())
    assert checker_rows.height == 2

    html = tmp_path / "report.html"
    report = klearct("report", run, "--html", html)
    assert report.returncode == 0
    assert "generator_failed" in report.stdout and html.read_text().count("data:image/png;base64,") >= 2
