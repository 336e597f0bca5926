"""What happened in a run: the data behind `klearct report RUN`, printed with rich or written as HTML.

    summarize(store, stage="validate") -> RunReport      read-only; only what the run directory holds
    RunReport.to_dict() / RunReport.to_json()
    print_report(report, console, max_problems=50)
    write_html(report, path)                             one self-contained file, plots as inline PNG

Which problems count: a problem counts once it has a done line for the stage (the last line
wins, as in `RunStore.done`). A bad input row has a done line too (id `row:PATH:LINE`, cause
`bad_row`): it is a failed "problem", counted under `bad_row` and in `bad_rows`. Tests,
solution and generator rows of a problem without a done line (a run killed in the middle
of it; it is redone on resume) are not counted; its id is listed in `unfinished`.
Event counts are what events.jsonl holds: a problem validated again (--retry-failed, or
after a kill) logs its events again, and all of them are counted.
LLM tokens are the `usage` of every answered request (llm/usage.jsonl, written as answers
arrive, so a killed run's tokens count too; cache hits cost nothing); the cost uses the
prices the last `generate` recorded in the manifest. `generation` summarizes the generate
stage's done lines and its generation/ table.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from klear_ct.store import RunStore, read_lines

BAD_ROW = "bad_row"


# -- the report ---------------------------------------------------------------------------------
@dataclass
class Distribution:
    count: int = 0
    min: int | None = None
    median: float | None = None
    mean: float | None = None
    max: int | None = None

    @classmethod
    def of(cls, values: list[int]) -> Distribution:
        if not values:
            return cls()
        return cls(count=len(values), min=min(values), median=float(statistics.median(values)),
                   mean=round(statistics.fmean(values), 3), max=max(values))


@dataclass
class EventCount:
    stage: str
    cause: str
    count: int
    outcomes: dict[str, int] = field(default_factory=dict)  # dropped / warning / failed / skipped -> count


@dataclass
class ProblemSummary:
    problem_id: str
    outcome: str  # ok | failed
    cause: str | None = None
    error: str | None = None  # what the done line says beyond the cause (bad rows)
    tests: int = 0
    public_tests: int = 0
    generated_tests: int = 0
    input_bytes: int = 0
    time_limit_s: float | None = None
    gold_max_cpu_ms: float | None = None  # slowest gold run on any input
    gold_total_cpu_ms: float | None = None  # all gold runs together
    incorrect_total: int = 0
    incorrect_killed: int = 0


@dataclass
class IncorrectSurvivor:
    problem_id: str
    solution_id: str
    expected_verdict: str | None
    lang: str | None = None
    verdicts: dict[str, int] = field(default_factory=dict)  # verdict -> inputs (all OK: it passed every test)
    problem_outcome: str | None = None
    problem_tests: int = 0  # 0: nothing could kill it (the problem kept no tests)


@dataclass
class IncorrectNotRun:
    problem_id: str
    solution_id: str | None
    cause: str  # unsupported_language | incorrect_compile_error


@dataclass
class GeneratorFailure:
    problem_id: str
    generator_id: str
    status: str
    cause: str
    error: str | None = None


@dataclass
class GenerationStats:
    """The generate stage: problems, and the programs the LLM wrote round by round (generation/)."""

    problems_ok: int = 0
    problems_failed: int = 0
    failures_by_cause: dict[str, int] = field(default_factory=dict)
    candidates: int = 0  # programs followed through their rounds (generators, validators, checkers)
    kept: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> candidates, kept
    attempts: int = 0  # programs tried, every round counted
    repairs: int = 0  # attempts after a first draft
    attempt_failures_by_cause: dict[str, int] = field(default_factory=dict)
    inputs_rejected_by_validator: int = 0


@dataclass
class LLMUsage:
    """Tokens the server reported for answered requests (llm/usage.jsonl); cache hits cost nothing."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None  # when prices per 1M tokens were configured for `generate`
    models: list[str] = field(default_factory=list)
    by_problem: dict[str, dict[str, int]] = field(default_factory=dict)  # problem -> requests, tokens
    by_prompt: dict[str, dict[str, int]] = field(default_factory=dict)  # prompt kind -> requests, tokens


@dataclass
class RunReport:
    run: str
    stage: str = "validate"
    klearct_version: str | None = None
    created: str | None = None
    commands: list[str] = field(default_factory=list)

    problems_total: int = 0  # done lines of the stage, bad rows included
    problems_ok: int = 0
    problems_failed: int = 0  # bad rows included
    bad_rows: int = 0
    problems_skipped: int = 0
    unfinished: list[str] = field(default_factory=list)  # started, no done line (redone on resume)
    failures_by_cause: dict[str, int] = field(default_factory=dict)
    events: list[EventCount] = field(default_factory=list)

    tests_total: int = 0
    input_bytes_total: int = 0
    tests_by_kind: dict[str, int] = field(default_factory=dict)
    tests_per_problem: dict[str, int] = field(default_factory=dict)  # every finished problem (not bad rows)
    tests_distribution: Distribution = field(default_factory=Distribution)  # over the ok problems
    failed_problems_with_tests: list[str] = field(default_factory=list)  # tests kept although the problem failed

    gold_max_cpu_ms: float | None = None
    gold_max_cpu_problem: str | None = None
    gold_total_cpu_ms: float = 0.0

    incorrect_total: int = 0
    incorrect_killed: int = 0
    incorrect_not_killed: list[IncorrectSurvivor] = field(default_factory=list)
    incorrect_not_run: list[IncorrectNotRun] = field(default_factory=list)
    killed_by_verdict: dict[str, int] = field(default_factory=dict)  # first failing verdict -> solutions

    generators_total: int = 0
    generators_by_status: dict[str, int] = field(default_factory=dict)
    generator_failures_by_cause: dict[str, int] = field(default_factory=dict)
    generator_failures: list[GeneratorFailure] = field(default_factory=list)
    generator_inputs: int = 0  # inputs printed by ok generators (after the per-generator cap)
    generator_kept: int = 0  # of which kept as tests
    generators_ok_without_tests: int = 0

    problems: list[ProblemSummary] = field(default_factory=list)
    llm: LLMUsage = field(default_factory=LLMUsage)
    generation: GenerationStats = field(default_factory=GenerationStats)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False, default=str)

    @property
    def real_problems(self) -> list[ProblemSummary]:
        return [p for p in self.problems if p.cause != BAD_ROW]


# -- reading the run ----------------------------------------------------------------------------
def _problem_limits(store: RunStore) -> dict[str, float | None]:
    """problem id -> time limit, reading only the problems/ files (no model validation)."""
    limits: dict[str, float | None] = {}
    for path in sorted((store.root / "problems").glob("*.parquet")):
        for row in pq.read_table(path, columns=["id", "record"]).to_pylist():
            try:
                limits[row["id"]] = json.loads(row["record"]).get("time_limit_s")
            except (ValueError, AttributeError):
                limits[row["id"]] = None
    return limits


def _verdicts(text) -> dict[str, int]:
    if isinstance(text, dict):
        return {str(k): int(v) for k, v in text.items()}
    try:
        value = json.loads(text or "{}")
    except (TypeError, ValueError):
        return {}
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _sorted_counts(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _llm_usage(store: RunStore, manifest: dict) -> LLMUsage:
    usage = LLMUsage()
    models: set[str] = set()
    for line in read_lines(store.root / "llm" / "usage.jsonl"):
        prompt, completion = int(line.get("prompt_tokens") or 0), int(line.get("completion_tokens") or 0)
        usage.requests += 1
        usage.prompt_tokens += prompt
        usage.completion_tokens += completion
        models.add(str(line.get("model")))
        for table, key in ((usage.by_problem, str(line.get("problem_id"))), (usage.by_prompt, str(line.get("purpose")))):
            row = table.setdefault(key, {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0})
            row["requests"] += 1
            row["prompt_tokens"] += prompt
            row["completion_tokens"] += completion
    usage.models = sorted(models)
    prices = next((c.get("prices") for c in reversed(manifest.get("commands", []))
                   if c.get("command") == "generate" and c.get("prices")), None) or {}
    if prices.get("prompt_per_1m") is not None or prices.get("completion_per_1m") is not None:
        from klear_ct.config import LLMConfig  # the SDK is imported only for runs that priced their tokens
        from klear_ct.llm.client import cost_usd

        usage.cost_usd = cost_usd(usage.prompt_tokens, usage.completion_tokens,
                                  LLMConfig(price_prompt_per_1m=prices.get("prompt_per_1m"),
                                            price_completion_per_1m=prices.get("completion_per_1m")))
    return usage


def _generation(store: RunStore) -> GenerationStats:
    stats = GenerationStats()
    done = store.done("generate")
    causes: Counter = Counter()
    for line in done.values():
        if line.get("outcome") == "ok":
            stats.problems_ok += 1
        else:
            stats.problems_failed += 1
            causes[line.get("cause") or "unknown"] += 1
    stats.failures_by_cause = _sorted_counts(causes)
    candidates: dict[tuple, tuple[str, bool]] = {}  # (problem, candidate) -> kind, kept
    attempt_causes: Counter = Counter()
    for row in store.read_rows("generation"):
        if row.get("problem_id") not in done or not row.get("candidate"):
            continue
        stats.attempts += 1
        stats.repairs += int(row.get("round") or 0) > 0
        stats.inputs_rejected_by_validator += int(row.get("rejected_by_validator") or 0)
        if row.get("status") != "ok":
            attempt_causes[row.get("cause") or "unknown"] += 1
        key = (row["problem_id"], row["candidate"])
        kept = candidates.get(key, ("", False))[1] or row.get("status") == "ok"
        candidates[key] = (str(row.get("kind")), kept)
    for kind, kept in candidates.values():
        entry = stats.by_kind.setdefault(kind, {"candidates": 0, "kept": 0})
        entry["candidates"] += 1
        entry["kept"] += kept
    stats.candidates = len(candidates)
    stats.kept = sum(e["kept"] for e in stats.by_kind.values())
    stats.attempt_failures_by_cause = _sorted_counts(attempt_causes)
    return stats


def summarize(store: RunStore, stage: str = "validate") -> RunReport:
    manifest = store.manifest()
    report = RunReport(run=str(store.root), stage=stage, klearct_version=manifest.get("klearct_version"),
                       created=manifest.get("created"),
                       commands=[c.get("command", "?") for c in manifest.get("commands", [])])
    done = store.done(stage)
    limits = _problem_limits(store)
    events = list(store.events())

    # outcomes
    summaries: dict[str, ProblemSummary] = {}
    causes: Counter = Counter()
    for problem_id, line in done.items():
        outcome = line.get("outcome") or "failed"
        cause = line.get("cause")
        summaries[problem_id] = ProblemSummary(problem_id=problem_id, outcome=outcome, cause=cause,
                                               error=line.get("error"), time_limit_s=limits.get(problem_id))
        if outcome == "ok":
            report.problems_ok += 1
        elif outcome == "skipped":  # sound rows klearct does not handle, e.g. interactive problems
            report.problems_skipped += 1
        else:
            report.problems_failed += 1
            causes[cause or "unknown"] += 1
            report.bad_rows += cause == BAD_ROW
    report.problems_total = len(summaries)
    report.failures_by_cause = _sorted_counts(causes)

    # events
    by_stage_cause: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for event in events:
        by_stage_cause[(str(event.get("stage")), str(event.get("cause")))][str(event.get("outcome"))] += 1
    report.events = sorted((EventCount(stage=s, cause=c, count=sum(o.values()), outcomes=_sorted_counts(o))
                            for (s, c), o in by_stage_cause.items()), key=lambda e: (e.stage, -e.count, e.cause))

    # tests
    seen: set[str] = set(limits)
    kinds: Counter = Counter()
    for test in store.tests():
        seen.add(test.problem_id)
        summary = summaries.get(test.problem_id)
        if summary is None:
            continue
        summary.tests += 1
        summary.input_bytes += test.bytes
        if test.kind == "public":
            summary.public_tests += 1
        else:
            summary.generated_tests += 1
        kinds[test.kind] += 1
    report.tests_by_kind = _sorted_counts(kinds)
    real = [s for s in summaries.values() if s.cause != BAD_ROW]
    report.tests_total = sum(s.tests for s in real)
    report.input_bytes_total = sum(s.input_bytes for s in real)
    report.tests_per_problem = {s.problem_id: s.tests for s in real}
    report.tests_distribution = Distribution.of([s.tests for s in real if s.outcome == "ok"])
    report.failed_problems_with_tests = [s.problem_id for s in real if s.outcome != "ok" and s.tests]

    # solutions
    solutions = store.read_rows("solutions")
    killed_by: Counter = Counter()
    for row in solutions:
        seen.add(row.get("problem_id"))
        summary = summaries.get(row.get("problem_id"))
        if summary is None:
            continue
        if row.get("role") == "gold":
            max_ms, total_ms = float(row.get("max_cpu_ms") or 0.0), float(row.get("total_cpu_ms") or 0.0)
            summary.gold_max_cpu_ms = max(summary.gold_max_cpu_ms or 0.0, max_ms)
            summary.gold_total_cpu_ms = (summary.gold_total_cpu_ms or 0.0) + total_ms
        elif row.get("role") == "incorrect":
            summary.incorrect_total += 1
            report.incorrect_total += 1
            if row.get("killed"):
                summary.incorrect_killed += 1
                report.incorrect_killed += 1
                killed_by[row.get("first_failure") or "unknown"] += 1
            else:
                report.incorrect_not_killed.append(IncorrectSurvivor(
                    problem_id=summary.problem_id, solution_id=str(row.get("solution_id")),
                    expected_verdict=row.get("expected_verdict"), lang=row.get("lang"),
                    verdicts=_verdicts(row.get("verdicts")), problem_outcome=summary.outcome,
                    problem_tests=summary.tests))
    report.killed_by_verdict = _sorted_counts(killed_by)
    timed = [s for s in summaries.values() if s.gold_max_cpu_ms is not None]
    if timed:
        slowest = max(timed, key=lambda s: s.gold_max_cpu_ms or 0.0)
        report.gold_max_cpu_ms, report.gold_max_cpu_problem = slowest.gold_max_cpu_ms, slowest.problem_id
        report.gold_total_cpu_ms = sum(s.gold_total_cpu_ms or 0.0 for s in timed)
    report.incorrect_not_run = [
        IncorrectNotRun(problem_id=e["problem_id"], solution_id=e.get("solution"), cause=str(e.get("cause")))
        for e in _latest_events(events, done) if e.get("stage") == "run_incorrect" and e.get("outcome") in
        ("skipped", "failed")]

    # generators
    generator_causes = {e.get("generator_id"): str(e.get("cause")) for e in events
                        if e.get("stage") == "generate_inputs" and e.get("outcome") == "failed"
                        and e.get("generator_id")}
    statuses: Counter = Counter()
    failure_causes: Counter = Counter()
    for row in store.read_rows("generators"):
        seen.add(row.get("problem_id"))
        if row.get("problem_id") not in summaries or not row.get("generator_id"):
            continue
        status = row.get("status") or "unknown"
        statuses[status] += 1
        report.generators_total += 1
        if status == "ok":
            report.generator_inputs += int(row.get("inputs") or 0)
            report.generator_kept += int(row.get("kept") or 0)
            report.generators_ok_without_tests += not row.get("kept")
        else:
            cause = generator_causes.get(row["generator_id"], status)
            failure_causes[cause] += 1
            report.generator_failures.append(GeneratorFailure(
                problem_id=row["problem_id"], generator_id=row["generator_id"], status=status, cause=cause,
                error=row.get("error")))
    report.generators_by_status = _sorted_counts(statuses)
    report.generator_failures_by_cause = _sorted_counts(failure_causes)

    report.unfinished = sorted(p for p in seen if p is not None and p not in summaries)
    report.problems = sorted(summaries.values(), key=lambda s: (s.outcome == "ok", s.cause == BAD_ROW, s.problem_id))
    report.incorrect_not_killed.sort(key=lambda s: (s.problem_id, s.solution_id))
    report.llm = _llm_usage(store, manifest)
    report.generation = _generation(store)
    return report


def _latest_events(events: list[dict], done: dict[str, dict]) -> list[dict]:
    """The events of each finished problem's last attempt, as far as the log tells: one solution
    is reported once even when the problem was validated more than once."""
    unique: dict[tuple, dict] = {}
    for event in events:
        if event.get("problem_id") in done:
            unique[(event.get("problem_id"), event.get("stage"), event.get("solution"), event.get("cause"))] = event
    return list(unique.values())


# -- formatting helpers -------------------------------------------------------------------------
def human_bytes(n: int | float) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.0f} ms"


def num(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def histogram_bins(values: list[int], bins: int = 8) -> list[tuple[int, int, int]]:
    """(low, high, count) with integer bounds, both inclusive; equal widths covering min..max."""
    if not values:
        return []
    low, high = min(values), max(values)
    width = max(1, -(-(high - low + 1) // bins))
    edges = list(range(low, high + 1, width))
    counts = Counter((v - low) // width for v in values)
    return [(start, start + width - 1, counts.get(k, 0)) for k, start in enumerate(edges)]


def text_histogram(values: list[int], bins: int = 8, width: int = 30) -> list[str]:
    rows = histogram_bins(values, bins)
    if not rows:
        return []
    top = max(c for _, _, c in rows) or 1
    label_width = max(len(f"{a}–{b}" if a != b else str(a)) for a, b, _ in rows)
    lines = []
    for a, b, count in rows:
        label = f"{a}–{b}" if a != b else str(a)
        bar = "█" * round(width * count / top) if count else ""
        lines.append(f"{label:>{label_width}} │{bar} {count}")
    return lines


def llm_line(usage: LLMUsage) -> str:
    cost = f", cost ${usage.cost_usd:.4f}" if usage.cost_usd is not None else ""
    return (f"LLM: {usage.requests} requests, {usage.prompt_tokens} prompt + {usage.completion_tokens} "
            f"completion tokens{cost}" + (f" ({', '.join(usage.models)})" if usage.models else ""))


def generation_line(g: GenerationStats) -> str:
    return (f"{g.problems_ok} problems ok, {g.problems_failed} failed; {g.kept}/{g.candidates} programs kept after "
            f"{g.attempts} attempts ({g.repairs} repairs); {g.inputs_rejected_by_validator} inputs rejected by input "
            "validators")


def incorrect_cell(p: ProblemSummary) -> str:
    return f"{p.incorrect_killed}/{p.incorrect_total}" if p.incorrect_total else "–"


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


# -- rich ---------------------------------------------------------------------------------------
def print_report(report: RunReport, console, max_problems: int | None = 50) -> None:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    e = escape
    ok_colour = "green" if not report.problems_failed else "yellow"
    headline = [
        f"[bold]{report.problems_total}[/] problems: [{ok_colour}]{report.problems_ok} ok[/], "
        f"[red]{report.problems_failed} failed[/]" + (f" ({report.bad_rows} bad input rows)" if report.bad_rows else "")
        + (f", {report.problems_skipped} skipped (unsupported)" if report.problems_skipped else ""),
        f"[bold]{report.tests_total}[/] tests kept, {human_bytes(report.input_bytes_total)} of input"
        + (" (" + ", ".join(f"{k} {v}" for k, v in report.tests_by_kind.items()) + ")" if report.tests_by_kind else ""),
        f"incorrect solutions killed: [bold]{report.incorrect_killed}/{report.incorrect_total}[/]"
        + (f", [red]{len(report.incorrect_not_killed)} not killed[/]" if report.incorrect_not_killed else ""),
        f"generators: {report.generators_total}"
        + (" (" + ", ".join(f"{k} {v}" for k, v in report.generators_by_status.items()) + ")"
           if report.generators_by_status else ""),
    ]
    if report.llm.requests:
        headline.append(e(llm_line(report.llm)))
    if report.unfinished:
        headline.append(f"[yellow]{len(report.unfinished)} problems unfinished[/] (redone on resume)")
    meta = " · ".join(x for x in (f"klearct {report.klearct_version}" if report.klearct_version else "",
                                  f"created {report.created}" if report.created else "", f"stage {report.stage}")
                      if x)
    headline.append(f"[dim]{e(meta)}[/]")
    console.print(Panel("\n".join(headline), title=f"[bold]run {e(report.run)}[/]", expand=False))

    if report.failures_by_cause:
        table = Table(title="Failures by cause", title_justify="left")
        table.add_column("cause")
        table.add_column("problems", justify="right")
        table.add_column("share", justify="right")
        for cause, count in report.failures_by_cause.items():
            table.add_row(f"[red]{e(cause)}[/]", str(count), share(count, report.problems_total))
        console.print(table)
    else:
        console.print("[green]no failed problems[/]")

    if report.events:
        table = Table(title="Events by stage and cause", title_justify="left")
        for name, justify in (("stage", "left"), ("cause", "left"), ("count", "right"), ("outcomes", "left")):
            table.add_column(name, justify=justify)
        for event in report.events:
            table.add_row(e(event.stage), e(event.cause), str(event.count),
                          e(", ".join(f"{k} {v}" for k, v in event.outcomes.items())))
        console.print(table)

    d = report.tests_distribution
    table = Table(title="Tests per ok problem", title_justify="left")
    for name in ("problems", "min", "median", "mean", "max", "total tests"):
        table.add_column(name, justify="right")
    table.add_row(str(d.count), num(d.min), num(d.median), num(d.mean), num(d.max), str(report.tests_total))
    console.print(table)
    ok_counts = [p.tests for p in report.real_problems if p.outcome == "ok"]
    for line in text_histogram(ok_counts):
        console.print(f"  {line}", highlight=False)
    if report.failed_problems_with_tests:
        console.print(f"[yellow]{len(report.failed_problems_with_tests)} failed problems still hold tests:[/] "
                      + e(", ".join(report.failed_problems_with_tests[:10]))
                      + (" …" if len(report.failed_problems_with_tests) > 10 else ""))

    timed = sorted((p for p in report.problems if p.gold_max_cpu_ms is not None),
                   key=lambda p: -(p.gold_max_cpu_ms or 0.0))
    if timed:
        console.print(f"gold runtime (CPU): slowest run {ms(report.gold_max_cpu_ms)} in "
                      f"{e(report.gold_max_cpu_problem or '')}, all gold runs {ms(report.gold_total_cpu_ms)}")
        table = Table(title="Slowest golds", title_justify="left")
        for name, justify in (("problem", "left"), ("slowest gold run", "right"), ("time limit", "right"),
                              ("of limit", "right"), ("all gold runs", "right")):
            table.add_column(name, justify=justify)
        for p in timed[:10]:
            limit_ms = p.time_limit_s * 1000 if p.time_limit_s else None
            frac = (p.gold_max_cpu_ms or 0.0) / limit_ms if limit_ms else None
            colour = "red" if frac is not None and frac > 0.5 else ""
            table.add_row(e(p.problem_id), ms(p.gold_max_cpu_ms), ms(limit_ms),
                          f"[{colour}]{frac:.0%}[/]" if frac is not None and colour else
                          (f"{frac:.0%}" if frac is not None else "–"), ms(p.gold_total_cpu_ms))
        console.print(table)

    if report.incorrect_total:
        verdicts = ", ".join(f"{k} {v}" for k, v in report.killed_by_verdict.items()) or "none"
        console.print(f"incorrect solutions killed {report.incorrect_killed}/{report.incorrect_total}; "
                      f"first failing verdict: {e(verdicts)}")
    if report.incorrect_not_killed:
        table = Table(title="Incorrect solutions not killed", title_justify="left", title_style="bold red")
        for name, justify in (("problem", "left"), ("solution", "left"), ("expected", "left"), ("lang", "left"),
                              ("verdicts", "left"), ("tests", "right")):
            table.add_column(name, justify=justify)
        for s in report.incorrect_not_killed:
            tests = str(s.problem_tests) + ("" if s.problem_outcome == "ok" else f" ({s.problem_outcome})")
            table.add_row(e(s.problem_id), f"[red]{e(s.solution_id)}[/]", e(s.expected_verdict or "–"),
                          e(s.lang or "–"), e(", ".join(f"{k} {v}" for k, v in s.verdicts.items()) or "–"), e(tests))
        console.print(table)
    elif report.incorrect_total:
        console.print("[green]all incorrect solutions were killed[/]")
    if report.incorrect_not_run:
        console.print(f"[yellow]{len(report.incorrect_not_run)} incorrect solutions not run:[/] "
                      + e(", ".join(f"{x.solution_id} ({x.cause})" for x in report.incorrect_not_run[:10]))
                      + (" …" if len(report.incorrect_not_run) > 10 else ""))

    if report.generator_failures_by_cause:
        table = Table(title="Generator failures by cause", title_justify="left")
        table.add_column("cause")
        table.add_column("generators", justify="right")
        for cause, count in report.generator_failures_by_cause.items():
            table.add_row(e(cause), str(count))
        console.print(table)

    g = report.generation
    if g.attempts or g.problems_ok or g.problems_failed:
        console.print(f"generation: {generation_line(g)}")
        table = Table(title="Generation", title_justify="left")
        for name, justify in (("kind", "left"), ("programs", "right"), ("kept", "right")):
            table.add_column(name, justify=justify)
        for kind, entry in sorted(g.by_kind.items()):
            table.add_row(e(kind), str(entry["candidates"]), str(entry["kept"]))
        console.print(table)
        for title, counts in (("generate failures by cause (problems)", g.failures_by_cause),
                              ("failed attempts by cause", g.attempt_failures_by_cause)):
            if counts:
                console.print(f"{title}: " + e(", ".join(f"{k} {v}" for k, v in counts.items())))

    if report.llm.by_problem:
        table = Table(title="LLM tokens per problem (most first)", title_justify="left")
        for name, justify in (("problem", "left"), ("requests", "right"), ("prompt tokens", "right"),
                              ("completion tokens", "right")):
            table.add_column(name, justify=justify)
        ranked = sorted(report.llm.by_problem.items(), key=lambda kv: -(kv[1]["prompt_tokens"]
                                                                        + kv[1]["completion_tokens"]))
        for pid, row in ranked[:10]:
            table.add_row(e(pid), str(row["requests"]), str(row["prompt_tokens"]), str(row["completion_tokens"]))
        console.print(table)

    if report.problems:
        shown = report.problems if max_problems is None else report.problems[:max_problems]
        table = Table(title="Problems", title_justify="left")
        for name, justify in (("problem", "left"), ("outcome", "left"), ("cause", "left"), ("tests", "right"),
                              ("incorrect killed", "right")):
            table.add_column(name, justify=justify)
        for p in shown:
            colour = "green" if p.outcome == "ok" else "red"
            killed = incorrect_cell(p)
            if p.incorrect_killed < p.incorrect_total:
                killed = f"[red]{killed}[/]"
            table.add_row(e(p.problem_id), f"[{colour}]{e(p.outcome)}[/]", e(p.cause or ""), str(p.tests), killed)
        console.print(table)
        if len(shown) < len(report.problems):
            console.print(f"… {len(report.problems) - len(shown)} more problems (all in --json and --html)")
    if report.unfinished:
        console.print(f"[yellow]unfinished:[/] {e(', '.join(report.unfinished[:20]))}"
                      + (" …" if len(report.unfinished) > 20 else ""))


# -- HTML ---------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.bad{color:#c62828}.warn{color:#9a6700}.meta{color:#666;font-size:.85rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;
min-width:10rem}.card b{display:block;font-size:1.4rem}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}
"""


def _h(value) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), raw: set[int] = frozenset()) -> str:
    """An HTML table; every cell escaped except the columns in `raw` (already-built markup)."""
    head = "".join(f"<th>{_h(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for k, cell in enumerate(row):
            attr = ' class="n"' if k in numeric else ""
            cells.append(f"<td{attr}>{cell if k in raw else _h(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(text: str, limit: int = 28) -> str:
    """Data text as a matplotlib label: shortened, and `$` not taken for mathtext."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def _integer_axis(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _img(data: str, alt: str) -> str:
    return f'<img alt="{_h(alt)}" src="data:image/png;base64,{data}">'


def plot_tests_histogram(report: RunReport) -> str | None:
    from matplotlib.figure import Figure

    values = [p.tests for p in report.real_problems if p.outcome == "ok"]
    if not values:
        return None
    bins = histogram_bins(values, bins=min(20, max(values) - min(values) + 1))
    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    ax.bar([(a + b) / 2 for a, b, _ in bins], [c for _, _, c in bins], width=[b - a + 1 for a, b, _ in bins],
           color="#4c78a8", edgecolor="white")
    _integer_axis(ax.xaxis)
    _integer_axis(ax.yaxis)
    ax.set_xlabel("tests kept")
    ax.set_ylabel("problems")
    ax.set_title(f"Tests per ok problem (n={len(values)})")
    return _png(fig)


def plot_failures(report: RunReport) -> str | None:
    from matplotlib.figure import Figure

    if not report.failures_by_cause:
        return None
    causes = list(report.failures_by_cause.items())[::-1]
    fig = Figure(figsize=(7, 0.6 + 0.35 * len(causes)))
    ax = fig.add_subplot()
    ax.barh([_label(c, 40) for c, _ in causes], [n for _, n in causes], color="#e45756")
    _integer_axis(ax.xaxis)
    ax.set_xlabel("problems")
    ax.set_title("Failures by cause")
    for y, (_, n) in enumerate(causes):
        ax.text(n, y, f" {n}", va="center", fontsize=8)
    return _png(fig)


def plot_incorrect(report: RunReport, limit: int = 60) -> str | None:
    from matplotlib.figure import Figure

    with_incorrect = [p for p in report.problems if p.incorrect_total]
    if not with_incorrect:
        return None
    shown = sorted(with_incorrect, key=lambda p: (-(p.incorrect_total - p.incorrect_killed), -p.incorrect_total,
                                                   p.problem_id))[:limit]
    labels = [_label(p.problem_id) for p in shown]
    killed = [p.incorrect_killed for p in shown]
    survived = [p.incorrect_total - p.incorrect_killed for p in shown]
    fig = Figure(figsize=(max(6.0, 0.3 * len(shown) + 2), 4))
    ax = fig.add_subplot()
    xs = range(len(shown))
    ax.bar(xs, killed, color="#54a24b", label="killed")
    ax.bar(xs, survived, bottom=killed, color="#e45756", label="survived")
    ax.set_xticks(list(xs), labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("incorrect solutions")
    _integer_axis(ax.yaxis)
    title = "Incorrect solutions killed vs survived"
    if len(shown) < len(with_incorrect):
        title += f" ({len(shown)} of {len(with_incorrect)} problems, most survivors first)"
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig)


def write_html(report: RunReport, path: Path | str) -> Path:
    path = Path(path)
    r = report
    parts: list[str] = []
    add = parts.append
    add(f"<h1>klearct run report: {_h(r.run)}</h1>")
    meta = " · ".join(_h(x) for x in (f"klearct {r.klearct_version}" if r.klearct_version else None, r.created,
                                      f"stage {r.stage}", ("commands: " + ", ".join(r.commands)) if r.commands else None)
                      if x)
    add(f'<p class="meta">{meta}</p>')
    cards = [("problems", r.problems_total), ("ok", r.problems_ok), ("failed", r.problems_failed),
             ("bad input rows", r.bad_rows), ("tests kept", r.tests_total),
             ("input bytes", human_bytes(r.input_bytes_total)),
             ("incorrect killed", f"{r.incorrect_killed}/{r.incorrect_total}"),
             ("generators ok", f"{r.generators_by_status.get('ok', 0)}/{r.generators_total}")]
    add('<div class="cards">' + "".join(f'<div class="card"><b>{_h(v)}</b>{_h(k)}</div>' for k, v in cards)
        + "</div>")
    if r.unfinished:
        add(f'<p class="warn">{len(r.unfinished)} problems unfinished (redone on resume): '
            f"{_h(', '.join(r.unfinished))}</p>")

    add("<h2>Failures by cause</h2>")
    if r.failures_by_cause:
        add(_table(["cause", "problems", "share"],
                   [[c, n, share(n, r.problems_total)] for c, n in r.failures_by_cause.items()], numeric={1, 2}))
        if (png := plot_failures(r)) is not None:
            add(_img(png, "failures by cause"))
    else:
        add('<p class="ok">no failed problems</p>')

    if r.events:
        add("<h2>Events by stage and cause</h2>")
        add(_table(["stage", "cause", "count", "outcomes"],
                   [[ev.stage, ev.cause, ev.count, ", ".join(f"{k} {v}" for k, v in ev.outcomes.items())]
                    for ev in r.events], numeric={2}))

    add("<h2>Tests</h2>")
    d = r.tests_distribution
    add(_table(["ok problems", "min", "median", "mean", "max", "total tests", "input bytes", "by kind"],
               [[d.count, num(d.min), num(d.median), num(d.mean), num(d.max), r.tests_total,
                 human_bytes(r.input_bytes_total), ", ".join(f"{k} {v}" for k, v in r.tests_by_kind.items())]],
               numeric={0, 1, 2, 3, 4, 5, 6}))
    if (png := plot_tests_histogram(r)) is not None:
        add(_img(png, "tests per problem"))
    if r.failed_problems_with_tests:
        add(f'<p class="warn">failed problems that still hold tests: {_h(", ".join(r.failed_problems_with_tests))}</p>')

    add("<h2>Gold runtime (CPU)</h2>")
    timed = sorted((p for p in r.problems if p.gold_max_cpu_ms is not None), key=lambda p: -(p.gold_max_cpu_ms or 0))
    if timed:
        add(f"<p>slowest gold run {_h(ms(r.gold_max_cpu_ms))} in <code>{_h(r.gold_max_cpu_problem)}</code>; "
            f"all gold runs together {_h(ms(r.gold_total_cpu_ms))}</p>")
        rows = []
        for p in timed:
            limit_ms = p.time_limit_s * 1000 if p.time_limit_s else None
            frac = f"{(p.gold_max_cpu_ms or 0) / limit_ms:.0%}" if limit_ms else "–"
            rows.append([p.problem_id, ms(p.gold_max_cpu_ms), ms(limit_ms), frac, ms(p.gold_total_cpu_ms)])
        add(_table(["problem", "slowest gold run", "time limit", "of limit", "all gold runs"], rows,
                   numeric={1, 2, 3, 4}))
    else:
        add("<p>no gold runs recorded</p>")

    add("<h2>Incorrect solutions</h2>")
    verdicts = ", ".join(f"{k} {v}" for k, v in r.killed_by_verdict.items()) or "none"
    add(f"<p>killed {r.incorrect_killed}/{r.incorrect_total}; first failing verdict: {_h(verdicts)}</p>")
    if r.incorrect_not_killed:
        add('<h3 class="bad">Incorrect solutions not killed</h3>')
        add(_table(["problem", "solution", "expected verdict", "lang", "verdicts", "tests", "problem outcome"],
                   [[s.problem_id, s.solution_id, s.expected_verdict or "–", s.lang or "–",
                     ", ".join(f"{k} {v}" for k, v in s.verdicts.items()), s.problem_tests, s.problem_outcome]
                    for s in r.incorrect_not_killed], numeric={5}))
    elif r.incorrect_total:
        add('<p class="ok">all incorrect solutions were killed</p>')
    if r.incorrect_not_run:
        add("<h3>Incorrect solutions not run</h3>")
        add(_table(["problem", "solution", "cause"],
                   [[x.problem_id, x.solution_id or "–", x.cause] for x in r.incorrect_not_run]))
    if (png := plot_incorrect(r)) is not None:
        add(_img(png, "incorrect solutions killed vs survived per problem"))

    add("<h2>Generators</h2>")
    add(_table(["generators", "by status", "inputs (ok generators)", "kept as tests", "ok but no test kept"],
               [[r.generators_total, ", ".join(f"{k} {v}" for k, v in r.generators_by_status.items()) or "–",
                 r.generator_inputs, r.generator_kept, r.generators_ok_without_tests]], numeric={0, 2, 3, 4}))
    if r.generator_failures:
        add(_table(["cause", "generators"], list(r.generator_failures_by_cause.items()), numeric={1}))
        add(_table(["problem", "generator", "status", "cause", "error"],
                   [[g.problem_id, g.generator_id, g.status, g.cause, (g.error or "")[:300]]
                    for g in r.generator_failures]))

    g = r.generation
    if g.attempts or g.problems_ok or g.problems_failed:
        add("<h2>Generation</h2>")
        add(f"<p>{_h(generation_line(g))}</p>")
        add(_table(["kind", "programs", "kept"], [[k, v["candidates"], v["kept"]] for k, v in sorted(g.by_kind.items())],
                   numeric={1, 2}))
        if g.attempt_failures_by_cause:
            add(_table(["failed attempts: cause", "attempts"], list(g.attempt_failures_by_cause.items()), numeric={1}))

    if r.llm.requests:
        add("<h2>LLM tokens</h2>")
        add(f"<p>{_h(llm_line(r.llm))}</p>")
        add(_table(["problem", "requests", "prompt tokens", "completion tokens"],
                   [[pid, row["requests"], row["prompt_tokens"], row["completion_tokens"]]
                    for pid, row in sorted(r.llm.by_problem.items())], numeric={1, 2, 3}))

    add("<h2>Problems</h2>")
    rows = []
    for p in r.problems:
        cls = "ok" if p.outcome == "ok" else "bad"
        killed_cls = ' class="bad"' if p.incorrect_killed < p.incorrect_total else ""
        rows.append([p.problem_id, f'<span class="{cls}">{_h(p.outcome)}</span>', p.cause or "", p.tests,
                     p.public_tests, p.generated_tests, human_bytes(p.input_bytes), ms(p.gold_max_cpu_ms),
                     f"<span{killed_cls}>{_h(incorrect_cell(p))}</span>", p.error or ""])
    add(_table(["problem", "outcome", "cause", "tests", "public", "generated", "input", "slowest gold",
                "incorrect killed", "error"], rows, numeric={3, 4, 5, 6, 7, 8}, raw={1, 8}))

    document = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>klearct report: {_h(r.run)}</title><style>{CSS}</style></head><body>\n"
                + "\n".join(parts) + "\n</body></html>\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(document, encoding="utf-8")
    tmp.replace(path)
    return path
