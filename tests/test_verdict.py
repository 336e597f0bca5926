import signal

import pytest

from klear_ct.judge import Judge
from klear_ct.judge.compare import get_comparison, lines
from klear_ct.model import Verdict
from klear_ct.sandbox.limits import Limits
from klear_ct.sandbox.verdict import decide_verdict

LIMITS = Limits(time_s=1.0, memory_mb=64)


def raw(**fields):
    base = {"exit_code": 0, "signal": None, "cpu_ms": 10, "wall_ms": 12, "peak_kb": 1000, "stdout": "42\n",
            "stderr_tail": "", "timed_out": False, "output_exceeded": False, "error": None}
    return base | fields


@pytest.mark.parametrize(("fields", "expected", "verdict"), [
    ({}, None, Verdict.OK),
    ({}, "42", Verdict.OK),
    ({}, "43\n", Verdict.WA),
    ({"timed_out": True, "signal": 9, "exit_code": None}, None, Verdict.TLE),
    ({"cpu_ms": 1500}, None, Verdict.TLE),
    ({"signal": signal.SIGXCPU, "exit_code": None}, None, Verdict.TLE),
    ({"peak_kb": 70 * 1024, "exit_code": 1}, None, Verdict.MLE),
    ({"exit_code": 1, "stderr_tail": "Traceback...\nMemoryError\n"}, None, Verdict.MLE),
    ({"signal": 6, "exit_code": None, "stderr_tail": "what():  std::bad_alloc"}, None, Verdict.MLE),
    ({"exit_code": 1, "stderr_tail": "java.lang.OutOfMemoryError: Java heap space"}, None, Verdict.MLE),
    # the JVM names a thread the process limit refused an OutOfMemoryError: no memory limit was hit
    ({"exit_code": 1, "stderr_tail": "java.lang.OutOfMemoryError: unable to create native thread: possibly out "
                                     "of memory or process/resource limits reached"}, None, Verdict.RE),
    ({"output_exceeded": True, "signal": 9, "exit_code": None}, None, Verdict.OLE),
    ({"signal": 11, "exit_code": None}, "42", Verdict.RE),
    ({"exit_code": 3}, "42", Verdict.RE),
    ({"exit_code": 127, "error": "cannot execute the program: No such file"}, None, Verdict.SE),
    ({"sandbox_error": "docker exec failed"}, None, Verdict.SE),
    ({"broke_sandbox": "the run broke its sandbox twice"}, None, Verdict.RE),
    ({"container_oom": True}, None, Verdict.MLE),
])
def test_decide_verdict(fields, expected, verdict):
    run = decide_verdict(raw(**fields), LIMITS)  # how the run ended, then the judge on its output
    assert Judge().verdicts([run], [""], [expected])[0].verdict == verdict


def test_messages_name_the_cause():
    assert "SIGSEGV" in decide_verdict(raw(signal=11, exit_code=None), LIMITS).message
    assert "1500 ms over 1000 ms" in decide_verdict(raw(cpu_ms=1500), LIMITS).message


def test_time_beats_memory_and_output():
    both = raw(cpu_ms=5000, peak_kb=10**6, output_exceeded=True)
    assert decide_verdict(both, LIMITS).verdict == Verdict.TLE


def test_judge_comparison_ignores_trailing_space_and_newlines():
    assert lines("1 2  \n3\n\n\n", "1 2\n3")
    assert lines("a\r\nb\r\n", "a\nb\n")
    assert not lines("1  2\n", "1 2\n")  # inner whitespace counts
    assert not lines("1\n\n2\n", "1\n2\n")


def test_other_comparisons():
    assert get_comparison("tokens")("1   2\n3", "1 2 3")
    assert get_comparison("tokens_ci")("YES", "yes")
    assert get_comparison("floats:1e-4")("0.33333", "0.333333333")
    assert not get_comparison("floats:1e-9")("0.33333", "0.333333333")
    assert not get_comparison("floats")("nan", "1.0")
    with pytest.raises(ValueError, match="unknown comparison"):
        get_comparison("nope")


def test_a_gold_stopped_by_the_wall_clock_alone_is_run_once_more():
    """On a loaded machine a gold within its CPU limit can be stopped by the wall clock: it is run
    again before its input is dropped; a CPU-time TLE is not."""
    from klear_ct.model import Program
    from klear_ct.pipeline.validate import run_gold

    wall = decide_verdict(raw(timed_out=True, signal=9, exit_code=None, cpu_ms=100), LIMITS)
    cpu = decide_verdict(raw(cpu_ms=1500), LIMITS)
    ok = decide_verdict(raw(), LIMITS)

    class Scripted:  # answers the first batch with a wall-clock TLE and a CPU TLE, then OK
        def __init__(self):
            self.batches = []

        def run(self, program, texts, limits):
            self.batches.append(list(texts))
            return [wall, cpu, ok] if len(self.batches) == 1 else [ok] * len(texts)

    sandbox = Scripted()
    runs = run_gold(sandbox, Program(lang="python3", code="pass"), ["a", "b", "c"], LIMITS)
    assert sandbox.batches == [["a", "b", "c"], ["a"]]
    assert [r.verdict for r in runs] == [Verdict.OK, Verdict.TLE, Verdict.OK]
