"""`klearct sandbox run` from the command line: verdicts, times and memory for right and wrong
C++ and Python programs, on the real Docker sandbox."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.docker

PROGRAMS = {
    "right.cpp": "#include <cstdio>\n#include <vector>\nint main(){long long n;scanf(\"%lld\",&n);"
                 "std::vector<char> v(40<<20, 1);printf(\"%lld\\n\",n*2+v[n%7]-1);}\n",
    "wrong.cpp": "#include <cstdio>\nint main(){int n;scanf(\"%d\",&n);printf(\"%d\\n\",n*2+(n>10));}\n",
    "right.py": "n = int(input())\nprint(n * 2)\n",
    "wrong.py": "n = int(input())\nprint(n * 2 if n < 10 else n)\n",
    "slow.py": "n = int(input())\nwhile True:\n    n += 1\n",
}


def run_cli(tmp_path, name: str) -> list[dict]:
    (tmp_path / name).write_text(PROGRAMS[name])
    for k, (given, answer) in enumerate([("3\n", "6\n"), ("21\n", "42\n")]):
        (tmp_path / f"{k}.in").write_text(given)
        (tmp_path / f"{k}.ans").write_text(answer)
    done = subprocess.run([sys.executable, "-m", "klear_ct.cli", "sandbox", "run", name, "-i", "0.in", "-i", "1.in",
                           "-e", "0.ans", "-e", "1.ans", "--time-limit", "1", "--memory-limit", "256", "--json",
                           "--backend", "docker"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize(("name", "verdicts"), [
    ("right.cpp", ["OK", "OK"]), ("wrong.cpp", ["OK", "WA"]), ("right.py", ["OK", "OK"]), ("wrong.py", ["OK", "WA"]),
    ("slow.py", ["TLE", "TLE"]),
])
def test_verdicts_times_and_memory(tmp_path, name, verdicts):
    results = run_cli(tmp_path, name)
    assert [r["verdict"] for r in results] == verdicts
    for r in results:
        assert r["peak_kb"] > 500 and r["wall_ms"] > 0
        if r["verdict"] == "TLE":
            assert r["cpu_ms"] > 1000 and "CPU time" in r["message"]
        else:
            assert 0 <= r["cpu_ms"] < 1000 and r["exit_code"] == 0
    if name == "right.cpp":  # 40 MB touched: the program's own memory, not the runner's
        assert all(40 * 1024 < r["peak_kb"] < 60 * 1024 for r in results)
