"""The LLM path as a nightly job runs it: a shared cache outside the run, usage that is never lost,
the time limit derived once, a declared judge that wins, and a spend cap per run."""

import json
from pathlib import Path

import pytest
from fake_openai import Reply
from test_generate import KILLER, STATEMENT, SUM_PY, Router, fenced, klearct, sum_row, task_of, write_config

from klear_ct.config import LLMConfig
from klear_ct.llm.client import LLMClient
from klear_ct.llm.prompts import Prompts
from klear_ct.model import Problem, Program, RunResult, Verdict
from klear_ct.pipeline.generate_batch import generate_batch
from klear_ct.pipeline.session import GenerateSettings
from klear_ct.store import RunStore, append_line


def nightly_config(tmp_path: Path, base_url: str, llm: str = "", **generate) -> str:
    path = Path(write_config(tmp_path, base_url, validator="false", **generate))
    path.write_text(path.read_text().replace("[llm]\n", f"[llm]\n{llm}", 1))
    return str(path)


def rows_file(tmp_path: Path, names: list[str]) -> Path:
    problems = tmp_path / "problems.jsonl"
    problems.write_text("".join(json.dumps(sum_row(name, STATEMENT + f"\nTag {name}.\n", incorrect=False)) + "\n"
                                for name in names))
    return problems


def report_llm(run: Path) -> dict:
    done = klearct("report", run, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["llm"]


def test_append_line_creates_the_file_and_its_folders(tmp_path):
    path = tmp_path / "fresh" / "llm" / "usage.jsonl"
    append_line(path, {"a": 1})
    append_line(path, {"a": 2})
    assert [json.loads(line)["a"] for line in path.read_text().splitlines()] == [1, 2]


class RaisingSandbox:
    slots = 1

    def run(self, program, inputs, limits=None, **options):
        if program.code == SUM_PY:  # the time-limit / checker steps would run golds: none here
            return [RunResult(verdict=Verdict.OK, stdout="3\n") for _ in inputs]
        raise RuntimeError("a bug after the answer")


def test_a_problem_that_fails_after_an_answer_keeps_its_usage(tmp_path, fake_openai):
    fake_openai.route = Router({"regular generator": [Reply(fenced(KILLER), usage=(70, 30))]})
    store = RunStore(tmp_path / "run")  # fresh: no llm/ folder yet
    llm = LLMClient(LLMConfig(base_url=fake_openai.url, model="scripted"), usage_log=store.usage_log)
    problems = [Problem(id=f"p{k}", statement=STATEMENT + f"\n{k}\n", gold=[Program(lang="python3", code=SUM_PY)])
                for k in range(2)]
    settings = GenerateSettings(counts=(("regular", 1),), checker="never", validator=False)
    summary = generate_batch(problems, store, llm, Prompts(), RaisingSandbox(), settings)
    assert summary.causes == {"internal_error:RuntimeError": 2}
    assert (summary.requests, summary.prompt_tokens, summary.completion_tokens) == (2, 140, 60)
    assert {pid: line["requests"] for pid, line in store.done("generate").items()} == {"p0": 1, "p1": 1}
    assert sum(line["prompt_tokens"] for line in store.llm_usage()) == fake_openai.usage_sent["prompt_tokens"] == 140
    assert len(store.read_rows("llm")) == 2  # the requests table of a failed problem is written too


@pytest.mark.docker
def test_a_shared_cache_outside_a_fresh_run_counts_every_answer(tmp_path, fake_openai):
    fake_openai.route = Router({"regular generator": [Reply(fenced(KILLER))]})
    shared = tmp_path / "shared-cache"
    config = nightly_config(tmp_path, fake_openai.url, f'cache_dir = "{shared}"\n')
    problems = rows_file(tmp_path, ["a", "b"])
    run = tmp_path / "nights" / "2026-12-01"
    done = klearct("generate", problems, "-o", run, "--config", config, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["done"] == 2 and summary["failed"] == 0 and summary["requests"] == len(fake_openai.requests) == 2
    llm = report_llm(run)
    assert llm["requests"] == 2
    assert llm["prompt_tokens"] == fake_openai.usage_sent["prompt_tokens"]
    assert llm["completion_tokens"] == fake_openai.usage_sent["completion_tokens"]
    assert any(shared.rglob("*.json")) and not (run / "llm" / "cache").exists()

    # the next night, a fresh run on the same shared cache: no request is sent again
    again = klearct("generate", problems, "-o", tmp_path / "nights" / "2026-12-02", "--config", config, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["cached"] == 2 and len(fake_openai.requests) == 2


SLOW_SUM = "n = int(input())\ns = 0\nfor i in range(n):\n    s += i\nprint(s)\n"
TOO_SLOW = "print(repr(['5', '300000000']))\n"
REPAIRED = "print(repr(['5', '1000']))\n"


def icpc_package(root: Path, name: str, yaml_text: str) -> Path:
    """A package with no time limit (derived 5 × the slowest accepted) and default validation."""
    folder = root / name
    for part in ("sample", "secret"):
        (folder / "data" / part).mkdir(parents=True)
    (folder / "data" / "sample" / "1.in").write_text("10\n")
    (folder / "data" / "sample" / "1.ans").write_text("45\n")
    (folder / "data" / "secret" / "1.in").write_text("100\n")
    (folder / "data" / "secret" / "1.ans").write_text("4950\n")
    (folder / "submissions" / "accepted").mkdir(parents=True)
    (folder / "submissions" / "accepted" / "slow.py").write_text(SLOW_SUM)
    (folder / "problem_statement").mkdir()
    (folder / "problem_statement" / "problem.en.tex").write_text(
        "\\problemname{Triangle}\nGiven $n$ ($1 \\le n \\le 10^4$), print $0 + 1 + \\ldots + (n-1)$.\n")
    (folder / "problem.yaml").write_text(yaml_text)
    return folder


@pytest.mark.docker
def test_icpc_package_time_limit_derived_once_and_its_judge_wins(tmp_path, fake_openai):
    fake_openai.route = Router({
        "does this problem need a checker?": [Reply("NEEDS_CHECKER: yes")],
        "regular generator": [Reply(fenced(TOO_SLOW))],
        "repair a generator whose inputs are invalid": [Reply(fenced(REPAIRED))],
    })
    packages = tmp_path / "packages"
    icpc_package(packages, "triangle", "name: Triangle\nvalidation: default\n")
    config = nightly_config(tmp_path, fake_openai.url, checker='"auto"')
    run = tmp_path / "run"
    done = klearct("generate", packages, "-o", run, "--config", config, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    # validate after generate, given the package again: it judges the generated problem, stored with its limit
    checked = klearct("validate", packages, "-o", run, "--json")
    assert checked.returncode == 0, checked.stderr + checked.stdout
    kinds = [task_of(body) for body in fake_openai.requests]
    # the package declares how to judge (default validation): no checker is asked for
    assert kinds == ["regular generator", "repair a generator whose inputs are invalid"]
    store = RunStore(run)
    problem = next(store.problems())
    assert problem.checker is None and problem.comparison == "icpc"
    assert problem.time_multiplier is None and problem.time_limit_s == 1.0
    derived = [e for e in store.events() if e["cause"] == "time_limit_derived"]
    assert [e["stage"] for e in derived] == ["generate"]  # once, in generate; validate used the stored limit
    rows = store.read_rows("generation")
    assert [(r["round"], r["status"]) for r in rows] == [(0, "failed"), (1, "ok")]
    assert "300000000" in rows[0]["error_report"]
    assert {t.input for t in store.tests("triangle") if t.kind == "generated"} == {"5\n", "1000\n"}


def test_a_declared_judge_is_never_replaced_by_a_checker(fake_openai):
    from klear_ct.pipeline.generate import declares_judge

    plain = Problem(id="p", statement=STATEMENT)
    assert not declares_judge(plain)
    assert declares_judge(plain.model_copy(update={"comparison": "icpc"}))
    assert declares_judge(plain.model_copy(update={"comparison": "icpc:1e-06:1e-06"}))
    assert declares_judge(plain.model_copy(update={"checker": Program(lang="python3", code="exit(0)\n")}))


@pytest.mark.docker
def test_a_spend_cap_leaves_problems_pending_and_a_higher_cap_continues_them(tmp_path, fake_openai):
    """Two requests per problem, 150 tokens each; a cap of 450 stops in the middle of the second
    problem. The next run with a higher cap finishes both pending problems, repeating no request."""
    answer = [Reply(fenced(KILLER), usage=(100, 50))]
    fake_openai.route = Router({"regular generator": answer, "corner-case generator": answer})
    config = nightly_config(tmp_path, fake_openai.url, "max_tokens_per_run = 450\n",
                            counts="{regular = 1, corner = 1}")
    problems = rows_file(tmp_path, ["a", "b", "c"])
    run = tmp_path / "run"
    first = klearct("run", problems, "-o", run, "--config", config, "--json", "--workers", "1")
    assert first.returncode == 1, first.stderr
    assert "spend cap reached" in first.stderr and "2 problems left pending" in first.stderr
    job = json.loads(first.stdout)
    assert job["generate"]["pending"] == 2 and job["generate"]["pending_ids"] == ["b", "c"]
    assert job["generate"]["failed"] == 0 and job["validate"]["done"] == 1
    store = RunStore(run)
    assert set(store.done("generate")) == {"a"}  # pending problems are not done
    pending = [(e["problem_id"], e["cause"]) for e in store.events() if e["outcome"] == "pending"]
    assert pending == [("b", "llm_budget_reached"), ("c", "llm_budget_reached")]
    assert len(fake_openai.requests) == 3

    second = klearct("run", problems, "-o", run, "--config", config, "--json", "--max-tokens-per-run", "10000")
    assert second.returncode == 0, second.stderr
    job = json.loads(second.stdout)
    assert job["generate"]["done"] == 2 and job["generate"]["skipped"] == 1 and job["generate"]["cached"] == 1
    assert job["validate"]["done"] == 2 and job["export"]["problems"] == 3
    sent = [json.dumps(body["messages"], sort_keys=True) for body in fake_openai.requests]
    assert len(sent) == 6 and len(set(sent)) == 6  # no request was sent twice

    llm = report_llm(run)
    assert llm["prompt_tokens"] + llm["completion_tokens"] == 900
    assert llm["budget"]["max_tokens"] == 10000 and llm["budget"]["share"] == pytest.approx(0.09)
    assert llm["by_prompt"]["regular"]["requests"] == 3 and llm["by_prompt"]["regular"]["cached"] == 1
    assert llm["by_problem"]["b"]["requests"] == 2
    assert llm["by_prompt"]["corner"]["cost_usd"] == pytest.approx(3 * (100 + 4 * 50) / 1e6)
    text = klearct("report", run).stdout
    assert "LLM per prompt kind" in text and "9% of the spend cap (10000 tokens)" in text
    page = tmp_path / "report.html"
    assert klearct("report", run, "--html", page).returncode == 0
    assert "prompt kind" in page.read_text() and "cache hits" in page.read_text()
