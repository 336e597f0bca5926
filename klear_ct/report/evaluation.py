"""What `klearct evaluate` shows: the summary (JSON), rich tables, and an HTML page with plots.

    summarize(outcomes, suites, wall_s, notes) -> dict     the --json document
    print_summary(summary, console)
    write_html(summary, path)                               one file, plots as inline PNG

Rates are over the solutions that could be judged; `null` when there is none.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from klear_ct.evaluate import CORRECT, INCORRECT, ProblemOutcome, SolutionResult
from klear_ct.evaluate.suites import Suite
from klear_ct.report.html import escape, img, table, write_page
from klear_ct.report.plots import plot_classes, plot_rates
from klear_ct.sandbox.limits import NEAR_LIMIT


def rates(solutions: list[SolutionResult]) -> dict:
    correct = [s for s in solutions if s.role == CORRECT and s.passed is not None]
    incorrect = [s for s in solutions if s.role == INCORRECT and s.passed is not None]
    passed = sum(s.passed for s in correct)
    failed = sum(not s.passed for s in incorrect)
    return {"tpr": passed / len(correct) if correct else None, "correct": len(correct), "correct_passed": passed,
            "tnr": failed / len(incorrect) if incorrect else None, "incorrect": len(incorrect),
            "incorrect_failed": failed, "unjudged": sum(s.passed is None for s in solutions)}


def near_limit_runs(problems: list[dict]) -> list[dict]:
    """Every run of a correct solution within NEAR_LIMIT of its time limit, either side: how tight the limit is."""
    return [{"problem": p["id"], "suite": name, "solution": sol["solution_id"], "lang": sol["lang"],
             "limit_ms": sol["time_limit_ms"], **run}
            for p in problems for name, r in p["suites"].items() for sol in r["solutions"] for run in sol["near_limit"]]


def summarize(outcomes: list[ProblemOutcome], suites: list[Suite], wall_s: float = 0.0,
              notes: list[str] | None = None, limits: dict | None = None) -> dict:
    """`limits`: the sandbox's time factors (TimeFactors.describe), which the verdicts were given under."""
    evaluated = [o for o in outcomes if o.outcome == "ok"]
    suite_rows = []
    for suite in suites:
        results = [r for o in evaluated for r in o.results if r.suite == suite.name]
        solutions = [s for r in results for s in r.solutions]
        by_lang: dict[str, list] = defaultdict(list)
        by_class: dict[str, list] = defaultdict(list)
        for s in solutions:
            by_lang[s.lang].append(s)
            if s.role == INCORRECT:
                by_class[s.expected_verdict or "unknown"].append(s)
        tests = [r.tests for r in results]
        suite_rows.append({
            "name": suite.name, "spec": suite.spec, "notes": suite.notes, "problems": len(results),
            "tests": sum(tests), "tests_per_problem": sum(tests) / len(tests) if tests else 0.0,
            "problems_without_tests": sum(t == 0 for t in tests),
            "wall_s": round(sum(r.wall_s for r in results), 3),
            "compile_s": round(sum(r.compile_s for r in results), 3),
            "sandbox_s": round(sum(r.sandbox_s for r in results), 3),
            "solution_cpu_s": round(sum(r.cpu_s for r in results), 3),
            "judge_s": round(sum(r.judge_s for r in results), 3),
            "overall": rates(solutions),
            "by_language": {lang: rates(group) for lang, group in sorted(by_lang.items())},
            "by_class": {cls: rates(group) for cls, group in sorted(by_class.items())},
        })
    problems = []
    for o in outcomes:
        problems.append({"id": o.problem_id, "outcome": o.outcome, "cause": o.cause, "time_limit_s": o.time_limit_s,
                         "time_limit_note": o.time_limit_note, "time_limits": o.time_limits,
                         "suites": {r.suite: {"tests": r.tests, **rates(r.solutions),
                                              "solutions": [dict(vars(s)) for s in r.solutions]}
                                    for r in o.results}})
    return {"suites": suite_rows, "problems": problems, "notes": list(notes or []), "limits": limits,
            "near_limit": near_limit_runs(problems), "near_limit_share": NEAR_LIMIT,
            "counts": {"problems": len(outcomes), "evaluated": len(evaluated),
                       "skipped": sum(o.outcome == "skipped" for o in outcomes),
                       "failed": sum(o.outcome == "failed" for o in outcomes)},
            "timing": {"wall_s": round(wall_s, 3), "compile_s": round(sum(s["compile_s"] for s in suite_rows), 3),
                       "sandbox_s": round(sum(s["sandbox_s"] for s in suite_rows), 3),
                       "solution_cpu_s": round(sum(s["solution_cpu_s"] for s in suite_rows), 3)}}


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _cell(r: dict) -> str:
    tpr = f"{percent(r['tpr'])} ({r['correct_passed']}/{r['correct']})" if r["correct"] else "–"
    tnr = f"{percent(r['tnr'])} ({r['incorrect_failed']}/{r['incorrect']})" if r["incorrect"] else "–"
    return f"TPR {tpr}\nTNR {tnr}"


def limit_cell(p: dict) -> str:
    """A problem's limit and the one each language ran under: `1 s → cpp17 1 s, python3 2 s`."""
    own = f"{p['time_limit_s']:g} s" + (" (derived)" if p["time_limit_note"] else "")
    each = [f"{lang} {s:g} s" for lang, s in p.get("time_limits", {}).items()]
    return own + (f" → {', '.join(each)}" if each else "")


def factors_line(limits: dict | None) -> str | None:
    """`time factors: python3 ×2, …; machine ×1.00 (…)`, or None when unknown."""
    if not limits:
        return None
    factors = ", ".join(f"{lang} ×{f:g}" for lang, f in limits["time_factor"].items())
    machine = (f"machine ×{limits['machine_factor']:.2f} ({limits['calibration']})" if limits["calibration"]
               else "machine calibration off")
    return f"time limits: the problem's × the language's factor ({factors}); {machine}"


def misjudged_solutions(summary: dict) -> list[tuple[dict, str, dict]]:
    """(problem, suite name, solution) for every correct solution that failed, incorrect one that
    passed, and solution that could not be judged."""
    return [(p, name, sol) for p in summary["problems"] for name, r in p["suites"].items() for sol in r["solutions"]
            if sol["passed"] is None or sol["passed"] != (sol["role"] == CORRECT)]


# -- rich ---------------------------------------------------------------------------------------
def print_summary(summary: dict, console) -> None:
    from rich.table import Table

    suites = summary["suites"]
    overview = Table(title="Test suites side by side")
    overview.add_column("")
    for s in suites:
        overview.add_column(s["name"], justify="right")
    rows = [("spec", lambda s: s["spec"]), ("TPR", lambda s: percent(s["overall"]["tpr"])),
            ("TNR", lambda s: percent(s["overall"]["tnr"])),
            ("correct passed", lambda s: f"{s['overall']['correct_passed']}/{s['overall']['correct']}"),
            ("incorrect failed", lambda s: f"{s['overall']['incorrect_failed']}/{s['overall']['incorrect']}"),
            ("tests", lambda s: str(s["tests"])), ("tests / problem", lambda s: f"{s['tests_per_problem']:.1f}"),
            ("runtime (wall)", lambda s: f"{s['wall_s']:.1f} s"),
            ("compile time", lambda s: f"{s['compile_s']:.1f} s"),
            ("sandbox time", lambda s: f"{s['sandbox_s']:.1f} s"),
            ("solutions' CPU", lambda s: f"{s['solution_cpu_s']:.1f} s")]
    for label, get in rows:
        overview.add_row(label, *(get(s) for s in suites))
    for cls in sorted({c for s in suites for c in s["by_class"]}):
        overview.add_row(f"TNR {cls}", *(percent(s["by_class"].get(cls, {}).get("tnr")) for s in suites))
    for lang in sorted({lang for s in suites for lang in s["by_language"]}):
        overview.add_row(f"{lang} TPR / TNR", *(
            " / ".join(percent(s["by_language"].get(lang, {}).get(k)) for k in ("tpr", "tnr")) for s in suites))
    console.print(overview)

    per_problem = Table(title="Per problem")
    per_problem.add_column("problem")
    per_problem.add_column("time limit", justify="right")
    for s in suites:
        per_problem.add_column(f"{s['name']}", justify="right")
    for p in summary["problems"]:
        if p["outcome"] != "ok":
            per_problem.add_row(p["id"], "", *([f"[yellow]{p['outcome']}[/]"] * len(suites)))
            continue
        cells = []
        for s in suites:
            r = p["suites"].get(s["name"])
            cells.append(f"{r['tests']} tests\n{_cell(r)}" if r else "–")
        per_problem.add_row(p["id"], limit_cell(p), *cells)
    console.print(per_problem)
    if summary.get("near_limit"):
        near = Table(title=f"Correct solutions' runs within {NEAR_LIMIT:.0%} of their time limit")
        for column in ("suite", "problem", "solution", "test", "CPU", "limit", "verdict"):
            near.add_column(column, justify="right" if column in ("test", "CPU", "limit") else "left")
        for run in summary["near_limit"]:
            near.add_row(run["suite"], run["problem"], run["solution"], str(run["test"] + 1), f"{run['cpu_ms']:.0f} ms",
                         f"{run['limit_ms']:.0f} ms", run["verdict"])
        console.print(near)
    misjudged = Table(title="Correct solutions that failed, incorrect ones that survived, unjudged ones")
    for column in ("suite", "problem", "solution", "expected", "got", "message"):
        misjudged.add_column(column)
    for p, name, sol in misjudged_solutions(summary):
        misjudged.add_row(name, p["id"], sol["solution_id"], sol["expected_verdict"] or sol["role"],
                          sol["verdict"], sol["message"][-80:])
    if misjudged.row_count:
        console.print(misjudged)
    for p in summary["problems"]:
        if p["outcome"] != "ok":
            console.print(f"[yellow]{p['outcome']}[/] {p['id']}: {p['cause']}", markup=True, highlight=False)
        if p["time_limit_note"]:
            console.print(f"{p['id']}: {p['time_limit_note']}", highlight=False)
    if line := factors_line(summary.get("limits")):
        console.print(line, highlight=False, markup=False)
    for note in summary["notes"] + [f"suite {s['name']}: {n}" for s in suites for n in s["notes"]]:
        console.print(f"note: {note}", highlight=False, markup=False)
    t = summary["timing"]
    console.print(f"{summary['counts']['evaluated']} problems evaluated, {summary['counts']['skipped']} skipped, "
                  f"{summary['counts']['failed']} failed; wall {t['wall_s']:.1f} s; summed over parallel sandbox "
                  f"calls: compiling {t['compile_s']:.1f} s, running {t['sandbox_s']:.1f} s, of which the solutions' "
                  f"own CPU {t['solution_cpu_s']:.1f} s")


# -- HTML (with the tables and inline PNGs of `klearct report`'s page) ---------------------------
def write_html(summary: dict, path: Path | str) -> Path:
    suites = summary["suites"]
    parts = ["<h1>klearct evaluate: TPR / TNR of test suites</h1>"]
    parts.append(table(["suite", "spec", "TPR", "TNR", "tests", "tests / problem", "runtime s", "compile s",
                        "sandbox s", "solutions' CPU s"],
                       [[s["name"], s["spec"], percent(s["overall"]["tpr"]), percent(s["overall"]["tnr"]),
                         s["tests"], f"{s['tests_per_problem']:.1f}", s["wall_s"], s["compile_s"], s["sandbox_s"],
                         s["solution_cpu_s"]]
                        for s in suites]))
    parts.append(img(plot_rates(summary), "TPR and TNR per suite"))
    if (png := plot_classes(summary)) is not None:
        parts.append(img(png, "TNR by verdict class"))
    parts.append("<h2>Per problem</h2>")
    rows = []
    for p in summary["problems"]:
        cells = [p["id"], p["outcome"] if p["outcome"] != "ok" else limit_cell(p)]
        for s in suites:
            r = p["suites"].get(s["name"])
            cells.append(f"{r['tests']} tests, " + _cell(r).replace("\n", ", ") if r else (p["cause"] or "–"))
        rows.append(cells)
    parts.append(table(["problem", "time limit", *[s["name"] for s in suites]], rows))
    matrices = [(p, name, r) for p in summary["problems"] for name, r in p["suites"].items()
                if any(sol.get("verdicts") for sol in r["solutions"])]
    if matrices:
        parts.append("<h2>Kill matrix (--full): each solution's verdict on each test</h2>")
    for p, name, r in matrices:
        parts.append(f"<h3>{escape(p['id'])} · {escape(name)}</h3>")
        parts.append(table(["solution", "expected", *[str(k + 1) for k in range(r["tests"])]],
                           [[sol["solution_id"], sol["expected_verdict"] or "correct", *(sol.get("verdicts") or [])]
                            for sol in r["solutions"]]))
    if line := factors_line(summary.get("limits")):
        parts.append(f"<p>{escape(line)}</p>")
    if summary.get("near_limit"):
        parts.append(f"<h2>Correct solutions' runs within {NEAR_LIMIT:.0%} of their time limit</h2>")
        parts.append(table(["suite", "problem", "solution", "test", "CPU ms", "limit ms", "verdict"],
                           [[r["suite"], r["problem"], r["solution"], r["test"] + 1, f"{r['cpu_ms']:.0f}",
                             f"{r['limit_ms']:.0f}", r["verdict"]] for r in summary["near_limit"]]))
    parts.append("<h2>Solutions</h2>")
    rows = [[p["id"], name, s["solution_id"], s["role"], s["lang"], s["expected_verdict"] or "", s["verdict"],
             s["tests_run"], s["message"][:120]]
            for p in summary["problems"] for name, r in p["suites"].items() for s in r["solutions"]]
    parts.append(table(["problem", "suite", "solution", "role", "language", "expected", "got", "tests run",
                        "message"], rows))
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}")
    return write_page(path, f"<!doctype html><html><head><meta charset='utf-8'><title>klearct evaluate</title>"
                            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")
