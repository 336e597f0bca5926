"""Fair time limits without a sandbox: the per-language factor lookup, the config over the table,
the machine factor, what a run's limits become, and which runs are near their limit."""

from __future__ import annotations

import pytest

from klear_ct.config import ConfigError, load_config
from klear_ct.model import Problem, RunResult, Verdict
from klear_ct.sandbox.languages import LANGUAGES
from klear_ct.sandbox.limits import NEAR_LIMIT, Limits
from klear_ct.sandbox.timing import REFERENCE_CPU_MS, TimeFactorError, TimeFactors, calibrated
from klear_ct.sandbox.verdict import decide_verdict, just_over, near_limit


def test_the_table_gives_each_language_its_factor():
    factors = TimeFactors()
    assert factors.factor("python3") == 2.0 and factors.factor("py") == 2.0  # aliases resolve
    assert factors.factor("pypy3") == factors.factor("cpp17") == factors.factor("c11") == 1.0
    assert set(factors.languages) == set(LANGUAGES)
    assert factors.time_limit_s(1.5, "python3") == 3.0 and factors.time_limit_s(1.5, "cpp17") == 1.5


def test_the_config_overrides_the_table(tmp_path):
    path = tmp_path / "klearct.toml"
    path.write_text("[limits]\ntime_factor = { python = 3, pypy3 = 1.5 }\n")
    config = load_config(path)
    assert config.limits.time_factor == {"python": 3.0, "pypy3": 1.5} and not config.limits.calibrate
    factors = TimeFactors.with_overrides(config.limits.time_factor)
    assert (factors.factor("python3"), factors.factor("pypy3"), factors.factor("cpp17")) == (3.0, 1.5, 1.0)
    assert factors.describe() == {"time_factor": {"c11": 1.0, "cpp17": 1.0, "java17": 2.0, "pypy3": 1.5, "python3": 3.0},
                                  "machine_factor": 1.0, "calibration": None}
    assert TimeFactors.with_overrides(None) == TimeFactors()


def test_a_bad_factor_is_a_clear_usage_error(tmp_path):
    with pytest.raises(TimeFactorError, match=r"\[limits\] time_factor: unknown language 'cobol'; known: python3"):
        TimeFactors.with_overrides({"cobol": 2})
    with pytest.raises(TimeFactorError, match="python3 = 0: a factor must be over 0"):
        TimeFactors.with_overrides({"python3": 0})
    path = tmp_path / "klearct.toml"
    path.write_text("[limits]\ntime_factors = { python3 = 2 }\n")  # a typo of the key
    with pytest.raises(ConfigError, match="time_factors"):
        load_config(path)


def test_calibration_is_off_by_default_and_scales_every_language(monkeypatch):
    assert TimeFactors().machine == 1.0 and TimeFactors().calibration is None
    monkeypatch.setenv("KLEARCT_CALIBRATE", "1")
    assert load_config().limits.calibrate
    slower = calibrated(TimeFactors(), [REFERENCE_CPU_MS * 1.6, REFERENCE_CPU_MS * 1.25, REFERENCE_CPU_MS * 2])
    assert slower.machine == pytest.approx(1.25)  # the fastest run: load only ever slows it
    assert slower.factor("python3") == pytest.approx(2.5) and slower.factor("cpp17") == pytest.approx(1.25)
    assert f"{REFERENCE_CPU_MS * 1.25:.0f} ms CPU here vs {REFERENCE_CPU_MS:g} ms recorded" in slower.calibration
    judge = calibrated(TimeFactors(), [50.0], reference_cpu_ms=100.0)  # this machine is twice the judge's speed
    assert judge.time_limit_s(2, "cpp17") == 1.0


def test_only_a_problems_limits_are_scaled_and_only_once():
    problem = Problem(id="p", statement="s", time_limit_s=1.5, memory_limit_mb=128)
    limits = Limits.for_problem(problem)
    assert limits.per_language and limits.overrun == NEAR_LIMIT
    run = TimeFactors().run_limits(limits, "python3")
    assert (run.time_s, run.memory_mb, run.per_language, run.overrun) == (3.0, 128, False, NEAR_LIMIT)
    assert TimeFactors().run_limits(run, "python3") is run  # already a run's limits
    given = Limits(time_s=1.5)  # a checker's, `sandbox run --time-limit`: as given
    assert TimeFactors().run_limits(given, "python3") is given
    # the runner lets a problem's run go on up to the overrun, so a near miss finishes
    runner = run.for_runner(LANGUAGES["python3"])
    assert runner["time_limit_s"] == 3.0 and runner["cpu_stop_s"] == pytest.approx(3.3) and runner["cpu_s"] == 5
    assert Limits(time_s=1).for_runner(LANGUAGES["cpp17"])["cpu_stop_s"] == 1


def run(cpu_ms: float, limit_s: float = 1.0, **raw) -> RunResult:
    return decide_verdict({"exit_code": 0, "cpu_ms": cpu_ms, **raw}, Limits(time_s=limit_s))


def test_a_result_says_its_limit_and_whether_it_is_near_it():
    assert run(500).time_limit_ms == 1000
    assert [near_limit(run(ms)) for ms in (850, 920, 1000, 1080, 1160)] == [False, True, True, True, False]
    assert [just_over(run(ms)) for ms in (950, 1050, 1160)] == [False, True, False]
    assert run(1050).verdict == Verdict.TLE
    assert not near_limit(run(950, timed_out=True))  # the wall clock: not a question of CPU time
    assert not near_limit(run(950, exit_code=1))  # a crash near the limit is a crash
    assert not near_limit(RunResult(verdict=Verdict.CE))  # never ran: no limit


class OneNearMiss:
    """Answers a first TLE just over the limit, then OK: what noise at the limit looks like."""

    def __init__(self):
        self.calls = 0

    def run(self, program, inputs, limits=None, **options):
        self.calls += 1
        cpu = 1040 if self.calls == 1 else 990
        return [decide_verdict({"exit_code": 0, "cpu_ms": cpu, "stdout": "1\n"}, Limits(time_s=1)) for _ in inputs]


def test_a_gold_just_over_its_limit_gets_a_second_run():
    from klear_ct.model import Program
    from klear_ct.pipeline.validate import run_gold

    sandbox = OneNearMiss()
    [result] = run_gold(sandbox, Program(lang="python3", code="print(1)"), ["\n"], Limits.problem_limits(1, 256))
    assert sandbox.calls == 2 and result.verdict == Verdict.OK and near_limit(result)
