"""The reward scorer: code extraction, malformed ground truth, limits, verdicts, retries, held-out tests."""

from __future__ import annotations

import json
import threading

import pytest

from klear_ct.formats.exporting import ExportOptions, ground_truth_json, split_holdout
from klear_ct.judge import Judge
from klear_ct.model import Problem, Program, RunResult, TestCase, Verdict
from klear_ct.rl import pool
from klear_ct.rl.scorer import SCORE_KEYS, capped_limits, extract_code, score, score_many
from klear_ct.sandbox import Limits

SUM = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
SUM_CPP = "#include <cstdio>\nint main(){long long s=0,x;while(scanf(\"%lld\",&x)==1)s+=x;printf(\"%lld\\n\",s);}\n"
TRUTH = json.dumps({"inputs": ["1 2\n", "3 4\n", "10 -5\n"], "outputs": ["3\n", "7\n", "5\n"]})


def fenced(code: str, tag: str = "python") -> str:
    return f"Let me think.\n\n```{tag}\n{code}```\nDone."


# -- no sandbox needed ---------------------------------------------------------------------------

def test_the_last_block_in_a_known_language_is_taken():
    text = "```python\nprint(1)\n```\n```text\nnot code\n```\n```cpp\nint main(){}\n```\n```\nuntagged\n```"
    program = extract_code(text)
    assert program == Program(lang="cpp17", code="int main(){}\n")
    assert extract_code("```py3\nprint(2)\n```").lang == "python3"
    assert extract_code("```c++\nint main(){}\n```").lang == "cpp17"
    for no_code in (None, "", "print(1)", "```\nprint(1)\n```", "```rust\nfn main(){}\n```", "```python\n   \n```"):
        assert extract_code(no_code) is None


@pytest.mark.parametrize("truth, why", [
    ("not json", "not JSON"), ("[1, 2]", "not an object"), (json.dumps({"inputs": ["1"]}), "outputs"),
    (json.dumps({"inputs": ["1"], "outputs": ["1", "2"]}), "different number"),
    (json.dumps({"inputs": [], "outputs": []}), "no tests"), (json.dumps({"inputs": [1], "outputs": [1]}), "strings"),
    (json.dumps({"inputs": ["[1"], "outputs": ["1"], "fn_name": "f"}), "not a call's JSON"),
    (json.dumps({"inputs": [1], "outputs": [1], "fn_name": "f"}), "not a call's JSON"), (None, "NoneType"),
])
def test_malformed_ground_truth_scores_zero_without_raising(truth, why):
    result = score(fenced(SUM), truth, sandbox=object())  # the sandbox is never reached
    assert set(result) == set(SCORE_KEYS)
    assert result["score"] == 0.0 and result["sandbox_error"] == 0 and why in result["detail"]


def test_a_bad_comparison_or_extra_info_is_a_detail_not_an_exception():
    truth = json.dumps({"inputs": ["1"], "outputs": ["1"], "judging": {"comparison": "no-such"}})
    result = score(fenced(SUM), truth, extra_info="not a dict", sandbox=object())
    assert result["score"] == 0.0 and result["sandbox_error"] == 0 and "no-such" in result["detail"]


def test_no_usable_code_scores_zero_with_format_ok_zero():
    for completion in ("I think the answer is 42.", SUM, "```rust\nfn main(){}\n```", None):
        result = score(completion, TRUTH, sandbox=object())
        assert set(result) == set(SCORE_KEYS)
        assert (result["score"], result["format_ok"], result["total"]) == (0.0, 0, 3)


def test_a_batch_without_usable_code_opens_no_sandbox(monkeypatch):
    opened = []
    monkeypatch.setattr(pool, "shared_sandbox", lambda: opened.append(1) or object())
    results = score_many([("I think the answer is 42.", TRUTH), ("```rust\nfn main(){}\n```", TRUTH, None)])
    assert [(r["score"], r["format_ok"]) for r in results] == [(0.0, 0), (0.0, 0)]
    assert not opened


def test_limits_come_from_the_sample_and_are_capped():
    def problem(time_s, memory_mb):  # a problem's limits: the sandbox scales them per language
        return Limits(time_s=time_s, memory_mb=memory_mb, per_language=True)

    assert capped_limits({}) == problem(2.0, 256)
    assert capped_limits({"time_limit_s": 1.5, "memory_limit_mb": 512}) == problem(1.5, 512)
    assert capped_limits({"time_limit_s": 1e9, "memory_limit_mb": 10**9}, Limits(time_s=3, memory_mb=100)) == \
        problem(3, 100)
    assert capped_limits({"time_limit_s": "x", "memory_limit_mb": -1}) == problem(2.0, 256)


def test_holdout_split_is_stable_and_keeps_a_visible_test():
    problem = Problem(id="p", statement="s", gold=[Program(lang="python3", code=SUM)])
    tests = [TestCase(problem_id="p", input=f"{k} {k}\n", output=f"{2 * k}\n") for k in range(40)]
    options = ExportOptions(holdout_fraction=0.3, seed=7)
    visible, held = split_holdout(problem, tests, options)
    assert split_holdout(problem, tests[:20], options)[1] == [t for t in held if t in tests[:20]]  # per test
    assert 4 <= len(held) <= 20 and len(visible) + len(held) == 40
    assert split_holdout(problem, tests, ExportOptions(holdout_fraction=0.3, seed=8)) != (visible, held)
    truth = json.loads(ground_truth_json(problem, tests, options))
    assert truth["inputs"] == [t.input for t in visible] and truth["holdout_inputs"] == [t.input for t in held]
    assert truth["judging"]["comparison"] == "lines"
    one = split_holdout(problem, tests[:1], ExportOptions(holdout_fraction=0.99))
    assert one == (tests[:1], [])
    assert "holdout_inputs" not in json.loads(ground_truth_json(problem, tests))


# -- a sandbox that fails on purpose --------------------------------------------------------------

class FlakySandbox:
    """Answers SE for the first `faults` runs of each input batch, then delegates to the real sandbox."""

    def __init__(self, real, faults: int):
        self.real, self.faults, self.calls, self.slots = real, faults, 0, 1

    def run(self, program, inputs, limits=None, **options):
        self.calls += 1
        if self.calls <= self.faults:
            return [RunResult(verdict=Verdict.SE, message="injected fault")] * len(inputs)
        return self.real.run(program, inputs, limits, **options)


@pytest.mark.docker
def test_a_sandbox_fault_is_retried_once_then_reported(docker_sandbox):
    once = FlakySandbox(docker_sandbox, faults=1)
    # the first batch (one input) faults; the retry sends the three inputs again, in batches of 1 and 2
    assert score(fenced(SUM), TRUTH, sandbox=once)["score"] == 1.0 and once.calls == 3
    twice = FlakySandbox(docker_sandbox, faults=2)
    result = score(fenced(SUM), TRUTH, sandbox=twice)
    assert (result["score"], result["sandbox_error"], result["format_ok"]) == (0.0, 1, 1)
    assert "injected fault" in result["detail"] and twice.calls == 2


@pytest.mark.docker
def test_verdicts_and_modes(docker_sandbox):
    right = score(fenced(SUM), TRUTH, sandbox=docker_sandbox)
    assert (right["score"], right["passed"], right["total"], right["holdout_score"]) == (1.0, 3, 3, -1.0)
    assert score(fenced(SUM_CPP, "cpp"), TRUTH, sandbox=docker_sandbox)["score"] == 1.0
    half = "import sys\nt=sys.stdin.read().split()\nprint(int(t[0])+int(t[1]) if t[0] != '3' else 0)\n"
    binary = score(fenced(half), TRUTH, sandbox=docker_sandbox)
    assert (binary["score"], binary["passed"], binary["first_failure_verdict"]) == (0.0, 2, "WA")
    assert score(fenced(half), TRUTH, mode="fraction", sandbox=docker_sandbox)["score"] == pytest.approx(2 / 3)
    slow = score(fenced("while True:\n    pass\n"), TRUTH, {"time_limit_s": 0.5}, sandbox=docker_sandbox)
    assert (slow["score"], slow["first_failure_verdict"]) == (0.0, "TLE")
    broken = score(fenced("int main( {\n", "cpp"), TRUTH, sandbox=docker_sandbox)
    assert (broken["score"], broken["format_ok"], broken["first_failure_verdict"]) == (0.0, 1, "CE")
    crash = score(fenced("raise SystemExit(3)\n"), TRUTH, sandbox=docker_sandbox)
    assert crash["first_failure_verdict"] == "RE"


@pytest.mark.docker
def test_a_run_that_fails_stops_the_rest_of_its_slots_share(docker_sandbox):
    fails_on_3 = Program(lang="python3", code="import sys\nn = int(input())\nsys.exit(n == 3)\n")
    inputs = [str(n) for n in range(1, 9)]  # two slots: 1-4 and 5-8
    runs = docker_sandbox.run(fails_on_3, inputs, stop_after_failure=True)
    assert [r.verdict for r in runs] == ["OK", "OK", "RE", "SKIP"] + ["OK"] * 4
    assert [r.verdict for r in docker_sandbox.run(fails_on_3, inputs)].count("OK") == 7  # not asked: all run
    spin = Program(lang="python3", code="while True:\n    pass\n")
    runs = docker_sandbox.run(spin, inputs, Limits(time_s=0.3), stop_after_failure=True)
    assert [r.verdict for r in runs] == (["TLE"] + ["SKIP"] * 3) * 2


@pytest.mark.docker
def test_binary_judging_stops_at_the_first_wrong_answer_or_failed_run(docker_sandbox):
    """Judge.run with stop_after_failure sends the inputs in doubling batches (1, 2, 4, ...) and judges each
    before the next: a wrong answer stops the program's runs too, and a spinner costs one time limit."""
    echo = Program(lang="python3", code="n = int(input())\nprint(0 if n == 3 else n)\n")
    inputs, answers = [f"{n}\n" for n in range(1, 9)], [f"{n}\n" for n in range(1, 9)]
    runs = Judge(docker_sandbox).run(echo, inputs, Limits(), answers, stop_after_failure=True)
    assert [r.verdict for r in runs] == ["OK", "OK", "WA"] + ["SKIP"] * 5  # batches [1], [2, 3]: 4-8 never sent
    assert [r.verdict for r in Judge(docker_sandbox).run(echo, inputs, Limits(), answers)].count("OK") == 7
    spin = Program(lang="c11", code="int main(void){volatile unsigned long x=0;for(;;)x++;}\n")
    runs = Judge(docker_sandbox).run(spin, inputs, Limits(time_s=0.3), answers, stop_after_failure=True)
    assert [r.verdict for r in runs] == ["TLE"] + ["SKIP"] * 7


@pytest.mark.docker
def test_binary_runs_held_out_tests_only_after_the_visible_ones_pass(docker_sandbox):
    truth = {"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n", "7\n"], "holdout_inputs": ["5 5\n"],
             "holdout_outputs": ["10\n"]}
    right = score(fenced(SUM), json.dumps(truth), sandbox=docker_sandbox)
    assert (right["score"], right["holdout_score"], right["holdout_passed"], right["holdout_total"]) == (1, 1, 1, 1)
    wrong_visible = json.dumps(truth | {"outputs": ["3\n", "8\n"]})
    binary = score(fenced(SUM), wrong_visible, sandbox=docker_sandbox)
    assert (binary["score"], binary["holdout_score"], binary["holdout_passed"], binary["holdout_total"]) == (0, 0, 0, 1)
    fraction = score(fenced(SUM), wrong_visible, mode="fraction", sandbox=docker_sandbox)
    assert (fraction["score"], fraction["holdout_score"]) == (0.5, 1.0)  # fraction runs every test
    no_code = score("I cannot solve it.", json.dumps(truth), sandbox=docker_sandbox)
    assert (no_code["format_ok"], no_code["holdout_score"], no_code["holdout_total"]) == (0, 0.0, 1)


@pytest.mark.docker
def test_a_run_only_the_wall_clock_stopped_runs_once_more(docker_sandbox):
    counting = FlakySandbox(docker_sandbox, faults=0)
    sleeper = score(fenced("import time\ntime.sleep(30)\n"), TRUTH, {"time_limit_s": 0.2}, sandbox=counting)
    assert (sleeper["first_failure_verdict"], counting.calls) == ("TLE", 2)


@pytest.mark.docker
def test_checker_and_comparison_from_the_ground_truth(docker_sandbox):
    checker = ("import sys\ninp, out, ans = (open(f).read().split() for f in sys.argv[1:4])\n"
               "sys.exit(0 if abs(float(out[0]) - float(ans[0])) < 1e-3 else 1)\n")
    truth = json.dumps({"inputs": ["1 2\n"], "outputs": ["3.0000\n"],
                        "judging": {"checker": checker, "checker_lang": "python3"}})
    assert score(fenced(SUM), truth, sandbox=docker_sandbox)["score"] == 1.0  # prints 3
    tokens = json.dumps({"inputs": ["1 2\n"], "outputs": ["3   \n\n"], "judging": {"comparison": "exact"}})
    assert score(fenced(SUM), tokens, sandbox=docker_sandbox)["score"] == 0.0


@pytest.mark.docker
def test_the_shared_sandbox_is_one_per_process_and_thread_safe():
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(pool.shared_sandbox())) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({id(s) for s in seen}) == 1
        results = score_many([(fenced(SUM), TRUTH, None)] * 3 + [("no code", TRUTH, None)])
        assert [r["score"] for r in results] == [1.0, 1.0, 1.0, 0.0]
    finally:
        pool.close_shared()


@pytest.mark.docker
def test_the_readme_reward_snippet_runs():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Train with klearct rewards", 1)[1].split("\n## ", 1)[0]
    snippets = re.findall(r"^```python\n(.*?)^```", section, re.DOTALL | re.MULTILINE)
    assert snippets
    try:
        for snippet in snippets:
            exec(compile(snippet, "README.md", "exec"), {})
    finally:
        pool.close_shared()


def test_an_unreachable_reward_server_scores_zero_with_sandbox_error(monkeypatch):
    from test_rl_server import free_port

    from klear_ct.rl import remote, trl, verl

    monkeypatch.setattr(remote.time, "sleep", lambda s: None)
    monkeypatch.setenv("KLEARCT_REWARD_URL", f"http://127.0.0.1:{free_port()}")
    results = verl.compute_score_batch(["codecontests"] * 2, [fenced(SUM)] * 2, [TRUTH] * 2, [None, None])
    assert [(r["score"], r["sandbox_error"]) for r in results] == [(0.0, 1), (0.0, 1)]
    assert set(results[0]) == set(SCORE_KEYS)
    assert trl.reward(completions=[fenced(SUM)], ground_truth=[TRUTH]) == [0.0]


def test_trl_completions_as_text_or_messages():
    from klear_ct.rl.trl import completion_text

    assert completion_text("plain") == "plain"
    assert completion_text([{"role": "assistant", "content": "answer"}]) == "answer"
    assert completion_text([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a1"},
                            {"role": "assistant", "content": "a2"}]) == "a2"
    assert completion_text([]) == "" and completion_text({"content": None}) == ""


def test_openrlhf_cuts_the_prompt_off_the_query():
    from klear_ct.rl.openrlhf import answer_of, response_text

    assert response_text("PROMPT```python\nx\n```", "PROMPT") == "```python\nx\n```"
    assert response_text("other text", "PROMPT") == "other text"
    answer = answer_of([{"score": 1.0, "passed": 2, "total": 2, "format_ok": 1, "sandbox_error": 0,
                         "holdout_score": -1.0}])
    assert answer["rewards"] == answer["scores"] == [1.0] and answer["extra_logs"]["passed"] == [2.0]
