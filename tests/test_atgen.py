"""ATGEN: `export --format atgen` on the validated sample, checked against the sandbox itself."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pyarrow.parquet as pq
import pytest

from klear_ct.errors import UsageError
from klear_ct.formats import export
from klear_ct.judge import Judge
from klear_ct.model import Problem, Program, Verdict
from klear_ct.pipeline.validate import run_gold
from klear_ct.sandbox import Limits
from klear_ct.store import RunStore


def klearct(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.docker
def test_atgen_rows_name_the_tests_that_really_kill_each_buggy_program(sample_run, docker_sandbox, tmp_path):
    out = tmp_path / "atgen.parquet"
    done = klearct("export", sample_run, "--format", "atgen", "-o", out, "--field", "question=problem", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    rows = pq.read_table(out).to_pylist()
    frame = pl.read_parquet(out)
    assert frame.height == len(rows) == summary["buggy_programs"] >= 20
    assert {"problem", "buggy_code", "gold_code", "prompt", "data_source", "reward_model"} <= set(frame.columns)
    assert "question" not in frame.columns and set(frame["data_source"]) == {"klearct_atgen"}
    assert frame["difficulty"].to_list() == sorted(frame["difficulty"].to_list(), reverse=True)  # hardest first
    assert frame["hard"].any() and not frame["hard"].all()
    assert [r["extra_info"]["index"] for r in rows] == list(range(len(rows)))

    store = RunStore(sample_run)
    problems = {p.id: p for p in store.problems()}
    incorrect = {s.id: s for p in problems.values() for s in p.incorrect}
    # every incorrect solution a kept test kills is a row, and only those
    ok = {p for p, line in store.done("validate").items() if line["outcome"] == "ok"}
    killed = {k for t in store.tests() if t.problem_id in ok for k in t.kills}
    assert {r["buggy_id"] for r in rows} == killed
    for row in rows:
        problem = problems[row["problem_id"]]
        assert row["buggy_code"] == incorrect[row["buggy_id"]].program.code and row["problem"] == problem.statement
        assert row["gold_code"] in {g.code for g in problem.gold}
        assert "```input" in row["prompt"][0]["content"] and row["buggy_code"].rstrip() in row["prompt"][0]["content"]
        truth = json.loads(row["reward_model"]["ground_truth"])
        assert truth["buggy"]["code"] == row["buggy_code"] and truth["gold"]["code"] == row["gold_code"]
        tests = json.loads(row["tests"])
        assert row["difficulty"] == pytest.approx(1 - len(row["killing_tests"]) / len(tests["inputs"]))

    # the sandbox, not the exporter, says each buggy program fails a listed killing test and passes the others
    def rerun(row) -> tuple[bool, list[str]]:
        problem, tests = problems[row["problem_id"]], json.loads(row["tests"])
        program = Program(lang=row["buggy_lang"], code=row["buggy_code"])
        judge, limits = Judge.for_problem(problem, docker_sandbox), Limits.for_problem(problem)
        kill = row["killing_tests"]
        keep = [k for k in range(len(tests["inputs"])) if k not in kill]
        killing = judge.run(program, [tests["inputs"][k] for k in kill], limits, [tests["outputs"][k] for k in kill],
                            stop_after_failure=True)
        texts = [tests["inputs"][k] for k in keep]
        passing = judge.verdicts(run_gold(docker_sandbox, program, texts, limits), texts,
                                 [tests["outputs"][k] for k in keep])
        return (any(r.verdict not in (Verdict.OK, Verdict.JF, Verdict.SKIP) for r in killing),
                [f"{row['buggy_id']} test {k}: {r.verdict}" for k, r in zip(keep, passing, strict=True)
                 if r.verdict != Verdict.OK])

    results = [rerun(row) for row in rows]
    assert all(fails for fails, _ in results), [r["buggy_id"] for r, (f, _) in zip(rows, results, strict=True)
                                                 if not f]
    assert [e for _, errors in results for e in errors] == []

    # --min-difficulty keeps the hard rows only, in the same order
    harder = tmp_path / "hard.parquet"
    assert klearct("export", sample_run, "--format", "atgen", "-o", harder, "--min-difficulty", "0.5").returncode == 0
    kept = pq.read_table(harder).column("buggy_id").to_pylist()
    assert kept == [r["buggy_id"] for r in rows if r["difficulty"] >= 0.5] and 0 < len(kept) < len(rows)
    bad = klearct("export", sample_run, "--format", "verl", "-o", tmp_path / "x.parquet", "--min-difficulty", "0.5")
    assert bad.returncode == 2 and "atgen" in bad.stderr


def test_atgen_field_names_must_not_clash(tmp_path):
    for fields in ({"question": "problem_id"}, {"question": "code", "gold_code": "code"}, {"statement": "x"}):
        with pytest.raises(UsageError):
            export([(Problem(id="p"), [])], "atgen", tmp_path / "a.parquet", field_names=fields)
