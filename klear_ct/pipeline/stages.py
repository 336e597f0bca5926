"""What the commands chain: the LLM wiring of `generate`, the nightly `run` (generate → validate
→ export), and the export of a run's validated problems. The CLI parses, calls these, prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from klear_ct.config import Config
from klear_ct.executor import Executor
from klear_ct.formats import export as export_rows
from klear_ct.formats import get_format, read_problems
from klear_ct.llm.budget import Budget
from klear_ct.llm.cache import ResponseCache
from klear_ct.llm.client import LLMClient
from klear_ct.llm.prompts import Prompts
from klear_ct.pipeline.adversarial import PROMPT as ADVERSARIAL_PROMPT
from klear_ct.pipeline.adversarial import AdversarialSettings, AdversarialSummary, adversarial_batch
from klear_ct.pipeline.batch import BatchSummary, validate_batch, with_adversarial
from klear_ct.pipeline.generate_batch import GenerateSummary, generate_batch
from klear_ct.pipeline.session import GenerateSettings
from klear_ct.sandbox import Sandbox
from klear_ct.sandbox.timing import time_factors_of
from klear_ct.store import RunStore

OnProblem = Callable[[str, str], None]


def export_validated(store: RunStore, output_format: str, out: Path, **options) -> dict:
    """Export the problems that validated ok (failed ones stay out) and record it in the run. A format
    that reads solutions (atgen: the kill matrix's verdicts) gets each problem's solutions/ rows too."""
    finished = store.done("validate")
    ok = (p for p in store.problems() if finished.get(p.id, {}).get("outcome") == "ok")
    if get_format(output_format, "export").reads_solutions:
        rows = ((p, store.tests(p.id), store.solutions(p.id)) for p in ok)
    else:
        rows = ((p, store.tests(p.id)) for p in ok)
    summary = export_rows(rows, output_format, out, **options)
    store.record_command("export", format=output_format, out=str(out), summary=summary)
    return summary


def run_llm(store: RunStore, config: Config) -> LLMClient:
    """The LLM client of a run: its cache (or the config's shared one), its usage log and spend cap."""
    budget = Budget(config.llm, store.llm_usage())
    return LLMClient(config.llm, cache=ResponseCache(config.llm.cache_dir or store.llm_cache_dir),
                     usage_log=store.usage_log, budget=budget if budget.capped else None)


def adversarial_stage(store: RunStore, config: Config, settings: AdversarialSettings, prompts: Prompts,
                      sandbox: Sandbox, retry_failed: bool, workers: int | None,
                      on_problem: OnProblem) -> AdversarialSummary:
    """`klearct adversarial` on a run: records the command and runs the loop over its validated problems."""
    prompts.template(ADVERSARIAL_PROMPT)  # a missing template is a usage error now, not a failure per problem
    store.record_command("adversarial", model=config.llm.model, base_url=config.llm.base_url,
                         prompts=prompts.hashes(), limits=time_factors_of(sandbox).describe(),
                         settings={"variants": settings.variants, "rounds": settings.rounds,
                                   "weak_kinds": list(settings.weak_kinds)})
    return adversarial_batch(store, run_llm(store, config), prompts, sandbox, settings, retry_failed=retry_failed,
                             workers=workers or config.llm.concurrency, on_problem=on_problem)


def load_prompts(config: Config) -> Prompts:
    """The prompt templates; raises PromptError (a usage error) when one is missing."""
    prompts = Prompts(config.generate.prompts_dir)
    prompts.check()
    return prompts


def generate_stage(store: RunStore, problems: Path, input_format: str, config: Config,
                   settings: GenerateSettings, prompts: Prompts, sandbox: Sandbox, retry_failed: bool,
                   workers: int | None, on_problem: OnProblem, python: str | None = None) -> GenerateSummary:
    """`klearct generate` on a run: records the command, wires the LLM client to the run's cache
    (or the config's shared one), usage log and spend cap, and generates every pending problem.
    `python`: the Python runtime of the problems' solutions (see read_problems)."""
    store.record_command("generate", problems=str(problems), format=input_format, model=config.llm.model,
                         python=python, limits=time_factors_of(sandbox).describe(),
                         base_url=config.llm.base_url, prompts=prompts.hashes(),
                         prices={"prompt_per_1m": config.llm.price_prompt_per_1m,
                                 "completion_per_1m": config.llm.price_completion_per_1m},
                         caps={key: getattr(config.llm, key) for key in (
                             "max_tokens_per_run", "max_cost_usd_per_run", "max_tokens_per_command",
                             "max_cost_usd_per_command")},
                         settings={"counts": dict(settings.counts), "max_rounds": settings.max_rounds,
                                   "kill_rounds": settings.kill_rounds, "checker": settings.checker,
                                   "validator": settings.validator})
    rows = with_adversarial(read_problems(problems, input_format, python=python), store)
    return generate_batch(rows, store, run_llm(store, config), prompts, sandbox, settings, retry_failed=retry_failed,
                          workers=workers or config.llm.concurrency, on_problem=on_problem)


@dataclass
class NightlySummary:
    generate: GenerateSummary
    validate: BatchSummary
    export: dict
    export_out: Path
    failed_ids: list[str]  # failed in this command (the stage summaries count earlier failures too)

    @property
    def failed(self) -> int:
        """Failures the run holds: this command's and the earlier ones' still failed, bad rows included."""
        return self.generate.failed + self.generate.bad_rows + self.validate.failed

    @property
    def pending(self) -> int:
        return self.generate.pending


def run_nightly(store: RunStore, problems: Path, input_format: str, config: Config,
                settings: GenerateSettings, prompts: Prompts, sandbox: Sandbox, export_format: str,
                export_out: Path | None, retry_failed: bool, workers: int | None,
                on_generated: OnProblem, on_validated: OnProblem, python: str | None = None,
                executor: Executor | None = None) -> NightlySummary:
    """generate → validate → export on one run directory, resumable; validate on `executor` when
    given (Ray), else on `sandbox` as generate is."""
    earlier = sum(1 for _ in store.done_lines())
    generated = generate_stage(store, problems, input_format, config, settings, prompts, sandbox, retry_failed, workers,
                               on_generated, python)
    ok = {pid for pid, line in store.done("generate").items() if line["outcome"] == "ok"}
    store.record_command("validate", problems="generated", select="all", limits=time_factors_of(sandbox).describe())
    # a problem whose generation failed is still validated when it came with generators
    # one left pending by the spend cap waits for the run that finishes its generation
    pending = set(generated.pending_ids)
    todo = (p for p in store.problems() if p.id not in pending and (p.id in ok or p.generators))
    validated = validate_batch(todo, store, sandbox, retry_failed=retry_failed, on_problem=on_validated,
                               executor=executor)
    target = export_out or store.export_path(export_format)
    return NightlySummary(generated, validated, export_validated(store, export_format, target), target,
                          failed_since(store, earlier))


def failed_since(store: RunStore, earlier: int) -> list[str]:
    """The problems (and bad rows) finished as failed by the done lines after the first `earlier`:
    a problem's last line wins, so validate's outcome wins over generate's (a problem whose
    generation failed may still validate with generators of its own)."""
    outcome = {line["problem_id"]: line["outcome"] for line in islice(store.done_lines(), earlier, None)}
    return sorted(pid for pid, result in outcome.items() if result == "failed")
