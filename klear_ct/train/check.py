"""`klearct train --check-data`: before training, every gold solution of the run, fenced as a
policy would answer, and every known incorrect one go through the training reward on the
export's own ground truths. Golds must score 1 (held-out too); an incorrect solution must score
what the run's kill matrix (`TestCase.kills` of the tests the export wrote) says. A mismatch is
located: each test of the problem is scored alone, and the finding names the problem, the
solution and the test (visible or held-out, index, id).

The run is found from the export (an export inside a run directory, as `klearct run` writes
RUN/export/verl.parquet) or given as --run."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from klear_ct.errors import UsageError
from klear_ct.model import Program, TestCase
from klear_ct.rl.scorer import BadGroundTruth, parse_ground_truth
from klear_ct.sandbox import runnable
from klear_ct.sandbox.languages import get_language
from klear_ct.sandbox.verdict import WALL_CLOCK
from klear_ct.store import RunStore
from klear_ct.train.data import Example

Scorer = Callable[[list[str], list[str]], list[dict]]  # (completions, ground truths) -> score dicts
CHECK_NAME = "check-data.json"
EPS = 1e-9


def fenced(program: Program) -> str:
    return f"Here is my solution.\n\n```{get_language(program.lang).fence}\n{program.code.rstrip()}\n```\n"


def find_run(export_paths: list[Path], run: Path | None = None) -> RunStore:
    """The run an export came from: `run`, else the nearest run directory above the export."""
    if run is not None:
        if not RunStore.is_run(run):
            raise UsageError(f"{run} is not a run directory")
        return RunStore(run)
    for parent in Path(export_paths[0]).resolve().parents:
        if RunStore.is_run(parent):
            return RunStore(parent)
    raise UsageError(f"cannot tell which run {export_paths[0]} was exported from (it lies in no run directory): "
                     "pass --run RUN")


def export_digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(Path(path).read_bytes())
    return h.hexdigest()


@dataclass
class Finding:
    problem_id: str
    solution: str
    expected: str
    got: str
    tests: list[str] = field(default_factory=list)  # "visible test 2 (id …): expected OK, got WA"

    def __str__(self) -> str:
        where = "; ".join(self.tests) or ("not reproduced when each test is scored alone (or only stopped by the "
                                          "wall clock: a loaded machine)")
        return f"{self.problem_id}: {self.solution} scored {self.got}, expected {self.expected}: {where}"


@dataclass
class CheckReport:
    problems: int = 0
    golds: int = 0
    golds_ok: int = 0
    incorrect: int = 0
    incorrect_as_expected: int = 0
    incorrect_surviving: int = 0  # the kill matrix says no exported test kills them (a weak suite, not an error)
    findings: list[Finding] = field(default_factory=list)
    # a mismatch no test shows when each is scored alone: timing on a loaded machine, reported, not refused
    unreproduced: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems or tests the run does not know

    @property
    def ok(self) -> bool:
        return not self.findings and not self.errors

    def to_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok, "findings": [str(f) for f in self.findings],
                               "unreproduced": [str(f) for f in self.unreproduced]}


@dataclass
class _Sample:
    problem_id: str
    solution: str
    role: str
    completion: str
    truth: str
    visible: list[bool]  # per visible test: expected to pass
    held: list[bool]

    def expected(self, mode: str) -> tuple[float, float]:
        """(score, holdout_score) the kill matrix predicts, as klear_ct.rl.scorer computes them."""
        def share(passes: list[bool]) -> float:
            return float(all(passes)) if mode == "binary" else sum(passes) / len(passes)

        score = share(self.visible)
        if not self.held:
            return score, -1.0
        if mode == "binary" and score < 1.0:
            return score, 0.0  # held-out tests are not run after a visible failure
        return score, share(self.held)


def _expectations(truth: dict, tests: dict[str, TestCase], solution_id: str | None, problem_id: str,
                  errors: list[str]) -> tuple[list[bool], list[bool]]:
    def passes(inputs: list[str], kind: str) -> list[bool]:
        out = []
        for k, text in enumerate(inputs):
            test = tests.get(text)
            if test is None:
                errors.append(f"{problem_id}: {kind} test {k} of the export is not a test of the run")
                out.append(solution_id is None)
            else:
                out.append(solution_id is None or solution_id not in test.kills)
        return out

    return passes(truth.inputs, "visible"), passes(truth.holdout_inputs, "held-out")


def samples_of(examples: list[Example], store: RunStore, report: CheckReport) -> list[_Sample]:
    judged = {row["solution_id"] for row in store.read_rows("solutions")}  # what validate ran
    samples = []
    for example in examples:
        problem = store.problem(example.problem_id)
        if problem is None:
            report.errors.append(f"{example.problem_id}: not a problem of the run {store.root}")
            continue
        try:
            truth = parse_ground_truth(example.ground_truth)
        except BadGroundTruth as e:
            report.errors.append(f"{example.problem_id}: {e}")
            continue
        report.problems += 1
        tests = {t.input: t for t in store.tests(problem.id)}
        golds = [(f"{problem.id}/gold-{k}", g) for k, g in enumerate(p for p in problem.gold if runnable(p))]
        wrong = [(i.id, i.program) for i in problem.incorrect]
        for solution_id, program in golds + wrong:
            if solution_id not in judged:
                continue  # validate could not run it (did not compile): the kill matrix says nothing
            is_gold = solution_id in dict(golds)
            visible, held = _expectations(truth, tests, None if is_gold else solution_id, problem.id, report.errors)
            samples.append(_Sample(problem.id, f"{solution_id.rsplit('/', 1)[-1]} ({program.lang})",
                                   "gold" if is_gold else "incorrect", fenced(program), example.ground_truth,
                                   visible, held))
    return samples


def _one_test_truths(sample: _Sample) -> list[tuple[str, bool, str]]:
    """(label, expected to pass, ground truth of that test alone) for each test of the sample's problem."""
    truth = json.loads(sample.truth)
    out = []
    for kind, inputs, outputs, passes in (("visible", "inputs", "outputs", sample.visible),
                                          ("held-out", "holdout_inputs", "holdout_outputs", sample.held)):
        for k, (text, expected) in enumerate(zip(truth.get(inputs, []), truth.get(outputs, []), strict=True)):
            label = f"{kind} test {k} (id {TestCase(problem_id=sample.problem_id, input=text).id})"
            one = {"inputs": [text], "outputs": [expected], "judging": truth.get("judging") or {}}
            out.append((label, passes[k], json.dumps(one)))
    return out


def check_data(examples: list[Example], store: RunStore, scorer: Scorer, mode: str = "binary") -> CheckReport:
    """Score every judged gold and incorrect solution of the exported problems (see the module doc)."""
    report = CheckReport()
    samples = samples_of(examples, store, report)
    results = scorer([s.completion for s in samples], [s.truth for s in samples])
    wrong: list[tuple[_Sample, dict, tuple[float, float]]] = []
    for sample, result in zip(samples, results, strict=True):
        expected = sample.expected(mode)
        matches = abs(result["score"] - expected[0]) < EPS and abs(result["holdout_score"] - expected[1]) < EPS
        if sample.role == "gold":
            report.golds += 1
            report.golds_ok += matches
        else:
            report.incorrect += 1
            report.incorrect_as_expected += matches
            report.incorrect_surviving += expected[0] == 1.0
        if not matches:
            wrong.append((sample, result, expected))
    # locate each mismatch: every test of its problem scored alone, through the same scorer
    singles = [(k, label, passes, truth) for k, (sample, _, _) in enumerate(wrong)
               for label, passes, truth in _one_test_truths(sample)]
    alone = scorer([wrong[k][0].completion for k, *_ in singles], [t for *_, t in singles])
    located: dict[int, list[str]] = {}
    for (k, label, passes, _), result in zip(singles, alone, strict=True):
        got_pass = result["score"] == 1.0
        if passes and not got_pass and result["detail"].startswith(WALL_CLOCK):
            continue  # stopped by the wall clock alone: the machine's load, as validate treats it (run_gold)
        if got_pass != passes:
            got = "OK" if got_pass else " ".join(filter(None, [result["first_failure_verdict"] or "a failure",
                                                               result["detail"] and f"({result['detail']})"]))
            located.setdefault(k, []).append(f"{label}: expected {'OK' if passes else 'a failure'}, got {got}")
    for k, (sample, result, expected) in enumerate(wrong):
        finding = Finding(sample.problem_id, sample.solution, _fmt(expected),
                          _fmt((result["score"], result["holdout_score"])), located.get(k, []))
        (report.findings if finding.tests else report.unreproduced).append(finding)
        if not finding.tests:  # counted as it scored on the second look
            if sample.role == "gold":
                report.golds_ok += 1
            else:
                report.incorrect_as_expected += 1
    return report


def _fmt(pair: tuple[float, float]) -> str:
    score, held = pair
    return f"{score:g}" + ("" if held == -1.0 else f" (held-out {held:g})")
