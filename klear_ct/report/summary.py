"""What happened in a run: the numbers behind `klearct report RUN`, read from the run directory.

    summarize(store, stage="validate") -> RunReport      read-only; only what the run directory holds
    RunReport.to_dict() / RunReport.to_json()

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

import dataclasses
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from klear_ct.store import RunStore

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
    cached: int = 0  # cache hits of each problem's last generation (they cost nothing)
    # problem / prompt kind -> requests, cached, prompt_tokens, completion_tokens (and cost_usd when priced)
    by_problem: dict[str, dict[str, float]] = field(default_factory=dict)
    by_prompt: dict[str, dict[str, float]] = field(default_factory=dict)
    budget: dict | None = None  # the spend cap and the share of it used, when one was set


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
    for problem_id, record in store.problem_records():
        try:
            limits[problem_id] = json.loads(record).get("time_limit_s")
        except (ValueError, AttributeError):
            limits[problem_id] = None
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
    tables = (usage.by_problem, usage.by_prompt)

    def row(table: dict, key: str) -> dict:
        return table.setdefault(key, {"requests": 0, "cached": 0, "prompt_tokens": 0, "completion_tokens": 0})

    for line in store.llm_usage():
        prompt, completion = int(line.get("prompt_tokens") or 0), int(line.get("completion_tokens") or 0)
        usage.requests += 1
        usage.prompt_tokens += prompt
        usage.completion_tokens += completion
        models.add(str(line.get("model")))
        for table, key in zip(tables, (str(line.get("problem_id")), str(line.get("purpose"))), strict=True):
            counts = row(table, key)
            counts["requests"] += 1
            counts["prompt_tokens"] += prompt
            counts["completion_tokens"] += completion
    for request in store.read_rows("llm"):  # the last generation of each problem: its cache hits
        if request.get("cached"):
            usage.cached += 1
            for table, key in zip(tables, (str(request.get("problem_id")), str(request.get("prompt_kind"))),
                                  strict=True):
                row(table, key)["cached"] += 1
    usage.models = sorted(models)
    generate = [c for c in manifest.get("commands", []) if c.get("command") == "generate"]
    prices = next((c.get("prices") for c in reversed(generate) if c.get("prices")), None) or {}
    if prices.get("prompt_per_1m") is not None or prices.get("completion_per_1m") is not None:
        from klear_ct.config import LLMConfig  # the SDK is imported only for runs that priced their tokens
        from klear_ct.llm.client import cost_usd

        config = LLMConfig(price_prompt_per_1m=prices.get("prompt_per_1m"),
                           price_completion_per_1m=prices.get("completion_per_1m"))
        usage.cost_usd = cost_usd(usage.prompt_tokens, usage.completion_tokens, config)
        for table in tables:
            for counts in table.values():
                counts["cost_usd"] = cost_usd(counts["prompt_tokens"], counts["completion_tokens"], config)
    caps = generate[-1].get("caps") or {} if generate else {}
    usage.budget = budget_share(usage, caps.get("max_tokens_per_run"), caps.get("max_cost_usd_per_run"))
    return usage


def budget_share(usage: LLMUsage, max_tokens: int | None, max_cost: float | None) -> dict | None:
    """The share of the run's spend cap (the last generate command's) that its requests used."""
    if max_tokens is None and max_cost is None:
        return None
    shares = []
    if max_tokens:
        shares.append((usage.prompt_tokens + usage.completion_tokens) / max_tokens)
    if max_cost and usage.cost_usd is not None:
        shares.append(usage.cost_usd / max_cost)
    return {"max_tokens": max_tokens, "max_cost_usd": max_cost, "share": max(shares) if shares else None}


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
    for test in store.test_index():
        seen.add(test["problem_id"])
        summary = summaries.get(test["problem_id"])
        if summary is None:
            continue
        summary.tests += 1
        summary.input_bytes += test["bytes"]
        if test["kind"] == "public":
            summary.public_tests += 1
        else:
            summary.generated_tests += 1
        kinds[test["kind"]] += 1
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
