"""The generate stage and `klearct generate` / `klearct run` against a scripted chat-completions
server on 127.0.0.1 and the real Docker sandbox."""

import json
import os
import re
import subprocess
import sys
from collections import defaultdict

import pytest
from fake_openai import Reply, prompt_text

from klear_ct.config import LLMConfig
from klear_ct.llm.client import LLMClient
from klear_ct.llm.prompts import Prompts
from klear_ct.model import Problem, Program, RunResult, TestCase, Verdict
from klear_ct.pipeline.checker import corruptions
from klear_ct.pipeline.generate import generate_problem
from klear_ct.pipeline.generate_batch import generate_batch
from klear_ct.pipeline.session import GenerateSettings
from klear_ct.pipeline.validate import validate_problem
from klear_ct.sandbox import SandboxError
from klear_ct.store import RunStore

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"
SUM_CPP = "#include <cstdio>\nint main(){long long a,b;scanf(\"%lld %lld\",&a,&b);printf(\"%lld\\n\",a+b);}\n"
SUM_PY2 = "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n"
OVERFLOW = "#include <cstdio>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);}\n"
STATEMENT = "# A plus B\n\nGiven two integers $a$ and $b$ on one line ($|a|, |b| \\le 2 \\cdot 10^9$), print $a + b$.\n"

VALIDATOR = """import sys
t = sys.stdin.read().split()
ok = len(t) == 2 and all(x.lstrip('-').isdigit() and abs(int(x)) <= 2 * 10**9 for x in t)
print("ok" if ok else "want two integers of absolute value at most 2e9")
sys.exit(0 if ok else 1)
"""
CRASHING = "import random\nrandom.seed(1)\ncases = random.sample(range(5), 10)\nprint(repr(cases))\n"
BAD_INPUTS = "cases = ['1', '5 6', '-3 3']\nprint(repr(cases))\n"
EDIT = ("The first case has one number; a small fix:\n<<<<<<< SEARCH\ncases = ['1', '5 6', '-3 3']\n=======\n"
        "cases = ['1 1', '5 6', '-3 3']\n>>>>>>> REPLACE\n")
KILLER = "print(repr(['2000000000 2000000000', '-2000000000 -1']))\n"


def fenced(code: str, tag: str = "python") -> str:
    return f"Here is the program.\n\n```{tag}\n{code}```\n"


def task_of(body: dict) -> str:
    match = re.search(r"^# Task: (.+)$", prompt_text(body), re.MULTILINE)
    return match.group(1) if match else "?"


class Router:
    """Answers in order per task (the `# Task:` line of the prompt); the last answer repeats."""

    def __init__(self, answers: dict[str, list[Reply]]):
        self.answers, self.seen = answers, defaultdict(int)

    def __call__(self, body: dict) -> Reply:
        task = task_of(body)
        replies = self.answers.get(task) or [Reply("I have no idea.")]
        k = self.seen[task]
        self.seen[task] += 1
        return replies[min(k, len(replies) - 1)]


def sum_row(custom_id: str, statement: str = STATEMENT, incorrect: bool = True) -> dict:
    return {"custom_id": custom_id, "question": statement, "solutions": [SUM_PY, SUM_CPP, SUM_PY2],
            "incorrect_solutions": [{"code": OVERFLOW, "verdict": "WA", "note": "32-bit"}] if incorrect else [],
            "type": "stdin", "input_output": {"inputs": ["1 2\n"], "outputs": ["3\n"]},
            "time-limit": 1.0, "memory-limit": 256}


def write_config(tmp_path, base_url: str, **generate) -> str:
    settings = {"counts": "{regular = 1}", "max_rounds": "3", "kill_rounds": "2", "checker": '"never"'} | generate
    path = tmp_path / "klearct.toml"
    path.write_text(f'[llm]\nbase_url = "{base_url}"\nmodel = "scripted"\ntimeout_s = 2\nmax_retries = 2\n'
                    "retry_budget_s = 20\nbackoff_initial_s = 0.05\nbackoff_max_s = 0.2\nconcurrency = 2\n"
                    "price_prompt_per_1m = 1.0\nprice_completion_per_1m = 4.0\n[generate]\n"
                    + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    return str(path)


def klearct(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=os.environ | {"COLUMNS": "250"})  # no wrapped report lines


def test_corruptions_change_the_output():
    found = corruptions("3 4\n7\n")
    assert found == {"empty": "", "truncated": "3\n", "off_by_one": "4 4\n7\n", "permuted_lines": "7\n3 4\n"}
    assert set(corruptions("5\n")) == {"empty", "off_by_one"}
    assert set(corruptions("hello\n")) == {"empty", "truncated"}


@pytest.mark.docker
def test_generate_repairs_kills_caches_and_counts_tokens(tmp_path, fake_openai):
    fake_openai.route = Router({
        "input validator": [Reply(fenced(VALIDATOR))],
        "regular generator": [Reply(fenced(CRASHING))],
        "repair a generator that failed": [Reply(fenced(BAD_INPUTS))],
        "repair a generator whose inputs are invalid": [Reply(EDIT)],
        "kill an incorrect solution": [Reply(fenced(KILLER))],
    })
    problems = tmp_path / "problems.jsonl"
    problems.write_text(json.dumps(sum_row("sum")) + "\n")
    config = write_config(tmp_path, fake_openai.url)
    run = tmp_path / "run"
    done = klearct("generate", problems, "-o", run, "--config", config, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["done"] == 1 and summary["failed"] == 0 and summary["generators"] == 2

    store = RunStore(run)
    rows = store.read_rows("generation")
    regular = sorted((r for r in rows if r["candidate"] == "regular-0"), key=lambda r: r["round"])
    assert [(r["round"], r["status"], r["cause"]) for r in regular] == [
        (0, "failed", "generator_crash"), (1, "failed", "invalid_inputs"), (2, "ok", None)]
    assert "Sample larger than population" in regular[0]["error_report"]
    assert "validator rejected" in regular[1]["error_report"] and "'1\\n'" in regular[1]["error_report"]
    assert regular[2]["code"] == BAD_INPUTS.replace("'1', ", "'1 1', ")  # the small edit was applied
    requests = store.read_rows("llm")
    repairs = [(r["prompt_kind"], r["round"]) for r in requests if r["prompt_kind"].startswith("repair")]
    assert repairs == [("repair_generator", 1), ("repair_inputs", 2)]
    sent = {r["prompt_kind"]: r for r in requests}
    assert sent["repair_generator"]["error_report"] in sent["repair_generator"]["prompt"]
    reports = sorted(p.name for p in (run / "llm" / "reports").rglob("*.txt"))
    assert reports == ["regular-0-round1-repair_generator.txt", "regular-0-round2-repair_inputs.txt"]

    # the overflow solution survived the regular generator: kill_incorrect wrote the test that kills it
    kill = [r for r in rows if r["candidate"] == "kill-sum/incorrect-0"]
    assert kill[-1]["status"] == "ok" and kill[-1]["kills"] == ["sum/incorrect-0"]
    assert any(e["stage"] == "kill_incorrect" and e["outcome"] == "ok" for e in store.events())
    attempts = [(e["candidate"], e["round"], e["cause"]) for e in store.events() if e["stage"] == "generate_attempt"]
    assert attempts == [("regular-0", 0, "generator_crash"), ("regular-0", 1, "invalid_inputs")]
    problem = next(store.problems())
    assert [g.code for g in problem.generators] == [regular[2]["code"], KILLER]
    assert problem.input_validator == Program(lang="python3", code=VALIDATOR)

    # a re-run, even one that redoes the problem, is answered from the cache
    before = len(fake_openai.requests)
    again = klearct("generate", problems, "-o", run, "--config", config, "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["skipped"] == 1
    (run / "done.jsonl").unlink()
    redo = klearct("generate", problems, "-o", run, "--config", config, "--json")
    assert redo.returncode == 0, redo.stderr
    redone = json.loads(redo.stdout)
    assert redone["requests"] == 0 and redone["cached"] == len(requests) and redone["generators"] == 2
    assert len(fake_openai.requests) == before

    # the nightly job on the same run: generation is done, validation and export follow
    nightly = klearct("run", problems, "-o", run, "--config", config, "--json")
    assert nightly.returncode == 0, nightly.stderr
    job = json.loads(nightly.stdout)
    assert job["generate"]["skipped"] == 1 and job["validate"]["done"] == 1 and job["export"]["problems"] == 1
    assert len(fake_openai.requests) == before
    tests = store.tests("sum")
    assert {"2000000000 2000000000\n", "1 1\n", "1 2\n"} <= {t.input for t in tests}
    assert any("sum/incorrect-0" in t.kills for t in tests)

    report = klearct("report", run, "--json")
    assert report.returncode == 0, report.stderr
    llm = json.loads(report.stdout)["llm"]
    assert llm["prompt_tokens"] == fake_openai.usage_sent["prompt_tokens"]
    assert llm["completion_tokens"] == fake_openai.usage_sent["completion_tokens"]
    assert llm["cost_usd"] == pytest.approx((llm["prompt_tokens"] + 4 * llm["completion_tokens"]) / 1e6)
    generation = json.loads(report.stdout)["generation"]
    assert generation["problems_ok"] == 1 and generation["repairs"] == 2 and generation["attempts"] == 5
    assert generation["by_kind"] == {"validator": {"candidates": 1, "kept": 1}, "regular": {"candidates": 1, "kept": 1},
                                     "hack": {"candidates": 1, "kept": 1}}
    assert generation["inputs_rejected_by_validator"] == 1
    text = klearct("report", run)
    assert f"{llm['prompt_tokens']} prompt" in text.stdout and "2 repairs" in text.stdout


@pytest.mark.docker
def test_llm_faults_fail_their_problem_and_the_batch_goes_on(tmp_path, fake_openai):
    good = Router({"regular generator": [Reply(fenced(KILLER))]})
    calls = defaultdict(int)

    def route(body):
        text = prompt_text(body)
        which = next((name for name in ("RATE", "SERVER", "HANG", "GARBAGE", "NOCODE", "FLAKY") if name in text), None)
        calls[which] += 1
        if which == "RATE":
            return Reply(status=429, headers={"Retry-After": "0"})
        if which == "SERVER":
            return Reply(status=500)
        if which == "HANG":
            return Reply(fenced(KILLER), delay_s=30)
        if which == "GARBAGE":
            return Reply(raw=b"<html>502 bad gateway</html>")
        if which == "NOCODE":
            return Reply("I am sorry, I cannot write that program.")
        if which == "FLAKY" and calls[which] <= 2:
            return Reply(status=503) if calls[which] == 1 else Reply(status=429, headers={"Retry-After": "1"})
        return good(body)

    fake_openai.route = route
    rows = [sum_row(f"p-{name.lower()}", STATEMENT + f"\nTag {name}.\n", incorrect=False)
            for name in ("RATE", "SERVER", "HANG", "GARBAGE", "NOCODE", "FLAKY", "FINE")]
    problems = tmp_path / "problems.jsonl"
    problems.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = write_config(tmp_path, fake_openai.url, validator="false", max_rounds="1")
    run = tmp_path / "run"
    done = klearct("generate", problems, "-o", run, "--config", config, "--json")
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)
    assert summary["done"] == 7
    assert summary["causes"] == {"llm_rate_limited": 1, "llm_server_error": 1, "llm_timeout": 1,
                                 "llm_malformed_reply": 1, "no_generator_passed": 1}
    assert calls["RATE"] == calls["SERVER"] == calls["HANG"] == calls["GARBAGE"] == 3  # 1 try + max_retries 2
    outcomes = {pid: line["outcome"] for pid, line in RunStore(run).done("generate").items()}
    assert outcomes["p-flaky"] == outcomes["p-fine"] == "ok"
    failures = {e["problem_id"]: e for e in RunStore(run).events() if e["stage"] == "generate"}
    assert "after 3 tries" in failures["p-rate"]["error"]
    nocode = [r for r in RunStore(run).read_rows("generation") if r["problem_id"] == "p-nocode"]
    assert [r["cause"] for r in nocode] == ["no_code_block", "no_code_block"]


@pytest.mark.docker
def test_generators_that_passed_before_the_llm_gave_out_are_kept(tmp_path, fake_openai):
    """The regular generator passes, then every corner request fails: the problem fails with the
    LLM's cause, but the stored problem keeps the passed generator, and `klearct run` validates it."""
    good = Router({"regular generator": [Reply(fenced(KILLER))]})
    fake_openai.route = lambda body: Reply(status=500) if task_of(body) == "corner-case generator" else good(body)
    problems = tmp_path / "problems.jsonl"
    problems.write_text(json.dumps(sum_row("half", incorrect=False)) + "\n")
    config = write_config(tmp_path, fake_openai.url, validator="false", counts="{regular = 1, corner = 1}")
    run = tmp_path / "run"
    done = klearct("run", problems, "-o", run, "--config", config, "--json")
    assert done.returncode == 1, done.stderr
    job = json.loads(done.stdout)
    assert job["generate"]["causes"] == {"llm_server_error": 1}
    store = RunStore(run)
    [failure] = [e for e in store.events() if e["stage"] == "generate"]
    assert failure["generators_kept"] == 1
    assert [g.code for g in next(store.problems()).generators] == [KILLER]
    assert job["validate"]["done"] == 1 and {t.input for t in store.tests("half")} >= {"2000000000 2000000000\n"}


SPLIT = "# Split\n\nGiven $n$ ($0 \\le n \\le 100$), print two non-negative integers with sum $n$.\n"
CHECKER_GOOD = """import sys
inp, out, ans = (open(p).read() for p in sys.argv[1:4])
n = int(inp.split()[0])
words = out.split()
if len(words) != 2 or not all(w.isdigit() for w in words):
    print("want two non-negative integers"); sys.exit(2)
a, b = map(int, words)
sys.exit(0 if a + b == n else 1)
"""
CHECKER_ALL = "import sys\nsys.exit(0)\n"
CHECKER_ORDERED = CHECKER_GOOD.replace("a + b == n", "a + b == n and a <= b")


@pytest.mark.docker
def test_checker_validation_rejects_lax_and_strict_checkers(docker_sandbox, fake_openai, tmp_path):
    fake_openai.route = Router({
        "does this problem need a checker?": [Reply("NEEDS_CHECKER: yes\nAny pair with the right sum is correct.")],
        "write a checker": [Reply(fenced(CHECKER_ALL))],
        "repair a checker": [Reply(fenced(CHECKER_ORDERED)), Reply(fenced(CHECKER_GOOD))],
        "regular generator": [Reply(fenced("print([str(n) for n in (0, 1, 7, 100)])\n"))],
    })
    golds = [Program(lang="python3", code="n = int(input())\nprint(0, n)\n"),
             Program(lang="python3", code="n = int(input())\nprint(n, 0)\n")]
    problem = Problem(id="split", statement=SPLIT, gold=golds,
                      public_tests=[TestCase(problem_id="split", input="5\n", output="0 5\n", kind="public"),
                                    TestCase(problem_id="split", input="12\n", output="6 6\n", kind="public")])
    llm = LLMClient(LLMConfig(base_url=fake_openai.url, model="scripted", timeout_s=5, max_retries=1))
    settings = GenerateSettings(counts=(("regular", 1),), max_rounds=3, checker="auto", validator=False)
    result = generate_problem(problem, llm, Prompts(), docker_sandbox, settings)
    assert result.outcome == "ok", result.events
    checker_rows = [r for r in result.programs if r["candidate"] == "checker"]
    assert [(r["round"], r["status"], r["cause"]) for r in checker_rows] == [
        (0, "failed", "checker_accepts_wrong"), (1, "failed", "checker_rejects_gold"), (2, "ok", None)]
    assert "accepted a wrong (empty) output" in checker_rows[0]["error_report"]
    assert "rejected the correct output of gold #1" in checker_rows[1]["error_report"]
    assert result.problem.checker == Program(lang="python3", code=CHECKER_GOOD)
    assert len(result.problem.generators) == 1  # the golds disagree, and the checker makes them agree


@pytest.mark.docker
def test_validate_drops_and_counts_inputs_the_input_validator_rejects(docker_sandbox):
    generator = Program(lang="python3", code="print(repr(['1 2', '3000000000 1', '7', '4 4']))\n")
    problem = Problem(id="sum", statement=STATEMENT, time_limit_s=1.0,
                      gold=[Program(lang="python3", code=SUM_PY), Program(lang="python3", code=SUM_PY2)],
                      generators=[generator], input_validator=Program(lang="python3", code=VALIDATOR))
    result = validate_problem(problem, docker_sandbox)
    assert result.outcome == "ok" and {t.input for t in result.tests} == {"1 2\n", "4 4\n"}
    rejected = [e for e in result.events if e["cause"] == "input_rejected_by_validator"]
    assert len(rejected) == 1 and rejected[0]["rejected"] == 2
    assert result.generators[0]["inputs"] == 2


def test_run_and_generate_are_lock_protected(tmp_path, fake_openai):
    problems = tmp_path / "problems.jsonl"
    problems.write_text(json.dumps(sum_row("sum")) + "\n")
    run, config = tmp_path / "run", write_config(tmp_path, fake_openai.url)
    with RunStore(run):
        for command in ("run", "generate"):
            busy = klearct(command, problems, "-o", run, "--config", config, "--json")
            assert busy.returncode == 4 and "in use" in busy.stderr, busy.stderr
    assert not fake_openai.requests


def test_a_checker_that_cannot_be_validated_fails_the_problem_without_spending_tokens(fake_openai):
    problem = Problem(id="split", statement=SPLIT, gold=[Program(lang="python3", code="print(0, int(input()))\n")])
    llm = LLMClient(LLMConfig(base_url=fake_openai.url, model="scripted"))
    result = generate_problem(problem, llm, Prompts(), None, GenerateSettings(checker="always", validator=False))
    assert (result.outcome, result.cause) == ("failed", "checker_unverifiable")
    assert not fake_openai.requests


def test_truncated_answers_fail_the_problem_with_their_cause(fake_openai):
    fake_openai.route = lambda body: Reply(fenced(KILLER), finish_reason="length")
    problem = Problem(id="cut", statement=STATEMENT, gold=[Program(lang="python3", code=SUM_PY)])
    llm = LLMClient(LLMConfig(base_url=fake_openai.url, model="scripted"))
    settings = GenerateSettings(counts=(("regular", 1),), max_rounds=1, checker="never", validator=False)
    result = generate_problem(problem, llm, Prompts(), None, settings)
    assert (result.outcome, result.cause) == ("failed", "no_generator_passed")
    assert [(r["cause"], r["error_report"].startswith("Your last answer could not be used")) for r in result.programs] \
        == [("truncated", True), ("truncated", True)]
    assert len(result.requests) == 2 and all(r["finish_reason"] == "length" for r in result.requests)


class FaultySandbox:
    """Answers every run with a sandbox fault, or raises one."""

    slots = 1

    def __init__(self, error: Exception | None = None):
        self.error = error

    def run(self, program, inputs, limits=None, **options):
        if self.error is not None:
            raise self.error
        return [RunResult(verdict=Verdict.SE, message="no answer from the sandbox") for _ in inputs]


def test_a_sandbox_fault_ends_the_problem_without_a_repair_request(fake_openai):
    fake_openai.route = Router({"regular generator": [Reply(fenced(KILLER))]})
    problem = Problem(id="sum", statement=STATEMENT, gold=[Program(lang="python3", code=SUM_PY)])
    llm = LLMClient(LLMConfig(base_url=fake_openai.url, model="scripted"))
    settings = GenerateSettings(counts=(("regular", 1),), checker="never", validator=False)
    result = generate_problem(problem, llm, Prompts(), FaultySandbox(), settings)
    assert (result.outcome, result.cause) == ("failed", "sandbox_error")
    assert "no answer from the sandbox" in result.events[-1]["error"]
    assert len(fake_openai.requests) == 1  # the fault is not the generator's: nothing is sent for repair


@pytest.mark.parametrize("error, cause", [(SandboxError("docker exec failed"), "sandbox_error"),
                                          (RuntimeError("a bug"), "internal_error:RuntimeError")])
def test_a_raising_stage_fails_its_problem_and_the_batch_goes_on(tmp_path, fake_openai, error, cause):
    fake_openai.route = Router({"regular generator": [Reply(fenced(KILLER))]})
    problems = [Problem(id=f"p{k}", statement=STATEMENT, gold=[Program(lang="python3", code=SUM_PY)])
                for k in range(2)]
    store = RunStore(tmp_path / "run")
    llm = LLMClient(LLMConfig(base_url=fake_openai.url, model="scripted"))
    settings = GenerateSettings(counts=(("regular", 1),), checker="never", validator=False)
    summary = generate_batch(problems, store, llm, Prompts(), FaultySandbox(error), settings)
    assert summary.done == 2 and summary.causes == {cause: 2}
    assert {pid: line["cause"] for pid, line in store.done("generate").items()} == {"p0": cause, "p1": cause}
    assert [e["error"] for e in store.events() if e["stage"] == "generate"] == [str(error)] * 2
    assert sorted(p.id for p in store.problems()) == ["p0", "p1"]  # each problem is kept for a retry
