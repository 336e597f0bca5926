"""End to end on datasets/sample: validate, export verl/trl with held-out tests, then every gold
solution, fenced as a policy would answer, scores 1 through the scorer, each adapter and the server."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from test_rl_server import call, running_server

from klear_ct.rl import openrlhf, pool, trl, verl
from klear_ct.rl.scorer import score, score_many
from klear_ct.sandbox.languages import get_language
from klear_ct.store import RunStore

pytestmark = pytest.mark.docker


def klearct(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def fenced(program) -> str:
    return f"Here is my solution.\n\n```{get_language(program.lang).fence}\n{program.code.rstrip()}\n```\n"


@pytest.fixture(scope="module")
def exported(tmp_path_factory, sample_run):
    """(run store, verl rows, trl rows): the sample validated and exported with 30 % of tests held out."""
    root = tmp_path_factory.mktemp("rl-sample")
    for fmt in ("verl", "trl"):
        out = klearct("export", sample_run, "--format", fmt, "-o", root / f"{fmt}.parquet", "--max-tests", "6",
                      "--holdout-fraction", "0.3", "--json")
        assert out.returncode == 0, out.stderr
    return RunStore(sample_run), pq.read_table(root / "verl.parquet").to_pylist(), \
        pq.read_table(root / "trl.parquet").to_pylist(), root


@pytest.fixture(scope="module")
def golds(exported):
    """(completion, ground_truth, extra_info, verl row) for every gold of every exported problem."""
    store, rows, _, _ = exported
    problems = {p.id: p for p in store.problems()}
    samples = [(fenced(gold), row["reward_model"]["ground_truth"], row["extra_info"], row)
               for row in rows for gold in problems[row["extra_info"]["problem_id"]].gold]
    assert len(samples) >= 40 and {s[3]["extra_info"]["problem_id"] for s in samples} == \
        {r["extra_info"]["problem_id"] for r in rows}
    return samples


@pytest.fixture(scope="module")
def server_url():
    with running_server("--slots", "2") as (url, _):
        yield url


@pytest.fixture(scope="module", autouse=True)
def close_pool():
    yield
    pool.close_shared()


def test_the_export_holds_tests_out(exported):
    _, rows, trl_rows, _ = exported
    truths = [json.loads(r["reward_model"]["ground_truth"]) for r in rows]
    assert sum(len(t.get("holdout_inputs", [])) for t in truths) > 0
    assert all(t["inputs"] and len(t["inputs"]) + len(t.get("holdout_inputs", [])) <= 6 for t in truths)
    for row, truth in zip(trl_rows, truths, strict=True):
        assert json.loads(row["ground_truth"]) == truth
        assert [c["input"] for c in row["verification_info"]["test_cases"]] == truth["inputs"]
    assert sum(t["judging"]["checker"] is not None for t in truths) == 2


def test_every_gold_scores_one_through_the_scorer(golds, docker_sandbox):
    results = score_many([s[:3] for s in golds], sandbox=docker_sandbox)
    failures = [(s[3]["extra_info"]["problem_id"], r) for s, r in zip(golds, results, strict=True) if r["score"] != 1]
    assert not failures
    assert all(r["holdout_score"] in (1.0, -1.0) and r["sandbox_error"] == 0 for r in results)
    fraction = score_many([s[:3] for s in golds[:4]], mode="fraction", sandbox=docker_sandbox)
    assert [r["score"] for r in fraction] == [1.0] * 4


def test_every_gold_scores_one_through_the_verl_adapter(golds):
    results = verl.compute_score_batch([s[3]["data_source"] for s in golds], [s[0] for s in golds],
                                       [s[1] for s in golds], [s[2] for s in golds])
    assert not [(k, r) for k, r in enumerate(results) if r["score"] != 1.0]
    one = verl.compute_score("codecontests", golds[0][0], golds[0][1], golds[0][2])
    assert one["score"] == 1.0 and one["format_ok"] == 1


def test_every_gold_scores_one_through_the_trl_adapter(exported, golds):
    store, _, trl_rows, _ = exported
    by_id = {r["problem_id"]: r for r in trl_rows}
    rows = [by_id[s[3]["extra_info"]["problem_id"]] for s in golds]
    completions = [s[0] if k % 2 else [{"role": "assistant", "content": s[0]}] for k, s in enumerate(golds)]
    rewards = trl.reward(prompts=[r["prompt"] for r in rows], completions=completions,
                         ground_truth=[r["ground_truth"] for r in rows], problem_id=[r["problem_id"] for r in rows],
                         verification_info=[r["verification_info"] for r in rows])
    assert rewards == [1.0] * len(golds)


def test_every_gold_scores_one_through_the_openrlhf_adapter(golds):
    prompts = [s[3]["prompt"][0]["content"] for s in golds]
    answer = openrlhf.reward_func([p + s[0] for p, s in zip(prompts, golds, strict=True)], prompts,
                                  [s[1] for s in golds])
    assert [float(x) for x in answer["rewards"]] == [1.0] * len(golds)
    assert [float(x) for x in answer["scores"]] == [1.0] * len(golds)
    assert set(answer["extra_logs"]) >= {"passed", "holdout_score", "sandbox_error"}


def test_every_gold_scores_one_through_the_server(golds, server_url):
    status, answer = call(server_url, "/score", {"samples": [{"completion": s[0], "ground_truth": s[1],
                                                              "extra_info": s[2]} for s in golds]}, key=None)
    assert status == 200
    failures = [(k, r) for k, r in enumerate(answer["results"]) if r["score"] != 1.0]
    assert not failures
    prompts = [s[3]["prompt"][0]["content"] for s in golds[:6]]
    status, reward = call(server_url, "/get_reward", {"query": [p + s[0] for p, s in zip(prompts, golds, strict=False)],
                                                      "prompts": prompts, "labels": [s[1] for s in golds[:6]]},
                          key=None)
    assert status == 200 and reward["rewards"] == reward["scores"] == [1.0] * 6
    remote = verl.compute_score_batch(["codecontests"] * 6, [s[0] for s in golds[:6]], [s[1] for s in golds[:6]],
                                      [s[2] for s in golds[:6]], reward_url=server_url)
    assert [r["score"] for r in remote] == [1.0] * 6


def test_wrong_slow_broken_and_unfenced_answers_score_zero(golds, docker_sandbox):
    code, truth, info, _ = golds[0]
    answers = {
        "WA": "```python\nprint(12345)\n```",
        "TLE": "```python\nwhile True:\n    pass\n```",
        "CE": "```cpp\nint main( {\n```",
        "RE": "```python\nraise ValueError('no')\n```",
    }
    for verdict, answer in answers.items():
        result = score(answer, truth, info, sandbox=docker_sandbox)
        assert (result["score"], result["first_failure_verdict"], result["format_ok"]) == (0.0, verdict, 1)
    bare = score(code.split("```")[1].split("\n", 1)[1], truth, info, sandbox=docker_sandbox)
    assert (bare["score"], bare["format_ok"]) == (0.0, 0)


def test_special_casing_the_visible_tests_is_caught_by_the_held_out_ones(golds, docker_sandbox):
    candidates = [(s[1], s[2]) for s in golds if json.loads(s[1]).get("holdout_inputs") and not s[2]["checker"]]
    truth_text, info = min(candidates, key=lambda c: len(c[0]))  # the smallest tests make the shortest cheat
    truth = json.loads(truth_text)
    table = dict(zip(truth["inputs"], truth["outputs"], strict=True))
    cheat = f"```python\nimport sys\nprint({table!r}.get(sys.stdin.read(), '0'), end='')\n```"
    result = score(cheat, truth_text, info, sandbox=docker_sandbox)
    assert result["score"] == 1.0 and result["holdout_total"] > 0 and result["holdout_score"] < 1.0


def test_verl_args_point_at_the_adapter(exported):
    _, _, _, root = exported
    done = klearct("rl", "verl-args", root / "verl.parquet", "--mode", "fraction")
    assert done.returncode == 0, done.stderr
    args = dict(word.split("=", 1) for word in shlex.split(done.stdout))
    assert args["reward.custom_reward_function.path"] == verl.__file__
    assert args["reward.custom_reward_function.name"] == "compute_score"
    assert args["data.train_files"] == f"[{root / 'verl.parquet'}]"
    assert args["+reward.custom_reward_function.reward_kwargs.mode"] == "fraction"
