"""Fair time limits: the one place a problem's time limit becomes a run's.

A problem's limit was set on its judge's machine, for its judge's languages. A run in
language L gets `limit × L's time factor × the machine factor`: the factor is the language
table's (`Language.time_factor`), or `[limits] time_factor` in klearct.toml; the machine
factor is 1 unless calibration is on, when it is the CPU time of a fixed reference program
here over the time recorded for it on the judge the limits come from (default: the project's
reference machine). Sandbox.run applies this to every run whose Limits are a problem's
(`Limits.for_problem`); limits given as such (a checker's, `sandbox run --time-limit`) are
used as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from klear_ct.errors import UsageError
from klear_ct.sandbox.languages import LANGUAGES, UnknownLanguage, get_language
from klear_ct.sandbox.limits import Limits

# The reference program for calibration: pure interpreter work (integer arithmetic, a list, a
# dict), no I/O, so its CPU time measures the machine and not the disk or the load's I/O.
REFERENCE_LANG = "python3"
REFERENCE_PROGRAM = """\
total, seen = 0, {}
values = list(range(1000))
for round_ in range(1500):
    for v in values:
        total = (total * 31 + v * round_) % 1000003
        seen[v] = total
print(total, len(seen))
"""
# its CPU time in the sandbox image's python3 on the project's reference machine (2-core Debian 12
# VM, the machine the tests run on), the fastest of 5 runs
REFERENCE_CPU_MS = 300.0
CALIBRATION_RUNS = 5


class TimeFactorError(UsageError):
    pass


@dataclass(frozen=True)
class TimeFactors:
    """Per-language time factors and the machine factor: how a problem's limit becomes a run's."""

    languages: Mapping[str, float] = field(default_factory=lambda: {n: lang.time_factor for n, lang in LANGUAGES.items()})
    machine: float = 1.0
    calibration: str | None = None  # how the machine factor was measured; None: calibration off

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, float] | None) -> TimeFactors:
        """The table's factors, with `[limits] time_factor` over them (keys: language names or aliases)."""
        factors = dict(cls().languages)
        for key, value in (overrides or {}).items():
            try:
                name = get_language(key).name
            except UnknownLanguage as e:
                raise TimeFactorError(f"[limits] time_factor: {e}") from None
            if not value > 0:
                raise TimeFactorError(f"[limits] time_factor: {key} = {value}: a factor must be over 0")
            factors[name] = float(value)
        return cls(factors)

    def factor(self, lang: str) -> float:
        """How many times a problem's limit a run in `lang` gets."""
        return self.languages[get_language(lang).name] * self.machine

    def time_limit_s(self, problem_limit_s: float, lang: str) -> float:
        return round(problem_limit_s * self.factor(lang), 3)

    def run_limits(self, limits: Limits, lang: str) -> Limits:
        """The limits of a run in `lang`: a problem's limits scaled, any other limits as they are."""
        if not limits.per_language:
            return limits
        return replace(limits, time_s=self.time_limit_s(limits.time_s, lang), per_language=False)

    def describe(self) -> dict:
        """For manifests and reports: which factors the verdicts were given under."""
        return {"time_factor": dict(sorted(self.languages.items())), "machine_factor": round(self.machine, 3),
                "calibration": self.calibration}


def calibrated(factors: TimeFactors, cpu_ms: list[float], reference_cpu_ms: float | None = None) -> TimeFactors:
    """`factors` with the machine factor from the reference program's CPU times here (the fastest
    run: load only ever slows it) over the time recorded for it (Sandbox.calibrate runs it)."""
    reference = reference_cpu_ms or REFERENCE_CPU_MS
    here = min(cpu_ms)
    note = f"reference program {here:.0f} ms CPU here vs {reference:g} ms recorded"
    return replace(factors, machine=here / reference, calibration=note)


def time_factors_of(sandbox: object) -> TimeFactors:
    """A sandbox's time factors; the table's for a stand-in that has none (a test's fake sandbox)."""
    return getattr(sandbox, "time_factors", None) or TimeFactors()
