"""Function-call problems end to end: the harness, JSON equality, generators printing argument
lists, validate -> export verl -> the reward, evaluate. verl's own scorer on the same export is in
test_rl_verl.py. The Docker tests share one validate of datasets/function_sample (conftest)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from klear_ct.evaluate import EvaluateSettings, evaluate_problem
from klear_ct.evaluate.suites import Suite
from klear_ct.formats import export
from klear_ct.judge import Judge
from klear_ct.judge.compare import get_comparison
from klear_ct.llm.prompts import PLACEHOLDER, Prompts, problem_values
from klear_ct.model import Problem, Program, Verdict
from klear_ct.pipeline.inputs import GeneratorOutputError, parse_generator_output
from klear_ct.rl.scorer import score
from klear_ct.sandbox import Limits
from klear_ct.sandbox.calls import arguments_as_lines, call_test, function_program, runnable_problem


def fenced(code: str) -> str:
    return f"Here it is:\n```python\n{code}```\n"


def test_json_equality_with_and_without_float_tolerance():
    exact, tolerant = get_comparison("json"), get_comparison("json:1e-9")
    assert exact("[1, 2.0, {\"a\": [true, null]}]\n", "[1,2,{\"a\":[true,null]}]")
    assert not exact("true", "1") and not exact("1", "\"1\"") and not exact("[1, 2]", "[2, 1]")
    assert not exact("not json", "\"not json\"") and not exact("{\"a\": 1}", "{\"a\": 1, \"b\": 2}")
    assert not exact("0.30000000000000004", "0.3")
    assert tolerant("[0.30000000000000004]", "[0.3]") and not tolerant("[79.3]", "[79.4]")
    assert not tolerant(str(10 ** 400), "1")  # an integer beyond float is just unequal


def test_generators_of_function_problems_print_argument_lists():
    assert parse_generator_output("[[1, [2, 3]], [\"a\"]]", function=True) == ["[1, [2, 3]]", "[\"a\"]"]
    assert parse_generator_output("[(1, True, None), []]", function=True) == ["[1, true, null]", "[]"]
    for bad, why in (("[1]", "element 0 is a int"), ("[[{1}]]", "not JSON"), ("[[NaN]]", "not JSON"),
                     ("{}", "not a list of argument lists")):
        with pytest.raises(GeneratorOutputError, match=why):
            parse_generator_output(bad, function=True)


def test_generator_prompts_ask_function_problems_for_argument_lists():
    function = Problem(id="f", io_mode="function", fn_name="runningMax", gold=[Program(lang="python3", code="")])
    prompts = Prompts()
    for kind in ("regular", "corner", "hack", "kill_incorrect", "repair_generator", "repair_inputs"):
        others = {name: "" for name in PLACEHOLDER.findall(prompts.template(kind))}
        text = prompts.render(kind, **(others | problem_values(function, "python3")))[-1]["content"]
        assert "ONE JSON list of calls of `runningMax`" in text and "list literal of strings" not in text
    stdin = prompts.render("regular", **problem_values(Problem(id="s"), "python3"), count=5)[-1]["content"]
    assert "ONE Python list literal of strings" in stdin


def test_one_convention_inside_verls_outside():
    assert arguments_as_lines("[[1, 2], \"a\\nb\", {\"k\": 1}]") == "[1, 2]\n\"a\\nb\"\n{\"k\": 1}"
    assert call_test("[1, 2]\n\"a\\nb\"", "3") == ("[[1, 2], \"a\\nb\"]", "3")
    assert call_test([[1], 2], [4]) == ("[[1], 2]", "[4]")
    with pytest.raises(ValueError):
        call_test("[1", "2")
    problem = Problem(id="f", io_mode="function", fn_name="f", gold=[Program(lang="python3", code="def f(): pass"),
                                                                      Program(lang="cpp17", code="int f();")])
    assert problem.comparison == "json" and Problem(id="s").comparison == "lines"
    ran = runnable_problem(problem)  # no C++ harness: that gold is left out
    assert (ran.io_mode, ran.fn_name, [g.lang for g in ran.gold]) == ("stdin", None, ["python3"])
    assert function_program(Program(lang="cpp17", code=""), "f") is None


@pytest.mark.docker
def test_function_sample_validates_and_kills_the_incorrect_solutions(function_sample_validated):
    for pid, (problem, result) in function_sample_validated.items():
        assert result.outcome == "ok", (pid, result.cause, result.events)
        generated = [t for t in result.tests if t.kind == "generated"]
        assert len(generated) >= 5 and all(t.gold_agree == 2 for t in result.tests)
        assert all(isinstance(json.loads(t.input), list) for t in result.tests)
        assert any(t.kills == [problem.incorrect[0].id] for t in result.tests)
        assert {s["role"]: s["killed"] for s in result.solutions} == {"gold": False, "incorrect": True}
    problem, result = function_sample_validated["fn-running-max"]  # its C++ incorrect solution has no harness
    assert {"stage": "run_incorrect", "outcome": "skipped", "cause": "unsupported_language",
            "solution": problem.incorrect[1].id} in result.events
    running = {t.input: json.loads(t.output) for t in result.tests}
    assert running["[[-5, -3, -9]]"] == [-5, -3, -3]  # the generator's own call, kept with its result
    # its golds differ in the last bits of some results and agree under the row's json:1e-9
    assert function_sample_validated["fn-mean-distance"][0].comparison == "json:1e-9"


@pytest.mark.docker
def test_function_export_verl_then_the_reward(function_sample_validated, docker_sandbox, tmp_path):
    export([(p, r.tests) for p, r in function_sample_validated.values()], "verl", tmp_path / "verl.parquet")
    rows = {r["extra_info"]["problem_id"]: r for r in pq.read_table(tmp_path / "verl.parquet").to_pylist()}
    assert set(rows) == set(function_sample_validated)
    samples = []
    for pid, (problem, result) in function_sample_validated.items():
        truth = json.loads(rows[pid]["reward_model"]["ground_truth"])
        assert truth["fn_name"] == problem.fn_name and truth["judging"]["comparison"] == problem.comparison
        # verl's fn_name convention: each input the arguments one JSON value per line, each output JSON text
        assert truth["inputs"] == ["\n".join(json.dumps(a) for a in json.loads(t.input)) for t in result.tests]
        assert [json.loads(o) for o in truth["outputs"]] == [json.loads(t.output) for t in result.tests]
        truth_text = rows[pid]["reward_model"]["ground_truth"]
        samples += [(fenced(g.code), truth_text, 1.0) for g in problem.gold]
        samples.append((fenced(problem.incorrect[0].program.code), truth_text, 0.0))
    scores = [score(c, t, sandbox=docker_sandbox) for c, t, _ in samples]
    assert [s["score"] for s in scores] == [want for _, _, want in samples], [s["detail"] for s in scores]
    assert [s["first_failure_verdict"] for s in scores if s["score"] == 0.0] == ["WA", "WA"]

    # harness failures are runtime errors with a clear message, never a crash
    truth = rows["fn-running-max"]["reward_model"]["ground_truth"]
    for code, why in (("def something_else(nums):\n    return nums\n", "function harness: no function 'runningMax'"),
                      ("class Solution:\n    def runningMax(self, nums):\n        return set(nums)\n",
                       "function harness: the result is not JSON-serialisable")):
        result = score(fenced(code), truth, sandbox=docker_sandbox)
        assert (result["score"], result["first_failure_verdict"]) == (0.0, "RE") and why in result["detail"], result
    # what the solution prints itself goes to stderr: only the result is judged
    noisy = "def f(a, b):\n    print('debug', a)\n    return a * b\n"
    runs = Judge(docker_sandbox, compare=get_comparison("json")).run(
        function_program(Program(lang="python3", code=noisy), "f"), ["[6, 7]", "[\"x\", 2]", "{\"a\": 1}"],
        Limits(time_s=2), ["42", "\"xx\"", "0"])
    assert [r.verdict for r in runs] == [Verdict.OK, Verdict.OK, Verdict.RE]
    assert runs[2].message == "function harness: the input is a JSON dict, not an array of arguments"


@pytest.mark.docker
def test_evaluate_runs_function_problems(function_sample_validated, docker_sandbox):
    problem, result = function_sample_validated["fn-running-max"]
    suite = Suite("validated", "RUN", {problem.id: result.tests})
    outcome = evaluate_problem(problem, [suite], docker_sandbox, EvaluateSettings(full=True))
    assert outcome.outcome == "ok" and outcome.cause is None
    passed = {s.solution_id: s.passed for s in outcome.results[0].solutions}
    assert passed == {f"{problem.id}/gold-0": True, f"{problem.id}/gold-1": True, problem.incorrect[0].id: False}
