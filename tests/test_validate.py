"""The validation stage on the real sandbox, with problems built in the test."""

import base64

import docker
import pytest

from klear_ct.model import IncorrectProgram, Problem, Program, TestCase
from klear_ct.pipeline.batch import validate_batch
from klear_ct.pipeline.inputs import GeneratorOutputError, parse_generator_output
from klear_ct.pipeline.select import select_tests
from klear_ct.pipeline.validate import ValidateSettings, validate_problem
from klear_ct.sandbox.docker_backend import DockerSandbox
from klear_ct.store import RunStore

pytestmark = pytest.mark.docker

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"
SUM_CPP = "#include <cstdio>\nint main(){long long a,b;scanf(\"%lld %lld\",&a,&b);printf(\"%lld\\n\",a+b);}\n"
SUM_PY2 = "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n"
OVERFLOW = "#include <cstdio>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);}\n"
SLOW = "a, b = map(int, input().split())\nx = 0\nfor _ in range(min(abs(a), 10**8)):\n    x += 1\nprint(a + b)\n"
CRASH = "a, b = map(int, input().split())\nprint(a + b if b else 1 // b)\n"
GENERATOR = ("import random\nrandom.seed(7)\ncases = ['0 0', '2000000000 2000000000', '300000000 1']\n"
             "cases += [f'{random.randint(-100, 100)} {random.randint(-100, 100)}' for _ in range(10)]\n"
             "print(repr(cases))\n")


def sum_problem(**changes) -> Problem:
    base = dict(
        id="sum", statement="print a+b", time_limit_s=1.0, memory_limit_mb=256,
        gold=[Program(lang="python3", code=SUM_PY), Program(lang="cpp17", code=SUM_CPP),
              Program(lang="python3", code=SUM_PY2)],
        incorrect=[IncorrectProgram(id="sum/overflow", program=Program(lang="cpp17", code=OVERFLOW), expected_verdict="WA"),
                   IncorrectProgram(id="sum/slow", program=Program(lang="python3", code=SLOW), expected_verdict="TLE"),
                   IncorrectProgram(id="sum/crash", program=Program(lang="python3", code=CRASH), expected_verdict="RE")],
        public_tests=[TestCase(problem_id="sum", input="1 2\n", output="3\n", kind="public")],
        generators=[Program(lang="python3", code=GENERATOR)],
    )
    return Problem(**(base | changes))


def test_parse_generator_output_shapes():
    assert parse_generator_output("['1 2', '3 4\\n']") == ["1 2\n", "3 4\n"]
    assert parse_generator_output('["5"]') == ["5\n"]
    for bad, message in [("", "printed nothing"), ("hello", "not a list literal"), ("{'a': 1}", "not a list"),
                         ("[1, 2]", "element 0 is a int")]:
        with pytest.raises(GeneratorOutputError, match=message):
            parse_generator_output(bad)


def test_consistent_tests_and_kill_matrix(docker_sandbox):
    result = validate_problem(sum_problem(), docker_sandbox)
    assert result.outcome == "ok", result.events
    assert result.tests[0].kind == "public" and result.tests[0].output == "3\n"
    assert len(result.tests) == 14  # 1 public + 13 distinct generated
    by_input = {t.input: t for t in result.tests}
    assert by_input["2000000000 2000000000\n"].output == "4000000000\n"
    assert "sum/overflow" in by_input["2000000000 2000000000\n"].kills
    assert "sum/crash" in by_input["0 0\n"].kills
    assert "sum/slow" in by_input["300000000 1\n"].kills
    assert all(t.gold_agree == 3 and t.gold_total == 3 for t in result.tests)
    solutions = {row["solution_id"]: row for row in result.solutions}
    assert solutions["sum/slow"]["first_failure"] == "TLE"
    assert solutions["sum/crash"]["first_failure"] == "RE"
    assert all(solutions[s]["killed"] for s in ("sum/overflow", "sum/slow", "sum/crash"))


def test_broken_generator_is_an_event_not_a_crash(docker_sandbox):
    broken = [Program(lang="python3", code="print('[1 2')\n"), Program(lang="python3", code="raise RuntimeError('boom')\n"),
              Program(lang="python3", code="print(repr(['9 9']))\n")]
    result = validate_problem(sum_problem(generators=broken), docker_sandbox)
    causes = [e["cause"] for e in result.events if e["stage"] == "generate_inputs"]
    assert causes == ["generator_bad_format", "generator_crash"]
    crash = next(e for e in result.events if e["cause"] == "generator_crash")
    assert "boom" in crash["error"]
    assert result.outcome == "ok" and {t.input for t in result.tests} == {"1 2\n", "9 9\n"}
    only_broken = validate_problem(sum_problem(generators=broken[:2]), docker_sandbox)
    assert only_broken.outcome == "failed" and only_broken.cause == "generator_failed"


def test_gold_disagreement_and_failure_drop_the_input(docker_sandbox):
    wrong_on_big = "a, b = map(int, input().split())\nprint(a + b if a < 10**6 else 0)\n"
    crashes_on_zero = "a, b = map(int, input().split())\nprint(a + b + 0 // (a or b or 1) * 0 if a or b else 1 // 0)\n"
    problem = sum_problem(gold=[Program(lang="python3", code=SUM_PY), Program(lang="python3", code=wrong_on_big)],
                          incorrect=[])
    result = validate_problem(problem, docker_sandbox)
    disagree = [e for e in result.events if e["cause"] == "gold_disagree"]
    assert {e["input"] for e in disagree} == {"2000000000 2000000000\n", "300000000 1\n"}
    assert disagree[0]["outputs"][0] != disagree[0]["outputs"][1]
    assert "300000000 1\n" not in {t.input for t in result.tests}
    problem = sum_problem(gold=[Program(lang="python3", code=SUM_PY), Program(lang="python3", code=crashes_on_zero)],
                          incorrect=[])
    result = validate_problem(problem, docker_sandbox)
    failed = [e for e in result.events if e["cause"] == "gold_failed_on_input"]
    assert failed and failed[0]["input"] == "0 0\n" and failed[0]["verdict"] == "RE"
    assert "ZeroDivisionError" in failed[0]["error"]
    assert "0 0\n" not in {t.input for t in result.tests}


def test_gold_over_the_problem_time_limit_drops_the_input(docker_sandbox):
    slow_gold = "a, b = map(int, input().split())\nif a > 10**8:\n    while True: pass\nprint(a + b)\n"
    problem = sum_problem(gold=[Program(lang="python3", code=SUM_PY), Program(lang="python3", code=slow_gold)],
                          incorrect=[])
    result = validate_problem(problem, docker_sandbox)
    assert {e["verdict"] for e in result.events if e["cause"] == "gold_failed_on_input"} == {"TLE"}
    assert "2000000000 2000000000\n" not in {t.input for t in result.tests}


CHECKER = """import sys
inp, out, ans = (open(p).read() for p in sys.argv[1:4])
n = int(inp.split()[0])
words = out.split()
if len(words) != 2:
    print("want two numbers"); sys.exit(1)
a, b = map(int, words)
sys.exit(0 if a + b == n and a >= 0 and b >= 0 else 1)
"""


def test_several_valid_answers_need_the_checker(docker_sandbox):
    # print any two non-negative numbers with sum n: golds answer differently
    golds = [Program(lang="python3", code="n = int(input())\nprint(0, n)\n"),
             Program(lang="python3", code="n = int(input())\nprint(n, 0)\n"),
             Program(lang="python3", code="n = int(input())\nprint(n // 2, n - n // 2)\n")]
    wrong = IncorrectProgram(id="split/neg", program=Program(lang="python3", code="n = int(input())\nprint(-1, n + 1)\n"))
    problem = Problem(id="split", gold=golds, incorrect=[wrong], checker=Program(lang="python3", code=CHECKER),
                      generators=[Program(lang="python3", code="print([str(i) for i in range(1, 6)])\n")])
    result = validate_problem(problem, docker_sandbox)
    assert result.outcome == "ok" and len(result.tests) == 5, result.events
    assert all(t.kills == ["split/neg"] for t in result.tests)
    without_checker = validate_problem(problem.model_copy(update={"checker": None}), docker_sandbox)
    assert without_checker.outcome == "failed" and without_checker.cause == "no_consistent_tests"
    assert any(e["cause"] == "gold_disagree" for e in without_checker.events)


def test_discriminative_selection_keeps_public_and_every_kill_pattern(docker_sandbox):
    tests = validate_problem(sum_problem(), docker_sandbox, ValidateSettings()).tests
    chosen = select_tests(tests, "discriminative", smallest=1, stratified=0)
    assert chosen[0].kind == "public"
    patterns = {tuple(sorted(t.kills)) for t in tests if t.kind != "public"}
    assert {tuple(sorted(t.kills)) for t in chosen if t.kind != "public"} == patterns
    assert len(chosen) < len(tests)


class ContainersPulledAway(DockerSandbox):
    """The real Docker backend whose containers disappear (as when the engine restarts or someone
    runs `docker rm -f`) whenever a program carrying MARKER is sent to it: a genuine sandbox fault."""

    MARKER = "# the sandbox fails under this program"

    def _call_runner(self, request, watchdog_s):
        if any(self.MARKER in base64.b64decode(f["b64"]).decode(errors="replace")
               for f in request.get("files", {}).values()):
            for container in list(self._live.values()):
                try:
                    container.remove(force=True)
                except docker.errors.APIError:  # another slot's request pulled it away already (404, 409)
                    pass
        return super()._call_runner(request, watchdog_s)


def test_a_sandbox_fault_fails_its_problem_and_a_retry_finishes_it(tmp_path):
    broken = sum_problem(id="broken", gold=[Program(lang="python3", code=ContainersPulledAway.MARKER + "\n" + SUM_PY),
                                            *sum_problem().gold[1:]], incorrect=[])
    store = RunStore(tmp_path / "run")
    with ContainersPulledAway(slots=2) as faulty:
        # one problem at a time: pulling the containers away also breaks whatever else runs at that moment
        summary = validate_batch([broken, sum_problem(incorrect=[])], store, faulty, workers=1)
    assert (summary.done, summary.failed, summary.causes) == (2, 1, {"sandbox_error": 1})
    failure = next(e for e in store.events() if e["problem_id"] == "broken" and e["outcome"] == "failed")
    assert failure["cause"] == "sandbox_error" and "docker exec failed" in failure["error"]
    assert store.done()["sum"]["outcome"] == "ok" and len(store.tests("sum")) == 14

    with DockerSandbox(slots=2) as healthy:  # the engine is back: --retry-failed redoes only the failed problem
        again = validate_batch([broken, sum_problem(incorrect=[])], store, healthy, retry_failed=True)
    assert (again.done, again.skipped, again.failed) == (1, 1, 0)
    assert store.done()["broken"]["outcome"] == "ok" and len(store.tests("broken")) == 14


# a checker that compares tokens, and crashes on the input `0 0` (an uncaught exception exits 1,
# like a rejection; the traceback tells it apart)
CRASHING_CHECKER = """import sys
inp, out, ans = (open(name).read() for name in sys.argv[1:4])
if inp.split() == ['0', '0']:
    raise ZeroDivisionError('the checker cannot handle a zero sum')
sys.exit(0 if out.split() == ans.split() else 1)
"""


def test_a_checker_that_crashes_on_one_input_is_an_event_not_a_silent_drop(docker_sandbox):
    problem = sum_problem(checker=Program(lang="python3", code=CRASHING_CHECKER),
                          incorrect=sum_problem().incorrect[:1])
    result = validate_problem(problem, docker_sandbox)
    assert result.outcome == "ok", result.events
    assert "0 0\n" not in [t.input for t in result.tests] and len(result.tests) == 13
    dropped = [e for e in result.events if e["cause"] == "checker_failed"]
    assert [(e["stage"], e["outcome"], e["input"]) for e in dropped] == [("check_outputs", "dropped", "0 0\n")]
    assert "ZeroDivisionError" in dropped[0]["error"]
    # the checker still judges the other inputs: the overflowing solution is killed by the big sums
    assert any("sum/overflow" in t.kills for t in result.tests)


def test_a_checker_whose_sandbox_fails_fails_the_problem_and_a_retry_finishes_it(tmp_path):
    checker = Program(lang="python3", code=ContainersPulledAway.MARKER + "\n" + CRASHING_CHECKER.replace(
        "if inp.split() == ['0', '0']:", "if False:"))
    problem = sum_problem(id="judged", checker=checker, incorrect=[])
    store = RunStore(tmp_path / "run")
    with ContainersPulledAway(slots=2) as faulty:
        summary = validate_batch([problem], store, faulty, workers=1)
    assert (summary.done, summary.failed, summary.causes, summary.tests) == (1, 1, {"sandbox_error": 1}, 0)
    failure = next(e for e in store.events() if e["outcome"] == "failed")
    assert failure["cause"] == "sandbox_error" and "running the checker" in failure["error"]
    assert store.tests("judged") == []  # nothing half-judged was kept

    with DockerSandbox(slots=2) as healthy:
        again = validate_batch([problem], store, healthy, retry_failed=True)
    assert (again.done, again.failed) == (1, 0)
    assert store.done()["judged"]["outcome"] == "ok" and len(store.tests("judged")) == 14


def test_a_changed_problem_or_setting_is_validated_again(docker_sandbox, tmp_path):
    store = RunStore(tmp_path / "run")
    problem = sum_problem(incorrect=[])
    assert validate_batch([problem], store, docker_sandbox).done == 1
    assert validate_batch([problem], store, docker_sandbox).skipped == 1  # unchanged: resumed, not redone

    fewer_golds = problem.model_copy(update={"gold": problem.gold[:2]})
    again = validate_batch([fewer_golds], store, docker_sandbox)
    assert (again.done, again.skipped) == (1, 0)
    assert {t.gold_total for t in store.tests("sum")} == {2}  # the tests come from the edited problem

    stricter = validate_batch([fewer_golds], store, docker_sandbox, ValidateSettings(min_gold_agree=1))
    assert (stricter.done, stricter.skipped) == (1, 0)
    changed = [e for e in store.events() if e["cause"] == "problem_changed"]
    assert [e["outcome"] for e in changed] == ["redone", "redone"]


FORK_BOMB_GOLD = "import os\nfor _ in range(10000):\n    try:\n        os.fork()\n    except OSError:\n        pass\nwhile True:\n    pass\n"
BOMB_SCRIPT = """
import sys
from klear_ct.model import Problem, Program, TestCase
from klear_ct.pipeline.batch import validate_batch
from klear_ct.sandbox.docker_backend import DockerSandbox
from klear_ct.store import RunStore
gold = Program(lang="python3", code=sys.argv[2])
problem = Problem(id="bomb", time_limit_s=2, gold=[gold, gold], public_tests=[
    TestCase(problem_id="bomb", input=f"{i}\\n") for i in range(12)])
print("started", flush=True)
with DockerSandbox(slots=2) as sandbox:
    validate_batch([problem], RunStore(sys.argv[1]), sandbox)
"""


def test_two_validates_at_once_one_with_a_fork_bomb_gold_do_not_disturb_each_other(docker_sandbox, tmp_path):
    import subprocess
    import sys

    solo = RunStore(tmp_path / "solo")
    validate_batch([sum_problem()], solo, docker_sandbox)
    bomber = subprocess.Popen([sys.executable, "-c", BOMB_SCRIPT, str(tmp_path / "bomb"), FORK_BOMB_GOLD],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert bomber.stdout.readline().strip() == "started"
        beside = RunStore(tmp_path / "beside")
        rounds = 0
        while bomber.poll() is None and rounds < 3:  # validate again and again while the bombs go off
            with DockerSandbox(slots=2) as sandbox:
                validate_batch([sum_problem()], beside, sandbox, retry_failed=True)
            assert beside.all_tests_table().equals(solo.all_tests_table())
            (tmp_path / "beside" / "done.jsonl").unlink()
            rounds += 1
    finally:
        bomber.wait(timeout=300)
    assert rounds >= 1 and RunStore(tmp_path / "bomb").done()["bomb"]["outcome"] == "failed"  # it did bomb


def test_a_sandbox_fault_on_an_incorrect_solution_is_no_kill(tmp_path):
    faulty_wrong = IncorrectProgram(id="sum/faulty", program=Program(
        lang="python3", code=ContainersPulledAway.MARKER + "\n" + SUM_PY), expected_verdict="WA")
    problem = sum_problem(id="killed", incorrect=[faulty_wrong])
    store = RunStore(tmp_path / "run")
    with ContainersPulledAway(slots=2) as faulty:
        summary = validate_batch([problem], store, faulty, workers=1)
    # a correct program whose runs the sandbox broke: the problem fails, no test records a kill of it
    assert (summary.failed, summary.causes) == (1, {"sandbox_error": 1})
    assert store.tests("killed") == []
    with DockerSandbox(slots=2) as healthy:
        validate_batch([problem], store, healthy, retry_failed=True)
    assert store.done()["killed"]["outcome"] == "ok"
    assert not any("sum/faulty" in t.kills for t in store.tests("killed"))  # it is right: nothing kills it
