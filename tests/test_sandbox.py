"""The sandbox on real backends: verdicts, times, memory, compile cache, batching.

Each test runs on both backends (the `sandbox` fixture); Docker-only guarantees are
in test_docker_backend.py and hostile programs in test_attacks.py.
"""

import pytest

from klear_ct.judge import Judge
from klear_ct.model import Program, Verdict
from klear_ct.sandbox.limits import Limits

CPP_DOUBLE = "#include <cstdio>\nint main(){long long n;scanf(\"%lld\",&n);printf(\"%lld\\n\",n*2);}\n"
CPP_TRIPLE = CPP_DOUBLE.replace("n*2", "n*3")
PY_DOUBLE = "n = int(input())\nprint(n * 2)\n"
PY_WRONG = "n = int(input())\nprint(n * 2 + (n == 5))\n"
C_DOUBLE = "#include <stdio.h>\nint main(void){long long n;scanf(\"%lld\",&n);printf(\"%lld\\n\",n*2);return 0;}\n"
INPUTS = ["3\n", "5\n", "-7\n"]
EXPECTED = ["6\n", "10\n", "-14\n"]


@pytest.mark.parametrize(("lang", "code", "verdicts"), [
    ("cpp17", CPP_DOUBLE, ["OK", "OK", "OK"]),
    ("cpp17", CPP_TRIPLE, ["WA", "WA", "WA"]),
    ("python3", PY_DOUBLE, ["OK", "OK", "OK"]),
    ("python3", PY_WRONG, ["OK", "WA", "OK"]),
    ("c11", C_DOUBLE, ["OK", "OK", "OK"]),
])
def test_correct_and_wrong_programs(sandbox, lang, code, verdicts):
    results = Judge(sandbox).run(Program(lang=lang, code=code), INPUTS, Limits(time_s=1), EXPECTED)
    assert [r.verdict.value for r in results] == verdicts
    for r in results:
        assert 0 < r.wall_ms < 1000
        assert 0 <= r.cpu_ms < 1000
        assert 300 < r.peak_kb < 32 * 1024, r  # a real process, far from any limit
        assert r.exit_code == 0


def test_times_and_memory_are_measured(sandbox):
    # ~100 MB touched and a few hundred ms of CPU: both must show up in the measurements
    code = ("#include <cstdio>\n#include <vector>\nint main(){std::vector<char> v(100<<20, 1);"
            "volatile unsigned long long s=0; for(long long i=0;i<300000000LL;i++) s+=i^v[i&1023];"
            "printf(\"%d\\n\", (int)(s&1));}\n")
    result = sandbox.run(Program(lang="cpp17", code=code), [""], Limits(time_s=5, memory_mb=256))[0]
    assert result.verdict == Verdict.OK, result
    assert 100 * 1024 <= result.peak_kb < 120 * 1024
    assert result.cpu_ms > 50
    assert result.wall_ms >= result.cpu_ms * 0.8


def test_small_programs_report_their_own_memory(sandbox):
    """The runner is a Python process; its pages must not be counted as the program's."""
    result = sandbox.run(Program(lang="cpp17", code=CPP_DOUBLE), ["1"])[0]
    assert result.peak_kb < 6 * 1024, result
    big = sandbox.run(Program(lang="python3", code="x = bytearray(50 * 1024 * 1024)\nprint(len(x))\n"), [""])[0]
    assert big.verdict == Verdict.OK
    assert 50 * 1024 < big.peak_kb < 75 * 1024


@pytest.mark.parametrize(("lang", "code", "verdict"), [
    ("cpp17", "#include <vector>\nint main(){std::vector<long long> v(1ull<<32); return v[1];}\n", "MLE"),
    ("python3", "a = [0] * (10 ** 9)\n", "MLE"),
    ("c11", "#include <stdlib.h>\n#include <string.h>\nint main(void){for(;;){char*p=malloc(1<<20);"
            "if(!p)return 1;memset(p,1,1<<20);}}\n", "MLE"),
    ("python3", "while True:\n    pass\n", "TLE"),
    ("python3", "import time\ntime.sleep(30)\n", "TLE"),
    ("cpp17", "int main(){ volatile int *p = nullptr; return *p; }\n", "RE"),
    ("python3", "raise SystemExit(3)\n", "RE"),
    ("python3", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", "OLE"),
])
def test_limit_verdicts(sandbox, lang, code, verdict):
    limits = Limits(time_s=1, memory_mb=128, output_bytes=1 << 20)
    result = sandbox.run(Program(lang=lang, code=code), [""], limits)[0]
    assert result.verdict.value == verdict, result
    assert result.message


def test_compile_error_comes_back_as_ce_with_the_message(sandbox):
    results = sandbox.run(Program(lang="cpp17", code="int main() { return undeclared; }\n"), ["1", "2"])
    assert [r.verdict for r in results] == [Verdict.CE, Verdict.CE]
    assert "undeclared" in results[0].stderr_tail
    syntax = sandbox.run(Program(lang="python3", code="def f(:\n"), ["1"])[0]
    assert syntax.verdict == Verdict.CE and "SyntaxError" in syntax.stderr_tail


def test_compiled_once_per_source(sandbox, monkeypatch):
    program = Program(lang="cpp17", code=CPP_DOUBLE + "// compile-once\n")
    calls = []
    original = sandbox._call_runner

    def counting(request, watchdog_s):
        calls.append(request["action"])
        return original(request, watchdog_s)

    monkeypatch.setattr(sandbox, "_call_runner", counting)
    sandbox.run(program, ["1"])
    sandbox.run(program, ["2", "3"])
    assert calls.count("compile") == 1
    assert calls.count("run") >= 2


def test_a_large_batch_keeps_order(sandbox):
    inputs = [f"{i}\n" for i in range(300)]
    results = Judge(sandbox).run(Program(lang="cpp17", code=CPP_DOUBLE), inputs, Limits(), [f"{2 * i}\n" for i in range(300)])
    assert all(r.verdict == Verdict.OK for r in results)
    assert [r.stdout for r in results] == [f"{2 * i}\n" for i in range(300)]


def test_stdin_and_stdout_are_exact_and_large(sandbox):
    data = "".join(f"{i}\n" for i in range(400_000))  # ~2.7 MB each way
    echo = Program(lang="python3", code="import sys\nsys.stdout.write(sys.stdin.read())\n")
    result = sandbox.run(echo, [data], Limits(time_s=5))[0]
    assert result.verdict == Verdict.OK
    assert result.stdout == data


def test_stderr_tail_is_kept(sandbox):
    code = "import sys\nfor i in range(10000):\n    print('line', i, file=sys.stderr)\nsys.exit(2)\n"
    result = sandbox.run(Program(lang="python3", code=code), [""], Limits(stderr_tail_bytes=100))[0]
    assert result.verdict == Verdict.RE and result.exit_code == 2
    assert "line 9999" in result.stderr_tail and len(result.stderr_tail) <= 100


def test_unknown_language_is_a_clear_error(sandbox):
    with pytest.raises(ValueError, match="unknown language 'cobol'"):
        sandbox.run(Program(lang="cobol", code=""), ["1"])


def test_a_spinning_program_is_stopped_soon_after_its_time_limit(sandbox):
    """RLIMIT_CPU works in whole seconds (limit + 1 here); the runner's poll stops the run as
    soon as the CPU time of its processes passes the limit, so a TLE costs about the limit."""
    spin = Program(lang="c11", code="int main(void){volatile unsigned long x=0;for(;;)x++;}\n")
    result = sandbox.run(spin, [""], Limits(time_s=0.5))[0]
    assert result.verdict == Verdict.TLE, result
    assert 500 < result.cpu_ms < 1500, result  # the rlimit alone would stop it at 2000 ms


def test_forked_processes_share_one_memory_limit(sandbox):
    """Three processes of 60 MB each, each under the 128 MB limit, together over it: MLE."""
    code = ("import os, time\nfor _ in range(2):\n    if os.fork() == 0:\n        break\n"
            "data = bytearray(60 << 20)\ntime.sleep(0.5)\nprint(len(data))\n")
    result = sandbox.run(Program(lang="python3", code=code), [""], Limits(time_s=2, memory_mb=128))[0]
    assert result.verdict == Verdict.MLE, result


JAVA_SUM = """import java.io.*;
import java.util.*;

class Depth {  // recursion 10^6 deep: the stack is the memory limit, as judges give it
    static long sum(long[] a, int i) { return i == a.length ? 0 : a[i] + sum(a, i + 1); }
}

public class RangeTotal {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line = in.readLine().trim();
        if (line.equals("big")) {  // 192 MB of heap
            long[][] kept = new long[24][];
            for (int i = 0; i < kept.length; i++) kept[i] = new long[1 << 20];
            System.out.println(kept.length);
            return;
        }
        int n = Integer.parseInt(line);
        long[] a = new long[1_000_000];
        Arrays.fill(a, n);
        System.out.println(Depth.sum(a, 0) / 1_000_000 * 2);
    }
}
"""


def test_java_runs_under_the_problems_limits_compiled_once(sandbox, monkeypatch):
    calls = []
    original = sandbox._call_runner
    monkeypatch.setattr(sandbox, "_call_runner", lambda request, watchdog_s: calls.append(request["action"])
                        or original(request, watchdog_s))
    program, limits = Program(lang="java17", code=JAVA_SUM), Limits.problem_limits(1.0, 256)
    results = Judge(sandbox).run(program, INPUTS, limits, EXPECTED)
    assert [r.verdict for r in results] == [Verdict.OK] * 3, results[0]
    assert results[0].time_limit_ms == 2000  # Java's time factor
    assert all(r.cpu_ms < 1000 and 20 * 1024 < r.peak_kb < 256 * 1024 for r in results), results
    sandbox.run(program, ["1\n"], limits)
    assert calls.count("compile") == 1
    over = sandbox.run(program, ["big\n"], Limits.problem_limits(1.0, 160))[0]
    under = sandbox.run(program, ["big\n"], Limits.problem_limits(1.0, 384))[0]
    assert over.verdict == Verdict.MLE and under.verdict == Verdict.OK and under.peak_kb > 192 * 1024, (over, under)
    broken = sandbox.run(Program(lang="java17", code="public class A { void f() { g(); } }\n"), [""])[0]
    assert broken.verdict == Verdict.CE and "cannot find symbol" in broken.stderr_tail


def test_a_missing_compiler_is_a_sandbox_error_not_a_compile_error(sandbox):
    from dataclasses import replace

    from klear_ct.sandbox.languages import LANGUAGES

    lang = replace(LANGUAGES["java17"], compile_cmd=("sh", "-c", "no-such-javac \"$1\"", "sh", "{file}.java"))
    compiled = sandbox._compile_uncached(lang, Program(lang="java17", code=LANGUAGES["java17"].hello))
    assert compiled.error.verdict == Verdict.SE and "Java 17's compiler is missing" in compiled.error.message
    assert "not found" in compiled.error.message
