"""sandbox_images/testlib.h: compile the programs in tests/testlib with the host g++ and run them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "sandbox_images"
SOURCES = Path(__file__).resolve().parent / "testlib"
GXX = shutil.which("g++")

pytestmark = pytest.mark.skipif(GXX is None, reason="g++ is not installed")

GEN_ARGS = ["-n=60", "-maxv", "1000000000"]


def compile_program(source: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [GXX, "-std=c++17", "-O2", "-Wall", "-Wextra", "-I", str(INCLUDE), "-o", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="module")
def bins(tmp_path_factory) -> dict[str, Path]:
    out_dir = tmp_path_factory.mktemp("testlib-bin")
    built = {}
    for source in sorted(SOURCES.glob("*.cpp")):
        exe = out_dir / source.stem
        result = compile_program(source, exe)
        assert result.returncode == 0, f"{source.name} does not compile:\n{result.stderr}"
        assert "warning" not in result.stderr, f"{source.name} compiles with warnings:\n{result.stderr}"
        built[source.stem] = exe
    return built


def run(exe: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True, timeout=60)


def gen(bins, *args: str) -> str:
    result = run(bins["gen"], *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- generator ------------------------------------------------------------------------


def test_generator_is_deterministic_per_arguments(bins):
    assert gen(bins, *GEN_ARGS, "1") == gen(bins, *GEN_ARGS, "1")
    outputs = {gen(bins, *GEN_ARGS, str(seed)) for seed in range(20)}
    assert len(outputs) == 20
    assert gen(bins, *GEN_ARGS, "1") != gen(bins, "-n=60", "-maxv", "999999999", "1")


def test_generator_output_is_within_bounds(bins):
    for seed in range(30):
        lines = gen(bins, "-n=50", "-maxv=100", str(seed)).split("\n")
        assert lines[-1] == "" and len(lines) == 4
        n = int(lines[0])
        values = [int(x) for x in lines[1].split(" ")]
        assert 1 <= n <= 50 and len(values) == n
        assert all(1 <= v <= 100 for v in values)
        assert lines[2].isalpha() and lines[2].islower() and 1 <= len(lines[2]) <= 10


def test_generator_flags_and_missing_option(bins):
    values = [int(x) for x in gen(bins, "7", "-n=40", "-sorted").split("\n")[1].split()]
    assert values == sorted(values)
    result = run(bins["gen"], "7")  # -n is required
    assert result.returncode == 3
    assert "Opt 'n' not found" in result.stderr


def test_rest_of_the_api(bins):
    result = run(bins["api"], "-k=5", "-name", "hello", "-flag", "-x=2.5", "-big=1e5", "7", "positional")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1 two 3.5 c\n1 2 3\n1 2 3\ntail 1 2 3\nALL OK\n"


# --- validator ------------------------------------------------------------------------


def test_validator_accepts_generated_inputs(bins):
    for seed in range(20):
        result = run(bins["val"], stdin=gen(bins, *GEN_ARGS, str(seed)))
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3\n1 2  3\nabc\n", "white-space"),        # two spaces
        ("3\n1 2 3 \nabc\n", "Expected EOLN"),      # trailing space
        ("3\r\n1 2 3\nabc\n", "Expected EOLN"),     # CRLF
        ("3\n1 2 3\nabc", "Expected EOLN"),         # no final newline
        ("3\n1 2 3\nabc\n\n", "Expected EOF"),      # extra empty line
        ("3\n1 2\nabc\n", "Expected space"),        # too few numbers
        ("0\n\nabc\n", "violates the range [1, 100]"),
        ("03\n1 2 3\nabc\n", "Expected int32"),     # leading zero
        ("3\n1 2 1000000001\nabc\n", "name=a[3]"),
        ("3\n1 2 3\naBc\n", "doesn't correspond to pattern"),
        ("", "Unexpected end of file"),
    ],
)
def test_validator_rejects_bad_inputs_with_exit_3(bins, text, message):
    result = run(bins["val"], stdin=text)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("FAIL ") and message in result.stderr


def test_validator_without_read_eof_fails(bins):
    result = run(bins["val_noeof"], stdin="5\n")
    assert result.returncode == 3
    assert "readEof" in result.stderr


# --- checker --------------------------------------------------------------------------


@pytest.fixture()
def check(bins, tmp_path):
    (tmp_path / "input.txt").write_text("3\n1 2 3\nabc\n")
    (tmp_path / "answer.txt").write_text("6\n2.0\n")

    def run_checker(output: str, answer: str | None = None, exe: str = "chk") -> subprocess.CompletedProcess:
        (tmp_path / "output.txt").write_text(output)
        if answer is not None:
            (tmp_path / "answer.txt").write_text(answer)
        return run(bins[exe], *(str(tmp_path / f) for f in ("input.txt", "output.txt", "answer.txt")))

    return run_checker


@pytest.mark.parametrize("output", ["6 2.0000001\n", "6\n\n  2\n", "6 2", "  6\r\n2.00000000\r\n"])
def test_checker_accepts_right_answers(check, output):
    result = check(output)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("ok ")


@pytest.mark.parametrize(("output", "message"), [("7 2\n", "expected sum 6"), ("6 2.1\n", "2nd value")])
def test_checker_rejects_wrong_answers(check, output, message):
    result = check(output)
    assert result.returncode == 1
    assert result.stderr.startswith("wrong answer ") and message in result.stderr


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("", "Unexpected end of file"),
        ("6\n", "Unexpected end of file"),
        ("6 abc\n", "Expected double"),
        ("6.0 2\n", "Expected int64"),
        ("6 2 5\n", "Extra information"),
    ],
)
def test_checker_reports_presentation_errors(check, output, message):
    result = check(output)
    assert result.returncode in (1, 2), result.stderr
    assert result.returncode == 2
    assert result.stderr.startswith("wrong output format ") and message in result.stderr


def test_checker_fails_on_bad_answer_file_or_usage(bins, check):
    result = check("6 2\n", answer="")
    assert result.returncode == 3 and result.stderr.startswith("FAIL ")
    result = check("6 2\n", answer="5 2\n")
    assert result.returncode == 3 and "jury sum 5" in result.stderr
    result = run(bins["chk"], "only-one-file")
    assert result.returncode == 3 and "Program must be run with" in result.stderr


def test_checker_without_quit_fails(check):
    result = check("5\n", exe="chk_noquit")
    assert result.returncode == 3
    assert "quit" in result.stderr


def test_mixed_integer_and_real_bounds_do_not_compile(tmp_path):
    source = tmp_path / "mixed.cpp"
    source.write_text('#include "testlib.h"\nint main(int c, char** v) { registerGen(c, v, 1); return rnd.next(1, 1e9) > 0; }\n')
    result = compile_program(source, tmp_path / "mixed")
    assert result.returncode != 0
    assert "mixed integer and floating-point bounds" in result.stderr
